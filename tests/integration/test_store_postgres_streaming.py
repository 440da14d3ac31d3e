"""Streaming interchanges, business-event dedup, threads and the hold queue on real PostgreSQL.

Each test gets its own database, dropped afterwards. Skipped when no server answers on
127.0.0.1:5432, except under CI=true, where an unreachable server is a failure.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    DocumentRow,
    DocumentStatus,
    InterchangeStateError,
    MessageStatus,
    NewAck,
    NewDocument,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    NewShipmentStatus,
    OutboxStatus,
    Store,
    _batch,
    create_store,
)
from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_engine
from gateway.store.schema import Base

pytestmark = pytest.mark.integration

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ISA13 = "000000905"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")


@pytest.fixture
def pg_url() -> Iterator[str]:
    name = f"gw_test_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    s = create_store(pg_url, clock=lambda: T0)
    s.migrate()
    yield s
    s.close()


def receipt(store: Store, n: int = 1) -> int:
    r = store.record_receipt(
        sha256=f"{n:064x}",
        channel="sftp",
        partner_id="acme-freight",
        original_name=f"in{n}.edi",
        size=n,
        archive_path=f"archive/{n}",
    )
    return int(r.message_id)


def envelope(control: str = ISA13) -> NewInterchange:
    return NewInterchange(
        "acme-freight", Direction.IN, "02", "ACMEFRT", "ZZ", "LOGIGATEWAY", control, "00401",
        "P", "ignored",
    )  # fmt: skip


def doc(
    n: int, *, event: str | None = None, wait_for: tuple[str, ...] = (), tag: str = ""
) -> NewDocument:
    return NewDocument(
        "shipment_status",
        "acme-freight",
        f"shipment_status:ACME:PRO{n}",
        {"pro": f"PRO{n}"},
        keys=[("bol", f"BOL{n}"), ("pro", f"PRO{n}")],
        deliveries=[
            NewOutbox("erp", "folder", "idoc", f"{tag}{n}:erp"),
            NewOutbox("portal", "http", "portal", f"{tag}{n}:portal"),
        ],
        event_keys=[event] if event else (),
        wait_for=wait_for,
    )


def sets(first: int, last: int, event_prefix: str = "", tag: str = "") -> list[NewSet]:
    """214 sets numbered first..last, each with one document and business event."""
    return [
        NewSet("214", f"{n:04d}", "A", 9, documents=[doc(n, event=f"{event_prefix}{n}", tag=tag)])
        for n in range(first, last + 1)
    ]


def claimable(store: Store) -> list[str]:
    rows = store.claim_outbox(10_000, 3600, T0 + timedelta(days=1))
    return sorted(r.idempotency_key for r in rows)


def counts(pg_url: str) -> dict[str, int]:
    tables = (
        "interchange", "functional_group", "transaction_set", "canonical_document",
        "correlation_key", "outbox", "acknowledgement", "business_event", "document_wait",
        "document_wait_key", "shipment_event",
    )  # fmt: skip
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]


def run_threads(n: int, work: object) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrapped(i: int) -> None:
        try:
            work(i)  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


# ---------------------------------------------------------------- migration


def test_0002_upgrades_a_populated_0001_database(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade_engine(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO received_message (id, sha256, channel, partner_id, original_name, size,"
            " received_at, archive_path, status) VALUES (1, 'ab', 'sftp', 'p', 'a.edi', 1, now(),"
            " 'x', 'parsed')"
        )
        conn.exec_driver_sql(
            "INSERT INTO outbox (id, destination, channel, kind, idempotency_key, status, attempts,"
            " next_attempt_at, created_at, source_message_id) VALUES (7, 'erp', 'folder', 'idoc',"
            " 'k7', 'dead', 5, now(), now(), 1)"
        )
        conn.exec_driver_sql(
            "INSERT INTO acknowledgement (direction, kind, status, partner_id,"
            " interchange_control_number, outbox_id, created_at, updated_at) VALUES ('sent',"
            " '997', 'accepted', 'p', '1', 7, now(), now())"
        )
    upgrade_engine(engine, "0002")  # the 0001 -> 0002 step, whatever head is
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
        fk = conn.exec_driver_sql(
            "SELECT conname FROM pg_constraint WHERE conname = 'fk_event_interchange_id'"
        ).scalar_one()
    engine.dispose()
    # tables of later revisions (0010: the work queue) are not there yet at 0002
    later = {"queue_worker", "queue_lease", "queue_slot"}
    diff = [
        d
        for d in diff
        if getattr(d[1], "name", None) not in later
        and not (d[0] == "add_index" and d[1].table.name in later)
    ]
    assert (version, diff, fk) == ("0002", [], "fk_event_interchange_id")
    s = create_store(pg_url)
    outbox = s.get_outbox(7)
    assert outbox is not None and outbox.status is OutboxStatus.DEAD
    assert [a.outbox_id for a in s.list_acks()] == [7]
    s.close()


# ---------------------------------------------------------------- streaming


def test_streamed_interchange_is_held_then_released_with_its_997(store: Store) -> None:
    assert store.dialect == "postgresql"
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope(), reject_duplicate=True)
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    store.append_sets(gid, sets(1, 600))
    store.append_sets(gid, sets(601, 1000))
    assert claimable(store) == []
    assert store.counts()["outbox"] == {"held": 2000}
    ack = NewAck(
        AckDirection.SENT, AckKind.FA997, AckStatus.ACCEPTED, "acme-freight", ISA13, "7", "QM",
        outbox_key="997",
    )  # fmt: skip
    store.finish_group(gid, ack_code="A", set_count=1000, acks=[ack])
    fin = store.finish_interchange(
        iid,
        outcome="accepted",
        release=True,
        outbox=[NewOutbox("acme-freight", "sftp", "997", "997", b"ISA~")],
        message_status=MessageStatus.PARSED,
    )
    assert (fin.effective_documents, fin.released_outbox) == (1000, 2000)
    got = claimable(store)
    assert len(got) == 2001 and "997" in got and "1000:portal" in got
    (a,) = store.list_acks()
    assert a.outbox_id == fin.outbox_ids[0]
    (d,) = store.search("PRO777")
    assert d.status is DocumentStatus.EFFECTIVE and d.keys == (("bol", "BOL777"), ("pro", "PRO777"))
    with pytest.raises(InterchangeStateError):
        store.append_sets(gid, sets(1001, 1001))


def test_group_and_interchange_rejects_void_their_rows(store: Store) -> None:
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    bad = store.begin_group(iid, NewGroup("QM", "1", "004010", 0))
    store.append_sets(bad, sets(1, 3, event_prefix="ev"))
    assert store.finish_group(bad, ack_code="R", set_count=3, void=True).voided_outbox == 6
    good = store.begin_group(iid, NewGroup("QM", "2", "004010", 0))
    store.append_sets(good, sets(4, 5))
    store.finish_group(good, ack_code="A", set_count=2)
    store.finish_interchange(iid, outcome="accepted_with_errors", release=True)
    assert claimable(store) == ["4:erp", "4:portal", "5:erp", "5:portal"]
    assert store.search("PRO2") == []

    # a whole interchange rejected (TA1 R): everything void, only the TA1 goes out
    mid2 = receipt(store, 2)
    iid2 = store.begin_interchange(mid2, envelope("000000906"))
    gid2 = store.begin_group(iid2, NewGroup("QM", "3", "004010", 0))
    # the voided business events are free again (delivery keys stay taken: a void row keeps
    # its key, and a real resend derives new ones from its own bytes)
    voided_again = store.append_sets(gid2, sets(1, 3, event_prefix="ev", tag="again:"))
    assert voided_again.duplicate_events == ()
    store.finish_group(gid2, ack_code="A", set_count=3)
    fin = store.finish_interchange(
        iid2,
        outcome="rejected",
        ta1_status="R",
        release=False,
        outbox=[NewOutbox("acme-freight", "sftp", "TA1", "ta1", b"TA1")],
    )
    assert (fin.voided_documents, fin.voided_outbox) == (3, 6)
    assert claimable(store) == ["ta1"]
    assert store.counts()["outbox"] == {"void": 12, "in_flight": 5}
    assert {d.status for d in store.list_documents(message_id=mid2)} == {DocumentStatus.VOID}


def test_discard_partial_after_a_killed_worker(store: Store, pg_url: str) -> None:
    mid = receipt(store)
    before = counts(pg_url)
    code = f"""
