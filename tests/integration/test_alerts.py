"""Alerts against real peers on loopback: a webhook receiver (http.server) and an SMTP server
(aiosmtpd), over a store with overdue and rejected acks and dead letters made by real ticks."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from gateway.alerts.engine import AlertEngine
from gateway.registry import Registry
from gateway.store import AckDirection, AckStatus, OutboxStatus
from tests.integration.console_env import ConsoleDemo, build

pytestmark = pytest.mark.integration

SECRET = "alert-signing-secret"


class Hook:
    """A webhook receiver: records every POST; answers `status`."""

    def __init__(self) -> None:
        self.posts: list[tuple[dict[str, str], bytes]] = []
        self.status = 204
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.posts.append((dict(self.headers.items()), body))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(b) for _, b in self.posts]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleDemo]:
    demo = build(tmp_path_factory.mktemp("alerts"))
    try:
        yield demo
    finally:
        demo.gw.store.close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def registry_with(
    demo: ConsoleDemo, tmp: Path, self_alerts: str, carrier_alerts: str = ""
) -> Registry:
    """The demo's profiles with alert sections added (the self profile holds the global one)."""
    folder = tmp / "partners"
    folder.mkdir()
    for path in demo.gw.settings.partners_dir.glob("*.yaml"):
        text = path.read_text()
        if path.name == "our-company.yaml":
            text += "\nalerts:\n" + self_alerts
        if path.name == "demo-carrier.yaml" and carrier_alerts:
            text += "\nalerts:\n" + carrier_alerts
        (folder / path.name).write_text(text)
    return Registry.load(folder)


