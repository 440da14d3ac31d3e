"""Streaming interchanges: written chunk by chunk in constant memory, effective only at IEA.

begin_interchange (outcome "processing") -> begin_group -> append_sets, one transaction per
chunk with documents and deliveries HELD (never claimed) -> finish_group at GE (void=True for
a rejected group) -> finish_interchange at IEA: held deliveries become pending (release) or
void (TA1 R), in one transaction with the 997/999/TA1. A crash before IEA leaves a
"processing" interchange that `discard_partial` removes, so re-processing starts clean.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.sql import Select

from gateway.store import _batch, _prepared, _status
from gateway.store._base import StoreBase
from gateway.store.control_numbers import (
    OutboxBuild,
    ReservedControlNumbers,
    TransactionControlNumbers,
    allocate_control_numbers,
)
from gateway.store.engine import hold_checkpoint
from gateway.store.errors import InterchangeStateError
from gateway.store.records import (
    BatchIds,
    CounterKind,
    DocumentStatus,
    GroupFinish,
    InterchangeFinish,
    MessageStatus,
    NewAck,
    NewEvent,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboxStatus,
)
from gateway.store.schema import (
    UtcDateTime,
    ack_t,
    business_event_t,
    document_t,
    event_t,
    group_t,
    interchange_t,
    key_t,
    outbox_t,
    set_t,
    shipment_event_t,
    shipment_status_t,
    wait_key_t,
    wait_t,
)

PROCESSING = "processing"

_HELD = DocumentStatus.HELD.value
_i = interchange_t.c
_g = group_t.c
_d = document_t.c
_o = outbox_t.c


class StreamingMixin(StoreBase):
    """The streaming half of `Store` (see the module docstring for the order of calls)."""

    def begin_interchange(
        self,
        message_id: int | None,
        interchange: NewInterchange,
        *,
        reject_duplicate: bool = False,
        events: Sequence[NewEvent] = (),
        now: datetime | None = None,
    ) -> int:
        """Record an interchange's envelope at ISA with outcome "processing"; returns its id.

        `interchange.groups` and `.acks` must be empty (groups come through `begin_group`,
        acks through `finish_group` / `finish_interchange`); its outcome is ignored. With
        `reject_duplicate`, a known (direction, sender, ISA13) raises DuplicateInterchangeError
        as in `record_interchange_batch`; a crashed run of the same message counts too, so
        call `discard_partial` first.
        """
        if interchange.groups or interchange.acks:
            raise ValueError("begin_interchange takes the envelope only: no groups, no acks")
        at = self._now(now)
        with self._write() as conn:
            hold_checkpoint(conn)  # rows of an open interchange only (see engine)
            if reject_duplicate:
                _batch.reject_known_interchange(conn, interchange)
            row = _batch.interchange_row(interchange, message_id, PROCESSING, at)
            interchange_id = _batch.insert_returning_ids(conn, interchange_t, [row])[0]
            rows = _batch.event_rows(events, at, message_id, interchange_id=interchange_id)
            _batch.insert_returning_ids(conn, event_t, rows)
            if (opened := self._opened_here()) is not None:
                opened[interchange_id] = (message_id, row["direction"])
        return interchange_id

    def begin_group(self, interchange_id: int, group: NewGroup) -> int:
        """Record a group's header at GS; returns its id. `group.sets` / `.acks` must be empty
        (`set_count` and `ack_code` are set by `finish_group`)."""
        if group.sets or group.acks:
            raise ValueError("begin_group takes the header only: no sets, no acks")
        with self._write() as conn:
            hold_checkpoint(conn)
            _, direction = self._open_interchange(conn, interchange_id)
            row = _batch.group_row(group, interchange_id, direction)
            group_id = _batch.insert_returning_ids(conn, group_t, [row])[0]
            if (groups := self._groups_here()) is not None:
                groups[group_id] = interchange_id
            return group_id

    def append_sets(
        self,
        group_id: int,
        sets: Sequence[NewSet],
        *,
        message_id: int | None = None,
        now: datetime | None = None,
    ) -> BatchIds:
        """One chunk of a group's sets in one transaction: sets, documents (HELD) with their
        keys, business events, hold-queue entries and shipment events, and their deliveries as
        HELD outbox rows that no worker claims until `finish_interchange` releases them.

        Business events seen before drop their deliveries and are logged as
        `duplicate_business_event` events (see `NewEventKey`, `BatchIds.duplicate_events`).
        `message_id`, when given, must be the interchange's message (a guard, not a setting).
        """
        at = self._now(now)
        with self._write() as conn:
            interchange_id, owner = self._open_group(conn, group_id)
            hold_checkpoint(conn)
            if message_id is not None and message_id != owner:
                raise ValueError(f"group {group_id} belongs to message {owner}, not {message_id}")
            set_ids = _batch.insert_values_returning_ids(
                conn, set_t, _batch.SET_KEYS, [_batch.set_values(s, group_id) for s in sets]
            )
            docs = [(d, sid) for s, sid in zip(sets, set_ids, strict=True) for d in s.documents]
            written = _batch.insert_documents(conn, docs, owner, at, DocumentStatus.HELD)
            _, outbox_ids, skipped = _batch.insert_outbox(
                conn, written.deliveries, at, owner, OutboxStatus.HELD
            )
            rows = _batch.duplicate_event_rows(written.duplicates, at, owner, interchange_id)
            event_ids = _batch.insert_returning_ids(conn, event_t, rows)
        return BatchIds(
            interchange_id=interchange_id,
            group_ids=(group_id,),
            set_ids=tuple(set_ids),
            document_ids=tuple(written.ids),
            outbox_ids=tuple(outbox_ids),
            ack_ids=(),
            event_ids=tuple(event_ids),
            skipped_outbox_keys=tuple(skipped),
            duplicate_events=tuple(written.duplicates),
            dropped_outbox_keys=tuple(written.dropped_keys),
        )

    def finish_group(
        self,
        group_id: int,
        *,
        ack_code: str | None,
        set_count: int,
        acks: Sequence[NewAck] = (),
        void: bool = False,
        now: datetime | None = None,
    ) -> GroupFinish:
        """At GE: the group's AK9 code and GE01 count, its acks to track, and with `void` (a
        rejected group) its held documents become void, their deliveries void and their
        business event keys free again. One transaction.

        An ack's `outbox_key` may name the ack interchange that `finish_interchange` writes
        later; the link is made there.
        """
        at = self._now(now)
        with self._write() as conn:
            interchange_id, _ = self._open_group(conn, group_id)
            hold_checkpoint(conn)
            _prepared.run(
                conn,
                "finish_group",
                _finish_group,
                group_id=group_id,
                ack_code=ack_code,
                set_count=set_count,
            )
            keys = _batch.existing_outbox_ids(conn, (a.outbox_key for a in acks if a.outbox_key))
            ack_ids = _batch.insert_returning_ids(
                conn, ack_t, [_batch.ack_row(a, at, keys, interchange_id, group_id) for a in acks]
            )
            voided = _void(conn, _held_documents(_g.id == group_id)) if void else (0, 0)
        return GroupFinish(tuple(ack_ids), voided_documents=voided[0], voided_outbox=voided[1])

    def finish_interchange(
        self,
        interchange_id: int,
        *,
        outcome: str,
        release: bool,
        ta1_status: str | None = None,
        outbox: Sequence[NewOutbox] = (),
        acks: Sequence[NewAck] = (),
        events: Sequence[NewEvent] = (),
        message_status: MessageStatus | None = None,
        build_outbox: OutboxBuild | None = None,
        now: datetime | None = None,
    ) -> InterchangeFinish:
        """At IEA, in ONE transaction: the outcome and TA1 status; with `release` the held
        documents take effect (their shipment statuses apply) and their deliveries become
        pending, otherwise (a rejected interchange) both become void; the 997/999/TA1 `outbox`
        rows (pending), interchange-level `acks`, `events`, and the message's status.

        Acks recorded by `finish_group` whose `outbox_key` names one of these rows are linked
        to it here. Raises InterchangeStateError when the interchange is not open.

        `build_outbox`: more outbox rows, e.g. the 997 interchange answering this one, built
        with control numbers of this same transaction (as in `record_outbound`) and written
        last, the acks linked to them; a rollback gives the numbers back, so none is skipped.
        In a group commit that happens at the group's end (`OutboxBuild`). This result does
        not count those rows.
        """
        if outcome == PROCESSING:
            raise ValueError("finish_interchange needs the final outcome, not 'processing'")
        at = self._now(now)
        with self._handing_over(build_outbox) as handover, self._write() as conn:
            closed = _prepared.run(
                conn,
                "close_interchange",
                _close_interchange,
                interchange_id=interchange_id,
                outcome=outcome,
                ta1_status=ta1_status,
            ).first()
            if closed is None:
                raise InterchangeStateError(f"interchange {interchange_id} is not open")
            message_id: int | None = closed[0]
            if (opened := self._opened_here()) is not None:
                opened.pop(interchange_id, None)
            effective = released = voided_docs = voided_outbox = applied = 0
            if release:
                effective, released, applied = _release_interchange(conn, interchange_id, at)
            else:
                held = _held_documents(_g.interchange_id == interchange_id)
                voided_docs, voided_outbox = _void(conn, held)
            key_ids, outbox_ids, skipped = _batch.insert_outbox(
                conn, [(o, None) for o in outbox], at, message_id
            )
            ack_ids = _batch.insert_returning_ids(
                conn,
                ack_t,
                [_batch.ack_row(a, at, key_ids, interchange_id, None) for a in acks],
            )
            _prepared.run(conn, "link_acks", _link_acks, interchange_id=interchange_id)
            rows = _batch.event_rows(events, at, message_id, interchange_id=interchange_id)
            event_ids = _batch.insert_returning_ids(conn, event_t, rows)
            if message_id is not None and message_status is not None:
                _batch.set_message_status(conn, message_id, message_status)
            handover.write(conn, message_id, interchange_id, at)
        return InterchangeFinish(
            outbox_ids=tuple(outbox_ids),
            ack_ids=tuple(ack_ids),
            event_ids=tuple(event_ids),
            skipped_outbox_keys=tuple(skipped),
            effective_documents=effective,
            released_outbox=released,
            voided_documents=voided_docs,
            voided_outbox=voided_outbox,
            applied_statuses=applied,
        )

    def discard_partial(self, message_id: int, *, now: datetime | None = None) -> int:
        """Delete everything the unfinished ("processing") interchanges of this message wrote,
        in one transaction; returns how many interchanges were discarded (0: nothing to do).

        Run before re-processing a message after a crash: the re-run then writes one set of
        rows. Finished interchanges of the message are left alone.
        """
        at = self._now(now)
        with self._write() as conn:
            # FOR UPDATE waits for a chunk still being appended (it holds FOR SHARE) and makes
            # any later step of that worker fail with InterchangeStateError.
            ids = discard_unfinished(conn, message_id, at)
            if (opened := self._opened_here()) is not None:
                for interchange_id in ids:
                    opened.pop(interchange_id, None)
        return len(ids)

    @contextmanager
    def _handing_over(self, build: OutboxBuild | None) -> Iterator[_Handover]:
        """Hold `build` for a write block: `write` hands it over (written now, or at the end
        of the group commit); if the block fails before that, the build is discarded."""
        handover = _Handover(self, build)
        try:
            yield handover
        except BaseException:
            if build is not None and not handover.handed:
                build.discard()
            raise

    def _write_outbox_build(
        self,
        conn: Connection,
        build: OutboxBuild,
        message_id: int | None,
        interchange_id: int | None,
        at: datetime,
    ) -> None:
        """Take the control numbers of `build`, write its rows and link the interchange's acks
        to them: at the end of a group commit when in one (`OutboxBuild`), else now. Last in
        either case: the partner's counter row stays locked from its first number to the
        commit, and the rows follow their numbers (a destination's rows go out in id order)."""
        item = _PendingBuild(build, message_id, interchange_id, at)
        if not self._defer_to_commit(write_outbox_builds, item, build.discard):
            write_outbox_builds(conn, [item], reserve=False)

    def _open_interchange(self, conn: Connection, interchange_id: int) -> tuple[int | None, str]:
        """`_open_interchange`, without reading back an interchange this batch began."""
        opened = self._opened_here()
        if opened is not None and interchange_id in opened:
            return opened[interchange_id]
        return _open_interchange(conn, interchange_id)

    def _open_group(self, conn: Connection, group_id: int) -> tuple[int, int | None]:
        """`_open_group`, without reading back a group of an interchange this batch began."""
        groups, opened = self._groups_here(), self._opened_here()
        if groups is not None and opened is not None:
            interchange_id = groups.get(group_id)
            if interchange_id is not None and interchange_id in opened:
                return interchange_id, opened[interchange_id][0]
        return _open_group(conn, group_id)


class _Handover:
    """An `OutboxBuild` held by a write block until `write` hands it over (`_handing_over`)."""

    __slots__ = ("_store", "build", "handed")

    def __init__(self, store: StreamingMixin, build: OutboxBuild | None) -> None:
        self._store = store
        self.build = build
        self.handed = False

    def write(
        self, conn: Connection, message_id: int | None, interchange_id: int | None, at: datetime
    ) -> None:
        """Written now, or at the end of the group commit (nothing without a build)."""
        if self.build is not None:
            self.handed = True
            self._store._write_outbox_build(conn, self.build, message_id, interchange_id, at)


@dataclass(frozen=True, slots=True)
class _PendingBuild:
    build: OutboxBuild
    message_id: int | None
    interchange_id: int | None
    at: datetime


def write_outbox_builds(
    conn: Connection, items: list[_PendingBuild], *, reserve: bool = True
) -> None:
    """Build, write and link `items` in order: their rows in one insert, their acks linked in
    one executemany. With `reserve` (a group's end) each partner's numbers for all of them are
    taken first, one counter UPDATE per kind, and handed out in the items' order, so the rows,
    written in that order, follow their numbers; a build that takes other numbers than it
    declared raises ControlNumbersMiscounted (the group is rolled back). Without, each build
    takes its numbers as it goes."""
    reserved: dict[str, tuple[Iterator[int], Iterator[int]]] = {}
    if reserve:
        wanted: dict[str, list[int]] = {}
        for item in items:
            counts = wanted.setdefault(item.build.partner_id, [0, 0])
            counts[0] += item.build.interchanges
            counts[1] += item.build.groups
        for partner_id, (interchanges, groups) in wanted.items():
            reserved[partner_id] = (
                iter(_allocate(conn, partner_id, CounterKind.INTERCHANGE, interchanges)),
                iter(_allocate(conn, partner_id, CounterKind.GROUP, groups)),
            )
    rows: list[tuple[NewOutbox, int | None]] = []
    message_ids: list[int | None] = []
    for item in items:
        build = item.build
        if reserve:
            numbers = ReservedControlNumbers(*reserved[build.partner_id], build)
            built = build.build(numbers)
            numbers.check_all_taken()
        else:
            built = build.build(TransactionControlNumbers(conn, build.partner_id))
        rows.extend((o, None) for o in built)
        message_ids.extend(item.message_id for _ in built)
    # one statement for all (their ids in the items' order), stamped with the latest time
    at = max(item.at for item in items)
    _batch.insert_outbox(conn, rows, at, None, message_ids=message_ids)
    links = [{"interchange_id": i.interchange_id} for i in items if i.interchange_id is not None]
    _prepared.run_many(conn, "link_acks", _link_acks, links)


def _allocate(conn: Connection, partner_id: str, kind: CounterKind, n: int) -> list[int]:
    return allocate_control_numbers(conn, partner_id, kind, n) if n else []


def _open_interchange(conn: Connection, interchange_id: int) -> tuple[int | None, str]:
    """(message id, direction) of an open interchange, share-locked on PostgreSQL so that a
    concurrent finish or discard waits for this transaction; else InterchangeStateError."""
    stmt = (
        select(_i.message_id, _i.direction, _i.outcome)
        .where(_i.id == interchange_id)
        .with_for_update(read=True)
    )
    row = conn.execute(stmt).first()
    if row is None or row[2] != PROCESSING:
        raise InterchangeStateError(f"interchange {interchange_id} is not open")
    return row[0], row[1]


def _open_group(conn: Connection, group_id: int) -> tuple[int, int | None]:
    """(interchange id, message id) of a group whose interchange is open (see above)."""
    found = conn.execute(select(_g.interchange_id).where(_g.id == group_id)).first()
    if found is None:
        raise InterchangeStateError(f"group {group_id} is unknown")
    message_id, _ = _open_interchange(conn, found[0])
    return found[0], message_id


def _held_documents(group_condition: Any) -> Select[Any]:
    """Ids of the held documents of the groups matching `group_condition`."""
    groups = select(_g.id).where(group_condition)
    sets = select(set_t.c.id).where(set_t.c.group_id.in_(groups))
    return select(_d.id).where(_d.transaction_set_id.in_(sets) & (_d.status == _HELD))


def _outbox_of(documents: Select[Any], status: OutboxStatus, new: OutboxStatus) -> Any:
    """Move the deliveries of `documents` from `status` to `new`.

    The status is compared through an expression on purpose: given `status = 'held'`,
    PostgreSQL with statistics gone stale during a large stream intersected the document
    index with the claim index (status, next_attempt_at) and rescanned every held row once per
    document (10 s for 20,000 sets); this way only the document index is used.
    """
    same_status = func.coalesce(_o.status, _o.status) == status.value
    return (
        update(outbox_t).where(_o.document_id.in_(documents) & same_status).values(status=new.value)
    )


def _void(conn: Connection, held: Select[Any]) -> tuple[int, int]:
    """Held -> void; frees the documents' business event keys (a corrected resend must not be
    taken for a duplicate) and takes them out of the hold queue. Returns (documents,
    deliveries)."""
    voided_outbox = conn.execute(_outbox_of(held, OutboxStatus.HELD, OutboxStatus.VOID)).rowcount
    conn.execute(delete(business_event_t).where(business_event_t.c.document_id.in_(held)))
    conn.execute(delete(wait_key_t).where(wait_key_t.c.document_id.in_(held)))
    conn.execute(delete(wait_t).where(wait_t.c.document_id.in_(held)))
    voided_docs = conn.execute(
        update(document_t).where(_d.id.in_(held)).values(status=DocumentStatus.VOID.value)
    ).rowcount
    return voided_docs, voided_outbox


def _release_interchange(
    conn: Connection, interchange_id: int, now: datetime
) -> tuple[int, int, int]:
    """`_release` of an interchange's held documents, with statements prepared once (this
    runs once per received interchange)."""
    ids = {"interchange_id": interchange_id}
    released = _prepared.run(conn, "release_outbox", _release_outbox, **ids).rowcount
    applied = _prepared.run(conn, "release_statuses", _release_statuses, now=now, **ids).rowcount
    effective = _prepared.run(conn, "release_documents", _release_documents, **ids).rowcount
    return effective, released, applied


def _interchange_held() -> Select[Any]:
    return _held_documents(_g.interchange_id == bindparam("interchange_id"))


def _release_outbox(dialect: str) -> Any:
    return _outbox_of(_interchange_held(), OutboxStatus.HELD, OutboxStatus.PENDING)


def _release_statuses(dialect: str) -> Any:
    now = bindparam("now", type_=UtcDateTime())
    return _status.statuses_statement(dialect, _interchange_held(), now)


def _release_documents(dialect: str) -> Any:
    return (
        update(document_t)
        .where(_d.id.in_(_interchange_held()))
        .values(status=DocumentStatus.EFFECTIVE.value)
    )


def discard_unfinished(conn: Connection, message_id: int, at: datetime) -> list[int]:
    """Delete what the message's unfinished interchanges wrote, with a `partial_discarded`
    event, in the caller's transaction; returns their ids (none: nothing written)."""
    found = _prepared.run(conn, "unfinished", _unfinished, message_id=message_id)
    ids = list(found.scalars())
    if ids:
        documents = _discard(conn, ids)
        event = NewEvent("partial_discarded", {"interchanges": ids, "documents": documents})
        _batch.insert_rows(conn, event_t, _batch.event_rows([event], at, message_id))
    return ids


def _unfinished(dialect: str) -> Any:
    """The message's interchanges still "processing" (locked: see `discard_partial`)."""
    return (
        select(_i.id)
        .where((_i.message_id == bindparam("message_id")) & (_i.outcome == PROCESSING))
        .with_for_update()
    )


def _close_interchange(dialect: str) -> Any:
    return (
        update(interchange_t)
        .where((_i.id == bindparam("interchange_id")) & (_i.outcome == PROCESSING))
        .values(outcome=bindparam("outcome"), ta1_status=bindparam("ta1_status"))
        .returning(_i.message_id)
    )


def _finish_group(dialect: str) -> Any:
    return (
        update(group_t)
        .where(_g.id == bindparam("group_id"))
        .values(ack_code=bindparam("ack_code"), set_count=bindparam("set_count"))
    )


def _link_acks(dialect: str) -> Any:
    """Point the interchange's acks at the outbox rows their `outbox_key` names, now that the
    ack interchange exists."""
    a = ack_t.c
    carrier = select(_o.id).where(_o.idempotency_key == a.outbox_key).scalar_subquery()
    return (
        update(ack_t)
        .where((a.interchange_id == bindparam("interchange_id")) & a.outbox_id.is_(None))
        .where(a.outbox_key.is_not(None))
        .values(outbox_id=carrier)
    )


def _discard(conn: Connection, interchange_ids: list[int]) -> int:
    """Delete the interchanges and every row hanging off them, children first; returns how
    many documents went."""
    groups = select(_g.id).where(_g.interchange_id.in_(interchange_ids))
    sets = select(set_t.c.id).where(set_t.c.group_id.in_(groups))
    docs = select(_d.id).where(_d.transaction_set_id.in_(sets))
    deliveries = select(_o.id).where(_o.document_id.in_(docs))
    e, a = event_t.c, ack_t.c
    # One condition per statement, so each can use its index (an OR of IN-subqueries scans).
    for condition in (
        e.interchange_id.in_(interchange_ids),
        e.outbox_id.in_(deliveries),
    ):
        conn.execute(delete(event_t).where(condition))
    for condition in (
        a.interchange_id.in_(interchange_ids),
        a.group_id.in_(groups),
        a.outbox_id.in_(deliveries),
    ):
        conn.execute(delete(ack_t).where(condition))
    conn.execute(delete(outbox_t).where(_o.document_id.in_(docs)))
    for table in (business_event_t, wait_key_t, wait_t, shipment_event_t, key_t):
        conn.execute(delete(table).where(table.c.document_id.in_(docs)))
    conn.execute(
        update(shipment_status_t)
        .where(shipment_status_t.c.document_id.in_(docs))
        .values(document_id=None)
    )
    documents = conn.execute(delete(document_t).where(_d.id.in_(docs))).rowcount
    conn.execute(delete(set_t).where(set_t.c.id.in_(sets)))
    conn.execute(delete(group_t).where(_g.interchange_id.in_(interchange_ids)))
    conn.execute(delete(interchange_t).where(_i.id.in_(interchange_ids)))
    return documents
