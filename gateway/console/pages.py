"""What each console page shows, read from the store and the registry (rendering is elsewhere).

Functions here take plain values and return dataclasses: the routes parse requests, these
decide what is on the page, templates lay it out.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from gateway.console.x12view import Finding, Layout, layout
from gateway.pipeline.archive import Archive
from gateway.registry import Registry
from gateway.store import (
    AckDirection,
    AckKind,
    AckRow,
    AckStatus,
    AlertRow,
    DocumentRow,
    EventRow,
    MessageRow,
    MessageStatus,
    OutboxRow,
    OutboxStatus,
    Store,
    WaitState,
)

BOARD_STATUSES = (
    AckStatus.PENDING,
    AckStatus.ACCEPTED,
    AckStatus.ACCEPTED_WITH_ERRORS,
    AckStatus.PARTIALLY_ACCEPTED,
    AckStatus.REJECTED,
    AckStatus.OVERDUE,
)
# GS01 functional identifier -> what operations call the document
DOC_TYPES = {
    "SM": "204 load tender",
    "GF": "990 tender response",
    "QM": "214 shipment status",
    "IM": "210 freight invoice",
    "FA": "997/999 acknowledgement",
}
# The board's two sides: what we sent (and the partner must acknowledge) and what we received
# (with the acknowledgement we sent back).
SIDES = {"sent": AckDirection.EXPECTED, "received": AckDirection.SENT}
STAGES = {
    "load_tender": "Tender (204)",
    "tender_response": "Tender response (990)",
    "shipment_status": "Status (214)",
    "freight_invoice": "Invoice (210)",
}


class FilterError(ValueError):
    """A filter value the board cannot use (shown to the user, never a traceback)."""


@dataclass(frozen=True, slots=True)
class BoardFilter:
    side: str = "sent"
    partner: str | None = None
    status: AckStatus | None = None
    doc_type: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, params: dict[str, str]) -> BoardFilter:
        side = params.get("side") or "sent"
        if side not in SIDES:
            raise FilterError(f"side must be one of {', '.join(SIDES)}")
        status = None
        if params.get("status"):
            try:
                status = AckStatus(params["status"])
            except ValueError:
                raise FilterError(f"unknown status {params['status']!r}") from None
        doc_type = params.get("doc_type") or None
        if doc_type is not None and doc_type not in DOC_TYPES and doc_type != "990":
            raise FilterError(f"unknown document type {doc_type!r}")
        return cls(
            side=side,
            partner=params.get("partner") or None,
            status=status,
            doc_type=doc_type,
            since=_date(params.get("since")),
            until=_date(params.get("until")),
        )

    def query(self, **changes: str | None) -> str:
        """This filter with `changes` as a query string (for links that narrow or widen)."""
        values = {
            "side": self.side,
            "partner": self.partner,
            "status": self.status.value if self.status else None,
            "doc_type": self.doc_type,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        values.update(changes)
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in values.items() if v})


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class BoardRow:
    ack: AckRow
    age: timedelta
    window: timedelta | None
    late: bool
    delivery: OutboxRow | None  # the outbox row that carried the ack we sent
    message_id: int | None  # the received file (side "received")


@dataclass(frozen=True, slots=True)
class Board:
    filter: BoardFilter
    partners: list[str]
    counts: dict[str, dict[str, dict[str, int]]]  # side -> partner -> status -> n
    rows: list[BoardRow]
    limit: int


def board(
    store: Store, registry: Registry, f: BoardFilter, now: datetime, limit: int = 200
) -> Board:
    counts: dict[str, dict[str, dict[str, int]]] = {side: {} for side in SIDES}
    by_direction = {d: side for side, d in SIDES.items()}
    for c in store.ack_counts():
        side = by_direction.get(c.direction)
        if side is not None:
            counts[side].setdefault(c.partner_id, {})[c.status.value] = c.count
    # X12 trading partners (the ones that acknowledge) and anyone with acks on record
    x12 = {p.id for p in registry.profiles if p.x12 is not None and p.role.value != "self"}
    partners = sorted(x12 | set(counts["sent"]) | set(counts["received"]))
    kind = AckKind.TENDER_RESPONSE if f.doc_type == "990" else None
    functional_id = f.doc_type if f.doc_type in DOC_TYPES else None
    acks = store.board_acks(
        direction=SIDES[f.side],
        statuses=(f.status,) if f.status else (),
        partner_id=f.partner,
        functional_id=functional_id,
        kind=kind,
        since=_midnight(f.since),
        until=_midnight(f.until + timedelta(days=1)) if f.until else None,
        limit=limit,
    )
    deliveries = store.outbox_rows([a.outbox_id for a in acks if a.outbox_id is not None])
    messages = _interchange_messages(store, acks)
    rows = []
    for a in acks:
        window = None
        profile = registry.find(a.partner_id)
        if a.due_at is not None:
            window = a.due_at - a.created_at
        elif profile is not None and profile.acks.expect_ack_within_minutes and f.side == "sent":
            window = timedelta(minutes=profile.acks.expect_ack_within_minutes)
        settled = a.status not in (AckStatus.PENDING, AckStatus.OVERDUE)
        age = (a.updated_at if settled else now) - a.created_at
        late = a.status is AckStatus.OVERDUE or (
            not settled and window is not None and age > window
        )
        rows.append(
            BoardRow(
                a,
                age,
                window,
                late,
                deliveries.get(a.outbox_id) if a.outbox_id else None,
                messages.get(a.id),
            )
        )
    return Board(f, partners, counts, rows, limit)


def _interchange_messages(store: Store, acks: Sequence[AckRow]) -> dict[int, int]:
    """ack id -> the received message its interchange came in (for links to the message)."""
    ids = sorted({a.interchange_id for a in acks if a.interchange_id is not None})
    found = store.interchange_messages(ids)
    out: dict[int, int] = {}
    for a in acks:
        mid = found.get(a.interchange_id) if a.interchange_id is not None else None
        if mid is not None:
            out[a.id] = mid
    return out


def _midnight(d: date | None) -> datetime | None:
    return datetime(d.year, d.month, d.day, tzinfo=UTC) if d is not None else None


# ---------------------------------------------------------------- message page


@dataclass(frozen=True, slots=True)
class MessagePage:
    message: MessageRow
    layout: Layout | None
    archive_error: str | None
    findings: list[tuple[str, str, Finding]]  # (GS06, ST02, finding) for the summary
    interchanges: list[Any]
    documents: list[DocumentRow]
    outbox: list[OutboxRow]
    attempts: dict[int, list[EventRow]]  # outbox id -> its delivery events
    events: list[EventRow]
    acks: list[AckRow]
    replayable: bool


def message_page(store: Store, archive: Archive, message_id: int) -> MessagePage | None:
    msg = store.get_message(message_id)
    if msg is None:
        return None
    interchanges = list(reversed(store.list_interchanges(message_id=message_id, limit=1000)))
    by_set: dict[tuple[str, str], list[dict[str, Any]]] = {}
    structure = []
    for ic in interchanges:
        groups = []
        for g in store.list_groups(ic.id):
            sets = store.list_sets(g.id)
            for s in sets:
                if s.errors:
                    by_set[(g.control_number, s.control_number)] = list(s.errors)
            groups.append((g, sets))
        structure.append((ic, groups))
    view: Layout | None = None
    error = None
    try:
        path = archive.path_for(msg.sha256)
        with path.open("rb") as stream:
            data = stream.read(4 * 1024 * 1024 + 1)
        view = layout(data, by_set)
    except OSError as exc:
        error = f"the archived file cannot be read ({exc.strerror or exc})"
    findings = [
        (gs, st, Finding.of(i)) for (gs, st), issues in sorted(by_set.items()) for i in issues
    ]
    outbox = list(reversed(store.list_outbox(source_message_id=message_id, limit=1000)))
    attempts: dict[int, list[EventRow]] = {
        o.id: store.list_events(outbox_id=o.id, limit=100) for o in outbox
    }
    acks = [a for _, a in store.acks_of_messages([message_id])]
    return MessagePage(
        message=msg,
        layout=view,
        archive_error=error,
        findings=findings,
        interchanges=structure,
        documents=list(reversed(store.list_documents(message_id=message_id, limit=1000))),
        outbox=outbox,
        attempts=attempts,
        events=store.list_events(message_id=message_id),
        acks=acks,
        replayable=msg.status in (MessageStatus.QUARANTINED, MessageStatus.FAILED),
    )


# ---------------------------------------------------------------- shipment page


@dataclass(frozen=True, slots=True)
class Stage:
    document: DocumentRow
    label: str
    deliveries: list[OutboxRow]
    acks: list[AckRow]


@dataclass(frozen=True, slots=True)
class ShipmentPage:
    key: str
    keys: tuple[str, ...]
    stages: list[Stage]
    statuses: list[Any]
    truncated: bool


def shipment_page(store: Store, key: str) -> ShipmentPage:
    thread = store.thread(key)
    message_ids = sorted({d.message_id for d in thread.documents if d.message_id is not None})
    acks_by_message: dict[int, list[AckRow]] = {}
    for mid, ack in store.acks_of_messages(message_ids):
        acks_by_message.setdefault(mid, []).append(ack)
    stages = []
    for d in sorted(thread.documents, key=lambda d: (d.created_at, d.id)):
        if d.doc_type not in STAGES:
            continue
        stages.append(
            Stage(
                d,
                STAGES[d.doc_type],
                [
                    o
                    for o in thread.outbox
                    if o.document_id == d.id
                    or (o.document_id is None and o.source_message_id == d.message_id)
                ],
                acks_by_message.get(d.message_id, []) if d.message_id is not None else [],
            )
        )
    return ShipmentPage(key, thread.keys, stages, list(thread.statuses), thread.truncated)


# ---------------------------------------------------------------- exceptions page


@dataclass(frozen=True, slots=True)
class ExceptionsPage:
    quarantined: list[MessageRow]
    duplicates: list[MessageRow]
    duplicate_events: list[tuple[int, int | None, datetime, Any]]
    held_invoices: list[tuple[int, int | None, datetime, str, Any]]
    waiting: list[Any]
    dead_letters: list[OutboxRow]
    mapping_exceptions: list[tuple[int, int | None, datetime, str, Any]]
    alerts: list[AlertRow]


def exceptions_page(store: Store, limit: int = 100) -> ExceptionsPage:
    quarantined = [
        *store.list_messages(status=MessageStatus.QUARANTINED, limit=limit),
        *store.list_messages(status=MessageStatus.FAILED, limit=limit),
    ]
    events = store.events_of_kind(["alert", "exception", "invoice_exception"], limit=limit * 3)
    held = [
        e
        for e in events
        if e[3] == "alert" and isinstance(e[4], dict) and e[4].get("kind") == "invoice_held"
    ]
    return ExceptionsPage(
        quarantined=sorted(quarantined, key=lambda m: m.id, reverse=True),
        duplicates=store.list_messages(status=MessageStatus.DUPLICATE, limit=limit),
        duplicate_events=store.duplicate_events(limit=limit),
        held_invoices=held[:limit],
        waiting=store.list_waiting(state=WaitState.WAITING, limit=limit),
        dead_letters=store.list_outbox(status=OutboxStatus.DEAD, limit=limit),
        mapping_exceptions=[e for e in events if e[3] == "exception"][:limit],
        alerts=store.list_alerts(limit=limit),
    )


# ---------------------------------------------------------------- partners page


@dataclass(frozen=True, slots=True)
class PartnerLine:
    id: str
    name: str
    role: str
    environment: str
    last_received: datetime | None
    last_ack: datetime | None
    overdue: int
    tender_lag: timedelta | None  # median, ERP order received -> 204 delivered
    ack_turnaround: timedelta | None  # median, our interchange -> its 997/999
    milestone_age: timedelta | None  # since the newest 214
    exception_age: timedelta | None  # the oldest open exception
    notes: list[str] = field(default_factory=list)


def partners_page(store: Store, registry: Registry, now: datetime) -> list[PartnerLine]:
    figures = store.partner_figures()
    lines = []
    for p in sorted(registry.profiles, key=lambda p: p.id):
        f = figures.get(p.id)
        lines.append(
            PartnerLine(
                id=p.id,
                name=p.name,
                role=p.role.value,
                environment=p.environment,
                last_received=f.last_received if f else None,
                last_ack=f.last_ack if f else None,
                overdue=f.overdue if f else 0,
                tender_lag=_median(f.tender_lags) if f else None,
                ack_turnaround=_median(f.ack_turnarounds) if f else None,
                milestone_age=now - f.last_status_document
                if f and f.last_status_document
                else None,
                exception_age=now - f.oldest_exception if f and f.oldest_exception else None,
            )
        )
    return lines


def _median(values: Sequence[float]) -> timedelta | None:
    return timedelta(seconds=statistics.median(values)) if values else None


def human(delta: timedelta | None) -> str:
    """'3d 4h', '2h 5m', '45s': an age at a glance."""
    if delta is None:
        return ""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes}m"
    if minutes:
        return f"{sign}{minutes}m {secs}s"
    return f"{sign}{secs}s"
