"""The gateway's tables as typed SQLAlchemy declarative models (the migrations create the same).

Times are stored as UTC (`UtcDateTime`); ids are BIGINT on PostgreSQL and INTEGER on SQLite,
where only INTEGER PRIMARY KEY is an auto-incrementing rowid alias. Partner-supplied free text
(file names, business keys, reference values) is TEXT: a length limit would fail on PostgreSQL
and pass on SQLite, and the two dialects must behave alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}

BigId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
Json: TypeEngine[Any] = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware in Python, UTC in the database; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass a timezone-aware time")
        value = value.astimezone(UTC)
        # SQLite keeps text; without an offset every value sorts correctly as a string.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


MESSAGE_STATUSES = ("received", "parsed", "quarantined", "duplicate", "failed")
OUTBOX_STATUSES = ("held", "pending", "in_flight", "delivered", "dead", "void")
DOCUMENT_STATUSES = ("held", "effective", "void")
WAIT_STATES = ("waiting", "released", "done")
ACK_STATUSES = (
    "pending",
    "accepted",
    "accepted_with_errors",
    "partially_accepted",
    "rejected",
    "overdue",
)
ACK_DIRECTIONS = ("sent", "received", "expected")
ACK_KINDS = ("997", "999", "TA1", "990")  # 990: a carrier's tender response
DIRECTIONS = ("in", "out")
SOAP_STATES = ("processing", "done")


class ReceivedMessage(Base):
    """Raw bytes received on a channel, recorded before the source is acknowledged."""

    __tablename__ = "received_message"
    __table_args__ = (
        UniqueConstraint("partner_id", "sha256"),
        CheckConstraint(_in("status", MESSAGE_STATUSES), name="status"),
        Index(None, "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    account: Mapped[str | None] = mapped_column(String(128))
    partner_id: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    archive_path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))


class Interchange(Base):
    """One ISA..IEA, inbound or outbound."""

    __tablename__ = "interchange"
    __table_args__ = (
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        Index(None, "direction", "sender_id", "control_number"),
        Index(None, "message_id"),
        Index(None, "control_number"),  # shipment threads start from an ISA13
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))
    partner_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(3))
    sender_qualifier: Mapped[str] = mapped_column(String(4))
    sender_id: Mapped[str] = mapped_column(String(35))
    receiver_qualifier: Mapped[str] = mapped_column(String(4))
    receiver_id: Mapped[str] = mapped_column(String(35))
    control_number: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(12))
    usage: Mapped[str] = mapped_column(String(4))
    ta1_status: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class FunctionalGroup(Base):
    """One GS..GE."""

    __tablename__ = "functional_group"
    __table_args__ = (
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        Index(None, "interchange_id"),
        Index(None, "control_number"),  # shipment threads start from a GS06
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    interchange_id: Mapped[int] = mapped_column(BigId, ForeignKey("interchange.id"))
    direction: Mapped[str] = mapped_column(String(3))
    functional_id: Mapped[str] = mapped_column(String(4))
    control_number: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(12))
    set_count: Mapped[int] = mapped_column(Integer)
    ack_code: Mapped[str | None] = mapped_column(String(1))
    application_sender: Mapped[str] = mapped_column(String(35))
    application_receiver: Mapped[str] = mapped_column(String(35))


class TransactionSetRow(Base):
    """One ST..SE and its validation outcome."""

    __tablename__ = "transaction_set"
    __table_args__ = (Index(None, "group_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(BigId, ForeignKey("functional_group.id"))
    set_id: Mapped[str] = mapped_column(String(8))
    control_number: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(1))
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(Json)
    segment_count: Mapped[int] = mapped_column(Integer)


class CanonicalDocument(Base):
    """A canonical object produced from a transaction set (or from an IDoc/JSON/SOAP message)."""

    __tablename__ = "canonical_document"
    __table_args__ = (
        Index(None, "transaction_set_id"),
        Index(None, "message_id"),
        Index(None, "doc_type", "business_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    transaction_set_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("transaction_set.id"))
    message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))
    doc_type: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[str] = mapped_column(String(64))
    business_key: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # held / effective / void (DOCUMENT_STATUSES); no CHECK: SQLite cannot add one to an
    # existing table without copying it, so the store's enum is the guard.
    status: Mapped[str] = mapped_column(String(16), server_default="effective")


class CorrelationKey(Base):
    """A correlation key of a document (bol, pro, po, shipment_id, erp_order, ...).

    A table rather than one column per kind: a tender carries several POs, and new key kinds
    (portal reference, container) need no migration.
    """

    __tablename__ = "correlation_key"
    __table_args__ = (Index(None, "value"), Index(None, "document_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("canonical_document.id"))
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)


class Outbox(Base):
    """A delivery to make exactly once (per idempotency key), claimed by workers under a lease."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "source_message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    destination: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    payload_path: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source_message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))
    document_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("canonical_document.id"), index=True
    )


