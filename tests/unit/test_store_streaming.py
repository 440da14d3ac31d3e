"""Streaming interchanges and business-event dedup on a real SQLite file; migration 0001 -> 0002."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    DocumentStatus,
    DuplicateEvent,
    GroupWriteFailed,
    InterchangeStateError,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewEventKey,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    NewShipmentStatus,
    OutboxStatus,
    Store,
    StoreConflictError,
    create_store,
)
from gateway.store.engine import make_engine
from gateway.store.migrate import upgrade_engine
from gateway.store.schema import Base

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ISA13 = "000000905"
ACK_KEY = f"ack:{ISA13}"

AT_0002 = {"compare_type": True}
# Later revisions may only add (tables, columns, indexes): at 0002 the schema is today's models
# less those additions, so only additions are ignored; anything 0002 removed or changed shows.
LATER_ADDITIONS = frozenset({"add_table", "add_column", "add_index", "add_constraint", "add_fk"})


def without_later_additions(diff: list[Any]) -> list[Any]:
    return [d for d in diff if not (isinstance(d, tuple) and d[0] in LATER_ADDITIONS)]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gw.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = create_store(db_url, clock=lambda: T0)
    s.migrate()
    yield s
    s.close()


def receipt(store: Store, n: int = 1) -> int:
    r = store.record_receipt(
        sha256=f"{n:064x}",
        channel="sftp",
        partner_id="acme-freight",
        original_name=f"in{n}.edi",
        size=1000 + n,
        archive_path=f"archive/{n:064x}",
    )
    return int(r.message_id)


def envelope(control: str = ISA13) -> NewInterchange:
    return NewInterchange(
        "acme-freight",
        Direction.IN,
        "02",
        "ACMEFRT",
        "ZZ",
        "LOGIGATEWAY",
        control,
        "00401",
        "P",
        "ignored",
    )


def status_set(n: int, tag: str = "", event: str | None = None) -> NewSet:
    """A 214 with one document: keys bol/pro/po, an ERP and a portal delivery."""
    pro = f"PRO{n}"
    return NewSet(
        "214",
        f"{n:04d}",
        "A",
        11,
        documents=[
            NewDocument(
                "shipment_status",
                "acme-freight",
                f"shipment_status:ACME:{pro}",
                {"pro": pro, "status": "X1"},
                keys=[("bol", f"BOL{n}"), ("pro", pro), ("po", f"PO{n}")],
                deliveries=[
                    NewOutbox("erp", "folder", "idoc", f"{tag}{n}:erp"),
                    NewOutbox("portal", "http", "portal", f"{tag}{n}:portal"),
                ],
                event_keys=[event] if event else (),
            )
        ],
    )


def group_ack(gs06: str, status: AckStatus = AckStatus.ACCEPTED) -> NewAck:
    return NewAck(
        AckDirection.SENT,
        AckKind.FA997,
        status,
        "acme-freight",
        ISA13,
        gs06,
        "QM",
        outbox_key=ACK_KEY,
    )


def ack_outbox() -> NewOutbox:
    return NewOutbox("acme-freight", "sftp", "997", ACK_KEY, b"ISA*00*997~")


def claimable(store: Store) -> list[str]:
    """Idempotency keys a worker can claim right now (claims them for an hour)."""
    rows = store.claim_outbox(10_000, 3600, T0 + timedelta(days=1))
    return sorted(r.idempotency_key for r in rows)


def statuses(store: Store) -> dict[str, OutboxStatus]:
    return {o.idempotency_key: o.status for o in store.list_outbox(limit=10_000)}


def table_counts(db_url: str) -> dict[str, int]:
    tables = (
        "interchange",
        "functional_group",
        "transaction_set",
        "canonical_document",
        "correlation_key",
        "outbox",
        "acknowledgement",
        "business_event",
        "document_wait",
        "document_wait_key",
        "shipment_event",
    )
    path = db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


# ---------------------------------------------------------------- migration


def test_migration_0002_upgrades_a_populated_0001_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade_engine(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO received_message (id, sha256, channel, partner_id, original_name, size,"
            " received_at, archive_path, status) VALUES (1, 'ab', 'sftp', 'p', 'a.edi', 1,"
            " '2025-03-01 12:00:00', 'x', 'parsed')"
        )
        conn.exec_driver_sql(
            "INSERT INTO canonical_document (id, message_id, doc_type, partner_id, business_key,"
            " payload, created_at) VALUES (1, 1, 'shipment_status', 'p', 'bk', '{}',"
            " '2025-03-01 12:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO outbox (id, destination, channel, kind, idempotency_key, status, attempts,"
            " next_attempt_at, created_at, source_message_id, document_id) VALUES (7, 'erp',"
            " 'folder', 'idoc', 'k7', 'delivered', 1, '2025-03-01 12:00:00',"
            " '2025-03-01 12:00:00', 1, 1)"
        )
        # rows referencing the outbox table that the migration copies and replaces
        conn.exec_driver_sql(
            "INSERT INTO acknowledgement (direction, kind, status, partner_id,"
            " interchange_control_number, outbox_id, created_at, updated_at) VALUES ('sent',"
            " '997', 'accepted', 'p', '1', 7, '2025-03-01 12:00:00', '2025-03-01 12:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO event (message_id, outbox_id, kind, at) VALUES (1, 7, 'delivered',"
            " '2025-03-01 12:00:00')"
        )
    upgrade_engine(engine, "0002")  # the 0001 -> 0002 step, whatever head is
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        diff = compare_metadata(MigrationContext.configure(conn, opts=AT_0002), Base.metadata)
        enforced = conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one()
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    engine.dispose()
    diff = without_later_additions(diff)
    assert (version, diff, enforced, broken) == ("0002", [], 1, [])

    store = create_store(url)
    outbox = store.get_outbox(7)
    assert outbox is not None and outbox.status is OutboxStatus.DELIVERED
    doc = store.get_document(1)
    assert doc is not None and doc.status is DocumentStatus.EFFECTIVE
    (ack,) = store.list_acks()
    assert ack.outbox_id == 7
    assert [e.outbox_id for e in store.list_events(message_id=1)] == [7]
    # the widened CHECK takes the new statuses and still refuses others
    with store._write() as conn:
        conn.exec_driver_sql("UPDATE outbox SET status = 'held' WHERE id = 7")
    with pytest.raises(StoreConflictError, match="CHECK constraint failed"), store._write() as conn:
        conn.exec_driver_sql("UPDATE outbox SET status = 'lost' WHERE id = 7")
    store.close()


# ---------------------------------------------------------------- streaming


def test_streamed_interchange_is_held_until_iea_then_released(store: Store) -> None:
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope(), events=[NewEvent("isa", {"n": 1})])
    (started,) = store.list_interchanges(message_id=mid)
    assert (started.id, started.outcome) == (iid, "processing")

    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0, None, "ACMEFRT", "LOGI"))
    first = store.append_sets(gid, [status_set(1), status_set(2)], message_id=mid)
    second = store.append_sets(gid, [status_set(3)])
    assert first.interchange_id == iid and first.group_ids == (gid,)
    assert len(first.set_ids) == 2 and len(first.outbox_ids) == 4
    assert len(second.document_ids) == 1 and len(second.outbox_ids) == 2

    # held: visible to operations, never claimed by a worker
    assert set(statuses(store).values()) == {OutboxStatus.HELD}
    assert claimable(store) == []
    assert [d.status for d in store.search("PRO2")] == [DocumentStatus.HELD]
    assert store.counts()["outbox"] == {"held": 6}

    done = store.finish_group(gid, ack_code="A", set_count=3, acks=[group_ack("7")])
    assert (done.voided_documents, done.voided_outbox) == (0, 0)
    assert claimable(store) == []  # GE alone releases nothing: the IEA may still reject

    fin = store.finish_interchange(
        iid,
        outcome="accepted",
        release=True,
        outbox=[ack_outbox()],
        events=[NewEvent("parsed", {"sets": 3})],
        message_status=MessageStatus.PARSED,
    )
    assert (fin.effective_documents, fin.released_outbox, fin.voided_outbox) == (3, 6, 0)
    assert len(fin.outbox_ids) == 1
    assert claimable(store) == [
        "1:erp",
        "1:portal",
        "2:erp",
        "2:portal",
        "3:erp",
        "3:portal",
        ACK_KEY,
    ]
    (ic,) = store.list_interchanges(message_id=mid)
    assert ic.outcome == "accepted"
    assert [(g.set_count, g.ack_code) for g in store.list_groups(iid)] == [(3, "A")]
    assert [s.control_number for s in store.list_sets(gid)] == ["0001", "0002", "0003"]
    (ack,) = store.list_acks()
    # the group's ack was recorded at GE and linked to the 997 written at IEA
    assert (ack.group_id, ack.interchange_id, ack.outbox_id) == (gid, iid, fin.outbox_ids[0])
    message = store.get_message(mid)
    assert message is not None and message.status is MessageStatus.PARSED
    events = store.list_events(message_id=mid)
    assert [(e.kind, e.interchange_id) for e in events] == [
        ("received", None),
        ("isa", iid),
        ("parsed", iid),
    ]
    assert [d.status for d in store.search("PRO2")] == [DocumentStatus.EFFECTIVE]


def test_rejected_group_is_void_and_the_other_group_is_released(store: Store) -> None:
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    bad = store.begin_group(iid, NewGroup("QM", "1", "004010", 0))
    store.append_sets(bad, [status_set(1, event="ACME:PRO1:X1:202503011200")])
    voided = store.finish_group(
        bad, ack_code="R", set_count=1, acks=[group_ack("1", AckStatus.REJECTED)], void=True
    )
    assert (voided.voided_documents, voided.voided_outbox) == (1, 2)
    good = store.begin_group(iid, NewGroup("QM", "2", "004010", 0))
    store.append_sets(good, [status_set(2)])
    store.finish_group(good, ack_code="A", set_count=1, acks=[group_ack("2")])
    fin = store.finish_interchange(
        iid, outcome="accepted_with_errors", release=True, outbox=[ack_outbox()]
    )
    assert (fin.effective_documents, fin.released_outbox) == (1, 2)

    assert statuses(store) == {
        "1:erp": OutboxStatus.VOID,
        "1:portal": OutboxStatus.VOID,
        "2:erp": OutboxStatus.PENDING,
        "2:portal": OutboxStatus.PENDING,
        ACK_KEY: OutboxStatus.PENDING,
    }
    assert claimable(store) == ["2:erp", "2:portal", ACK_KEY]
    assert store.search("PRO1") == []  # void documents are not search results...
    (void,) = store.search("PRO1", include_void=True)  # ...unless asked for
    assert void.status is DocumentStatus.VOID
    assert {a.group_control_number: a.outbox_id for a in store.list_acks()} == {
        "1": fin.outbox_ids[0],
        "2": fin.outbox_ids[0],
    }
    # the void document's business event is free again: a corrected resend is not a duplicate
    resend = store.record_documents(
        None,
        [
            NewDocument(
                "shipment_status",
                "acme-freight",
                "bk",
                {},
                deliveries=[NewOutbox("erp", "folder", "idoc", "resend:erp")],
                event_keys=["ACME:PRO1:X1:202503011200"],
            )
        ],
    )
    assert resend.duplicate_events == () and len(resend.outbox_ids) == 1


def test_rejected_interchange_voids_everything_but_its_ta1(store: Store) -> None:
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    store.append_sets(gid, [status_set(1), status_set(2)])
    store.finish_group(gid, ack_code="A", set_count=2)
    ta1 = NewOutbox("acme-freight", "sftp", "TA1", "ta1:000000905", b"ISA*TA1~")
    fin = store.finish_interchange(
        iid,
        outcome="rejected",
        ta1_status="R",
        release=False,
        outbox=[ta1],
        acks=[
            NewAck(
                AckDirection.SENT,
                AckKind.TA1,
                AckStatus.REJECTED,
                "acme-freight",
                ISA13,
                outbox_key="ta1:000000905",
            )
        ],
        message_status=MessageStatus.QUARANTINED,
    )
    assert (fin.voided_documents, fin.voided_outbox, fin.released_outbox) == (2, 4, 0)
    assert claimable(store) == ["ta1:000000905"]
    (ic,) = store.list_interchanges(message_id=mid)
    assert (ic.outcome, ic.ta1_status) == ("rejected", "R")
    assert {d.status for d in store.list_documents(message_id=mid)} == {DocumentStatus.VOID}
    (ack,) = store.list_acks(kind=AckKind.TA1)
    assert (ack.interchange_id, ack.group_id, ack.outbox_id) == (iid, None, fin.outbox_ids[0])


@pytest.mark.parametrize("in_batch", [False, True])
def test_steps_on_a_closed_or_unknown_interchange_write_nothing(
    store: Store, in_batch: bool
) -> None:
    """The same answers in a group commit's transaction, where the interchanges it began are
    not read back before each step."""
    mid = receipt(store)
    with store.batch() if in_batch else contextlib.nullcontext():
        _steps_on_closed_or_unknown(store, mid)


def test_an_interchange_begun_in_an_undone_savepoint_is_unknown_to_the_batch(
    store: Store,
) -> None:
    """A message of a group undone by its savepoint: the interchange and group it began are
    gone, and the batch's memory of them with them."""
    mid = receipt(store)
    with store.batch():
        began: list[int] = []
        with pytest.raises(RuntimeError), store.savepoint():
            began.append(store.begin_interchange(mid, envelope()))
            began.append(store.begin_group(began[0], NewGroup("QM", "7", "004010", 0)))
            raise RuntimeError("the message fails")
        iid, gid = began
        with pytest.raises(InterchangeStateError):
            store.append_sets(gid, [status_set(1)])
        with pytest.raises(InterchangeStateError):
            store.begin_group(iid, NewGroup("QM", "8", "004010", 0))
        with pytest.raises(InterchangeStateError):
            store.finish_group(gid, ack_code="A", set_count=1)
        with pytest.raises(InterchangeStateError):
            store.finish_interchange(iid, outcome="accepted", release=True)
    assert store.list_interchanges() == []


