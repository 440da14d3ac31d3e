"""`Store`: the typed API the pipeline, delivery workers, ack tracker and ops call.

Every state change is one transaction; reads return frozen records. `create_store(url)` opens
SQLite (default `var/gateway.db`) or PostgreSQL with the same code path. Streaming interchanges
live in `_stream` and shipment threads / the hold queue in `_threads`, as mixins of `Store`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, false, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store import _batch, _outbox, _prepared, _rows, _status
from gateway.store._alerts import AlertsMixin
from gateway.store._api_requests import ApiRequestsMixin
from gateway.store._base import Clock, utc_now
from gateway.store._console import ConsoleMixin
from gateway.store._soap import SoapMixin
from gateway.store._stream import StreamingMixin
from gateway.store._threads import ThreadsMixin
from gateway.store.control_numbers import (
    OutboxBuild,
    TransactionControlNumbers,
    allocate_control_numbers,
    set_last_control_number,
)
from gateway.store.engine import DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_IDLE_TX_SECONDS, make_engine
from gateway.store.migrate import upgrade_engine
from gateway.store.records import (
    AckDirection,
    AckKind,
    AckRow,
    AckStatus,
    BatchIds,
    CounterKind,
    Direction,
    DocumentRow,
    DocumentStatus,
    EventRow,
    GroupRow,
    InterchangeRow,
    MessageId,
    MessageRow,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewInterchange,
    NewOutbox,
    NewReceipt,
    OutboundBatch,
    OutboxId,
    OutboxRow,
    OutboxStatus,
    Receipt,
    SetRow,
)
from gateway.store.schema import (
    ack_t,
    document_t,
    event_t,
    group_t,
    interchange_t,
    key_t,
    outbox_t,
    received_message_t,
    set_t,
)

__all__ = ["Clock", "Store", "create_store", "utc_now"]

# Statements of the per-file path built once: SQLAlchemy spends more building and keying a
# select() per call (~0.1-0.2 ms) than SQLite spends running it.
_GET_MESSAGE = select(received_message_t).where(received_message_t.c.id == bindparam("b_id"))
_GET_INTERCHANGE = select(interchange_t).where(interchange_t.c.id == bindparam("b_id"))


@cache
def _find_interchange_id(outcomes: tuple[str, ...] | None) -> Callable[[str], Any]:
    """`find_interchange`'s search for one sorted set of outcomes (or none): the first id."""

    def build(dialect: str) -> Any:
        i = interchange_t.c
        where = (
            (i.direction == bindparam("b_direction"))
            & (i.sender_id == bindparam("b_sender"))
            & (i.control_number == bindparam("b_control"))
        )
        if outcomes is not None:  # constants, not an expanding list (a prepared statement)
            where = where & or_(false(), *(i.outcome == literal(o) for o in outcomes))
        return select(i.id).where(where).order_by(i.id).limit(1)

    return build


_m = received_message_t.c
_RECEIPT_KEYS = (
    "sha256",
    "channel",
    "account",
    "partner_id",
    "original_name",
    "size",
    "received_at",
    "archive_path",
    "status",
)


def _receipt_insert(dialect: str) -> Any:
    """One receipt (a prepared statement: a burst records one per file)."""
    insert: Any = {"sqlite": sqlite_insert, "postgresql": pg_insert}[dialect]
    return (
        insert(received_message_t)
        .values({k: bindparam(k, type_=received_message_t.c[k].type) for k in _RECEIPT_KEYS})
        .on_conflict_do_nothing(index_elements=["partner_id", "sha256"])
        .returning(_m.id)
    )


_RECEIPT_FIND = select(_m.id).where(
    (_m.partner_id == bindparam("b_partner")) & (_m.sha256 == bindparam("b_sha256"))
)


def create_store(
    url: str | None = None,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    clock: Clock = utc_now,
    idle_in_transaction_seconds: float = DEFAULT_IDLE_TX_SECONDS,
) -> Store:
    """Open the store at `url` (None: `sqlite:///var/gateway.db` under the working directory).

    Call `migrate()` once at start-up before using it.
    """
    engine = make_engine(
        url,
        busy_timeout_ms=busy_timeout_ms,
        idle_in_transaction_seconds=idle_in_transaction_seconds,
    )
    return Store(engine, clock=clock)


