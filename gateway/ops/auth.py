"""Who may call the HTTP API: API keys with scopes, a Host allow-list and JSON-only changes.

Keys come from `GATEWAY_API_KEYS` and from partner profiles (`api_keys:`, or an http
transport's `inbound_api_key`). Only the sha256 of a key is kept; a presented key is hashed
and compared with every stored digest by `hmac.compare_digest`, so neither the value nor the
timing says which key it was close to. Scopes:

    read              GET the operations API (open without a key when bound to loopback)
    operate           read, plus state changes (replay)
    ingest:<partner>  post documents as that partner or system
    portal:<customer> the visibility API, for that customer's shipments only

Every state-changing request needs a key, a body type a cross-site page cannot send without
a preflight (never text/plain or a form), and a Host header on the allow-list, which defeats
DNS rebinding. The human login of the console can sit next to this: it only has to set
`request.state.principal` before the route runs.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from math import ceil
from typing import Annotated

from fastapi import HTTPException, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.registry import Registry
from gateway.registry.profile import PartnerProfile, Role
from gateway.registry.secrets import SecretMissingError, resolve_secret

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-Key"
READ = "read"
OPERATE = "operate"
_SCOPE = re.compile(r"^(read|operate|(ingest|portal):[a-z0-9][a-z0-9-]{0,62})$")
_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# The content types a cross-site page may POST without a CORS preflight (Fetch standard).
_SIMPLE_TYPES = frozenset(
    {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""}
)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Module level: FastAPI resolves the dependency's annotations in this module's globals.
KEY_HEADER = APIKeyHeader(name=API_KEY_HEADER, auto_error=False)


class AuthConfigError(ValueError):
    """A key entry or scope that cannot be used (the message never holds a key)."""


def ingest_scope(partner_id: str) -> str:
    return f"ingest:{partner_id}"


def portal_scope(customer_id: str) -> str:
    return f"portal:{customer_id}"


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def check_scope(scope: str) -> str:
    if not _SCOPE.match(scope):
        raise AuthConfigError(
            f"unknown scope {scope!r} (read, operate, ingest:<partner>, portal:<customer>)"
        )
    return scope


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A client: its name (for logs and events), the key's sha256 and what it may do."""

    name: str
    digest: bytes = field(repr=False)
    scopes: frozenset[str]

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or (scope == READ and OPERATE in self.scopes)

    def scoped(self, kind: str) -> list[str]:
        """The partners (kind "ingest") or customers (kind "portal") this key may act for."""
        prefix = f"{kind}:"
        return sorted(s[len(prefix) :] for s in self.scopes if s.startswith(prefix))


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a key's client, or nobody (a read on a loopback-only server)."""

    name: str | None
    key: ApiKey | None = None

    def allows(self, scope: str) -> bool:
        return self.key is not None and self.key.allows(scope)


