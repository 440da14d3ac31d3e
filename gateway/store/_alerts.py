"""Alerts in the store: raised once per dedup key (a second raise is a no-op), then delivered
with retries; the row records each attempt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store._base import StoreBase
from gateway.store.schema import alert_t, event_t

_t = alert_t.c


@dataclass(frozen=True, slots=True)
class NewAlert:
    dedup_key: str
    kind: str
    partner_id: str | None
    summary: str
    link: str | None = None
    detail: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    dedup_key: str
    kind: str
    partner_id: str | None
    summary: str
    link: str | None
    detail: dict[str, Any] | None
    created_at: datetime
    delivered_at: datetime | None
    attempts: int
    last_error: str | None


def _row(r: Any) -> AlertRow:
    m = r._mapping
    return AlertRow(
        m["id"],
        m["dedup_key"],
        m["kind"],
        m["partner_id"],
        m["summary"],
        m["link"],
        m["detail"],
        m["created_at"],
        m["delivered_at"],
        m["attempts"],
        m["last_error"],
    )


class AlertsMixin(StoreBase):
    """Alerts half of `Store`."""

    def raise_alerts(self, alerts: Sequence[NewAlert], *, now: datetime | None = None) -> int:
        """Record the alerts not raised before (by dedup key); returns how many were new."""
        if not alerts:
            return 0
        at = self._now(now)
        dialect_insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        rows = [
            {
                "dedup_key": a.dedup_key[:200],
                "kind": a.kind,
                "partner_id": a.partner_id,
                "summary": a.summary,
                "link": a.link,
                "detail": a.detail,
                "created_at": at,
                "attempts": 0,
            }
            for a in alerts
        ]
        stmt = dialect_insert(alert_t).on_conflict_do_nothing(index_elements=["dedup_key"])
        new = 0
        with self._write() as conn:
            for row in rows:  # one by one: rowcount tells which were new
                new += conn.execute(stmt, row).rowcount
        return new

    def undelivered_alerts(self, *, max_attempts: int, limit: int = 100) -> list[AlertRow]:
        stmt = (
            select(alert_t)
            .where(_t.delivered_at.is_(None) & (_t.attempts < max_attempts))
            .order_by(_t.id)
            .limit(limit)
        )
        with self._read() as conn:
            return [_row(r) for r in conn.execute(stmt)]

    def record_alert_attempt(
        self, alert_id: int, *, error: str | None, now: datetime | None = None
    ) -> None:
        values: dict[str, Any] = {"attempts": _t.attempts + 1, "last_error": error}
        if error is None:
            values["delivered_at"] = self._now(now)
        with self._write() as conn:
            conn.execute(update(alert_t).where(_t.id == alert_id).values(values))

    def list_alerts(self, *, limit: int = 100) -> list[AlertRow]:
        with self._read() as conn:
            stmt = select(alert_t).order_by(_t.id.desc()).limit(limit)
            return [_row(r) for r in conn.execute(stmt)]

    def last_outbox_events(self, outbox_ids: Sequence[int], kind: str) -> dict[int, int]:
        """outbox id -> the id of its newest event of `kind` (e.g. when it last died)."""
        if not outbox_ids:
            return {}
        e = event_t.c
        stmt = (
            select(e.outbox_id, func.max(e.id))
            .where(e.outbox_id.in_(list(outbox_ids)) & (e.kind == kind))
            .group_by(e.outbox_id)
        )
        with self._read() as conn:
            return {r[0]: r[1] for r in conn.execute(stmt)}
