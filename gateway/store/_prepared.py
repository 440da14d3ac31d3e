"""Statements of the per-file hot path, compiled once per dialect and run at the driver level.

SQLAlchemy builds, keys and looks up a Core statement on every execution; for the nested
statements of an interchange's end (release the held deliveries, apply the shipment statuses,
link the acks) that took ~2 ms per interchange, more than the database's own work. Here a
statement is built once with named `bindparam`s, compiled for the connection's dialect, and
then executed with `exec_driver_sql`: the same SQL text SQLAlchemy would send, with the same
bind processing (e.g. `UtcDateTime`), without the per-call construction.

A prepared statement takes only scalar parameters (no expanding IN lists).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # bind names in the driver's order (positional) or all of them
    positional: bool
    constants: Mapping[str, Any]  # binds with a value fixed in the statement
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]


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
    return _Plan(str(compiled), names, positional, constants, tuple(processors))


def run(
    conn: Connection, key: str, build: Callable[[str], ClauseElement], **params: Any
) -> CursorResult[Any]:
    """Execute the statement `build(dialect name)` (built once per dialect and `key`) with
    `params` for its named bindparams."""
    dialect = conn.dialect
    plan = _PLANS.get((dialect.name, key))
    if plan is None:
        plan = _PLANS[(dialect.name, key)] = _plan(dialect, build(dialect.name))
    values = {**plan.constants, **params}
    for name, process in plan.processors:
        if name in values:
            values[name] = process(values[name])
    if plan.positional:
        return conn.exec_driver_sql(plan.sql, tuple(values[n] for n in plan.names))
    return conn.exec_driver_sql(plan.sql, {n: values[n] for n in plan.names})
