"""Signed webhooks to the portal and the TMS through the outbox, against a real HTTP receiver
that verifies each signature and its replay window and applies each Idempotency-Key once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gateway.adapters.webhook import WebhookRejected, verify
from gateway.service import Gateway
from gateway.store import OutboxStatus
from tests.integration.gateway_env import demo_214, drop, make_home

SECRET = "whsec-test-5b1e9c"


@dataclass
class Receiver:
    """Verifies, then applies each key once; can fail the next N requests."""

    effects: Counter[str] = field(default_factory=Counter)
    attempts: Counter[str] = field(default_factory=Counter)
    rejected: list[str] = field(default_factory=list)
    captured: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0
    always: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            key = self.headers.get("Idempotency-Key", "")
            with state.lock:
                state.attempts[key] += 1
                state.captured.append((headers, body))
                try:
                    verify(SECRET, headers, body)
                except WebhookRejected as exc:
                    state.rejected.append(str(exc))
                    status = 401
                else:
                    if state.always is not None:
                        status = state.always
                    elif state.fail_next > 0:
                        state.fail_next -= 1
                        status = 503
                    elif state.effects[key]:
                        status = 409  # applied before: no second effect
                    else:
                        state.effects[key] += 1
                        status = 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    server.shutdown()
    server.server_close()


def webhook_home(tmp_path: Path, url: str, max_attempts: int = 5) -> Gateway:
    settings = replace(make_home(tmp_path), lease_seconds=5.0)
    (settings.partners_dir / "portal.yaml").write_text(
        "id: portal\nname: Customer Portal\nrole: portal\n"
        f"transport: {{kind: http, url: '{url}', signing_secret: '${{PORTAL_WEBHOOK_SECRET}}'}}\n"
        f"delivery: {{max_attempts: {max_attempts}, backoff_seconds: 0.05, max_backoff_seconds: 0.1}}\n"
    )
    return Gateway(settings)


def portal_rows(gw: Gateway) -> list[object]:
    return list(gw.store.list_outbox(destination="portal", limit=100))


def test_signed_webhooks_retry_and_apply_once(
    tmp_path: Path, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = receiver
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET", SECRET)
    state.fail_next = 3  # the portal is down for a moment
    gw = webhook_home(tmp_path, url)
    try:
        drop(gw.settings, "demo-carrier", "s.edi", demo_214("000000601"))
        gw.tick()
        deadline = time.monotonic() + 10
        while any(
            r.status is not OutboxStatus.DELIVERED
            for r in gw.store.list_outbox(destination="portal")
        ):
            assert time.monotonic() < deadline
            time.sleep(0.06)
            gw.tick()
        rows = gw.store.list_outbox(destination="portal")
        assert len(rows) == 4  # two events in each of two sets
        assert dict(state.effects) == {r.idempotency_key: 1 for r in rows}
        assert sum(state.attempts.values()) == 4 + 3 and state.rejected == []
        assert any(r.attempts > 1 for r in rows)  # retried with backoff, through the outbox
        # replaying a captured request later, or altering it, is refused by the receiver
        headers, body = state.captured[-1]
        stamp = int(headers["X-Gateway-Timestamp"])
        verify(SECRET, headers, body, now=stamp + 299)
        with pytest.raises(WebhookRejected, match="replay window"):
            verify(SECRET, headers, body, now=stamp + 301)
        with pytest.raises(WebhookRejected, match="does not match"):
            verify(SECRET, headers, body.replace(b"PRO", b"PRX"))
        with pytest.raises(WebhookRejected, match="does not match"):
            verify("another-secret", headers, body)
    finally:
        gw.delivery.close()
        gw.store.close()


def test_a_refusing_receiver_ends_in_dead_letters(
    tmp_path: Path, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = receiver
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET", "not-the-receivers-secret")
    gw = webhook_home(tmp_path, url, max_attempts=2)
    try:
        drop(gw.settings, "demo-carrier", "s.edi", demo_214("000000602"))
        gw.tick()  # 401 from the receiver: permanent, a dead letter at once
        rows = gw.store.list_outbox(destination="portal")
        assert rows and all(r.status is OutboxStatus.DEAD for r in rows)
        assert all("401" in (r.last_error or "") for r in rows)
        assert state.rejected and not state.effects
    finally:
        gw.delivery.close()
        gw.store.close()


def test_a_receiver_down_past_the_limit_ends_in_dead_letters(
    tmp_path: Path, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = receiver
    monkeypatch.setenv("PORTAL_WEBHOOK_SECRET", SECRET)
    state.always = 503
    gw = webhook_home(tmp_path, url, max_attempts=2)
    try:
        drop(gw.settings, "demo-carrier", "s.edi", demo_214("000000603"))
        gw.tick()
        time.sleep(0.12)
        gw.tick()
        rows = gw.store.list_outbox(destination="portal")
        assert rows and all(r.status is OutboxStatus.DEAD and r.attempts == 2 for r in rows)
        assert not state.effects
    finally:
        gw.delivery.close()
        gw.store.close()
