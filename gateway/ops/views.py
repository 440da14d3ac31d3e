"""What the ops API returns: frozen pydantic views of the store's records (the OpenAPI schemas).

Views leave out what an operator must not see or does not need: lease tokens, payload bytes
(only their size), and every transport detail of a partner profile except its kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gateway.registry import PartnerProfile
from gateway.store import (
    AckRow,
    DocumentRow,
    EventRow,
    GroupRow,
    InterchangeRow,
    MessageRow,
    OutboxRow,
    SetRow,
)


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Problem(View):
    """An RFC 9457 problem document: every error the API returns has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[dict[str, Any]] | None = None


class Health(View):
    status: str


class Message(View):
    id: int
    partner_id: str
    channel: str
    account: str | None
    original_name: str
    size: int
    sha256: str
    received_at: datetime
    status: str
    quarantine_reason: str | None
    duplicate_of: int | None

    @classmethod
    def of(cls, row: MessageRow) -> Message:
        return cls(
            id=row.id,
            partner_id=row.partner_id,
            channel=row.channel,
            account=row.account,
            original_name=row.original_name,
            size=row.size,
            sha256=row.sha256,
            received_at=row.received_at,
            status=row.status.value,
            quarantine_reason=row.quarantine_reason,
            duplicate_of=row.duplicate_of,
        )


class TransactionSetView(View):
    id: int
    set_id: str
    control_number: str
    outcome: str
    segment_count: int
    error_count: int
    error_summary: list[str]
    errors: list[dict[str, Any]]

    @classmethod
    def of(cls, row: SetRow) -> TransactionSetView:
        errors = row.errors or []
        return cls(
            id=row.id,
            set_id=row.set_id,
            control_number=row.control_number,
            outcome=row.outcome,
            segment_count=row.segment_count,
            error_count=len(errors),
            error_summary=[summarise_issue(e) for e in errors],
            errors=errors,
        )


def summarise_issue(issue: dict[str, Any]) -> str:
    """One line per issue: "error AK3 8 at N4 #6: <message>" (only the parts that are known)."""
    head = " ".join(str(issue[k]) for k in ("severity", "code") if issue.get(k))
    where = ""
    if issue.get("segment"):
        where = f" at {issue['segment']}"
        if issue.get("position") is not None:
            where += f" #{issue['position']}"
    return f"{head or 'issue'}{where}: {issue.get('message', '')}"


class Group(View):
    id: int
    functional_id: str
    control_number: str
    version: str
    set_count: int
    ack_code: str | None
    application_sender: str
    application_receiver: str
    sets: list[TransactionSetView]

    @classmethod
    def of(cls, row: GroupRow, sets: list[TransactionSetView]) -> Group:
        return cls(
            id=row.id,
            functional_id=row.functional_id,
            control_number=row.control_number,
            version=row.version,
            set_count=row.set_count,
            ack_code=row.ack_code,
            application_sender=row.application_sender,
            application_receiver=row.application_receiver,
            sets=sets,
        )


