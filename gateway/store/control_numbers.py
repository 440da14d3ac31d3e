"""The one place that allocates X12 control numbers (ISA13, GS06, ST02), durably and gap-free.

Allocation runs in the caller's transaction under the counter's row lock (the UPDATE's row lock
on PostgreSQL; on SQLite the BEGIN IMMEDIATE write lock serialises), so a rollback also returns
the numbers: they are never reused and never skipped. After 999999999 the sequence wraps to 1.
One statement per allocation (`UPDATE ... RETURNING`); the row is created only the first time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Integer, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gateway.faults import crashpoint
from gateway.store import _prepared
from gateway.store.records import CounterKind, NewOutbox
from gateway.store.schema import counter_t

if TYPE_CHECKING:
    from gateway.store.store import Store

MAX_CONTROL_NUMBER = 999_999_999
_COUNTER = counter_t


def allocate_control_numbers(
    session_or_conn: Session | Connection, partner_id: str, kind: CounterKind | str, n: int = 1
) -> list[int]:
    """The next `n` numbers of (partner, kind), inside the caller's (write) transaction."""
    if n < 1:
        raise ValueError("n must be at least 1")
    conn = session_or_conn.connection() if isinstance(session_or_conn, Session) else session_or_conn
    if n >= MAX_CONTROL_NUMBER:
        raise ValueError(f"n must be below {MAX_CONTROL_NUMBER}")
    kind = str(CounterKind(kind))
    params = {"partner_id": partner_id, "kind": kind, "more": n - 1}
    new_last = _prepared.run(conn, "counter_bump", _bump, **params).scalar()
    if new_last is None:  # the partner's first number of this kind
        _ensure_counter(conn, partner_id, kind)
        new_last = _prepared.run(conn, "counter_bump", _bump, **params).scalar_one()
    first = (new_last - n) % MAX_CONTROL_NUMBER  # the last value before: 0..MAX-1
    numbers = [(first + i - 1) % MAX_CONTROL_NUMBER + 1 for i in range(1, n + 1)]
    crashpoint("after_control_numbers_allocated")  # the caller's transaction is still open
    return numbers


def _bump(dialect: str) -> Any:
    """Move the counter on by `more` + 1, wrapped as the numbers are ((last + n - 1) % MAX + 1),
    returning the new last value."""
    c = _COUNTER.c
    return (
        update(_COUNTER)
        .where((c.partner_id == bindparam("partner_id")) & (c.kind == bindparam("kind")))
        .values(
            last_value=(c.last_value + bindparam("more", type_=Integer())) % MAX_CONTROL_NUMBER + 1
        )
        .returning(c.last_value)
    )


def set_last_control_number(
    conn: Connection, partner_id: str, kind: CounterKind | str, last_value: int
) -> None:
    """Continue a partner's sequence after `last_value` (onboarding from another system)."""
    if not 0 <= last_value <= MAX_CONTROL_NUMBER:
        raise ValueError(f"last_value must be within 0..{MAX_CONTROL_NUMBER}")
    kind = str(CounterKind(kind))
    _ensure_counter(conn, partner_id, kind)
    key = (_COUNTER.c.partner_id == partner_id) & (_COUNTER.c.kind == kind)
    conn.execute(update(_COUNTER).where(key).values(last_value=last_value))


def _ensure_counter(conn: Connection, partner_id: str, kind: str) -> None:
    # Insert-if-absent so two first allocations racing on PostgreSQL cannot both create the row.
    values = {"partner_id": partner_id, "kind": kind, "last_value": 0}
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(_COUNTER).values(values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite_insert(_COUNTER).values(values).on_conflict_do_nothing())


