"""The store on a real PostgreSQL: same migrations, SKIP LOCKED claims, row-locked control numbers.

Each run creates its own database and drops it afterwards. Skipped when no server answers on
127.0.0.1:5432, except under CI=true, where an unreachable server is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
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
    CounterKind,
    Direction,
    DuplicateInterchangeError,
    DurableControlNumbers,
    MessageStatus,
    NewAck,
    NewDocument,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboxRow,
    Store,
    StoreConflictError,
    _outbox,
    create_store,
)
from gateway.store.engine import make_engine
from gateway.store.schema import Base
from tests.migrations import HEAD_REVISION
from tests.store_checks import (
    check_one_outbox_row_is_one_statement_with_the_batch_rules,
    check_outbox_batch_with_existing_and_repeated_keys,
)

pytestmark = pytest.mark.integration

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


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
    s = create_store(pg_url)
    s.migrate()
    yield s
    s.close()


def test_same_migrations_give_the_models_schema(pg_url: str) -> None:
    # Several worker processes starting at once: the advisory lock lets one migrate and the
    # others find head.
    code = "import sys; from gateway.store import migrate; migrate(sys.argv[1])"
    procs = [subprocess.Popen([sys.executable, "-c", code, pg_url]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert version == HEAD_REVISION
    assert diff == []


def test_receipts_batches_and_search_round_trip(store: Store) -> None:
    assert store.dialect == "postgresql"
    first = store.record_receipt(
        sha256="ab" * 32,
        channel="sftp",
        partner_id="demo-carrier",
        original_name="a.edi",
        size=10,
        archive_path="x",
        received_at=T0,
    )
    again = store.record_receipt(
        sha256="ab" * 32,
        channel="sftp",
        partner_id="demo-carrier",
        original_name="b.edi",
        size=10,
        archive_path="x",
    )
    assert (again.message_id, again.duplicate) == (first.message_id, True)
    docs = [
        NewDocument(
            "shipment_status",
            "demo-carrier",
            f"L{i}",
            {"n": i, "status": "delivered"},
            keys=[("bol", f"B{i}")],
            deliveries=[NewOutbox("erp", "folder", "idoc", f"k{i}")],
        )
        for i in range(300)
    ]
    sets = [NewSet("214", f"{i:04d}", "A", 8, documents=[d]) for i, d in enumerate(docs)]
    group = NewGroup("QM", "5", "004010", 300, "A", sets=sets)
    ic = NewInterchange(
        "demo-carrier", Direction.IN, "02", "DEMOCARRIER", "ZZ", "LOGIGATEWAY", "000000005",
        "00401", "P", "accepted", groups=[group],
    )  # fmt: skip
    ids = store.record_interchange_batch(first.message_id, ic, now=T0)
    assert len(ids.document_ids) == 300 and len(ids.outbox_ids) == 300
    (doc,) = store.search("B123")
    assert doc.id == ids.document_ids[123]
    assert doc.payload == {"n": 123, "status": "delivered"}
    assert doc.created_at == T0
    message = store.get_message(first.message_id)
    assert message is not None
    assert message.status is MessageStatus.PARSED and message.received_at == T0


def test_skip_locked_claims_give_two_workers_disjoint_rows(store: Store, pg_url: str) -> None:
    store.add_outbox([NewOutbox("erp", "folder", "idoc", f"k{i}") for i in range(20)], now=T0)
    engine = make_engine(pg_url)
    try:
        with engine.begin() as held:
            # Worker A has claimed and not committed yet: its rows stay locked.
            a = _outbox.claim(
                held, limit=8, lease_seconds=60, now=T0, channel=None, destination=None
            )
            b = store.claim_outbox(8, 60, now=T0)  # must neither wait for A nor take A's rows
            assert len(a) == 8 and len(b) == 8
            assert not {r.id for r in a} & {r.id for r in b}
    finally:
        engine.dispose()
    rest = store.claim_outbox(100, 60, now=T0)
    assert len(rest) == 4


def test_concurrent_workers_claim_each_row_once(store: Store, pg_url: str) -> None:
    store.add_outbox([NewOutbox("tms", "http", "json", f"k{i}") for i in range(400)], now=T0)
    workers = [create_store(pg_url) for _ in range(2)]
    claimed: list[list[OutboxRow]] = [[], []]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            while batch := workers[i].claim_outbox(7, 60, now=T0):
                claimed[i].extend(batch)
                for row in batch:
                    assert workers[i].complete_outbox(row.id, row.lease_token or "", now=T0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        w.close()
    assert errors == []
    ids_a = {r.id for r in claimed[0]}
    ids_b = {r.id for r in claimed[1]}
    assert not ids_a & ids_b
    assert len(ids_a) + len(ids_b) == 400
    assert store.counts()["outbox"] == {"delivered": 400}


def test_stale_lease_is_fenced(store: Store) -> None:
    (oid,) = store.add_outbox([NewOutbox("erp", "folder", "idoc", "k")], now=T0)
    (first,) = store.claim_outbox(1, 30, now=T0)
    (second,) = store.claim_outbox(1, 30, now=T0 + timedelta(seconds=31))
    assert second.id == oid and second.attempts == 2
    assert not store.complete_outbox(oid, first.lease_token or "", now=T0)
    assert store.complete_outbox(oid, second.lease_token or "", now=T0)


def test_two_workers_with_the_same_interchange_record_it_once(store: Store, pg_url: str) -> None:
    workers = [create_store(pg_url) for _ in range(2)]
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def work(i: int) -> None:
        receipt = workers[i].record_receipt(
            sha256=f"{i:064x}",
            channel="sftp",
            partner_id="demo-carrier",
            original_name=f"copy{i}.edi",
            size=1,
            archive_path="a",
        )
        ic = NewInterchange(
            "demo-carrier", Direction.IN, "02", "DEMOCARRIER", "ZZ", "LOGIGATEWAY", "000000042",
            "00401", "P", "accepted",
        )  # fmt: skip
        start.wait()
        for _ in range(20):  # both try repeatedly: every attempt after the first must fail
            try:
                workers[i].record_interchange_batch(receipt.message_id, ic, reject_duplicate=True)
                outcomes.append("recorded")
            except DuplicateInterchangeError:
                outcomes.append("duplicate")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w in workers:
        w.close()
    assert sorted(outcomes) == ["duplicate"] * 39 + ["recorded"]
    assert len(store.list_interchanges()) == 1


def test_control_numbers_never_repeat_or_skip_under_concurrency(store: Store, pg_url: str) -> None:
    stores = [create_store(pg_url) for _ in range(4)]
    got: list[list[int]] = [[] for _ in stores]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            numbers = DurableControlNumbers(stores[i], "acme")
            for _ in range(100):
                got[i].append(numbers.next_group())
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
    assert sorted(n for part in got for n in part) == list(range(1, 401))
    assert store.allocate_control_numbers("acme", CounterKind.GROUP, 2) == [401, 402]


def test_constraint_errors_do_not_echo_parameters(store: Store) -> None:
    canary = "canary-secret-5f1e"
    bad = NewAck(
        AckDirection.RECEIVED,
        AckKind.FA997,
        AckStatus.ACCEPTED,
        "acme",
        "1",
        ack_message_id=987654,
        detail={"token": canary},
    )
    with pytest.raises(StoreConflictError) as caught:
        store.add_acks([bad])
    assert canary not in str(caught.value)
    assert "foreign key" in str(caught.value).lower()


def test_outbox_batch_with_existing_and_repeated_keys(store: Store) -> None:
    check_outbox_batch_with_existing_and_repeated_keys(store, T0)


def test_one_outbox_row_is_one_statement_with_the_batch_rules(store: Store) -> None:
    check_one_outbox_row_is_one_statement_with_the_batch_rules(store, T0)
