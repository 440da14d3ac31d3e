"""Statements of the per-file path built once (module constants or one per shape) answer
exactly what the statements built on every call answered: the reference builders below are
the code they replaced, run on a copy of the same database."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select, update

from gateway.store import (
    Direction,
    NewInterchange,
    NewOutbox,
    OutboxRow,
    Store,
    _outbox,
    _prepared,
    _rows,
    create_store,
    queue,
)
from gateway.store.records import MessageStatus, NewReceipt, OutboxStatus
from gateway.store.schema import interchange_t, outbox_t, received_message_t

T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
_PENDING = OutboxStatus.PENDING.value
_IN_FLIGHT = OutboxStatus.IN_FLIGHT.value


def _open(path: Path) -> Store:
    s = create_store(f"sqlite:///{path}")
    s.migrate()
    return s


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = _open(tmp_path / "hot.db")
    yield s
    s.close()


# ------------------------------------------------------------ the builders replaced


def _reference_claim(
    conn: Connection,
    *,
    limit: int,
    lease_seconds: float,
    now: datetime,
    channel: str | None,
    destination: str | None,
    token: str,
) -> list[OutboxRow]:
    """`_outbox.claim` as it was (statement built per call, the token passed in)."""
    o = outbox_t.c
    due = ((o.status == _PENDING) & (o.next_attempt_at <= now)) | (
        (o.status == _IN_FLIGHT) & (o.lease_until < now)
    )
    pick = select(o.id).where(due)
    if channel is not None:
        pick = pick.where(o.channel == channel)
    if destination is not None:
        pick = pick.where(o.destination == destination)
    order = (o.id,) if destination is not None else (o.next_attempt_at, o.id)
    picked = pick.order_by(*order).limit(limit).with_for_update(skip_locked=True).cte("picked")
    chosen: Any = select(picked.c.id)
    if destination is not None:
        waiting = (o.destination == destination) & o.status.in_([_PENDING, _IN_FLIGHT])
        held = (
            select(o.id)
            .where(waiting & o.id.not_in(select(picked.c.id)))
            .order_by(o.id)
            .limit(1)
            .scalar_subquery()
        )
        chosen = select(picked.c.id).where(picked.c.id < func.coalesce(held, 2**63 - 1))
    stmt = (
        update(outbox_t)
        .where(o.id.in_(chosen))
        .values(
            status=_IN_FLIGHT,
            lease_token=token,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=o.attempts + 1,
        )
        .returning(*outbox_t.c)
    )
    rows = [_outbox.to_outbox_row(r) for r in conn.execute(stmt)]
    if destination is not None:
        rows.sort(key=lambda r: r.id)
    else:
        rows.sort(key=lambda r: (r.next_attempt_at, r.id))
    return rows


def _reference_complete_many(
    conn: Connection, outbox_ids: list[int], lease_token: str, now: datetime
) -> list[tuple[int, int | None]]:
    o = outbox_t.c
    stmt = (
        update(outbox_t)
        .where(o.id.in_(outbox_ids) & (o.lease_token == lease_token) & (o.status == _IN_FLIGHT))
        .values(
            status=OutboxStatus.DELIVERED.value,
            delivered_at=now,
            lease_token=None,
            lease_until=None,
            last_error=None,
        )
        .returning(o.id, o.source_message_id)
    )
    return sorted((r[0], r[1]) for r in conn.execute(stmt))


# ------------------------------------------------------------ a varied outbox


def _fill_outbox(store: Store) -> None:
    """Rows of three destinations and two channels: due, not yet due (backoff), in flight with
    a live or an expired lease, delivered, dead."""
    rows = []
    for n in range(30):
        destination = ("portal", "erp", "carrier")[n % 3]
        channel = "folder" if n % 4 else "http"
        when = T0 + timedelta(seconds=(n * 7) % 11 - 5)  # some due, some later
        rows.append(NewOutbox(destination, channel, "json", f"k{n}", b"x", None, when))
    ids = store.add_outbox(rows, now=T0 - timedelta(minutes=1))
    with store._write() as conn:
        o = outbox_t.c
        for n, outbox_id in enumerate(ids):
            values: dict[str, Any] | None = None
            if n % 7 == 1:  # in flight, lease still running
                values = {
                    "status": _IN_FLIGHT,
                    "lease_token": "live",
                    "lease_until": T0 + timedelta(60),
                }
            elif n % 7 == 2:  # in flight, lease ran out (a dead worker's)
                values = {
                    "status": _IN_FLIGHT,
                    "lease_token": "gone",
                    "lease_until": T0 - timedelta(1),
                }
            elif n % 7 == 3:
                values = {"status": OutboxStatus.DELIVERED.value}
            elif n % 7 == 4:
                values = {"status": OutboxStatus.DEAD.value}
            if values:
                conn.execute(update(outbox_t).where(o.id == outbox_id).values(**values))


def _dump(store: Store) -> list[tuple[Any, ...]]:
    with store._read() as conn:
        return [tuple(r) for r in conn.execute(select(outbox_t).order_by(outbox_t.c.id))]


SHAPES = [
    (None, None),
    ("folder", None),
    (None, "portal"),
    (None, "erp"),
    ("folder", "carrier"),
]


@pytest.mark.parametrize(("channel", "destination"), SHAPES)
@pytest.mark.parametrize("limit", [1, 4, 100])
def test_the_claim_built_once_takes_what_the_claim_built_per_call_took(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    channel: str | None,
    destination: str | None,
    limit: int,
) -> None:
    first = _open(tmp_path / "a.db")
    _fill_outbox(first)
    first.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    token = uuid.UUID(int=7)
    monkeypatch.setattr(_outbox.uuid, "uuid4", lambda: token)
    a, b = _open(tmp_path / "a.db"), _open(tmp_path / "b.db")
    try:
        for round_ in range(3):  # again and again: the second claims see the first's leases
            now = T0 + timedelta(seconds=3 * round_)
            with a._write() as conn:
                new = _outbox.claim(
                    conn,
                    limit=limit,
                    lease_seconds=30,
                    now=now,
                    channel=channel,
                    destination=destination,
                )
            with b._write() as conn:
                old = _reference_claim(
                    conn,
                    limit=limit,
                    lease_seconds=30,
                    now=now,
                    channel=channel,
                    destination=destination,
                    token=token.hex,
                )
            assert new == old
            assert _dump(a) == _dump(b)
        assert any(_dump(a)[i][7] == _IN_FLIGHT for i in range(30))
    finally:
        a.close()
        b.close()


def test_complete_many_built_once_completes_what_it_completed(tmp_path: Path) -> None:
    first = _open(tmp_path / "a.db")
    _fill_outbox(first)
    with first._write() as conn:
        claimed = _outbox.claim(
            conn, limit=100, lease_seconds=30, now=T0, channel=None, destination=None
        )
    first.close()
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    token = claimed[0].lease_token or ""
    # every other row of the claim and an unknown id
    ids = [*[r.id for r in claimed][::2], 10_000]
    a, b = _open(tmp_path / "a.db"), _open(tmp_path / "b.db")
    try:
        done = a.complete_outbox_many(ids, token, now=T0 + timedelta(seconds=1))
        with b._write() as conn:
            old = _reference_complete_many(conn, ids, token, T0 + timedelta(seconds=1))
        assert done == [i for i, _ in old] and done
        assert a.complete_outbox_many([], token) == []
        assert a.complete_outbox_many(ids, "another token") == []
        assert _dump(a)[:30] == _dump(b)[:30]
    finally:
        a.close()
        b.close()


# ------------------------------------------------------------ reads of the per-file path


def _interchange(control: str, sender: str = "S1", direction: Direction = Direction.IN) -> Any:
    return NewInterchange(
        partner_id="p",
        direction=direction,
        sender_qualifier="ZZ",
        sender_id=sender,
        receiver_qualifier="ZZ",
        receiver_id="R",
        control_number=control,
        version="00401",
        usage="P",
        outcome="processing",
    )


def test_find_interchange_and_get_message_answer_what_the_per_call_selects_answered(
    store: Store,
) -> None:
    (receipt,) = store.record_receipts(
        [NewReceipt("ab" * 32, "folder", "p", "f.x12", 10, "/a/ab", "acct", T0)]
    )
    message_id = int(receipt.message_id)
    outcomes = ["processing", "rejected", "accepted", "accepted_with_errors", "accepted"]
    for n, outcome in enumerate(outcomes):
        interchange_id = store.begin_interchange(message_id, _interchange("000000001"))
        if outcome != "processing":
            store.finish_interchange(interchange_id, outcome=outcome, release=False, now=T0)
        del n
    store.begin_interchange(None, _interchange("000000001", sender="S2"))
    store.begin_interchange(None, _interchange("000000001", direction=Direction.OUT))

    i = interchange_t.c

    def reference(direction: Direction, sender: str, control: str, wanted: set[str] | None) -> Any:
        where = (i.direction == direction.value) & (i.sender_id == sender)
        where = where & (i.control_number == control)
        if wanted is not None:
            where = where & i.outcome.in_(sorted(wanted))
        with store._read() as conn:
            row = conn.execute(select(interchange_t).where(where).order_by(i.id).limit(1)).first()
        return _rows.to_interchange(row) if row is not None else None

    cases = [None, {"accepted", "accepted_with_errors"}, {"rejected"}, {"nothing"}, set()]
    for in_batch in (False, True):  # a read of its own, or the group's transaction (lean)
        with store.batch() if in_batch else contextlib.nullcontext():
            for direction in (Direction.IN, Direction.OUT):
                for sender in ("S1", "S2", "S3"):
                    for control in ("000000001", "000000002"):
                        for wanted in cases:
                            got = store.find_interchange(
                                direction, sender, control, outcomes=wanted
                            )
                            assert got == reference(direction, sender, control, wanted)
    effective = store.find_interchange(
        Direction.IN, "S1", "000000001", outcomes={"accepted", "accepted_with_errors"}
    )
    assert effective is not None and effective.outcome == "accepted"

    with store._read() as conn:
        row = conn.execute(
            select(received_message_t).where(received_message_t.c.id == message_id)
        ).first()
    assert row is not None
    for in_batch in (False, True):  # a read of its own, or the group's transaction (lean)
        with store.batch() if in_batch else contextlib.nullcontext():
            got = store.get_message(message_id)
            assert got == _rows.to_message(row)
            assert got is not None and got.received_at == T0  # typed: an aware UTC datetime
            assert store.get_message(message_id + 1) is None
    store.mark_message(message_id, MessageStatus.QUARANTINED, quarantine_reason="why")
    with store.batch():
        got = store.get_message(message_id)
    assert got is not None and got.status is MessageStatus.QUARANTINED
    assert got.quarantine_reason == "why"


# ------------------------------------------------------------ a delivery round's destination


def _reference_first_destination(conn: Connection, at: datetime, chosen: list[str]) -> Any:
    """`claim_deliveries`' pick of the next destination as it was (built per call)."""
    o = outbox_t.c
    busy = select(o.destination).where((o.status == _IN_FLIGHT) & (o.lease_until >= at)).distinct()
    due = ((o.status == _PENDING) & (o.next_attempt_at <= at)) | (
        (o.status == _IN_FLIGHT) & (o.lease_until < at)
    )
    heads = (
        select(func.min(o.id).label("id"))
        .where(o.status.in_([_PENDING, _IN_FLIGHT]))
        .group_by(o.destination)
        .subquery("heads")
    )
    first = (
        select(o.destination)
        .join(heads, heads.c.id == o.id)
        .where(due & o.destination.not_in(busy))
        .order_by(o.next_attempt_at, o.id)
        .limit(1)
    )
    if chosen:
        first = first.where(o.destination.not_in(chosen))
    return conn.execute(first).scalar_one_or_none()


