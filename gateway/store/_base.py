"""`StoreBase`: the engine, the clock and the transaction helpers every part of `Store` uses.

Writes are one transaction each (BEGIN IMMEDIATE on SQLite); a constraint failure surfaces as
StoreConflictError carrying only the driver's sentence, never the statement's parameters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    StatementError,
)

from gateway.store.engine import READ_ONLY
from gateway.store.errors import StoreConflictError, StoreUnavailableError
from gateway.store.queue import check_lease

Clock = Callable[[], datetime]


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

    def _now(self, now: datetime | None) -> datetime:
        return now if now is not None else self._clock()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        lock = self._write_lock
        if lock is not None:
            lock.acquire()
        try:
            with self._engine.begin() as conn:
                # processing under a queue lease: this write commits only if the lease is
                # still this worker's (LeaseLostError otherwise), checked under a row lock
                check_lease(conn)
                yield conn
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
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._read_engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise _unavailable(exc) from None
        except DBAPIError as exc:
            if _disconnected(exc):
                raise _unavailable(exc) from None
            raise


def _disconnected(exc: DBAPIError) -> bool:
    """A connection lost mid-use (a restart, a cut): psycopg reports some of these as an
    InterfaceError ("the connection is closed"), not an OperationalError."""
    return exc.connection_invalidated or isinstance(exc, InterfaceError)


def _unavailable(exc: DBAPIError) -> Exception:
    """The driver's sentence only (never the statement's parameters)."""
    first = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "unknown"
    return StoreUnavailableError(f"database unavailable: {first}")
