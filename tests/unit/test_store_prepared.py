"""Statements prepared once per dialect (`gateway.store._prepared`) send what SQLAlchemy would:
the same SQL, constants and bind processing (UtcDateTime), and refuse what they cannot take."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, event, select, update

from gateway.store import Store, _prepared, create_store
from gateway.store.schema import UtcDateTime, interchange_t


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(f"sqlite:///{tmp_path / 'prepared.db'}")
    s.migrate()
    yield s
    s.close()


def _touch(dialect: str) -> Any:
    i = interchange_t.c
    return (
        update(interchange_t)
        .where((i.id == bindparam("interchange_id")) & (i.outcome == "processing"))
        .values(created_at=bindparam("at", type_=UtcDateTime()), outcome=bindparam("outcome"))
        .returning(i.message_id)
    )


def _insert_interchange(conn: Any, outcome: str) -> int:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    row = {
        "partner_id": "p",
        "direction": "in",
        "sender_qualifier": "ZZ",
        "sender_id": "S",
        "receiver_qualifier": "ZZ",
        "receiver_id": "R",
        "control_number": "1",
        "version": "00401",
        "usage": "P",
        "outcome": outcome,
        "created_at": at,
    }
    return int(conn.execute(interchange_t.insert().values(row)).inserted_primary_key[0])


def test_a_prepared_statement_sends_what_core_sends_and_stores_the_same(store: Store) -> None:
    sent: list[tuple[str, Any]] = []
    at = datetime(2026, 12, 7, 5, 0, tzinfo=timezone(timedelta(hours=2)))
    with store._write() as conn:
        ids = [_insert_interchange(conn, "processing") for _ in range(3)]
        _insert_interchange(conn, "accepted")
        event.listen(conn, "before_cursor_execute", lambda *a: sent.append((a[2], a[3])))
        core = conn.execute(
            _touch("sqlite"), {"interchange_id": ids[0], "at": at, "outcome": "accepted"}
        ).all()
        prepared = _prepared.run(
            conn, "test_touch", _touch, interchange_id=ids[1], at=at, outcome="accepted"
        ).all()
        # the constant 'processing' travels too: a closed interchange is not touched
        again = _prepared.run(
            conn, "test_touch", _touch, interchange_id=ids[1], at=at, outcome="rejected"
        ).all()
    assert core == prepared == [(None,)] and again == []
    (core_sql, core_params), (prep_sql, prep_params), _ = sent
    assert core_sql == prep_sql
    # the same values in the same order, but for the interchange id
    assert tuple(core_params) == tuple(ids[0] if p == ids[1] else p for p in prep_params)
    with store._read() as conn:
        rows = dict(conn.execute(select(interchange_t.c.id, interchange_t.c.created_at)).all())
    assert rows[ids[0]] == rows[ids[1]] == at  # the same UTC instant, read back aware
    assert rows[ids[2]] == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_prepared_statement_refuses_an_expanding_parameter(store: Store) -> None:
    def by_ids(dialect: str) -> Any:
        return select(interchange_t.c.id).where(
            interchange_t.c.id.in_(bindparam("ids", expanding=True))
        )

    with store._read() as conn, pytest.raises(ValueError, match="expanding"):
        _prepared.run(conn, "test_by_ids", by_ids, ids=[1, 2])


def test_a_missing_parameter_is_an_error_not_a_null(store: Store) -> None:
    with store._write() as conn, pytest.raises(KeyError):
        _prepared.run(conn, "test_touch", _touch, interchange_id=1, at=datetime.now(UTC))
