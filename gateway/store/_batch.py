"""The hot path: one interchange (or a set of documents) with everything it produced, in bulk.

Each level (groups, sets, documents, keys, deliveries, acks, events) is one executemany of a
compiled Core `insert()` with ids reserved up front, so 10,000 sets cost a handful of statements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)

from gateway.store.errors import DuplicateInterchangeError
from gateway.store.records import (
    BatchIds,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewInterchange,
    NewOutbox,
    OutboxStatus,
)
from gateway.store.schema import (
    ALL_TABLES,
    BigId,
    ack_t,
    document_t,
    event_t,
    group_t,
    interchange_t,
    key_t,
    outbox_t,
    received_message_t,
    set_t,
)

_PENDING = OutboxStatus.PENDING.value

# SQLite allows 32766 bound parameters per statement (since 3.32); stay well below it.
_IN_CHUNK = 5000


_INSERT = {t.name: insert(t) for t in ALL_TABLES}
_INSERT_RETURNING = {t.name: insert(t).returning(t.c.id) for t in ALL_TABLES}

_MAX_ID = {t.name: select(func.coalesce(func.max(t.c.id), 0)) for t in ALL_TABLES}
_NEXTVALS = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
_FIND_KEYS = select(outbox_t.c.idempotency_key, outbox_t.c.id).where(
    outbox_t.c.idempotency_key.in_(bindparam("b_keys", expanding=True))
)

BindProcessor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _BulkInsert:
    """A Core `insert()` compiled once per (dialect, table, columns) with its bind processors."""

    sql: str
    keys: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[int, BindProcessor], ...]  # (position, processor) where needed


_UNSET = object()
_BULK_CACHE: dict[tuple[str, str, tuple[str, ...]], _BulkInsert] = {}


def _bulk_insert_for(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> _BulkInsert:
    cache_key = (dialect.name, table.name, keys)
    found = _BULK_CACHE.get(cache_key)
    if found is None:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
        positional = bool(compiled.positional)
        order = tuple(compiled.positiontup or ()) if positional else keys
        processors = []
        for index, key in enumerate(order):
            column_type = table.c[key].type.dialect_impl(dialect)
            processor = column_type.bind_processor(dialect)
            if processor is not None:
                processors.append((index, processor))
        found = _BulkInsert(str(compiled), order, positional, tuple(processors))
        _BULK_CACHE[cache_key] = found
    return found


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows with the same keys through one driver-level executemany.

    SQLAlchemy's per-row parameter handling costs more than SQLite's own insert; the
    statement is still the Core `insert()`, and values go through the columns' own bind
    processors (UTC times, JSON), so what is stored is identical to a Core execute.
    """
    if not rows:
        return
    plan = _bulk_insert_for(conn.dialect, table, tuple(rows[0]))
    keys, processors = plan.keys, plan.processors
    # Batches repeat the same value (one `now`, None) down a column: convert each object once.
    memo: list[tuple[Any, Any]] = [(_UNSET, None)] * len(processors)
    params: list[Any] = []
    for row in rows:
        values = [row[k] for k in keys]
        for slot, (index, processor) in enumerate(processors):
            value = values[index]
            seen, converted = memo[slot]
            if value is not seen:
                converted = processor(value)
                memo[slot] = (value, converted)
            values[index] = converted
        params.append(tuple(values) if plan.positional else dict(zip(keys, values, strict=True)))
    conn.exec_driver_sql(plan.sql, params)


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """`n` fresh primary keys for `table`, so a bulk insert needs no RETURNING.

    SQLite cannot promise RETURNING order for a multi-row insert (SQLAlchemy then falls back
    to one statement per row), but the BEGIN IMMEDIATE lock makes max(id)+1.. ours alone.
    PostgreSQL draws them from the column's sequence.
    """
    if conn.dialect.name == "postgresql":
        return list(conn.execute(_NEXTVALS, {"t": table.name, "n": n}).scalars())
    last = conn.execute(_MAX_ID[table.name]).scalar_one()
    return list(range(last + 1, last + 1 + n))


def insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` and return their new ids in the order of `rows`."""
    if not rows:
        return []
    if len(rows) == 1:
        return [conn.execute(_INSERT_RETURNING[table.name], rows[0]).scalar_one()]
    ids = reserve_ids(conn, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    bulk_insert(conn, table, rows)
    return ids


def existing_outbox_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Map of idempotency key -> outbox id for the keys already present."""
    found: dict[str, int] = {}
    key_list = list(dict.fromkeys(keys))
    for start in range(0, len(key_list), _IN_CHUNK):
        chunk = key_list[start : start + _IN_CHUNK]
        found.update({k: i for k, i in conn.execute(_FIND_KEYS, {"b_keys": chunk})})
    return found


def outbox_row(
    item: NewOutbox, now: datetime, source_message_id: int | None, document_id: int | None
) -> dict[str, Any]:
    return {
        "destination": item.destination,
        "channel": item.channel,
        "kind": item.kind,
        "payload": item.payload,
        "payload_path": item.payload_path,
        "idempotency_key": item.idempotency_key,
        "status": _PENDING,
        "attempts": 0,
        "next_attempt_at": item.next_attempt_at or now,
        "last_error": None,
        "lease_token": None,
        "lease_until": None,
        "created_at": now,
        "delivered_at": None,
        "source_message_id": source_message_id,
        "document_id": document_id,
    }


def insert_outbox(
    conn: Connection,
    items: Sequence[tuple[NewOutbox, int | None]],
    now: datetime,
    source_message_id: int | None,
) -> tuple[dict[str, int], list[int], list[str]]:
    """Insert (delivery, document id) pairs, skipping keys that exist or repeat.

    Returns (key -> id for every key, ids of the rows inserted, keys skipped).
    """
    ids = existing_outbox_ids(conn, (o.idempotency_key for o, _ in items)) if items else {}
    skipped: list[str] = []
    rows: list[dict[str, Any]] = []
    for item, document_id in items:
        if item.idempotency_key in ids:
            skipped.append(item.idempotency_key)
            continue
        ids[item.idempotency_key] = -1  # reserve: a key repeated inside the batch is kept once
        rows.append(outbox_row(item, now, source_message_id, document_id))
    new_ids = insert_returning_ids(conn, outbox_t, rows)
    for row, new_id in zip(rows, new_ids, strict=True):
        ids[row["idempotency_key"]] = new_id
    return ids, new_ids, skipped


def ack_row(
    ack: NewAck,
    now: datetime,
    outbox_ids: dict[str, int],
    interchange_id: int | None,
    group_id: int | None,
) -> dict[str, Any]:
    outbox_id = outbox_ids.get(ack.outbox_key) if ack.outbox_key else None
    return {
        "direction": ack.direction.value,
        "kind": ack.kind.value,
        "status": ack.status.value,
        "partner_id": ack.partner_id,
        "interchange_id": interchange_id,
        "group_id": group_id,
        "interchange_control_number": ack.interchange_control_number,
        "group_control_number": ack.group_control_number,
        "functional_id": ack.functional_id,
        "due_at": ack.due_at,
        "ack_message_id": ack.ack_message_id,
        "outbox_id": outbox_id,
        "detail": dict(ack.detail) if ack.detail is not None else None,
        "created_at": now,
        "updated_at": now,
    }


def event_rows(
    events: Sequence[NewEvent],
    now: datetime,
    message_id: int | None,
    outbox_id: int | None = None,
    parent_id: int | None = None,
) -> list[dict[str, Any]]:
    return [
        {
            "message_id": message_id,
            "outbox_id": outbox_id,
            "parent_id": parent_id,
            "kind": e.kind,
            "detail": dict(e.detail) if e.detail is not None else None,
            "at": now,
        }
        for e in events
    ]


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows without needing their ids (events, keys)."""
    if len(rows) == 1:
        conn.execute(_INSERT[table.name], rows[0])
    else:
        bulk_insert(conn, table, rows)


_m = received_message_t.c
# NULL parameters leave a column as it is, so one prebuilt statement serves every call.
_SET_MESSAGE_STATUS = (
    update(received_message_t)
    .where(_m.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        quarantine_reason=func.coalesce(bindparam("b_reason", type_=Text), _m.quarantine_reason),
        duplicate_of=func.coalesce(bindparam("b_duplicate_of", type_=BigId), _m.duplicate_of),
    )
)


def set_message_status(
    conn: Connection,
    message_id: int,
    status: MessageStatus,
    reason: str | None = None,
    duplicate_of: int | None = None,
) -> int:
    params = {
        "b_id": message_id,
        "b_status": status.value,
        "b_reason": reason,
        "b_duplicate_of": duplicate_of,
    }
    return conn.execute(_SET_MESSAGE_STATUS, params).rowcount


def insert_documents(
    conn: Connection,
    documents: Sequence[tuple[NewDocument, int | None]],
    message_id: int | None,
    now: datetime,
) -> tuple[list[int], list[tuple[NewOutbox, int | None]]]:
    """Insert (document, transaction set id) pairs and their keys.

    Returns the document ids and the deliveries to insert, each paired with its document id.
    """
    doc_ids = insert_returning_ids(
        conn,
        document_t,
        [
            {
                "transaction_set_id": set_id,
                "message_id": message_id,
                "doc_type": d.doc_type,
                "partner_id": d.partner_id,
                "business_key": d.business_key,
                "payload": d.payload,
                "created_at": now,
            }
            for d, set_id in documents
        ],
    )
    key_rows = [
        {"document_id": doc_id, "kind": kind, "value": value}
        for (d, _), doc_id in zip(documents, doc_ids, strict=True)
        for kind, value in d.keys
    ]
    bulk_insert(conn, key_t, key_rows)
    deliveries: list[tuple[NewOutbox, int | None]] = [
        (o, doc_id) for (d, _), doc_id in zip(documents, doc_ids, strict=True) for o in d.deliveries
    ]
    return doc_ids, deliveries


_i = interchange_t.c
_FIND_INTERCHANGE = (
    select(_i.id, _i.message_id)
    .where(
        (_i.direction == bindparam("b_direction"))
        & (_i.sender_id == bindparam("b_sender"))
        & (_i.control_number == bindparam("b_control"))
    )
    .order_by(_i.id)
    .limit(1)
)
_PG_KEY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")


def reject_known_interchange(conn: Connection, ic: NewInterchange) -> None:
    """Raise DuplicateInterchangeError when (direction, sender id, ISA13) is already recorded.

    On PostgreSQL a transaction-scoped advisory lock on that key makes two workers holding
    the same interchange take turns, so exactly one records it; SQLite has a single writer.
    """
    params = {
        "b_direction": ic.direction.value,
        "b_sender": ic.sender_id,
        "b_control": ic.control_number,
    }
    if conn.dialect.name == "postgresql":
        key = f"interchange:{ic.direction.value}:{ic.sender_id}:{ic.control_number}"
        conn.execute(_PG_KEY_LOCK, {"k": key})
    found = conn.execute(_FIND_INTERCHANGE, params).first()
    if found is not None:
        raise DuplicateInterchangeError(found[0], found[1])


def insert_interchange_batch(
    conn: Connection,
    message_id: int | None,
    ic: NewInterchange,
    outbox: Sequence[NewOutbox],
    events: Sequence[NewEvent],
    message_status: MessageStatus | None,
    now: datetime,
    reject_duplicate: bool = False,
) -> BatchIds:
    if reject_duplicate:
        reject_known_interchange(conn, ic)
    direction = ic.direction.value
    interchange_id = insert_returning_ids(
        conn,
        interchange_t,
        [
            {
                "message_id": message_id,
                "partner_id": ic.partner_id,
                "direction": direction,
                "sender_qualifier": ic.sender_qualifier,
                "sender_id": ic.sender_id,
                "receiver_qualifier": ic.receiver_qualifier,
                "receiver_id": ic.receiver_id,
                "control_number": ic.control_number,
                "version": ic.version,
                "usage": ic.usage,
                "ta1_status": ic.ta1_status,
                "outcome": ic.outcome,
                "created_at": now,
            }
        ],
    )[0]
    group_ids = insert_returning_ids(
        conn,
        group_t,
        [
            {
                "interchange_id": interchange_id,
                "direction": direction,
                "functional_id": g.functional_id,
                "control_number": g.control_number,
                "version": g.version,
                "set_count": g.set_count,
                "ack_code": g.ack_code,
                "application_sender": g.application_sender,
                "application_receiver": g.application_receiver,
            }
            for g in ic.groups
        ],
    )
    sets = [(s, gid) for g, gid in zip(ic.groups, group_ids, strict=True) for s in g.sets]
    set_ids = insert_returning_ids(
        conn,
        set_t,
        [
            {
                "group_id": gid,
                "set_id": s.set_id,
                "control_number": s.control_number,
                "outcome": s.outcome,
                "errors": [dict(e) for e in s.errors] if s.errors else None,
                "segment_count": s.segment_count,
            }
            for s, gid in sets
        ],
    )
    docs = [(d, sid) for (s, _), sid in zip(sets, set_ids, strict=True) for d in s.documents]
    doc_ids, deliveries = insert_documents(conn, docs, message_id, now)
    deliveries.extend((o, None) for o in outbox)
    key_ids, outbox_ids, skipped = insert_outbox(conn, deliveries, now, message_id)

    ack_rows = [ack_row(a, now, key_ids, interchange_id, None) for a in ic.acks]
    ack_rows.extend(
        ack_row(a, now, key_ids, interchange_id, gid)
        for g, gid in zip(ic.groups, group_ids, strict=True)
        for a in g.acks
    )
    ack_ids = insert_returning_ids(conn, ack_t, ack_rows)
    event_ids = insert_returning_ids(conn, event_t, event_rows(events, now, message_id))
    if message_id is not None and message_status is not None:
        set_message_status(conn, message_id, message_status)
    return BatchIds(
        interchange_id=interchange_id,
        group_ids=tuple(group_ids),
        set_ids=tuple(set_ids),
        document_ids=tuple(doc_ids),
        outbox_ids=tuple(outbox_ids),
        ack_ids=tuple(ack_ids),
        event_ids=tuple(event_ids),
        skipped_outbox_keys=tuple(skipped),
    )
