"""Bulk inserts on PostgreSQL are multi-row VALUES statements (gateway/store/_multirow.py): the
rows stored are the ones an executemany stores, in order, with every kind of value the hot
path writes; ON CONFLICT DO NOTHING keeps the first of two rows with one key and counts only
the rows inserted; and the statement texts come from a few fixed row counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import psycopg

from gateway.store import Store, _batch, _multirow
from gateway.store.schema import ALL_TABLES, business_event_t, document_t, key_t, outbox_t

NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def test_every_table_insert_has_a_multirow_form() -> None:
    """Every table's compiled insert, with and without its id and ON CONFLICT, is rewritten:
    one row of the multi-row text is the compiled statement with positional parameters and
    without the RETURNING a bulk insert does not read."""
    dialect = psycopg.dialect()  # type: ignore[no-untyped-call]
    for table in ALL_TABLES:
        names = tuple(c.name for c in table.c)
        for keys in (names, names[1:]):
            for skip in (False, True):
                plan = _batch._bulk_insert_for(dialect, table, keys, skip)
                multi = _multirow.plan_for(plan.sql, plan.keys)
                assert multi is not None, (table.name, plan.sql)
                single = plan.sql.split(" RETURNING ")[0]
                for n, key in enumerate(re.findall(r"%\((\w+)\)s", single), start=1):
                    single = single.replace(f"%({key})s", f"${n}", 1)
                assert multi.text(1) == single
                three = multi.text(3)
                assert re.findall(r"\$(\d+)", three) == [
                    str(i) for i in range(1, 3 * len(keys) + 1)
                ]
                assert multi.max_rows * len(keys) <= _multirow._PARAMS


def test_statements_of_other_shapes_are_left_alone() -> None:
    assert _multirow.plan_for("UPDATE t SET a = %(a)s", ("a",)) is None
    assert _multirow.plan_for("INSERT INTO t (a) SELECT %(a)s", ("a",)) is None
    assert _multirow.plan_for("INSERT INTO t (a) VALUES (%(a)s || '%')", ("a",)) is None
    assert _multirow.plan_for("INSERT INTO t (a) VALUES (%(b)s)", ("a",)) is None


@given(n=st.integers(0, 5000), most=st.integers(1, 1000))
def test_chunks_cover_the_rows_in_order_with_few_sizes(n: int, most: int) -> None:
    chunks = _multirow._chunks(n, most)
    assert sum(size for _, size in chunks) == n
    start = 0
    for at, size in chunks:
        assert at == start and 1 <= size <= most
        start += size
    sizes = {size for _, size in chunks}
    # the full size and powers of two only: a few statement texts per table, whatever n
    assert all(s == most or s & (s - 1) == 0 for s in sizes)


def _documents(store: Store, n: int) -> list[int]:
    """`n` canonical documents for the rows below to point at."""
    values = [
        {
            "doc_type": "shipment_status",
            "partner_id": "demo-carrier",
            "business_key": f"BK{i}",
            "payload": {"n": i},
            "created_at": NOW,
            "status": "effective",
        }
        for i in range(n)
    ]
    with store._write() as conn:
        return _batch.insert_returning_ids(conn, document_t, values)


def _rows(store: Store, table: Any) -> list[dict[str, Any]]:
    with store._read() as conn:
        found = conn.execute(select(table).order_by(table.c.id)).all()
    return [dict(r._mapping) for r in found]


def test_many_rows_stored_as_an_executemany_stores_them(store: Store) -> None:
    """2,500 correlation keys and 1,200 outbox rows (bytes, times, NULLs, another key order)
    through the multi-row path, then the same one by one (the executemany path): equal; and
    documents' JSON payloads through a bind processor."""
    docs = _documents(store, 3)
    assert [r["payload"] for r in _rows(store, document_t)] == [{"n": 0}, {"n": 1}, {"n": 2}]
    keys = [(docs[i % 3], "bol" if i % 2 else "pro", f"V{i:05d}") for i in range(2500)]
    outbox = [
        (
            f"portal-{i}",
            "folder",
            "portal_status",
            None if i % 5 == 0 else f'{{"i": {i}, "text": "ünïcode"}}'.encode(),
            None if i % 3 else f"/x/{i}.json",
            f"key-{i}",
            "pending",
            i % 4,
            NOW + timedelta(seconds=i),
            NOW,
            None,
            docs[i % 3],
        )
        for i in range(1200)
    ]
    outbox_keys = _batch._OUTBOX_KEYS  # the columns the hot path writes, in its order
    statements: list[tuple[str, bool]] = []

    def seen(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        statements.append((sql, many))

    with store._write() as conn:
        event.listen(conn, "before_cursor_execute", seen)
        assert (
            _batch.bulk_insert_values(conn, key_t, ("document_id", "kind", "value"), keys) == 2500
        )
        event.remove(conn, "before_cursor_execute", seen)
        # one statement per chunk, none of them an executemany
        rows_per_statement = [sql.count("), (") + 1 for sql, _ in statements]
        assert rows_per_statement == [1000, 1000, 256, 128, 64, 32, 16, 4]
        assert not any(many for _, many in statements)
        reordered = ("value", "document_id", "kind")  # not the table's column order
        again = [(v, d, k) for d, k, v in keys]
        assert _batch.bulk_insert_values(conn, key_t, reordered, again) == 2500
        assert _batch.bulk_insert_values(conn, outbox_t, outbox_keys, outbox) == 1200
    stored_keys = [(r["document_id"], r["kind"], r["value"]) for r in _rows(store, key_t)]
    assert stored_keys == keys + keys  # in order, both times
    many = _rows(store, outbox_t)
    with store._write() as conn:
        conn.execute(outbox_t.delete())
        for row in outbox:  # one row: the executemany path
            _batch.bulk_insert_values(conn, outbox_t, outbox_keys, [row])
    one_by_one = _rows(store, outbox_t)
    assert len(many) == len(one_by_one) == 1200
    for a, b in zip(many, one_by_one, strict=True):
        a.pop("id"), b.pop("id")
        assert a == b
    assert many[6]["payload"] == '{"i": 6, "text": "ünïcode"}'.encode()
    assert many[5]["payload"] is None
    assert many[5]["next_attempt_at"] == NOW + timedelta(seconds=5)


def test_on_conflict_keeps_the_first_row_and_counts_what_was_inserted(store: Store) -> None:
    docs = _documents(store, 3)
    cols = ("event_key", "document_id", "created_at")
    with store._write() as conn:
        first = [(f"ev-{i}", docs[0], NOW) for i in range(10)]
        assert (
            _batch.bulk_insert_values(conn, business_event_t, cols, first, skip_conflicts=True)
            == 10
        )
        batch = [
            ("ev-3", docs[1], NOW),  # taken before: left out
            ("new-1", docs[1], NOW),
            ("new-1", docs[2], NOW),  # twice in the batch: the first row wins
            ("new-2", docs[2], NOW),
        ]
        assert (
            _batch.bulk_insert_values(conn, business_event_t, cols, batch, skip_conflicts=True) == 2
        )
    owners = {r["event_key"]: r["document_id"] for r in _rows(store, business_event_t)}
    assert owners["ev-3"] == docs[0]
    assert owners["new-1"] == docs[1]
    assert owners["new-2"] == docs[2]
    assert len(owners) == 12