class Ack(View):
    id: int
    direction: str
    kind: str
    status: str
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

    @classmethod
    def of(cls, row: AckRow) -> Ack:
        return cls(
            id=row.id,
            direction=row.direction.value,
            kind=row.kind.value,
            status=row.status.value,
            partner_id=row.partner_id,
            interchange_id=row.interchange_id,
            group_id=row.group_id,
            interchange_control_number=row.interchange_control_number,
            group_control_number=row.group_control_number,
            functional_id=row.functional_id,
            due_at=row.due_at,
            ack_message_id=row.ack_message_id,
            outbox_id=row.outbox_id,
            detail=row.detail,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class Interchange(View):
    id: int
    partner_id: str
    direction: str
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
    groups: list[Group]
    acks: list[Ack]

    @classmethod
    def of(cls, row: InterchangeRow, groups: list[Group], acks: list[Ack]) -> Interchange:
        return cls(
            id=row.id,
            partner_id=row.partner_id,
            direction=row.direction.value,
            sender_qualifier=row.sender_qualifier,
            sender_id=row.sender_id,
            receiver_qualifier=row.receiver_qualifier,
            receiver_id=row.receiver_id,
            control_number=row.control_number,
            version=row.version,
            usage=row.usage,
            ta1_status=row.ta1_status,
            outcome=row.outcome,
            created_at=row.created_at,
            groups=groups,
            acks=acks,
        )


class CorrelationKey(View):
    kind: str
    value: str


class Document(View):
    id: int
    doc_type: str
    partner_id: str
    business_key: str
    message_id: int | None
    transaction_set_id: int | None
    created_at: datetime
    status: str
    wait_state: str | None
    keys: list[CorrelationKey]
    payload: dict[str, Any]

    @classmethod
    def of(cls, row: DocumentRow) -> Document:
        return cls(
            id=row.id,
            doc_type=row.doc_type,
            partner_id=row.partner_id,
            business_key=row.business_key,
            message_id=row.message_id,
            transaction_set_id=row.transaction_set_id,
            created_at=row.created_at,
            status=row.status.value,
            wait_state=row.wait_state.value if row.wait_state is not None else None,
            keys=[CorrelationKey(kind=k, value=v) for k, v in row.keys],
            payload=row.payload,
        )


class Outbox(View):
    id: int
    destination: str
    channel: str
    kind: str
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    source_message_id: int | None
    document_id: int | None
    payload_size: int | None
    payload_path: str | None

    @classmethod
    def of(cls, row: OutboxRow) -> Outbox:
        return cls(
            id=row.id,
            destination=row.destination,
            channel=row.channel,
            kind=row.kind,
            idempotency_key=row.idempotency_key,
            status=row.status.value,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            source_message_id=row.source_message_id,
            document_id=row.document_id,
            payload_size=len(row.payload) if row.payload is not None else None,
            payload_path=row.payload_path,
        )


class Event(View):
    id: int
    kind: str
    at: datetime
    message_id: int | None
    interchange_id: int | None
    outbox_id: int | None
    parent_id: int | None
    detail: dict[str, Any] | None

    @classmethod
    def of(cls, row: EventRow) -> Event:
        return cls(
            id=row.id,
            kind=row.kind,
            at=row.at,
            message_id=row.message_id,
            interchange_id=row.interchange_id,
            outbox_id=row.outbox_id,
            parent_id=row.parent_id,
            detail=row.detail,
        )


class Lineage(View):
    """A received message and everything that came of it, in the order it happened."""

    message: Message
    interchanges: list[Interchange]
    documents: list[Document]
    outbox: list[Outbox]
    events: list[Event]


class ReplayRequest(BaseModel):
    """The body of a replay: `force` to re-send what the peer already acknowledged."""

    model_config = ConfigDict(extra="forbid")
    force: bool = False
    reason: str | None = Field(default=None, max_length=500)


class ReplayResult(View):
    replayed: bool
    outbox: Outbox


class AckPolicyView(View):
    kind: str
    send: bool
    send_ta1: str
    request_ta1: bool
    expect_ack_within_minutes: int | None


class Partner(View):
    """A profile as operations see it: identity and policy, never a transport's secrets."""

    id: str
    name: str
    role: str
    scac: str | None
    environment: str
    isa_qualifier: str | None
    isa_id: str | None
    gs_id: str | None
    x12_version: str | None
    usage: str | None
    transport_kind: str | None
    documents_inbound: list[str]
    documents_outbound: list[str]
    ack_policy: AckPolicyView

    @classmethod
    def of(cls, p: PartnerProfile) -> Partner:
        x12 = p.x12
        acks = p.acks
        return cls(
            id=p.id,
            name=p.name,
            role=p.role.value,
            scac=p.scac,
            environment=p.environment,
            isa_qualifier=x12.isa_qualifier if x12 else None,
            isa_id=x12.isa_id if x12 else None,
            gs_id=x12.group_id if x12 else None,
            x12_version=x12.version if x12 else None,
            usage=x12.usage if x12 else None,
            transport_kind=p.transport.kind if p.transport else None,
            documents_inbound=list(p.documents.inbound),
            documents_outbound=list(p.documents.outbound),
            ack_policy=AckPolicyView(
                kind=acks.kind,
                send=acks.send,
                send_ta1=acks.send_ta1,
                request_ta1=acks.request_ta1,
                expect_ack_within_minutes=acks.expect_ack_within_minutes,
            ),
        )
