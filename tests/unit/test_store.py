"""Store on a real SQLite file: migrations, receipts, batches, outbox leases, control numbers, locks."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.store import (
    MAX_CONTROL_NUMBER,
    AckDirection,
    AckKind,
    AckStatus,
    CounterKind,
    Direction,
    DuplicateInterchangeError,
    DurableControlNumbers,
    InterchangeStateError,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboundBatch,
    OutboxBuild,
    OutboxStatus,
    Store,
    StoreBusyError,
    StoreConfigError,
    StoreConflictError,
    TransactionControlNumbers,
    create_store,
)
from gateway.store.engine import hold_checkpoint, make_engine
from gateway.store.schema import Base
from gateway.x12.acks import ControlNumbers
from tests.migrations import HEAD_REVISION
from tests.store_checks import (
    check_one_outbox_row_is_one_statement_with_the_batch_rules,
    check_outbox_batch_with_existing_and_repeated_keys,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TABLES = {
    "received_message",
    "interchange",
    "functional_group",
    "transaction_set",
    "canonical_document",
    "correlation_key",
    "outbox",
    "acknowledgement",
    "event",
    "control_number_counter",
    "console_user",
    "console_session",
    "alert",
    "alembic_version",
}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gw.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = create_store(db_url, clock=lambda: T0)
    s.migrate()
    yield s
    s.close()


def receipt(store: Store, n: int = 1, partner: str = "demo-carrier") -> int:
    r = store.record_receipt(
        sha256=f"{n:064x}",
        channel="folder",
        partner_id=partner,
        original_name=f"file{n}.edi",
        size=100 + n,
        archive_path=f"archive/{n:064x}",
    )
    return int(r.message_id)


def interchange(control: str = "000000101", sets: int = 2, prefix: str = "") -> NewInterchange:
    set_rows = [
        NewSet(
            "214",
            f"{i + 1:04d}",
            "A",
            9,
            documents=[
                NewDocument(
                    "shipment_status",
                    "demo-carrier",
                    f"{prefix}LOAD{i}",
                    {"status": "delivered", "stop": i},
                    keys=[("bol", f"{prefix}BOL{i}"), ("pro", f"{prefix}PRO{i}")],
                    deliveries=[
                        NewOutbox("erp", "folder", "idoc", f"{prefix}{control}:{i}:erp"),
                        NewOutbox("portal", "folder", "portal", f"{prefix}{control}:{i}:portal"),
                    ],
                )
            ],
        )
        for i in range(sets)
    ]
    ack = NewAck(
        AckDirection.SENT,
        AckKind.FA997,
        AckStatus.ACCEPTED,
        "demo-carrier",
        control,
        "7",
        "QM",
        outbox_key=f"{prefix}{control}:997",
    )
    group = NewGroup("QM", "7", "004010", sets, "A", "DEMOCARRIER", "LOGIGATEWAY", set_rows, [ack])
    return NewInterchange(
        "demo-carrier",
        Direction.IN,
        "02",
        "DEMOCARRIER",
        "ZZ",
        "LOGIGATEWAY",
        control,
        "00401",
        "T",
        "accepted",
        groups=[group],
    )


def ack_outbox(control: str = "000000101", prefix: str = "") -> NewOutbox:
    return NewOutbox("demo-carrier", "folder", "x12-997", f"{prefix}{control}:997", b"ISA*00~")


# ---------------------------------------------------------------- schema and settings


def test_migration_creates_the_schema_the_models_describe(store: Store, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert names >= TABLES
    assert version == HEAD_REVISION
    assert diff == []
    store.migrate()  # a second start-up finds head and changes nothing
    assert store.check_integrity() == []


def test_sqlite_connection_settings(store: Store, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in (
                "journal_mode",
                "foreign_keys",
                "synchronous",
                "busy_timeout",
                "page_size",
                "cache_size",
                "wal_autocheckpoint",
            )
        }
    engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,  # FULL: every commit is durable before the gateway acts on it
        "busy_timeout": 5000,
        "page_size": 4096,
        "cache_size": -32768,  # KiB
        "wal_autocheckpoint": 1000,  # pages: 4 MB
    }


def test_an_existing_sqlite_file_keeps_its_page_size_and_checkpoints_after_4_mb(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA page_size = 8192")
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("CREATE TABLE t (x INTEGER)")
    raw.close()
    store = create_store(f"sqlite:///{path}")
    store.migrate()
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        page_size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
        journal_mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
        checkpoint = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    engine.dispose()
    assert (page_size, journal_mode, checkpoint) == (8192, "wal", 500)
    assert store.check_integrity() == []
    store.close()


def test_an_open_interchange_checkpoints_later_and_the_next_write_is_back_to_default(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.begin() as conn:
        hold_checkpoint(conn)
        held = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    with engine.begin() as conn:
        default = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    engine.dispose()
    assert (held, default) == (4000, 1000)  # 16 MB and 4 MB of 4 KB pages


def test_default_url_is_var_gateway_db_under_the_working_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = create_store()
    s.migrate()
    s.close()
    assert (tmp_path / "var" / "gateway.db").is_file()
    assert s.dialect == "sqlite"


def test_unsupported_url_is_a_config_error() -> None:
    with pytest.raises(StoreConfigError, match="unsupported database 'mysql'"):
        create_store("mysql://user@localhost/db")
    with pytest.raises(StoreConfigError, match="psycopg"):
        create_store("postgresql+asyncpg://u@localhost/db")


# ---------------------------------------------------------------- receipts and messages


def test_receipt_dedup_on_partner_and_sha256(store: Store) -> None:
    first = receipt(store, 1)
    again = store.record_receipt(
        sha256=f"{1:064x}",
        channel="sftp",
        partner_id="demo-carrier",
        original_name="renamed.edi",
        size=101,
        archive_path="archive/x",
    )
    other_partner = receipt(store, 1, partner="acme")
    assert again.duplicate is True
    assert again.message_id == first
    assert other_partner != first
    assert [m.id for m in store.list_messages()] == [other_partner, first]
    events = store.list_events(message_id=first)
    assert [e.kind for e in events] == ["received", "duplicate_receipt"]
    assert events[1].detail == {
        "channel": "sftp",
        "account": None,
        "name": "renamed.edi",
        "size": 101,
    }


def test_mark_message_and_list_filters(store: Store) -> None:
    ids = [receipt(store, n) for n in range(1, 6)]
    assert store.mark_message(
        ids[1], MessageStatus.QUARANTINED, quarantine_reason="not X12", event=NewEvent("q")
    )
    assert store.mark_message(ids[2], MessageStatus.DUPLICATE, duplicate_of=ids[0])
    assert not store.mark_message(9999, MessageStatus.FAILED)
    quarantined = store.get_message(ids[1])
    assert quarantined is not None
    assert quarantined.status is MessageStatus.QUARANTINED
    assert quarantined.quarantine_reason == "not X12"
    assert quarantined.received_at == T0
    duplicate = store.get_message(ids[2])
    assert duplicate is not None and duplicate.duplicate_of == ids[0]
    received = store.list_messages(status=MessageStatus.RECEIVED, oldest_first=True)
    assert [m.id for m in received] == [ids[0], ids[3], ids[4]]
    assert [m.id for m in store.list_messages(limit=2, before_id=ids[3])] == [ids[2], ids[1]]
    assert store.counts()["messages"] == {"received": 3, "quarantined": 1, "duplicate": 1}


# ---------------------------------------------------------------- interchange batches


def test_interchange_batch_writes_everything_in_one_go(store: Store) -> None:
    mid = receipt(store)
    ids = store.record_interchange_batch(
        mid, interchange(), outbox=[ack_outbox()], events=[NewEvent("parsed", {"sets": 2})]
    )
    assert len(ids.group_ids) == 1
    assert len(ids.set_ids) == 2
    assert len(ids.document_ids) == 2
    assert len(ids.outbox_ids) == 5  # 2 documents x 2 destinations + the 997
    assert ids.skipped_outbox_keys == ()

    message = store.get_message(mid)
    assert message is not None and message.status is MessageStatus.PARSED
    found = store.find_interchange(Direction.IN, "DEMOCARRIER", "000000101")
    assert found is not None and found.id == ids.interchange_id and found.message_id == mid
    assert store.find_interchange(Direction.OUT, "DEMOCARRIER", "000000101") is None
    groups = store.list_groups(ids.interchange_id or 0)
    assert [(g.functional_id, g.control_number, g.set_count) for g in groups] == [("QM", "7", 2)]
    sets = store.list_sets(groups[0].id)
    assert [(s.set_id, s.control_number, s.outcome) for s in sets] == [
        ("214", "0001", "A"),
        ("214", "0002", "A"),
    ]

    docs = store.search("BOL1")
    assert len(docs) == 1
    assert docs[0].business_key == "LOAD1"
    assert docs[0].keys == (("bol", "BOL1"), ("pro", "PRO1"))
    assert docs[0].payload == {"status": "delivered", "stop": 1}
    assert docs[0].transaction_set_id == ids.set_ids[1]
    assert [d.id for d in store.search("LOAD0")] == [ids.document_ids[0]]

    outbox = {o.idempotency_key: o for o in store.list_outbox()}
    assert outbox["000000101:1:erp"].document_id == ids.document_ids[1]
    assert outbox["000000101:1:erp"].source_message_id == mid
    assert outbox["000000101:997"].payload == b"ISA*00~"
    assert outbox["000000101:997"].document_id is None

    (ack,) = store.list_acks(direction=AckDirection.SENT)
    assert ack.group_id == ids.group_ids[0]
    assert ack.interchange_id == ids.interchange_id
    assert ack.outbox_id == outbox["000000101:997"].id
    assert [e.kind for e in store.list_events(message_id=mid)] == ["received", "parsed"]


def test_batch_skips_existing_idempotency_keys(store: Store) -> None:
    first = store.record_interchange_batch(receipt(store, 1), interchange(), outbox=[ack_outbox()])
    second = store.record_interchange_batch(receipt(store, 2), interchange(), outbox=[ack_outbox()])
    assert second.outbox_ids == ()
    assert set(second.skipped_outbox_keys) == {
        "000000101:0:erp",
        "000000101:0:portal",
        "000000101:1:erp",
        "000000101:1:portal",
        "000000101:997",
    }
    assert len(store.list_outbox()) == 5
    acks = store.list_acks(direction=AckDirection.SENT)
    # the second ack row still points at the (existing) delivery that carries it
    assert {a.outbox_id for a in acks} == {first.outbox_ids[-1]}


def test_failed_batch_leaves_nothing_behind(store: Store) -> None:
    mid = receipt(store)
    broken_ack = NewAck(
        AckDirection.SENT, AckKind.FA997, AckStatus.ACCEPTED, "p", "1", ack_message_id=424242
    )
    with pytest.raises(StoreConflictError, match="FOREIGN KEY"):
        store.record_interchange_batch(mid, replace(interchange(), acks=[broken_ack]))
    assert store.list_interchanges() == []
    assert store.list_outbox() == []
    assert store.list_documents() == []
    message = store.get_message(mid)
    assert message is not None and message.status is MessageStatus.RECEIVED


class _CountedBuild:
    """An OutboxBuild whose build and discard calls are counted (it builds no rows)."""

    def __init__(self) -> None:
        self.built = self.discarded = 0

    def outbox_build(self) -> OutboxBuild:
        def build(numbers: object) -> list[NewOutbox]:
            self.built += 1
            return []

        def discard() -> None:
            self.discarded += 1

        return OutboxBuild("demo-carrier", build, discard)


@pytest.mark.parametrize("in_batch", [False, True])
def test_a_build_the_write_never_took_is_discarded_once(store: Store, in_batch: bool) -> None:
    """A write that fails before handing its OutboxBuild over discards it (its spooled 997
    goes); one that succeeds builds it, at once or at the group's end, never both."""
    first_message = receipt(store, 1)
    ok = _CountedBuild()
    with store.batch() if in_batch else contextlib.nullcontext():
        store.record_interchange_batch(
            first_message, interchange(), reject_duplicate=True, build_outbox=ok.outbox_build()
        )
    assert (ok.built, ok.discarded) == (1, 0)
    refused = _CountedBuild()
    second_message = receipt(store, 2)
    with (
        store.batch() if in_batch else contextlib.nullcontext(),
        pytest.raises(DuplicateInterchangeError),
    ):
        store.record_interchange_batch(
            second_message,
            interchange(prefix="b-"),
            reject_duplicate=True,
            build_outbox=refused.outbox_build(),
        )
    assert (refused.built, refused.discarded) == (0, 1)
    closed = _CountedBuild()
    with pytest.raises(InterchangeStateError):
        store.finish_interchange(
            424242, outcome="accepted", release=True, build_outbox=closed.outbox_build()
        )
    assert (closed.built, closed.discarded) == (0, 1)


