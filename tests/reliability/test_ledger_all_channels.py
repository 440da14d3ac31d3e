"""One ledger over every channel of a real `gateway run`, on SQLite and on PostgreSQL.

Inbound: a folder drop (Northwind, X12 5010, and the ERP's canonical JSON), SFTP pickup from
the demo carrier's own OpenSSH sshd, the hosted SFTP drop (deploy/sftp, a real chrooted
carrier account), the ERP's SOAP service (zeep), REST X12 and REST TMS JSON. Receiving peers,
all real: the ERP's IDoc folder, the TMS over HTTP (Idempotency-Key), the portal's signed
webhooks, a RabbitMQ queue bound to the gateway's event exchange, the carriers' folders and the
demo carrier's SFTP server. Repeats are part of the workload (the same bytes twice, the same
file over two channels, a resend under a new ISA13, a SOAP retry of one DOCNUM), so a second
effect would show as DUP_EFFECT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from gateway.canonical import parse_document
from gateway.store import AckDirection, AckKind, AckStatus, MessageStatus, create_store
from tests.conftest import REPO
from tests.integration.soap_env import shipment
from tests.integration.test_outbound_204 import demo_997, tender_json
from tests.integration.test_sftp_hosted_drop import CARRIER, Drop, carrier_session, hosted_drop
from tests.peers.http_peer import HttpPeer
from tests.peers.sshd import Sshd, free_port, sshd_server
from tests.reliability.ledger import (
    DEMO_CARRIER,
    NORTHWIND,
    BrokerPeer,
    CarrierIds,
    Channels,
    FolderPeer,
    HttpEffects,
    Ledger,
    LedgerFigures,
    Peer,
    WebhookPeer,
    Workload,
    carrier_214,
    render,
    shipment_keys,
    unique_tender,
    wait_quiet,
    x12_ids,
)

__all__ = ["hosted_drop", "sshd_server"]

from transforms.tms_json import to_tms_message

pytestmark = pytest.mark.integration

BROKER = ("127.0.0.1", 5672)
BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/%2F?heartbeat=0"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
SOAP_PASSWORD = "ledger-soap-secret-1b2c"
WEBHOOK_SECRET = "whsec-ledger-7d6e"
KEYS = {"demo-carrier": "ledger-carrier-key-1", "tms": "ledger-tms-key-2"}
HAULER = CarrierIds("ZZ", "ACMEHAULER", "ACMH")
STORE_URL_SQLITE = "sqlite"


def _need(what: str, ok: bool) -> None:
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is required under CI (.ci/run provides it)")
        pytest.skip(f"{what} not available")


def _broker_up() -> bool:
    try:
        socket.create_connection(BROKER, timeout=2).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    name = f"ledger_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError:
        _need("PostgreSQL on 127.0.0.1:5432", False)
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- the gateway home


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer has {old!r}"
    path.write_text(text.replace(old, new))


def make_home(home: Path, server: Sshd, remote: Path, exchange: str, tms: str, portal: str) -> None:
    """Partners: the demo carrier on SFTP, Northwind on a folder, a third carrier on the
    hosted drop; the TMS and the portal over HTTP; an event stream on RabbitMQ."""
    partners = home / "partners"
    shutil.copytree(REPO / "partners", partners)
    demo = partners / "demo-carrier.yaml"
    folder = (
        "transport:\n  kind: folder\n  inbound_dir: inbox/demo-carrier\n"
        "  outbound_dir: outbox/demo-carrier\n"
    )
    # a third carrier, on the hosted drop: the demo carrier's profile under other ids
    hauler = partners / "acme-hauler.yaml"
    hauler.write_text(demo.read_text())
    for old, new in (
        ("id: demo-carrier", "id: acme-hauler"),
        ("name: Demo Carrier Lines", "name: ACME Hauler"),
        ("scac: DEMO", f"scac: {HAULER.scac}"),
        ('isa_qualifier: "02"', f'isa_qualifier: "{HAULER.isa_qualifier}"'),
        ("isa_id: DEMOCARRIER", f"isa_id: {HAULER.isa_id}"),
        ("gs_id: DEMOCARRIER", f"gs_id: {HAULER.isa_id}"),
        (
            folder,
            f"transport:\n  kind: folder\n  account: {CARRIER}\n  inbound_dir: inbox/{CARRIER}\n"
            "  outbound_dir: outbox/acme-hauler\n",
        ),
    ):
        _replace(hauler, old, new)
    _replace(
        demo,
        folder,
        f"""transport:
  kind: sftp
  host: 127.0.0.1
  port: {server.port}
  username: root
  key_file: ${{LEDGER_SFTP_KEY}}
  host_key: "{server.host_key}"
  inbound_dir: {remote / "in"}
  outbound_dir: {remote / "out"}
  after_pickup: archive
  archive_dir: {remote / "archive"}
  poll_seconds: 1
  timeout_seconds: 10
