"""The lean driver path of `gateway.store._prepared` (SQLite, inside a transaction): statements
sent straight to the sqlite3 cursor keep what SQLAlchemy's path gave the store: the same
stored values as a Core insert, events that count them, driver errors turned into the store's
own (a constraint -> StoreConflictError), and the usual path outside a transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    NewAck,
    NewOutbox,
    RawJson,
    Store,
    StoreConflictError,
    _batch,
    _prepared,
    create_store,
)
from gateway.store.errors import GroupWriteFailed
from gateway.store.schema import ack_t, event_t

AT = datetime(2026, 12, 7, 7, 0, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(f"sqlite:///{tmp_path / 'lean.db'}")
    s.migrate()
    yield s
    s.close()


def _event(detail: Any) -> dict[str, Any]:
    return {
        "message_id": None,
        "outbox_id": None,
        "parent_id": None,
        "kind": "k",
        "detail": detail,
        "at": AT,
        "interchange_id": None,
    }


def _ack(detail: Any) -> dict[str, Any]:
    row = _batch.ack_row(_ack_record(), AT, {}, interchange_id=None, group_id=None)
    return row | {"detail": detail}


def _ack_record() -> NewAck:
    return NewAck(
        direction=AckDirection.SENT,
        kind=AckKind.FA997,
        status=AckStatus.ACCEPTED,
        partner_id="p",
        interchange_control_number="000000001",
        group_control_number="1",
        functional_id="QM",
    )


def _stored(store: Store, table: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """The raw stored values and their SQLite types (what any reader gets back)."""
    with store._read() as conn:
        cols = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
        picked = ", ".join(f"{c}, typeof({c})" for c in cols if c != "id")
        sql = f"SELECT {picked} FROM {table} WHERE id = :id"
        return [tuple(conn.execute(text(sql), {"id": i}).one()) for i in ids]


@pytest.mark.parametrize(
    "detail", [None, {"a": 1, "b": [1, 2]}, RawJson('{"raw": true}'), {"t": "é"}]
)
def test_one_row_stores_what_a_core_insert_stores(store: Store, detail: Any) -> None:
    with store._write() as conn:
        core_event = conn.execute(insert(event_t).returning(event_t.c.id), _event(detail)).scalar()
        lean_event = _batch.insert_returning_ids(conn, event_t, [_event(detail)])[0]
        core_ack = conn.execute(insert(ack_t).returning(ack_t.c.id), _ack(detail)).scalar()
        lean_ack = _batch.insert_returning_ids(conn, ack_t, [_ack(detail)])[0]
    assert lean_event == core_event + 1 and lean_ack == core_ack + 1
    events = _stored(store, "event", [core_event, lean_event])
    acks = _stored(store, "acknowledgement", [core_ack, lean_ack])
    assert events[0] == events[1] and acks[0] == acks[1]
    back = store.list_events(limit=5)
    assert {e.at for e in back} == {AT.astimezone(UTC)}


def test_the_lean_path_counts_its_statements_and_raises_the_stores_errors(store: Store) -> None:
    seen: list[tuple[str, bool]] = []
    after: list[str] = []
    event.listen(store._engine, "before_cursor_execute", lambda *a: seen.append((a[2], a[5])))
    event.listen(store._engine, "after_cursor_execute", lambda *a: after.append(a[2]))
    with store._write() as conn:
        seen.clear()
        event_id = _batch.insert_returning_ids(conn, event_t, [_event(None)])[0]
        _batch.bulk_insert(conn, event_t, [_event(None), _event({"n": 2})])
    inserts = [(s.split(" (")[0], many) for s, many in seen if s.startswith("INSERT")]
    assert inserts == [("INSERT INTO event", False), ("INSERT INTO event", True)]
    assert len(after) >= 2
    # a unique key refused (the sqlite3 error goes through SQLAlchemy's handling)
    with pytest.raises(StoreConflictError, match="constraint"), store._write() as conn:
        row = _event(None) | {"id": event_id}
        _batch.insert_returning_ids(conn, event_t, [row])
    # a foreign key refused, in an executemany
    with pytest.raises(StoreConflictError, match="FOREIGN KEY"), store._write() as conn:
        _batch.bulk_insert(conn, event_t, [_event(None), _event(None) | {"message_id": 999}])
    # nothing of the failed transactions stayed; the store goes on
    assert len(store.list_events(limit=10)) == 3
    with store._write() as conn:
        assert _batch.insert_returning_ids(conn, event_t, [_event(None)])[0] == event_id + 3


def test_outside_a_transaction_the_usual_path_runs(store: Store) -> None:
    with store._read() as conn:
        assert not conn.in_transaction()
        result = _prepared.execute(conn, "SELECT 1", ())
        assert not isinstance(result, _prepared.LeanResult)
        assert result.scalar_one() == 1
    with store._write() as conn:
        lean = _prepared.execute(conn, "SELECT 1 UNION ALL SELECT 2", ())
        assert isinstance(lean, _prepared.LeanResult)
        assert lean.scalars() == [1, 2] and lean.first() == (1,) and lean.scalar() == 1
        with pytest.raises(Exception, match="one row"):
            lean.scalar_one()
        assert _prepared.execute(conn, "SELECT 1 WHERE 0", ()).first() is None


def test_a_message_savepoint_undoes_its_writes_and_a_failed_undo_fails_the_group(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def keys() -> set[str]:
        return {o.idempotency_key for o in store.list_outbox(limit=50)}

    with store.batch():
        store.add_outbox([NewOutbox("a", "folder", "k", "kept")])
        with pytest.raises(RuntimeError), store.savepoint():
            store.add_outbox([NewOutbox("a", "folder", "k", "undone")])
            raise RuntimeError("an internal error in one message")
        with store.savepoint():
            store.add_outbox([NewOutbox("a", "folder", "k", "next")])
    assert keys() == {"kept", "next"}

    real = _prepared.execute

    def no_rollback(conn: Any, sql: str, parameters: Any) -> Any:
        if sql.startswith("ROLLBACK TO"):
            raise sqlite3.OperationalError("injected")
        return real(conn, sql, parameters)

    monkeypatch.setattr(_prepared, "execute", no_rollback)
    with pytest.raises(GroupWriteFailed, match="not rolled back"), store.batch():
        store.add_outbox([NewOutbox("a", "folder", "k", "group")])
        with store.savepoint():
            store.add_outbox([NewOutbox("a", "folder", "k", "half")])
            raise RuntimeError("an internal error in one message")
    assert keys() == {"kept", "next"}  # the whole group went back


def test_a_receipt_stores_what_a_core_insert_stores(store: Store) -> None:
    from gateway.store.records import NewReceipt
    from gateway.store.schema import received_message_t

    (first,) = store.record_receipts(
        [NewReceipt("ab" * 32, "folder", "p", "f.x12", 10, "/a/ab", "acct", AT)]
    )
    again = store.record_receipts(
        [NewReceipt("ab" * 32, "folder", "p", "g.x12", 10, "/a/ab", None, AT)]
    )
    assert not first.duplicate and again[0].duplicate
    assert again[0].message_id == first.message_id
    values = {
        "sha256": "cd" * 32,
        "channel": "folder",
        "account": "acct",
        "partner_id": "p",
        "original_name": "f.x12",
        "size": 10,
        "received_at": AT,
        "archive_path": "/a/ab",
        "status": "received",
    }
    with store._write() as conn:
        core = conn.execute(
            insert(received_message_t).returning(received_message_t.c.id), values
        ).scalar_one()
    stored = _stored(store, "received_message", [first.message_id, core])
    assert [v for v in stored[0] if v != "ab" * 32] == [v for v in stored[1] if v != "cd" * 32]


def batch_write_failure_undoes_only_that_write(store: Store) -> None:
    """Shared with tests/integration/test_prepared_postgres.py: in a batch, a write outside any
    message's savepoint takes its own (plain statements); its exception undoes it alone."""
    from sqlalchemy import select

    with store.batch():
        store.add_outbox([NewOutbox("a", "folder", "k", "kept")])
        with pytest.raises(RuntimeError), store._write() as conn:
            conn.execute(insert(event_t).values(kind="undone", detail={}, at=AT))
            raise RuntimeError("fails after its first statement")
        store.add_outbox([NewOutbox("a", "folder", "k", "after")])
    assert {o.idempotency_key for o in store.list_outbox(limit=50)} == {"kept", "after"}
    with store._read() as conn:
        kinds = set(conn.execute(select(event_t.c.kind)).scalars())
    assert "undone" not in kinds


def test_a_failed_write_in_a_batch_is_undone_alone(store: Store) -> None:
    batch_write_failure_undoes_only_that_write(store)