@pytest.mark.parametrize("seconds", [-10, 0, 3, 60])
def test_the_next_destination_built_once_is_the_one_built_per_call(
    store: Store, seconds: int
) -> None:
    _fill_outbox(store)  # its three destinations each have a live lease: busy
    store.add_outbox(  # four more, due at different times
        [
            NewOutbox(d, "folder", "json", f"more{n}", b"x", None, T0 + timedelta(seconds=s))
            for n, (d, s) in enumerate([("tms", 2), ("idoc", -1), ("tms", -3), ("mail", 50)])
        ]
        + [NewOutbox("sftp", "sftp", "x12", "more-late", b"x", None, T0 + timedelta(hours=1))],
        now=T0 - timedelta(minutes=1),
    )
    at = T0 + timedelta(seconds=seconds)
    with store._write() as conn:
        chosen: list[str] = []
        picked: list[Any] = []
        while True:  # every destination a round could take, one after the other
            params = {f"b_chosen{i}": d for i, d in enumerate(chosen)}
            new = _prepared.run(
                conn,
                f"first_destination:{len(chosen)}",
                queue._first_destination(len(chosen)),
                b_at=at,
                **params,
            ).scalar()
            assert new == _reference_first_destination(conn, at, chosen)
            picked.append(new)
            if new is None:
                break
            chosen.append(new)
    # destinations due then and not busy (tms waits for its first row, due at +2 s)
    expected = {-10: 0, 0: 1, 3: 2, 60: 3}[seconds]
    assert len(picked) == expected + 1


@pytest.mark.parametrize("count", [1, 2, 3, 5, 9])
def test_complete_many_of_any_size_completes_exactly_those_rows(tmp_path: Path, count: int) -> None:
    """The ids fill a power of two of slots (the last repeated): `count` rows, no other."""
    s = _open(tmp_path / "c.db")
    try:
        _fill_outbox(s)
        with s._write() as conn:
            claimed = _outbox.claim(
                conn,
                limit=100,
                lease_seconds=30,
                now=T0 + timedelta(hours=1),
                channel=None,
                destination=None,
            )
        ids = [r.id for r in claimed][:count]
        assert len(ids) == count
        done = s.complete_outbox_many(ids, claimed[0].lease_token or "")
        assert done == sorted(ids)
        statuses = {r[0]: r[7] for r in _dump(s)}
        assert {i for i, st in statuses.items() if st == OutboxStatus.DELIVERED.value} >= set(ids)
        others = [r.id for r in claimed][count:]
        assert all(statuses[i] == _IN_FLIGHT for i in others)
    finally:
        s.close()
