"""990 tender responses tracked as acks on a real SQLite file; migration 0002 -> 0003 and back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    NewAck,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboundBatch,
    Store,
    StoreConflictError,
    TransactionControlNumbers,
    create_store,
)
from gateway.store.engine import make_engine
from gateway.store.migrate import alembic_config, sqlite_foreign_keys_deferred, upgrade_engine
from gateway.store.schema import Base

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DUE = T0 + timedelta(hours=2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(f"sqlite:///{tmp_path / 'gw.db'}", clock=lambda: T0)
    s.migrate()
    yield s
    s.close()


def expected_990(isa13: str, partner: str = "acme", due: datetime = DUE) -> NewAck:
    return NewAck(AckDirection.EXPECTED, AckKind.TENDER_RESPONSE, AckStatus.PENDING, partner,
                  isa13, due_at=due)  # fmt: skip


def expected_997(isa13: str, gs06: str, partner: str = "acme") -> NewAck:
    return NewAck(AckDirection.EXPECTED, AckKind.FA997, AckStatus.PENDING, partner, isa13, gs06,
                  "SM", DUE)  # fmt: skip


def test_the_990_kind_is_the_x12_set_id() -> None:
    assert AckKind.TENDER_RESPONSE.value == "990"
    assert AckKind("990") is AckKind.TENDER_RESPONSE


# ---------------------------------------------------------------- tracking


def test_expected_990_goes_overdue_once_and_a_late_answer_settles_it(store: Store) -> None:
    (tender,) = store.add_acks([expected_990("000000401")])
    store.add_acks([expected_997("000000401", "401")])
    (row,) = store.list_acks(kind=AckKind.TENDER_RESPONSE)
    assert (row.id, row.kind, row.status, row.direction) == (
        tender, AckKind.TENDER_RESPONSE, AckStatus.PENDING, AckDirection.EXPECTED,
    )  # fmt: skip
    assert (row.interchange_control_number, row.group_control_number, row.due_at) == (
        "000000401", None, DUE,
    )  # fmt: skip

    # the 997 expected beside it settles on its own: the 990 still waits
    (fa,) = store.list_acks(kind=AckKind.FA997)
    assert store.update_ack(fa.id, AckStatus.ACCEPTED, now=T0)
    assert store.mark_overdue_acks(now=DUE) == []  # not yet past due
    overdue = store.mark_overdue_acks(now=DUE + timedelta(seconds=1))
    assert [(a.id, a.kind, a.status) for a in overdue] == [
        (tender, AckKind.TENDER_RESPONSE, AckStatus.OVERDUE)
    ]
    assert store.mark_overdue_acks(now=DUE + timedelta(days=1)) == []  # reported once

    # the carrier's late 990 (B1-04 A) still settles it, from overdue
    late = DUE + timedelta(hours=3)
    detail = {"shipment_id": "SH-401", "action": "accepted", "code": "A"}
    assert store.update_ack(
        tender, AckStatus.ACCEPTED, ack_message_id=None, detail=detail,
        only_from=(AckStatus.PENDING, AckStatus.OVERDUE), now=late,
    )  # fmt: skip
    # a second answer does not overwrite the first
    assert not store.update_ack(
        tender, AckStatus.REJECTED, only_from=(AckStatus.PENDING, AckStatus.OVERDUE)
    )
    (settled,) = store.list_acks(kind=AckKind.TENDER_RESPONSE, partner_id="acme")
    assert (settled.status, settled.detail, settled.updated_at) == (
        AckStatus.ACCEPTED, detail, late,
    )  # fmt: skip
    assert store.list_acks(kind=AckKind.TENDER_RESPONSE, status=AckStatus.OVERDUE) == []


def test_declined_990_settles_pending_as_rejected(store: Store) -> None:
    first, second = store.add_acks([expected_990("000000501"), expected_990("000000502")])
    mid = store.record_receipt(
        sha256="99" * 32, channel="sftp", partner_id="acme", original_name="990.edi",
        size=40, archive_path="a/990.edi", received_at=T0,
    ).message_id  # fmt: skip
    detail = {"shipment_id": "SH-501", "action": "declined", "code": "D", "decline_reason": "EQT"}
    assert store.update_ack(
        first, AckStatus.REJECTED, ack_message_id=mid, detail=detail,
        only_from=(AckStatus.PENDING, AckStatus.OVERDUE),
    )  # fmt: skip
    by_isa13 = {
        a.interchange_control_number: a
        for a in store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.TENDER_RESPONSE)
    }
    assert (by_isa13["000000501"].status, by_isa13["000000501"].ack_message_id) == (
        AckStatus.REJECTED, mid,
    )  # fmt: skip
    assert by_isa13["000000501"].detail == detail
    assert by_isa13["000000502"].status is AckStatus.PENDING
    # a decided tender never goes overdue; only the one still waiting does
    overdue = store.mark_overdue_acks(now=DUE + timedelta(minutes=1))
    assert [a.id for a in overdue] == [second]
    assert store.list_acks(kind=AckKind.TENDER_RESPONSE, interchange_control_number="x") == []


def test_outbound_204_carries_its_990_expectation_at_interchange_level(store: Store) -> None:
    def build(numbers: TransactionControlNumbers) -> OutboundBatch:
        isa13 = f"{numbers.next_interchange():09d}"
        gs06 = str(numbers.next_group())
        group = NewGroup("SM", gs06, "004010", 1, sets=[NewSet("204", "0001", "A", 20)],
                         acks=[expected_997(isa13, gs06)])  # fmt: skip
        ic = NewInterchange(
            "acme", Direction.OUT, "ZZ", "LOGIGATEWAY", "02", "ACME", isa13, "00401", "T",
            "sent", groups=[group], acks=[expected_990(isa13)],
        )  # fmt: skip
        return OutboundBatch(ic, [NewOutbox("acme", "sftp", "204", f"204:{isa13}", b"ISA")])

    ids = store.record_outbound("acme", build)
    (tender,) = store.list_acks(kind=AckKind.TENDER_RESPONSE)
    (fa,) = store.list_acks(kind=AckKind.FA997)
    assert (tender.interchange_id, tender.group_id, tender.interchange_control_number) == (
        ids.interchange_id, None, "000000001",
    )  # fmt: skip
    assert (fa.interchange_id, fa.group_id) == (ids.interchange_id, ids.group_ids[0])


def test_ack_kind_check_still_refuses_unknown_kinds(store: Store) -> None:
    with (
        pytest.raises(StoreConflictError, match="failed: ck_acknowledgement_kind"),
        store._write() as c,
    ):
        c.exec_driver_sql(
            "INSERT INTO acknowledgement (direction, kind, status, partner_id,"
            " interchange_control_number, created_at, updated_at) VALUES ('expected', '991',"
            " 'pending', 'acme', '1', '2025-03-01 12:00:00', '2025-03-01 12:00:00')"
        )
    assert store.list_acks() == []


# ---------------------------------------------------------------- migration


def insert_ack(engine: Engine, kind: str, status: str = "pending") -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO acknowledgement (direction, kind, status, partner_id,"
            f" interchange_control_number, created_at, updated_at) VALUES ('expected', '{kind}',"
            f" '{status}', 'acme', '9', '2025-03-01 12:00:00', '2025-03-01 12:00:00')"
        )


def kind_check_sql(engine: Engine) -> str:
    with engine.connect() as conn:
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'acknowledgement'"
        ).scalar_one()
    (line,) = [part for part in str(sql).split("\n") if "kind IN" in part]
    return line.strip().rstrip(",")


def downgrade_engine(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.connect() as conn, sqlite_foreign_keys_deferred(conn), conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_migration_0003_upgrades_a_populated_0002_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade_engine(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO received_message (id, sha256, channel, partner_id, original_name, size,"
            " received_at, archive_path, status) VALUES (1, 'ab', 'sftp', 'acme', 'a.edi', 1,"
            " '2025-03-01 12:00:00', 'x', 'parsed')"
        )
        conn.exec_driver_sql(
            "INSERT INTO interchange (id, partner_id, direction, sender_qualifier, sender_id,"
            " receiver_qualifier, receiver_id, control_number, version, usage, outcome,"
            " created_at) VALUES (3, 'acme', 'out', 'ZZ', 'GW', '02', 'ACME', '000000301',"
            " '00401', 'T', 'sent', '2025-03-01 12:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO outbox (id, destination, channel, kind, idempotency_key, status, attempts,"
            " next_attempt_at, created_at, source_message_id) VALUES (7, 'acme', 'sftp', '997',"
            " 'k7', 'delivered', 1, '2025-03-01 12:00:00', '2025-03-01 12:00:00', 1)"
        )
        # the acknowledgement table is the one the migration copies and replaces
        conn.exec_driver_sql(
            "INSERT INTO acknowledgement (id, direction, kind, status, partner_id, interchange_id,"
            " interchange_control_number, outbox_id, outbox_key, due_at, created_at, updated_at)"
            " VALUES (11, 'expected', 'TA1', 'overdue', 'acme', 3, '000000301', NULL, NULL,"
            " '2025-03-01 13:00:00', '2025-03-01 12:00:00', '2025-03-01 13:00:01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO acknowledgement (id, direction, kind, status, partner_id,"
            " interchange_control_number, outbox_id, outbox_key, ack_message_id, detail,"
            " created_at, updated_at) VALUES (12, 'sent', '997', 'accepted', 'acme', '1', 7, 'k7',"
            " 1, '{\"ak9\": \"A\"}', '2025-03-01 12:00:00', '2025-03-01 12:00:00')"
        )
    with pytest.raises(IntegrityError, match="failed: ck_acknowledgement_ck_acknowledgement_kind"):
        insert_ack(engine, "990")  # 0002 does not know the kind yet

    upgrade_engine(engine)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        enforced = conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    assert (version, diff, enforced, broken) == ("0010", [], 1, [])
    assert kind_check_sql(engine) == (
        "CONSTRAINT ck_acknowledgement_kind CHECK (kind IN ('997', '999', 'TA1', '990'))"
    )

    store = create_store(url)
    try:
        ta1, fa = sorted(store.list_acks(), key=lambda a: a.id)
        assert (ta1.id, ta1.kind, ta1.status, ta1.interchange_id, ta1.due_at) == (
            11, AckKind.TA1, AckStatus.OVERDUE, 3, datetime(2025, 3, 1, 13, 0, tzinfo=UTC),
        )  # fmt: skip
        assert (fa.id, fa.kind, fa.outbox_id, fa.ack_message_id, fa.detail) == (
            12, AckKind.FA997, 7, 1, {"ak9": "A"},
        )  # fmt: skip
        (new,) = store.add_acks([expected_990("000000301")], interchange_id=3)
        assert [a.id for a in store.list_acks(kind=AckKind.TENDER_RESPONSE)] == [new]
        # the copy kept the other CHECKs and the foreign keys
        with pytest.raises(
            IntegrityError, match="failed: ck_acknowledgement_ck_acknowledgement_st"
        ):
            insert_ack(engine, "990", status="lost")
        with pytest.raises(StoreConflictError, match="FOREIGN KEY constraint failed"):
            store.add_acks([expected_990("000000302")], interchange_id=99)
    finally:
        store.close()
        engine.dispose()


def test_downgrade_to_0002_refuses_while_990_rows_exist(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    engine = make_engine(url)
    upgrade_engine(engine)
    insert_ack(engine, "990")
    with pytest.raises(RuntimeError, match="1 acknowledgement rows of kind 990 exist"):
        downgrade_engine(engine, "0002")
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    assert version == "0010"  # the refused downgrade changed nothing

    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM acknowledgement WHERE kind = '990'")
    insert_ack(engine, "997")
    downgrade_engine(engine, "0002")
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        kinds = conn.exec_driver_sql("SELECT kind FROM acknowledgement").scalars().all()
    assert (version, kinds) == ("0002", ["997"])
    assert kind_check_sql(engine) == (
        "CONSTRAINT ck_acknowledgement_ck_acknowledgement_kind"
        " CHECK (kind IN ('997', '999', 'TA1'))"
    )
    with pytest.raises(IntegrityError, match="failed: ck_acknowledgement_ck_acknowledgement_kind"):
        insert_ack(engine, "990")
    engine.dispose()
