"""Shipment threads, the hold (exception) queue and shipment status ordering.

A thread is everything reachable from one key through shared correlation key values, walked
breadth first with a depth and a document bound. The hold queue keeps documents that need an
earlier one (a 214 or 210 before its shipment) until a key they wait for is known: waiting ->
released (to replay; durable, so a crash between release and replay loses nothing) -> done.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, Integer, bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.sql import Select

from gateway.store import _batch, _outbox, _prepared, _rows, _status
from gateway.store._base import StoreBase
from gateway.store.records import (
    DocumentRow,
    DocumentStatus,
    MessageRow,
    ShipmentStatusRow,
    ShipmentThread,
    WaitingDocument,
    WaitState,
)
from gateway.store.schema import (
    ack_t,
    document_t,
    group_t,
    interchange_t,
    key_t,
    outbox_t,
    received_message_t,
    set_t,
    shipment_event_t,
    shipment_status_t,
    wait_key_t,
    wait_t,
)

_IN_CHUNK = 5000
_EFFECTIVE = DocumentStatus.EFFECTIVE.value
_VOID = DocumentStatus.VOID.value
_WAITING = WaitState.WAITING.value
_RELEASED = WaitState.RELEASED.value
_d = document_t.c
_k = key_t.c
_w = wait_t.c
_wk = wait_key_t.c
# correlation key kinds that name one shipment (a PO or a control number may span many)
_SHIPMENT_KINDS = ("erp_order", "shipment_id", "tms_shipment_id", "bol", "pro")


def _shipment_kind(key: Any) -> Any:
    # equalities, not IN of a literal list: SQLAlchemy rewrites such an IN on every call
    return or_(*(key.c.kind == kind for kind in _SHIPMENT_KINDS))


def _sharing(values: Any) -> Any:
    key = key_t.alias()
    return select(key.c.document_id).where(key.c.value.in_(values) & _shipment_kind(key))


def _values_of(documents: Any) -> Any:
    key = key_t.alias()
    return select(key.c.value).where(key.c.document_id.in_(documents) & _shipment_kind(key))


def _shipment_values(payload: Any) -> set[str]:
    correlation = (payload.get("correlation") or {}) if isinstance(payload, dict) else {}
    return {str(v) for k in _SHIPMENT_KINDS if (v := correlation.get(k))}


@cache
def _erp_order_candidates(count: int) -> Any:
    """Ids of documents with an ERP order number that share a shipment key with `count` values,
    or with a document that shares one with them; built once per count, so SQLAlchemy reuses
    the compiled form. It starts from the key index, never from the documents table."""
    values: list[Any] = [bindparam(f"v{i}") for i in range(count)]
    order_key = key_t.alias("order_key")
    linked = _sharing(_values_of(_sharing(values)))
    return (
        select(order_key.c.document_id)
        .where((order_key.c.kind == "erp_order") & order_key.c.document_id.in_(linked))
        .distinct()
    )


# the same search as `_erp_order_candidates` for any number of values: does any order exist?
_ERP_ORDER_ANY = (
    select(key_t.c.document_id)
    .where(
        (key_t.c.kind == "erp_order")
        & key_t.c.document_id.in_(
            _sharing(_values_of(_sharing(bindparam("values", expanding=True))))
        )
    )
    .limit(1)
)
_ORDERLESS_BATCH = 500  # values per search: well under any driver's bound-parameter limit
_PREPARED_VALUES = 8  # up to this many values, `_erp_order_any` (no expanding IN list)


@cache
def _erp_order_any(count: int) -> Callable[[str], Any]:
    """`_ERP_ORDER_ANY` for `count` values as named parameters v0.. (a prepared statement)."""

    def build(dialect: str) -> Any:
        values: list[Any] = [bindparam(f"v{i}") for i in range(count)]
        return (
            select(key_t.c.document_id)
            .where(
                (key_t.c.kind == "erp_order")
                & key_t.c.document_id.in_(_sharing(_values_of(_sharing(values))))
            )
            .limit(1)
        )

    return build


_ERP_ORDERS = (
    select(_d.id, _d.payload)
    .where(
        _d.id.in_(bindparam("ids", expanding=True))
        & (_d.doc_type == "load_tender")
        & (_d.status != _VOID)
    )
    .order_by(_d.id.desc())
)


class ThreadsMixin(StoreBase):
    """Thread, hold-queue and shipment-status half of `Store`."""

    # ------------------------------------------------------------ threads

    def thread(self, key: str, *, max_depth: int = 3, max_documents: int = 500) -> ShipmentThread:
        """Every document linked to `key`, with its deliveries, acks and messages, oldest first.

        Start: documents carrying `key` as a correlation value (BOL, PRO, PO, shipment id, ERP
        order, ...), or inside an interchange or group with that control number (ISA13,
        GS06). Then, up to `max_depth` times, documents sharing any correlation
        value with those found (void documents are shown but not followed). `truncated` says a
        bound stopped the walk.
        """
        with self._read() as conn:
            walk = _Walk(conn, key, max_documents)
            level = walk.take(_first_documents(conn, key, max_documents + 1))
            depth = 0
            while level:
                values = walk.new_values(level)
                more = _documents_with(conn, values, walk.room + 1, exclude=walk.found)
                if more and (depth == max_depth or walk.full):
                    walk.truncated = True
                    break
                level = walk.take(more)
                depth += 1
            return _gather(conn, key, walk)

    def erp_order(self, values: Sequence[str]) -> dict[str, Any] | None:
        """The payload of the newest effective load tender that carries an ERP order number
        (an `erp_order` key) and shares a shipment key (erp_order, shipment id, TMS id, BOL,
        PRO) with `values`, else with a document that shares one with them (one step along
        the thread). It runs for every carrier document to the ERP: one prepared statement on
        the key index (a second only when an order is found), where `thread` would also
        gather deliveries, acks and messages."""
        unique = list(dict.fromkeys(values))[:8]  # a document has at most five shipment keys
        if not unique:
            return None
        params = {f"v{i}": v for i, v in enumerate(unique)}
        with self._read() as conn:
            ids = list(conn.execute(_erp_order_candidates(len(unique)), params).scalars())
            rows = conn.execute(_ERP_ORDERS, {"ids": ids}).all() if ids else []
        # newest first; an order sharing a key with the document itself wins over one reached
        # through another document
        wanted = set(unique)
        direct = [r for r in rows if wanted & _shipment_values(r[1])]
        best = direct or rows
        return cast(dict[str, Any], best[0][1]) if best else None

    def erp_orderless(self, values: Sequence[str]) -> set[str]:
        """Of `values`, those from which `erp_order` finds no order, searched in batches of
        values: the search only grows with its values, so a batch that reaches no order
        proves it for each of its values (a batch that reaches one proves nothing: its values
        are left out, and `erp_order` asks for them one document at a time). One query per
        batch where `erp_order` costs one per document: a chunk of 214s for shipments the
        ERP never sent."""
        unique = list(dict.fromkeys(values))
        found: set[str] = set()
        with self._read() as conn:
            for start in range(0, len(unique), _ORDERLESS_BATCH):
                batch = unique[start : start + _ORDERLESS_BATCH]
                if len(batch) <= _PREPARED_VALUES:  # a file's few values: prepared once
                    params = {f"v{i}": v for i, v in enumerate(batch)}
                    key = f"erp_order_any:{len(batch)}"
                    hit = _prepared.run(conn, key, _erp_order_any(len(batch)), **params).first()
                else:
                    hit = conn.execute(_ERP_ORDER_ANY, {"values": batch}).first()
                if hit is None:
                    found.update(batch)
        return found

    # ------------------------------------------------------------ hold queue

    def release_waiting(
        self, keys: Sequence[str], *, now: datetime | None = None
    ) -> list[DocumentRow]:
        """Release (waiting -> released) and return every effective waiting document that waits
        for any of `keys`, in one transaction: each document is returned to one caller only.

        Replay each, then call `finish_waiting` (matched) or `wait_document` (still missing).
        """
        values = list(dict.fromkeys(keys))
        if not values:
            return []
        candidates = select(_wk.document_id).where(_wk.value.in_(values))
        with self._write() as conn:
            return _release(conn, candidates, self._now(now))

    def release_satisfied(
        self, *, limit: int = 1000, now: datetime | None = None
    ) -> list[DocumentRow]:
        """Release (up to `limit`, oldest ids first) waiting documents whose wait key is now a
        correlation value of an effective document that is not itself waiting: the sweep that
        catches a shipment which arrived while its 214 was still held, or before a crash
        stopped `release_waiting`. Call again while it returns `limit` documents."""
        with self._write() as conn:
            # prepared once: this sweep runs with every group commit, and building the
            # statement cost more than running it on an empty hold queue
            ids = sorted(
                _prepared.run(
                    conn,
                    "release_satisfied",
                    _release_satisfied,
                    b_limit=limit,
                    b_now=self._now(now),
                ).scalars()
            )
            return _load(conn, ids)

    def wait_document(
        self,
        document_id: int,
        wait_for: Sequence[str],
        *,
        reason: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Put a document (back) in the hold queue waiting for `wait_for`; False if unknown."""
        if not wait_for:
            raise ValueError("wait_for needs at least one key")
        at = self._now(now)
        with self._write() as conn:
            if conn.execute(select(_d.id).where(_d.id == document_id)).first() is None:
                return False
            conn.execute(delete(wait_key_t).where(_wk.document_id == document_id))
            conn.execute(delete(wait_t).where(_w.document_id == document_id))
            conn.execute(
                insert(wait_t).values(
                    document_id=document_id, state=_WAITING, reason=reason, since=at
                )
            )
            _batch.bulk_insert(
                conn,
                wait_key_t,
                [{"document_id": document_id, "value": v} for v in dict.fromkeys(wait_for)],
            )
        return True

    def finish_waiting(self, document_id: int) -> bool:
        """A released document was replayed and matched: released -> done (False otherwise)."""
        stmt = (
            update(wait_t)
            .where((_w.document_id == document_id) & (_w.state == _RELEASED))
            .values(state=WaitState.DONE.value)
        )
        with self._write() as conn:
            return conn.execute(stmt).rowcount == 1

    def list_waiting(
        self,
        *,
        state: WaitState = WaitState.WAITING,
        partner_id: str | None = None,
        limit: int = 100,
    ) -> list[WaitingDocument]:
        """The hold queue for operations (or, with RELEASED, the replays still to do), oldest
        first. Void documents never appear (a rejected interchange leaves the queue)."""
        stmt = (
            select(wait_t)
            .join(document_t, _d.id == _w.document_id)
            .where((_w.state == state.value) & (_d.status != _VOID))
        )
        if partner_id is not None:
            stmt = stmt.where(_d.partner_id == partner_id)
        stmt = stmt.order_by(_w.since, _w.document_id).limit(limit)
        with self._read() as conn:
            waits = [r._mapping for r in conn.execute(stmt)]
            ids = [w["document_id"] for w in waits]
            docs = {d.id: d for d in _load(conn, ids)}
            keys: dict[int, list[str]] = {i: [] for i in ids}
            for chunk in _chunks(ids):
                kstmt = select(_wk.document_id, _wk.value).where(_wk.document_id.in_(chunk))
                for doc_id, value in conn.execute(kstmt.order_by(_wk.id)):
                    keys[doc_id].append(value)
        return [
            WaitingDocument(
                document=docs[w["document_id"]],
                state=WaitState(w["state"]),
                wait_for=tuple(keys[w["document_id"]]),
                reason=w["reason"],
                since=w["since"],
                released_at=w["released_at"],
            )
            for w in waits
        ]

    # ------------------------------------------------------------ shipment status

    def apply_status(
        self,
        shipment_key: str,
        event_time: datetime,
        status: str,
        *,
        document_id: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Make `status` the shipment's current status unless a later event was applied
        already; False when this event is older (a late event never moves a shipment back).

        An event at the same time as the stored one is applied (the store cannot order two
        statuses of the same instant). Atomic on both dialects (INSERT ... ON CONFLICT).
        """
        params = {
            "shipment_key": shipment_key,
            "event_time": event_time,
            "status": status,
            "document_id": document_id,
            "updated_at": self._now(now),
        }
        with self._write() as conn:
            return conn.execute(_status.upsert_status(conn), params).first() is not None

    def get_shipment_status(self, shipment_key: str) -> ShipmentStatusRow | None:
        stmt = select(shipment_status_t).where(shipment_status_t.c.shipment_key == shipment_key)
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return _rows.to_shipment_status(row) if row is not None else None


# ---------------------------------------------------------------- hold queue helpers


def _release_satisfied(dialect: str) -> Any:
    """`release_satisfied`'s UPDATE ... RETURNING (binds: b_limit, b_now)."""
    other = key_t.alias("other")
    owner = document_t.alias("owner")
    owner_wait = wait_t.alias("owner_wait")
    candidates = (
        select(_wk.document_id)
        .join(other, other.c.value == _wk.value)
        .join(owner, owner.c.id == other.c.document_id)
        .join(wait_t, _w.document_id == _wk.document_id)
        .where(
            (_w.state == _WAITING)
            & (owner.c.status == _EFFECTIVE)
            & (other.c.document_id != _wk.document_id)
            & ~exists().where(
                (owner_wait.c.document_id == owner.c.id)
                & ((owner_wait.c.state == _WAITING) | (owner_wait.c.state == _RELEASED))
            )
        )
        .distinct()
        .order_by(_wk.document_id)
        .limit(bindparam("b_limit", type_=Integer()))
    )
    return _release_statement(candidates, bindparam("b_now", type_=_w.released_at.type))


def _release_statement(candidates: Select[Any], now: Any) -> Any:
    # The state check in the UPDATE itself is the fence: on PostgreSQL a second worker waits
    # for the first one's row locks, re-reads the state and releases nothing twice.
    effective = select(_d.id).where(_d.status == _EFFECTIVE)
    return (
        update(wait_t)
        .where(
            (_w.state == _WAITING) & _w.document_id.in_(candidates) & _w.document_id.in_(effective)
        )
        .values(state=_RELEASED, released_at=now)
        .returning(_w.document_id)
    )


def _release(conn: Connection, candidates: Select[Any], now: datetime) -> list[DocumentRow]:
    ids = sorted(conn.execute(_release_statement(candidates, now)).scalars())
    return _load(conn, ids)


def _load(conn: Connection, ids: Sequence[int]) -> list[DocumentRow]:
    found: list[DocumentRow] = []
    for chunk in _chunks(ids):
        found.extend(_rows.load_documents(conn, _d.id.in_(chunk), limit=len(chunk)))
    return sorted(found, key=lambda d: (d.created_at, d.id))


def _chunks(items: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield list(items[start : start + _IN_CHUNK])


# ---------------------------------------------------------------- thread helpers


class _Walk:
    """The state of one thread walk: documents and values found, in discovery order."""

    def __init__(self, conn: Connection, key: str, max_documents: int) -> None:
        self.conn = conn
        self.max_documents = max_documents
        self.values: dict[str, None] = {key: None}
        self.found: dict[int, None] = {}
        self.truncated = False

    @property
    def room(self) -> int:
        return self.max_documents - len(self.found)

    @property
    def full(self) -> bool:
        return self.room <= 0

    def take(self, ids: Sequence[int]) -> list[int]:
        """Add the new ids (as many as there is room for); returns those added."""
        new = [i for i in ids if i not in self.found]
        if len(new) > self.room:
            new = new[: self.room]
            self.truncated = True
        self.found.update(dict.fromkeys(new))
        return new

    def new_values(self, documents: Sequence[int]) -> list[str]:
        """Correlation values of these (non-void) documents not followed yet."""
        added: list[str] = []
        for chunk in _chunks(documents):
            stmt = (
                select(key_t.c.value)
                .join(document_t, _d.id == key_t.c.document_id)
                .where(key_t.c.document_id.in_(chunk) & (_d.status != _VOID))
                .order_by(key_t.c.id)
            )
            for value in self.conn.execute(stmt).scalars():
                if value not in self.values:
                    self.values[value] = None
                    added.append(value)
        return added


def _documents_with(
    conn: Connection,
    values: Sequence[str],
    limit: int,
    exclude: Collection[int] = (),
) -> list[int]:
    """Ids of documents carrying any of `values` as a correlation value, not in `exclude`
    (at most `limit`)."""
    ids: set[int] = set()
    for chunk in _chunks(values):
        stmt = (
            select(key_t.c.document_id)
            .where(key_t.c.value.in_(chunk))
            .distinct()
            .order_by(key_t.c.document_id)
            .limit(limit + len(exclude))
        )
        ids.update(i for i in conn.execute(stmt).scalars() if i not in exclude)
        if len(ids) >= limit:
            break
    return sorted(ids)[:limit]


def _first_documents(conn: Connection, key: str, limit: int) -> list[int]:
    """Documents with `key` as correlation value, or inside an interchange (ISA13) or group
    (GS06) with that control number: each lookup one indexed query.

    ST02 alone is not looked up: it repeats in every interchange ("0001"), and an index on it
    would slow every set written on the hot path. Business keys are not either (their index
    leads with the document type); `search` finds those.
    """
    s, g, i = set_t.c, group_t.c, interchange_t.c
    by_group = select(g.id).where(g.control_number == key)
    by_interchange = (
        select(g.id).join(interchange_t, i.id == g.interchange_id).where(i.control_number == key)
    )
    ids = set(_documents_with(conn, [key], limit))
    for groups in (by_group, by_interchange):
        stmt = (
            select(_d.id)
            .join(set_t, s.id == _d.transaction_set_id)
            .where(s.group_id.in_(groups))
            .order_by(_d.id)
            .limit(limit)
        )
        ids.update(conn.execute(stmt).scalars())
    return sorted(ids)[:limit]


def _gather(conn: Connection, key: str, walk: _Walk) -> ShipmentThread:
    """Load the documents found and the deliveries, acks, messages and statuses around them."""
    documents = _load(conn, list(walk.found))
    doc_ids = [d.id for d in documents]
    set_ids = sorted({d.transaction_set_id for d in documents if d.transaction_set_id})
    message_ids = {d.message_id for d in documents if d.message_id is not None}
    o, a = outbox_t.c, ack_t.c
    outbox: dict[int, Any] = {}
    acks: dict[int, Any] = {}
    for chunk in _chunks(doc_ids):
        for row in conn.execute(select(outbox_t).where(o.document_id.in_(chunk))):
            outbox[row._mapping["id"]] = row
    for chunk in _chunks(sorted(message_ids)):
        stmt = select(outbox_t).where(o.source_message_id.in_(chunk) & o.document_id.is_(None))
        for row in conn.execute(stmt):
            outbox[row._mapping["id"]] = row
    for chunk in _chunks(set_ids):
        groups = select(set_t.c.group_id).where(set_t.c.id.in_(chunk))
        interchanges = select(group_t.c.interchange_id).where(group_t.c.id.in_(groups))
        stmt = select(ack_t).where(
            a.group_id.in_(groups) | (a.interchange_id.in_(interchanges) & a.group_id.is_(None))
        )
        for row in conn.execute(stmt):
            acks[row._mapping["id"]] = row
    message_ids.update(r._mapping["ack_message_id"] for r in acks.values())
    message_ids.discard(None)
    messages: list[MessageRow] = []
    for chunk in _chunks(sorted(message_ids)):
        stmt = select(received_message_t).where(received_message_t.c.id.in_(chunk))
        messages.extend(_rows.to_message(r) for r in conn.execute(stmt))
    shipment_keys = set(walk.values)
    se = shipment_event_t.c
    for chunk in _chunks(doc_ids):
        stmt = select(se.shipment_key).where(se.document_id.in_(chunk))
        shipment_keys.update(conn.execute(stmt).scalars())
    statuses: list[ShipmentStatusRow] = []
    for chunk in _chunks(sorted(shipment_keys)):
        stmt = select(shipment_status_t).where(shipment_status_t.c.shipment_key.in_(chunk))
        statuses.extend(_rows.to_shipment_status(r) for r in conn.execute(stmt))
    return ShipmentThread(
        key=key,
        keys=tuple(walk.values),
        documents=tuple(documents),
        outbox=tuple(_outbox.to_outbox_row(outbox[i]) for i in sorted(outbox)),
        acks=tuple(_rows.to_ack(acks[i]) for i in sorted(acks)),
        messages=tuple(sorted(messages, key=lambda m: (m.received_at, m.id))),
        statuses=tuple(
            sorted({s.shipment_key: s for s in statuses}.values(), key=lambda s: s.shipment_key)
        ),
        truncated=walk.truncated,
    )
