"""Outbox work queue: claim under a lease, complete or fail fenced by the lease token.

One code path for both dialects: the claim is `WITH picked AS (SELECT id ... FOR UPDATE SKIP
LOCKED LIMIT n) UPDATE ... RETURNING`; SQLite drops the FOR UPDATE clause and relies on its single
writer (BEGIN IMMEDIATE) for the same guarantee.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Integer, Row, bindparam, func, select, update

from gateway.store import _prepared
from gateway.store._batch import event_rows, insert_rows
from gateway.store.records import NewEvent, OutboxId, OutboxRow, OutboxStatus
from gateway.store.schema import event_t, outbox_t

MAX_ERROR_CHARS = 4000

_PENDING = OutboxStatus.PENDING.value
_IN_FLIGHT = OutboxStatus.IN_FLIGHT.value
_NO_ID_ABOVE = 2**63 - 1  # no row waits: the whole run picked is taken


def to_outbox_row(row: Row[Any]) -> OutboxRow:
    return outbox_row_from(row._mapping)


def outbox_row_from(m: Mapping[Any, Any]) -> OutboxRow:
    return OutboxRow(
        id=OutboxId(m["id"]),
        destination=m["destination"],
        channel=m["channel"],
        kind=m["kind"],
        idempotency_key=m["idempotency_key"],
        payload=m["payload"],
        payload_path=m["payload_path"],
        status=OutboxStatus(m["status"]),
        attempts=m["attempts"],
        next_attempt_at=m["next_attempt_at"],
        last_error=m["last_error"],
        lease_token=m["lease_token"],
        lease_until=m["lease_until"],
        created_at=m["created_at"],
        delivered_at=m["delivered_at"],
        source_message_id=m["source_message_id"],
        document_id=m["document_id"],
    )


def claim(
    conn: Connection,
    *,
    limit: int,
    lease_seconds: float,
    now: datetime,
    channel: str | None,
    destination: str | None,
) -> list[OutboxRow]:
    shape = (channel is not None, destination is not None)
    params: dict[str, Any] = {
        "b_now": now,
        "b_limit": limit,
        "b_token": uuid.uuid4().hex,
        "b_until": now + timedelta(seconds=lease_seconds),
    }
    if channel is not None:
        params["b_channel"] = channel
    if destination is not None:
        params["b_destination"] = destination
    # built and compiled once per shape (a delivery round runs up to 8 claims; building and
    # keying this nested statement cost SQLAlchemy more than running it)
    found = _prepared.rows(conn, f"outbox_claim:{shape}", _claim_builder(*shape), **params)
    rows = [outbox_row_from(r) for r in found]
    if destination is not None:
        rows.sort(key=lambda r: r.id)
    else:
        rows.sort(key=lambda r: (r.next_attempt_at, r.id))
    return rows


@cache
def _claim_builder(by_channel: bool, by_destination: bool) -> Callable[[str], Any]:
    """The claim's build function for `_prepared` (one per shape, like its plan)."""
    return lambda _dialect: _build_claim(by_channel, by_destination)


