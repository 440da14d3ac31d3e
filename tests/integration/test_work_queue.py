"""The work queue (`gateway.store.queue`) on SQLite and on the real PostgreSQL: claims, fenced
leases, heartbeats, dead workers, poison messages, per-destination delivery claims, slots."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from gateway.store import MessageStatus, NewOutbox, OutboxStatus, Store, create_store
from gateway.store.queue import (
    LeaseLostError,
    WorkQueue,
    claim_deliveries,
    crash_backoff,
    holding,
    release_deliveries,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'q.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def open_store(url: str, clock: Clock) -> Store:
    store = create_store(url, clock=clock)
    store.migrate()
    return store


def receive(store: Store, n: int, sizes: list[int] | None = None) -> list[int]:
    return [
        store.record_receipt(
            sha256=f"{i:064x}",
            channel="folder",
            partner_id="demo-carrier",
            original_name=f"f{i}",
            size=sizes[i] if sizes else 1,
            archive_path=f"/a/{i}",
        ).message_id
        for i in range(n)
    ]


def test_claims_are_disjoint_and_a_paused_worker_cannot_finish_what_another_took(
    url: str,
) -> None:
    clock_a, clock_b = Clock(), Clock()
    a_store, b_store = open_store(url, clock_a), open_store(url, clock_b)
    ids = receive(a_store, 5)
    a = WorkQueue(a_store, lease_seconds=30)
    b = WorkQueue(b_store, lease_seconds=30)
    a.register()
    b.register()
    mine = a.claim_messages(3)
    theirs = b.claim_messages(10)
    assert [x.message_id for x in mine] == ids[:3]
    assert [x.message_id for x in theirs] == ids[3:]
    assert b.claim_messages(10) == []
    # A begins the first message and stalls past its lease; B takes it over and finishes it
    a.begin(mine[0])
    clock_b.now = T0 + timedelta(seconds=31)
    (taken,) = [x for x in b.claim_messages(1)]
    assert (taken.message_id, taken.claims) == (ids[0], 1)  # one start before
    b.begin(taken)
    with holding(taken):
        assert b_store.mark_message(ids[0], MessageStatus.PARSED)
    b.done(taken)
    # A wakes up: its write for that message is refused and nothing of it commits
    with pytest.raises(LeaseLostError), holding(mine[0]):
        a_store.mark_message(ids[0], MessageStatus.QUARANTINED, quarantine_reason="late")
    assert a_store.get_message(ids[0]).status is MessageStatus.PARSED  # type: ignore[union-attr]
    # its other leases still hold: every write under one renews it
    with holding(mine[1]):
        assert a_store.mark_message(ids[1], MessageStatus.PARSED)
    a_store.close()
    b_store.close()


def test_a_message_that_kills_its_worker_every_time_is_set_aside(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    (mid,) = receive(store, 1)
    q = WorkQueue(store, lease_seconds=10, max_claims=3)
    q.register()
    for n in range(3):
        (lease,) = q.claim_messages(5)
        assert lease.claims == n
        q.begin(lease)
        q.held.clear()  # the worker "died" processing it: nobody heartbeats the lease
        clock.now += timedelta(seconds=10 + crash_backoff(n) + 1)
    assert q.claim_messages(5) == []  # the fourth claim sets it aside instead
    msg = store.get_message(mid)
    assert msg is not None and msg.status is MessageStatus.FAILED
    assert "set aside" in (msg.quarantine_reason or "")
    assert [e.kind for e in store.list_events(message_id=mid)][-1] == "set_aside"
    store.close()


def test_a_claim_of_large_files_leaves_the_next_ones_to_other_workers(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    sizes = [100_000, 200_000, 50_000, 10, 300_000, 400_000]
    ids = receive(store, len(sizes), sizes)
    a = WorkQueue(store, lease_seconds=30)
    b = WorkQueue(store, lease_seconds=30)
    a.register()
    b.register()
    claims = [a.claim_messages(16, max_bytes=256_000) for _ in range(4)]
    # 100 KB + 200 KB is over: one; 200 + 50 KB + 10 B fit; a file over the budget comes alone
    assert [[x.message_id for x in c] for c in claims] == [
        ids[:1],
        ids[1:4],
        ids[4:5],
        ids[5:6],
    ]
    assert b.claim_messages(16, max_bytes=256_000) == []
    assert [x.message_id for x in b.claim_messages(16)] == []  # the budget left none locked
    store.close()


def test_each_start_after_a_death_comes_back_later(url: str) -> None:
    """A message begun and never finished gets a lease longer by 2, 4, 8... seconds on each
    claim after that, heartbeats included, so its starts do not follow a fault's rhythm."""
    assert [crash_backoff(n) for n in range(7)] == [0, 2, 4, 8, 16, 30, 30]
    clock = Clock()
    store = open_store(url, clock)
    (mid,) = receive(store, 1)
    q = WorkQueue(store, lease_seconds=10)
    q.register()
    (first,) = q.claim_messages(5)
    assert first.lease_seconds == 10
    q.begin(first)
    q.held.clear()  # the worker died processing it
    clock.now += timedelta(seconds=11)
    (second,) = q.claim_messages(5)
    assert (second.claims, second.lease_seconds) == (1, 12)
    q.begin(second)
    clock.now += timedelta(seconds=11)
    q.heartbeat()  # renews by the longer lease too
    clock.now += timedelta(seconds=11.5)
    assert q.claim_messages(5) == []  # 11.5 s after the heartbeat: within its 12 s
    q.held.clear()  # this worker dies as well
    clock.now += timedelta(seconds=1)
    (third,) = q.claim_messages(5)
    assert (third.message_id, third.claims, third.lease_seconds) == (mid, 2, 14)
    q.begin(third)
    with holding(third):
        assert store.mark_message(mid, MessageStatus.PARSED)
    q.done(third)
    assert q.backoff == {} and q.held == {}
    store.close()


