"""The hot path: one interchange (or a set of documents) with everything it produced, in bulk.

Each level (groups, sets, documents, keys, deliveries, acks, events) is one executemany of a
compiled Core `insert()` with ids reserved up front, so 10,000 sets cost a handful of statements.
Business event keys are claimed with INSERT ... ON CONFLICT DO NOTHING and read back, so two
workers carrying the same event agree on which document had it first.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store import _multirow, _prepared, _status
from gateway.store.errors import DuplicateInterchangeError, StoreConflictError
from gateway.store.records import (
    BatchIds,
    DocumentStatus,
    DuplicateEvent,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewEventKey,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboxStatus,
    WaitState,
)
from gateway.store.schema import (
    ALL_TABLES,
    BigId,
    ack_t,
    business_event_t,
    document_t,
    event_t,
    group_t,
    interchange_t,
    key_t,
    outbox_t,
    received_message_t,
    set_t,
    shipment_event_t,
    wait_key_t,
    wait_t,
)

_PENDING = OutboxStatus.PENDING.value

# SQLite allows 32766 bound parameters per statement (since 3.32); stay well below it.
_IN_CHUNK = 5000


_MAX_ID = {t.name: select(func.coalesce(func.max(t.c.id), 0)) for t in ALL_TABLES}
_NEXTVALS = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
_FIND_KEYS = select(outbox_t.c.idempotency_key, outbox_t.c.id).where(
    outbox_t.c.idempotency_key.in_(bindparam("b_keys", expanding=True))
)

BindProcessor = Callable[[Any], Any]


def _find_key(dialect: str) -> Any:
    o = outbox_t.c
    return select(o.idempotency_key, o.id).where(o.idempotency_key == bindparam("b_key"))


@dataclass(frozen=True, slots=True)
class _BulkInsert:
    """A Core `insert()` compiled once per (dialect, table, columns) with its bind processors."""

    sql: str
    keys: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[int, BindProcessor], ...]  # (position, processor) where needed


_UNSET = object()
_BULK_CACHE: dict[tuple[str, str, tuple[str, ...], bool], _BulkInsert] = {}
# The dialects' own insert() carries ON CONFLICT; both share the same call shape.
_DIALECT_INSERT: dict[str, Callable[[Table], Any]] = {
    "sqlite": sqlite_insert,
    "postgresql": pg_insert,
}


def _bulk_insert_for(
    dialect: Dialect, table: Table, keys: tuple[str, ...], skip_conflicts: bool
) -> _BulkInsert:
    cache_key = (dialect.name, table.name, keys, skip_conflicts)
    found = _BULK_CACHE.get(cache_key)
    if found is None:
        statement = (
            _DIALECT_INSERT[dialect.name](table).on_conflict_do_nothing()
            if skip_conflicts
            else insert(table)
        )
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
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


def bulk_insert(
    conn: Connection, table: Table, rows: list[dict[str, Any]], *, skip_conflicts: bool = False
) -> int:
    """Insert many rows with the same keys through one driver-level executemany.

    SQLAlchemy's per-row parameter handling costs more than SQLite's own insert; the
    statement is still the Core `insert()`, and values go through the columns' own bind
    processors (UTC times, JSON), so what is stored is identical to a Core execute.
    `skip_conflicts` adds ON CONFLICT DO NOTHING (rows hitting a unique key are left out).
    Returns the driver's count of rows inserted (-1 when it does not know).
    """
    if not rows:
        return 0
    keys = tuple(rows[0])
    pick = operator.itemgetter(*keys)
    values = [pick(row) for row in rows] if len(keys) > 1 else [(pick(row),) for row in rows]
    return bulk_insert_values(conn, table, keys, values, skip_conflicts=skip_conflicts)


def bulk_insert_values(
    conn: Connection,
    table: Table,
    keys: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    skip_conflicts: bool = False,
) -> int:
    """`bulk_insert` of rows given as tuples in the order of `keys` (the hot path builds them
    directly: no dict per row). Keys in table column order need no reordering on SQLite."""
    if not rows:
        return 0
    plan = _bulk_insert_for(conn.dialect, table, keys, skip_conflicts)
    processors = plan.processors
    if plan.keys != keys:  # positional in another order (or named): map our slots to theirs
        slot = {k: i for i, k in enumerate(keys)}
        order = operator.itemgetter(*(slot[k] for k in plan.keys))
        single = len(plan.keys) == 1
        rows = [(order(r),) if single else order(r) for r in rows]
    if processors:
        rows = _processed(rows, processors)
    if len(rows) > 1 and conn.dialect.name == "postgresql":
        multirow = _multirow.plan_for(plan.sql, plan.keys)
        if multirow is not None:  # one statement per ~8,000 values, not one per row
            return _multirow.insert(conn, multirow, rows)
    params: list[Any] = rows
    if not plan.positional:
        names = plan.keys
        params = [dict(zip(names, r, strict=True)) for r in rows]
    return _prepared.execute_many(conn, plan.sql, params)


def _processed(
    rows: list[tuple[Any, ...]], processors: tuple[tuple[int, BindProcessor], ...]
) -> list[tuple[Any, ...]]:
    """Rows with the bind processors applied, column by column (zip transposes in C)."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, processor in processors:
        columns[index] = _converted(columns[index], processor)
    return list(zip(*columns, strict=True))


