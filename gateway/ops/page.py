"""The status page at `/`: plain server-rendered HTML (no scripts) of what needs an operator.

Every value is escaped with `html.escape`: file names, quarantine reasons and errors are
partner-supplied text and must never become markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from gateway.notices import NOTICE_KINDS, notice_row
from gateway.store import (
    AckDirection,
    AckRow,
    AckStatus,
    EventRow,
    MessageRow,
    OutboxRow,
    OutboxStatus,
    Store,
)

# The page sends no script and loads nothing: a strict policy costs nothing and backs the escaping.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.counts{display:flex;gap:2rem;flex-wrap:wrap}
.quarantined,.rejected,.overdue,.dead,.failed{color:#a00;font-weight:600}
.sftp_host_key_refused,.sftp_auth_failed,.sftp_name_refused{color:#a00;font-weight:600}
"""


@dataclass(frozen=True, slots=True)
class StatusData:
    """What the page shows, read from the store in one go (rendering is pure)."""

    counts: Mapping[str, Mapping[str, int]]
    messages: Sequence[MessageRow]
    acks: Sequence[AckRow]  # overdue, rejected, then pending expected
    dead_letters: Sequence[OutboxRow]
    notices: Sequence[EventRow] = ()  # inbox entries not taken, test data withheld, reloads
    transport_alerts: Sequence[EventRow] = ()  # e.g. an SFTP host key refused


def read_status(store: Store, *, limit: int = 25) -> StatusData:
    return StatusData(
        notices=store.list_events(kinds=NOTICE_KINDS, newest_first=True, limit=limit),
        counts=store.counts(),
        messages=store.list_messages(limit=limit),
        acks=[
            *store.list_acks(status=AckStatus.OVERDUE, limit=limit),
            *store.list_acks(status=AckStatus.REJECTED, limit=limit),
            *store.list_acks(
                direction=AckDirection.EXPECTED, status=AckStatus.PENDING, limit=limit
            ),
        ],
        dead_letters=store.list_outbox(status=OutboxStatus.DEAD, limit=limit),
        transport_alerts=[
            e
            for e in store.recent_events("alert", limit=limit)
            if str((e.detail or {}).get("kind", "")).startswith("sftp_")
        ],
    )


def render_status_page(data: StatusData) -> str:
    """The page: counts, latest messages, acks that need attention, dead letters."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>EDI gateway status</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>EDI gateway status</h1>",
        '<section class="counts">',
        *(_counts(title, data.counts.get(name, {})) for name, title in _COUNT_TITLES),
        "</section>",
        "<h2>Latest messages</h2>",
        _table(
            ("id", "received", "partner", "file", "status", "quarantine reason"),
            (
                (
                    m.id,
                    _when(m.received_at),
                    m.partner_id,
                    m.original_name,
                    _status(m.status.value),
                    m.quarantine_reason or "",
                )
                for m in data.messages
            ),
        ),
        "<h2>Acknowledgements: overdue, rejected, pending</h2>",
        _table(
            ("id", "direction", "kind", "partner", "ISA13", "GS06", "status", "due"),
            (
                (
                    a.id,
                    a.direction.value,
                    a.kind.value,
                    a.partner_id,
                    a.interchange_control_number,
                    a.group_control_number or "",
                    _status(a.status.value),
                    _when(a.due_at),
                )
                for a in data.acks
            ),
        ),
        "<h2>Notices: inbox entries not taken, test data withheld, profile reloads</h2>",
        _table(
            ("when", "what", "about", "why"),
            (notice_row(e) for e in data.notices),
        ),
        "<h2>Dead letters</h2>",
        _table(
            ("id", "destination", "kind", "attempts", "last error", "created"),
            (
                (o.id, o.destination, o.kind, o.attempts, o.last_error or "", _when(o.created_at))
                for o in data.dead_letters
            ),
        ),
        *_transport_alerts(data.transport_alerts),
        "</body></html>",
    ]
    return "\n".join(parts)


def _transport_alerts(alerts: Sequence[EventRow]) -> list[str]:
    """Shown only when there are some: a partner's server we refused or could not log in to."""
    if not alerts:
        return []
    rows = (
        (
            _when(e.at),
            str((e.detail or {}).get("partner", "")),
            _status(str((e.detail or {}).get("kind", ""))),
            str((e.detail or {}).get("error", "")),
        )
        for e in alerts
    )
    return [
        "<h2>Transport alerts</h2>",
        _table(("when", "partner", "alert", "detail"), rows),
    ]


_COUNT_TITLES = (("messages", "Messages"), ("outbox", "Outbox"), ("acks", "Acknowledgements"))


class _Status(str):
    """A status cell: rendered with a class so problems stand out."""


def _status(value: str) -> _Status:
    return _Status(value)


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at is not None else ""


def _counts(title: str, by_status: Mapping[str, int]) -> str:
    rows = [(status, n) for status, n in sorted(by_status.items())]
    return f"<div><h2>{escape(title)}</h2>{_table(('status', 'count'), rows)}</div>"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td colspan="{len(headers)}">none</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    text = escape(str(value))
    if isinstance(value, _Status):
        return f'<td class="{text}">{text}</td>'
    return f"<td>{text}</td>"
