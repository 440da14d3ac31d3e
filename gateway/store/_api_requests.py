"""Idempotent REST requests: the first response to (client, Idempotency-Key) is kept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from gateway.store import _rows
from gateway.store._base import StoreBase
from gateway.store.records import DocumentRow, DocumentStatus
from gateway.store.schema import api_request_t, document_t

_r = api_request_t.c


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_sha256: str
    status_code: int
    content_type: str
    body: bytes


class ApiRequestsMixin(StoreBase):
    def documents_page(
        self, doc_types: Sequence[str], *, before_id: int | None = None, limit: int = 500
    ) -> list[DocumentRow]:
        """Effective documents of `doc_types`, newest first, with ids below `before_id`: the
        scan behind a cursor-paged API."""
        d = document_t.c
        conditions = [d.doc_type.in_(list(doc_types)), d.status == DocumentStatus.EFFECTIVE.value]
        if before_id is not None:
            conditions.append(d.id < before_id)
        with self._read() as conn:
            return _rows.load_documents(conn, *conditions, limit=limit)

    def get_api_response(self, client: str, key: str) -> StoredResponse | None:
        stmt = select(_r.request_sha256, _r.status_code, _r.content_type, _r.response).where(
            (_r.client == client) & (_r.idempotency_key == key)
        )
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return StoredResponse(row[0], row[1], row[2], bytes(row[3])) if row else None

    def save_api_response(
        self, client: str, key: str, response: StoredResponse, now: datetime | None = None
    ) -> StoredResponse:
        """Keep `response` for (client, key); when another request stored one first, that one
        is returned (the first response wins)."""
        values = {
            "client": client,
            "idempotency_key": key,
            "request_sha256": response.request_sha256,
            "status_code": response.status_code,
            "content_type": response.content_type,
            "response": response.body,
            "created_at": self._now(now),
        }
        try:
            with self._write() as conn:
                conn.execute(insert(api_request_t).values(values))
        except IntegrityError:
            first = self.get_api_response(client, key)
            if first is None:
                raise
            return first
        return response