def test_known_interchange_is_rejected_atomically(store: Store) -> None:
    first_message = receipt(store, 1)
    first = store.record_interchange_batch(first_message, interchange(), reject_duplicate=True)
    second_message = receipt(store, 2)
    with pytest.raises(DuplicateInterchangeError) as caught:
        store.record_interchange_batch(
            second_message, interchange(prefix="b-"), reject_duplicate=True
        )
    assert caught.value.existing_id == first.interchange_id
    assert caught.value.existing_message_id == first_message
    assert len(store.list_interchanges()) == 1
    assert store.search("b-BOL0") == []
    message = store.get_message(second_message)
    assert message is not None and message.status is MessageStatus.RECEIVED
    # the same ISA13 from another sender is another interchange
    other = replace(interchange(prefix="c-"), sender_id="OTHER")
    assert store.record_interchange_batch(receipt(store, 3), other, reject_duplicate=True)


def test_large_batch_keeps_ids_in_input_order(store: Store) -> None:
    ids = store.record_interchange_batch(receipt(store), interchange(sets=1500))
    assert len(ids.set_ids) == 1500
    assert list(ids.set_ids) == sorted(ids.set_ids)
    docs = {d.business_key: d.id for d in store.list_documents(limit=2000)}
    assert docs["LOAD0"] == ids.document_ids[0]
    assert docs["LOAD1499"] == ids.document_ids[1499]
    assert store.search("PRO777")[0].id == ids.document_ids[777]