def _converted(column: Sequence[Any], processor: BindProcessor) -> list[Any]:
    # Batches repeat the same value (one `now`, None) down a column: convert each object once.
    out: list[Any] = []
    seen: Any = _UNSET
    converted: Any = None
    for value in column:
        if value is not seen:
            seen, converted = value, processor(value)
        out.append(converted)
    return out


def reserve_ids(conn: Connection, table: Table, n: int) -> list[int]:
    """`n` fresh primary keys for `table`, so a bulk insert needs no RETURNING.

    SQLite cannot promise RETURNING order for a multi-row insert (SQLAlchemy then falls back
    to one statement per row), but the BEGIN IMMEDIATE lock makes max(id)+1.. ours alone.
    PostgreSQL draws them from the column's sequence.
    """
    if conn.dialect.name == "postgresql":
        return list(
            _prepared.run(conn, "nextvals", lambda _: _NEXTVALS, t=table.name, n=n).scalars()
        )
    last = _prepared.run(conn, f"max_id:{table.name}", lambda _: _MAX_ID[table.name]).scalar_one()
    return list(range(last + 1, last + 1 + n))


def insert_one(conn: Connection, table: Table, row: dict[str, Any], *, returning: bool) -> Any:
    """One row as a prepared statement (one per table and set of keys): the per-file rows
    (an interchange, its group, set, document, ack, event) without SQLAlchemy building and
    keying a Core insert per call. With `returning`, the new row's id."""
    keys = tuple(row)
    key = f"insert_one:{table.name}:{returning}:{','.join(keys)}"

    def build(dialect: str) -> Any:
        statement = insert(table).values({k: bindparam(k, type_=table.c[k].type) for k in keys})
        return statement.returning(table.c.id) if returning else statement

    result = _prepared.run(conn, key, build, **row)
    return result.scalar_one() if returning else None


