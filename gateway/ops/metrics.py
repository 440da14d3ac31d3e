"""Prometheus metrics computed from the store at scrape time, in the text exposition format 0.0.4.

`collect(store)` reads the numbers, `render(snapshot)` writes them; no state lives in the process,
so every worker sharing a database reports the same figures.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from gateway.canonical import DocumentType
from gateway.notices import NOTICE_KINDS
from gateway.store import (
    AckDirection,
    AckStatus,
    DocumentStatus,
    MessageStatus,
    OutboxStatus,
    Store,
)

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The store counts messages, outbox rows and acks by status in SQL; acks by direction and
# documents by type have no grouped count yet, so they are tallied from one bounded read each.
SCAN_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The figures of one scrape. `truncated` names the tallies that hit SCAN_LIMIT."""

    store_up: bool
    messages: Mapping[str, int] = field(default_factory=dict)
    outbox: Mapping[str, int] = field(default_factory=dict)
    acks: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (direction, status)
    documents: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (type, status)
    overdue_acks: int = 0
    truncated: frozenset[str] = frozenset()
    notices: Mapping[str, int] = field(default_factory=dict)  # events by NOTICE_KINDS kind


def collect(store: Store) -> Snapshot:
    """Read the current figures; a store that cannot be read gives `store_up=False`."""
    try:
        counts = store.counts()
        acks = store.list_acks(limit=SCAN_LIMIT)
        documents = store.list_documents(limit=SCAN_LIMIT)
        notices = store.count_events(NOTICE_KINDS)
    except Exception:  # a scrape must answer even when the database is down: gateway_store_up 0
        log.warning("metrics: the store did not answer", exc_info=True)
        return Snapshot(store_up=False)
    truncated = set()
    if len(acks) >= SCAN_LIMIT:
        truncated.add("acks")
    if len(documents) >= SCAN_LIMIT:
        truncated.add("documents")
    return Snapshot(
        store_up=True,
        messages=counts.get("messages", {}),
        outbox=counts.get("outbox", {}),
        acks=Counter((a.direction.value, a.status.value) for a in acks),
        documents=Counter((d.doc_type, d.status.value) for d in documents),
        overdue_acks=counts.get("acks", {}).get(AckStatus.OVERDUE.value, 0),
        truncated=frozenset(truncated),
        notices=notices,
    )


def render(snapshot: Snapshot) -> str:
    """The exposition text; every known status appears, with 0 when there is none."""
    out: list[str] = []
    up = int(snapshot.store_up)
    _family(out, "gateway_store_up", "1 when the store answered this scrape.", [({}, up)])
    if not snapshot.store_up:
        return "\n".join(out) + "\n"
    _family(
        out,
        "gateway_messages",
        "Received messages by status.",
        _by_label("status", _with_zeros(snapshot.messages, MessageStatus)),
    )
    _family(
        out,
        "gateway_outbox",
        "Outbox deliveries by status (dead = dead letters).",
        _by_label("status", _with_zeros(snapshot.outbox, OutboxStatus)),
    )
    acks = dict.fromkeys(((d.value, s.value) for d in AckDirection for s in AckStatus), 0)
    acks.update(snapshot.acks)
    _family(
        out,
        "gateway_acks",
        "Acknowledgements by direction (sent, received, expected) and status.",
        [({"direction": d, "status": s}, n) for (d, s), n in sorted(acks.items())],
    )
    documents = dict.fromkeys(((t.value, s.value) for t in DocumentType for s in DocumentStatus), 0)
    documents.update(snapshot.documents)
    _family(
        out,
        "gateway_documents",
        "Canonical documents by type and status (held, effective, void).",
        [({"doc_type": t, "status": s}, n) for (t, s), n in sorted(documents.items())],
    )
    _family(
        out,
        "gateway_acks_overdue",
        "Expected acknowledgements past their due time.",
        [({}, snapshot.overdue_acks)],
    )
    _family(
        out,
        "gateway_notices",
        "Notices recorded by kind: inbox entries not taken, test data withheld, profile reloads.",
        _by_label("kind", _with_zeros(snapshot.notices, NOTICE_KINDS)),
    )
    _family(
        out,
        "gateway_metrics_truncated",
        f"1 when a tally stopped at {SCAN_LIMIT} rows (its figures are then lower bounds).",
        [({"family": f}, int(f in snapshot.truncated)) for f in ("acks", "documents")],
    )
    return "\n".join(out) + "\n"


def _with_zeros(found: Mapping[str, int], known: Iterable[object]) -> dict[str, int]:
    values = {str(k): 0 for k in known}
    values.update(found)
    return dict(sorted(values.items()))


def _by_label(label: str, values: Mapping[str, int]) -> list[tuple[dict[str, str], int]]:
    return [({label: k}, n) for k, n in values.items()]


def _family(
    out: list[str], name: str, help_text: str, samples: list[tuple[dict[str, str], int]]
) -> None:
    out.append(f"# HELP {name} {_escape_help(help_text)}")
    out.append(f"# TYPE {name} gauge")
    for labels, value in samples:
        if labels:
            inner = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items())
            out.append(f"{name}{{{inner}}} {value}")
        else:
            out.append(f"{name} {value}")


def _escape_label(value: str) -> str:
    # Label values come from the database (statuses, document types): escape per the format.
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")