class Acknowledgement(Base):
    """A 997/999/TA1 or 990 (tender response) sent, received or expected, and where it stands."""

    __tablename__ = "acknowledgement"
    __table_args__ = (
        CheckConstraint(_in("status", ACK_STATUSES), name="status"),
        CheckConstraint(_in("direction", ACK_DIRECTIONS), name="direction"),
        CheckConstraint(_in("kind", ACK_KINDS), name="kind"),
        Index(None, "status", "due_at"),
        Index(None, "partner_id", "group_control_number"),
        Index(None, "interchange_id"),
        Index(None, "group_id"),
        Index(None, "outbox_id"),  # deleting an outbox row checks this FK
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    partner_id: Mapped[str] = mapped_column(String(64))
    interchange_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("interchange.id"))
    group_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("functional_group.id"))
    interchange_control_number: Mapped[str] = mapped_column(String(32))
    group_control_number: Mapped[str | None] = mapped_column(String(32))
    functional_id: Mapped[str | None] = mapped_column(String(4))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ack_message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))
    outbox_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id"))
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The key of the outbox row carrying a sent ack: a streamed group's ack is recorded at GE,
    # before the ack interchange is written at IEA, and linked then.
    outbox_key: Mapped[str | None] = mapped_column(String(200))


class Event(Base):
    """The audit and lineage log: what happened to a message or delivery, with parent links."""

    __tablename__ = "event"
    __table_args__ = (
        Index(None, "message_id"),
        Index(None, "outbox_id"),
        Index(None, "parent_id"),  # deleting an event checks this FK
        Index(None, "kind", "id"),  # notices by kind (inbox refusals, withheld test data)
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))
    outbox_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id"))
    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("event.id"))
    kind: Mapped[str] = mapped_column(String(48))
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    interchange_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("interchange.id"), index=True
    )


class ControlNumberCounter(Base):
    """The last control number handed out per (partner, kind); updated under a row lock."""

    __tablename__ = "control_number_counter"

    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(BigInteger)