""",
    )
    _replace(demo, "backoff_seconds: 30", "backoff_seconds: 1")
    status = "  - document: shipment_status\n    destinations: [erp, tms, portal]\n"
    for name in ("demo-carrier.yaml", "northwind-5010.yaml", "acme-hauler.yaml"):
        _replace(partners / name, status, status.replace("portal]", "portal, events]"))
    # SAP resolves every carrier's 214 by its reference (no hold for a missing ERP order)
    _replace(
        partners / "erp.yaml",
        '      northwind-5010: {vendor: "0000100002", partner_function: LF}\n',
        '      northwind-5010: {vendor: "0000100002", partner_function: LF,'
        " resolve_by_reference: true}\n"
        '      acme-hauler: {vendor: "0000100003", partner_function: LF,'
        " resolve_by_reference: true}\n",
    )
    (partners / "tms.yaml").write_text(
        (partners / "tms.yaml")
        .read_text()
        .replace(
            "transport:\n  kind: folder\n  outbound_dir: outbox/tms",
            f"transport:\n  kind: http\n  url: {tms}\n"
            "delivery: {max_attempts: 20, backoff_seconds: 0.2, max_backoff_seconds: 1}",
        )
    )
    (partners / "portal.yaml").write_text(
        "id: portal\nname: Customer Portal\nrole: portal\n"
        f"transport: {{kind: http, url: '{portal}', signing_secret: '${{PORTAL_WEBHOOK_SECRET}}'}}\n"
        "delivery: {max_attempts: 20, backoff_seconds: 0.2, max_backoff_seconds: 1}\n"
    )
    (partners / "events.yaml").write_text(
        "id: events\nname: Event stream\nrole: tms\n"
        f"transport: {{kind: amqp, url: '${{EVENTS_AMQP_URL}}', exchange: {exchange}}}\n"
        "delivery: {max_attempts: 20, backoff_seconds: 0.2, max_backoff_seconds: 1}\n"
    )


def start_gateway(
    home: Path, inbox: Path, port: int, store_url: str | None, key: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GATEWAY_HOME": str(home),
        "GATEWAY_INBOX_DIR": str(inbox),
        "GATEWAY_STABLE_SECONDS": "0",
        "GATEWAY_RESCAN_SECONDS": "0.5",
        "GATEWAY_LEASE_SECONDS": "5",
        "GATEWAY_HTTP_PORT": str(port),
        "GATEWAY_API_KEYS": ";".join(f"{p}|ingest:{p}|{k}" for p, k in KEYS.items()),
        "ERP_SOAP_PASSWORD": SOAP_PASSWORD,
        "LEDGER_SFTP_KEY": str(key),
        "PORTAL_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "EVENTS_AMQP_URL": BROKER_URL,
    }
    env.pop("GATEWAY_DATABASE_URL", None)
    env.pop("GATEWAY_CRASHPOINT", None)
    if store_url is not None:
        env["GATEWAY_DATABASE_URL"] = store_url
    log = (home / "gateway.log").open("ab")
    with log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, (home / "gateway.log").read_text()[-3000:]
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("gateway run did not serve /health: " + (home / "gateway.log").read_text())


# ---------------------------------------------------------------- the workload


def erp_tender(load: str, shipment_id: str) -> bytes:
    """The ERP's canonical load tender (a real 204 sample's content), unique by its ids."""
    return json.dumps(unique_tender(json.loads(tender_json(load)), load, shipment_id)).encode()


def tms_tender(load: str, shipment_id: str) -> bytes:
    """The TMS's own v1 JSON tender for the same kind of load."""
    doc = parse_document(json.loads(erp_tender(load, shipment_id)))
    at = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    return (
        to_tms_message(doc, idempotency_key=f"tms-{load}", occurred_at=at)
        .model_dump_json()
        .encode()
    )