class Store(StreamingMixin, ThreadsMixin, SoapMixin, ApiRequestsMixin, ConsoleMixin, AlertsMixin):
    """Durable state of the gateway. Methods that take `now` default to the store's clock."""

    # ------------------------------------------------------------ lifecycle

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL with any password masked (safe to log)."""
        return self._engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """`alembic upgrade head`, serialised across processes; a no-op when up to date."""
        upgrade_engine(self._engine)

    def close(self) -> None:
        self._engine.dispose()

    def check_integrity(self) -> list[str]:
        """Problems found by SQLite's integrity_check ([] when sound; always [] on PostgreSQL)."""
        if self.dialect != "sqlite":
            return []
        with self._read() as conn:
            result = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        return [] if result == ["ok"] else result

    # ------------------------------------------------------------ receipts

    def record_receipt(
        self,
        *,
        sha256: str,
        channel: str,
        partner_id: str,
        original_name: str,
        size: int,
        archive_path: str,
        account: str | None = None,
        received_at: datetime | None = None,
    ) -> Receipt:
        """Record archived bytes before the source is acknowledged (one transaction).

        The same bytes from the same partner again are not a second message: the existing id
        comes back with `duplicate=True` and the arrival is logged as a `duplicate_receipt`
        event on the first message.
        """
        return self.record_receipts(
            [
                NewReceipt(
                    sha256=sha256,
                    channel=channel,
                    partner_id=partner_id,
                    original_name=original_name,
                    size=size,
                    archive_path=archive_path,
                    account=account,
                    received_at=received_at,
                )
            ]
        )[0]

    def record_receipts(self, receipts: Sequence[NewReceipt]) -> list[Receipt]:
        """`record_receipt` for several archived payloads in ONE transaction (one commit for a
        burst of small files; each source is acknowledged only after it)."""
        results: list[Receipt] = []
        with self._write() as conn:
            for r in receipts:
                at = self._now(r.received_at)
                values = {
                    "sha256": r.sha256,
                    "channel": r.channel,
                    "account": r.account,
                    "partner_id": r.partner_id,
                    "original_name": r.original_name,
                    "size": r.size,
                    "received_at": at,
                    "archive_path": r.archive_path,
                    "status": MessageStatus.RECEIVED.value,
                }
                detail = {
                    "channel": r.channel,
                    "account": r.account,
                    "name": r.original_name,
                    "size": r.size,
                }
                new_id = _prepared.run(conn, "receipt_insert", _receipt_insert, **values).scalar()
                if new_id is not None:
                    kind, message_id, duplicate = "received", new_id, False
                else:
                    found = {"b_partner": r.partner_id, "b_sha256": r.sha256}
                    kind, message_id, duplicate = (
                        "duplicate_receipt",
                        conn.scalar(_RECEIPT_FIND, found),
                        True,
                    )
                _batch.insert_rows(
                    conn, event_t, _batch.event_rows([NewEvent(kind, detail)], at, message_id)
                )
                results.append(Receipt(MessageId(message_id), duplicate))
        return results

    def mark_message(
        self,
        message_id: int,
        status: MessageStatus,
        *,
        quarantine_reason: str | None = None,
        duplicate_of: int | None = None,
        event: NewEvent | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Move a message to `status` (with its reason / original) and log why; False if unknown."""
        at = self._now(now)
        with self._write() as conn:
            changed = _batch.set_message_status(
                conn, message_id, status, quarantine_reason, duplicate_of
            )
            if changed and event is not None:
                _batch.insert_rows(conn, event_t, _batch.event_rows([event], at, message_id))
        return changed == 1

    def set_message_partner(self, message_id: int, partner_id: str) -> int | None:
        """Attribute a message to `partner_id` (a profile added after it arrived); None when
        done, or the id of the message already holding the same bytes from that partner (the
        message is then a duplicate of it and keeps its partner)."""
        m = received_message_t.c
        with self._write() as conn:
            sha = conn.scalar(select(m.sha256).where(m.id == message_id))
            if sha is None:
                return None
            earlier = conn.scalar(_RECEIPT_FIND, {"b_partner": partner_id, "b_sha256": sha})
            if earlier is not None and earlier != message_id:
                return int(earlier)
            conn.execute(
                update(received_message_t).where(m.id == message_id).values(partner_id=partner_id)
            )
        return None

    def get_message(self, message_id: int) -> MessageRow | None:
        with self._read() as conn:
            found = _prepared.rows(conn, "get_message", lambda _: _GET_MESSAGE, b_id=message_id)
        return _rows.message_from(found[0]) if found else None

    def list_messages(
        self,
        *,
        status: MessageStatus | None = None,
        partner_id: str | None = None,
        limit: int = 100,
        before_id: int | None = None,
        oldest_first: bool = False,
    ) -> list[MessageRow]:
        """Messages newest first (keyset paging by `before_id`), or oldest first to resume work."""
        m = received_message_t.c
        stmt = select(received_message_t)
        if status is not None:
            stmt = stmt.where(m.status == status.value)
        if partner_id is not None:
            stmt = stmt.where(m.partner_id == partner_id)
        if before_id is not None:
            stmt = stmt.where(m.id < before_id)
        stmt = stmt.order_by(m.id if oldest_first else m.id.desc()).limit(limit)
        with self._read() as conn:
            return [_rows.to_message(r) for r in conn.execute(stmt)]

    # ------------------------------------------------------------ interchanges and documents

    def record_interchange_batch(
        self,
        message_id: int | None,
        interchange: NewInterchange,
        *,
        outbox: Sequence[NewOutbox] = (),
        events: Sequence[NewEvent] = (),
        message_status: MessageStatus | None = MessageStatus.PARSED,
        reject_duplicate: bool = False,
        build_outbox: OutboxBuild | None = None,
        now: datetime | None = None,
    ) -> BatchIds:
        """Everything one interchange produced, in ONE transaction.

        Writes the interchange, its groups, sets, canonical documents with their correlation
        keys and routed deliveries, the acks to track (FKs filled in here), `outbox` rows not
        tied to a document (997/999/TA1), `events`, and moves the message to `message_status`.
        Deliveries whose idempotency key already exists are skipped and reported.

        With `reject_duplicate`, an interchange already recorded with the same direction,
        sender id and ISA13 raises DuplicateInterchangeError and nothing is written; the check
        and the write are one atomic step even with several PostgreSQL workers.

        `build_outbox`, as in `finish_interchange`: more outbox rows (the 997 answering this
        interchange) built with control numbers of this transaction and written last (in a
        group commit, at its end); acks whose `outbox_key` names one are linked to them. The
        result does not count those rows.
        """
        at = self._now(now)
        with self._handing_over(build_outbox) as handover, self._write() as conn:
            ids = _batch.insert_interchange_batch(
                conn,
                message_id,
                interchange,
                outbox,
                events,
                message_status,
                at,
                reject_duplicate,
            )
            handover.write(conn, message_id, ids.interchange_id, at)
        return ids

    def record_documents(
        self,
        message_id: int | None,
        documents: Sequence[NewDocument],
        *,
        outbox: Sequence[NewOutbox] = (),
        events: Sequence[NewEvent] = (),
        message_status: MessageStatus | None = MessageStatus.PARSED,
        now: datetime | None = None,
    ) -> BatchIds:
        """Canonical documents from a non-X12 source (IDoc, TMS JSON, SOAP), in one transaction.

        Business event keys, hold-queue entries and shipment statuses of the documents are
        handled as in `record_interchange_batch` (see `NewDocument`).
        """
        at = self._now(now)
        with self._write() as conn:
            written = _batch.insert_documents(conn, [(d, None) for d in documents], message_id, at)
            deliveries = written.deliveries
            deliveries.extend((o, None) for o in outbox)
            _, outbox_ids, skipped = _batch.insert_outbox(conn, deliveries, at, message_id)
            applied = (
                _status.apply_statuses_of(conn, written.ids, at)
                if any(d.shipment_status is not None for d in documents)
                else 0
            )
            rows = _batch.event_rows(events, at, message_id)
            rows.extend(_batch.duplicate_event_rows(written.duplicates, at, message_id, None))
            event_ids = _batch.insert_returning_ids(conn, event_t, rows)
            if message_id is not None and message_status is not None:
                _batch.set_message_status(conn, message_id, message_status)
        return BatchIds(
            interchange_id=None,
            group_ids=(),
            set_ids=(),
            document_ids=tuple(written.ids),
            outbox_ids=tuple(outbox_ids),
            ack_ids=(),
            event_ids=tuple(event_ids),
            skipped_outbox_keys=tuple(skipped),
            duplicate_events=tuple(written.duplicates),
            dropped_outbox_keys=tuple(written.dropped_keys),
            applied_statuses=applied,
        )

    def record_outbound(
        self,
        partner_id: str,
        build: Callable[[TransactionControlNumbers], OutboundBatch],
        *,
        source_message_id: int | None = None,
        now: datetime | None = None,
    ) -> BatchIds:
        """Build and record an outbound interchange with control numbers from the same transaction.

        `build` receives a ControlNumbers source (next_interchange/next_group/next_set) and
        returns the interchange (direction OUT, expected acks inside) and its outbox rows. If
        anything fails the numbers roll back with it: no number is ever skipped or reused.
        """
        at = self._now(now)
        with self._write() as conn:
            batch = build(TransactionControlNumbers(conn, partner_id))
            return _batch.insert_interchange_batch(
                conn, source_message_id, batch.interchange, batch.outbox, batch.events, None, at
            )

    def find_interchange(
        self,
        direction: Direction,
        sender_id: str,
        control_number: str,
        *,
        outcomes: Collection[str] | None = None,
    ) -> InterchangeRow | None:
        """The first interchange recorded with this sender and ISA13 (envelope dedup), among
        those with one of `outcomes` when given: a rejected attempt (say a truncated upload
        the partner then sent again whole) must not hide the one that took effect."""
        wanted = None if outcomes is None else tuple(sorted(outcomes))
        params = {
            "b_direction": direction.value,
            "b_sender": sender_id,
            "b_control": control_number,
        }
        with self._read() as conn:
            # the usual answer is "none": one prepared statement finds the id, if any, and only
            # a hit reads the whole row (with its types)
            key = f"find_interchange:{wanted}"
            found = _prepared.run(conn, key, _find_interchange_id(wanted), **params).first()
            if found is None:
                return None
            row = conn.execute(_GET_INTERCHANGE, {"b_id": found[0]}).first()
        return _rows.to_interchange(row) if row is not None else None

    def list_interchanges(
        self,
        *,
        message_id: int | None = None,
        partner_id: str | None = None,
        direction: Direction | None = None,
        control_number: str | None = None,
        limit: int = 100,
    ) -> list[InterchangeRow]:
        i = interchange_t.c
        stmt = select(interchange_t)
        if control_number is not None:  # ISA13, indexed
            stmt = stmt.where(i.control_number == control_number)
        if message_id is not None:
            stmt = stmt.where(i.message_id == message_id)
        if partner_id is not None:
            stmt = stmt.where(i.partner_id == partner_id)
        if direction is not None:
            stmt = stmt.where(i.direction == direction.value)
        stmt = stmt.order_by(i.id.desc()).limit(limit)
        with self._read() as conn:
            return [_rows.to_interchange(r) for r in conn.execute(stmt)]

    def list_groups(self, interchange_id: int) -> list[GroupRow]:
        stmt = select(group_t).where(group_t.c.interchange_id == interchange_id)
        with self._read() as conn:
            return [_rows.to_group(r) for r in conn.execute(stmt.order_by(group_t.c.id))]

    def list_sets(self, group_id: int) -> list[SetRow]:
        stmt = select(set_t).where(set_t.c.group_id == group_id).order_by(set_t.c.id)
        with self._read() as conn:
            return [_rows.to_set(r) for r in conn.execute(stmt)]

    def get_document(self, document_id: int) -> DocumentRow | None:
        found = self._documents(document_t.c.id == document_id, limit=1)
        return found[0] if found else None

    def list_documents(
        self,
        *,
        message_id: int | None = None,
        doc_type: str | None = None,
        partner_id: str | None = None,
        status: DocumentStatus | None = None,
        limit: int = 100,
    ) -> list[DocumentRow]:
        d = document_t.c
        conditions = []
        if message_id is not None:
            conditions.append(d.message_id == message_id)
        if doc_type is not None:
            conditions.append(d.doc_type == doc_type)
        if partner_id is not None:
            conditions.append(d.partner_id == partner_id)
        if status is not None:
            conditions.append(d.status == status.value)
        return self._documents(*conditions, limit=limit)

    def search(self, key: str, *, limit: int = 50, include_void: bool = False) -> list[DocumentRow]:
        """Documents with `key` as correlation key (BOL, PRO, PO, shipment id) or business key.

        Documents of a rejected group or interchange (void) are left out unless asked for.
        """
        d = document_t.c
        by_key = select(key_t.c.document_id).where(key_t.c.value == key)
        conditions: list[Any] = [or_(d.id.in_(by_key), d.business_key == key)]
        if not include_void:
            conditions.append(d.status != DocumentStatus.VOID.value)
        return self._documents(*conditions, limit=limit)

    def _documents(self, *conditions: Any, limit: int) -> list[DocumentRow]:
        with self._read() as conn:
            return _rows.load_documents(conn, *conditions, limit=limit)

    # ------------------------------------------------------------ outbox

    def add_outbox(
        self,
        rows: Sequence[NewOutbox],
        *,
        source_message_id: int | None = None,
        document_id: int | None = None,
        now: datetime | None = None,
    ) -> list[OutboxId]:
        """Queue deliveries; an idempotency key that exists already yields the existing row's id."""
        at = self._now(now)
        with self._write() as conn:
            ids, _, _ = _batch.insert_outbox(
                conn, [(r, document_id) for r in rows], at, source_message_id
            )
        return [OutboxId(ids[r.idempotency_key]) for r in rows]

    def claim_outbox(
        self,
        limit: int,
        lease_seconds: float,
        now: datetime | None = None,
        *,
        channel: str | None = None,
        destination: str | None = None,
    ) -> list[OutboxRow]:
        """Lease up to `limit` due deliveries (pending and due, or in flight with an expired lease).

        Each claim counts as an attempt, so a message that crashes its worker every time still
        reaches the dead letter limit.
        """
        at = self._now(now)
        with self._write() as conn:
            return _outbox.claim(
                conn,
                limit=limit,
                lease_seconds=lease_seconds,
                now=at,
                channel=channel,
                destination=destination,
            )

    def extend_lease(
        self, outbox_id: int, lease_token: str, lease_seconds: float, now: datetime | None = None
    ) -> bool:
        """Heartbeat: push the lease out; False when the lease was lost to another worker."""
        with self._write() as conn:
            return _outbox.extend_lease(conn, outbox_id, lease_token, lease_seconds, self._now(now))

    def extend_outbox_leases(
        self,
        outbox_ids: Sequence[int],
        lease_token: str,
        lease_seconds: float,
        now: datetime | None = None,
    ) -> int:
        """Heartbeat of a claim being sent: push its rows' lease out; returns how many rows
        `lease_token` still holds (fewer: another worker took some after the lease ran out)."""
        with self._write() as conn:
            return _outbox.extend_leases(
                conn, outbox_ids, lease_token, lease_seconds, self._now(now)
            )

    def complete_outbox(
        self,
        outbox_id: int,
        lease_token: str,
        now: datetime | None = None,
        *,
        event: NewEvent | None = None,
    ) -> bool:
        """Mark delivered, fenced by the lease token: False (0 rows) when the lease was lost."""
        with self._write() as conn:
            return _outbox.complete(conn, outbox_id, lease_token, self._now(now), event)

    def complete_outbox_many(
        self, outbox_ids: Sequence[int], lease_token: str, now: datetime | None = None
    ) -> list[OutboxId]:
        """Mark several rows of one claim delivered; returns those whose lease still held."""
        with self._write() as conn:
            return _outbox.complete_many(conn, outbox_ids, lease_token, self._now(now))

    def fail_outbox(
        self,
        outbox_id: int,
        lease_token: str,
        error: str,
        next_attempt_at: datetime,
        dead: bool,
        now: datetime | None = None,
    ) -> bool:
        """Record a failed attempt: back to pending at `next_attempt_at`, or dead letter."""
        with self._write() as conn:
            return _outbox.fail(
                conn, outbox_id, lease_token, error, next_attempt_at, dead, self._now(now)
            )

    def replay_outbox(self, outbox_id: int, now: datetime | None = None) -> bool:
        """Requeue a dead (or delivered) delivery with the same idempotency key."""
        with self._write() as conn:
            return _outbox.replay(conn, outbox_id, self._now(now))

    def get_outbox(self, outbox_id: int) -> OutboxRow | None:
        with self._read() as conn:
            row = conn.execute(select(outbox_t).where(outbox_t.c.id == outbox_id)).first()
        return _outbox.to_outbox_row(row) if row is not None else None

    def list_outbox(
        self,
        *,
        status: OutboxStatus | None = None,
        destination: str | None = None,
        source_message_id: int | None = None,
        limit: int = 100,
    ) -> list[OutboxRow]:
        o = outbox_t.c
        stmt = select(outbox_t)
        if status is not None:
            stmt = stmt.where(o.status == status.value)
        if destination is not None:
            stmt = stmt.where(o.destination == destination)
        if source_message_id is not None:
            stmt = stmt.where(o.source_message_id == source_message_id)
        with self._read() as conn:
            rows = conn.execute(stmt.order_by(o.id.desc()).limit(limit))
            return [_outbox.to_outbox_row(r) for r in rows]

    # ------------------------------------------------------------ acknowledgements

    def add_acks(
        self,
        acks: Sequence[NewAck],
        *,
        interchange_id: int | None = None,
        group_id: int | None = None,
        now: datetime | None = None,
    ) -> list[int]:
        """Track acks outside a batch (e.g. a received 997); `outbox_key` must already exist."""
        at = self._now(now)
        with self._write() as conn:
            keys = [a.outbox_key for a in acks if a.outbox_key]
            outbox_ids = _batch.existing_outbox_ids(conn, keys)
            rows = [_batch.ack_row(a, at, outbox_ids, interchange_id, group_id) for a in acks]
            return _batch.insert_returning_ids(conn, ack_t, rows)

    def update_ack(
        self,
        ack_id: int,
        status: AckStatus,
        *,
        ack_message_id: int | None = None,
        detail: dict[str, Any] | None = None,
        only_from: Sequence[AckStatus] | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Set an ack's status (reconciliation); with `only_from`, only from those states."""
        values: dict[str, Any] = {"status": status.value, "updated_at": self._now(now)}
        if ack_message_id is not None:
            values["ack_message_id"] = ack_message_id
        if detail is not None:
            values["detail"] = detail
        condition = ack_t.c.id == ack_id
        if only_from is not None:
            condition = condition & ack_t.c.status.in_([s.value for s in only_from])
        with self._write() as conn:
            return conn.execute(update(ack_t).where(condition).values(values)).rowcount == 1

    def mark_overdue_acks(self, now: datetime | None = None) -> list[AckRow]:
        """Expected acks still pending past due_at become overdue; each is returned exactly once."""
        at = self._now(now)
        a = ack_t.c
        stmt = (
            update(ack_t)
            .where(
                (a.direction == AckDirection.EXPECTED.value)
                & (a.status == AckStatus.PENDING.value)
                & (a.due_at < at)
            )
            .values(status=AckStatus.OVERDUE.value, updated_at=at)
            .returning(*ack_t.c)
        )
        with self._write() as conn:
            rows = [_rows.to_ack(r) for r in conn.execute(stmt)]
        return sorted(rows, key=lambda r: r.id)

    def list_acks(
        self,
        *,
        direction: AckDirection | None = None,
        status: AckStatus | None = None,
        kind: AckKind | None = None,
        partner_id: str | None = None,
        interchange_control_number: str | None = None,
        group_control_number: str | None = None,
        limit: int = 100,
    ) -> list[AckRow]:
        """Acks newest first, filtered; also the lookup for reconciling a received 997/999."""
        a = ack_t.c
        stmt = select(ack_t)
        filters: list[tuple[Any, Any]] = [
            (a.direction, direction.value if direction else None),
            (a.status, status.value if status else None),
            (a.kind, kind.value if kind else None),
            (a.partner_id, partner_id),
            (a.interchange_control_number, interchange_control_number),
            (a.group_control_number, group_control_number),
        ]
        for column, value in filters:
            if value is not None:
                stmt = stmt.where(column == value)
        with self._read() as conn:
            return [_rows.to_ack(r) for r in conn.execute(stmt.order_by(a.id.desc()).limit(limit))]

    # ------------------------------------------------------------ events

    def add_event(
        self,
        kind: str,
        detail: dict[str, Any] | None = None,
        *,
        message_id: int | None = None,
        outbox_id: int | None = None,
        parent_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        rows = _batch.event_rows(
            [NewEvent(kind, detail)], self._now(now), message_id, outbox_id, parent_id
        )
        with self._write() as conn:
            return _batch.insert_returning_ids(conn, event_t, rows)[0]

    def list_events(
        self,
        *,
        message_id: int | None = None,
        outbox_id: int | None = None,
        kinds: Sequence[str] | None = None,
        newest_first: bool = False,
        limit: int = 500,
    ) -> list[EventRow]:
        """The lineage of a message or delivery, oldest first; or events of `kinds`."""
        e = event_t.c
        stmt = select(event_t)
        if message_id is not None:
            stmt = stmt.where(e.message_id == message_id)
        if outbox_id is not None:
            stmt = stmt.where(e.outbox_id == outbox_id)
        if kinds is not None:
            stmt = stmt.where(e.kind.in_(list(kinds)))
        order = e.id.desc() if newest_first else e.id
        with self._read() as conn:
            return [_rows.to_event(r) for r in conn.execute(stmt.order_by(order).limit(limit))]

    def count_events(self, kinds: Sequence[str]) -> dict[str, int]:
        """How many events of each of `kinds` were recorded (metrics)."""
        e = event_t.c
        stmt = select(e.kind, func.count()).where(e.kind.in_(list(kinds))).group_by(e.kind)
        with self._read() as conn:
            return {kind: count for kind, count in conn.execute(stmt)}

    def recent_events(self, kind: str, *, window: int = 5000, limit: int = 20) -> list[EventRow]:
        """Events of `kind` among the newest `window` events, newest first (for the status
        page: bounded by the primary key, so it stays cheap on a long log)."""
        e = event_t.c
        with self._read() as conn:
            top = conn.scalar(select(func.max(e.id))) or 0
            stmt = (
                select(event_t)
                .where(e.id > top - window, e.kind == kind)
                .order_by(e.id.desc())
                .limit(limit)
            )
            return [_rows.to_event(r) for r in conn.execute(stmt)]

    # ------------------------------------------------------------ control numbers and stats

    def allocate_control_numbers(self, partner_id: str, kind: CounterKind, n: int = 1) -> list[int]:
        """The next `n` numbers for (partner, kind), committed on their own."""
        with self._write() as conn:
            return allocate_control_numbers(conn, partner_id, kind, n)

    def set_last_control_number(self, partner_id: str, kind: CounterKind, last_value: int) -> None:
        with self._write() as conn:
            set_last_control_number(conn, partner_id, kind, last_value)

    def counts(self) -> dict[str, dict[str, int]]:
        """Row counts by status for messages, outbox and acks (metrics, dashboard)."""
        result: dict[str, dict[str, int]] = {}
        with self._read() as conn:
            for name, table in (
                ("messages", received_message_t),
                ("outbox", outbox_t),
                ("acks", ack_t),
            ):
                stmt = select(table.c.status, func.count()).group_by(table.c.status)
                result[name] = {status: count for status, count in conn.execute(stmt)}
        return result
