"""The ERP SOAP service's requests, by the ERP's document number (DOCNUM): idempotency.

A mutating call is begun (request row + its received message, one transaction), its effects
are recorded by the usual pipeline, and it is finished with the response to replay. A retry of
the same DOCNUM with the same content gets that response; other content is a conflict. A row
left `processing` by a crash is taken over by a retry after `stale_before`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from gateway.store import _batch
from gateway.store._base import StoreBase
from gateway.store.records import MessageStatus, NewEvent
from gateway.store.schema import event_t, received_message_t, soap_request_t

_s = soap_request_t.c
_m = received_message_t.c
PROCESSING = "processing"
DONE = "done"


@dataclass(frozen=True, slots=True)
class SoapRequestRow:
    id: int
    partner_id: str
    docnum: str
    operation: str
    order_number: str
    request_sha256: str
    state: str  # processing / done
    message_id: int | None
    response: bytes | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewSoapRequest:
    """A mutating call to begin, with the archived request it arrived as."""

    partner_id: str
    docnum: str
    operation: str
    order_number: str
    request_sha256: str  # of the operation element's canonical form (content, not transport)
    archive_sha256: str  # of the bytes received (the archive's name)
    archive_path: str
    size: int
    account: str | None = None


@dataclass(frozen=True, slots=True)
class SoapBegin:
    """`row` is ours to process when `claimed`; else it is the request found under the DOCNUM."""

    row: SoapRequestRow
    claimed: bool


class SoapOrderStateError(Exception):
    """The order's earlier requests forbid this one (e.g. a second release, a change before
    the release); nothing was written."""


OrderCheck = Callable[[Sequence[SoapRequestRow]], str | None]


def _to_row(row: Row[Any]) -> SoapRequestRow:
    m = row._mapping
    return SoapRequestRow(
        id=m["id"],
        partner_id=m["partner_id"],
        docnum=m["docnum"],
        operation=m["operation"],
        order_number=m["order_number"],
        request_sha256=m["request_sha256"],
        state=m["state"],
        message_id=m["message_id"],
        response=m["response"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


class SoapMixin(StoreBase):
    """SOAP request half of `Store`."""

    def get_soap_request(self, partner_id: str, docnum: str) -> SoapRequestRow | None:
        stmt = select(soap_request_t).where((_s.partner_id == partner_id) & (_s.docnum == docnum))
        with self._read() as conn:
            row = conn.execute(stmt).first()
        return _to_row(row) if row is not None else None

    def list_soap_requests(
        self, *, partner_id: str | None = None, order_number: str | None = None
    ) -> list[SoapRequestRow]:
        """Requests oldest first, optionally of one partner and one order (TKNUM)."""
        stmt = select(soap_request_t).order_by(_s.id)
        if partner_id is not None:
            stmt = stmt.where(_s.partner_id == partner_id)
        if order_number is not None:
            stmt = stmt.where(_s.order_number == order_number)
        with self._read() as conn:
            return [_to_row(r) for r in conn.execute(stmt)]

    def begin_soap_request(
        self,
        new: NewSoapRequest,
        *,
        check_order: OrderCheck,
        stale_before: datetime,
        now: datetime | None = None,
    ) -> SoapBegin:
        """Claim `new.docnum` for processing, or return the request already under it.

        A new claim writes the request row and its received message (status parsed: the SOAP
        handler processes it itself, the folder worker never picks it up) in one transaction,
        after `check_order` found no reason against it among the order's earlier requests
        (a reason raises SoapOrderStateError). A `processing` row whose last touch is before
        `stale_before` (its worker died) is claimed again with the same content.
        """
        at = self._now(now)
        key = (_s.partner_id == new.partner_id) & (_s.docnum == new.docnum)
        with self._write() as conn:
            found = conn.execute(select(soap_request_t).where(key)).first()
            if found is not None:
                row = _to_row(found)
                if (
                    row.state == PROCESSING
                    and row.request_sha256 == new.request_sha256
                    and row.updated_at < stale_before
                ):
                    taken = conn.execute(
                        update(soap_request_t)
                        .where(
                            (_s.id == row.id)
                            & (_s.state == PROCESSING)
                            & (_s.updated_at == row.updated_at)
                        )
                        .values(updated_at=at)
                    ).rowcount
                    return SoapBegin(row, claimed=taken == 1)
                return SoapBegin(row, claimed=False)
            earlier = [
                _to_row(r)
                for r in conn.execute(
                    select(soap_request_t)
                    .where(
                        (_s.partner_id == new.partner_id) & (_s.order_number == new.order_number)
                    )
                    .order_by(_s.id)
                )
            ]
            reason = check_order(earlier)
            if reason is not None:
                raise SoapOrderStateError(reason)
            message_id = _insert_message(conn, new, at)
            values = {
                "partner_id": new.partner_id,
                "docnum": new.docnum,
                "operation": new.operation,
                "order_number": new.order_number,
                "request_sha256": new.request_sha256,
                "state": PROCESSING,
                "message_id": message_id,
                "response": None,
                "created_at": at,
                "updated_at": at,
            }
            new_id = conn.execute(
                soap_request_t.insert().values(values).returning(_s.id)
            ).scalar_one()
            created = conn.execute(select(soap_request_t).where(_s.id == new_id)).one()
            return SoapBegin(_to_row(created), claimed=True)

    def finish_soap_request(
        self, request_id: int, response: bytes, *, now: datetime | None = None
    ) -> None:
        """Keep the response a retry of this DOCNUM gets, and mark the request done."""
        with self._write() as conn:
            conn.execute(
                update(soap_request_t)
                .where(_s.id == request_id)
                .values(state=DONE, response=response, updated_at=self._now(now))
            )

    def abandon_soap_request(
        self, request_id: int, reason: str, *, now: datetime | None = None
    ) -> None:
        """Its effects failed: free the DOCNUM for a retry; the message keeps the reason."""
        at = self._now(now)
        with self._write() as conn:
            message_id = conn.execute(
                select(_s.message_id).where(_s.id == request_id)
            ).scalar_one_or_none()
            conn.execute(delete(soap_request_t).where(_s.id == request_id))
            if message_id is not None:
                _batch.set_message_status(conn, message_id, MessageStatus.FAILED, reason)
                _batch.insert_rows(
                    conn,
                    event_t,
                    _batch.event_rows([NewEvent("failed", {"error": reason})], at, message_id),
                )


def _insert_message(conn: Any, new: NewSoapRequest, at: datetime) -> int:
    """The received message of a SOAP request; the same bytes again (a retry after an
    abandoned attempt) reuse the first row."""
    values = {
        "sha256": new.archive_sha256,
        "channel": "soap",
        "account": new.account,
        "partner_id": new.partner_id,
        "original_name": f"{new.operation}-{new.docnum}",
        "size": new.size,
        "received_at": at,
        "archive_path": new.archive_path,
        "status": MessageStatus.PARSED.value,
    }
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        dialect_insert(received_message_t)
        .values(values)
        .on_conflict_do_nothing(index_elements=["partner_id", "sha256"])
        .returning(_m.id)
    )
    message_id = conn.execute(stmt).scalar_one_or_none()
    if message_id is None:
        message_id = conn.execute(
            select(_m.id).where(
                (_m.partner_id == new.partner_id) & (_m.sha256 == new.archive_sha256)
            )
        ).scalar_one()
        _batch.set_message_status(conn, message_id, MessageStatus.PARSED)
    detail = {"channel": "soap", "account": new.account, "name": values["original_name"]}
    _batch.insert_rows(
        conn, event_t, _batch.event_rows([NewEvent("received", detail)], at, message_id)
    )
    return int(message_id)
