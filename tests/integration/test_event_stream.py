"""The event stream delivery kind against the machine's real RabbitMQ (127.0.0.1:5672).

Canonical events go out through the outbox, confirmed, persistent, with message_id = the
outbox idempotency key. A gateway killed (SIGKILL) between the publish and its record sends
the same message again under the same id, which the consumer drops; a broker that goes away
mid-run (a TCP proxy in front of it is stopped: the shared server keeps running for others)
leaves deliveries pending until it is back, and nothing is lost.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pika
import pytest

from gateway.adapters.amqp import AmqpSink, routing_key
from gateway.adapters.base import Delivery, TransientDeliveryError
from gateway.service import Gateway
from gateway.settings import Settings
from gateway.store import OutboxStatus
from tests.conftest import REPO
from tests.integration.gateway_env import demo_214, drop, make_home
from tests.peers.tcp_proxy import TcpProxy

BROKER = ("127.0.0.1", 5672)


def broker_url(port: int = BROKER[1]) -> str:
    return f"amqp://guest:guest@127.0.0.1:{port}/%2F?heartbeat=0"


@pytest.fixture(scope="module", autouse=True)
def _broker_running() -> None:
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("RabbitMQ is not running on 127.0.0.1:5672 (.ci/run starts it)")
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672")


@dataclass
class Received:
    routing_key: str
    message_id: str
    delivery_mode: int
    body: dict[str, Any]


class Consumer:
    """A queue bound to every routing key of the exchange; drops repeats by message_id."""

    def __init__(self, exchange: str) -> None:
        self.exchange = exchange
        self.connection = pika.BlockingConnection(pika.URLParameters(broker_url()))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(exchange, exchange_type="topic", durable=True)
        self.queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(self.queue, exchange, "#")
        self.received: list[Received] = []
        self.effects: dict[str, int] = {}

    def drain(self, expected: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < expected and time.monotonic() < deadline:
            method, props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                time.sleep(0.05)
                continue
            self.received.append(
                Received(
                    method.routing_key, props.message_id, props.delivery_mode, json.loads(body)
                )
            )
            if props.message_id not in self.effects:  # the consumer's de-duplication
                self.effects[props.message_id] = 1
        return self.received

    def close(self) -> None:
        self.channel.exchange_delete(self.exchange)
        self.connection.close()


@pytest.fixture
def exchange() -> Iterator[str]:
    yield f"test.events.{uuid.uuid4().hex[:12]}"


@pytest.fixture
def consumer(exchange: str) -> Iterator[Consumer]:
    c = Consumer(exchange)
    yield c
    c.close()


def events_home(tmp_path: Path, exchange: str) -> Settings:
    settings = replace(make_home(tmp_path), lease_seconds=1.0)
    (settings.partners_dir / "events.yaml").write_text(
        "id: events\nname: Event stream\nrole: tms\n"
        f"transport: {{kind: amqp, url: '${{EVENTS_AMQP_URL}}', exchange: {exchange}}}\n"
        "delivery: {max_attempts: 100, backoff_seconds: 0.05, max_backoff_seconds: 0.2}\n"
    )
    demo = settings.partners_dir / "demo-carrier.yaml"
    old = "  - document: shipment_status\n    destinations: [erp, tms, portal]\n"
    assert old in demo.read_text()
    demo.write_text(demo.read_text().replace(old, old.replace("portal]", "portal, events]")))
    return settings


def event_rows(gw: Gateway) -> list[Any]:
    return [o for o in gw.store.list_outbox(destination="events", limit=1000)]


def test_routing_key_from_the_rendered_name() -> None:
    d = Delivery("events", "shipment_status-abc.json", b"{}", "abc")
    assert routing_key(d) == "shipment_status"
    assert routing_key(d, "gw.") == "gw.shipment_status"
    assert routing_key(Delivery("events", "odd", b"{}", "k")) == "document"


def test_events_are_published_confirmed_and_persistent(
    tmp_path: Path, exchange: str, consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTS_AMQP_URL", broker_url())
    gw = Gateway(events_home(tmp_path, exchange))
    try:
        drop(gw.settings, "demo-carrier", "s.edi", demo_214("000000501"))
        gw.tick()
        rows = event_rows(gw)
        assert len(rows) == 2 and all(r.status is OutboxStatus.DELIVERED for r in rows)
        got = consumer.drain(2)
        assert sorted(m.message_id for m in got) == sorted(r.idempotency_key for r in rows)
        assert {(m.routing_key, m.delivery_mode) for m in got} == {("shipment_status", 2)}
        assert {m.body["message_type"] for m in got} == {"shipment_status"}
        assert sorted(m.body["correlation"]["pro"] for m in got) == ["PRO1", "PRO2"]
    finally:
        gw.delivery.close()
        gw.store.close()


CRASH_RUN = """
import sys
from pathlib import Path
from gateway.service import Gateway
from gateway.settings import Settings
base = Path(sys.argv[1])
Gateway(Settings(base_dir=base, partners_dir=base / "partners", inbox_dir=base / "inbox",
                 outbox_dir=base / "outbox", var_dir=base / "var", database_url=None,
                 stable_seconds=0.0, lease_seconds=1.0)).tick()