def workload(w: Workload) -> None:
    """Every channel, with repeats; each artifact says which peers must show its effect."""
    statuses = ("erp", "tms", "portal", "events")
    # folder drop: Northwind 214s (5010), the same bytes again under another name
    n1 = carrier_214(NORTHWIND, "000000101", "NW1")
    w.folder(
        "northwind-5010",
        "northwind-5010",
        "nw-1.edi",
        n1,
        business_keys=shipment_keys("NW1"),
        expect=statuses,
    )
    w.folder(
        "northwind-5010",
        "northwind-5010",
        "nw-2.edi",
        carrier_214(NORTHWIND, "000000102", "NW2"),
        business_keys=shipment_keys("NW2"),
        expect=statuses,
    )
    w.folder("northwind-5010", "northwind-5010", "nw-1-again.edi", n1, duplicate_of="nw-1.edi")
    # two interchanges in one file
    w.folder(
        "northwind-5010",
        "northwind-5010",
        "nw-3-4.edi",
        carrier_214(NORTHWIND, "000000103", "NW3") + carrier_214(NORTHWIND, "000000104", "NW4"),
        business_keys=shipment_keys("NW3") + shipment_keys("NW4"),
        expect=statuses,
    )
    # folder drop: the ERP's canonical load tender -> 204 to the carrier (over SFTP) + TMS
    w.folder(
        "erp",
        "erp",
        "order-L1.json",
        erp_tender("LEDGER-L1", "91000001"),
        business_keys=("LEDGER-L1", "91000001"),
        expect=("demo-carrier", "tms"),
    )
    # SFTP pickup from the demo carrier's server
    d1 = carrier_214(DEMO_CARRIER, "000000201", "DC1")
    w.sftp("demo-carrier", "dc-1.edi", d1, business_keys=shipment_keys("DC1"), expect=statuses)
    w.sftp(
        "demo-carrier",
        "dc-2.edi",
        carrier_214(DEMO_CARRIER, "000000202", "DC2", sets=3),
        business_keys=shipment_keys("DC2", 3),
        expect=statuses,
    )
    # the hosted drop: a carrier pushes into its chrooted folder; then resends its shipments
    # under a new ISA13 (a new interchange, the same business events)
    w.hosted(
        "acme-hauler",
        "ah-1.edi",
        carrier_214(HAULER, "000000301", "AH1"),
        business_keys=shipment_keys("AH1"),
        expect=statuses,
    )
    # SOAP: the ERP releases an order, then retries the same DOCNUM (a lost response)
    order = shipment("0000910001")
    w.soap(
        "ReleaseOrder",
        {"DOCNUM": "4799000001", "Shipment": order},
        name="soap-release",
        business_keys=("0000910001",),
        expect=("demo-carrier", "tms"),
    )
    w.soap(
        "ReleaseOrder",
        {"DOCNUM": "4799000001", "Shipment": order},
        name="soap-release-retry",
        replay=True,
    )
    # REST X12 from the demo carrier, and the SFTP file dc-1 again over REST (another channel)
    w.rest_x12(
        "demo-carrier",
        carrier_214(DEMO_CARRIER, "000000203", "DC3"),
        name="rest-dc-3",
        business_keys=shipment_keys("DC3"),
        expect=statuses,
    )
    w.rest_x12("demo-carrier", d1, name="rest-dc-1-again", duplicate_of="dc-1.edi")
    # REST with an Idempotency-Key, retried: the second call gets the first call's answer
    t2 = tms_tender("LEDGER-T2", "91000003")
    w.rest_json(
        "tms",
        t2,
        name="tms-T2",
        idempotency_key="ledger-t2",
        business_keys=("LEDGER-T2", "91000003"),
        expect=("demo-carrier",),
    )
    w.rest_json("tms", t2, name="tms-T2-retry", idempotency_key="ledger-t2", replay=True)
    # REST TMS JSON: the TMS tenders a load of its own -> a 204 to the carrier
    w.rest_json(
        "tms",
        tms_tender("LEDGER-T1", "91000002"),
        name="tms-T1",
        business_keys=("LEDGER-T1", "91000002"),
        expect=("demo-carrier",),
    )