def insert_returning_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` and return their new ids in the order of `rows`."""
    if not rows:
        return []
    if len(rows) == 1:
        return [insert_one(conn, table, rows[0], returning=True)]
    ids = reserve_ids(conn, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    bulk_insert(conn, table, rows)
    return ids


def insert_values_returning_ids(
    conn: Connection, table: Table, keys: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> list[int]:
    """`insert_returning_ids` of rows given as tuples in the order of `keys` (without "id")."""
    if not rows:
        return []
    if len(rows) == 1:
        return insert_returning_ids(conn, table, [dict(zip(keys, rows[0], strict=True))])
    ids = reserve_ids(conn, table, len(rows))
    bulk_insert_values(
        conn, table, ("id", *keys), [(i, *r) for i, r in zip(ids, rows, strict=True)]
    )
    return ids


def existing_outbox_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """Map of idempotency key -> outbox id for the keys already present."""
    found: dict[str, int] = {}
    key_list = list(dict.fromkeys(keys))
    if len(key_list) == 1:  # a group's 997 key (`finish_group`): prepared once
        row = _prepared.run(conn, "find_outbox_key", _find_key, b_key=key_list[0]).first()
        return {row[0]: row[1]} if row is not None else {}
    for start in range(0, len(key_list), _IN_CHUNK):
        chunk = key_list[start : start + _IN_CHUNK]
        found.update({k: i for k, i in conn.execute(_FIND_KEYS, {"b_keys": chunk})})
    return found


_OUTBOX_KEYS = (
    "destination",
    "channel",
    "kind",
    "payload",
    "payload_path",
    "idempotency_key",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "source_message_id",
    "document_id",
)  # the other columns (lease, error, delivered_at) start NULL


def insert_outbox(
    conn: Connection,
    items: Sequence[tuple[NewOutbox, int | None]],
    now: datetime,
    source_message_id: int | None,
    status: OutboxStatus = OutboxStatus.PENDING,
    *,
    message_ids: Sequence[int | None] | None = None,
) -> tuple[dict[str, int], list[int], list[str]]:
    """Insert (delivery, document id) pairs, skipping keys that exist or repeat.

    Every row's source message is `source_message_id`, or with `message_ids` (one per item)
    its own: the 997s of a group's messages go in as one statement.

    Returns (key -> id for every key, ids of the rows inserted, keys skipped).

    The rows go in with ON CONFLICT DO NOTHING: when every row went in (the usual case) no
    key existed and nothing has to be looked up; otherwise the keys are read back, and a key
    whose row is not the one we reserved was there before (or, on PostgreSQL, was written by
    a concurrent transaction that committed first) and counts as skipped.
    """
    if not items:
        return {}, [], []
    status_value = status.value
    if message_ids is None:
        message_ids = [source_message_id] * len(items)
    kept: dict[str, tuple[NewOutbox, int | None, int | None]] = {}
    repeated: list[str] = []  # a key repeated inside the batch is kept once
    for (item, document_id), message_id in zip(items, message_ids, strict=True):
        key = item.idempotency_key
        if key in kept:
            repeated.append(key)
        else:
            kept[key] = (item, document_id, message_id)
    if len(kept) == 1:
        item, document_id, message_id = next(iter(kept.values()))
        return _insert_one_outbox(conn, item, document_id, now, message_id, status, repeated)
    new_ids = reserve_ids(conn, outbox_t, len(kept))
    rows = [
        (
            new_id,
            o.destination,
            o.channel,
            o.kind,
            o.payload,
            o.payload_path,
            o.idempotency_key,
            status_value,
            0,
            o.next_attempt_at or now,
            now,
            message_id,
            document_id,
        )
        for new_id, (o, document_id, message_id) in zip(new_ids, kept.values(), strict=True)
    ]
    inserted = bulk_insert_values(conn, outbox_t, ("id", *_OUTBOX_KEYS), rows, skip_conflicts=True)
    ids = dict(zip(kept, new_ids, strict=True))
    if inserted == len(rows):
        return ids, new_ids, repeated
    present = existing_outbox_ids(conn, kept)
    if len(present) != len(kept):  # a row left out for another reason than its key
        raise StoreConflictError("write rejected by a constraint: outbox id already taken")
    before = {k for k, i in present.items() if ids[k] != i}
    ids.update(present)
    seen: set[str] = set()
    skipped: list[str] = []
    for o, _ in items:
        key = o.idempotency_key
        if key in before or key in seen:
            skipped.append(key)
        else:
            seen.add(key)
    return ids, [i for k, i in ids.items() if k not in before], skipped


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
        "outbox_key": ack.outbox_key,
    }


def event_rows(
    events: Sequence[NewEvent],
    now: datetime,
    message_id: int | None,
    outbox_id: int | None = None,
    parent_id: int | None = None,
    interchange_id: int | None = None,
) -> list[dict[str, Any]]:
    return [
        {
            "message_id": message_id,
            "outbox_id": outbox_id,
            "parent_id": parent_id,
            "kind": e.kind,
            "detail": dict(e.detail) if e.detail is not None else None,
            "at": now,
            "interchange_id": interchange_id,
        }
        for e in events
    ]


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows without needing their ids (events, keys)."""
    if len(rows) == 1:
        insert_one(conn, table, rows[0], returning=False)
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
    return _prepared.run(
        conn, "set_message_status", lambda _: _SET_MESSAGE_STATUS, **params
    ).rowcount


@dataclass(slots=True)
class WrittenDocuments:
    """What `insert_documents` wrote and what the caller still has to write (the deliveries)."""

    ids: list[int]
    deliveries: list[tuple[NewOutbox, int | None]]
    duplicates: list[DuplicateEvent] = field(default_factory=list)
    dropped_keys: list[str] = field(default_factory=list)


_DOCUMENT_KEYS = (
    "transaction_set_id",
    "message_id",
    "doc_type",
    "partner_id",
    "business_key",
    "payload",
    "created_at",
    "status",
)


def insert_documents(
    conn: Connection,
    documents: Sequence[tuple[NewDocument, int | None]],
    message_id: int | None,
    now: datetime,
    status: DocumentStatus = DocumentStatus.EFFECTIVE,
) -> WrittenDocuments:
    """Insert (document, transaction set id) pairs with their correlation keys, business event
    keys, hold-queue entries and shipment statuses.

    Returns the document ids and the deliveries to insert, each paired with its document id,
    minus those whose every business event was seen before (see `NewEventKey`).
    """
    status_value = status.value
    doc_ids = insert_values_returning_ids(
        conn,
        document_t,
        _DOCUMENT_KEYS,
        [
            (
                set_id,
                message_id,
                d.doc_type,
                d.partner_id,
                d.business_key,
                d.payload,
                now,
                status_value,
            )
            for d, set_id in documents
        ],
    )
    pairs = [(d, doc_id) for (d, _), doc_id in zip(documents, doc_ids, strict=True)]
    bulk_insert_values(
        conn,
        key_t,
        ("document_id", "kind", "value"),
        [(doc_id, kind, value) for d, doc_id in pairs for kind, value in d.keys],
    )
    written = WrittenDocuments(doc_ids, [])
    events = [(d, doc_id, event_keys_of(d)) for d, doc_id in pairs if d.event_keys]
    owners = _claim_event_keys(conn, events, now) if events else {}
    dropped: set[str] = set()
    for d, doc_id, keys in events:
        dropped.update(_dropped_deliveries(d, doc_id, keys, owners, written.duplicates))
    for d, doc_id in pairs:
        for o in d.deliveries:
            if dropped and o.idempotency_key in dropped:
                written.dropped_keys.append(o.idempotency_key)
            else:
                written.deliveries.append((o, doc_id))
    _insert_waits(conn, pairs, now)
    statuses = [(doc_id, d.shipment_status) for d, doc_id in pairs if d.shipment_status]
    bulk_insert_values(
        conn,
        shipment_event_t,
        ("document_id", "shipment_key", "event_time", "status"),
        [(doc_id, s.shipment_key, s.event_time, s.status) for doc_id, s in statuses],
    )
    return written


def event_keys_of(document: NewDocument) -> list[NewEventKey]:
    """The document's business events, each key once (a plain string covers every delivery)."""
    found: dict[str, NewEventKey] = {}
    for item in document.event_keys:
        event = NewEventKey(item) if isinstance(item, str) else item
        found.setdefault(event.key, event)
    return list(found.values())


_be = business_event_t.c
_FIND_EVENT_KEYS = select(_be.event_key, _be.document_id).where(
    _be.event_key.in_(bindparam("b_keys", expanding=True))
)


def _claim_event_keys(
    conn: Connection,
    events: Sequence[tuple[NewDocument, int, list[NewEventKey]]],
    now: datetime,
) -> dict[str, int]:
    """Claim each business event key for its document; returns key -> the document owning it.

    ON CONFLICT DO NOTHING makes the claim atomic: on PostgreSQL a second worker inserting the
    same key waits for the first one's transaction and then sees its row (or takes the key if
    the first rolled back). A key repeated inside the batch goes to its first document.
    """
    claims = [(e.key, doc_id) for _, doc_id, keys in events for e in keys]
    rows = [(key, doc_id, now) for key, doc_id in claims]
    keys_ = ("event_key", "document_id", "created_at")
    inserted = bulk_insert_values(conn, business_event_t, keys_, rows, skip_conflicts=True)
    if inserted == len(rows):  # no conflict at all: every key is new and ours
        return dict(claims)
    keys = list(dict.fromkeys(key for key, _ in claims))
    owners: dict[str, int] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        owners.update({k: i for k, i in conn.execute(_FIND_EVENT_KEYS, {"b_keys": chunk})})
    return owners


def _dropped_deliveries(
    document: NewDocument,
    doc_id: int,
    events: list[NewEventKey],
    owners: dict[str, int],
    duplicates: list[DuplicateEvent],
) -> set[str]:
    """Idempotency keys of the document's deliveries whose every business event was seen."""
    repeated = set()
    for e in events:
        first = owners.get(e.key, doc_id)
        if first != doc_id:
            repeated.add(e.key)
            duplicates.append(DuplicateEvent(e.key, doc_id, first))
    if not repeated:
        return set()
    every = [o.idempotency_key for o in document.deliveries]
    carriers: dict[str, list[str]] = {}
    for e in events:
        for key in e.delivery_keys or every:
            carriers.setdefault(key, []).append(e.key)
    return {key for key, carried in carriers.items() if all(k in repeated for k in carried)}


def duplicate_event_rows(
    duplicates: Sequence[DuplicateEvent],
    now: datetime,
    message_id: int | None,
    interchange_id: int | None,
) -> list[dict[str, Any]]:
    events = [
        NewEvent(
            "duplicate_business_event",
            {
                "event_key": d.event_key,
                "document_id": d.document_id,
                "first_document_id": d.first_document_id,
            },
        )
        for d in duplicates
    ]
    return event_rows(events, now, message_id, interchange_id=interchange_id)


def _insert_waits(
    conn: Connection, pairs: Sequence[tuple[NewDocument, int]], now: datetime
) -> None:
    waiting = [(d, doc_id) for d, doc_id in pairs if d.wait_for]
    if not waiting:
        return
    bulk_insert(
        conn,
        wait_t,
        [
            {
                "document_id": doc_id,
                "state": WaitState.WAITING.value,
                "reason": d.wait_reason,
                "since": now,
                "released_at": None,
            }
            for d, doc_id in waiting
        ],
    )
    bulk_insert(
        conn,
        wait_key_t,
        [
            {"document_id": doc_id, "value": value}
            for d, doc_id in waiting
            for value in dict.fromkeys(d.wait_for)
        ],
    )


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


def interchange_row(
    ic: NewInterchange, message_id: int | None, outcome: str, now: datetime
) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "partner_id": ic.partner_id,
        "direction": ic.direction.value,
        "sender_qualifier": ic.sender_qualifier,
        "sender_id": ic.sender_id,
        "receiver_qualifier": ic.receiver_qualifier,
        "receiver_id": ic.receiver_id,
        "control_number": ic.control_number,
        "version": ic.version,
        "usage": ic.usage,
        "ta1_status": ic.ta1_status,
        "outcome": outcome,
        "created_at": now,
    }


def group_row(g: NewGroup, interchange_id: int, direction: str) -> dict[str, Any]:
    return {
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


SET_KEYS = ("group_id", "set_id", "control_number", "outcome", "errors", "segment_count")


def set_values(s: NewSet, group_id: int) -> tuple[Any, ...]:
    """A transaction set row as a tuple in the order of SET_KEYS (the streaming hot path)."""
    errors = [dict(e) for e in s.errors] if s.errors else None
    return (group_id, s.set_id, s.control_number, s.outcome, errors, s.segment_count)


def set_row(s: NewSet, group_id: int) -> dict[str, Any]:
    return dict(zip(SET_KEYS, set_values(s, group_id), strict=True))


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
    interchange_id = insert_returning_ids(
        conn, interchange_t, [interchange_row(ic, message_id, ic.outcome, now)]
    )[0]
    group_ids = insert_returning_ids(
        conn, group_t, [group_row(g, interchange_id, ic.direction.value) for g in ic.groups]
    )
    sets = [(s, gid) for g, gid in zip(ic.groups, group_ids, strict=True) for s in g.sets]
    set_ids = insert_returning_ids(conn, set_t, [set_row(s, gid) for s, gid in sets])
    docs = [(d, sid) for (s, _), sid in zip(sets, set_ids, strict=True) for d in s.documents]
    written = insert_documents(conn, docs, message_id, now)
    deliveries = written.deliveries
    deliveries.extend((o, None) for o in outbox)
    key_ids, outbox_ids, skipped = insert_outbox(conn, deliveries, now, message_id)
    applied = (
        _prepared.run(
            conn,
            "interchange_statuses",
            _status.interchange_statuses,
            interchange_id=interchange_id,
            now=now,
        ).rowcount
        if any(d.shipment_status is not None for d, _ in docs)
        else 0
    )

    ack_rows = [ack_row(a, now, key_ids, interchange_id, None) for a in ic.acks]
    ack_rows.extend(
        ack_row(a, now, key_ids, interchange_id, gid)
        for g, gid in zip(ic.groups, group_ids, strict=True)
        for a in g.acks
    )
    ack_ids = insert_returning_ids(conn, ack_t, ack_rows)
    all_events = event_rows(events, now, message_id, interchange_id=interchange_id)
    all_events.extend(duplicate_event_rows(written.duplicates, now, message_id, interchange_id))
    event_ids = insert_returning_ids(conn, event_t, all_events)
    if message_id is not None and message_status is not None:
        set_message_status(conn, message_id, message_status)
    return BatchIds(
        interchange_id=interchange_id,
        group_ids=tuple(group_ids),
        set_ids=tuple(set_ids),
        document_ids=tuple(written.ids),
        outbox_ids=tuple(outbox_ids),
        ack_ids=tuple(ack_ids),
        event_ids=tuple(event_ids),
        skipped_outbox_keys=tuple(skipped),
        duplicate_events=tuple(written.duplicates),
        dropped_outbox_keys=tuple(written.dropped_keys),
        applied_statuses=applied,
    )


def _insert_one_outbox(
    conn: Connection,
    item: NewOutbox,
    document_id: int | None,
    now: datetime,
    source_message_id: int | None,
    status: OutboxStatus,
    repeated: list[str],
) -> tuple[dict[str, int], list[int], list[str]]:
    """`insert_outbox` of one row (a 997, a delivery): one INSERT ... ON CONFLICT DO NOTHING
    RETURNING id instead of reserving its id first (two statements). The id comes from the
    same place as a reserved one (SQLite: max(id) + 1 under the writer lock; PostgreSQL: the
    column's sequence). No row back: its key was there before, and the row is skipped."""
    key = item.idempotency_key
    inserted = _prepared.run(
        conn,
        "insert_one_outbox",
        _one_outbox,
        destination=item.destination,
        channel=item.channel,
        kind=item.kind,
        payload=item.payload,
        payload_path=item.payload_path,
        idempotency_key=key,
        status=status.value,
        attempts=0,
        next_attempt_at=item.next_attempt_at or now,
        created_at=now,
        source_message_id=source_message_id,
        document_id=document_id,
    ).first()
    if inserted is not None:
        return {key: inserted[0]}, [inserted[0]], repeated
    present = existing_outbox_ids(conn, [key])
    if key not in present:  # a row left out for another reason than its key
        raise StoreConflictError("write rejected by a constraint: outbox row refused")
    return present, [], [key] * (1 + len(repeated))


def _one_outbox(dialect: str) -> Any:
    statement = _DIALECT_INSERT[dialect](outbox_t).values(
        {key: bindparam(key, type_=outbox_t.c[key].type) for key in _OUTBOX_KEYS}
    )
    return statement.on_conflict_do_nothing().returning(outbox_t.c.id)
