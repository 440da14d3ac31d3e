"""Statements of the per-file hot path, compiled once per dialect and run at the driver level.

SQLAlchemy builds, keys and looks up a Core statement on every execution; for the nested
statements of an interchange's end (release the held deliveries, apply the shipment statuses,
link the acks) that took ~2 ms per interchange, more than the database's own work. Here a
statement is built once with named `bindparam`s, compiled for the connection's dialect, and
then executed with `exec_driver_sql`: the same SQL text SQLAlchemy would send, with the same
bind processing (e.g. `UtcDateTime`), without the per-call construction.

A prepared statement takes only scalar parameters (no expanding IN lists).

On SQLite, inside a transaction, the statement goes to the driver's cursor directly (`lean`):
SQLAlchemy's execution path around a driver-level statement (execution context, result
object) cost 20-60 us per statement, more than SQLite's own work for most of the per-file
statements. What SQLAlchemy does there that matters is kept: the `before_cursor_execute` /
`after_cursor_execute` events fire when listened to (statement counts, tests), and a driver
error goes through the connection's own error handling (`StoreBusyError`, `IntegrityError`
-> `StoreConflictError`, invalidation). PostgreSQL keeps `exec_driver_sql` (a round trip costs
more than the path around it, and its reconnect handling stays SQLAlchemy's).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # bind names in the driver's order (positional) or all of them
    positional: bool
    constants: Mapping[str, Any]  # binds with a value fixed in the statement
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]
    # a SELECT's (or RETURNING's) columns: name and result processor (None: as the driver gives)
    columns: tuple[tuple[str, Callable[[Any], Any] | None], ...] = ()


_PLANS: dict[tuple[str, str], _Plan] = {}


def _plan(dialect: Dialect, statement: ClauseElement) -> _Plan:
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    positional = bool(compiled.positional)
    names = tuple(compiled.positiontup or ()) if positional else tuple(compiled.binds)
    for name, bind in compiled.binds.items():
        if bind.expanding:
            raise ValueError(f"prepared statements take no expanding parameter ({name})")
    constants = {name: b.value for name, b in compiled.binds.items() if not b.required}
    processors: list[tuple[str, Callable[[Any], Any]]] = []
    for name, process in compiled._bind_processors.items():
        if not callable(process):  # per-element processors of a tuple type
            raise ValueError(f"prepared statements take no tuple parameter ({name})")
        processors.append((name, process))
    columns = tuple(
        (entry.keyname, entry.type._cached_result_processor(dialect, None))
        for entry in compiled._result_columns
    )
    return _Plan(str(compiled), names, positional, constants, tuple(processors), columns)


def run(conn: Connection, key: str, build: Callable[[str], ClauseElement], **params: Any) -> Result:
    """Execute the statement `build(dialect name)` (built once per dialect and `key`) with
    `params` for its named bindparams. Rows come as the driver gives them (no result types:
    see `rows` for a SELECT of typed columns)."""
    return _run(conn, _plan_for(conn, key, build), params)


def rows(
    conn: Connection, key: str, build: Callable[[str], ClauseElement], **params: Any
) -> list[dict[str, Any]]:
    """`run` for a SELECT: its rows as column name -> value, each value through its column
    type's result processing as a Core execution does (e.g. `UtcDateTime` back to aware)."""
    plan = _plan_for(conn, key, build)
    columns = plan.columns
    out = []
    for row in _run(conn, plan, params).all():
        out.append(
            {
                name: (p(v) if p is not None else v)
                for (name, p), v in zip(columns, row, strict=True)
            }
        )
    return out


def _plan_for(conn: Connection, key: str, build: Callable[[str], ClauseElement]) -> _Plan:
    dialect = conn.dialect
    plan = _PLANS.get((dialect.name, key))
    if plan is None:
        plan = _PLANS[(dialect.name, key)] = _plan(dialect, build(dialect.name))
    return plan


def _run(conn: Connection, plan: _Plan, params: dict[str, Any]) -> Result:
    values = {**plan.constants, **params}
    for name, process in plan.processors:
        if name in values:
            values[name] = process(values[name])
    if plan.positional:
        return execute(conn, plan.sql, tuple(values[n] for n in plan.names))
    return execute(conn, plan.sql, {n: values[n] for n in plan.names})


class Result(Protocol):
    """What callers of `run` use of a result (a CursorResult, or `LeanResult`)."""

    @property
    def rowcount(self) -> int: ...

    def first(self) -> Any: ...

    def scalar(self) -> Any: ...

    def scalar_one(self) -> Any: ...

    def scalars(self) -> Iterable[Any]: ...

    def all(self) -> Sequence[Any]: ...


class LeanResult:
    """A statement's rows, fetched at once (the per-file statements return a few)."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise (
                NoResultFound("expected one row")
                if not self._rows
                else MultipleResultsFound("expected one row")
            )
        return self._rows[0][0]

    def scalars(self) -> list[Any]:
        return [r[0] for r in self._rows]

    def all(self) -> list[Any]:
        return self._rows


def execute(conn: Connection, sql: str, parameters: Any) -> Result:
    """One driver-level statement: lean on SQLite inside a transaction (module docstring),
    else `exec_driver_sql`."""
    if conn.dialect.name != "sqlite" or not conn.in_transaction():
        return conn.exec_driver_sql(sql, parameters)
    return _lean(conn, sql, parameters, many=False)


def execute_many(conn: Connection, sql: str, rows: list[Any]) -> int:
    """An executemany of `rows`; returns the driver's row count."""
    if conn.dialect.name != "sqlite" or not conn.in_transaction():
        return conn.exec_driver_sql(sql, rows).rowcount
    return _lean(conn, sql, rows, many=True).rowcount


def _lean(conn: Connection, sql: str, parameters: Any, *, many: bool) -> LeanResult:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    events = conn._has_events or conn.engine._has_events
    try:
        if events:
            for fn in conn.dispatch.before_cursor_execute:
                sql, parameters = fn(conn, cursor, sql, parameters, None, many)
        if many:
            cursor.executemany(sql, parameters)
            rows: list[Any] = []
        else:
            cursor.execute(sql, parameters)
            rows = cursor.fetchall() if cursor.description is not None else []
        if events:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, parameters, None, many)
        result = LeanResult(rows, cursor.rowcount)
    except BaseException as exc:
        # SQLAlchemy's own handling: wrapped as its DBAPIError subclasses, the engine's
        # handle_error hooks, the cursor closed
        conn._handle_dbapi_exception(exc, sql, parameters, cursor, None)
    cursor.close()
    return result