def test_record_documents_without_envelope(store: Store) -> None:
    mid = receipt(store, partner="erp")
    doc = NewDocument(
        "load_tender",
        "erp",
        "0080007777",
        {"order": "0080007777"},
        keys=[("erp_order", "0080007777"), ("po", "PO-1"), ("po", "PO-2")],
        deliveries=[NewOutbox("demo-carrier", "folder", "x12-204", "tender:0080007777")],
    )
    ids = store.record_documents(mid, [doc], events=[NewEvent("idoc_parsed")])
    assert ids.interchange_id is None
    assert len(ids.document_ids) == 1 and len(ids.outbox_ids) == 1
    (found,) = store.search("PO-2")
    assert found.message_id == mid
    assert found.keys == (("erp_order", "0080007777"), ("po", "PO-1"), ("po", "PO-2"))


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        store.add_outbox(
            [NewOutbox("x", "folder", "k", "naive", next_attempt_at=datetime(2025, 1, 1))]
        )


# ---------------------------------------------------------------- outbox


def test_outbox_claim_complete_and_fence(store: Store) -> None:
    ids = store.add_outbox([NewOutbox("erp", "folder", "idoc", f"k{i}") for i in range(3)])
    assert store.add_outbox([NewOutbox("erp", "folder", "idoc", "k1")]) == [ids[1]]

    first = store.claim_outbox(2, lease_seconds=60, now=T0)
    assert [r.id for r in first] == ids[:2]
    assert all(r.status is OutboxStatus.IN_FLIGHT and r.attempts == 1 for r in first)
    second = store.claim_outbox(10, lease_seconds=600, now=T0)
    assert [r.id for r in second] == [ids[2]]
    assert store.claim_outbox(10, lease_seconds=60, now=T0) == []

    row = first[0]
    assert row.lease_token is not None
    assert not store.complete_outbox(row.id, "not-the-token", now=T0)
    # the lease runs out; another worker takes the job with a new token
    later = T0 + timedelta(seconds=61)
    retaken = store.claim_outbox(10, lease_seconds=60, now=later)
    assert [r.id for r in retaken] == ids[:2]
    assert retaken[0].attempts == 2
    assert retaken[0].lease_token != row.lease_token
    assert not store.complete_outbox(row.id, row.lease_token, now=later)  # stale worker: 0 rows
    assert not store.extend_lease(row.id, row.lease_token, 60, now=later)
    assert store.extend_lease(row.id, retaken[0].lease_token or "", 120, now=later)
    assert store.complete_outbox(row.id, retaken[0].lease_token or "", now=later)
    done = store.get_outbox(row.id)
    assert done is not None and done.status is OutboxStatus.DELIVERED
    assert done.delivered_at == later and done.lease_token is None
    assert [e.kind for e in store.list_events(outbox_id=row.id)] == ["delivered"]