class DurableControlNumbers:
    """The X12 writer's ControlNumbers source, backed by the store's counters for one partner.

    Each call commits on its own: a number is consumed even if the interchange using it is then
    not recorded. Where that matters, build inside `Store.record_outbound`, whose numbers share
    the transaction that records the interchange.
    """

    def __init__(self, store: Store, partner_id: str) -> None:
        self._store = store
        self._partner_id = partner_id

    def next_interchange(self) -> int:
        return self._store.allocate_control_numbers(self._partner_id, CounterKind.INTERCHANGE)[0]

    def next_group(self) -> int:
        return self._store.allocate_control_numbers(self._partner_id, CounterKind.GROUP)[0]

    def next_set(self) -> int:
        return self._store.allocate_control_numbers(self._partner_id, CounterKind.SET)[0]


class TransactionControlNumbers:
    """ControlNumbers bound to an open write transaction (used by `Store.record_outbound`)."""

    def __init__(self, conn: Connection, partner_id: str) -> None:
        self._conn = conn
        self._partner_id = partner_id

    def next_interchange(self) -> int:
        return allocate_control_numbers(self._conn, self._partner_id, CounterKind.INTERCHANGE)[0]

    def next_group(self) -> int:
        return allocate_control_numbers(self._conn, self._partner_id, CounterKind.GROUP)[0]

    def next_set(self) -> int:
        return allocate_control_numbers(self._conn, self._partner_id, CounterKind.SET)[0]


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class OutboxBuild:
    """Outbox rows to build with control numbers of the transaction that records them: the
    997/999/TA1 answering an interchange (`finish_interchange`, `record_interchange_batch`).

    Inside a group commit (`Store.batch`) the store runs `build` just before the group's
    commit, not where it is handed over: the partner's counter row is locked from its first
    number to the commit, and taken at the end a second worker on the same partner waits for
    that end only, not for the whole group (BENCHMARKS.md, "Eighth pass"). Outside a group it
    runs at once, as before. The store calls `build` or, when the build will never run (the
    write failed first, the message's savepoint or the group was rolled back), `discard`; a
    deferred build that raised is discarded too, so `discard` must be safe after `build`.
    """

    partner_id: str
    build: Callable[[ControlNumberSource], Sequence[NewOutbox]]
    discard: Callable[[], None] = _nothing
    # The numbers `build` takes: ISA13s and GS06s. A group's end takes the numbers of all its
    # builds in one counter UPDATE per kind; a build that takes other than these sends the
    # group to the one-by-one path, where each takes its numbers as it goes (no gap either way).
    interchanges: int = 0
    groups: int = 0


class ControlNumberSource(Protocol):
    def next_interchange(self) -> int: ...

    def next_group(self) -> int: ...

    def next_set(self) -> int: ...


class ControlNumbersMiscounted(RuntimeError):
    """A build took other control numbers than its `OutboxBuild` said it would."""


class ReservedControlNumbers:
    """The numbers allocated for one build at a group's end, handed out in order."""

    def __init__(self, interchanges: Iterator[int], groups: Iterator[int], build: OutboxBuild):
        self._interchanges = [next(interchanges) for _ in range(build.interchanges)]
        self._groups = [next(groups) for _ in range(build.groups)]
        self._taken = [0, 0]

    def next_interchange(self) -> int:
        return self._take(self._interchanges, 0, "ISA13")

    def next_group(self) -> int:
        return self._take(self._groups, 1, "GS06")

    def next_set(self) -> int:
        raise ControlNumbersMiscounted("a deferred build took an ST02 from the counter")

    def check_all_taken(self) -> None:
        if self._taken != [len(self._interchanges), len(self._groups)]:
            raise ControlNumbersMiscounted(
                f"a deferred build took {self._taken[0]} ISA13s and {self._taken[1]} GS06s, "
                f"not the {len(self._interchanges)} and {len(self._groups)} reserved"
            )

    def _take(self, numbers: list[int], kind: int, name: str) -> int:
        taken = self._taken[kind]
        if taken >= len(numbers):
            raise ControlNumbersMiscounted(f"a deferred build took more {name}s than reserved")
        self._taken[kind] = taken + 1
        return numbers[taken]
