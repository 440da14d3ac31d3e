"""Group commit of a claim's messages (`Gateway._process_group`): one transaction for many
files, with each message isolated and nothing weaker than one commit per message.

Faults are injected by wrapping one store method for one message (an internal error, a store
error): neither can be timed from outside a running process. A kill -9 before the group's
commit is the crash point `before_group_commit` of tests/reliability/test_crash_sweep.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import OperationalError

from gateway.pipeline import x12_inbound
from gateway.pipeline.x12_inbound import X12Inbound
from gateway.service import Gateway
from gateway.store import MessageStatus, OutboxBuild, StoreError
from gateway.store.queue import current_lease, queue_lease_t
from gateway.store.records import CounterKind
from gateway.store.schema import ack_t, counter_t, event_t
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

FILES = 5


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """The embedded SQLite default, or a fresh PostgreSQL database: a message's savepoint is
    the same plain statements on both (gateway/store/_base.py)."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("pg_url")
    return url


def _received(tmp_path: Path, url: str | None = None) -> Gateway:
    settings = dataclasses.replace(make_home(tmp_path), database_url=url)
    gw = gateway(settings)
    for n in range(FILES):
        drop(settings, "demo-carrier", f"f{n}.x12", demo_214(f"00000090{n}", sets=1))
    assert gw.receive_ready() == FILES
    return gw


def _isa13s(gw: Gateway) -> list[int]:
    """Control numbers of the 997s queued for the carrier, in order."""
    rows = gw.store.list_outbox(destination="demo-carrier")
    return sorted(int((r.payload or b"").split(b"*")[13]) for r in rows)


def _acks_each(gw: Gateway, ids: list[int]) -> set[int]:
    """997s queued per message (the same 214 body in every file: the systems' copies of the
    later ones are business duplicates, so only the 997 is one per file)."""
    return {len(gw.store.list_outbox(source_message_id=i, destination="demo-carrier")) for i in ids}


