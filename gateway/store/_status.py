"""Shipment status ordering: a shipment's status only ever moves to a later event.

One upsert per statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE stored <= new), so two
workers applying events of the same shipment in any order end at the latest one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, exists, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Select

from gateway.store.schema import (
    UtcDateTime,
    document_t,
    group_t,
    set_t,
    shipment_event_t,
    shipment_status_t,
)

_IN_CHUNK = 5000
_DIALECT_INSERT: dict[str, Callable[[Table], Any]] = {
    "sqlite": sqlite_insert,
    "postgresql": pg_insert,
}


def apply_document_statuses(conn: Connection, document_ids: Select[Any], now: datetime) -> int:
    """Move shipment statuses forward from the shipment events of `document_ids` (a SELECT of
    ids of documents that just took effect); returns how many shipments moved.

    Per shipment only the latest of those events is a candidate (PostgreSQL refuses to upsert
    one row twice in a statement); it replaces the stored status unless that one is later.
    """
    stmt = statuses_statement(conn.dialect.name, document_ids, literal(now, UtcDateTime()))
    # rowcount of an INSERT is only kept when asked for (PostgreSQL reports -1 otherwise)
    return conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def statuses_statement(dialect: str, document_ids: Select[Any], updated_at: Any) -> Any:
    """The upsert of `apply_document_statuses`, with `updated_at` as a SQL expression (a
    literal, or a bind parameter when the statement is prepared once)."""
    se = shipment_event_t.c
    later = shipment_event_t.alias("later")
    newest = select(
        se.shipment_key,
        se.event_time,
        se.status,
        se.document_id,
        updated_at.label("updated_at"),
    ).where(
        se.document_id.in_(document_ids),
        ~exists().where(
            (later.c.shipment_key == se.shipment_key)
            & later.c.document_id.in_(document_ids)
            & or_(
                later.c.event_time > se.event_time,
                and_(later.c.event_time == se.event_time, later.c.document_id > se.document_id),
            )
        ),
    )
    stmt = _DIALECT_INSERT[dialect](shipment_status_t).from_select(
        ["shipment_key", "event_time", "status", "document_id", "updated_at"], newest
    )
    return _forward_only(stmt)


def interchange_statuses(dialect: str) -> Any:
    """`statuses_statement` for the documents of the interchange `:interchange_id`, with
    `:now`: built once per dialect and run prepared (`_prepared.run`), for an interchange whose
    documents were written effective in this transaction. (Built per call, with the ids as an
    IN list, the statement cost more than the rest of a one-set interchange's writes.)"""
    groups = select(group_t.c.id).where(group_t.c.interchange_id == bindparam("interchange_id"))
    sets = select(set_t.c.id).where(set_t.c.group_id.in_(groups))
    documents = select(document_t.c.id).where(document_t.c.transaction_set_id.in_(sets))
    return statuses_statement(dialect, documents, bindparam("now", type_=UtcDateTime()))


def _forward_only(stmt: Any) -> Any:
    """ON CONFLICT: replace the shipment's status unless the stored event is later."""
    current = shipment_status_t.c
    return stmt.on_conflict_do_update(
        index_elements=["shipment_key"],
        set_={
            "event_time": stmt.excluded.event_time,
            "status": stmt.excluded.status,
            "document_id": stmt.excluded.document_id,
            "updated_at": stmt.excluded.updated_at,
        },
        where=current.event_time <= stmt.excluded.event_time,
    )


def upsert_status(conn: Connection) -> Any:
    """The single-shipment form of `apply_document_statuses`, RETURNING the key when applied."""
    stmt = _DIALECT_INSERT[conn.dialect.name](shipment_status_t)
    return _forward_only(stmt).returning(shipment_status_t.c.shipment_key)


def ids_select(ids: Sequence[int]) -> Select[Any]:
    """A SELECT of these document ids, for statements that take a set of documents."""
    return select(document_t.c.id).where(document_t.c.id.in_(list(ids)))


def apply_statuses_of(conn: Connection, document_ids: Sequence[int], now: datetime) -> int:
    """Apply the shipment statuses of effective documents just written, in id chunks (each
    chunk only moves statuses forward, so the order of chunks does not matter)."""
    applied = 0
    for start in range(0, len(document_ids), _IN_CHUNK):
        chunk = ids_select(document_ids[start : start + _IN_CHUNK])
        applied += apply_document_statuses(conn, chunk, now)
    return applied