def test_heartbeat_keeps_leases_and_a_dead_workers_work_returns(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    ids = receive(store, 2)
    dead = WorkQueue(store, lease_seconds=10)
    live = WorkQueue(store, lease_seconds=10)
    dead.register()
    live.register()
    assert [x.message_id for x in dead.claim_messages(1)] == ids[:1]
    assert [x.message_id for x in live.claim_messages(1)] == ids[1:]
    clock.now += timedelta(seconds=8)
    live.heartbeat()  # extends its own lease only
    clock.now += timedelta(seconds=5)
    (taken,) = live.claim_messages(5)  # the dead worker's lease ran out, its own did not
    assert (taken.message_id, taken.claims) == (ids[0], 0)  # claimed, never begun
    clock.now += timedelta(seconds=10)  # two leases without a heartbeat: pruned
    assert live.heartbeat() == 1
    assert [w[0] for w in live.workers()] == [live.worker_id]
    store.close()


def test_a_stop_gives_claims_back_at_once_without_counting_a_crash(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    receive(store, 3)
    a = WorkQueue(store, lease_seconds=600)
    a.register()
    first = a.claim_messages(3)
    a.release(first[1:])
    a.unregister()  # a dead worker's claims that were never begun count nothing either
    b = WorkQueue(store, lease_seconds=600)
    b.register()
    again = b.claim_messages(3)
    assert [x.message_id for x in again] == [x.message_id for x in first]
    assert [x.claims for x in again] == [0, 0, 0]
    store.close()


def test_periodic_jobs_run_once_per_slot_across_workers(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    workers = [WorkQueue(store) for _ in range(3)]
    assert [w.run_once_per_slot("acks-overdue", 60) for w in workers] == [True, False, False]
    clock.now += timedelta(seconds=30)
    assert not any(w.run_once_per_slot("acks-overdue", 60) for w in workers)
    clock.now += timedelta(seconds=31)
    assert sum(w.run_once_per_slot("acks-overdue", 60) for w in workers) == 1
    assert workers[0].run_once_per_slot("hold-sweep", 60)  # slots are per job
    store.close()


def test_deliveries_are_claimed_one_destination_at_a_time_and_released_on_stop(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    store.add_outbox(
        [NewOutbox(d, "folder", "x", f"{d}-{i}", b"x") for i in range(3) for d in ("erp", "tms")]
    )
    first = claim_deliveries(store, 100, 60)
    second = claim_deliveries(store, 100, 60)
    assert {r.destination for r in first} == {"erp"} and len(first) == 3
    assert {r.destination for r in second} == {"tms"}
    assert claim_deliveries(store, 100, 60) == []  # both destinations are being delivered
    # a stop: the claim's unsent rows are due again at once, their attempt given back
    token = first[0].lease_token or ""
    assert release_deliveries(store, [r.id for r in first[1:]], token) == 2
    assert release_deliveries(store, [first[0].id], "stale-token") == 0
    rows = {r.id: r for r in store.list_outbox()}
    assert [rows[r.id].status for r in first] == [
        OutboxStatus.IN_FLIGHT,
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    ]
    assert [rows[r.id].attempts for r in first[1:]] == [0, 0]
    # erp still has a row in flight: its later rows wait, so files arrive in order
    assert claim_deliveries(store, 100, 60) == []
    clock.now += timedelta(seconds=61)  # that claim's lease ran out (its worker died)
    again = claim_deliveries(store, 100, 60)
    assert [r.id for r in again] == [r.id for r in first]
    store.close()


def test_one_round_claims_several_destinations_each_under_its_own_lease(url: str) -> None:
    """`destinations=N`: the oldest due destinations, each as one claim would take it (its
    rows in id order, its own token), in one transaction; a busy one is left to its worker."""
    clock = Clock()
    store = open_store(url, clock)
    store.add_outbox(
        [
            NewOutbox(d, "folder", "x", f"{d}-{i}", b"x")
            for i in range(3)
            for d in ("erp", "tms", "portal")
        ]
    )
    busy = claim_deliveries(store, 100, 60)  # another worker is sending erp's files
    assert {r.destination for r in busy} == {"erp"}
    rows = claim_deliveries(store, 100, 60, destinations=8)
    by_destination: dict[str, list[int]] = {}
    tokens: dict[str, set[str | None]] = {}
    for r in rows:
        by_destination.setdefault(r.destination, []).append(r.id)
        tokens.setdefault(r.destination, set()).add(r.lease_token)
    assert sorted(by_destination) == ["portal", "tms"]
    assert all(ids == sorted(ids) and len(ids) == 3 for ids in by_destination.values())
    assert all(len(t) == 1 for t in tokens.values())
    assert tokens["portal"] != tokens["tms"]
    assert claim_deliveries(store, 100, 60, destinations=8) == []  # all three in flight
    store.close()


def test_a_round_of_several_destinations_takes_no_more_rows_than_one_claim(url: str) -> None:
    """The rows of a round stay within `limit` in all, so a round sends no longer than one
    claim did (its leases do not run out while slower peers are sent to)."""
    clock = Clock()
    store = open_store(url, clock)
    store.add_outbox(
        [NewOutbox(d, "folder", "x", f"{d}-{i}", b"x") for i in range(3) for d in ("erp", "tms")]
    )
    rows = claim_deliveries(store, 4, 60, destinations=8)
    assert [r.destination for r in rows] == ["erp", "erp", "erp", "tms"]
    rest = claim_deliveries(store, 4, 60, destinations=8)
    assert rest == []  # tms has a row in flight: its later rows wait, in order
    store.close()


def test_a_delivery_row_held_for_a_moment_is_not_jumped(pg_url: str) -> None:
    """PostgreSQL: a due row another transaction holds (a lease being extended or completed as it
    ran out) is skipped by SKIP LOCKED; the rows after it must then wait, not go out first."""
    clock = Clock()
    store = open_store(pg_url, clock)
    store.add_outbox([NewOutbox("carrier", "folder", "x", f"c-{i}", b"x") for i in range(3)])
    ids = sorted(r.id for r in store.list_outbox())
    other = store._engine.connect()
    try:
        with other.begin():
            other.execute(text("SELECT id FROM outbox WHERE id = :i FOR UPDATE"), {"i": ids[0]})
            assert claim_deliveries(store, 100, 60) == []  # not c-1 and c-2 before c-0
        taken = claim_deliveries(store, 100, 60)  # the lock is gone: all three, in order
        assert [r.id for r in taken] == ids
    finally:
        other.close()
        store.close()


def test_a_row_stamped_later_than_the_next_one_still_goes_out_first(url: str) -> None:
    """A row is stamped with its message's processing time, and a message begun earlier by
    another worker may commit its row later: a higher id with an earlier time. A claim whose
    clock falls between the two must not send the later row before the earlier one (the
    20,000-message soak delivered 997s out of control number order this way)."""
    clock = Clock()
    store = open_store(url, clock)
    (first,) = store.add_outbox([NewOutbox("carrier", "folder", "x", "c-1", b"1")], now=T0)
    early = T0 - timedelta(seconds=1)
    (second,) = store.add_outbox([NewOutbox("carrier", "folder", "x", "c-2", b"2")], now=early)
    assert first < second
    between = T0 - timedelta(milliseconds=500)
    assert claim_deliveries(store, 100, 60, between) == []  # c-2 is due, c-1 is not yet
    taken = claim_deliveries(store, 100, 60, T0)
    assert [r.id for r in taken] == [first, second]
    store.close()


def test_a_row_in_backoff_holds_back_its_destination_only(url: str) -> None:
    """The rows after a failed one wait for it (they go out in order); other destinations do
    not wait for it, even when its destination's rows are the oldest due."""
    clock = Clock()
    store = open_store(url, clock)
    a1, a2 = store.add_outbox(
        [NewOutbox("alpha", "folder", "x", f"a-{i}", b"a") for i in (1, 2)], now=T0
    )
    (a1_row,) = claim_deliveries(store, 1, 60, T0)
    assert a1_row.id == a1
    assert store.fail_outbox(a1, a1_row.lease_token or "", "down", T0 + timedelta(minutes=5), False)
    (b1,) = store.add_outbox([NewOutbox("bravo", "folder", "x", "b-1", b"b")], now=T0)
    later = T0 + timedelta(seconds=1)
    (b1_row,) = claim_deliveries(store, 100, 60, later)
    assert b1_row.id == b1
    assert store.complete_outbox_many([b1], b1_row.lease_token or "", later) == [b1]
    assert claim_deliveries(store, 100, 60, later) == []  # a-2 waits behind a-1's backoff
    retry = T0 + timedelta(minutes=5)
    assert [r.id for r in claim_deliveries(store, 100, 60, retry)] == [a1, a2]
    store.close()


def test_concurrent_claims_never_share_a_message(url: str) -> None:
    clock = Clock()
    store = open_store(url, clock)
    ids = receive(store, 60)
    got: list[list[int]] = []
    errors: list[BaseException] = []

    def work() -> None:
        q = WorkQueue(store)
        mine: list[int] = []
        try:
            while leases := q.claim_messages(4):
                for lease in leases:
                    with holding(lease):
                        store.mark_message(lease.message_id, MessageStatus.PARSED)
                    q.done(lease)
                    mine.append(lease.message_id)
        except BaseException as exc:
            errors.append(exc)
        got.append(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(i for mine in got for i in mine) == ids
    store.close()


def test_a_claim_of_the_same_size_is_not_built_again(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim's multi-row upsert has no SQLAlchemy cache key: it is built and compiled once
    per row count (and whether starts are counted), then reused; the leases are the same."""
    from gateway.store import _prepared

    built: list[str] = []
    real = _prepared._plan

    def counted(dialect: object, statement: object) -> object:
        built.append(str(statement).split(" ", 3)[2])  # the table of an INSERT
        return real(dialect, statement)  # type: ignore[arg-type]

    monkeypatch.setattr(_prepared, "_PLANS", {})
    monkeypatch.setattr(_prepared, "_plan", counted)
    clock = Clock()
    store = open_store(url, clock)
    ids = receive(store, 6)
    q = WorkQueue(store, lease_seconds=10)
    q.register()
    first = q.claim_messages(3, begin=True)
    second = q.claim_messages(3, begin=True)
    assert [x.message_id for x in first + second] == ids
    assert built.count("queue_lease") == 1
    assert {x.claims for x in first + second} == {0}  # begun by this claim, none before
    for lease in first + second:
        with holding(lease):
            assert store.mark_message(lease.message_id, MessageStatus.PARSED)
    q.done(*first, *second)
    store.close()


def test_a_claim_whose_pick_read_the_leases_too_early_leaves_the_message_without_waiting(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a claim's pick reads the leases as of its start and locks the message rows
    after; a message leased and committed in between comes back as never leased. Its new holder
    locks the lease row in every write (the renewal) before the message row, which this claim
    now holds: upserting that lease would wait for the holder, which waits for the claim, a
    deadlock PostgreSQL breaks by failing one of them (seen as a `deadlock detected` error in
    `test_concurrent_claims_never_share_a_message`). The claim must leave such a message, at
    once."""
    from sqlalchemy import Integer, bindparam, select

    from gateway.store import _prepared
    from gateway.store import queue as queue_module
    from gateway.store.schema import queue_lease_t, received_message_t

    m, lease_c = received_message_t.c, queue_lease_t.c

    def stale_pick(dialect: str) -> object:
        # what the pick returns when its snapshot predates the other claim's commit: a live
        # lease is not seen (only an expired one would be)
        now = bindparam("b_now", type_=lease_c.lease_until.type)
        seen = (lease_c.message_id == m.id) & (lease_c.lease_until < now)
        return (
            select(m.id, lease_c.message_id, lease_c.claims, m.size)
            .select_from(received_message_t.outerjoin(queue_lease_t, seen))
            .where(m.status == MessageStatus.RECEIVED.value)
            .order_by(m.id)
            .limit(bindparam("b_limit", type_=Integer()))
            .with_for_update(of=received_message_t, skip_locked=True)
        )

    store = open_store(pg_url, Clock())
    (message_id,) = receive(store, 1)
    (lease,) = WorkQueue(store, lease_seconds=60).claim_messages(1)
    # the holder's write, in progress: its renewal has locked the lease row
    holder = store._engine.connect()
    holder.execute(
        text("UPDATE queue_lease SET lease_until = lease_until WHERE message_id = :m"),
        {"m": message_id},
    )
    monkeypatch.setattr(_prepared, "_PLANS", {})
    monkeypatch.setattr(queue_module, "_claim_pick", stale_pick)
    got: list[object] = []
    other = threading.Thread(target=lambda: got.append(WorkQueue(store).claim_messages(4)))
    try:
        other.start()
        other.join(10)
        waited = other.is_alive()
    finally:
        holder.rollback()  # let a waiting claim go on
        holder.close()
        other.join(10)
    assert not waited, "the claim waited for the lease row of a message it must leave"
    assert got == [[]]
    with holding(lease):  # the holder's lease is intact
        assert store.mark_message(message_id, MessageStatus.PARSED)
    store.close()