def test_outbox_batch_with_existing_and_repeated_keys(store: Store) -> None:
    check_outbox_batch_with_existing_and_repeated_keys(store, T0)


def test_one_outbox_row_is_one_statement_with_the_batch_rules(store: Store) -> None:
    check_one_outbox_row_is_one_statement_with_the_batch_rules(store, T0)


def test_outbox_fail_retry_dead_and_replay(store: Store) -> None:
    (oid,) = store.add_outbox([NewOutbox("tms", "http", "json", "k")])
    (row,) = store.claim_outbox(1, 30, now=T0)
    retry_at = T0 + timedelta(minutes=5)
    assert store.fail_outbox(oid, row.lease_token or "", "HTTP 503", retry_at, dead=False, now=T0)
    assert store.claim_outbox(1, 30, now=T0 + timedelta(minutes=4)) == []
    (row,) = store.claim_outbox(1, 30, now=retry_at)
    assert row.attempts == 2 and row.last_error == "HTTP 503"
    assert store.fail_outbox(oid, row.lease_token or "", "HTTP 400", retry_at, dead=True, now=T0)
    assert store.claim_outbox(1, 30, now=T0 + timedelta(days=1)) == []
    (dead,) = store.list_outbox(status=OutboxStatus.DEAD)
    assert dead.id == oid and dead.last_error == "HTTP 400"
    assert store.replay_outbox(oid, now=T0)
    assert not store.replay_outbox(oid, now=T0)  # already pending
    (again,) = store.claim_outbox(1, 30, now=T0)
    assert again.attempts == 1
    kinds = [e.kind for e in store.list_events(outbox_id=oid)]
    assert kinds == ["delivery_failed", "dead_lettered", "replayed"]