def _build_claim(by_channel: bool, by_destination: bool) -> Any:
    o = outbox_t.c
    now = bindparam("b_now", type_=o.next_attempt_at.type)
    due = ((o.status == _PENDING) & (o.next_attempt_at <= now)) | (
        (o.status == _IN_FLIGHT) & (o.lease_until < now)  # a crashed or stalled worker's job
    )
    pick = select(o.id).where(due)
    if by_channel:
        pick = pick.where(o.channel == bindparam("b_channel", type_=o.channel.type))
    destination = bindparam("b_destination", type_=o.destination.type)
    if by_destination:
        pick = pick.where(o.destination == destination)
    # one destination: the order the rows were made (for X12, control number order: its rows
    # are written after the numbers, under the counter's lock); else the oldest due first
    order = (o.id,) if by_destination else (o.next_attempt_at, o.id)
    picked = (
        pick.order_by(*order)
        .limit(bindparam("b_limit", type_=Integer()))
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    chosen: Any = select(picked.c.id)
    if by_destination:
        # A destination gets its rows in the order they were made, so a claim takes only the
        # run of rows before the first one it cannot take: one another transaction holds for a
        # moment (SKIP LOCKED passed it: a lease being extended or completed as it ran out), or
        # one not yet due. `next_attempt_at` does not follow `id`: a row is stamped with its
        # message's processing time, and a message begun earlier by another worker may commit
        # its row later (a higher id, an earlier time), so a claim whose clock falls between
        # the two would take the later row and leave the earlier one. A row waiting out its
        # backoff holds back the rows after it for the same reason: they go out after it.
        waiting = (o.destination == destination) & (
            (o.status == _PENDING) | (o.status == _IN_FLIGHT)
        )
        held = (
            select(o.id)
            .where(waiting & o.id.not_in(select(picked.c.id)))
            .order_by(o.id)
            .limit(1)
            .scalar_subquery()
        )
        chosen = select(picked.c.id).where(picked.c.id < func.coalesce(held, _NO_ID_ABOVE))
    return (
        update(outbox_t)
        .where(o.id.in_(chosen))
        .values(
            status=_IN_FLIGHT,
            lease_token=bindparam("b_token", type_=o.lease_token.type),
            lease_until=bindparam("b_until", type_=o.lease_until.type),
            attempts=o.attempts + 1,
        )
        .returning(*outbox_t.c)
    )


def _fenced(outbox_id: int, lease_token: str) -> Any:
    o = outbox_t.c
    return (o.id == outbox_id) & (o.lease_token == lease_token) & (o.status == _IN_FLIGHT)


def extend_lease(
    conn: Connection, outbox_id: int, lease_token: str, lease_seconds: float, now: datetime
) -> bool:
    stmt = (
        update(outbox_t)
        .where(_fenced(outbox_id, lease_token))
        .values(lease_until=now + timedelta(seconds=lease_seconds))
    )
    return conn.execute(stmt).rowcount == 1


def extend_leases(
    conn: Connection,
    outbox_ids: Sequence[int],
    lease_token: str,
    lease_seconds: float,
    now: datetime,
) -> int:
    """Push out the lease of a claim's rows still held by `lease_token`; returns how many."""
    o = outbox_t.c
    stmt = (
        update(outbox_t)
        .where(o.id.in_(outbox_ids) & (o.lease_token == lease_token) & (o.status == _IN_FLIGHT))
        .values(lease_until=now + timedelta(seconds=lease_seconds))
    )
    return conn.execute(stmt).rowcount


def complete(
    conn: Connection, outbox_id: int, lease_token: str, now: datetime, detail: NewEvent | None
) -> bool:
    stmt = (
        update(outbox_t)
        .where(_fenced(outbox_id, lease_token))
        .values(
            status=OutboxStatus.DELIVERED.value,
            delivered_at=now,
            lease_token=None,
            lease_until=None,
            last_error=None,
        )
        .returning(outbox_t.c.source_message_id)
    )
    row = conn.execute(stmt).first()
    if row is None:
        return False
    event = detail or NewEvent("delivered")
    insert_rows(conn, event_t, event_rows([event], now, row[0], outbox_id))
    return True


_o = outbox_t.c


@cache
def _complete_many(count: int) -> Any:
    """Complete `count` rows of one lease (ids as b_id0.., scalar binds: prepared once)."""

    def build(dialect: str) -> Any:
        ids = [bindparam(f"b_id{i}", type_=Integer()) for i in range(count)]
        return (
            update(outbox_t)
            .where(
                _o.id.in_(ids)
                & (_o.lease_token == bindparam("b_token", type_=_o.lease_token.type))
                & (_o.status == _IN_FLIGHT)
            )
            .values(
                status=OutboxStatus.DELIVERED.value,
                delivered_at=bindparam("b_now", type_=_o.delivered_at.type),
                lease_token=None,
                lease_until=None,
                last_error=None,
            )
            .returning(_o.id, _o.source_message_id)
        )

    return build


def complete_many(
    conn: Connection, outbox_ids: Sequence[int], lease_token: str, now: datetime
) -> list[OutboxId]:
    ids = list(dict.fromkeys(outbox_ids))
    if not ids:
        return []
    # a power of two of slots, the last id repeated: ~10 statements serve any claim size
    slots = 1 << (len(ids) - 1).bit_length()
    params: dict[str, Any] = {f"b_id{i}": ids[min(i, len(ids) - 1)] for i in range(slots)}
    result = _prepared.run(
        conn,
        f"complete_many:{slots}",
        _complete_many(slots),
        b_token=lease_token,
        b_now=now,
        **params,
    )
    done = sorted((r[0], r[1]) for r in result.all())
    events = [
        event_rows([NewEvent("delivered")], now, message_id, outbox_id)[0]
        for outbox_id, message_id in done
    ]
    if events:
        insert_rows(conn, event_t, events)
    return [OutboxId(outbox_id) for outbox_id, _ in done]


def fail(
    conn: Connection,
    outbox_id: int,
    lease_token: str,
    error: str,
    next_attempt_at: datetime,
    dead: bool,
    now: datetime,
) -> bool:
    status = OutboxStatus.DEAD if dead else OutboxStatus.PENDING
    message = error[:MAX_ERROR_CHARS]
    stmt = (
        update(outbox_t)
        .where(_fenced(outbox_id, lease_token))
        .values(
            status=status.value,
            last_error=message,
            next_attempt_at=next_attempt_at,
            lease_token=None,
            lease_until=None,
        )
        .returning(outbox_t.c.source_message_id, outbox_t.c.attempts)
    )
    row = conn.execute(stmt).first()
    if row is None:
        return False
    kind = "dead_lettered" if dead else "delivery_failed"
    event = NewEvent(kind, {"error": message, "attempts": row[1]})
    insert_rows(conn, event_t, event_rows([event], now, row[0], outbox_id))
    return True


def replay(conn: Connection, outbox_id: int, now: datetime) -> bool:
    """Put a dead or delivered row back in the queue with a fresh attempt budget."""
    o = outbox_t.c
    stmt = (
        update(outbox_t)
        .where(
            (o.id == outbox_id)
            & o.status.in_([OutboxStatus.DEAD.value, OutboxStatus.DELIVERED.value])
        )
        .values(
            status=_PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_token=None,
            lease_until=None,
            delivered_at=None,
        )
        .returning(o.source_message_id)
    )
    row = conn.execute(stmt).first()
    if row is None:
        return False
    insert_rows(conn, event_t, event_rows([NewEvent("replayed")], now, row[0], outbox_id))
    return True
