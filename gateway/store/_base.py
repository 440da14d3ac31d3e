"""`StoreBase`: the engine, the clock and the transaction helpers every part of `Store` uses.

Writes are one transaction each (BEGIN IMMEDIATE on SQLite); a constraint failure surfaces as
StoreConflictError carrying only the driver's sentence, never the statement's parameters.

Group commit (`batch`): inside `with store.batch():` every write of the same thread is a
SAVEPOINT of one transaction and every read sees it; one commit (one fsync) makes the whole
batch durable, or a crash before it leaves none of it. A failed write rolls back to its
savepoint, as a failed transaction would: callers see the same errors either way.

Inside `with store.savepoint():` (one message of a group) the writes take no savepoint of their
own: a write's error goes out through the enclosing savepoint, which undoes the message. Should
a caller catch such an error and go on, the message's writes are rolled back at the end of the
block and GroupWriteFailed sends the group to the one-by-one path, where each write is its own
transaction again: never a half-done write kept.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StatementError,
)

from gateway.store import _prepared
from gateway.store.engine import READ_ONLY
from gateway.store.errors import (
    GroupWriteFailed,
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
)
from gateway.store.queue import check_lease, current_lease

Clock = Callable[[], datetime]


DeferredWriter = Callable[[Connection, list[Any]], None]
"""Writes the items of a group's deferred writes that share it, in one go (see `_defer`)."""


