"""The web console's routes under /console, mounted into the ops app by `mount_console`.

Server-rendered pages (Jinja2, autoescaped), no JavaScript, one stylesheet; a strict CSP on
every answer. Every page needs a login; every POST carries the session's CSRF token; replay and
requeue need the operator role and go through a dry run first, then a confirmation.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.console import auth, pages
from gateway.console.auth import Role
from gateway.console.roles import NAME_PATTERN
from gateway.pipeline.archive import Archive
from gateway.registry import Registry
from gateway.store import ConsoleSessionRow, OutboxStatus, Store, StoreConflictError

log = logging.getLogger(__name__)

PREFIX = "/console"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MAX_FORM_BYTES = 64 * 1024


@dataclass
class ConsoleConfig:
    """What the console needs besides the store and registry."""

    archive: Archive
    session_lifetime: timedelta = timedelta(hours=8)
    secure_cookies: bool | None = None  # None: Secure unless served on loopback over HTTP
    limiter: auth.LoginLimiter = field(default_factory=auth.LoginLimiter)


class LoginRequired(Exception):
    """No live session: a page redirects to the login form, an action is refused."""


class Forbidden(Exception):
    """Logged in, but the role (or the CSRF token) does not allow this."""


_env = jinja2.Environment(
    loader=jinja2.PackageLoader("gateway.console", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["human"] = pages.human
_env.filters["when"] = lambda at: at.isoformat(sep=" ", timespec="seconds") if at else ""
_env.filters["pretty"] = lambda value: json.dumps(value, indent=2, sort_keys=True, default=str)
_env.filters["compact"] = lambda value: json.dumps(value, sort_keys=True, default=str)[:400]
_env.globals["urlq"] = lambda value: quote(str(value), safe="")
_CSS = resources.files("gateway.console").joinpath("static/console.css").read_bytes()


def _headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("active", "")
    html = _env.get_template(name).render(prefix=PREFIX, **context)
    return HTMLResponse(html, status_code=status, headers=_headers())


def mount_console(
    app: FastAPI,
    store: Store,
    registry: Registry,
    config: ConsoleConfig,
    *,
    api_keys: bool = False,
) -> None:
    """Add the console's routes and error pages, and the login guard of everything else
    (`api_keys`: the ops API checks X-API-Key itself, so a request with one goes through)."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(
                f"{PREFIX}/login?{urlencode({'next': target})}", 303, headers=_headers()
            )
        return render("error.html", 403, title="Not logged in", detail=str(exc), session=None)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render("error.html", 403, title="Not allowed", detail=str(exc), session=None)

    app.include_router(_router(store, registry, config))
    app.add_middleware(_LoginGuard, store=store, api_keys=api_keys)


OPEN_PATHS = ("/health", "/metrics")
# services with their own authentication, which no browser session could satisfy: the ERP's
# SOAP service checks WS-Security or HTTP Basic per profile (gateway/soap/server.py)
OWN_AUTH_PREFIXES = ("/soap",)


