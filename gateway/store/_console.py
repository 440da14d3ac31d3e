"""What the web console reads and writes: its users and sessions, the acknowledgement board's
filtered rows and counts, and the raw figures behind the partners page.

Session tokens are stored as their sha256 only: a copy of the database does not log anyone in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from gateway.store import _outbox, _rows
from gateway.store._base import StoreBase
from gateway.store.records import (
    AckDirection,
    AckKind,
    AckRow,
    AckStatus,
    MessageRow,
    MessageStatus,
    OutboxRow,
    OutboxStatus,
)
from gateway.store.schema import (
    ack_t,
    console_session_t,
    console_user_t,
    document_t,
    event_t,
    group_t,
    interchange_t,
    outbox_t,
    received_message_t,
    set_t,
    wait_t,
)

_u = console_user_t.c
_s = console_session_t.c
_a = ack_t.c


@dataclass(frozen=True, slots=True)
class ConsoleUserRow:
    id: int
    name: str
    password_hash: str
    role: str
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class ConsoleSessionRow:
    id: int
    user: ConsoleUserRow
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AckCount:
    partner_id: str
    direction: AckDirection
    status: AckStatus
    count: int


@dataclass(frozen=True, slots=True)
class PartnerFigures:
    """Raw per-partner figures; the console turns them into measures (lag, freshness, age)."""

    partner_id: str
    last_received: datetime | None = None
    last_ack: datetime | None = None  # the last acknowledgement the partner sent us
    overdue: int = 0
    oldest_exception: datetime | None = None  # quarantined/failed message or waiting document
    last_status_document: datetime | None = None  # newest 214 (milestone) from the partner
    ack_turnarounds: tuple[float, ...] = ()  # seconds from our interchange to its 997/999
    tender_lags: tuple[float, ...] = ()  # seconds from the ERP order's receipt to the 204 sent


def _user(row: Any) -> ConsoleUserRow:
    m = row._mapping
    return ConsoleUserRow(
        id=m["id"],
        name=m["name"],
        password_hash=m["password_hash"],
        role=m["role"],
        disabled=bool(m["disabled"]),
        created_at=m["created_at"],
        last_login_at=m["last_login_at"],
    )


class ConsoleMixin(StoreBase):
    """Console half of `Store`."""

    # ------------------------------------------------------------ users

    def add_console_user(
        self, name: str, password_hash: str, role: str, *, now: datetime | None = None
    ) -> int:
        """A new user; StoreConflictError when the name is taken."""
        values = {
            "name": name,
            "password_hash": password_hash,
            "role": role,
            "disabled": 0,
            "created_at": self._now(now),
        }
        with self._write() as conn:
            return int(
                conn.execute(insert(console_user_t).values(values).returning(_u.id)).one()[0]
            )

    def update_console_user(
        self,
        name: str,
        *,
        password_hash: str | None = None,
        role: str | None = None,
        disabled: bool | None = None,
    ) -> bool:
        """Change a user; a new password or disabling ends the user's sessions."""
        values: dict[str, Any] = {}
        if password_hash is not None:
            values["password_hash"] = password_hash
        if role is not None:
            values["role"] = role
        if disabled is not None:
            values["disabled"] = int(disabled)
        if not values:
            return False
        with self._write() as conn:
            row = conn.execute(select(_u.id).where(_u.name == name)).first()
            if row is None:
                return False
            conn.execute(update(console_user_t).where(_u.id == row[0]).values(values))
            if password_hash is not None or disabled:
                conn.execute(delete(console_session_t).where(_s.user_id == row[0]))
            return True

    def get_console_user(self, name: str) -> ConsoleUserRow | None:
        with self._read() as conn:
            row = conn.execute(select(console_user_t).where(_u.name == name)).first()
        return _user(row) if row is not None else None

    def list_console_users(self) -> list[ConsoleUserRow]:
        with self._read() as conn:
            return [_user(r) for r in conn.execute(select(console_user_t).order_by(_u.name))]

    # ------------------------------------------------------------ sessions

    def start_console_session(
        self,
        user_id: int,
        token_hash: str,
        csrf_token: str,
        expires_at: datetime,
        *,
        now: datetime | None = None,
    ) -> int:
        """Record a login (and drop expired sessions, so the table stays small)."""
        at = self._now(now)
        with self._write() as conn:
            conn.execute(delete(console_session_t).where(_s.expires_at < at))
            conn.execute(update(console_user_t).where(_u.id == user_id).values(last_login_at=at))
            values = {
                "token_hash": token_hash,
                "user_id": user_id,
                "csrf_token": csrf_token,
                "created_at": at,
                "expires_at": expires_at,
            }
            stmt = insert(console_session_t).values(values).returning(_s.id)
            return int(conn.execute(stmt).one()[0])

    def console_session(
        self, token_hash: str, *, now: datetime | None = None
    ) -> ConsoleSessionRow | None:
        """The live session of a token: None when unknown, expired or its user is disabled."""
        stmt = (
            select(console_session_t, console_user_t)
            .join(console_user_t, _u.id == _s.user_id)
            .where((_s.token_hash == token_hash) & (_s.expires_at > self._now(now)))
        )
        with self._read() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            return None
        m = row._mapping
        user = ConsoleUserRow(
            id=m[_u.id],
            name=m[_u.name],
            password_hash=m[_u.password_hash],
            role=m[_u.role],
            disabled=bool(m[_u.disabled]),
            created_at=m[_u.created_at],
            last_login_at=m[_u.last_login_at],
        )
        if user.disabled:
            return None
        return ConsoleSessionRow(m[_s.id], user, m[_s.csrf_token], m[_s.expires_at])

    def end_console_session(self, token_hash: str) -> None:
        with self._write() as conn:
            conn.execute(delete(console_session_t).where(_s.token_hash == token_hash))

    # ------------------------------------------------------------ acknowledgement board

    def board_acks(
        self,
        *,
        direction: AckDirection | None = None,
        statuses: Sequence[AckStatus] = (),
        partner_id: str | None = None,
        functional_id: str | None = None,
        kind: AckKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[AckRow]:
        """Acks newest first under the board's filters (dates on when the row was created)."""
        stmt = select(ack_t)
        if direction is not None:
            stmt = stmt.where(_a.direction == direction.value)
        if statuses:
            stmt = stmt.where(_a.status.in_([s.value for s in statuses]))
        if partner_id:
            stmt = stmt.where(_a.partner_id == partner_id)
        if functional_id:
            stmt = stmt.where(_a.functional_id == functional_id)
        if kind is not None:
            stmt = stmt.where(_a.kind == kind.value)
        if since is not None:
            stmt = stmt.where(_a.created_at >= since)
        if until is not None:
            stmt = stmt.where(_a.created_at < until)
        with self._read() as conn:
            return [_rows.to_ack(r) for r in conn.execute(stmt.order_by(_a.id.desc()).limit(limit))]

    def ack_counts(self) -> list[AckCount]:
        """Acks counted by partner, direction and status."""
        stmt = select(_a.partner_id, _a.direction, _a.status, func.count()).group_by(
            _a.partner_id, _a.direction, _a.status
        )
        with self._read() as conn:
            return [
                AckCount(p, AckDirection(d), AckStatus(s), int(n))
                for p, d, s, n in conn.execute(stmt)
            ]

    def outbox_rows(self, ids: Sequence[int]) -> dict[int, OutboxRow]:
        """Outbox rows by id (the deliveries of the acks we sent)."""
        if not ids:
            return {}
        with self._read() as conn:
            rows = conn.execute(select(outbox_t).where(outbox_t.c.id.in_(list(ids))))
            found = [_outbox.to_outbox_row(r) for r in rows]
        return {r.id: r for r in found}

    def messages_by_id(self, ids: Sequence[int]) -> dict[int, MessageRow]:
        if not ids:
            return {}
        m = received_message_t.c
        with self._read() as conn:
            rows = conn.execute(select(received_message_t).where(m.id.in_(list(ids))))
            found = [_rows.to_message(r) for r in rows]
        return {r.id: r for r in found}

    def duplicate_events(self, *, limit: int = 100) -> list[tuple[int, int | None, datetime, Any]]:
        """`duplicate_business_event` events: (event id, message id, at, detail), newest first."""
        e = event_t.c
        stmt = (
            select(e.id, e.message_id, e.at, e.detail)
            .where(e.kind == "duplicate_business_event")
            .order_by(e.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [(r[0], r[1], r[2], r[3]) for r in conn.execute(stmt)]

    def events_of_kind(
        self, kinds: Sequence[str], *, limit: int = 100
    ) -> list[tuple[int, int | None, datetime, str, Any]]:
        """Events of these kinds: (id, message id, at, kind, detail), newest first."""
        e = event_t.c
        stmt = (
            select(e.id, e.message_id, e.at, e.kind, e.detail)
            .where(e.kind.in_(list(kinds)))
            .order_by(e.id.desc())
            .limit(limit)
        )
        with self._read() as conn:
            return [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(stmt)]

    # ------------------------------------------------------------ partners page

    def partner_figures(self, *, sample: int = 500) -> dict[str, PartnerFigures]:
        """Per partner: last receipt, last ack received, overdue count, oldest open exception,
        newest milestone, and the latest `sample` ack turnarounds and order-to-tender lags."""
        m = received_message_t.c
        d = document_t.c
        o = outbox_t.c
        w = wait_t.c
        found: dict[str, dict[str, Any]] = {}

        def put(partner: str, name: str, value: Any) -> None:
            found.setdefault(partner, {})[name] = value

        with self._read() as conn:
            for p, at in conn.execute(
                select(m.partner_id, func.max(m.received_at)).group_by(m.partner_id)
            ):
                put(p, "last_received", at)
            stmt = (
                select(_a.partner_id, func.max(_a.updated_at))
                .where(_a.direction == AckDirection.RECEIVED.value)
                .group_by(_a.partner_id)
            )
            for p, at in conn.execute(stmt):
                put(p, "last_ack", at)
            stmt = (
                select(_a.partner_id, func.count())
                .where(_a.status == AckStatus.OVERDUE.value)
                .group_by(_a.partner_id)
            )
            for p, n in conn.execute(stmt):
                put(p, "overdue", int(n))
            bad = [MessageStatus.QUARANTINED.value, MessageStatus.FAILED.value]
            stmt = (
                select(m.partner_id, func.min(m.received_at))
                .where(m.status.in_(bad))
                .group_by(m.partner_id)
            )
            oldest: dict[str, datetime] = {p: at for p, at in conn.execute(stmt)}
            stmt = (
                select(d.partner_id, func.min(w.since))
                .join(document_t, d.id == w.document_id)
                .where(w.state == "waiting")
                .group_by(d.partner_id)
            )
            for p, at in conn.execute(stmt):
                oldest[p] = min(at, oldest.get(p, at))
            for p, at in oldest.items():
                put(p, "oldest_exception", at)
            stmt = (
                select(d.partner_id, func.max(d.created_at))
                .where((d.doc_type == "shipment_status") & (d.status == "effective"))
                .group_by(d.partner_id)
            )
            for p, at in conn.execute(stmt):
                put(p, "last_status_document", at)
            stmt = (
                select(_a.partner_id, _a.created_at, _a.updated_at)
                .where(
                    (_a.direction == AckDirection.EXPECTED.value)
                    & _a.kind.in_([AckKind.FA997.value, AckKind.FA999.value])
                    & _a.status.notin_([AckStatus.PENDING.value, AckStatus.OVERDUE.value])
                )
                .order_by(_a.id.desc())
                .limit(sample)
            )
            turn: dict[str, list[float]] = {}
            for row in conn.execute(stmt):
                turn.setdefault(row[0], []).append((row[2] - row[1]).total_seconds())
            for p, values in turn.items():
                put(p, "ack_turnarounds", tuple(values))
            # An ERP order is a received message; the 204 built from it is an outbox row with
            # that source message: lag = delivered (to the carrier) - received (from the ERP).
            stmt = (
                select(o.destination, m.received_at, o.delivered_at)
                .join(received_message_t, m.id == o.source_message_id)
                .where((o.kind == "204") & (o.status == OutboxStatus.DELIVERED.value))
                .order_by(o.id.desc())
                .limit(sample)
            )
            lags: dict[str, list[float]] = {}
            for row in conn.execute(stmt):
                if row[2] is not None:
                    lags.setdefault(row[0], []).append((row[2] - row[1]).total_seconds())
            for p, values in lags.items():
                put(p, "tender_lags", tuple(values))
        return {p: PartnerFigures(partner_id=p, **v) for p, v in found.items()}

    def acks_of_messages(self, message_ids: Sequence[int]) -> list[tuple[int, AckRow]]:
        """(message id, ack) for every ack of an interchange built from or received as one of
        these messages: our 997 for a partner's file, the 997/990 we expect for our 204."""
        if not message_ids:
            return []
        i = interchange_t.c
        stmt = (
            select(i.message_id, ack_t)
            .join(interchange_t, i.id == _a.interchange_id)
            .where(i.message_id.in_(list(message_ids)))
            .order_by(_a.id)
        )
        with self._read() as conn:
            return [(r[0], _rows.to_ack(r)) for r in conn.execute(stmt)]

    def interchange_messages(self, interchange_ids: Sequence[int]) -> dict[int, int | None]:
        """interchange id -> the message it was received in (None for ours)."""
        if not interchange_ids:
            return {}
        i = interchange_t.c
        stmt = select(i.id, i.message_id).where(i.id.in_(list(interchange_ids)))
        with self._read() as conn:
            return {r[0]: r[1] for r in conn.execute(stmt)}

    # ------------------------------------------------------------ metrics

    def set_outcomes(self) -> list[tuple[str, str, str, int]]:
        """Inbound transaction sets counted by (partner, set id, outcome A/E/R)."""
        i, g, t = interchange_t.c, group_t.c, set_t.c
        stmt = (
            select(i.partner_id, t.set_id, t.outcome, func.count())
            .select_from(set_t)
            .join(group_t, g.id == t.group_id)
            .join(interchange_t, i.id == g.interchange_id)
            .where(i.direction == "in")
            .group_by(i.partner_id, t.set_id, t.outcome)
        )
        with self._read() as conn:
            return [(r[0], r[1], r[2], int(r[3])) for r in conn.execute(stmt)]

    def message_counts_by_partner(self) -> list[tuple[str, str, int]]:
        """Received messages counted by (partner, status)."""
        m = received_message_t.c
        stmt = select(m.partner_id, m.status, func.count()).group_by(m.partner_id, m.status)
        with self._read() as conn:
            return [(r[0], r[1], int(r[2])) for r in conn.execute(stmt)]

    def outbox_depth(self) -> list[tuple[str, int]]:
        """Deliveries not yet made (held, pending, in flight) by destination."""
        o = outbox_t.c
        waiting = [
            OutboxStatus.HELD.value,
            OutboxStatus.PENDING.value,
            OutboxStatus.IN_FLIGHT.value,
        ]
        stmt = (
            select(o.destination, func.count()).where(o.status.in_(waiting)).group_by(o.destination)
        )
        with self._read() as conn:
            return [(r[0], int(r[1])) for r in conn.execute(stmt)]

    def delivery_timings(self, *, limit: int = 10_000) -> list[tuple[float, float | None]]:
        """For the newest `limit` deliveries made: (seconds queued -> delivered, seconds the
        source file was received -> delivered, None without a source file)."""
        o, m = outbox_t.c, received_message_t.c
        stmt = (
            select(o.created_at, o.delivered_at, m.received_at)
            .select_from(outbox_t)
            .join(received_message_t, m.id == o.source_message_id, isouter=True)
            .where((o.status == OutboxStatus.DELIVERED.value) & o.delivered_at.is_not(None))
            .order_by(o.id.desc())
            .limit(limit)
        )
        out: list[tuple[float, float | None]] = []
        with self._read() as conn:
            for created, delivered, received in conn.execute(stmt):
                drop = (delivered - received).total_seconds() if received is not None else None
                out.append(((delivered - created).total_seconds(), drop))
        return out
