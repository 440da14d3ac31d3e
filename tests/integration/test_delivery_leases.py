"""A claim's deliveries while they are sent (`gateway.pipeline.delivery`), on SQLite and the real
PostgreSQL: a live worker keeps its leases however long the batch takes, and a worker that
stalled past its lease sends none of the rows another worker took meanwhile, so a partner's
files never go out of order between two workers. The sink is a recording stand-in (what a
folder, SFTP or HTTP peer would receive); its pauses stand for a slow peer or a stalled
worker, which no real peer can be made to do on cue."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.adapters.base import Delivery
from gateway.pipeline.delivery import DeliveryWorker
from gateway.registry import Registry
from gateway.store import NewOutbox, OutboxStatus, Store, create_store
from gateway.store.queue import claim_deliveries

LEASE = 1.5  # seconds: short, so that a batch outlasts it


class RecordingSink:
    """Keeps what it was given, in order; `pause(n)` is how long the n-th delivery takes and
    `during(n)` what happens meanwhile (another worker's claim)."""

    def __init__(
        self, pause: Callable[[int], float], during: Callable[[int], None] = lambda n: None
    ) -> None:
        self.pause = pause
        self.during = during
        self.received: list[str] = []

    def deliver(self, delivery: Delivery) -> None:
        n = len(self.received)
        time.sleep(self.pause(n))
        self.during(n)
        self.received.append(delivery.idempotency_key)

    def flush(self) -> None:
        pass


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = (
        f"sqlite:///{tmp_path / 'd.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    s = create_store(url)
    s.migrate()
    yield s
    s.close()


def _worker(store: Store, sink: RecordingSink, tmp_path: Path) -> DeliveryWorker:
    worker = DeliveryWorker(store, Registry([]), tmp_path, lease_seconds=LEASE)
    worker._sinks["demo-carrier"] = sink  # type: ignore[assignment]
    return worker


def _rows(store: Store, n: int) -> None:
    store.add_outbox(
        [NewOutbox("demo-carrier", "folder", "997", f"isa-{i:02d}", b"x") for i in range(n)]
    )


def test_a_batch_longer_than_its_lease_keeps_its_rows(store: Store, tmp_path: Path) -> None:
    _rows(store, 10)
    taken: list[int] = []
    # each file takes 0.25 s: the batch lasts 2.5 s, the lease 1.5 s; at the 8th another worker
    # looks for work
    sink = RecordingSink(
        pause=lambda n: 0.25,
        during=lambda n: (
            taken.extend(r.id for r in claim_deliveries(store, 100, LEASE)) if n == 7 else None
        ),
    )
    assert _worker(store, sink, tmp_path).run_once() == 10
    assert taken == []  # the leases were pushed out: the destination was still busy
    assert sink.received == [f"isa-{i:02d}" for i in range(10)]
    rows = store.list_outbox()
    assert {r.status for r in rows} == {OutboxStatus.DELIVERED}
    assert {r.attempts for r in rows} == {1}


def test_a_worker_stalled_past_its_lease_sends_none_of_what_another_took(
    store: Store, tmp_path: Path
) -> None:
    _rows(store, 6)
    other: list[str] = []

    def another_worker_claims(n: int) -> None:
        if n == 0:  # this worker stalled on its first file past the lease
            other.extend(r.idempotency_key for r in claim_deliveries(store, 100, 60))

    sink = RecordingSink(
        pause=lambda n: LEASE + 0.2 if n == 0 else 0.0, during=another_worker_claims
    )
    _worker(store, sink, tmp_path).run_once()
    # the other worker holds the whole run, the first file again included (sent twice under
    # one idempotency key: at least once); this one sent nothing after it
    assert other == [f"isa-{i:02d}" for i in range(6)]
    assert sink.received == ["isa-00"]
    rows = store.list_outbox()
    assert {r.status for r in rows} == {OutboxStatus.IN_FLIGHT}  # the other worker's claim
