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
-> `StoreConflictError`, invalidation).

On PostgreSQL, inside a transaction, the same: the compiled text's `%(name)s` parameters are
numbered `$1, $2, ...` once and the statement runs on a psycopg `RawCursor` of the connection
(same transaction, same values, same server-side preparation after five runs). The path it
skips (execution context, result object and metadata, psycopg's placeholder conversion) cost
more client CPU than the round trip for the per-file statements: a one-214 file ran ~24 of
them (BENCHMARKS.md, "Seventh pass"). A driver error still goes through the connection's own
handling, so a lost server invalidates the connection and the store's reconnect logic runs as
before. A text this cannot number (a literal `%` or `$` outside the placeholders) keeps
`exec_driver_sql`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
from psycopg import pq
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
    # PostgreSQL: the text with `$n` parameters and the bind name of each n (None: not lean)
    numbered: tuple[str, tuple[str, ...]] | None = None


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
    sql = str(compiled)
    numbered = numbered_text(sql) if dialect.name == "postgresql" and not positional else None
    return _Plan(sql, names, positional, constants, tuple(processors), columns, numbered)


def run(conn: Connection, key: str, build: Callable[[str], ClauseElement], **params: Any) -> Result:
    """Execute the statement `build(dialect name)` (built once per dialect and `key`) with
    `params` for its named bindparams. Rows come as the driver gives them (no result types:
    see `rows` for a SELECT of typed columns)."""
    return _run(conn, _plan_for(conn, key, build), params)


def run_many(
    conn: Connection, key: str, build: Callable[[str], ClauseElement], params: list[dict[str, Any]]
) -> int:
    """`run` once per parameter set, as one executemany; returns the driver's row count."""
    if not params:
        return 0
    plan = _plan_for(conn, key, build)
    rows: list[Any] = []
    for one in params:
        values = {**plan.constants, **one}
        for name, process in plan.processors:
            if name in values:
                values[name] = process(values[name])
        rows.append(
            tuple(values[n] for n in plan.names)
            if plan.positional
            else {n: values[n] for n in plan.names}
        )
    return execute_many(conn, plan.sql, rows)


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
    if plan.numbered is not None and conn.dialect.name == "postgresql" and conn.in_transaction():
        text, order = plan.numbered
        return _lean_postgres(conn, text, tuple([values[n] for n in order]), many=False)
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
    """One driver-level statement: lean inside a transaction (module docstring), else
    `exec_driver_sql`."""
    name = conn.dialect.name
    if name == "sqlite" and conn.in_transaction():
        return _lean(conn, sql, parameters, many=False)
    if name == "postgresql" and conn.in_transaction():
        numbered = numbered_text(sql) if isinstance(parameters, Mapping) or not parameters else None
        if numbered is not None:
            text, order = numbered
            if isinstance(parameters, Mapping):
                return _lean_postgres(conn, text, tuple([parameters[n] for n in order]), many=False)
            if not order:  # a statement without parameters (SAVEPOINT ...)
                return _lean_postgres(conn, text, None, many=False)
    return conn.exec_driver_sql(sql, parameters)


def execute_many(conn: Connection, sql: str, rows: list[Any]) -> int:
    """An executemany of `rows`; returns the driver's row count."""
    name = conn.dialect.name
    if name == "sqlite" and conn.in_transaction():
        return _lean(conn, sql, rows, many=True).rowcount
    if name == "postgresql" and rows and isinstance(rows[0], Mapping) and conn.in_transaction():
        numbered = numbered_text(sql)
        if numbered is not None:
            text, order = numbered
            if len(rows) == 1:  # psycopg runs an executemany in pipeline mode: more work
                return _lean_postgres(
                    conn, text, tuple([rows[0][n] for n in order]), many=False
                ).rowcount
            flat = [tuple([row[n] for n in order]) for row in rows]
            return _lean_postgres(conn, text, flat, many=True).rowcount
    return conn.exec_driver_sql(sql, rows).rowcount


# `%(name)s` (pyformat, what SQLAlchemy compiles for psycopg), `%%` (a literal %), or any other
# `%` or `$`, which a numbered text cannot carry over safely
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|%|\$")
_NUMBERED: dict[str, tuple[str, tuple[str, ...]] | None] = {}


def numbered_text(sql: str) -> tuple[str, tuple[str, ...]] | None:
    """`sql` with its `%(name)s` parameters as `$1, $2, ...` (a name used twice keeps its
    number) and the name of each number; None for a text with another `%` or a `$`."""
    if sql in _NUMBERED:
        return _NUMBERED[sql]
    order: dict[str, int] = {}
    plain = True

    def number(match: re.Match[str]) -> str:
        nonlocal plain
        name = match.group(1)
        if name is not None:
            return f"${order.setdefault(name, len(order) + 1)}"
        if match.group(0) == "%%":
            return "%"
        plain = False
        return match.group(0)

    text = _PLACEHOLDER.sub(number, sql)
    found = (text, tuple(order)) if plain else None
    if len(_NUMBERED) < 4096:  # texts come from the code, but never grow without bound
        _NUMBERED[sql] = found
    return found


def _lean_postgres(conn: Connection, sql: str, parameters: Any, *, many: bool) -> LeanResult:
    """`_lean` for PostgreSQL: a `$n` text on a RawCursor of the transaction's connection."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    return on_cursor(conn, psycopg.RawCursor(driver), sql, parameters, many=many, rows=_tuples)


def _lean(conn: Connection, sql: str, parameters: Any, *, many: bool) -> LeanResult:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    return on_cursor(conn, cursor, sql, parameters, many=many, rows=_described)


def _tuples(cursor: Any) -> bool:
    # the result's status, not `description`, which builds a column list to say so
    result = cursor.pgresult
    return result is not None and bool(result.status == pq.ExecStatus.TUPLES_OK)


def _described(cursor: Any) -> bool:
    return cursor.description is not None


def on_cursor(
    conn: Connection,
    cursor: Any,
    sql: str,
    parameters: Any,
    *,
    many: bool,
    rows: Callable[[Any], bool],
) -> LeanResult:
    """Run one statement (or an executemany) on `cursor`, a driver cursor of the connection's
    open transaction, keeping what SQLAlchemy does around it that matters: the cursor events
    when listened to, and a driver error through the connection's own handling (wrapped as
    SQLAlchemy's DBAPIError subclasses, the engine's handle_error hooks, invalidation of a lost
    connection). `rows(cursor)` says whether the statement returned rows to fetch."""
    events = conn._has_events or conn.engine._has_events
    try:
        if events:
            for fn in conn.dispatch.before_cursor_execute:
                sql, parameters = fn(conn, cursor, sql, parameters, None, many)
        if many:
            cursor.executemany(sql, parameters)
            fetched: list[Any] = []
        else:
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall() if rows(cursor) else []
        if events:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, parameters, None, many)
        result = LeanResult(fetched, cursor.rowcount)
    except BaseException as exc:
        # it raises, with the cursor closed (closing it here could raise instead: SQLite's
        # cursor refuses once its connection was closed)
        conn._handle_dbapi_exception(exc, sql, parameters, cursor, None)
    cursor.close()
    return result
