"""The per-file statements on PostgreSQL run lean (gateway/store/_prepared.py): numbered `$n`
texts on a psycopg RawCursor of the transaction's connection, not SQLAlchemy's execution path.
The rows they read and write are the ones that path reads and writes, a driver error is the
store's error as before, and a text that cannot be numbered keeps SQLAlchemy's path."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, bindparam, event, select, text

from gateway.store import NewOutbox, Store, _batch, _prepared
from gateway.store.errors import StoreConflictError, StoreUnavailableError
from gateway.store.schema import business_event_t, document_t, event_t
from tests.integration.test_store_postgres import ADMIN
from tests.unit.test_store_lean import batch_write_failure_undoes_only_that_write

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


@pytest.fixture
def cursors(store: Store) -> Iterator[list[tuple[str, str]]]:
    """(cursor class, statement) of every statement the store's engine runs."""
    seen: list[tuple[str, str]] = []

    def record(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        seen.append((type(cursor).__name__, statement))

    engine = store._engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_numbered_texts() -> None:
    numbered = _prepared.numbered_text
    assert numbered("SELECT x FROM t WHERE a = %(a)s AND b = %(b)s OR c = %(a)s") == (
        "SELECT x FROM t WHERE a = $1 AND b = $2 OR c = $1",
        ("a", "b"),
    )
    assert numbered("SELECT 'a%%' || %(x)s") == ("SELECT 'a%' || $1", ("x",))
    assert numbered("SELECT 1") == ("SELECT 1", ())
    # nothing else is rewritten: a lone % or a $ would change meaning
    assert numbered("SELECT '50%' || %(x)s") is None
    assert numbered("SELECT $1") is None
    assert numbered("SELECT $$a$$ || %(x)s") is None


def _one_document(conn: Connection, key: str) -> int:
    row = {
        "doc_type": "shipment_status",
        "partner_id": "demo-carrier",
        "business_key": key,
        "payload": {"key": key},
        "created_at": NOW,
        "status": "effective",
    }
    return int(_batch.insert_one(conn, document_t, row, returning=True))


def test_prepared_statements_run_on_a_raw_cursor(store: Store, cursors: list[Any]) -> None:
    with store._write() as conn:
        new_id = _one_document(conn, "BK1")
        rows = _prepared.rows(
            conn,
            "test:document_by_id",
            lambda _: select(document_t.c.id, document_t.c.created_at, document_t.c.payload).where(
                document_t.c.id == bindparam("id")
            ),
            id=new_id,
        )
    assert rows == [{"id": new_id, "created_at": NOW, "payload": {"key": "BK1"}}]
    assert rows[0]["created_at"].tzinfo is not None  # the column type's result processing
    lean = [(kind, sql) for kind, sql in cursors if "canonical_document" in sql]
    assert [kind for kind, _ in lean] == ["RawCursor", "RawCursor"]
    assert all("$1" in sql and "%(" not in sql for _, sql in lean)


def test_lean_rows_equal_sqlalchemy_rows(store: Store) -> None:
    """The same statement through the lean path and through SQLAlchemy's reads the same."""
    with store._write() as conn:
        ids = [_one_document(conn, f"BK{i}") for i in range(3)]
        statement = select(document_t).where(document_t.c.id.in_(ids)).order_by(document_t.c.id)
        core = [dict(r._mapping) for r in conn.execute(statement)]
        lean = _prepared.rows(
            conn,
            "test:documents_from",
            lambda _: (
                select(document_t)
                .where(document_t.c.id >= bindparam("first"))
                .order_by(document_t.c.id)
            ),
            first=ids[0],
        )
    assert lean == core


def test_a_literal_percent_survives(store: Store) -> None:
    with store._write() as conn:
        result = _prepared.run(
            conn, "test:percent", lambda _: text("SELECT 'a%' || :x"), x="b"
        ).scalar_one()
    assert result == "a%b"


def test_executemany_counts_the_rows_inserted(store: Store, cursors: list[Any]) -> None:
    """One row (bulk_insert_values -> execute_many) and several (an executemany) go lean;
    with ON CONFLICT DO NOTHING the count is of the rows inserted, as before."""
    keys = ("event_key", "document_id", "created_at")
    with store._write() as conn:
        document = _one_document(conn, "BK1")
        one = _batch.bulk_insert_values(conn, business_event_t, keys, [("k0", document, NOW)])
        plan = _batch._bulk_insert_for(conn.dialect, business_event_t, keys, True)
        rows = [("k0", document, NOW), ("k1", document, NOW), ("k2", document, NOW)]
        processed = _batch._processed(rows, plan.processors) if plan.processors else rows
        named = [dict(zip(plan.keys, r, strict=True)) for r in processed]
        many = _prepared.execute_many(conn, plan.sql, named)
        stored = conn.execute(
            select(business_event_t.c.event_key).order_by(business_event_t.c.id)
        ).scalars()
        keys_stored = list(stored)
    assert (one, many) == (1, 2)
    assert keys_stored == ["k0", "k1", "k2"]
    inserts = [kind for kind, sql in cursors if sql.startswith("INSERT INTO business_event")]
    assert inserts == ["RawCursor", "RawCursor"]


def test_a_driver_error_is_the_stores_error(store: Store) -> None:
    with store._write() as conn:
        new_id = _one_document(conn, "BK1")
    with pytest.raises(StoreConflictError), store._write() as conn:
        _batch.insert_one(
            conn,
            document_t,
            {
                "id": new_id,
                "doc_type": "shipment_status",
                "partner_id": "demo-carrier",
                "business_key": "BK2",
                "payload": {},
                "created_at": NOW,
                "status": "effective",
            },
            returning=False,
        )
    # the failed transaction rolled back and the connection serves the next one
    with store._write() as conn:
        assert conn.execute(select(document_t.c.business_key)).scalars().all() == ["BK1"]


def test_outside_a_transaction_sqlalchemy_runs_it(store: Store, cursors: list[Any]) -> None:
    with store._engine.connect() as conn:
        conn.commit()  # nothing begun: the autobegin is SQLAlchemy's to do
        assert not conn.in_transaction()
        value = _prepared.run(conn, "test:one", lambda _: text("SELECT :x"), x=1).scalar_one()
    assert value == 1
    assert [kind for kind, sql in cursors if sql.startswith("SELECT")] != ["RawCursor"]


def test_a_server_side_prepared_statement_after_five_runs(store: Store) -> None:
    """psycopg prepares a text it ran five times: the lean path keeps that (one text per
    statement, parameters apart)."""
    with store._write() as conn:
        for i in range(6):
            _prepared.run(conn, "test:prepared", lambda _: text("SELECT :x"), x=i).scalar_one()
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        names = driver.execute("SELECT statement FROM pg_prepared_statements").fetchall()
    assert ("SELECT $1",) in names


def test_a_failed_write_in_a_batch_is_undone_alone(store: Store) -> None:
    batch_write_failure_undoes_only_that_write(store)


@pytest.mark.parametrize("inside_a_message", [False, True])
def test_a_connection_lost_in_a_batch_is_the_database_unavailable(
    store: Store, inside_a_message: bool
) -> None:
    """A server restart or a cut in the middle of a group's write: the savepoint went with the
    connection, so the error is StoreUnavailableError (the reconnect path: wait, then retry),
    not GroupWriteFailed from a rollback that could not run (which a stage logged as a crash)."""
    with pytest.raises(StoreUnavailableError), store.batch():
        store.add_outbox([NewOutbox("a", "folder", "k", "first")])
        message = store.savepoint() if inside_a_message else contextlib.nullcontext()
        with message, store._write() as conn:  # its SAVEPOINT (or the message's) is taken
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with psycopg.connect(ADMIN, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            _batch.insert_rows(conn, event_t, [{"kind": "lost", "detail": {}, "at": NOW}] * 2)
    # nothing of the group stayed, and the next transaction gets a new connection
    assert store.list_outbox(limit=10) == []