def test_alerts_go_to_webhook_and_mail_once_each_with_console_links(
    demo: ConsoleDemo, hook: Hook, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = mailbox
    registry = registry_with(
        demo,
        tmp_path,
        f"""  webhook_url: {hook.url}
  webhook_secret: ${{ALERT_SECRET}}
  email_to: [ops@example.com]
  console_url: https://gateway.example.com/console
  smtp: {{host: 127.0.0.1, port: {port}, sender: gateway@example.com, starttls: false}}
""",
    )
    store = demo.gw.store
    engine = AlertEngine(store, registry, env={"ALERT_SECRET": SECRET})
    overdue = store.list_acks(direction=AckDirection.EXPECTED, status=AckStatus.OVERDUE)
    rejected = store.list_acks(direction=AckDirection.EXPECTED, status=AckStatus.REJECTED)
    dead = store.list_outbox(status=OutboxStatus.DEAD)
    expected = len(overdue) + len(rejected) + len(dead)
    assert overdue and rejected and dead

    report = engine.run()
    assert (report.raised, report.delivered, report.failed) == (expected, expected, 0)
    bodies = hook.bodies()
    assert sorted(b["kind"] for b in bodies) == sorted(
        ["ack_overdue"] * len(overdue)
        + ["ack_rejected"] * len(rejected)
        + ["dead_letter"] * len(dead)
    )
    rejected_body = next(b for b in bodies if b["kind"] == "ack_rejected")
    assert rejected_body["partner"] == "demo-carrier" and "is rejected" in rejected_body["summary"]
    assert rejected_body["link"].startswith("https://gateway.example.com/console/acks?side=sent")
    for headers, body in hook.posts:  # signed with the secret from the environment
        mac = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Gateway-Signature"] == f"sha256={mac}"
    assert len(box.messages) == expected
    rcpt, mail = box.messages[0]
    assert rcpt == ["ops@example.com"] and mail["Subject"].startswith("[gateway] ")
    assert "Open in the console: https://gateway.example.com/console/" in mail.get_payload()

    # deduplicated: the same conditions raise nothing new
    again = engine.run()
    assert (again.raised, again.delivered) == (0, 0) and len(hook.posts) == expected

    # a requeued delivery that dies again is a new condition: one new alert
    row = dead[0]
    assert store.replay_outbox(row.id)
    claimed = store.claim_outbox(limit=10, lease_seconds=60, destination=row.destination)
    mine = next(c for c in claimed if c.id == row.id)
    store.fail_outbox(
        outbox_id=mine.id,
        lease_token=mine.lease_token or "",
        error="still no sink",
        next_attempt_at=datetime.now(UTC),
        dead=True,
    )
    third = engine.run()
    assert (third.raised, third.delivered) == (1, 1)
    assert hook.bodies()[-1]["kind"] == "dead_letter"


def test_a_failing_webhook_is_retried_then_given_up(
    demo: ConsoleDemo, hook: Hook, tmp_path: Path
) -> None:
    registry = registry_with(
        demo, tmp_path, f"  webhook_url: {hook.url}\n  kinds: [host_key_refused]\n"
    )
    store = demo.gw.store
    store.add_event("host_key_refused", {"partner": "demo-carrier", "host": "sftp.demo.example"})
    hook.status = 500
    engine = AlertEngine(store, registry, max_attempts=2)
    first = engine.run()
    assert (first.raised, first.delivered, first.failed) == (1, 0, 1)
    assert "webhook answered 500" in first.errors[0]
    second = engine.run()
    assert (second.raised, second.failed) == (0, 1)
    third = engine.run()  # attempts used up: left for the operator, not retried forever
    assert (third.failed, third.delivered) == (0, 0) and len(hook.posts) == 2
    alert = next(a for a in store.list_alerts() if a.kind == "host_key_refused")
    assert alert.attempts == 2 and alert.delivered_at is None and "500" in (alert.last_error or "")


def test_partner_policy_overrides_the_global_one_and_silence_is_noticed(
    demo: ConsoleDemo, hook: Hook, tmp_path: Path
) -> None:
    registry = registry_with(
        demo,
        tmp_path,
        "  webhook_url: https://alerts.invalid.example/nowhere\n  kinds: [dead_letter]\n",
        f"  webhook_url: {hook.url}\n  kinds: [silent_partner]\n  silent_after_hours: 2\n",
    )
    engine = AlertEngine(demo.gw.store, registry)
    channels = engine.channels("demo-carrier")
    assert channels.webhook_url == hook.url and {k.value for k in channels.kinds} == {
        "silent_partner"
    }
    assert engine.channels("acme-retail").webhook_url == "https://alerts.invalid.example/nowhere"
    now = datetime.now(UTC)
    assert [a for a in engine.scan(now) if a.partner_id == "demo-carrier"] == []  # not silent yet
    later = engine.scan(now + timedelta(hours=3))
    silent = [a for a in later if a.kind == "silent_partner"]
    assert [a.partner_id for a in silent] == ["demo-carrier"]
    assert "has sent nothing for" in silent[0].summary
    # the carrier's own kinds replace the global ones: no ack alerts for it
    assert not [a for a in later if a.partner_id == "demo-carrier" and a.kind.startswith("ack_")]


def test_a_host_key_the_sftp_source_refused_raises_the_alert(
    demo: ConsoleDemo, hook: Hook, tmp_path: Path
) -> None:
    registry = registry_with(
        demo, tmp_path, f"  webhook_url: {hook.url}\n  kinds: [host_key_refused]\n"
    )
    store = demo.gw.store
    # exactly what gateway/adapters/sftp.py records through the service's alert hook
    store.add_event(
        "alert",
        {
            "kind": "sftp_host_key_refused",
            "partner": "demo-carrier",
            "error": "host key of 127.0.0.1:2222 refused: pinned SHA256:aaa, offered SHA256:bbb",
        },
    )
    engine = AlertEngine(store, registry)
    result = engine.run()
    assert result.raised == 1  # (the module's store may hold older alerts still to deliver)
    (body,) = [b for b in hook.bodies() if "SHA256:bbb" in b["summary"]]
    assert body["kind"] == "host_key_refused" and body["partner"] == "demo-carrier"
