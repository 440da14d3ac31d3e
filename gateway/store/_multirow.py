"""Bulk inserts on PostgreSQL as multi-row VALUES statements instead of an executemany.

psycopg runs an executemany as one Bind/Execute per row in pipeline mode, and its Python code
per row (parameter checks, dumping, the prepared-statement cache, the pipeline's bookkeeping)
cost ~20 us: with ~11 rows per 214, about a quarter of a worker's profile (BENCHMARKS.md,
"Sixth pass"). One `INSERT ... VALUES (...), (...), ...` of up to `_PARAMS` parameters dumps them
in one call instead. The row group is the compiled Core insert's own `VALUES (...)`, casts
included, with its parameters numbered (`$1`, `$2`, ...) and run on a psycopg `RawCursor`:
psycopg parses a `%s` query of more than 4 KB again on every call (its query cache stops
there), which cost more than the executemany it replaced. Each value is bound as before.

Statements have a fixed set of row counts (the largest that fits `_PARAMS`, then powers of
two for the rest), so the statements psycopg prepares on the server (a text run five times)
are a few per table, not one per batch size. Rows keep their order: with ON CONFLICT DO
NOTHING the first of two rows with the same key is the one inserted, as in an executemany.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection

from gateway.store import _prepared

_PARAMS = 8000  # bound parameters per statement (PostgreSQL's protocol allows 65,535)
_MAX_ROWS = 1000
_NAMED = re.compile(r"%\((\w+)\)s")


@dataclass(slots=True)
class MultiRowInsert:
    head: str  # INSERT INTO t (a, b)
    group: str  # (%s::VARCHAR, %s::BIGINT)
    tail: str  # ON CONFLICT DO NOTHING, or empty
    order: tuple[int, ...] | None  # the group's parameters as indexes into a row; None: as is
    max_rows: int
    _texts: dict[int, str] = field(default_factory=dict)

    def text(self, rows: int) -> str:
        """The statement for `rows` rows, its parameters numbered $1.. in row order."""
        found = self._texts.get(rows)
        if found is None:
            pieces = self.group.split("%s")
            per_row = len(pieces) - 1
            groups = []
            for row in range(rows):
                base = row * per_row
                numbered = [pieces[0]]
                for i, piece in enumerate(pieces[1:], start=1):
                    numbered.append(f"${base + i}{piece}")
                groups.append("".join(numbered))
            found = self._texts[rows] = f"{self.head} VALUES {', '.join(groups)}{self.tail}"
        return found


_CACHE: dict[tuple[str, tuple[str, ...]], MultiRowInsert | None] = {}


def plan_for(sql: str, keys: Sequence[str]) -> MultiRowInsert | None:
    """The multi-row form of a compiled single-row INSERT with named parameters (`%(k)s`,
    pyformat), or None if its text is not the plain shape this rewrites."""
    # keyed with the row's keys too: the same text serves rows given in another key order
    cache_key = (sql, tuple(keys))
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    _CACHE[cache_key] = plan = _plan(sql, keys)
    return plan


def _plan(sql: str, keys: Sequence[str]) -> MultiRowInsert | None:
    at = sql.find(" VALUES (")
    if not sql.startswith("INSERT INTO ") or at < 0 or sql.count(" VALUES (") != 1:
        return None
    start = at + len(" VALUES ")
    depth, end = 0, -1
    for i in range(start, len(sql)):
        ch = sql[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                end = i
                break
    if end < 0:
        return None
    group, tail = sql[start : end + 1], sql[end + 1 :]
    # RETURNING (implicit for a serial id) is not read from a bulk insert: left out
    returning = tail.find(" RETURNING ")
    if returning >= 0:
        tail = tail[:returning]
    names = _NAMED.findall(group)
    positional = _NAMED.sub("%s", group)
    if "%" in tail or "%" in sql[:at] or positional.count("%") != len(names):
        return None  # a literal % or another parameter style: not rewritten
    if sorted(names) != sorted(keys):
        return None
    index = {k: i for i, k in enumerate(keys)}
    order = tuple(index[n] for n in names)
    return MultiRowInsert(
        head=sql[:at],
        group=positional,
        tail=tail,
        order=None if order == tuple(range(len(keys))) else order,
        max_rows=max(1, min(_MAX_ROWS, _PARAMS // max(1, len(names)))),
    )


def insert(conn: Connection, plan: MultiRowInsert, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert `rows` (tuples in the order of the plan's keys); returns the rows inserted."""
    inserted = 0
    for start, count in _chunks(len(rows), plan.max_rows):
        chunk = rows[start : start + count]
        if plan.order is None:
            flat = tuple(itertools.chain.from_iterable(chunk))
        else:
            order = plan.order
            flat = tuple(row[i] for row in chunk for i in order)
        inserted += _execute(conn, plan.text(count), flat)
    return inserted


def _execute(conn: Connection, sql: str, params: tuple[Any, ...]) -> int:
    """One statement on a RawCursor of the connection's psycopg connection (same transaction),
    with SQLAlchemy's cursor events and error handling (`_prepared.on_cursor`)."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    cursor = psycopg.RawCursor(driver)
    return _prepared.on_cursor(conn, cursor, sql, params, many=False, rows=_no_rows).rowcount


def _no_rows(cursor: Any) -> bool:
    return False  # a bulk insert reads nothing back


def _chunks(n: int, most: int) -> list[tuple[int, int]]:
    """(start, rows) of each statement: full ones, then the rest in powers of two."""
    out = []
    start = 0
    while n - start >= most:
        out.append((start, most))
        start += most
    rest = n - start
    size = 1 << max(0, rest.bit_length() - 1)
    while rest:
        if size <= rest:
            out.append((start, size))
            start += size
            rest -= size
        size >>= 1
    return out