"""


@pytest.mark.slow
def test_a_crash_between_publish_and_record_repeats_the_same_message_id(
    tmp_path: Path, exchange: str, consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVENTS_AMQP_URL", broker_url())
    settings = events_home(tmp_path, exchange)
    drop(settings, "demo-carrier", "s.edi", demo_214("000000502"))
    # killed once the event stream's batch is published (other destinations' batches may go first)
    env = {**os.environ, "GATEWAY_CRASHPOINT": "after_delivery_sent:events"}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH_RUN, str(tmp_path)], env=env, cwd=REPO, timeout=60
    )
    assert crashed.returncode == -9  # SIGKILL after the publish, before the outbox record
    first = list(consumer.drain(2))
    assert len({m.message_id for m in first}) == 2  # the broker confirmed both

    gw = Gateway(settings)
    try:
        rows = event_rows(gw)
        assert all(r.status is OutboxStatus.IN_FLIGHT for r in rows)  # not recorded
        time.sleep(1.1)  # the dead worker's lease runs out
        gw.tick()
        rows = event_rows(gw)
        assert all(r.status is OutboxStatus.DELIVERED for r in rows)
        got = consumer.drain(4)
        assert len(got) == 4
        ids = sorted(m.message_id for m in got)
        keys = sorted(r.idempotency_key for r in rows)
        assert ids == sorted(keys * 2)  # the second publish carries the same id
        assert consumer.effects == dict.fromkeys(keys, 1)  # one effect per key
    finally:
        gw.delivery.close()
        gw.store.close()


@pytest.mark.slow
def test_a_broker_outage_delays_and_loses_nothing(
    tmp_path: Path, exchange: str, consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = TcpProxy(BROKER)
    proxy.start()
    monkeypatch.setenv("EVENTS_AMQP_URL", broker_url(proxy.port))
    gw = Gateway(events_home(tmp_path, exchange))
    try:
        drop(gw.settings, "demo-carrier", "a.edi", demo_214("000000503"))
        gw.tick()
        assert len(consumer.drain(2)) == 2

        proxy.stop()  # the broker goes away, open connection included
        # other shipments (the same events again would be dropped as business duplicates)
        other = demo_214("000000504", sets=3).replace(b"PRO", b"PRX").replace(b"SHIP", b"SHPX")
        drop(gw.settings, "demo-carrier", "b.edi", other)
        gw.tick()
        time.sleep(0.3)
        gw.tick()  # still down: retried, still waiting
        waiting = [r for r in event_rows(gw) if r.status is not OutboxStatus.DELIVERED]
        assert len(waiting) == 3
        assert all(r.status is OutboxStatus.PENDING and r.attempts >= 2 for r in waiting)
        assert all("not confirmed" in (r.last_error or "") for r in waiting)

        proxy.start()  # back, on the same port
        deadline = time.monotonic() + 10
        while any(r.status is not OutboxStatus.DELIVERED for r in event_rows(gw)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
            gw.tick()
        got = consumer.drain(5)
        rows = event_rows(gw)
        assert len(rows) == 5
        assert {m.message_id for m in got} == {r.idempotency_key for r in rows}
        assert len(got) == 5  # every event once: nothing lost, nothing doubled
    finally:
        gw.delivery.close()
        proxy.stop()
        gw.store.close()


def test_an_unreachable_broker_is_transient() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    sink = AmqpSink(broker_url(closed), "never.declared", timeout_seconds=2)
    with pytest.raises(TransientDeliveryError, match="not confirmed"):
        sink.deliver(Delivery("events", "shipment_status-k.json", b"{}", "k"))
    sink.close()