def test_complete_many_and_channel_filter(store: Store) -> None:
    store.add_outbox([NewOutbox("erp", "folder", "idoc", f"f{i}") for i in range(3)])
    store.add_outbox([NewOutbox("tms", "http", "json", "h0")])
    claimed = store.claim_outbox(10, 60, now=T0, channel="folder")
    assert {r.channel for r in claimed} == {"folder"} and len(claimed) == 3
    token = claimed[0].lease_token or ""
    done = store.complete_outbox_many([r.id for r in claimed], token, now=T0)
    assert done == [r.id for r in claimed]
    assert store.complete_outbox_many([r.id for r in claimed], token, now=T0) == []
    assert [r.destination for r in store.claim_outbox(10, 60, now=T0)] == ["tms"]


# ---------------------------------------------------------------- acknowledgements


def test_overdue_acks_are_reported_exactly_once(store: Store) -> None:
    due = T0 + timedelta(minutes=60)
    expected = [
        NewAck(AckDirection.EXPECTED, AckKind.FA997, AckStatus.PENDING, "c", "1", str(g), "SM", due)
        for g in (1, 2)
    ]
    a1, a2 = store.add_acks(expected)
    assert store.update_ack(a2, AckStatus.ACCEPTED, detail={"ak9": "A"}, now=T0)
    assert store.mark_overdue_acks(now=due) == []  # not yet past due
    overdue = store.mark_overdue_acks(now=due + timedelta(seconds=1))
    assert [a.id for a in overdue] == [a1]
    assert overdue[0].status is AckStatus.OVERDUE
    assert store.mark_overdue_acks(now=due + timedelta(hours=5)) == []
    # a late 997 clears it, but only from pending/overdue
    assert store.update_ack(
        a1, AckStatus.ACCEPTED, only_from=[AckStatus.PENDING, AckStatus.OVERDUE]
    )
    assert not store.update_ack(a1, AckStatus.REJECTED, only_from=[AckStatus.PENDING])
    (found,) = store.list_acks(partner_id="c", group_control_number="1")
    assert found.status is AckStatus.ACCEPTED


