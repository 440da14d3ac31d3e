"""REST ingest: partners post raw X12, systems (the TMS, the ERP) post JSON; the same pipeline
as a dropped file (archive + receipt, then processing by the gateway's worker).

    POST /api/v1/partners/{id}/x12        application/edi-x12 -> 202 {message_id, ...}
    POST /api/v1/partners/{id}/messages   application/json (TMS v1 or canonical) -> 202
    GET  /api/v1/partners/{id}/messages/{message_id}   status and the 997/999/TA1 we sent

Each needs a key with `ingest:<id>`. The body size is checked from Content-Length and while
reading, before anything is parsed; JSON is checked against the published contract schema
(gateway/contracts/tms/v1/message.schema.json) before it is stored. `Idempotency-Key`: a retry
gets the first response again, the same key with another body is a 422.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict

from gateway.contracts import generate
from gateway.faults import crashpoint
from gateway.ops.auth import AuthConfig, Principal, ingest_scope, require
from gateway.ops.views import Ack
from gateway.pipeline.archive import ArchiveError
from gateway.pipeline.inbound import InboundPipeline
from gateway.registry import PartnerProfile, Registry
from gateway.store import AckDirection, MessageRow, MessageStatus, Store
from gateway.store._api_requests import StoredResponse

IDEMPOTENCY_HEADER = "Idempotency-Key"
X12_TYPES = frozenset({"application/edi-x12", "application/octet-stream"})
JSON_TYPES = frozenset({"application/json"})
MAX_ROW_ID = 2**63 - 1
PartnerId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
MessageId = Annotated[int, Path(ge=1)]
Wait = Annotated[
    float, Query(ge=0, le=30, description="Seconds to wait for processing (0: answer at once).")
]


class IngestResult(BaseModel):
    """What became of a posted payload: its message, and once processed, the acks we sent."""

    model_config = ConfigDict(frozen=True)
    message_id: int
    partner_id: str
    status: str
    duplicate: bool = False
    quarantine_reason: str | None = None
    acks: list[Ack] = []
    location: str


@dataclass
class Ingest:
    store: Store
    registry: Registry
    pipeline: InboundPipeline
    wake: Callable[[], None] = lambda: None
    max_x12_bytes: int = 64 * 1024 * 1024
    max_json_bytes: int = 4 * 1024 * 1024

    def router(self, auth: AuthConfig) -> APIRouter:
        return _router(self, auth)


def _scope(request: Request) -> str:
    return ingest_scope(str(request.path_params.get("partner_id", "")))


def _router(ingest: Ingest, auth: AuthConfig) -> APIRouter:
    api = APIRouter(prefix="/api/v1/partners", tags=["ingest"])
    allowed = Depends(require(auth, _scope))
    problems: dict[int | str, dict[str, Any]] = {
        code: {"description": text}
        for code, text in (
            (401, "Missing or wrong API key"),
            (403, "The key lacks ingest:<partner>"),
            (404, "Unknown partner or message"),
            (413, "Body over the size limit"),
            (415, "Unsupported media type"),
            (422, "Invalid payload, or Idempotency-Key reused with another body"),
        )
    }

    @api.post(
        "/{partner_id}/x12",
        status_code=202,
        response_model=IngestResult,
        responses=problems,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/edi-x12": {"schema": {"type": "string"}}},
            }
        },
    )
    async def post_x12(
        partner_id: PartnerId, request: Request, who: Principal = allowed, wait: Wait = 0
    ) -> Response:
        profile = _partner(ingest.registry, partner_id)
        if profile.x12 is None:
            raise HTTPException(404, f"{partner_id} exchanges no X12")
        _media(request, X12_TYPES)
        body = await _read(request, ingest.max_x12_bytes)
        if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA"):
            raise HTTPException(422, "the body is not an X12 interchange (no ISA)")
        return await _idempotent(
            ingest, request, who, body, lambda: _accept(ingest, profile, body, "x12", wait)
        )

    @api.post(
        "/{partner_id}/messages",
        status_code=202,
        response_model=IngestResult,
        responses=problems,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def post_json(
        partner_id: PartnerId, request: Request, who: Principal = allowed, wait: Wait = 0
    ) -> Response:
        profile = _partner(ingest.registry, partner_id)
        _media(request, JSON_TYPES)
        body = await _read(request, ingest.max_json_bytes)
        _check_json(body)
        return await _idempotent(
            ingest, request, who, body, lambda: _accept(ingest, profile, body, "json", wait)
        )

    @api.get("/{partner_id}/messages/{message_id}", response_model=IngestResult, responses=problems)
    def get_message(
        partner_id: PartnerId, message_id: MessageId, who: Principal = allowed
    ) -> IngestResult:
        row = ingest.store.get_message(message_id) if message_id <= MAX_ROW_ID else None
        if row is None or row.partner_id != partner_id:  # another partner's message: not found
            raise HTTPException(404, f"no message {message_id} from {partner_id}")
        return _result(ingest.store, row)

    return api


def _partner(registry: Registry, partner_id: str) -> PartnerProfile:
    profile = registry.find(partner_id)
    if profile is None:
        raise HTTPException(404, f"no partner {partner_id}")
    return profile


def _media(request: Request, accepted: frozenset[str]) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in accepted:
        raise HTTPException(415, f"send {' or '.join(sorted(accepted))}, not {media or 'nothing'}")


async def _read(request: Request, limit: int) -> bytes:
    """The body, refused with 413 from its declared length or as soon as it passes `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise HTTPException(413, f"the body is over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is over {limit} bytes")
        chunks.append(chunk)
    if size == 0:
        raise HTTPException(422, "the body is empty")
    return b"".join(chunks)


@cache
def _message_schema() -> Draft202012Validator:
    path = FsPath(generate.CONTRACTS_DIR) / "tms" / "v1" / "message.schema.json"
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _check_json(body: bytes) -> None:
    """A TMS v1 message must match the published schema; a canonical document (with
    `document_type`, the ERP's form) is checked by the pipeline's own models."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HTTPException(422, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise HTTPException(422, "the body must be one JSON object")
    if "document_type" in data:
        return
    errors = sorted(_message_schema().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise _SchemaError(
            [
                {"loc": ["body", *(str(p) for p in e.absolute_path)], "msg": e.message[:300]}
                for e in errors[:20]
            ]
        )


class _SchemaError(HTTPException):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(422, "the message does not match tms/v1/message.schema.json")
        self.errors = errors


def _accept(
    ingest: Ingest, profile: PartnerProfile, body: bytes, kind: str, wait: float
) -> tuple[int, IngestResult]:
    """Archive and record the payload as received (one commit), wake the worker, and wait up
    to `wait` seconds for it to be processed."""
    try:
        archived = ingest.pipeline.archive.store(io.BytesIO(body))
    except (ArchiveError, OSError) as exc:
        raise HTTPException(503, f"cannot store the payload now: {type(exc).__name__}") from None
    stamp = datetime.now(UTC)
    receipt = ingest.store.record_receipt(
        sha256=archived.sha256,
        channel="http",
        account=profile.account,
        partner_id=profile.id,
        original_name=f"http-{stamp:%Y%m%dT%H%M%S}-{archived.sha256[:12]}.{kind}",
        size=archived.size,
        archive_path=str(archived.path),
        received_at=stamp,
    )
    crashpoint("rest_after_receipt_commit")
    ingest.wake()
    deadline = time.monotonic() + wait
    row = ingest.store.get_message(receipt.message_id)
    while row is not None and row.status is MessageStatus.RECEIVED and time.monotonic() < deadline:
        time.sleep(0.05)
        row = ingest.store.get_message(receipt.message_id)
    assert row is not None  # just recorded; messages are never deleted
    result = _result(ingest.store, row, duplicate=receipt.duplicate)
    return (202 if row.status is MessageStatus.RECEIVED else 200), result


def _result(store: Store, row: MessageRow, *, duplicate: bool = False) -> IngestResult:
    acks = []
    for ic in store.list_interchanges(message_id=row.id, limit=100):
        for ack in store.list_acks(
            partner_id=row.partner_id,
            interchange_control_number=ic.control_number,
            direction=AckDirection.SENT,
            limit=100,
        ):
            if ack.interchange_id == ic.id:
                acks.append(Ack.of(ack))
    return IngestResult(
        message_id=row.id,
        partner_id=row.partner_id,
        status=row.status.value,
        duplicate=duplicate,
        quarantine_reason=row.quarantine_reason,
        acks=sorted(acks, key=lambda a: a.id),
        location=f"/api/v1/partners/{row.partner_id}/messages/{row.id}",
    )


async def _idempotent(
    ingest: Ingest,
    request: Request,
    who: Principal,
    body: bytes,
    handle: Callable[[], tuple[int, IngestResult]],
) -> Response:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key) <= 255:
        raise HTTPException(400, f"{IDEMPOTENCY_HEADER} must be 1 to 255 characters")
    client = who.name or "-"
    digest = hashlib.sha256(
        b"\x1f".join([request.method.encode(), request.url.path.encode(), body])
    ).hexdigest()
    if key is not None:
        first = await run_in_threadpool(ingest.store.get_api_response, client, key)
        if first is not None:
            return _replayed(first, digest)
    status, result = await run_in_threadpool(handle)
    payload = result.model_dump_json().encode()
    response = StoredResponse(digest, status, "application/json", payload)
    if key is not None:
        response = await run_in_threadpool(ingest.store.save_api_response, client, key, response)
        if response.request_sha256 != digest or response.body != payload:
            return _replayed(response, digest)
    crashpoint("rest_before_response")
    return Response(
        response.body,
        status_code=response.status_code,
        media_type=response.content_type,
        headers={"Location": result.location},
    )


def _replayed(first: StoredResponse, digest: str) -> Response:
    if first.request_sha256 != digest:
        raise HTTPException(
            422, f"this {IDEMPOTENCY_HEADER} was used with another request; use a new key"
        )
    location = json.loads(first.body).get("location", "")
    return Response(
        first.body,
        status_code=first.status_code,
        media_type=first.content_type,
        headers={"Idempotent-Replayed": "true", "Location": location},
    )
