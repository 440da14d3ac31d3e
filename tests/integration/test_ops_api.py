"""The ops API over a real uvicorn server on loopback, with httpx, on data made by real ticks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.ops import API_KEY_HEADER, RunningServer, create_app, serve_in_thread
from gateway.ops.auth import AuthConfig
from gateway.registry import Registry
from gateway.service import Gateway
from gateway.store import NewOutbox, OutboxStatus, create_store
from tests.integration.gateway_env import demo_214, drop, gateway, make_home
from tests.integration.test_outbound_204 import tender_json

OPS_KEY = "k-ops-0123456789"
HOSTILE_NAME = '<script>alert("owned")<!--.edi'
CANARY_PROFILE = """
id: canary-carrier
name: Canary Carrier
role: carrier
x12: {isa_qualifier: "02", isa_id: CANARYCAR, version: "004010"}
documents: {inbound: [214], outbound: []}
transport:
  kind: sftp
  host: sftp.canary.example
  username: canary-user
  key_file: ${CANARY_KEY_FILE}
  host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
  inbound_dir: /out
"""


@dataclass
class Env:
    gw: Gateway
    server: RunningServer
    client: httpx.Client
    hostile_id: int
    status_id: int
    order_id: int
    dead_ids: Mapping[str, int]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    settings = make_home(tmp_path_factory.mktemp("ops"))
    (settings.partners_dir / "canary-carrier.yaml").write_text(CANARY_PROFILE)
    gw = gateway(settings)
    drop(settings, "demo-carrier", HOSTILE_NAME, b"this is not EDI")
    drop(settings, "demo-carrier", "status.edi", demo_214("000000101"))
    drop(settings, "erp", "order-1.json", tender_json("LOAD-1"))
    gw.tick()
    # A customer profile has no transport, so the delivery worker dead-letters these at once.
    for key in ("ops-dead-1", "ops-dead-2"):
        gw.store.add_outbox([NewOutbox("acme-retail", "folder", "portal_update", key, b"{}")])
    gw.tick()
    assert len(gw.store.mark_overdue_acks(datetime.now(UTC) + timedelta(hours=2))) == 1
    by_name = {m.original_name: m.id for m in gw.store.list_messages()}
    dead = {o.idempotency_key: o.id for o in gw.store.list_outbox(status=OutboxStatus.DEAD)}
    server = serve_in_thread(create_app(gw.store, gw.registry, api_keys={OPS_KEY: "ops"}), port=0)
    try:
        with httpx.Client(base_url=server.url, timeout=5.0) as client:
            yield Env(
                gw,
                server,
                client,
                by_name[HOSTILE_NAME],
                by_name["status.edi"],
                by_name["order-1.json"],
                dead,
            )
    finally:
        server.stop()
        gw.store.close()


def get(env: Env, path: str, **params: Any) -> Any:
    response = env.client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def assert_problem(response: httpx.Response, status: int, title: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] == title and body["type"] == "about:blank"
    assert "Traceback" not in response.text
    return body


def test_health_and_openapi(env: Env) -> None:
    assert get(env, "/health") == {"status": "ok"}
    spec = get(env, "/openapi.json")
    assert {
        "/health",
        "/metrics",
        "/api/messages",
        "/api/messages/{message_id}",
        "/api/acks",
        "/api/search",
        "/api/outbox",
        "/api/deadletters",
        "/api/outbox/{outbox_id}/replay",
        "/api/partners",
    } <= set(spec["paths"])
    assert list(spec["paths"]["/api/outbox/{outbox_id}/replay"]) == ["post"]
    assert "Problem" in spec["components"]["schemas"]


def test_messages_newest_first_with_filters_and_paging(env: Env) -> None:
    rows = get(env, "/api/messages")
    assert [(m["original_name"], m["status"]) for m in rows] == [
        ("order-1.json", "parsed"),
        ("status.edi", "parsed"),
        (HOSTILE_NAME, "quarantined"),
    ]
    (bad,) = get(env, "/api/messages", status="quarantined")
    assert bad["id"] == env.hostile_id
    assert bad["quarantine_reason"] == "not X12, IDoc XML or JSON"
    assert bad["partner_id"] == "demo-carrier" and bad["size"] == len(b"this is not EDI")
    assert [m["id"] for m in get(env, "/api/messages", partner="erp")] == [env.order_id]
    page = get(env, "/api/messages", limit=1, before=env.order_id)
    assert [m["id"] for m in page] == [env.status_id]
    assert get(env, "/api/messages", partner="nobody") == []


def test_message_lineage_of_the_214(env: Env) -> None:
    lineage = get(env, f"/api/messages/{env.status_id}")
    assert lineage["message"]["status"] == "parsed"
    (ic,) = lineage["interchanges"]
    assert (ic["direction"], ic["control_number"], ic["outcome"]) == ("in", "000000101", "accepted")
    assert ic["sender_id"].strip() == "DEMOCARRIER"
    (group,) = ic["groups"]
    assert (group["functional_id"], group["control_number"], group["ack_code"]) == (
        "QM",
        "501",
        "A",
    )
    assert [(s["set_id"], s["control_number"], s["outcome"]) for s in group["sets"]] == [
        ("214", "0001", "A"),
        ("214", "0002", "A"),
    ]
    assert all(s["error_count"] == 0 and s["error_summary"] == [] for s in group["sets"])
    assert [
        (a["direction"], a["kind"], a["status"], a["group_control_number"]) for a in ic["acks"]
    ] == [("sent", "997", "accepted", "501")]
    assert [d["business_key"] for d in lineage["documents"]] == [
        "shipment_status:DEMO:PRO1",
        "shipment_status:DEMO:PRO2",
    ]
    assert {"kind": "pro", "value": "PRO1"} in lineage["documents"][0]["keys"]
    (ack_row,) = [o for o in lineage["outbox"] if o["kind"] == "997"]
    assert ack_row["destination"] == "demo-carrier" and ack_row["status"] == "delivered"
    assert ack_row["payload_size"] > 0 and "payload" not in ack_row
    assert ic["acks"][0]["outbox_id"] == ack_row["id"]
    assert {o["destination"] for o in lineage["outbox"]} == {"demo-carrier", "erp", "tms", "portal"}
    assert all(o["status"] == "delivered" for o in lineage["outbox"])
    assert lineage["events"][0]["kind"] == "received"
    assert lineage["events"][0]["detail"]["name"] == "status.edi"


def test_outbound_lineage_shows_the_overdue_expected_ack(env: Env) -> None:
    lineage = get(env, f"/api/messages/{env.order_id}")
    (ic,) = lineage["interchanges"]
    assert ic["direction"] == "out" and ic["receiver_id"].strip() == "DEMOCARRIER"
    # the 997 was forced overdue; the 990 (tender response) is still within its window
    assert sorted((a["direction"], a["status"]) for a in ic["acks"]) == [
        ("expected", "overdue"),
        ("expected", "pending"),
    ]
    assert [d["doc_type"] for d in lineage["documents"]] == ["load_tender"]


def test_acks_by_direction_status_kind_and_partner(env: Env) -> None:
    (sent,) = get(env, "/api/acks", direction="sent")
    assert (sent["kind"], sent["status"], sent["interchange_control_number"]) == (
        "997",
        "accepted",
        "000000101",
    )
    assert sent["detail"] == {"received": 2, "accepted": 2}
    (overdue,) = get(env, "/api/acks", status="overdue")
    assert overdue["direction"] == "expected" and overdue["functional_id"] == "SM"
    assert len(get(env, "/api/acks", partner="demo-carrier", kind="997")) == 2
    assert get(env, "/api/acks", kind="TA1") == []
    assert get(env, "/api/acks", partner="nobody") == []


def test_search_by_pro_bol_order_and_control_number(env: Env) -> None:
    (pro1,) = get(env, "/api/search", key="PRO1")
    assert pro1["doc_type"] == "shipment_status" and pro1["partner_id"] == "demo-carrier"
    assert pro1["status"] == "effective"
    assert pro1["message_id"] == env.status_id
    assert pro1["payload"]["correlation"]["pro"] == "PRO1"
    assert len(get(env, "/api/search", key="BOL123")) == 2
    (tender,) = get(env, "/api/search", key="LOAD-1")
    assert tender["doc_type"] == "load_tender"
    # the 204 sent for it, by its ISA13 (the 997 of the same tick has the other number)
    (sent,) = [o for o in env.gw.store.list_outbox(destination="demo-carrier") if o.kind == "204"]
    isa13 = (sent.payload or b"").split(b"*")[13].decode()
    assert isa13 in ("000000001", "000000002")
    assert [d["id"] for d in get(env, "/api/search", key=isa13)] == [tender["id"]]
    assert get(env, "/api/search", key="NO-SUCH-KEY") == []
    assert_problem(env.client.get("/api/search", params={"key": ""}), 422, "Invalid request")


def test_outbox_and_dead_letters(env: Env) -> None:
    delivered = get(env, "/api/outbox", status="delivered")
    assert {(o["destination"], o["kind"]) for o in delivered} >= {
        ("demo-carrier", "997"),
        ("demo-carrier", "204"),
        ("erp", "idoc"),
    }
    assert all(o["delivered_at"] for o in delivered)
    dead = get(env, "/api/deadletters")
    assert {o["idempotency_key"] for o in dead} >= {"ops-dead-1"}
    assert all(o["status"] == "dead" and o["destination"] == "acme-retail" for o in dead)
    assert "no sink" in dead[-1]["last_error"]
    one = get(env, f"/api/outbox/{env.dead_ids['ops-dead-1']}")
    assert (one["status"], one["attempts"]) == ("dead", 1)


def test_a_dead_letter_replays_once(env: Env) -> None:
    dead_id = env.dead_ids["ops-dead-2"]
    ops = {API_KEY_HEADER: OPS_KEY}
    response = env.client.post(f"/api/outbox/{dead_id}/replay", json={}, headers=ops)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["replayed"] is True
    assert (body["outbox"]["id"], body["outbox"]["status"], body["outbox"]["attempts"]) == (
        dead_id,
        "pending",
        0,
    )
    row = env.gw.store.get_outbox(dead_id)
    assert row is not None and row.status is OutboxStatus.PENDING
    assert dead_id not in {o["id"] for o in get(env, "/api/deadletters")}
    again = env.client.post(f"/api/outbox/{dead_id}/replay", json={}, headers=ops)
    assert "queued already" in assert_problem(again, 409, "Conflict")["detail"]
    missing = env.client.post("/api/outbox/99999/replay", json={}, headers=ops)
    assert_problem(missing, 404, "Not found")
    env.gw.tick()  # the replayed row is attempted again and, still undeliverable, dies again
    assert get(env, f"/api/outbox/{dead_id}")["status"] == "dead"


def test_partners_without_secrets(env: Env) -> None:
    response = env.client.get("/api/partners")
    partners = {p["id"]: p for p in response.json()}
    assert list(partners) == sorted(p.id for p in env.gw.registry)
    assert "canary-carrier" in partners and "demo-carrier" in partners
    demo = partners["demo-carrier"]
    assert (demo["role"], demo["isa_qualifier"], demo["isa_id"], demo["transport_kind"]) == (
        "carrier",
        "02",
        "DEMOCARRIER",
        "folder",
    )
    assert demo["ack_policy"] == {
        "kind": "997",
        "send": True,
        "send_ta1": "on-request",
        "request_ta1": False,
        "expect_ack_within_minutes": 60,
    }
    assert partners["canary-carrier"]["transport_kind"] == "sftp"
    for secret in ("CANARY_KEY_FILE", "sftp.canary.example", "canary-user", "AAAAC3Nza"):
        assert secret not in response.text


def test_metrics_parse_and_match_the_store(env: Env) -> None:
    response = env.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.text):
        assert family.type == ("histogram" if family.name.endswith("_seconds") else "gauge")
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    counts = env.gw.store.counts()

    def metric(name: str, **labels: str) -> float:
        return values[(name, tuple(sorted(labels.items())))]

    assert metric("gateway_store_up") == 1
    for status in ("received", "parsed", "quarantined", "duplicate", "failed"):
        assert metric("gateway_messages", status=status) == counts["messages"].get(status, 0)
    assert metric("gateway_messages", status="parsed") == 2
    assert metric("gateway_messages", status="quarantined") == 1
    for status in ("pending", "in_flight", "delivered", "dead"):
        assert metric("gateway_outbox", status=status) == counts["outbox"].get(status, 0)
    assert metric("gateway_acks", direction="sent", status="accepted") == 1
    assert metric("gateway_acks", direction="expected", status="overdue") == 1
    assert metric("gateway_acks", direction="expected", status="pending") == 1  # the 990
    assert metric("gateway_acks_overdue") == 1
    assert metric("gateway_documents", doc_type="shipment_status", status="effective") == 2
    assert metric("gateway_documents", doc_type="load_tender", status="effective") == 1
    assert metric("gateway_documents", doc_type="load_tender", status="void") == 0
    assert metric("gateway_documents", doc_type="freight_invoice", status="effective") == 0
    assert metric("gateway_metrics_truncated", family="documents") == 0
    # read through prometheus_client's custom collector: per partner, depth, timings
    assert (
        metric("gateway_transaction_sets", partner="demo-carrier", set_id="214", outcome="A") == 2
    )
    delivered = counts["outbox"].get("delivered", 0)
    assert metric("gateway_delivery_latency_seconds_count") == delivered > 0
    assert 0 < metric("gateway_drop_to_delivered_seconds_count") <= delivered


def test_status_page_escapes_partner_text(env: Env) -> None:
    response = env.client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;!--.edi" in page
    assert "<script" not in page and "<!--" not in page
    assert "not X12, IDoc XML or JSON" in page
    assert '<td class="quarantined">quarantined</td>' in page
    assert '<td class="overdue">overdue</td>' in page
    assert "acme-retail" in page and "no sink for transport" in page


def test_errors_are_problem_documents(env: Env) -> None:
    missing = assert_problem(env.client.get("/api/messages/99999"), 404, "Not found")
    assert missing["detail"] == "no message 99999"
    assert_problem(env.client.get("/api/outbox/99999"), 404, "Not found")
    assert_problem(env.client.get("/api/no-such-route"), 404, "Not found")
    assert_problem(env.client.delete("/api/messages"), 405, "Method not allowed")
    bad = assert_problem(env.client.get("/api/messages?status=bogus"), 422, "Invalid request")
    assert bad["errors"][0]["loc"] == ["query", "status"]
    assert_problem(env.client.get("/api/messages/abc"), 422, "Invalid request")
    assert_problem(env.client.get("/api/messages?limit=0"), 422, "Invalid request")


def test_api_keys_guard_api_and_page_but_not_probes(env: Env) -> None:
    # bound beyond loopback (the policy; the test still listens on 127.0.0.1): reads need keys
    auth = AuthConfig.of_plain_keys({"k-0123456789": "ops-team"}, bind_host="0.0.0.0")
    app = create_app(env.gw.store, env.gw.registry, auth=auth)
    server = serve_in_thread(app, port=0)
    try:
        with httpx.Client(base_url=server.url, timeout=5.0) as client:
            for path in ("/api/messages", "/api/partners", "/"):
                denied = client.get(path)
                assert_problem(denied, 401, "Unauthorized")
                assert denied.headers["www-authenticate"] == API_KEY_HEADER
                wrong = client.get(path, headers={API_KEY_HEADER: "k-wrong"})
                assert_problem(wrong, 401, "Unauthorized")
                ok = client.get(path, headers={API_KEY_HEADER: "k-0123456789"})
                assert ok.status_code == 200
            replay = client.post(f"/api/outbox/{env.dead_ids['ops-dead-1']}/replay", json={})
            assert_problem(replay, 401, "Unauthorized")
            assert client.get("/health").json() == {"status": "ok"}
            assert client.get("/metrics").status_code == 200
            spec = client.get("/openapi.json").json()
            assert API_KEY_HEADER in str(spec["components"]["securitySchemes"])
    finally:
        server.stop()
    row = env.gw.store.get_outbox(env.dead_ids["ops-dead-1"])
    assert row is not None and row.status is OutboxStatus.DEAD  # the refused replay did nothing


def test_a_broken_store_gives_problems_not_tracebacks(tmp_path: Path) -> None:
    store = create_store(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    registry = Registry([])
    server = serve_in_thread(create_app(store, registry), port=0)
    try:
        with httpx.Client(base_url=server.url, timeout=5.0) as client:
            failed = assert_problem(client.get("/api/messages"), 500, "Internal server error")
            assert "sqlite" not in str(failed).lower() and "select" not in str(failed).lower()
            assert_problem(client.get("/health"), 503, "Store unavailable")
            scrape = client.get("/metrics")
            assert scrape.status_code == 200
            assert "gateway_store_up 0" in scrape.text and "gateway_messages" not in scrape.text
    finally:
        server.stop()
        store.close()


def test_server_stops_cleanly_and_frees_its_port() -> None:
    before = {t.ident for t in threading.enumerate()}
    server = serve_in_thread(create_app(create_store("sqlite://"), Registry([])), port=0)
    port = server.port
    assert port > 0 and server.running
    with pytest.raises(OSError):
        serve_in_thread(create_app(create_store("sqlite://"), Registry([])), port=port)
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        assert client.get("/health").status_code == 503  # an unmigrated in-memory store
    server.stop()
    assert not server.running
    # anyio's worker threads (sync routes) are told to end when the loop closes; allow them a moment
    deadline = time.monotonic() + 2.0
    while (extra := [t.name for t in threading.enumerate() if t.ident not in before]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.01)
    assert extra == []
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 1):
        pass