class BusinessEvent(Base):
    """A business event key (third dedup layer) and the document that carried it first."""

    __tablename__ = "business_event"
    __table_args__ = (UniqueConstraint("event_key"), Index(None, "document_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_key: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("canonical_document.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DocumentWait(Base):
    """A document in the hold (exception) queue: it needs an earlier document not known yet."""

    __tablename__ = "document_wait"
    __table_args__ = (
        CheckConstraint(_in("state", WAIT_STATES), name="state"),
        Index(None, "state", "since"),
    )

    document_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("canonical_document.id"), primary_key=True, autoincrement=False
    )
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentWaitKey(Base):
    """A correlation key value a waiting document waits for."""

    __tablename__ = "document_wait_key"
    __table_args__ = (Index(None, "value"), Index(None, "document_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(BigId, ForeignKey("document_wait.document_id"))
    value: Mapped[str] = mapped_column(Text)


class ShipmentEvent(Base):
    """The shipment status a document reports; applied when the document takes effect."""

    __tablename__ = "shipment_event"
    __table_args__ = (Index(None, "shipment_key", "event_time"),)

    document_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("canonical_document.id"), primary_key=True, autoincrement=False
    )
    shipment_key: Mapped[str] = mapped_column(Text)
    event_time: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(48))


class ShipmentStatus(Base):
    """Per shipment, the latest event time and status applied: statuses never move backwards."""

    __tablename__ = "shipment_status"
    __table_args__ = (Index(None, "document_id"),)  # deleting a document checks this FK

    shipment_key: Mapped[str] = mapped_column(Text, primary_key=True)
    event_time: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(48))
    document_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("canonical_document.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SoapRequest(Base):
    """A mutating SOAP call of an ERP, by the ERP's document number (its idempotency key).

    `state` is processing until the effects are recorded, then done with the response to
    replay; `request_sha256` tells a retry (same content) from a conflict (other content).
    """

    __tablename__ = "soap_request"
    __table_args__ = (
        UniqueConstraint("partner_id", "docnum"),
        CheckConstraint(_in("state", SOAP_STATES), name="state"),
        Index(None, "partner_id", "order_number"),
        Index(None, "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64))
    docnum: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(32))
    order_number: Mapped[str] = mapped_column(Text)
    request_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("received_message.id"))
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


CONSOLE_ROLES = ("viewer", "operator", "admin")


class ConsoleUser(Base):
    """An operations user of the web console; the password is an argon2 hash, never the text."""

    __tablename__ = "console_user"
    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint(_in("role", CONSOLE_ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ConsoleSession(Base):
    """A console login: the cookie holds a random token, the table only its sha256."""

    __tablename__ = "console_session"
    __table_args__ = (UniqueConstraint("token_hash"), Index(None, "user_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("console_user.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Alert(Base):
    """An alert raised once per `dedup_key` and the state of its delivery."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("dedup_key"), Index(None, "delivered_at", "id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    partner_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class QueueWorker(Base):
    """A live processing/delivery worker (`gateway run` or `gateway worker`) and its heartbeat."""

    __tablename__ = "queue_worker"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_heartbeat: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class QueueLease(Base):
    """A received message claimed for processing: every write of that processing checks the
    token under a row lock, so a worker paused past `lease_until` cannot finish work another
    worker took. `claims` counts the starts of its processing; at the limit it is set aside."""

    __tablename__ = "queue_lease"

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("received_message.id", ondelete="CASCADE"), primary_key=True
    )
    worker_id: Mapped[str] = mapped_column(String(36), index=True)
    token: Mapped[str] = mapped_column(String(36))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)
    claims: Mapped[int] = mapped_column(Integer)


class QueueSlot(Base):
    """The last slot in which a periodic job ran, so it runs once per slot across workers."""

    __tablename__ = "queue_slot"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_slot: Mapped[int] = mapped_column(BigInteger)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime)
    worker_id: Mapped[str] = mapped_column(String(36))


# Core table handles: the hot path writes with Core `insert()` on lists of dicts, not the ORM.
class ApiRequest(Base):
    """The first response to a REST request sent with an `Idempotency-Key`, per client: a retry
    gets it again; the same key with another request is refused."""

    __tablename__ = "api_request"
    __table_args__ = (UniqueConstraint("client", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client: Mapped[str] = mapped_column(String(128))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    response: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


received_message_t = cast(Table, ReceivedMessage.__table__)
interchange_t = cast(Table, Interchange.__table__)
group_t = cast(Table, FunctionalGroup.__table__)
set_t = cast(Table, TransactionSetRow.__table__)
document_t = cast(Table, CanonicalDocument.__table__)
key_t = cast(Table, CorrelationKey.__table__)
outbox_t = cast(Table, Outbox.__table__)
ack_t = cast(Table, Acknowledgement.__table__)
event_t = cast(Table, Event.__table__)
api_request_t = cast(Table, ApiRequest.__table__)
counter_t = cast(Table, ControlNumberCounter.__table__)
business_event_t = cast(Table, BusinessEvent.__table__)
wait_t = cast(Table, DocumentWait.__table__)
wait_key_t = cast(Table, DocumentWaitKey.__table__)
shipment_event_t = cast(Table, ShipmentEvent.__table__)
shipment_status_t = cast(Table, ShipmentStatus.__table__)
soap_request_t = cast(Table, SoapRequest.__table__)
console_user_t = cast(Table, ConsoleUser.__table__)
console_session_t = cast(Table, ConsoleSession.__table__)
alert_t = cast(Table, Alert.__table__)
queue_worker_t = cast(Table, QueueWorker.__table__)
queue_lease_t = cast(Table, QueueLease.__table__)
queue_slot_t = cast(Table, QueueSlot.__table__)
ALL_TABLES = (
    received_message_t,
    interchange_t,
    group_t,
    set_t,
    document_t,
    key_t,
    outbox_t,
    ack_t,
    event_t,
    business_event_t,
    wait_key_t,
)