def _statements(gw: Gateway, prefix: str) -> list[str]:
    """The statements starting with `prefix` that the gateway's store runs from now on."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(prefix):
            seen.append(statement)

    event.listen(gw.store._engine, "before_cursor_execute", record)
    return seen


def _lease_rows(gw: Gateway) -> int:
    with gw.store._read() as conn:
        return len(conn.execute(queue_lease_t.select()).all())


def test_a_claim_is_one_commit_and_one_failing_message_spoils_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> None:
    gw = _received(tmp_path, database_url)
    ids = sorted(m.id for m in gw.store.list_messages())
    bad = ids[2]
    # a one-set interchange is written whole at its IEA (gateway/pipeline/x12_inbound.py)
    real = gw.store.record_interchange_batch

    def fails_for_one(*args: Any, **kwargs: Any) -> Any:
        written = real(*args, **kwargs)
        lease = current_lease()
        if lease is not None and lease.message_id == bad:
            # after its interchange, sets and control numbers were written in the group
            raise RuntimeError("injected internal error")
        return written

    monkeypatch.setattr(gw.store, "record_interchange_batch", fails_for_one)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)  # a slow machine: still one
    gw._register()
    commits: list[int] = []
    event.listen(gw.store._engine, "commit", lambda conn: commits.append(1))
    assert gw.process_claimed() == FILES
    assert len(commits) == 2  # the claim (with every start counted) and the group

    status = {m.id: m for m in gw.store.list_messages()}
    assert status[bad].status is MessageStatus.FAILED
    assert "injected internal error" in (status[bad].quarantine_reason or "")
    assert {status[i].status for i in ids if i != bad} == {MessageStatus.PARSED}
    # the failed message's writes were undone with its savepoint: no interchange, no outbox
    # row, and its 997's control number was not used (the others' are gap-free)
    assert gw.store.list_interchanges(message_id=bad) == []
    assert gw.store.list_outbox(source_message_id=bad) == []
    for i in ids:
        if i != bad:
            assert len(gw.store.list_interchanges(message_id=i)) == 1
    assert _acks_each(gw, [i for i in ids if i != bad]) == {1}
    assert _isa13s(gw) == list(range(_isa13s(gw)[0], _isa13s(gw)[0] + FILES - 1))
    assert _lease_rows(gw) == 0
    gw.store.close()


def test_a_store_error_in_a_group_rolls_it_back_and_each_message_runs_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = _received(tmp_path)
    ids = sorted(m.id for m in gw.store.list_messages())
    real = gw.store.record_interchange_batch  # the last write of a one-set interchange
    calls: list[int] = []

    def down_once_in_the_group(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:  # the 4th message of the group: three were processed already
            raise StoreError("database unavailable: injected")
        return real(*args, **kwargs)

    monkeypatch.setattr(gw.store, "record_interchange_batch", down_once_in_the_group)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    assert gw.process_claimed() == FILES
    assert len(calls) > 4  # the failure happened, and the group's messages ran again
    # every message exactly once: the group's work was rolled back, then done one by one
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    for i in ids:
        assert len(gw.store.list_interchanges(message_id=i)) == 1
    assert _acks_each(gw, ids) == {1}
    assert len(gw.store.list_outbox(limit=1000)) == outbox_one_by_one(tmp_path)
    assert _isa13s(gw) == list(range(_isa13s(gw)[0], _isa13s(gw)[0] + FILES))
    assert _lease_rows(gw) == 0
    gw.store.close()


def outbox_one_by_one(tmp_path: Path) -> int:
    """The outbox rows the same files make without group commit (a reference run)."""
    gw = _received(tmp_path / "reference")
    gw.group_commit = False
    assert gw.process_claimed() == FILES
    rows = len(gw.store.list_outbox(limit=1000))
    gw.store.close()
    return rows


def test_a_message_begun_before_is_processed_alone_with_its_start_counted(
    tmp_path: Path,
) -> None:
    """A worker died in a group: every message of it was counted once; each is now processed
    in its own transactions, so a poison message reaches max_claims by its own starts."""
    gw = _received(tmp_path)
    dead = gw.queue.claim_messages(FILES, begin=True)
    assert [x.begun for x in dead] == [True] * FILES
    gw.queue.unregister()  # its leases come back at once (as after a restart on SQLite)
    gw._registered = False
    commits: list[int] = []
    event.listen(gw.store._engine, "commit", lambda conn: commits.append(1))
    assert gw.process_claimed() == FILES
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    assert len(commits) > FILES * 3  # one by one: a start, the streaming path, the status
    assert _lease_rows(gw) == 0
    gw.store.close()


def _events_of_kind(gw: Gateway, kind: str) -> int:
    with gw.store._read() as conn:
        return len(conn.execute(event_t.select().where(event_t.c.kind == kind)).all())


def test_a_write_that_fails_half_done_and_is_caught_never_stays_half_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> None:
    """Inside a group's message the writes take no savepoint of their own (the message's
    savepoint covers them). A write that fails after its first statement, with the error
    caught by its caller, must not leave that statement behind: the message is undone and the
    group runs one by one, where each write is its own transaction again."""
    gw = _received(tmp_path, database_url)
    ids = sorted(m.id for m in gw.store.list_messages())
    bad = ids[1]
    real = gw.store.record_interchange_batch  # the last write of a one-set interchange
    in_group: list[bool] = []

    def half_write_caught(*args: Any, **kwargs: Any) -> Any:
        lease = current_lease()
        if lease is not None and lease.message_id == bad:
            in_group.append(gw.store._batch_conn() is not None)
            try:
                with gw.store._write() as conn:
                    row = {"kind": "half-written", "detail": {}, "at": datetime.now(UTC)}
                    conn.execute(event_t.insert().values(row))
                    raise RuntimeError("fails after its first statement")
            except RuntimeError:
                pass  # a caller that goes on
        return real(*args, **kwargs)

    monkeypatch.setattr(gw.store, "record_interchange_batch", half_write_caught)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    assert gw.process_claimed() == FILES
    assert in_group == [True, False]  # tried in the group, then alone
    assert _events_of_kind(gw, "half-written") == 0
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    for i in ids:
        assert len(gw.store.list_interchanges(message_id=i)) == 1
    assert _acks_each(gw, ids) == {1}
    assert len(gw.store.list_outbox(limit=1000)) == outbox_one_by_one(tmp_path)
    assert _isa13s(gw) == list(range(_isa13s(gw)[0], _isa13s(gw)[0] + FILES))
    assert _lease_rows(gw) == 0
    gw.store.close()


def test_a_group_message_issues_no_savepoint_per_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> None:
    """One SAVEPOINT per message of a group (and one for the hold sweep), not one per write."""
    gw = _received(tmp_path, database_url)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    gw._register()
    savepoints = _statements(gw, "SAVEPOINT")
    assert gw.process_claimed() == FILES
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    # the messages, the hold sweep, and the claim's own `done` (one write outside them)
    assert len(savepoints) <= FILES + 2
    gw.store.close()


def test_a_claim_takes_one_large_file_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files above the claim's byte budget are claimed one per claim, so the next one is left
    to another worker (`CLAIM_BYTES`); small ones still come sixteen at a time."""
    monkeypatch.setattr("gateway.service.CLAIM_BYTES", 1_000)
    settings = make_home(tmp_path)
    gw = gateway(settings)
    for n in range(3):
        drop(settings, "demo-carrier", f"big{n}.x12", demo_214(f"00000091{n}", sets=5))
    assert gw.receive_ready() == 3
    assert min(m.size for m in gw.store.list_messages()) > 1_000
    gw._register()
    assert [gw.process_claimed() for _ in range(4)] == [1, 1, 1, 0]