ANONYMOUS = Principal(None)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class RateLimiter:
    """A token bucket per client: `rate` requests a second, bursts of `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_needed(self, client: str, now: float | None = None) -> float:
        """0 when the request may go now (and takes a token), else the seconds to wait."""
        at = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), at))
            tokens = min(float(self.burst), tokens + (at - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, at)
                return 0.0
            self._buckets[client] = (tokens, at)
            return (1.0 - tokens) / self.rate


@dataclass(frozen=True)
class AuthConfig:
    keys: tuple[ApiKey, ...] = ()
    bind_host: str = "127.0.0.1"
    extra_hosts: frozenset[str] = frozenset()  # "*" allows any Host (behind a proxy that checks)
    # per key: GATEWAY_API_RATE requests a second, bursts of GATEWAY_API_BURST
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(50.0, 200), compare=False)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.bind_host)

    @property
    def allowed_hosts(self) -> frozenset[str]:
        hosts = set(_LOOPBACK_NAMES) | {h.lower() for h in self.extra_hosts}
        if self.bind_host not in ("0.0.0.0", "::", ""):
            hosts.add(self.bind_host.lower().strip("[]"))
        return frozenset(hosts)

    def authenticate(self, presented: str | None) -> ApiKey | None:
        """The key whose digest matches, comparing with every digest (constant work)."""
        if not presented:
            return None
        digest = hash_key(presented)
        found = None
        for key in self.keys:
            if hmac.compare_digest(digest, key.digest) and found is None:
                found = key
        return found

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        registry: Registry | None = None,
        *,
        bind_host: str = "127.0.0.1",
    ) -> AuthConfig:
        """Keys from `GATEWAY_API_KEYS` and the profiles; hosts from `GATEWAY_ALLOWED_HOSTS`."""
        env = os.environ if env is None else env
        keys = parse_keys(env.get("GATEWAY_API_KEYS", ""))
        if registry is not None:
            keys += profile_keys(registry, env)
        hosts = frozenset(h.strip() for h in env.get("GATEWAY_ALLOWED_HOSTS", "").split(",") if h)
        names = [k.name for k in keys]
        if len(set(k.digest for k in keys)) != len(keys):
            raise AuthConfigError("two API key entries hold the same key")
        log.info("API keys loaded for %s", ", ".join(names) or "nobody")
        try:
            limiter = RateLimiter(
                float(env.get("GATEWAY_API_RATE", "50")), int(env.get("GATEWAY_API_BURST", "200"))
            )
        except ValueError:
            raise AuthConfigError("GATEWAY_API_RATE and GATEWAY_API_BURST are numbers") from None
        if limiter.rate <= 0 or limiter.burst < 1:
            raise AuthConfigError("GATEWAY_API_RATE must be > 0 and GATEWAY_API_BURST >= 1")
        return cls(tuple(keys), bind_host, hosts, limiter)

    @classmethod
    def of_plain_keys(cls, api_keys: Mapping[str, str], bind_host: str = "127.0.0.1") -> AuthConfig:
        """The older form `{key: client name}`: each key may read and operate."""
        keys = tuple(
            ApiKey(name, hash_key(key), frozenset({READ, OPERATE}))
            for key, name in api_keys.items()
        )
        return cls(keys, bind_host)


def parse_keys(text: str) -> list[ApiKey]:
    """`name|scope,scope|sha256:<hex>` (or the key itself, hashed here) per line or `;`."""
    keys = []
    for n, entry in enumerate(re.split(r"[;\n]", text), start=1):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        parts = entry.split("|")
        if len(parts) != 3 or not parts[0].strip() or not parts[2].strip():
            raise AuthConfigError(f"GATEWAY_API_KEYS entry {n}: expected name|scopes|key")
        name, scopes, secret = (p.strip() for p in parts)
        match = _DIGEST.match(secret)
        digest = bytes.fromhex(match.group(1)) if match else hash_key(secret)
        try:
            allowed = frozenset(check_scope(s.strip()) for s in scopes.split(",") if s.strip())
        except AuthConfigError as exc:
            raise AuthConfigError(f"GATEWAY_API_KEYS entry {n} ({name}): {exc}") from None
        keys.append(ApiKey(name, digest, allowed))
    return keys


def default_scopes(profile: PartnerProfile) -> list[str]:
    if profile.role is Role.CUSTOMER:
        return [portal_scope(profile.id)]
    return [ingest_scope(profile.id)]


def profile_keys(registry: Registry, env: Mapping[str, str]) -> list[ApiKey]:
    """Keys named in profiles: `api_keys` entries and an http transport's `inbound_api_key`."""
    keys: list[ApiKey] = []
    for profile in registry:
        for n, spec in enumerate(profile.api_keys):
            scopes = frozenset(spec.scopes or default_scopes(profile))
            name = f"{profile.id}/{spec.name or n + 1}"
            if spec.sha256 is not None:
                keys.append(ApiKey(name, bytes.fromhex(spec.sha256), scopes))
            elif spec.key is not None and (digest := _resolved(spec.key, env, name)):
                keys.append(ApiKey(name, digest, scopes))
        ref = getattr(profile.transport, "inbound_api_key", None)
        if ref and (digest := _resolved(ref, env, profile.id)):
            keys.append(ApiKey(profile.id, digest, frozenset(default_scopes(profile))))
    return keys


def _resolved(ref: str, env: Mapping[str, str], name: str) -> bytes | None:
    try:
        return hash_key(resolve_secret(ref, env))
    except SecretMissingError as exc:
        log.warning("API key of %s not loaded: %s", name, exc)
        return None