@dataclass(frozen=True, slots=True)
class _Deferred:
    writer: DeferredWriter  # the write, in the group's transaction, of this and its neighbours
    item: Any
    discard: Callable[[], None]  # instead of the write, when it never will


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """Holds the engine and clock; the public methods live in `Store` and its mixins."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._read_engine = engine.execution_options(**{READ_ONLY: True})
        self._clock = clock
        # SQLite has one writer: threads of one process (receive, process, deliver stages)
        # queue here, in order, instead of sleeping in SQLite's busy handler.
        self._write_lock = threading.RLock() if engine.dialect.name == "sqlite" else None
        self._local = threading.local()  # `.batch`: this thread's open group-commit connection

    def _now(self, now: datetime | None) -> datetime:
        return now if now is not None else self._clock()

    def _batch_conn(self) -> Connection | None:
        conn: Connection | None = getattr(self._local, "batch", None)
        return conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        batch = self._batch_conn()
        if batch is not None and self._local.covered:
            # inside `savepoint()`: its SAVEPOINT undoes this write too (module docstring)
            try:
                with _translated():
                    self._check_lease_once(batch)
                    yield batch
            except BaseException:
                self._local.failed = True  # the block must not end as if nothing happened
                self._forget()
                raise
            return
        if batch is not None:
            mark = len(self._local.before_commit)
            try:
                with _translated(), _savepoint(batch):  # a savepoint of the group's transaction
                    self._check_lease_once(batch)
                    yield batch
            except BaseException:
                self._forget()  # a renewal rolled back with the savepoint
                self._drop_deferred(mark)
                raise
            return
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with _translated(), self._engine.begin() as conn:
                # processing under a queue lease: this write commits only if the lease is
                # still this worker's (LeaseLostError otherwise), checked under a row lock
                check_lease(conn)
                yield conn
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit: this thread's writes until the block ends share ONE transaction (see
        the module docstring). An exception out of the block rolls all of it back. Nested
        calls join the open batch."""
        if self._batch_conn() is not None:
            yield
            return
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with _translated(), self._engine.begin() as conn:
                self._local.batch = conn
                self._local.checked = set()
                self._local.covered = False
                self._local.failed = False
                self._local.opened = {}
                self._local.groups = {}
                self._local.before_commit = []
                try:
                    yield
                    self._run_deferred(conn)
                finally:
                    self._local.batch = None
                    self._drop_deferred(0)  # what did not run: the group is rolled back
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a batch: an exception out of the block undoes the block's writes only (one
        message of a group). Outside a batch every write is its own transaction already."""
        batch = self._batch_conn()
        if batch is None:
            yield
            return
        outer = self._local.covered, self._local.failed
        self._local.covered, self._local.failed = True, False
        mark = len(self._local.before_commit)
        try:
            with _translated(), _savepoint(batch):
                yield
                if self._local.failed:
                    # a write failed and its error was caught: its half is in this savepoint
                    raise GroupWriteFailed("a write failed inside a group's message")
        except BaseException:
            # a lease renewal rolled back with the savepoint (and its row lock): renew again
            self._forget()
            self._drop_deferred(mark)  # the message's writes are gone: so are its last ones
            raise
        finally:
            self._local.covered, self._local.failed = outer

    def _forget(self) -> None:
        """A savepoint rolled back: what this transaction knew it had written may be gone."""
        self._local.checked.clear()
        self._local.opened.clear()
        self._local.groups.clear()

    def _defer_to_commit(
        self, writer: DeferredWriter, item: Any, discard: Callable[[], None]
    ) -> bool:
        """In a batch: keep `item` to be written by `writer` at the end of the group, just
        before its commit (False outside one: the caller writes it now). Writes that take a
        lock other workers wait for (a partner's control number counter) go last, so the lock
        is held for the commit only; consecutive items of one writer are written together.
        A rolled-back savepoint or group calls `discard` instead."""
        if self._batch_conn() is None:
            return False
        deferred: list[_Deferred] = self._local.before_commit
        deferred.append(_Deferred(writer, item, discard))
        return True

    def _drop_deferred(self, mark: int) -> None:
        """Forget the deferred writes kept after the first `mark` ones, discarding each."""
        deferred: list[_Deferred] = self._local.before_commit
        dropped = deferred[mark:]
        del deferred[mark:]
        for entry in dropped:
            entry.discard()

    def _run_deferred(self, conn: Connection) -> None:
        """The group's deferred writes, in the order they were kept, in its transaction, each
        run of one writer's items in one call. One that fails sends the group to the
        one-by-one path (GroupWriteFailed), where nothing is deferred and the message it
        belongs to fails alone."""
        deferred: list[_Deferred] = self._local.before_commit
        while deferred:
            writer = deferred[0].writer
            n = 1
            while n < len(deferred) and deferred[n].writer is writer:
                n += 1
            entries = deferred[:n]
            del deferred[:n]
            try:
                with _translated():
                    writer(conn, [e.item for e in entries])
            except BaseException as exc:
                for entry in entries:  # what a failed write left open (twice is harmless)
                    entry.discard()
                if isinstance(exc, StoreError) or not isinstance(exc, Exception):
                    raise
                raise GroupWriteFailed(f"a deferred write failed: {exc}") from exc

    def _opened_here(self) -> dict[int, tuple[int | None, str]] | None:
        """In a batch: the interchanges begun in its transaction and not yet finished, id ->
        (message id, direction). Rows no other transaction can see, so none can finish or
        discard them: their streaming steps need not read them back to check."""
        if self._batch_conn() is None:
            return None
        opened: dict[int, tuple[int | None, str]] = self._local.opened
        return opened

    def _groups_here(self) -> dict[int, int] | None:
        """In a batch: group id -> interchange id of the groups begun in its transaction."""
        if self._batch_conn() is None:
            return None
        groups: dict[int, int] = self._local.groups
        return groups

    def _check_lease_once(self, conn: Connection) -> None:
        """A lease renewed once in the group's transaction stays this worker's until it ends
        (SQLite: one writer; PostgreSQL: the renewal holds the row's lock)."""
        checked: set[tuple[int, str]] = self._local.checked
        lease = current_lease()
        if lease is not None and (lease.message_id, lease.token) not in checked:
            check_lease(conn)
            checked.add((lease.message_id, lease.token))

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        batch = self._batch_conn()
        if batch is not None:  # see the batch's own writes, not the last commit
            yield batch
            return
        try:
            with self._read_engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise _unavailable(exc) from None
        except DBAPIError as exc:
            if _disconnected(exc):
                raise _unavailable(exc) from None
            raise


_SAVEPOINT_NAMES = itertools.count(1)


@contextmanager
def _savepoint(conn: Connection) -> Iterator[None]:
    """A message's SAVEPOINT, as plain statements on the lean driver path (SQLAlchemy's
    `begin_nested` cost ~0.3 ms per message on SQLite around three statements of ~10 us, and
    ~4 % of a one-214 file's processing CPU on PostgreSQL: BENCHMARKS.md). Same effect:
    an exception out of the block rolls back to the savepoint, then raises. Should the
    rollback itself fail, the group cannot keep this message's half: GroupWriteFailed (a
    StoreError) rolls the whole group back. A connection lost meanwhile (a restart, a cut)
    took the savepoint and the group with it: its own error goes on, which the store reports
    as the database being unavailable."""
    name = f"gw_message_{next(_SAVEPOINT_NAMES)}"
    _prepared.execute(conn, f"SAVEPOINT {name}", ())
    try:
        yield
    except BaseException:
        if conn.invalidated:
            raise
        try:
            _prepared.execute(conn, f"ROLLBACK TO SAVEPOINT {name}", ())
            _prepared.execute(conn, f"RELEASE SAVEPOINT {name}", ())
        except Exception as exc:
            raise GroupWriteFailed(f"a message's savepoint was not rolled back: {exc}") from exc
        raise
    _prepared.execute(conn, f"RELEASE SAVEPOINT {name}", ())


@contextmanager
def _translated() -> Iterator[None]:
    """Driver errors as the store's own, with the driver's sentence only."""
    try:
        yield
    except IntegrityError as exc:
        # Only the driver's own sentence: the statement's parameters may hold partner data.
        raise StoreConflictError(f"write rejected by a constraint: {exc.orig}") from None
    except OperationalError as exc:
        raise _unavailable(exc) from None
    except DBAPIError as exc:
        if _disconnected(exc):
            raise _unavailable(exc) from None
        raise
    except StatementError as exc:
        if isinstance(exc.orig, ValueError):  # e.g. a naive datetime refused by UtcDateTime
            raise exc.orig from None
        raise


def _disconnected(exc: DBAPIError) -> bool:
    """A connection lost mid-use (a restart, a cut): psycopg reports some of these as an
    InterfaceError ("the connection is closed"), not an OperationalError."""
    return exc.connection_invalidated or isinstance(exc, InterfaceError)


def _unavailable(exc: DBAPIError) -> Exception:
    """The driver's sentence only (never the statement's parameters)."""
    first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "unknown"
    return StoreUnavailableError(f"database unavailable: {first}")