# ---------------------------------------------------------------- control numbers


def test_control_numbers_are_sequential_per_partner_and_kind(store: Store) -> None:
    numbers: ControlNumbers = DurableControlNumbers(store, "demo-carrier")  # the X12 protocol
    assert [numbers.next_interchange() for _ in range(3)] == [1, 2, 3]
    assert numbers.next_group() == 1
    assert DurableControlNumbers(store, "demo-carrier").next_set() == 1
    assert DurableControlNumbers(store, "acme").next_interchange() == 1
    assert store.allocate_control_numbers("demo-carrier", CounterKind.INTERCHANGE, 4) == [
        4,
        5,
        6,
        7,
    ]


def test_control_numbers_wrap_after_nine_digits(store: Store) -> None:
    store.set_last_control_number("p", CounterKind.INTERCHANGE, MAX_CONTROL_NUMBER - 1)
    assert store.allocate_control_numbers("p", CounterKind.INTERCHANGE, 3) == [
        MAX_CONTROL_NUMBER,
        1,
        2,
    ]


@pytest.mark.parametrize(
    ("last", "n"),
    [
        (0, 1),
        (0, 5),
        (1, 1),
        (41, 3),
        (MAX_CONTROL_NUMBER - 1, 1),
        (MAX_CONTROL_NUMBER - 1, 3),
        (MAX_CONTROL_NUMBER, 1),
        (MAX_CONTROL_NUMBER, 4),
        (MAX_CONTROL_NUMBER - 2, 7),
        (123_456_789, 2),
        (999_999_990, 20),
    ],
)
def test_control_numbers_one_statement_equals_read_then_write(
    store: Store, last: int, n: int
) -> None:
    """The single UPDATE ... RETURNING gives what reading the last value and writing the new
    one gave: the `n` numbers after `last`, wrapped to 1 after 999999999, and the counter moves
    to the last of them."""
    expected = [(last + i - 1) % MAX_CONTROL_NUMBER + 1 for i in range(1, n + 1)]
    store.set_last_control_number("p", CounterKind.GROUP, last)
    assert store.allocate_control_numbers("p", CounterKind.GROUP, n) == expected
    assert store.allocate_control_numbers("p", CounterKind.GROUP, 1) == [
        expected[-1] % MAX_CONTROL_NUMBER + 1
    ]


def test_control_numbers_never_repeat_or_skip_under_threads(db_url: str, store: Store) -> None:
    stores = [create_store(db_url) for _ in range(4)]
    got: list[list[int]] = [[] for _ in stores]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            numbers = DurableControlNumbers(stores[i], "demo-carrier")
            for _ in range(200):
                got[i].append(numbers.next_interchange())
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []
    everything = sorted(n for part in got for n in part)
    assert everything == list(range(1, 801))
    assert all(part == sorted(part) for part in got)