import os, signal
from gateway.store import Direction, NewDocument, NewGroup, NewInterchange, NewOutbox, NewSet, create_store
s = create_store({pg_url!r})
iid = s.begin_interchange({mid}, NewInterchange("acme-freight", Direction.IN, "02", "ACMEFRT",
    "ZZ", "LOGIGATEWAY", {ISA13!r}, "00401", "P", "x"))
gid = s.begin_group(iid, NewGroup("QM", "7", "004010", 0))
def chunk(a, b):
    return [NewSet("214", str(n), "A", 9, documents=[NewDocument("shipment_status", "acme-freight",
        "bk", {{}}, keys=[("pro", f"PRO{{n}}")], deliveries=[NewOutbox("erp", "folder", "idoc",
        f"{{n}}:erp")], event_keys=[str(n)])]) for n in range(a, b)]
s.append_sets(gid, chunk(1, 4))
from gateway.store import _batch
insert_outbox = _batch.insert_outbox
def die_after_insert(*args, **kwargs):
    insert_outbox(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # inside the second chunk's transaction
_batch.insert_outbox = die_after_insert
s.append_sets(gid, chunk(4, 6))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()
    partial = counts(pg_url)
    assert (partial["canonical_document"], partial["business_event"]) == (3, 3)
    assert store.discard_partial(mid) == 1
    assert counts(pg_url) == before

    iid = store.begin_interchange(mid, envelope(), reject_duplicate=True)
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    rerun = store.append_sets(gid, sets(1, 5))
    assert rerun.duplicate_events == () and rerun.skipped_outbox_keys == ()
    store.finish_group(gid, ack_code="A", set_count=5)
    store.finish_interchange(iid, outcome="accepted", release=True)
    after = counts(pg_url)
    assert (after["interchange"], after["canonical_document"], after["outbox"]) == (1, 5, 10)
    assert len(claimable(store)) == 10


# ---------------------------------------------------------------- business event dedup


class _Rollback(Exception):
    pass


def hold_event_key(
    store: Store, key: str, commit: bool, holding: threading.Event, first: list[int]
) -> None:
    """Worker A: claim `key` for a document and keep the transaction open for a second."""
    try:
        with store._write() as conn:
            written = _batch.insert_documents(
                conn, [(doc(1, event=key, tag=f"{commit}a"), None)], None, T0
            )
            first.extend(written.ids)
            holding.set()
            time.sleep(1.0)
            if not commit:
                raise _Rollback
    except _Rollback:
        pass


@pytest.mark.parametrize("commit", [True, False])
def test_a_business_event_in_flight_elsewhere_waits_for_that_transaction(
    store: Store, pg_url: str, commit: bool
) -> None:
    """Worker A holds the key uncommitted; B's claim waits, then sees A's row (or takes the key
    when A rolls back)."""
    other = create_store(pg_url)
    holding = threading.Event()
    first: list[int] = []
    a = threading.Thread(target=hold_event_key, args=(other, "EV1", commit, holding, first))
    a.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        b = store.record_documents(None, [doc(2, event="EV1", tag="b")])
        waited = time.monotonic() - started
    finally:
        a.join()
        other.close()
    assert waited > 0.5  # B blocked on A's uncommitted key
    if commit:
        assert [(d.event_key, d.first_document_id) for d in b.duplicate_events] == [
            ("EV1", first[0])
        ]
        assert b.dropped_outbox_keys == ("b2:erp", "b2:portal")
    else:
        assert b.duplicate_events == () and len(b.outbox_ids) == 2


def test_concurrent_streams_with_the_same_events_deliver_each_once(
    store: Store, pg_url: str
) -> None:
    workers = [create_store(pg_url, clock=lambda: T0) for _ in range(3)]
    start = threading.Barrier(3)
    results: list[tuple[int, int]] = []

    def work(i: int) -> None:
        s = workers[i]
        mid = receipt(s, 10 + i)
        iid = s.begin_interchange(mid, envelope(f"00000091{i}"))
        gid = s.begin_group(iid, NewGroup("QM", str(i), "004010", 0))
        start.wait()
        # the same 50 tracking events, each interchange with its own delivery keys
        ids = s.append_sets(gid, sets(1, 50, event_prefix="EV", tag=f"w{i}:"))
        s.finish_group(gid, ack_code="A", set_count=50)
        s.finish_interchange(iid, outcome="accepted", release=True)
        results.append((len(ids.outbox_ids), len(ids.duplicate_events)))

    errors = run_threads(3, work)
    for w in workers:
        w.close()
    assert errors == []
    assert sum(r[0] for r in results) == 100  # 50 events x 2 deliveries, once in total
    assert sum(r[1] for r in results) == 100  # the other 2 x 50 are recorded as duplicates
    assert len(claimable(store)) == 100
    assert counts(pg_url)["business_event"] == 50


# ---------------------------------------------------------------- threads, hold queue, status


def test_thread_closure_on_postgresql(store: Store) -> None:
    tender = NewDocument(
        "load_tender", "erp", "0080001234", {}, keys=[("erp_order", "0080001234"), ("bol", "BOL1")]
    )
    t = store.record_documents(None, [tender])
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    s = store.append_sets(gid, sets(1, 2))
    store.finish_group(gid, ack_code="A", set_count=2)
    store.finish_interchange(iid, outcome="accepted", release=True)
    inv = store.record_documents(
        None, [NewDocument("freight_invoice", "acme-freight", "INV-1", {}, keys=[("pro", "PRO1")])]
    )
    thread = store.thread("0080001234")
    assert [d.id for d in thread.documents] == [
        t.document_ids[0],
        s.document_ids[0],
        inv.document_ids[0],
    ]
    assert thread.keys == ("0080001234", "BOL1", "PRO1")
    assert sorted(o.idempotency_key for o in thread.outbox) == ["1:erp", "1:portal"]
    assert [m.id for m in thread.messages] == [mid]
    assert {d.id for d in store.thread(ISA13).documents} == {
        t.document_ids[0],
        s.document_ids[0],
        s.document_ids[1],
        inv.document_ids[0],
    }


def test_concurrent_releases_hand_each_waiting_document_to_one_worker(
    store: Store, pg_url: str
) -> None:
    waiting = store.record_documents(
        None, [doc(n, wait_for=("BOL-SHIPMENT", f"PRO-{n}")) for n in range(40)]
    )
    workers = [create_store(pg_url) for _ in range(4)]
    got: list[list[DocumentRow]] = [[] for _ in workers]
    start = threading.Barrier(4)

    def work(i: int) -> None:
        start.wait()
        got[i].extend(workers[i].release_waiting(["BOL-SHIPMENT"]))

    errors = run_threads(4, work)
    for w in workers:
        w.close()
    assert errors == []
    ids = sorted(d.id for part in got for d in part)
    assert ids == sorted(waiting.document_ids)
    assert store.list_waiting() == []


def test_concurrent_status_updates_end_at_the_latest_event(store: Store, pg_url: str) -> None:
    events = [(T0 + timedelta(minutes=m), f"S{m:03d}") for m in range(120)]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    workers = [create_store(pg_url) for _ in range(4)]

    def work(i: int) -> None:
        for at, status in shuffled[i::4]:
            workers[i].apply_status("ACME:PRO1", at, status)

    errors = run_threads(4, work)
    for w in workers:
        w.close()
    assert errors == []
    current = store.get_shipment_status("ACME:PRO1")
    assert current is not None
    assert (current.event_time, current.status) == events[-1]
    assert store.apply_status("ACME:PRO1", T0, "S000") is False

    # statuses carried by a streamed interchange apply at IEA, forward only
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    late = NewDocument(
        "shipment_status", "acme-freight", "bk", {},
        shipment_status=NewShipmentStatus("ACME:PRO1", T0 + timedelta(hours=5), "D1"),
    )  # fmt: skip
    store.append_sets(gid, [NewSet("214", "0001", "A", 9, documents=[late])])
    store.finish_group(gid, ack_code="A", set_count=1)
    assert store.finish_interchange(iid, outcome="accepted", release=True).applied_statuses == 1
    final = store.get_shipment_status("ACME:PRO1")
    assert final is not None and final.status == "D1"


def test_sweep_releases_documents_whose_shipment_arrived_while_they_were_held(
    store: Store,
) -> None:
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    held = store.append_sets(
        gid,
        [
            NewSet("214", f"{n:04d}", "A", 9, documents=[doc(n, wait_for=("BOL-TENDER",))])
            for n in (1, 2)
        ],
    )
    tender = NewDocument("load_tender", "erp", "T", {}, keys=[("bol", "BOL-TENDER")])
    store.record_documents(None, [tender])
    assert store.release_waiting(["BOL-TENDER"]) == []  # still held: not effective
    assert store.release_satisfied() == []
    store.finish_group(gid, ack_code="A", set_count=2)
    store.finish_interchange(iid, outcome="accepted", release=True)
    assert [d.id for d in store.release_satisfied(limit=1)] == [held.document_ids[0]]
    assert [d.id for d in store.release_satisfied(limit=1)] == [held.document_ids[1]]
    assert store.release_satisfied() == []
    assert store.finish_waiting(held.document_ids[0]) is True
