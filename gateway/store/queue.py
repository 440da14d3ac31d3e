"""The work queue that lets several workers share one database (after procrastinate's design).

- Workers register and heartbeat (`queue_worker`); a worker whose heartbeat stops is pruned by
  the others and its leases are returned at once.
- Received messages are claimed for processing with `SELECT ... FOR UPDATE SKIP LOCKED` and a
  lease row (`queue_lease`) carrying a fresh token. While a worker processes under a lease
  (`holding(lease)`), EVERY write transaction of the store first renews that lease row by
  token (`check_lease`, called by `StoreBase._write`): the row lock serialises it against a
  re-claim, and a worker paused past its lease finds the token gone and gets LeaseLostError
  before anything it wrote commits. A message whose processing started `max_claims` times
  without finishing (its worker died each time) is set aside as failed instead of killing
  every worker in turn; claims of a dead worker it had not begun do not count, and each start
  after such a death waits longer (`crash_backoff`: its lease is longer).
- Deliveries are claimed one destination at a time, and a destination another worker is
  delivering to is skipped, so each partner receives its files in the order they were made
  whatever the number of workers.
- Periodic jobs run once per slot across all workers (`run_once_per_slot`).

SQLite has one writer (one process; its threads queue on a lock in `StoreBase`), so the same
statements run there without the row locks.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store import _prepared
from gateway.store.errors import StoreUnavailableError
from gateway.store.records import MessageStatus, NewEvent, OutboxRow, OutboxStatus
from gateway.store.schema import (
    event_t,
    outbox_t,
    queue_lease_t,
    queue_slot_t,
    queue_worker_t,
    received_message_t,
)

if TYPE_CHECKING:
    from gateway.store.store import Store

# Starts before a message is set aside as poison. A start cannot tell a message that kills its
# worker from a worker killed from outside: in the 20,000-message soak (a SIGKILL every 5 s, four
# processes; BENCHMARKS.md section 8) 3 set aside 2 innocent messages, each killed three times.
# Each further start multiplies that chance by the share of time a worker spends on one message.
DEFAULT_MAX_CLAIMS = 5
# A message begun before and never finished gets a longer lease on its next claim, so should
# that worker die too it comes back later: its starts spread over about a minute instead of
# following each other at the lease's pace. In the soak, kills every 5 s against a 4 s lease let
# a message re-claimed at its lease's end meet the next kill again and again (BENCHMARKS.md
# section 8); a message that truly kills its worker is still set aside within ~1 minute.
CRASH_BACKOFF_CAP = 30.0


def crash_backoff(starts: int) -> float:
    """Seconds added to the lease of a message whose processing started `starts` times before
    this claim without finishing (each start was a worker's death): 2, 4, 8, 16, then 30."""
    return 0.0 if starts <= 0 else min(2.0**starts, CRASH_BACKOFF_CAP)


# Any constant shared by all workers: serialises delivery claims (a few ms each) on PostgreSQL.
_DELIVERY_CLAIM_LOCK = 0x6761_7465_7761_79  # "gateway"

_l = queue_lease_t.c
_w = queue_worker_t.c
_m = received_message_t.c
_o = outbox_t.c


class LeaseLostError(Exception):
    """The message's lease was taken by another worker (this one was paused or too slow):
    nothing this worker was writing for it committed, and it must let the message go."""


@dataclass(frozen=True, slots=True)
class Lease:
    message_id: int
    token: str
    claims: int  # starts counted before this claim
    lease_seconds: float
    begun: bool = False  # this start was counted by the claim itself (`claim_messages(begin=)`)


_CURRENT: ContextVar[Lease | None] = ContextVar("gateway_queue_lease", default=None)


@contextmanager
def holding(lease: Lease) -> Iterator[None]:
    """Fence every store write of this thread by `lease` until the block ends."""
    reset = _CURRENT.set(lease)
    try:
        yield
    finally:
        _CURRENT.reset(reset)


def current_lease() -> Lease | None:
    """The lease this thread's writes are fenced by (`holding`), if any."""
    return _CURRENT.get()


def check_lease(conn: Connection) -> None:
    """Called at the start of every write transaction: renew the current lease or refuse."""
    lease = _CURRENT.get()
    if lease is None:
        return
    until = datetime.now(UTC) + timedelta(seconds=lease.lease_seconds)
    renewed = _prepared.run(
        conn,
        "renew_lease",
        _renew,
        message_id=lease.message_id,
        token=lease.token,
        until=until,
    ).rowcount
    if renewed != 1:
        raise LeaseLostError(
            f"message {lease.message_id}: lease lost to another worker; this worker lets it go"
        )


def _renew(dialect: str) -> Any:
    """Renew one lease, if its token is still this worker's (run once per message written)."""
    return (
        update(queue_lease_t)
        .where((_l.message_id == bindparam("message_id")) & (_l.token == bindparam("token")))
        .values(lease_until=bindparam("until", type_=queue_lease_t.c.lease_until.type))
    )


def _insert(conn: Connection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


def _claim_leases(rows: int, *, count_starts: bool) -> Any:
    """The claim's upsert of `rows` leases (parameters m<n>, u<n>, c<n> per row; worker, token,
    now), built once per row count and dialect by `_prepared`: a multi-row insert has no
    SQLAlchemy cache key, so built per claim it was compiled again each time (7.7 ms for 64
    rows on SQLite here; BENCHMARKS.md, "Seventh pass")."""

    def build(dialect: str) -> Any:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        until_type = queue_lease_t.c.lease_until.type
        ins = insert(queue_lease_t).values(
            [
                {
                    "message_id": bindparam(f"m{n}", type_=queue_lease_t.c.message_id.type),
                    "worker_id": bindparam("worker", type_=queue_lease_t.c.worker_id.type),
                    "token": bindparam("token", type_=queue_lease_t.c.token.type),
                    "lease_until": bindparam(f"u{n}", type_=until_type),
                    "claims": bindparam(f"c{n}", type_=queue_lease_t.c.claims.type),
                }
                for n in range(rows)
            ]
        )
        set_: dict[str, Any] = {
            "worker_id": ins.excluded.worker_id,
            "token": ins.excluded.token,
            "lease_until": ins.excluded.lease_until,
        }
        if count_starts:
            set_["claims"] = _l.claims + ins.excluded.claims
        return ins.on_conflict_do_update(
            index_elements=[_l.message_id],
            set_=set_,
            where=_l.lease_until < bindparam("now", type_=until_type),
        ).returning(_l.message_id, _l.claims)

    return build


def _within(rows: list[Any], max_bytes: int) -> list[Any]:
    """The leading rows whose sizes (last column) add up to at most `max_bytes`; the first
    row always."""
    total = 0
    for n, row in enumerate(rows):
        total += row[-1] or 0
        if n and total > max_bytes:
            return rows[:n]
    return rows


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class WorkQueue:
    """One worker's handle on the queue tables (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        *,
        lease_seconds: float = 60.0,
        max_claims: int = DEFAULT_MAX_CLAIMS,
        name: str | None = None,
    ) -> None:
        self.store = store
        self.lease_seconds = lease_seconds
        self.max_claims = max_claims
        self.worker_id = uuid.uuid4().hex
        self.name = name or worker_name()
        # leases in this worker's hands: only these are extended by the heartbeat, so a
        # lease given up while the database was unreachable still expires
        self.held: dict[int, str] = {}
        # seconds added to the lease of held messages begun before (`crash_backoff`)
        self.backoff: dict[int, float] = {}

    @property
    def postgres(self) -> bool:
        return self.store.dialect == "postgresql"

    # ------------------------------------------------------------ workers

    def register(self) -> None:
        now = self.store._now(None)
        with self.store._write() as conn:
            if not self.postgres:
                # one process per SQLite file (the lock beside it): other processes' workers
                # are dead, and their leases come back at once
                gone = select(_w.id).where(_w.name != self.name)
                conn.execute(
                    update(queue_lease_t)
                    .where(_l.worker_id.in_(gone.scalar_subquery()))
                    .values(lease_until=now - timedelta(seconds=1))
                )
                conn.execute(delete(queue_worker_t).where(_w.name != self.name))
            conn.execute(
                queue_worker_t.insert().values(
                    id=self.worker_id, name=self.name, started_at=now, last_heartbeat=now
                )
            )

    def heartbeat(self) -> int:
        """Say this worker lives and extend its leases; returns dead workers pruned."""
        now = self.store._now(None)
        with self.store._write() as conn:
            alive = conn.execute(
                update(queue_worker_t).where(_w.id == self.worker_id).values(last_heartbeat=now)
            ).rowcount
            if not alive:  # pruned while paused: its leases were returned; start afresh
                conn.execute(
                    queue_worker_t.insert().values(
                        id=self.worker_id, name=self.name, started_at=now, last_heartbeat=now
                    )
                )
            by_extra: dict[float, list[tuple[int, str]]] = {}
            for message_id, token in self.held.items():
                extra = self.backoff.get(message_id, 0.0)
                by_extra.setdefault(extra, []).append((message_id, token))
            for extra, held in by_extra.items():  # one statement, but after crashes
                mine = select(_l.message_id).where(
                    (_l.worker_id == self.worker_id)
                    & _l.message_id.in_([m for m, _ in held])
                    & _l.token.in_({t for _, t in held})
                )
                if self.postgres:  # a lease row a processing write holds renews itself
                    mine = mine.with_for_update(skip_locked=True)
                until = now + timedelta(seconds=self.lease_seconds + extra)
                conn.execute(
                    update(queue_lease_t)
                    .where(_l.message_id.in_(mine.scalar_subquery()))
                    .values(lease_until=until)
                )
            return self._prune(conn, now)

    def _prune(self, conn: Connection, now: datetime) -> int:
        """Workers silent for two leases are dead: return their leases at once. Lease rows of
        messages finished by a worker that died before dropping them go too."""
        finished = select(_m.id).where(_m.status != MessageStatus.RECEIVED.value)
        conn.execute(
            delete(queue_lease_t).where(
                (_l.lease_until < now) & _l.message_id.in_(finished.scalar_subquery())
            )
        )
        stale = now - timedelta(seconds=2 * self.lease_seconds)
        dead = [
            r[0]
            for r in conn.execute(
                select(_w.id).where((_w.last_heartbeat < stale) & (_w.id != self.worker_id))
            )
        ]
        if not dead:
            return 0
        conn.execute(
            update(queue_lease_t)
            .where(_l.worker_id.in_(dead) & (_l.lease_until >= now))
            .values(lease_until=now - timedelta(seconds=1))
        )
        conn.execute(delete(queue_worker_t).where(_w.id.in_(dead)))
        return len(dead)

    def unregister(self) -> None:
        """A clean stop: this worker's leases go back at once (not counted as a crash)."""
        now = self.store._now(None)
        with self.store._write() as conn:
            conn.execute(
                update(queue_lease_t)
                .where((_l.worker_id == self.worker_id) & (_l.lease_until >= now))
                .values(worker_id="", lease_until=now - timedelta(seconds=1))
            )
            conn.execute(delete(queue_worker_t).where(_w.id == self.worker_id))

    def workers(self) -> list[tuple[str, str, datetime]]:
        """(id, name, last heartbeat) of the registered workers."""
        with self.store._read() as conn:
            rows = conn.execute(select(_w.id, _w.name, _w.last_heartbeat).order_by(_w.started_at))
            return [(r[0], r[1], r[2]) for r in rows]

    # ------------------------------------------------------------ messages

    def claim_messages(
        self, limit: int, *, begin: bool = False, max_bytes: int | None = None
    ) -> list[Lease]:
        """Lease up to `limit` received messages nobody holds (or whose lease expired), and
        no more than `max_bytes` of them in all (the first one whatever its size): a claim of
        large files leaves the next ones to other workers.

        begin=True counts the start of every message never begun before in the claim's own
        commit (`Lease.begun`: no `begin` commit per message; such messages may be processed
        together in one transaction). A message begun before and not finished (its worker
        died, perhaps because of it) is not counted here: it is for `begin` and processing
        alone, so a poison message is counted by its own starts and set aside alone."""
        for attempt in range(3):
            try:
                return self._claim_messages_once(limit, begin, max_bytes)
            except StoreUnavailableError as exc:
                # PostgreSQL picks one of two racing claimers as a deadlock victim and rolls
                # its transaction back: nothing was claimed, so claiming again is safe
                if "deadlock detected" not in str(exc) or attempt == 2:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return []

    def _claim_messages_once(self, limit: int, begin: bool, max_bytes: int | None) -> list[Lease]:
        now = self.store._now(None)
        until = now + timedelta(seconds=self.lease_seconds)
        with self.store._write() as conn:
            found = list(
                _prepared.run(conn, "claim_pick", _claim_pick, b_now=now, b_limit=limit).all()
            )
            if not found:
                return []
            if max_bytes is not None:
                found = _within(found, max_bytes)  # the rest's row locks go at the commit
            fresh = [r[0] for r in found if r[1] is None]
            expired = [r[0] for r in found if r[1] is not None]
            if fresh and self.postgres:
                # The pick's join read the leases as of its start, its row lock came later:
                # a claim committed in between leased the message (its claimer held that row
                # lock until then). Upserting that lease would wait on its row, which the new
                # holder locks first in every write (`check_lease`) before the message row this
                # claim holds: a deadlock. Read the leases again now, without locking, and
                # leave those messages; none can be leased after this while the row is ours.
                slots, slot_values = _in_slots("m", fresh)
                leased = _prepared.run(conn, f"leased:{slots}", _leased(slots), **slot_values)
                taken = set(leased.scalars())
                fresh = [i for i in fresh if i not in taken]
            if expired and self.postgres:
                # a paused worker's open transaction may still lock its lease row: skip it
                lockable = (
                    select(_l.message_id)
                    .where(_l.message_id.in_(expired) & (_l.lease_until < now))
                    .with_for_update(skip_locked=True)
                )
                expired = [r[0] for r in conn.execute(lockable)]
            ids = sorted(fresh + expired)
            if not ids:
                return []
            before = {r[0]: r[2] or 0 for r in found}  # starts counted so far
            token = uuid.uuid4().hex
            begun = {i for i in ids if begin and before[i] == 0}  # never begun: counted now
            extra = {i: crash_backoff(before[i]) for i in ids}
            params: dict[str, Any] = {"worker": self.worker_id, "token": token, "now": now}
            for n, i in enumerate(ids):
                params[f"m{n}"] = i
                params[f"u{n}"] = until + timedelta(seconds=extra[i])
                params[f"c{n}"] = 1 if i in begun else 0
            # an expired lease never begun: its start is counted now (`count_starts`)
            key = f"claim_leases:{len(ids)}:{bool(begun)}"
            upsert = _claim_leases(len(ids), count_starts=bool(begun))
            result = _prepared.run(conn, key, upsert, **params)
            claimed = sorted((r[0], r[1]) for r in result.all())
            leases: list[Lease] = []
            for message_id, counted in claimed:
                claims = counted - 1 if message_id in begun else counted  # before this claim
                if claims >= self.max_claims:
                    self._set_aside(conn, message_id, claims, now)
                else:
                    leases.append(
                        Lease(
                            message_id,
                            token,
                            claims,
                            self.lease_seconds + extra[message_id],
                            begun=message_id in begun,
                        )
                    )
        self.held.update((lease.message_id, lease.token) for lease in leases)
        self.backoff.update(
            (lease.message_id, extra[lease.message_id])
            for lease in leases
            if extra[lease.message_id]
        )
        return leases

    def _set_aside(self, conn: Connection, message_id: int, claims: int, now: datetime) -> None:
        """Fail the message; what an unfinished interchange of it wrote goes too (held rows
        that would otherwise wait until a replay, shown as held deliveries meanwhile)."""
        from gateway.store import _batch, _stream

        _stream.discard_unfinished(conn, message_id, now)

        reason = (
            f"set aside: its processing started {claims} times and never finished "
            "(a worker crashed or was killed each time); `gateway replay` after a fix"
        )
        _batch.set_message_status(conn, message_id, MessageStatus.FAILED, reason, None)
        conn.execute(delete(queue_lease_t).where(_l.message_id == message_id))
        event = NewEvent("set_aside", {"reason": reason, "starts": claims})
        _batch.insert_rows(conn, event_t, _batch.event_rows([event], now, message_id))

    def begin(self, lease: Lease) -> None:
        """Count a start of this message's processing (its own commit, before any work: a
        message that kills its worker while parsing is counted too). Only starts count
        towards `max_claims`: messages a dead worker had claimed but not begun do not.
        A lease whose start its claim counted (`begun`) is only checked."""
        with self.store._write() as conn:
            started = conn.execute(
                update(queue_lease_t)
                .where((_l.message_id == lease.message_id) & (_l.token == lease.token))
                .values(claims=_l.claims + (0 if lease.begun else 1))
            ).rowcount
        if started != 1:
            raise LeaseLostError(
                f"message {lease.message_id}: lease lost to another worker before it began"
            )

    def done(self, *leases: Lease) -> None:
        """These messages' processing ended (whatever their status): drop their lease rows,
        in one transaction (a claim's worth at a time: one commit, not one per message).
        A row left by a crash before this is inert: only received messages are claimed."""
        if not leases:
            return
        for lease in leases:
            self.held.pop(lease.message_id, None)
            self.backoff.pop(lease.message_id, None)
        id_slots, params = _in_slots("m", list(dict.fromkeys(x.message_id for x in leases)))
        token_slots, tokens = _in_slots("t", list(dict.fromkeys(x.token for x in leases)))
        params.update(tokens)
        with self.store._write() as conn:
            _prepared.run(
                conn,
                f"drop_leases:{id_slots}:{token_slots}",
                _drop_leases(id_slots, token_slots),
                **params,
            )

    def release(self, leases: list[Lease]) -> None:
        """Give back leases not worked on (a stop): claimable at once, not counted as a crash."""
        for lease in leases:
            self.held.pop(lease.message_id, None)
            self.backoff.pop(lease.message_id, None)
        if not leases:
            return
        now = self.store._now(None)
        with self.store._write() as conn:
            for lease in leases:
                conn.execute(
                    update(queue_lease_t)
                    .where((_l.message_id == lease.message_id) & (_l.token == lease.token))
                    .values(worker_id="", lease_until=now - timedelta(seconds=1))
                )

    # ------------------------------------------------------------ deliveries

    def claim_deliveries(self, limit: int, now: datetime | None = None) -> list[OutboxRow]:
        """Lease up to `limit` due deliveries of ONE destination no other worker delivers to."""
        return claim_deliveries(self.store, limit, self.lease_seconds, now)

    # ------------------------------------------------------------ periodic jobs

    def run_once_per_slot(
        self, name: str, every_seconds: float, now: datetime | None = None
    ) -> bool:
        """True for exactly one caller per `every_seconds` slot across all workers."""
        at = self.store._now(now)
        slot = int(at.timestamp() // every_seconds)
        with self.store._write() as conn:
            ins = _insert(conn)(queue_slot_t).values(
                name=name, last_slot=slot, ran_at=at, worker_id=self.worker_id
            )
            stmt = ins.on_conflict_do_update(
                index_elements=[queue_slot_t.c.name],
                set_={
                    "last_slot": ins.excluded.last_slot,
                    "ran_at": ins.excluded.ran_at,
                    "worker_id": ins.excluded.worker_id,
                },
                where=queue_slot_t.c.last_slot < slot,
            ).returning(queue_slot_t.c.name)
            return conn.execute(stmt).first() is not None


_IN_FLIGHT = OutboxStatus.IN_FLIGHT.value
_PENDING = OutboxStatus.PENDING.value


def claim_deliveries(
    store: Store,
    limit: int,
    lease_seconds: float,
    now: datetime | None = None,
    *,
    destinations: int = 1,
) -> list[OutboxRow]:
    """Lease up to `limit` due deliveries of one destination that no live lease is sending to;
    with `destinations` > 1, of up to that many such destinations (the oldest due first), in
    the same transaction and still `limit` rows in all (a round takes no longer than before
    to send, within its leases): one delivery round then serves a burst's 997s, IDocs and
    portal files together instead of one destination per round. Each destination's rows carry
    their own lease token and come in id order.

    On PostgreSQL the claim runs under a transaction-scoped advisory lock, so two workers
    never pick the same destination; the rows themselves are still taken FOR UPDATE SKIP LOCKED.
    """
    from gateway.store import _outbox

    at = store._now(now)
    with store._write() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _DELIVERY_CLAIM_LOCK})
        rows: list[OutboxRow] = []
        chosen: list[str] = []
        while len(chosen) < destinations and len(rows) < limit:
            # built once per number of destinations already chosen (a round runs up to 8)
            params = {f"b_chosen{i}": d for i, d in enumerate(chosen)}
            destination = _prepared.run(
                conn,
                f"first_destination:{len(chosen)}",
                _first_destination(len(chosen)),
                b_at=at,
                **params,
            ).scalar()
            if destination is None:
                break
            chosen.append(destination)
            rows.extend(
                _outbox.claim(
                    conn,
                    limit=limit - len(rows),
                    lease_seconds=lease_seconds,
                    now=at,
                    channel=None,
                    destination=destination,
                )
            )
        return rows


def _claim_pick(dialect: str) -> Any:
    """Received messages nobody holds, or whose lease ran out (binds: b_now, b_limit)."""
    now = bindparam("b_now", type_=_l.lease_until.type)
    return (
        select(_m.id, _l.message_id, _l.claims, _m.size)
        .select_from(received_message_t.outerjoin(queue_lease_t, _l.message_id == _m.id))
        .where(
            (_m.status == MessageStatus.RECEIVED.value)
            & (_l.message_id.is_(None) | (_l.lease_until < now))
        )
        .order_by(_m.id)
        .limit(bindparam("b_limit", type_=Integer()))
        .with_for_update(of=received_message_t, skip_locked=True)
    )


def _in_slots(prefix: str, values: list[Any]) -> tuple[int, dict[str, Any]]:
    """`values` (at least one) as the parameters <prefix>0.. of an IN list of a power of two
    of slots, the last value repeated: a few prepared statements serve every count."""
    slots = 1 << (len(values) - 1).bit_length()
    last = len(values) - 1
    return slots, {f"{prefix}{i}": values[min(i, last)] for i in range(slots)}


@cache
def _leased(ids: int) -> Any:
    """Which of the messages m0.. have a lease row: a PostgreSQL claim's second look."""

    def build(dialect: str) -> Any:
        return select(_l.message_id).where(
            _l.message_id.in_([bindparam(f"m{i}", type_=Integer()) for i in range(ids)])
        )

    return build


@cache
def _drop_leases(ids: int, tokens: int) -> Any:
    """Delete the lease rows of messages m0.. held under one of the tokens t0.."""

    def build(dialect: str) -> Any:
        return delete(queue_lease_t).where(
            _l.message_id.in_([bindparam(f"m{i}", type_=Integer()) for i in range(ids)])
            & _l.token.in_([bindparam(f"t{i}", type_=_l.token.type) for i in range(tokens)])
        )

    return build


@cache
def _first_destination(chosen: int) -> Any:
    """The statement that picks a claim's next destination, given `chosen` already taken."""

    def build(dialect: str) -> Any:
        at = bindparam("b_at", type_=_o.lease_until.type)
        busy = (
            select(_o.destination)
            .where((_o.status == _IN_FLIGHT) & (_o.lease_until >= at))
            .distinct()
        )
        due = ((_o.status == _PENDING) & (_o.next_attempt_at <= at)) | (
            (_o.status == _IN_FLIGHT) & (_o.lease_until < at)
        )
        # only a destination whose first waiting row is due: the rows after a row that waits
        # out its backoff wait too (`_outbox.claim`), and must not hide other destinations
        # (one pass over the waiting rows, grouped: a subquery per candidate row would read the
        # backlog once per row it looks at)
        heads = (
            select(func.min(_o.id).label("id"))
            .where((_o.status == _PENDING) | (_o.status == _IN_FLIGHT))
            .group_by(_o.destination)
            .subquery("heads")
        )
        first = (
            select(_o.destination)
            .join(heads, heads.c.id == _o.id)
            .where(due & _o.destination.not_in(busy))
            .order_by(_o.next_attempt_at, _o.id)
            .limit(1)
        )
        if chosen:  # already claimed in this round
            taken = [bindparam(f"b_chosen{i}", type_=_o.destination.type) for i in range(chosen)]
            first = first.where(_o.destination.not_in(taken))
        return first

    return build


def release_deliveries(store: Store, ids: list[int], lease_token: str) -> int:
    """Return claimed rows not sent (a stop mid-batch) to the queue at once; the attempt the
    claim counted is given back. Fenced by the claim's token."""
    if not ids:
        return 0
    with store._write() as conn:
        return conn.execute(
            update(outbox_t)
            .where(_o.id.in_(ids) & (_o.lease_token == lease_token) & (_o.status == _IN_FLIGHT))
            .values(
                status=_PENDING,
                lease_token=None,
                lease_until=None,
                attempts=func.max(_o.attempts - 1, 0)
                if conn.dialect.name == "sqlite"
                else func.greatest(_o.attempts - 1, 0),
            )
        ).rowcount