def test_a_caught_write_error_in_a_savepoint_undoes_it_with_group_write_failed(
    store: Store,
) -> None:
    """Writes in a message's savepoint take no savepoint of their own: one that fails with
    its error caught must not leave the savepoint as if nothing happened."""
    mid = receipt(store)
    with store.batch():
        with pytest.raises(GroupWriteFailed), store.savepoint():
            iid = store.begin_interchange(mid, envelope())
            with pytest.raises(ValueError, match="header only"):
                store.begin_group(iid, NewGroup("QM", "2", "004010", 1, sets=[status_set(1)]))
            with pytest.raises(ValueError, match="belongs to message"):
                gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
                store.append_sets(gid, [status_set(1)], message_id=mid + 1)
        assert store.list_interchanges() == []
        with store.savepoint():  # the batch goes on: the next message is written
            iid = store.begin_interchange(mid, envelope())
    (ic,) = store.list_interchanges()
    assert ic.id == iid


def _steps_on_closed_or_unknown(store: Store, mid: int) -> None:
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    with pytest.raises(ValueError, match="belongs to message"):
        store.append_sets(gid, [status_set(1)], message_id=mid + 1)
    with pytest.raises(ValueError, match="envelope only"):
        store.begin_interchange(mid, replace(envelope(), groups=[NewGroup("QM", "1", "004010", 0)]))
    with pytest.raises(ValueError, match="header only"):
        store.begin_group(iid, NewGroup("QM", "2", "004010", 1, sets=[status_set(1)]))
    store.finish_interchange(iid, outcome="accepted", release=True)
    with pytest.raises(InterchangeStateError, match=f"interchange {iid} is not open"):
        store.append_sets(gid, [status_set(9)])
    with pytest.raises(InterchangeStateError):
        store.finish_group(gid, ack_code="A", set_count=1)
    with pytest.raises(InterchangeStateError):
        store.finish_interchange(iid, outcome="rejected", release=False)
    with pytest.raises(InterchangeStateError, match="group 999 is unknown"):
        store.append_sets(999, [status_set(9)])
    with pytest.raises(InterchangeStateError):
        store.begin_group(999, NewGroup("QM", "1", "004010", 0))
    assert store.search("PRO9") == []
    (ic,) = store.list_interchanges()
    assert ic.outcome == "accepted"