def test_concurrent_read_then_write_transactions_queue_instead_of_failing(
    db_url: str, store: Store
) -> None:
    # add_outbox reads (existing keys) before it writes: with a deferred BEGIN a concurrent
    # commit would make its snapshot stale and SQLite would refuse the write outright.
    stores = [create_store(db_url) for _ in range(4)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for n in range(60):
                stores[i].add_outbox([NewOutbox("erp", "folder", "idoc", f"t{i}:{n}")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []
    assert len(store.list_outbox(limit=1000)) == 240


def test_outbound_rollback_returns_its_control_numbers(store: Store) -> None:
    def failing(numbers: TransactionControlNumbers) -> OutboundBatch:
        numbers.next_interchange()
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        store.record_outbound("acme", failing)

    def build(numbers: TransactionControlNumbers) -> OutboundBatch:
        isa13 = f"{numbers.next_interchange():09d}"
        gs06 = str(numbers.next_group())
        due = T0 + timedelta(hours=1)
        expected = NewAck(
            AckDirection.EXPECTED, AckKind.FA997, AckStatus.PENDING, "acme", isa13, gs06, "SM", due
        )
        sets = [NewSet("204", "0001", "A", 20)]
        group = NewGroup("SM", gs06, "004010", 1, sets=sets, acks=[expected])
        ic = NewInterchange(
            "acme", Direction.OUT, "ZZ", "LOGIGATEWAY", "02", "ACME", isa13, "00401", "T",
            "sent", groups=[group],
        )  # fmt: skip
        return OutboundBatch(ic, [NewOutbox("acme", "sftp", "x12-204", f"204:{isa13}", b"ISA")])

    ids = store.record_outbound("acme", build)
    (out,) = store.list_interchanges(direction=Direction.OUT)
    assert out.id == ids.interchange_id
    assert out.control_number == "000000001"  # the rolled-back allocation was given back
    (ack,) = store.list_acks(direction=AckDirection.EXPECTED)
    assert (ack.group_control_number, ack.group_id) == ("1", ids.group_ids[0])


# ---------------------------------------------------------------- locking and crashes


def test_second_writer_gets_store_busy_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    create_store(url).migrate()
    holder = sqlite3.connect(tmp_path / "gw.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process mid-write
    busy = create_store(url, busy_timeout_ms=200)
    try:
        with pytest.raises(StoreBusyError) as caught:
            busy.record_receipt(
                sha256="ab" * 32,
                channel="folder",
                partner_id="p",
                original_name="x",
                size=1,
                archive_path="a",
            )
        message = str(caught.value)
        assert "database is locked" not in message
        assert "locked by another writer for more than 0.2 s" in message
        assert str(tmp_path / "gw.db") in message
        assert busy.list_messages() == []  # WAL readers are not blocked by the writer
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.record_receipt(
        sha256="ab" * 32, channel="folder", partner_id="p", original_name="x", size=1,
        archive_path="a",
    ).duplicate is False  # fmt: skip
    busy.close()


WRITER = """
import sys
from gateway.store import create_store
store = create_store(sys.argv[1])
for n in range(100000):
    r = store.record_receipt(sha256=f"{n:064x}", channel="folder", partner_id="p",
                             original_name=f"f{n}", size=n, archive_path="a")
    print(r.message_id, flush=True)
"""


def test_kill_9_mid_writes_loses_no_committed_receipt(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    create_store(url).migrate()
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        committed = [int(proc.stdout.readline()) for _ in range(200)]
        proc.kill()  # SIGKILL: no clean-up, possibly mid-transaction
    store = create_store(url)
    assert store.check_integrity() == []
    present = {m.id for m in store.list_messages(limit=1_000_000)}
    store.close()
    assert set(committed) <= present
    assert len(present) >= 200
