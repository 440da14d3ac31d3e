"""Impersonation end to end: partner A's channel carrying partner B's ISA sender id is refused
with zero effects anywhere, and the alert reaches the operators' webhook (a real HTTP receiver on
loopback), not only a row on the status page."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gateway.alerts.engine import AlertEngine
from gateway.store import MessageStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home


class Hook:
    """A webhook receiver that keeps every JSON body posted to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def hook() -> Iterator[Hook]:
    h = Hook()
    try:
        yield h
    finally:
        h.server.shutdown()
        h.server.server_close()


def _outbox_files(outbox: Path) -> list[Path]:
    return sorted(p for p in outbox.rglob("*") if p.is_file()) if outbox.exists() else []


def test_another_partners_isa_sender_on_a_channel_has_zero_effects_and_alerts(
    tmp_path: Path, hook: Hook
) -> None:
    settings = make_home(tmp_path)
    own = settings.partners_dir / "our-company.yaml"
    own.write_text(own.read_text() + f"\nalerts:\n  webhook_url: {hook.url}\n")
    gw = gateway(settings)
    # northwind-5010's inbox carries an interchange whose ISA06 is the demo carrier's id
    drop(settings, "northwind-5010", "x.edi", demo_214("000000901"))
    gw.tick()
    gw.tick()

    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED
    assert msg.partner_id == "northwind-5010"
    assert "DEMOCARRIER" in (msg.quarantine_reason or "")
    # zero effects: no document, no shipment, no delivery, no acknowledgement to anyone
    assert gw.store.list_documents() == []
    assert gw.store.search("PRO1") == []
    assert gw.store.list_outbox() == []
    assert _outbox_files(settings.outbox_dir) == []
    events = gw.store.list_events(message_id=msg.id)
    (alert,) = [e.detail for e in events if e.kind == "alert"]
    assert alert is not None and alert["kind"] == "impersonation"

    engine = AlertEngine(gw.store, gw.registry)
    report = engine.run()
    assert (report.raised, report.delivered, report.failed) == (1, 1, 0)
    (body,) = hook.bodies
    assert body["kind"] == "impersonation" and body["partner"] == "northwind-5010"
    assert "DEMOCARRIER" in body["summary"] and body["link"].endswith(f"/messages/{msg.id}")
    assert engine.run().raised == 0  # raised once, not on every round
    gw.store.close()


def test_the_real_sender_on_its_own_channel_is_not_an_alert(tmp_path: Path, hook: Hook) -> None:
    """The same bytes on the demo carrier's own channel: applied, and no impersonation alert
    (the check above cannot pass by alerting on everything)."""
    settings = make_home(tmp_path)
    own = settings.partners_dir / "our-company.yaml"
    own.write_text(own.read_text() + f"\nalerts:\n  webhook_url: {hook.url}\n")
    gw = gateway(settings)
    drop(settings, "demo-carrier", "x.edi", demo_214("000000902"))
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED
    AlertEngine(gw.store, gw.registry).run()
    assert [b for b in hook.bodies if b["kind"] == "impersonation"] == []
    gw.store.close()
