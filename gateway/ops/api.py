"""The operations HTTP API (FastAPI): messages and their lineage, acks, search, outbox, partners.

`create_app(store, registry, auth=...)` builds the app. Everything is read-only except the
replay of a delivery. Every error is an RFC 9457 problem document (JSON), never a traceback.
Who may call what is `gateway/ops/auth.py`: read routes need a key with `read` unless the
server is bound to loopback, a change always needs `operate`; /health and /metrics stay open
for probes and scrapers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from gateway.ops import metrics
from gateway.ops.auth import API_KEY_HEADER, OPERATE, READ, AuthConfig, RequestGuard, require
from gateway.ops.page import CONTENT_SECURITY_POLICY, read_status, render_status_page
from gateway.ops.views import (
    Ack,
    Document,
    Event,
    Group,
    Health,
    Interchange,
    Lineage,
    Message,
    Outbox,
    Partner,
    Problem,
    ReplayRequest,
    ReplayResult,
    TransactionSetView,
)
from gateway.registry import Registry
from gateway.soap.server import SoapDispatcher, soap_router
from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    InterchangeRow,
    MessageStatus,
    OutboxStatus,
    Store,
    StoreBusyError,
)

if TYPE_CHECKING:
    from gateway.console.app import ConsoleConfig

log = logging.getLogger(__name__)

__all__ = ["API_KEY_HEADER", "create_app", "problem"]

PROBLEM_JSON = "application/problem+json"
MAX_LIMIT = 1000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many rows.")]
RowId = Annotated[int, Path(ge=1)]
MAX_ROW_ID = 2**63 - 1  # a larger id names no row (and would overflow the database's integer)
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": title}
    for code, title in (
        (400, "Host not served"),
        (401, "Missing or wrong API key"),
        (403, "The key lacks the scope"),
        (404, "Not found"),
    )
}


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Problem(title=title, status=status, detail=detail, errors=errors)
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers) if headers else None,
    )


def create_app(
    store: Store,
    registry: Registry,
    *,
    api_keys: Mapping[str, str] | None = None,
    soap: SoapDispatcher | None = None,
    auth: AuthConfig | None = None,
    routers: Sequence[Callable[[AuthConfig], APIRouter]] = (),
    console: ConsoleConfig | None = None,
) -> FastAPI:
    """The ops app over `store` and `registry`.

    `auth` says who may call (default: loopback, no keys: reads open, changes refused);
    `api_keys` is the older form {key: client name}, each key allowed to read and operate.
    `routers` add the REST routers (ingest, visibility) built with the same `auth`.
    """
    if auth is None:
        auth = AuthConfig.of_plain_keys(api_keys or {})
    app = FastAPI(
        title="EDI gateway operations API",
        version="1",
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json is enough
        redoc_url=None,
    )
    app.add_middleware(RequestGuard, config=auth)
    app.add_middleware(_ProblemOnError)
    _install_error_handlers(app)
    guard = [Depends(require(auth, READ, open_on_loopback=True))]

    @app.get("/health", response_model=Health, responses={503: {"model": Problem}})
    def health() -> Health | JSONResponse:
        try:
            store.list_messages(limit=1)
        except Exception as exc:  # a probe every few seconds: one line each, no traceback
            log.warning("health check: the store did not answer (%s)", type(exc).__name__)
            return problem(503, "Store unavailable", "the database did not answer")
        return Health(status="ok")

    @app.get("/metrics", response_class=PlainTextResponse)
    def prometheus_metrics() -> Response:
        text = metrics.render(metrics.collect(store))
        return Response(text, media_type=metrics.CONTENT_TYPE)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False, dependencies=guard)
    def status_page() -> HTMLResponse:
        headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
        return HTMLResponse(render_status_page(read_status(store)), headers=headers)

    app.include_router(_api_router(store, registry, guard, auth))
    if soap is not None:  # the ERP's SOAP service: its own auth (gateway/soap/server.py)
        app.include_router(soap_router(soap))
    for build in routers:
        app.include_router(build(auth))
    if console is not None:  # the web console (gateway/console): its own login, under /console
        from gateway.console.app import mount_console

        mount_console(app, store, registry, console, api_keys=bool(auth.keys))
    return app


def _api_router(store: Store, registry: Registry, guard: list[Any], auth: AuthConfig) -> APIRouter:
    api = APIRouter(prefix="/api", dependencies=guard, responses=_PROBLEMS)

    @api.get("/messages", response_model=list[Message])
    def list_messages(
        status: MessageStatus | None = None,
        partner: str | None = None,
        limit: Limit = 100,
        before: Annotated[int | None, Query(ge=1, description="Only ids below this.")] = None,
    ) -> list[Message]:
        rows = store.list_messages(status=status, partner_id=partner, limit=limit, before_id=before)
        return [Message.of(m) for m in rows]

    @api.get("/messages/{message_id}", response_model=Lineage)
    def get_message(message_id: RowId) -> Lineage:
        row = store.get_message(message_id) if message_id <= MAX_ROW_ID else None
        if row is None:
            raise HTTPException(404, f"no message {message_id}")
        return Lineage(
            message=Message.of(row),
            interchanges=[
                _interchange(store, i)
                for i in reversed(store.list_interchanges(message_id=message_id, limit=MAX_LIMIT))
            ],
            documents=[
                Document.of(d)
                for d in reversed(store.list_documents(message_id=message_id, limit=MAX_LIMIT))
            ],
            outbox=[
                Outbox.of(o)
                for o in reversed(store.list_outbox(source_message_id=message_id, limit=MAX_LIMIT))
            ],
            events=[Event.of(e) for e in store.list_events(message_id=message_id)],
        )

    @api.get("/acks", response_model=list[Ack])
    def list_acks(
        partner: str | None = None,
        status: AckStatus | None = None,
        direction: AckDirection | None = None,
        kind: AckKind | None = None,
        limit: Limit = 100,
    ) -> list[Ack]:
        rows = store.list_acks(
            partner_id=partner, status=status, direction=direction, kind=kind, limit=limit
        )
        return [Ack.of(a) for a in rows]

    @api.get("/search", response_model=list[Document])
    def search(
        key: Annotated[
            str,
            Query(
                min_length=1,
                max_length=200,
                description="BOL, PRO, PO, shipment id, control number or business key.",
            ),
        ],
        include_void: Annotated[
            bool, Query(description="Also documents of rejected groups or interchanges.")
        ] = False,
        limit: Limit = 50,
    ) -> list[Document]:
        found = store.search(key, limit=limit, include_void=include_void)
        return [Document.of(d) for d in found]

    @api.get("/outbox", response_model=list[Outbox])
    def list_outbox(status: OutboxStatus | None = None, limit: Limit = 100) -> list[Outbox]:
        return [Outbox.of(o) for o in store.list_outbox(status=status, limit=limit)]

    @api.get("/outbox/{outbox_id}", response_model=Outbox)
    def get_outbox(outbox_id: RowId) -> Outbox:
        row = store.get_outbox(outbox_id) if outbox_id <= MAX_ROW_ID else None
        if row is None:
            raise HTTPException(404, f"no outbox row {outbox_id}")
        return Outbox.of(row)

    @api.get("/deadletters", response_model=list[Outbox])
    def list_deadletters(limit: Limit = 100) -> list[Outbox]:
        return [Outbox.of(o) for o in store.list_outbox(status=OutboxStatus.DEAD, limit=limit)]

    @api.post(
        "/outbox/{outbox_id}/replay",
        response_model=ReplayResult,
        dependencies=[Depends(require(auth, OPERATE))],
        responses={
            409: {"model": Problem, "description": "Queued already, or delivered without force"},
            415: {"model": Problem, "description": "Not a JSON body"},
        },
    )
    def replay(
        outbox_id: RowId,
        request: Request,
        body: Annotated[ReplayRequest | None, Body()] = None,
    ) -> ReplayResult:
        force = body.force if body is not None else False
        before = store.get_outbox(outbox_id) if outbox_id <= MAX_ROW_ID else None
        if before is None:
            raise HTTPException(404, f"no outbox row {outbox_id}")
        if before.status is OutboxStatus.DELIVERED and not force:
            # the peer took it already: a second send may be a second effect downstream
            raise HTTPException(
                409,
                f"outbox row {outbox_id} was delivered and acknowledged by {before.destination}; "
                'replay it with {"force": true} if it must go again',
            )
        if not store.replay_outbox(outbox_id):
            raise HTTPException(409, f"outbox row {outbox_id} is queued already")
        row = store.get_outbox(outbox_id)
        assert row is not None  # outbox rows are never deleted
        client = getattr(request.state, "api_client", None)
        store.add_event(
            "replay_requested",
            {
                "by": client,
                "force": force,
                "previous_status": before.status.value,
                "reason": body.reason if body is not None else None,
            },
            message_id=row.source_message_id,
            outbox_id=outbox_id,
        )
        log.info("outbox %s replayed (to %s) by %s", outbox_id, row.destination, client or "-")
        return ReplayResult(replayed=True, outbox=Outbox.of(row))

    @api.get("/partners", response_model=list[Partner])
    def list_partners() -> list[Partner]:
        return [Partner.of(p) for p in registry.profiles]

    return api


def _interchange(store: Store, row: InterchangeRow) -> Interchange:
    groups = [
        Group.of(g, [TransactionSetView.of(s) for s in store.list_sets(g.id)])
        for g in store.list_groups(row.id)
    ]
    acks = store.list_acks(
        partner_id=row.partner_id, interchange_control_number=row.control_number, limit=MAX_LIMIT
    )
    mine = [Ack.of(a) for a in reversed(acks) if a.interchange_id == row.id]
    return Interchange.of(row, groups, mine)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = _TITLES.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != title else None
        errors = getattr(exc, "errors", None)  # field errors some routes attach (schemas)
        return problem(exc.status_code, title, detail, errors=errors, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return problem(422, "Invalid request", "see errors", errors=errors)

    @app.exception_handler(StoreBusyError)
    async def store_busy(request: Request, exc: StoreBusyError) -> JSONResponse:
        return problem(503, "Store busy", "try again shortly", headers={"Retry-After": "1"})


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class _ProblemOnError:
    """Any exception a route lets through becomes a 500 problem document, logged here once.

    Starlette's own handler for `Exception` re-raises after answering, which puts a second
    traceback in the server log; catching inside it keeps one log line per failure.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: AsgiMessage) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("ops API: %s %s failed", scope.get("method"), scope.get("path"))
            if started:  # too late for a clean answer: the server closes the connection
                raise
            response = problem(500, "Internal server error", "the failure has been logged")
            await response(scope, receive, send)
