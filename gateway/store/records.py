"""Values crossing the store boundary: status enums, rows to write (`New*`) and rows read back.

All are frozen dataclasses so no ORM object (and no open session) ever leaves the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

MessageId = NewType("MessageId", int)
OutboxId = NewType("OutboxId", int)

JsonObject = Mapping[str, Any]


class RawJson(str):
    """A JSON document already encoded (e.g. pydantic's `model_dump_json`, done in Rust):
    stored as it is instead of being dumped to a dict and encoded again."""

    __slots__ = ()


class MessageStatus(StrEnum):
    RECEIVED = "received"
    PARSED = "parsed"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"
    FAILED = "failed"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class OutboxStatus(StrEnum):
    HELD = "held"  # written by a streaming interchange whose verdict is not known: never claimed
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    DEAD = "dead"
    VOID = "void"  # its group or interchange was rejected: never delivered


class DocumentStatus(StrEnum):
    """Whether a canonical document takes effect (see `Store.begin_interchange`)."""

    HELD = "held"  # its streaming interchange has not reached IEA yet
    EFFECTIVE = "effective"
    VOID = "void"  # its group (GE) or interchange (IEA, TA1 R) was rejected


class WaitState(StrEnum):
    """A document's place in the hold (exception) queue."""

    WAITING = "waiting"  # needs an earlier document (its shipment) that is not known yet
    RELEASED = "released"  # a key it waited for arrived: to be replayed
    DONE = "done"  # replayed


class AckDirection(StrEnum):
    SENT = "sent"  # an ack the gateway generated for an inbound interchange/group
    RECEIVED = "received"  # an ack a partner sent us
    EXPECTED = "expected"  # an ack the gateway waits for after sending an interchange


class AckKind(StrEnum):
    """An X12 acknowledgement (997, 999, TA1), or a carrier's 990 tender response to a 204.

    A 990 is tracked like an ack, at interchange level (the 204's ISA13; no group control
    number). An EXPECTED 990 stays PENDING until the carrier answers: ACCEPTED (B1-04 A; the
    reconciler also counts B, conditional) or REJECTED (declined: D, E). With no answer before
    `due_at`, `Store.mark_overdue_acks` makes it OVERDUE (once); a late answer still settles it
    through `Store.update_ack(..., only_from=(PENDING, OVERDUE))`.
    """

    FA997 = "997"
    FA999 = "999"
    TA1 = "TA1"
    TENDER_RESPONSE = "990"


class AckStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    OVERDUE = "overdue"


class CounterKind(StrEnum):
    """Which X12 control number a counter feeds: ISA13, GS06 or ST02."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    SET = "set"


# ---------------------------------------------------------------- rows to write


@dataclass(frozen=True, slots=True)
class NewOutbox:
    """A delivery to make. `idempotency_key` is unique store-wide: adding it twice is a no-op.

    The payload is either the bytes to send, a path to them, or neither when the delivery
    worker renders it from the linked canonical document.
    """

    destination: str
    channel: str
    kind: str
    idempotency_key: str
    payload: bytes | None = None
    payload_path: str | None = None
    next_attempt_at: datetime | None = None  # None: due now


@dataclass(frozen=True, slots=True)
class NewAck:
    """An acknowledgement to track (sent, received or expected) for an interchange or group.

    Inside a batch the FK to the interchange/group is filled in by the store; `outbox_key` names
    the outbox row (by idempotency key) that carries a sent ack, so its delivery can be followed.
    """

    direction: AckDirection
    kind: AckKind
    status: AckStatus
    partner_id: str
    interchange_control_number: str
    group_control_number: str | None = None
    functional_id: str | None = None
    due_at: datetime | None = None
    outbox_key: str | None = None
    ack_message_id: int | None = None
    detail: JsonObject | None = None


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One line of the audit/lineage log."""

    kind: str
    detail: JsonObject | None = None


@dataclass(frozen=True, slots=True)
class NewEventKey:
    """A business event a document carries (214: SCAC + shipment + status + event time; 210:
    SCAC + invoice number), unique store-wide: the third dedup layer after sha256 and ISA13.

    `delivery_keys` names the document's deliveries (idempotency keys) that carry this event;
    empty means all of them. A delivery is dropped when every event that carries it was seen.
    """

    key: str
    delivery_keys: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class NewShipmentStatus:
    """A status a document reports for a shipment, applied when the document takes effect
    unless the shipment already has a later one (see `Store.apply_status`)."""

    shipment_key: str
    event_time: datetime
    status: str


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A canonical object, its correlation keys (kind, value) and the deliveries routed from it.

    `event_keys` are its business events (a plain string: an event carried by every delivery).
    `wait_for` puts it in the hold queue until a document with one of those correlation key
    values is known (see `Store.release_waiting`). `shipment_status` moves a shipment's status
    forward when the document takes effect.
    """

    doc_type: str
    partner_id: str
    business_key: str
    payload: JsonObject | RawJson
    keys: Sequence[tuple[str, str]] = ()
    deliveries: Sequence[NewOutbox] = ()
    event_keys: Sequence[NewEventKey | str] = ()
    wait_for: Sequence[str] = ()
    wait_reason: str | None = None
    shipment_status: NewShipmentStatus | None = None


@dataclass(frozen=True, slots=True)
class NewSet:
    set_id: str  # ST01
    control_number: str  # ST02
    outcome: str  # AK5-01: A / E / R
    segment_count: int
    errors: Sequence[JsonObject] = ()
    documents: Sequence[NewDocument] = ()


@dataclass(frozen=True, slots=True)
class NewGroup:
    functional_id: str  # GS01
    control_number: str  # GS06
    version: str  # GS08
    set_count: int
    ack_code: str | None = None  # AK9-01 when known
    application_sender: str = ""  # GS02
    application_receiver: str = ""  # GS03
    sets: Sequence[NewSet] = ()
    acks: Sequence[NewAck] = ()


@dataclass(frozen=True, slots=True)
class NewInterchange:
    partner_id: str
    direction: Direction
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    control_number: str  # ISA13 as sent
    version: str  # ISA12
    usage: str  # ISA15
    outcome: str  # accepted / accepted_with_errors / partially_accepted / rejected / duplicate
    ta1_status: str | None = None
    groups: Sequence[NewGroup] = ()
    acks: Sequence[NewAck] = ()  # interchange-level acks (TA1)


@dataclass(frozen=True, slots=True)
class OutboundBatch:
    """What an outbound builder returns to `Store.record_outbound` (see there)."""

    interchange: NewInterchange
    outbox: Sequence[NewOutbox] = ()
    events: Sequence[NewEvent] = ()


# ---------------------------------------------------------------- rows read back


@dataclass(frozen=True, slots=True)
class NewReceipt:
    """Archived bytes to record as a received message (see `Store.record_receipts`)."""

    sha256: str
    channel: str
    partner_id: str
    original_name: str
    size: int
    archive_path: str
    account: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """Result of `record_receipt`: the message id, and whether these bytes were already known."""

    message_id: MessageId
    duplicate: bool


@dataclass(frozen=True, slots=True)
class DuplicateEvent:
    """A business event key seen before: recorded as a `duplicate_business_event` event."""

    event_key: str
    document_id: int  # the document that repeated it
    first_document_id: int  # the document that carried it first


@dataclass(frozen=True, slots=True)
class BatchIds:
    """Ids created by one batch, each tuple in the order of the input (depth first)."""

    interchange_id: int | None  # None for documents that came without an X12 envelope
    group_ids: tuple[int, ...]
    set_ids: tuple[int, ...]
    document_ids: tuple[int, ...]
    outbox_ids: tuple[int, ...]
    ack_ids: tuple[int, ...]
    event_ids: tuple[int, ...]
    skipped_outbox_keys: tuple[str, ...] = ()  # idempotency keys that already existed
    duplicate_events: tuple[DuplicateEvent, ...] = ()  # business events seen before
    dropped_outbox_keys: tuple[str, ...] = ()  # deliveries not written: all their events were seen
    applied_statuses: int = 0  # shipments whose status moved forward (NewDocument.shipment_status)


@dataclass(frozen=True, slots=True)
class GroupFinish:
    """Result of `Store.finish_group`."""

    ack_ids: tuple[int, ...]
    voided_documents: int
    voided_outbox: int


@dataclass(frozen=True, slots=True)
class InterchangeFinish:
    """Result of `Store.finish_interchange`: what it wrote and what it released or voided."""

    outbox_ids: tuple[int, ...]
    ack_ids: tuple[int, ...]
    event_ids: tuple[int, ...]
    skipped_outbox_keys: tuple[str, ...]
    effective_documents: int  # held -> effective
    released_outbox: int  # held -> pending
    voided_documents: int  # held -> void
    voided_outbox: int  # held -> void
    applied_statuses: int = 0  # shipments whose status moved forward (NewDocument.shipment_status)


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: MessageId
    sha256: str
    channel: str
    account: str | None
    partner_id: str
    original_name: str
    size: int
    received_at: datetime
    archive_path: str
    status: MessageStatus
    quarantine_reason: str | None
    duplicate_of: int | None


@dataclass(frozen=True, slots=True)
class InterchangeRow:
    id: int
    message_id: int | None
    partner_id: str
    direction: Direction
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    control_number: str
    version: str
    usage: str
    ta1_status: str | None
    outcome: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GroupRow:
    id: int
    interchange_id: int
    direction: Direction
    functional_id: str
    control_number: str
    version: str
    set_count: int
    ack_code: str | None
    application_sender: str
    application_receiver: str


@dataclass(frozen=True, slots=True)
class SetRow:
    id: int
    group_id: int
    set_id: str
    control_number: str
    outcome: str
    errors: list[dict[str, Any]] | None
    segment_count: int


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    transaction_set_id: int | None
    message_id: int | None
    doc_type: str
    partner_id: str
    business_key: str
    payload: dict[str, Any]
    created_at: datetime
    keys: tuple[tuple[str, str], ...] = field(default=())
    status: DocumentStatus = DocumentStatus.EFFECTIVE
    wait_state: WaitState | None = None


@dataclass(frozen=True, slots=True)
class AckRow:
    id: int
    direction: AckDirection
    kind: AckKind
    status: AckStatus
    partner_id: str
    interchange_id: int | None
    group_id: int | None
    interchange_control_number: str
    group_control_number: str | None
    functional_id: str | None
    due_at: datetime | None
    ack_message_id: int | None
    outbox_id: int | None
    detail: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: OutboxId
    destination: str
    channel: str
    kind: str
    idempotency_key: str
    payload: bytes | None
    payload_path: str | None
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    lease_token: str | None
    lease_until: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    source_message_id: int | None
    document_id: int | None


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    message_id: int | None
    outbox_id: int | None
    parent_id: int | None
    kind: str
    detail: dict[str, Any] | None
    at: datetime
    interchange_id: int | None = None


@dataclass(frozen=True, slots=True)
class WaitingDocument:
    """An entry of the hold (exception) queue."""

    document: DocumentRow
    state: WaitState
    wait_for: tuple[str, ...]
    reason: str | None
    since: datetime
    released_at: datetime | None


@dataclass(frozen=True, slots=True)
class ShipmentStatusRow:
    """The latest status applied to a shipment, and the event time it happened."""

    shipment_key: str
    event_time: datetime
    status: str
    document_id: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ShipmentThread:
    """Everything linked to one key by correlation keys (see `Store.thread`), oldest first."""

    key: str
    keys: tuple[str, ...]  # every correlation value reached, in the order found
    documents: tuple[DocumentRow, ...]
    outbox: tuple[OutboxRow, ...]
    acks: tuple[AckRow, ...]
    messages: tuple[MessageRow, ...]
    statuses: tuple[ShipmentStatusRow, ...]  # shipment statuses kept under any reached key
    truncated: bool  # the depth or document bound stopped the walk
