"""Result rows -> the frozen records of `gateway.store.records` (no ORM object leaves the store).

Also `load_documents`, the one query that reads documents with their keys and queue state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, select

from gateway.store.records import (
    AckDirection,
    AckKind,
    AckRow,
    AckStatus,
    Direction,
    DocumentRow,
    DocumentStatus,
    EventRow,
    GroupRow,
    InterchangeRow,
    MessageId,
    MessageRow,
    MessageStatus,
    SetRow,
    ShipmentStatusRow,
    WaitState,
)
from gateway.store.schema import document_t, key_t, wait_t

_IN_CHUNK = 5000


def to_message(row: Row[Any]) -> MessageRow:
    return message_from(row._mapping)


def message_from(m: Mapping[Any, Any]) -> MessageRow:
    return MessageRow(
        id=MessageId(m["id"]),
        sha256=m["sha256"],
        channel=m["channel"],
        account=m["account"],
        partner_id=m["partner_id"],
        original_name=m["original_name"],
        size=m["size"],
        received_at=m["received_at"],
        archive_path=m["archive_path"],
        status=MessageStatus(m["status"]),
        quarantine_reason=m["quarantine_reason"],
        duplicate_of=m["duplicate_of"],
    )


def to_interchange(row: Row[Any]) -> InterchangeRow:
    m = row._mapping
    return InterchangeRow(
        id=m["id"],
        message_id=m["message_id"],
        partner_id=m["partner_id"],
        direction=Direction(m["direction"]),
        sender_qualifier=m["sender_qualifier"],
        sender_id=m["sender_id"],
        receiver_qualifier=m["receiver_qualifier"],
        receiver_id=m["receiver_id"],
        control_number=m["control_number"],
        version=m["version"],
        usage=m["usage"],
        ta1_status=m["ta1_status"],
        outcome=m["outcome"],
        created_at=m["created_at"],
    )


def to_group(row: Row[Any]) -> GroupRow:
    m = row._mapping
    return GroupRow(
        id=m["id"],
        interchange_id=m["interchange_id"],
        direction=Direction(m["direction"]),
        functional_id=m["functional_id"],
        control_number=m["control_number"],
        version=m["version"],
        set_count=m["set_count"],
        ack_code=m["ack_code"],
        application_sender=m["application_sender"],
        application_receiver=m["application_receiver"],
    )


def to_set(row: Row[Any]) -> SetRow:
    m = row._mapping
    return SetRow(
        id=m["id"],
        group_id=m["group_id"],
        set_id=m["set_id"],
        control_number=m["control_number"],
        outcome=m["outcome"],
        errors=m["errors"],
        segment_count=m["segment_count"],
    )


def to_document(row: Row[Any], keys: tuple[tuple[str, str], ...] = ()) -> DocumentRow:
    m = row._mapping
    wait_state = m.get("wait_state")
    return DocumentRow(
        id=m["id"],
        transaction_set_id=m["transaction_set_id"],
        message_id=m["message_id"],
        doc_type=m["doc_type"],
        partner_id=m["partner_id"],
        business_key=m["business_key"],
        payload=m["payload"],
        created_at=m["created_at"],
        keys=keys,
        status=DocumentStatus(m["status"]),
        wait_state=WaitState(wait_state) if wait_state is not None else None,
    )


def load_documents(
    conn: Connection, *conditions: Any, limit: int, oldest_first: bool = False
) -> list[DocumentRow]:
    """Documents matching `conditions` (newest first, or oldest first) with their correlation
    keys and hold-queue state."""
    d = document_t.c
    order = (d.created_at, d.id) if oldest_first else (d.id.desc(),)
    stmt = (
        select(document_t, wait_t.c.state.label("wait_state"))
        .outerjoin(wait_t, wait_t.c.document_id == d.id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
    )
    rows = conn.execute(stmt).all()
    ids = [r._mapping["id"] for r in rows]
    keys: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for start in range(0, len(ids), _IN_CHUNK):
        kstmt = (
            select(key_t.c.document_id, key_t.c.kind, key_t.c.value)
            .where(key_t.c.document_id.in_(ids[start : start + _IN_CHUNK]))
            .order_by(key_t.c.id)
        )
        for doc_id, kind, value in conn.execute(kstmt):
            keys[doc_id].append((kind, value))
    return [to_document(r, tuple(keys[r._mapping["id"]])) for r in rows]


def to_ack(row: Row[Any]) -> AckRow:
    m = row._mapping
    return AckRow(
        id=m["id"],
        direction=AckDirection(m["direction"]),
        kind=AckKind(m["kind"]),
        status=AckStatus(m["status"]),
        partner_id=m["partner_id"],
        interchange_id=m["interchange_id"],
        group_id=m["group_id"],
        interchange_control_number=m["interchange_control_number"],
        group_control_number=m["group_control_number"],
        functional_id=m["functional_id"],
        due_at=m["due_at"],
        ack_message_id=m["ack_message_id"],
        outbox_id=m["outbox_id"],
        detail=m["detail"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def to_event(row: Row[Any]) -> EventRow:
    m = row._mapping
    return EventRow(
        id=m["id"],
        message_id=m["message_id"],
        outbox_id=m["outbox_id"],
        parent_id=m["parent_id"],
        kind=m["kind"],
        detail=m["detail"],
        at=m["at"],
        interchange_id=m["interchange_id"],
    )


def to_shipment_status(row: Row[Any]) -> ShipmentStatusRow:
    m = row._mapping
    return ShipmentStatusRow(
        shipment_key=m["shipment_key"],
        event_time=m["event_time"],
        status=m["status"],
        document_id=m["document_id"],
        updated_at=m["updated_at"],
    )