def test_discard_partial_after_a_kill_then_rerun_writes_one_set_of_rows(
    store: Store, db_url: str
) -> None:
    mid = receipt(store)
    before = table_counts(db_url)
    # A worker process streams two chunks, then dies (SIGKILL) inside the third one's transaction.
    code = f"""
import os, signal, sys
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from test_store_streaming import envelope, status_set, NewGroup, create_store
from gateway.store import NewSet
s = create_store({db_url!r})
iid = s.begin_interchange({mid}, envelope())
gid = s.begin_group(iid, NewGroup("QM", "7", "004010", 0))
s.append_sets(gid, [status_set(i, event=f"ev{{i}}") for i in range(1, 4)])
s.append_sets(gid, [status_set(i, event=f"ev{{i}}") for i in range(4, 6)])
with s._write() as conn:
    conn.exec_driver_sql("DELETE FROM outbox WHERE idempotency_key = '1:erp'")
    os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()
    partial = table_counts(db_url)
    assert partial["canonical_document"] == 5 and partial["outbox"] == 10
    assert partial["business_event"] == 5
    (crashed,) = store.list_interchanges(message_id=mid)
    assert crashed.outcome == "processing"

    assert store.discard_partial(mid) == 1
    assert table_counts(db_url) == before
    assert store.discard_partial(mid) == 0
    assert [e.kind for e in store.list_events(message_id=mid)] == ["received", "partial_discarded"]

    iid = store.begin_interchange(mid, envelope(), reject_duplicate=True)
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    rerun = store.append_sets(gid, [status_set(i, event=f"ev{i}") for i in range(1, 6)])
    assert rerun.skipped_outbox_keys == () and rerun.duplicate_events == ()
    store.finish_group(gid, ack_code="A", set_count=5)
    store.finish_interchange(iid, outcome="accepted", release=True)
    after = table_counts(db_url)
    assert (after["interchange"], after["canonical_document"], after["outbox"]) == (1, 5, 10)
    assert after["business_event"] == 5
    assert len(claimable(store)) == 10
    # a finished interchange is never discarded
    assert store.discard_partial(mid) == 0
    assert table_counts(db_url) == after


def test_a_message_set_aside_leaves_nothing_half_written(store: Store, db_url: str) -> None:
    """Its worker died in the middle of an interchange each time: when the claim sets the
    message aside, what that interchange wrote goes too (no held deliveries left waiting)."""
    from gateway.store.queue import WorkQueue

    mid = receipt(store)
    before = table_counts(db_url)
    q = WorkQueue(store, lease_seconds=10, max_claims=1)
    q.register()
    (lease,) = q.claim_messages(5)
    q.begin(lease)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    store.append_sets(gid, [status_set(1), status_set(2)])
    assert set(statuses(store).values()) == {OutboxStatus.HELD}
    q.held.clear()  # the worker died here
    store._clock = lambda: T0 + timedelta(seconds=11)  # type: ignore[method-assign]
    assert q.claim_messages(5) == []  # set aside
    msg = store.get_message(mid)
    assert msg is not None and msg.status is MessageStatus.FAILED
    assert store.list_interchanges(message_id=mid) == []
    assert table_counts(db_url) == before
    kinds = [e.kind for e in store.list_events(message_id=mid)]
    assert kinds == ["received", "partial_discarded", "set_aside"]


def test_held_rows_are_never_claimed_or_replayed(store: Store) -> None:
    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    ids = store.append_sets(gid, [status_set(1)]).outbox_ids
    store.add_outbox([NewOutbox("erp", "folder", "idoc", "ordinary")])
    far_future = T0 + timedelta(days=3650)
    rows = store.claim_outbox(100, 30, far_future)
    assert [r.idempotency_key for r in rows] == ["ordinary"]
    assert store.claim_outbox(100, 30, far_future, channel="folder") == []
    assert store.claim_outbox(100, 30, far_future, destination="erp") == []
    assert store.replay_outbox(ids[0]) is False
    assert {statuses(store)[k] for k in ("1:erp", "1:portal")} == {OutboxStatus.HELD}


# ---------------------------------------------------------------- business event dedup


def tracking_doc(pro: str, events: list[NewEventKey | str], tag: str) -> NewDocument:
    return NewDocument(
        "shipment_status",
        "acme-freight",
        f"shipment_status:ACME:{pro}",
        {"pro": pro},
        keys=[("pro", pro)],
        deliveries=[
            NewOutbox("erp", "folder", "idoc", f"{tag}:erp"),
            NewOutbox("portal", "http", "portal", f"{tag}:portal:1"),
            NewOutbox("portal", "http", "portal", f"{tag}:portal:2"),
        ],
        event_keys=events,
    )


def test_business_events_seen_before_drop_their_deliveries(store: Store) -> None:
    first_msg = receipt(store, 1)
    first = store.record_documents(
        first_msg,
        [tracking_doc("PRO1", ["ACME:PRO1:X3:202503011000", "ACME:PRO1:X1:202503011200"], "a")],
    )
    assert first.duplicate_events == () and len(first.outbox_ids) == 3

    # Same 214 again under a new ISA13, streamed: one event repeats, one is new. The ERP IDoc
    # carries both events, each portal update one of them.
    mid = receipt(store, 2)
    iid = store.begin_interchange(mid, envelope("000000906"))
    gid = store.begin_group(iid, NewGroup("QM", "8", "004010", 0))
    doc = tracking_doc(
        "PRO1",
        [
            NewEventKey("ACME:PRO1:X1:202503011200", ("b:erp", "b:portal:1")),
            NewEventKey("ACME:PRO1:D1:202503011600", ("b:erp", "b:portal:2")),
        ],
        "b",
    )
    ids = store.append_sets(gid, [NewSet("214", "0001", "A", 9, documents=[doc])])
    (dup,) = ids.duplicate_events
    assert dup == DuplicateEvent(
        "ACME:PRO1:X1:202503011200", ids.document_ids[0], first.document_ids[0]
    )
    assert ids.dropped_outbox_keys == ("b:portal:1",)
    assert sorted(statuses(store)) == ["a:erp", "a:portal:1", "a:portal:2", "b:erp", "b:portal:2"]
    (event,) = [
        e for e in store.list_events(message_id=mid) if e.kind == "duplicate_business_event"
    ]
    assert event.interchange_id == iid
    assert event.detail == {
        "event_key": "ACME:PRO1:X1:202503011200",
        "document_id": ids.document_ids[0],
        "first_document_id": first.document_ids[0],
    }

    # fully repeated (and repeated again inside one chunk): every delivery is dropped
    again = store.append_sets(
        gid,
        [
            NewSet("214", "0002", "A", 9, documents=[tracking_doc("PRO2", ["E2"], "c")]),
            NewSet("214", "0003", "A", 9, documents=[tracking_doc("PRO2", ["E2", "E2"], "d")]),
        ],
    )
    assert [d.event_key for d in again.duplicate_events] == ["E2"]
    assert again.duplicate_events[0].first_document_id == again.document_ids[0]
    assert again.dropped_outbox_keys == ("d:erp", "d:portal:1", "d:portal:2")
    assert len(again.outbox_ids) == 3
    # the documents themselves are kept: what arrived stays on record
    assert len(store.search("PRO2")) == 2


def test_batch_path_dedups_business_events_too(store: Store) -> None:
    def batch(control: str, n: int) -> NewInterchange:
        sets = [
            NewSet(
                "210", "0001", "A", 20, documents=[tracking_doc("PRO7", ["ACME:INV-77"], control)]
            )
        ]
        return replace(envelope(control), groups=[NewGroup("IM", "1", "004010", 1, "A", sets=sets)])

    first = store.record_interchange_batch(receipt(store, 1), batch("000000001", 1))
    second = store.record_interchange_batch(receipt(store, 2), batch("000000002", 2))
    assert first.duplicate_events == () and len(first.outbox_ids) == 3
    assert [d.first_document_id for d in second.duplicate_events] == list(first.document_ids)
    assert second.outbox_ids == () and len(second.dropped_outbox_keys) == 3
    assert [
        e.interchange_id for e in store.list_events() if e.kind == "duplicate_business_event"
    ] == [second.interchange_id]


# ---------------------------------------------------------------- shipment status through streams


def test_shipment_status_applies_when_documents_take_effect(store: Store) -> None:
    def doc(status: str, hour: int) -> NewSet:
        return NewSet(
            "214",
            f"{hour:04d}",
            "A",
            9,
            documents=[
                NewDocument(
                    "shipment_status",
                    "acme-freight",
                    "bk",
                    {},
                    shipment_status=NewShipmentStatus(
                        "ACME:PRO5", datetime(2025, 3, 1, hour, tzinfo=UTC), status
                    ),
                )
            ],
        )

    mid = receipt(store)
    iid = store.begin_interchange(mid, envelope())
    gid = store.begin_group(iid, NewGroup("QM", "7", "004010", 0))
    store.append_sets(gid, [doc("X3", 9), doc("D1", 16)])
    store.append_sets(gid, [doc("X1", 12)])  # later in the file, earlier in time
    assert store.get_shipment_status("ACME:PRO5") is None  # held: nothing applied yet
    store.finish_group(gid, ack_code="A", set_count=3)
    fin = store.finish_interchange(iid, outcome="accepted", release=True)
    assert fin.applied_statuses == 1
    current = store.get_shipment_status("ACME:PRO5")
    assert current is not None
    assert (current.status, current.event_time.hour) == ("D1", 16)

    # a rejected interchange's statuses never apply, even later ones
    mid2 = receipt(store, 2)
    iid2 = store.begin_interchange(mid2, envelope("000000906"))
    gid2 = store.begin_group(iid2, NewGroup("QM", "8", "004010", 0))
    store.append_sets(gid2, [doc("AF", 20)])
    store.finish_group(gid2, ack_code="A", set_count=1)
    assert store.finish_interchange(iid2, outcome="rejected", release=False).applied_statuses == 0
    later = store.get_shipment_status("ACME:PRO5")
    assert later is not None and later.status == "D1"

    # the batch path applies in its own transaction, forward only
    older = store.record_documents(None, [doc("X6", 14).documents[0]])
    assert older.applied_statuses == 0
    newer = store.record_documents(None, [doc("D1", 17).documents[0], doc("X6", 15).documents[0]])
    assert newer.applied_statuses == 1
    final = store.get_shipment_status("ACME:PRO5")
    assert final is not None and (final.status, final.event_time.hour) == ("D1", 17)
    assert final.document_id == newer.document_ids[0]