def second_pass(w: Workload, carrier: Peer) -> int:
    """After the first pass: the hauler sends its shipments again under a new ISA13, the demo
    carrier reuses an ISA13 for other content and answers each 204 it got with a 997 (over its
    SFTP server). Returns how many 204s were answered."""
    w.hosted(
        "acme-hauler",
        "ah-1-resent.edi",
        carrier_214(HAULER, "000000302", "AH1"),
        duplicate_of="ah-1.edi",
    )
    # the demo carrier reuses dc-1's ISA13 for other content: a conflict, refused
    w.sftp(
        "demo-carrier",
        "dc-1-conflict.edi",
        carrier_214(DEMO_CARRIER, "000000201", "DCX"),
        business_keys=shipment_keys("DCX"),
        refused=True,
    )
    answered = 0
    for e in carrier.effects():
        if e.key.startswith("204-"):
            isa13, gs06, _ = x12_ids(e.body)
            answer = demo_997(gs06[0], "A", f"{700000001 + answered:09d}")
            w.sftp("demo-carrier", f"997-for-{isa13}.edi", answer)
            answered += 1
    return answered


def refused_quarantined(url: str, ledger: Ledger) -> int:
    """How many refused artifacts were quarantined with a conflict alert."""
    store = create_store(url)
    try:
        n = 0
        by_sha = {m.sha256: m for m in store.list_messages(limit=1000)}
        for a in ledger.artifacts:
            m = by_sha.get(a.sha256)
            if a.refused and m is not None and m.status is MessageStatus.QUARANTINED:
                kinds = {e.kind for e in store.list_events(message_id=m.id)}
                n += "alert" in kinds
        return n
    finally:
        store.close()


def acks_settled(url: str) -> bool:
    """Every 997 the gateway waits for from the demo carrier has come back accepted."""
    store = create_store(url)
    try:
        expected = store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
        return bool(expected) and all(a.status is AckStatus.ACCEPTED for a in expected)
    finally:
        store.close()


# ---------------------------------------------------------------- the run