# ------------------------------------------------------------ route dependencies


def _unauthorized(detail: str = "missing or wrong X-API-Key") -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": API_KEY_HEADER})


def principal_of(config: AuthConfig) -> Callable[..., Principal]:
    """A dependency: who calls (401 for a wrong key; anonymous when no key was presented)."""

    def who(
        request: Request, presented: Annotated[str | None, Security(KEY_HEADER)] = None
    ) -> Principal:
        given = getattr(request.state, "principal", None)
        if isinstance(given, Principal):  # set by another scheme (the console's login)
            return given
        if presented is None:
            return ANONYMOUS
        key = config.authenticate(presented)
        if key is None:
            raise _unauthorized()
        principal = Principal(key.name, key)
        request.state.principal = principal
        request.state.api_client = key.name
        return principal

    return who


def require(
    config: AuthConfig, scope: str | Callable[[Request], str], *, open_on_loopback: bool = False
) -> Callable[..., Principal]:
    """A dependency refusing callers without `scope` (401 no key, 403 another scope).

    `open_on_loopback`: a read route answers anonymous callers when the server is bound to
    loopback only (the operator's own machine); a state change never does.
    """
    who = principal_of(config)

    def check(
        request: Request, presented: Annotated[str | None, Security(KEY_HEADER)] = None
    ) -> Principal:
        principal = who(request, presented)
        if principal.key is None and principal.name is None:
            if open_on_loopback and config.loopback:
                return principal
            raise _unauthorized()
        needed = scope(request) if callable(scope) else scope
        if not principal.allows(needed):
            raise HTTPException(403, f"this key lacks the scope {needed}")
        if principal.name is not None and (wait := config.limiter.wait_needed(principal.name)):
            raise HTTPException(
                429, "too many requests for this key", headers={"Retry-After": str(ceil(wait))}
            )
        return principal

    return check


# ------------------------------------------------------------ middleware


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def host_name(value: str) -> str:
    """The host of a Host header without its port (`[::1]:8080` -> `::1`)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class RequestGuard:
    """Host allow-list (DNS rebinding), no cross-site simple requests that change state, and a
    small body cap on routes other than ingest and SOAP (which check their own, larger, limits
    before parsing, and answer in their own format: problem details, SOAP faults)."""

    def __init__(
        self,
        app: ASGIApp,
        config: AuthConfig,
        max_body: int = 64 * 1024,
        own_limits: tuple[str, ...] = ("/api/v1/partners/", "/soap"),
    ) -> None:
        self.app = app
        self.allowed = config.allowed_hosts
        self.any_host = "*" in self.allowed
        self.max_body = max_body
        self.own_limits = own_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> JSONResponse | None:
        host = host_name(_header(scope, b"host") or "")
        if not self.any_host and host not in self.allowed:
            log.warning("refused a request for host %r (not in the allow-list)", host[:100])
            return _problem(400, "Bad request", "this Host is not served here")
        if scope.get("method", "GET") in _SAFE_METHODS:
            return None
        if not str(scope.get("path", "")).startswith(self.own_limits):
            length = _header(scope, b"content-length")
            if length is None and _header(scope, b"transfer-encoding"):
                return _problem(411, "Length required", "send Content-Length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                return _problem(413, "Payload too large", f"at most {self.max_body} bytes")
        if (_header(scope, b"sec-fetch-site") or "").lower() == "cross-site":
            return _problem(403, "Forbidden", "cross-site requests cannot change anything")
        media = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        # POST is the one changing method a page may send cross-site without a preflight
        # (/soap refuses those types itself, with a SOAP fault its clients can read; the
        # console's forms carry a CSRF token checked against the session)
        own_check = str(scope.get("path", "")).startswith(("/soap", "/console"))
        if scope.get("method") == "POST" and media in _SIMPLE_TYPES and not own_check:
            return _problem(
                415,
                "Unsupported media type",
                f"a change needs a JSON (or X12) body, not {media or 'no content type'}",
            )
        return None


def allowed_scopes(principal: Principal, kind: str) -> Iterable[str]:
    return principal.key.scoped(kind) if principal.key is not None else ()