class _LoginGuard:
    """With the console mounted, only /health and /metrics (and the console's own login) answer
    without a console login; /soap authenticates its callers itself. Where the ops API has keys,
    a request presenting X-API-Key goes on to the API, which checks the key itself."""

    def __init__(self, app: ASGIApp, store: Store, api_keys: bool) -> None:
        self.app = app
        self.store = store
        self.api_keys = api_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            not path
            or path in OPEN_PATHS
            or path == PREFIX
            or path.startswith(f"{PREFIX}/")
            or path.startswith(OWN_AUTH_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if self.api_keys and b"x-api-key" in headers:
            await self.app(scope, receive, send)
            return
        cookie = _cookie(headers.get(b"cookie", b"").decode("latin-1"), auth.SESSION_COOKIE)
        if auth.find_session(self.store, cookie) is not None:
            await self.app(scope, receive, send)
            return
        response: Response
        if path == "/" and scope.get("method") in ("GET", "HEAD"):
            response = RedirectResponse(f"{PREFIX}/login?next=/", 303, headers=_headers())
        else:
            response = Response(
                json.dumps(
                    {
                        "type": "about:blank",
                        "title": "Unauthorized",
                        "status": 401,
                        "detail": "log in to the console, or present an API key",
                    }
                ),
                status_code=401,
                media_type="application/problem+json",
            )
        await response(scope, receive, send)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form body (the only kind the console's forms send)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise Forbidden("the form is too large")
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def _router(store: Store, registry: Registry, config: ConsoleConfig) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def now() -> datetime:
        return datetime.now(UTC)

    def secure(request: Request) -> bool:
        if config.secure_cookies is not None:
            return config.secure_cookies
        server = request.scope.get("server")
        host = server[0] if server else request.url.hostname
        return request.url.scheme == "https" or not auth.is_loopback(host)

    def session(request: Request) -> ConsoleSessionRow:
        found = auth.find_session(store, request.cookies.get(auth.SESSION_COOKIE))
        if found is None:
            raise LoginRequired("log in to use the console")
        return found

    def operator(s: ConsoleSessionRow = Depends(session)) -> ConsoleSessionRow:
        if not auth.role_allows(s.user.role, Role.OPERATOR):
            raise Forbidden("replay and requeue need the operator role")
        return s

    def admin(s: ConsoleSessionRow = Depends(session)) -> ConsoleSessionRow:
        if not auth.role_allows(s.user.role, Role.ADMIN):
            raise Forbidden("user management needs the admin role")
        return s

    async def checked_form(request: Request, s: ConsoleSessionRow) -> dict[str, str]:
        form = await _form(request)
        if not auth.same_token(form.get("csrf"), s.csrf_token):
            raise Forbidden("the form's CSRF token is missing or stale; reload the page")
        return form

    # ------------------------------------------------------------ login

    @router.get("/static/console.css")
    def stylesheet() -> Response:
        return Response(_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @router.get("/login")
    def login_form(request: Request, next: str = "") -> Response:
        token = auth.new_token()
        response = render("login.html", csrf=token, next=_safe_next(next), error=None, session=None)
        response.set_cookie(
            auth.LOGIN_CSRF_COOKIE,
            token,
            max_age=1800,
            path=f"{PREFIX}/login",
            httponly=True,
            samesite="strict",
            secure=secure(request),
        )
        return response

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        name = form.get("username", "").strip()[:64]
        password = form.get("password", "")
        target = _safe_next(form.get("next", ""))
        client = request.client.host if request.client else "-"
        expected = request.cookies.get(auth.LOGIN_CSRF_COOKIE)
        if expected is None or not auth.same_token(form.get("csrf"), expected):
            return render(
                "login.html",
                403,
                csrf=expected or "",
                next=target,
                session=None,
                error="The login form expired; please try again.",
            )
        wait = config.limiter.retry_after(name, client)
        if wait:
            response = render(
                "login.html",
                429,
                csrf=expected,
                next=target,
                session=None,
                error=f"Too many failed logins. Try again in {wait} seconds.",
            )
            response.headers["Retry-After"] = str(wait)
            return response
        user = store.get_console_user(name) if name else None
        if not auth.verify_password(user, password) or user is None:
            config.limiter.failed(name, client)
            log.warning("console: failed login for %r from %s", name, client)
            return render(
                "login.html",
                401,
                csrf=expected,
                next=target,
                session=None,
                error="Wrong user name or password.",
            )
        config.limiter.succeeded(name)
        started = auth.start_session(store, user, config.session_lifetime, now())
        log.info("console: %s logged in from %s", user.name, client)
        done = RedirectResponse(target or f"{PREFIX}/acks", 303)
        done.set_cookie(
            auth.SESSION_COOKIE,
            started.token,
            max_age=int(config.session_lifetime.total_seconds()),
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure(request),
        )
        done.delete_cookie(auth.LOGIN_CSRF_COOKIE, path=f"{PREFIX}/login")
        return done

    @router.post("/logout")
    async def logout(request: Request, s: ConsoleSessionRow = Depends(session)) -> Response:
        await checked_form(request, s)
        token = request.cookies.get(auth.SESSION_COOKIE)
        if token:
            store.end_console_session(auth.token_hash(token))
        response = RedirectResponse(f"{PREFIX}/login", 303)
        response.delete_cookie(auth.SESSION_COOKIE, path="/")
        return response

    # ------------------------------------------------------------ pages

    @router.get("")
    @router.get("/")
    def home(s: ConsoleSessionRow = Depends(session)) -> Response:
        return RedirectResponse(f"{PREFIX}/acks", 303)

    @router.get("/acks")
    def acks_board(request: Request, s: ConsoleSessionRow = Depends(session)) -> Response:
        try:
            f = pages.BoardFilter.parse(dict(request.query_params))
        except pages.FilterError as exc:
            return render("error.html", 400, title="Bad filter", detail=str(exc), session=s)
        data = pages.board(store, registry, f, now())
        return render(
            "acks.html",
            session=s,
            board=data,
            statuses=pages.BOARD_STATUSES,
            doc_types=pages.DOC_TYPES,
            active="acks",
        )

    @router.get("/messages/{message_id}")
    def message(message_id: int, s: ConsoleSessionRow = Depends(session)) -> Response:
        page = pages.message_page(store, config.archive, message_id)
        if page is None:
            return render(
                "error.html", 404, title="Not found", detail=f"no message {message_id}", session=s
            )
        can_replay = auth.role_allows(s.user.role, Role.OPERATOR)
        return render("message.html", session=s, page=page, can_replay=can_replay, active="")

    @router.get("/shipments")
    def shipment(key: str = "", s: ConsoleSessionRow = Depends(session)) -> Response:
        key = key.strip()[:200]
        page = pages.shipment_page(store, key) if key else None
        return render("shipment.html", session=s, key=key, page=page, active="shipments")

    @router.get("/exceptions")
    def exceptions(s: ConsoleSessionRow = Depends(session)) -> Response:
        page = pages.exceptions_page(store)
        can_replay = auth.role_allows(s.user.role, Role.OPERATOR)
        return render(
            "exceptions.html", session=s, page=page, can_replay=can_replay, active="exceptions"
        )

    @router.get("/partners")
    def partners(s: ConsoleSessionRow = Depends(session)) -> Response:
        lines = pages.partners_page(store, registry, now())
        return render("partners.html", session=s, lines=lines, active="partners")

    # ------------------------------------------------------------ replay and requeue

    @router.post("/messages/{message_id}/replay")
    async def replay_message(
        message_id: int, request: Request, s: ConsoleSessionRow = Depends(operator)
    ) -> Response:
        from gateway.pipeline.replay import ReplayError, preview, requeue

        form = await checked_form(request, s)
        msg = store.get_message(message_id)
        if msg is None:
            return render(
                "error.html", 404, title="Not found", detail=f"no message {message_id}", session=s
            )
        if form.get("confirm") != "yes":
            try:
                diffs = preview(store, config.archive, registry, message_id)
            except ReplayError as exc:
                return render("error.html", 409, title="Cannot replay", detail=str(exc), session=s)
            return render("replay.html", session=s, message=msg, diffs=diffs, active="")
        try:
            requeue(store, message_id)
        except ReplayError as exc:
            return render("error.html", 409, title="Cannot replay", detail=str(exc), session=s)
        log.info("console: message %s replayed by %s", message_id, s.user.name)
        store.add_event("console_replay", {"user": s.user.name}, message_id=message_id)
        return RedirectResponse(f"{PREFIX}/messages/{message_id}?done=replayed", 303)

    @router.post("/deadletters/{outbox_id}/requeue")
    async def requeue_deadletter(
        outbox_id: int, request: Request, s: ConsoleSessionRow = Depends(operator)
    ) -> Response:
        form = await checked_form(request, s)
        row = store.get_outbox(outbox_id)
        if row is None:
            return render(
                "error.html", 404, title="Not found", detail=f"no delivery {outbox_id}", session=s
            )
        if row.status not in (OutboxStatus.DEAD, OutboxStatus.DELIVERED):
            detail = (
                f"delivery {outbox_id} is {row.status.value}; "
                "only dead or delivered rows are requeued"
            )
            return render("error.html", 409, title="Cannot requeue", detail=detail, session=s)
        if form.get("confirm") != "yes":
            attempts = store.list_events(outbox_id=outbox_id, limit=100)
            return render("requeue.html", session=s, row=row, attempts=attempts, active="")
        if not store.replay_outbox(outbox_id):
            return render(
                "error.html", 409, title="Cannot requeue", detail="it is queued already", session=s
            )
        log.info("console: delivery %s requeued by %s", outbox_id, s.user.name)
        store.add_event("console_requeue", {"user": s.user.name}, outbox_id=outbox_id)
        return RedirectResponse(f"{PREFIX}/exceptions?done=requeued", 303)

    # ------------------------------------------------------------ users (admin)

    @router.get("/users")
    def users(s: ConsoleSessionRow = Depends(admin)) -> Response:
        return render(
            "users.html",
            session=s,
            users=store.list_console_users(),
            roles=list(Role),
            error=None,
            active="users",
        )

    @router.post("/users")
    async def add_user(request: Request, s: ConsoleSessionRow = Depends(admin)) -> Response:
        import re

        form = await checked_form(request, s)
        name = form.get("username", "").strip()
        role = form.get("role", "")
        error = None
        if not re.match(NAME_PATTERN, name):
            error = "A user name is 1-64 letters, digits or . _ @ -"
        elif role not in {r.value for r in Role}:
            error = f"unknown role {role!r}"
        else:
            try:
                store.add_console_user(name, auth.hash_password(form.get("password", "")), role)
            except auth.PasswordPolicyError as exc:
                error = str(exc)
            except StoreConflictError:
                error = f"a user {name!r} exists already"
        if error is not None:
            return render(
                "users.html",
                400,
                session=s,
                users=store.list_console_users(),
                roles=list(Role),
                error=error,
                active="users",
            )
        log.info("console: user %s (%s) added by %s", name, role, s.user.name)
        return RedirectResponse(f"{PREFIX}/users", 303)

    return router


def _safe_next(target: str) -> str:
    """Only a path inside the console or the status page: never an open redirect."""
    if target == "/" or (target.startswith(f"{PREFIX}/") and not target.startswith("//")):
        return target if "\\" not in target else ""
    return ""