def run_ledger(
    tmp_path: Path, drop: Drop, server: Sshd, store_url: str | None, *, restart: bool = False
) -> LedgerFigures:
    """The workload against one `gateway run`; with `restart`, the gateway is stopped
    (SIGTERM) right after the first pass was sent, mid-work, and started again."""
    home = tmp_path / "home"
    remote = tmp_path / "carrier-server"
    for sub in ("in", "out", "archive"):
        (remote / sub).mkdir(parents=True)
    exchange = f"ledger.events.{uuid.uuid4().hex[:12]}"
    broker = BrokerPeer("events", BROKER_URL, exchange)
    portal = WebhookPeer("portal", WEBHOOK_SECRET)
    with HttpPeer() as tms:
        make_home(home, server, remote, exchange, tms.url, portal.url)
        inbox = drop.inbox
        for stale in (inbox / "northwind-5010", inbox / "erp"):
            shutil.rmtree(stale, ignore_errors=True)  # another store's run used them
        port = free_port()
        url = store_url or f"sqlite:///{home / 'var' / 'gateway.db'}"
        peers: list[Peer] = [
            FolderPeer("erp", home / "outbox" / "erp", consume=True),
            HttpEffects("tms", tms),
            portal,
            broker,
            FolderPeer("demo-carrier", remote / "out", consume=True),
            FolderPeer("northwind-5010", home / "outbox" / "northwind-5010", consume=True),
            FolderPeer("acme-hauler", home / "outbox" / "acme-hauler", consume=True),
        ]
        t0 = time.monotonic()
        # the TMS and the portal are down for their first calls: retried, applied once
        tms.state.fail_next = 3
        portal.fail_next = 3
        gateway = start_gateway(home, inbox, port, store_url, server.user_key)
        t_start = time.monotonic() - t0
        ledger = Ledger()

        def push(name: str, data: bytes) -> None:
            client, sftp = carrier_session(drop)
            try:
                sftp.putfo(io.BytesIO(data), f"{name}.part", confirm=True)
                sftp.rename(f"{name}.part", name)
            finally:
                sftp.close()
                client.close()

        channels = Channels(
            inbox=inbox,
            http_url=f"http://127.0.0.1:{port}",
            api_keys=KEYS,
            soap_user="erp-soap",
            soap_password=SOAP_PASSWORD,
            sftp_inbound={"demo-carrier": remote / "in"},
            hosted_drop=push,
            hosted_dir=inbox / CARRIER,
        )
        w = Workload(ledger, channels)
        sources = [remote / "in", inbox]
        try:
            started = time.monotonic()
            workload(w)
            if restart:
                stop_gateway(gateway)
                gateway = start_gateway(home, inbox, port, store_url, server.user_key)
            wait_quiet(url, ledger, timeout=60, extra_sources=sources, peers=peers)
            t_first = time.monotonic() - started
            answered = second_pass(w, peers[4])
            # the resent interchange processed (its 997 sent), the carrier's 997s reconciled
            wait_quiet(
                url,
                ledger,
                timeout=60,
                extra_sources=sources,
                peers=peers,
                ready=lambda: _acks_sent(peers[-1]) >= 2 and acks_settled(url),
            )
            elapsed = time.monotonic() - started
        finally:
            w.close()
            stop_gateway(gateway)
        t_stop = time.monotonic() - t0 - t_start - elapsed
        t1 = time.monotonic()
        figures = ledger.check(url, home, peers, extra_sources=sources)
        t_check = time.monotonic() - t1
        broker.close()
        portal.close()
    log = (home / "gateway.log").read_text(errors="replace")
    store = "postgresql" if store_url else "sqlite"
    print(
        f"ledger {store} (start {t_start:.1f} s, workload to quiet {t_first:.1f} s, resend to"
        f" quiet {elapsed - t_first:.1f} s, stop {t_stop:.1f} s, check {t_check:.1f} s):"
        f" {render(figures)}"
    )
    if figures.failures():
        print(json.dumps(figures.detail, indent=1))
        for p in peers:
            for e in p.effects():
                print(f"--- {p.name} {e.key}\n{e.body[:600].decode(errors='replace')}")
    assert "Traceback" not in log, log[-4000:]
    assert portal.rejected == [], portal.rejected
    assert sum(portal.attempts.values()) >= len(portal.applied) + 3
    assert sum(tms.state.attempts.values()) >= len(tms.state.bodies) + 3
    assert answered == 4 and figures.groups_out == 4 and figures.acks_out_open == 0
    assert refused_quarantined(url, ledger) == 1
    return figures


def stop_gateway(gateway: subprocess.Popen[bytes]) -> None:
    gateway.send_signal(signal.SIGTERM)
    try:
        gateway.wait(timeout=30)
    except subprocess.TimeoutExpired:
        gateway.kill()
        gateway.wait(timeout=10)
        raise AssertionError("gateway run did not stop within 30 s of SIGTERM") from None


def _acks_sent(peer: Any) -> int:
    return sum(1 for e in peer.effects() if e.key.startswith("997"))


def _assert_required(figures: LedgerFigures) -> None:
    assert figures.failures() == {}, (figures.as_dict(), figures.detail)
    # the workload reached every peer: each expected (artifact, peer) effect was found
    assert figures.artifacts == 21 and figures.effects >= 70, figures.as_dict()
    assert figures.groups_in == 9, figures.as_dict()


@pytest.fixture
def peers_up(hosted_drop: Drop, sshd_server: Sshd) -> tuple[Drop, Sshd]:
    _need("RabbitMQ on 127.0.0.1:5672", _broker_up())
    return hosted_drop, sshd_server


def test_every_channel_on_sqlite(tmp_path: Path, peers_up: tuple[Drop, Sshd]) -> None:
    drop, server = peers_up
    _assert_required(run_ledger(tmp_path, drop, server, None))


def test_every_channel_on_postgresql_with_a_restart_mid_work(
    tmp_path: Path, peers_up: tuple[Drop, Sshd]
) -> None:
    """The gateway is stopped (SIGTERM) right after the first pass was sent and started
    again: claims released, nothing lost or repeated across the restart."""
    drop, server = peers_up
    with _postgres() as url:
        _assert_required(run_ledger(tmp_path, drop, server, url, restart=True))