def test_on_sqlite_a_claim_takes_more_than_a_shared_queue_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has one worker: a claim takes up to SQLITE_CLAIM_BATCH messages (fewer claim and
    group commits per file), not the CLAIM_BATCH that leaves work for other PostgreSQL workers."""
    from gateway.service import CLAIM_BATCH, SQLITE_CLAIM_BATCH

    files = CLAIM_BATCH + 4
    assert files <= SQLITE_CLAIM_BATCH
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    settings = make_home(tmp_path)
    gw = gateway(settings)
    for n in range(files):
        drop(settings, "demo-carrier", f"s{n}.x12", demo_214(f"0000092{n:02d}", sets=1))
    assert gw.receive_ready() == files
    gw._register()
    commits: list[int] = []
    event.listen(gw.store._engine, "commit", lambda conn: commits.append(1))
    assert [gw.process_claimed() for _ in range(2)] == [files, 0]
    assert len(commits) <= 3  # the claim, the group, the empty claim
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    gw.store.close()


def _counter(gw: Gateway) -> int | None:
    """The demo carrier's last ISA13, as this thread's transaction sees it."""
    with gw.store._read() as conn:
        c = counter_t.c
        found = conn.execute(
            select(c.last_value).where(
                (c.partner_id == "demo-carrier") & (c.kind == CounterKind.INTERCHANGE.value)
            )
        ).scalar()
    return None if found is None else int(found)


def test_a_groups_acks_are_numbered_and_written_at_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> None:
    """The 997s of a group take their control numbers just before its commit, not message by
    message: the partner's counter row is locked from its first number to the commit, so a
    second worker on the same partner waits for the commit only (store/control_numbers.py)."""
    gw = _received(tmp_path, database_url)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    real = gw.store.record_interchange_batch
    seen: list[tuple[int | None, int]] = []

    def observed(*args: Any, **kwargs: Any) -> Any:
        written = real(*args, **kwargs)
        # inside the group, after this message's write: no number taken, no 997 queued yet
        seen.append((_counter(gw), len(gw.store.list_outbox(destination="demo-carrier"))))
        return written

    monkeypatch.setattr(gw.store, "record_interchange_batch", observed)
    gw._register()
    for kind in (CounterKind.INTERCHANGE, CounterKind.GROUP):  # rows there, at 0: no first use
        gw.store.set_last_control_number("demo-carrier", kind, 0)
    updates = _statements(gw, "UPDATE control_number_counter")
    assert gw.process_claimed() == FILES
    assert seen == [(0, 0)] * FILES
    assert _counter(gw) == FILES
    assert len(updates) == 2  # the group's ISA13s and GS06s: one UPDATE each, not two a file
    assert _acks_each(gw, sorted(m.id for m in gw.store.list_messages())) == {1}
    rows = gw.store.list_outbox(destination="demo-carrier", limit=100)
    by_id = [int((r.payload or b"").split(b"*")[13]) for r in sorted(rows, key=lambda r: r.id)]
    assert by_id == list(range(1, FILES + 1))  # row order is control number order
    with gw.store._read() as conn:
        a = ack_t.c
        links = conn.execute(select(a.outbox_id).where(a.outbox_key.is_not(None))).all()
    assert len(links) == FILES and all(outbox_id is not None for (outbox_id,) in links)
    gw.store.close()


def test_on_postgresql_the_counter_is_free_while_a_group_is_processed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    """Another worker can take the carrier's next control number while this worker's group is
    still open: before, it waited for the whole group (BENCHMARKS.md, "Eighth pass")."""
    gw = _received(tmp_path, pg_url)
    gw.store.allocate_control_numbers("demo-carrier", CounterKind.INTERCHANGE)  # the row exists
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    real = gw.store.record_interchange_batch
    other = create_engine(pg_url)
    free: list[bool] = []

    def observed(*args: Any, **kwargs: Any) -> Any:
        written = real(*args, **kwargs)
        with other.connect() as conn:  # a second worker, its own connection
            try:
                conn.execute(
                    text(
                        "SELECT last_value FROM control_number_counter"
                        " WHERE partner_id = 'demo-carrier' FOR UPDATE NOWAIT"
                    )
                )
                free.append(True)
            except OperationalError:  # LockNotAvailable: the group holds the row
                free.append(False)
            conn.rollback()
        return written

    monkeypatch.setattr(gw.store, "record_interchange_batch", observed)
    gw._register()
    assert gw.process_claimed() == FILES
    other.dispose()
    assert free == [True] * FILES
    assert _isa13s(gw) == list(range(2, FILES + 2))
    gw.store.close()


def test_a_deferred_ack_that_fails_sends_the_group_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None
) -> None:
    """A 997 build that fails at the group's end rolls the group back; its messages are then
    processed one by one (each 997 built in its own transaction) and each takes effect once."""
    gw = _received(tmp_path, database_url)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    real = X12Inbound._acks_outbox
    calls: list[int] = []

    def fails_first(self: X12Inbound, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("injected failure of a deferred 997")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(X12Inbound, "_acks_outbox", fails_first)
    gw._register()
    assert gw.process_claimed() == FILES
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    ids = sorted(m.id for m in gw.store.list_messages())
    for i in ids:
        assert len(gw.store.list_interchanges(message_id=i)) == 1
    assert _acks_each(gw, ids) == {1}
    assert _isa13s(gw) == list(range(1, FILES + 1))
    assert _lease_rows(gw) == 0
    gw.store.close()


@pytest.mark.parametrize("miscount", [-1, 1])
def test_a_build_that_takes_other_numbers_than_declared_sends_the_group_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None, miscount: int
) -> None:
    """A group's end hands each 997 the numbers its OutboxBuild declared; one that takes more
    or fewer (a miscount: one GS06 too few or too many declared) rolls the group back rather
    than reuse or skip a number, and one by one each 997 takes its numbers as it goes."""
    gw = _received(tmp_path, database_url)
    monkeypatch.setattr("gateway.service.GROUP_SECONDS", 60.0)
    declared = x12_inbound.OutboxBuild
    made: list[int] = []

    def miscounted(*args: Any, **kwargs: Any) -> OutboxBuild:
        made.append(1)
        if len(made) == 2:
            kwargs["groups"] = kwargs.get("groups", 0) + miscount
        return declared(*args, **kwargs)

    monkeypatch.setattr(x12_inbound, "OutboxBuild", miscounted)
    gw._register()
    assert gw.process_claimed() == FILES
    assert len(made) > FILES  # the group's messages ran again, one by one
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    ids = sorted(m.id for m in gw.store.list_messages())
    assert _acks_each(gw, ids) == {1}
    assert _isa13s(gw) == list(range(1, FILES + 1))
    gs06s = sorted(
        int(line.split(b"*")[6])
        for r in gw.store.list_outbox(destination="demo-carrier")
        for line in (r.payload or b"").split(b"~")
        if line.strip().startswith(b"GS*")
    )
    assert gs06s == list(range(1, FILES + 1))
    gw.store.close()
