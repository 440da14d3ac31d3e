"""`StoreBase`: the engine, the clock and the transaction helpers every part of `Store` uses.

Writes are one transaction each (BEGIN IMMEDIATE on SQLite); a constraint failure surfaces as
StoreConflictError carrying only the driver's sentence, never the statement's parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, StatementError

from gateway.store.engine import READ_ONLY
from gateway.store.errors import StoreConflictError

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """Holds the engine and clock; the public methods live in `Store` and its mixins."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._read_engine = engine.execution_options(**{READ_ONLY: True})
        self._clock = clock

    def _now(self, now: datetime | None) -> datetime:
        return now if now is not None else self._clock()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            # Only the driver's own sentence: the statement's parameters may hold partner data.
            raise StoreConflictError(f"write rejected by a constraint: {exc.orig}") from None
        except StatementError as exc:
            if isinstance(exc.orig, ValueError):  # e.g. a naive datetime refused by UtcDateTime
                raise exc.orig from None
            raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._read_engine.connect() as conn:
            yield conn
