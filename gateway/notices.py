"""Event kinds an operator should see without asking for a message: the status page, metrics,
`gateway messages` and `gateway search` read them (the event log is indexed by kind)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

INBOX_REFUSED = "inbox_refused"  # an inbox entry the gateway will not take (detail: reason)
WITHHELD = "withheld"  # test data (ISA15 T) kept from production destinations
RELOADED = "partners_reloaded"
RELOAD_REFUSED = "partners_reload_refused"  # partners/ changed but does not load

NOTICE_KINDS = (INBOX_REFUSED, WITHHELD, RELOAD_REFUSED, RELOADED)

TEST_DATA_REASON = "test data (ISA15 T): acknowledged, but not delivered to production destinations"


class _Event(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any] | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def message_id(self) -> int | None: ...


def notice_row(event: _Event) -> tuple[str, str, str, str]:
    """(when, what, about, why) of a notice event, for tables and one-line listings."""
    d = event.detail or {}
    when = event.at.isoformat(timespec="seconds")
    if event.kind == INBOX_REFUSED:
        where = f"{d.get('account')}/{d.get('name')}" if d.get("account") else str(d.get("name"))
        moved = f" (moved to {d['moved_to']})" if d.get("moved_to") else ""
        what = "stale upload" if d.get("kind") == "stale" else "inbox entry not taken"
        return when, what, f"inbox/{where}{moved}", str(d.get("reason", ""))
    if event.kind == WITHHELD:
        about = f"message {event.message_id}"
        if d.get("isa13"):
            about += f", ISA13 {d['isa13']}"
        destinations = ", ".join(str(x) for x in d.get("destinations", []))
        return when, "test data withheld", about, f"{d.get('reason', '')}: {destinations}"
    if event.kind == RELOAD_REFUSED:
        problems = "; ".join(str(x) for x in d.get("problems", []))
        return when, "profiles NOT reloaded", "partners/", problems
    if event.kind == RELOADED:
        parts = [f"{k} {', '.join(v)}" for k in ("added", "changed", "removed") if (v := d.get(k))]
        return when, "profiles reloaded", "partners/", "; ".join(parts) or "no profile changed"
    return when, event.kind, "", str(d)
