"""Console login: argon2 password hashes, server-side sessions, CSRF tokens, roles, and a
brute-force limit on the login form.

The session cookie holds a random token; the store keeps only its sha256 with the user, the
expiry and the session's CSRF token, so logging out or disabling a user ends the session at
once. The cookie is HttpOnly and SameSite=Strict, and Secure unless the console is served on a
loopback address over plain HTTP (a browser drops Secure cookies there).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from ipaddress import ip_address

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.console.roles import Role as Role  # re-exported: the console's callers use auth.Role
from gateway.store import ConsoleSessionRow, ConsoleUserRow, Store

SESSION_COOKIE = "gateway_console"
LOGIN_CSRF_COOKIE = "gateway_console_login"
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so a wrong name costs as much time as a wrong
    password. Made at the first login, not at import: an argon2 hash takes 64 MiB and ~0.2 s,
    which every `gateway` command (`validate` too) paid before it ran."""
    return _hasher.hash("not a real password, only for timing")


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


def role_allows(have: str, need: Role) -> bool:
    try:
        return _RANK[Role(have)] >= _RANK[need]
    except ValueError:
        return False


class PasswordPolicyError(ValueError):
    """The password is too weak to store."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(user: ConsoleUserRow | None, password: str) -> bool:
    """True when `password` is the user's; time does not tell whether the name exists."""
    stored = user.password_hash if user is not None else _dummy_hash()
    ok: bool
    try:
        ok = _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and not user.disabled


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # goes to the cookie, never stored
    row_id: int
    expires_at: datetime


def start_session(
    store: Store, user: ConsoleUserRow, lifetime: timedelta, now: datetime
) -> NewSession:
    token = new_token()
    expires = now + lifetime
    row_id = store.start_console_session(user.id, token_hash(token), new_token(), expires, now=now)
    return NewSession(token, row_id, expires)


def find_session(store: Store, token: str | None) -> ConsoleSessionRow | None:
    if not token or len(token) > 200:
        return None
    return store.console_session(token_hash(token))


def is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LoginLimiter:
    """At most `per_name` failed logins for one name and `per_client` from one address within
    `window` seconds; further attempts are refused until the oldest failure ages out.

    Kept in memory: each gateway process limits its own share, which bounds guessing at
    (processes x limit) per window; a success clears the name's failures.
    """

    def __init__(
        self,
        *,
        per_name: int = 5,
        per_client: int = 20,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name = per_name
        self.per_client = per_client
        self.window = window
        self._clock = clock
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, name: str, client: str) -> int:
        """0 when an attempt may go ahead, else the seconds to wait."""
        now = self._clock()
        with self._lock:
            waits = []
            for key, limit in (
                (f"n:{name.lower()}", self.per_name),
                (f"c:{client}", self.per_client),
            ):
                q = self._recent(key, now)
                if len(q) >= limit:
                    waits.append(q[0] + self.window - now)
            return int(max(waits)) + 1 if waits else 0

    def failed(self, name: str, client: str) -> None:
        now = self._clock()
        with self._lock:
            for key in (f"n:{name.lower()}", f"c:{client}"):
                self._recent(key, now).append(now)
            if len(self._fails) > 10_000:  # bounded memory under a spray of names
                for key in [k for k, q in self._fails.items() if not q]:
                    del self._fails[key]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._fails.pop(f"n:{name.lower()}", None)
