"""REST ingest over a real uvicorn server: raw X12 per partner and TMS JSON, processed by a real
gateway worker thread; keys and scopes, size limits before reading, Idempotency-Key, problems."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from gateway.canonical import parse_document
from gateway.ops import API_KEY_HEADER, create_app, serve_in_thread
from gateway.ops.auth import AuthConfig
from gateway.ops.ingest import Ingest
from gateway.service import Gateway
from gateway.store import MessageStatus
from tests.integration.gateway_env import demo_214, gateway, make_home
from tests.integration.test_outbound_204 import tender_json
from transforms.tms_json import to_tms_message

CARRIER = "carrier-key-1f2e3d"
TMS = "tms-key-9a8b7c"
NORTHWIND = "northwind-key-4455"
KEYS = (
    f"carrier|ingest:demo-carrier|{CARRIER};tms|ingest:tms|{TMS};"
    f"northwind|ingest:northwind-5010|{NORTHWIND}"
)
X12_LIMIT = 20_000
X12 = {"Content-Type": "application/edi-x12"}


@dataclass
class Api:
    gw: Gateway
    client: httpx.Client
    url: str


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = make_home(tmp_path_factory.mktemp("ingest"))
    gw = gateway(settings)
    wake, stop = threading.Event(), threading.Event()

    def worker() -> None:  # what `gateway run` does: tick when woken
        while not stop.is_set():
            if wake.wait(0.2):
                wake.clear()
                gw.tick()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    ingest = Ingest(gw.store, gw.registry, gw.pipeline, wake.set, max_x12_bytes=X12_LIMIT)
    auth = AuthConfig.from_env({"GATEWAY_API_KEYS": KEYS}, gw.registry)
    server = serve_in_thread(
        create_app(gw.store, gw.registry, auth=auth, routers=[ingest.router]), port=0
    )
    with httpx.Client(base_url=server.url, timeout=15.0) as client:
        yield Api(gw, client, server.url)
    server.stop()
    stop.set()
    thread.join(5)
    gw.store.close()


def key(value: str, **more: str) -> dict[str, str]:
    return {API_KEY_HEADER: value, **more}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and "Traceback" not in response.text
    return body


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tms_tender(load: str) -> dict[str, Any]:
    doc = parse_document(json.loads(tender_json(load)))
    at = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    message = to_tms_message(doc, idempotency_key=f"tms-{load}", occurred_at=at)
    data: dict[str, Any] = json.loads(message.model_dump_json())
    return data


def post_carrier_214(api: Api, isa13: str) -> httpx.Response:
    """The demo carrier's 214 posted, waiting up to 10 s for it to be processed."""
    response = api.client.post(
        "/api/v1/partners/demo-carrier/x12",
        params={"wait": 10},
        content=demo_214(isa13),
        headers=key(CARRIER, **X12),
    )
    assert response.status_code == 200, response.text
    return response


def test_x12_is_received_processed_and_acknowledged(api: Api) -> None:
    response = post_carrier_214(api, "000000301")
    body = response.json()
    assert body["status"] == "parsed" and body["partner_id"] == "demo-carrier"
    (ack,) = body["acks"]
    assert (ack["kind"], ack["status"], ack["interchange_control_number"]) == (
        "997",
        "accepted",
        "000000301",
    )
    assert response.headers["location"] == body["location"]
    polled = api.client.get(body["location"], headers=key(CARRIER))
    assert polled.status_code == 200 and polled.json() == body
    message = api.gw.store.get_message(body["message_id"])
    assert message is not None and message.channel == "http"
    assert message.status is MessageStatus.PARSED


def test_a_post_without_wait_is_accepted_then_polled(api: Api) -> None:
    response = api.client.post(
        "/api/v1/partners/demo-carrier/x12",
        content=demo_214("000000302"),
        headers=key(CARRIER, **X12),
    )
    assert response.status_code in (200, 202), response.text
    location = response.json()["location"]
    deadline = dt.datetime.now() + dt.timedelta(seconds=10)
    while (polled := api.client.get(location, headers=key(CARRIER)).json())["status"] == "received":
        assert dt.datetime.now() < deadline
    assert polled["status"] == "parsed" and polled["acks"][0]["kind"] == "997"


def test_keys_and_scopes(api: Api) -> None:
    url = "/api/v1/partners/demo-carrier/x12"
    body = demo_214("000000303")
    problem(api.client.post(url, content=body, headers=X12), 401)
    problem(api.client.post(url, content=body, headers=key("nope", **X12)), 401)
    assert (
        "ingest:demo-carrier"
        in problem(api.client.post(url, content=body, headers=key(TMS, **X12)), 403)["detail"]
    )
    problem(api.client.post(url, content=body, headers=key(NORTHWIND, **X12)), 403)
    assert not [m for m in api.gw.store.list_messages() if m.sha256 == sha256(body)]


def test_media_types_and_bad_bodies(api: Api) -> None:
    url = "/api/v1/partners/demo-carrier/x12"
    body = demo_214("000000304")
    problem(
        api.client.post(url, content=body, headers=key(CARRIER, **{"Content-Type": "text/plain"})),
        415,
    )
    problem(api.client.post(url, json={"a": 1}, headers=key(CARRIER)), 415)
    problem(api.client.post(url, content=b"hello, not x12", headers=key(CARRIER, **X12)), 422)
    problem(api.client.post(url, content=b"", headers=key(CARRIER, **X12)), 422)
    problem(api.client.post("/api/v1/partners/tms/x12", content=body, headers=key(TMS, **X12)), 404)


def test_size_limit_from_the_declared_length_before_reading(api: Api) -> None:
    parts = urlsplit(api.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/partners/demo-carrier/x12 HTTP/1.1\r\n"
            + f"Host: 127.0.0.1:{parts.port}\r\nX-API-Key: {CARRIER}\r\n".encode()
            + b"Content-Type: application/edi-x12\r\nContent-Length: 1000000000000\r\n\r\n"
        )
        answer = sock.recv(65536).decode()  # answered without one byte of the body
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "application/problem+json" in answer


def test_size_limit_while_streaming(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield demo_214("000000305")
        for _ in range(100):
            yield b" " * 1000

    response = api.client.post(
        "/api/v1/partners/demo-carrier/x12", content=chunks(), headers=key(CARRIER, **X12)
    )
    assert f"over {X12_LIMIT} bytes" in problem(response, 413)["detail"]


def test_idempotency_key(api: Api) -> None:
    url = "/api/v1/partners/demo-carrier/x12"
    body = demo_214("000000306")
    headers = key(CARRIER, **X12, **{"Idempotency-Key": "retry-306"})
    first = api.client.post(url, content=body, headers=headers)
    again = api.client.post(url, content=body, headers=headers)
    assert first.status_code in (200, 202) and again.status_code == first.status_code
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    other = api.client.post(url, content=demo_214("000000307"), headers=headers)
    assert "another request" in problem(other, 422)["detail"]
    same = [m for m in api.gw.store.list_messages() if m.sha256 == sha256(body)]
    assert len(same) == 1
    # the key belongs to its client: another client may use the same text
    tms = api.client.post(
        "/api/v1/partners/tms/messages",
        json=tms_tender("LOAD-IDEM"),
        headers=key(TMS, **{"Idempotency-Key": "retry-306"}),
    )
    assert tms.status_code in (200, 202), tms.text


def test_tms_json_becomes_a_204(api: Api) -> None:
    response = api.client.post(
        "/api/v1/partners/tms/messages",
        params={"wait": 10},
        json=tms_tender("LOAD-TMS-1"),
        headers=key(TMS),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "parsed"
    outbox = api.gw.store.list_outbox(source_message_id=body["message_id"])
    assert {(o.destination, o.kind) for o in outbox} >= {("demo-carrier", "204")}
    # the carrier's key cannot see the TMS's message, even under its own partner id
    problem(
        api.client.get(
            f"/api/v1/partners/demo-carrier/messages/{body['message_id']}", headers=key(CARRIER)
        ),
        404,
    )
    problem(api.client.get(body["location"], headers=key(CARRIER)), 403)
    problem(
        api.client.get("/api/v1/partners/tms/messages/99999999999999999999", headers=key(TMS)), 404
    )


def test_tms_json_is_checked_against_the_published_schema(api: Api) -> None:
    url = "/api/v1/partners/tms/messages"
    bad = tms_tender("LOAD-BAD")
    bad["message_type"] = "load_plan"
    del bad["payload"]
    errors = problem(api.client.post(url, json=bad, headers=key(TMS)), 422)["errors"]
    assert errors and all(e["loc"][0] == "body" for e in errors)
    problem(
        api.client.post(
            url, content=b"{not json", headers=key(TMS, **{"Content-Type": "application/json"})
        ),
        422,
    )
    problem(api.client.post(url, json=[1, 2], headers=key(TMS)), 422)
    assert not [
        m
        for m in api.gw.store.list_messages(partner_id="tms")
        if m.status is MessageStatus.QUARANTINED
    ]


def test_a_status_the_tms_owns_goes_to_the_erp_and_the_portal(api: Api) -> None:
    post_carrier_214(api, "000000309")  # a carrier's status first: the test stands alone
    (first,) = [d for d in api.gw.store.search("PRO1") if d.doc_type == "shipment_status"][:1]
    data = dict(first.payload)
    data["correlation"] = {**data["correlation"], "pro": "PRO-TMS-9", "shipment_id": "SHIP-TMS-9"}
    data["pro_number"] = "PRO-TMS-9"
    doc = parse_document(data)
    message = json.loads(to_tms_message(doc, idempotency_key="tms-status-9").model_dump_json())
    response = api.client.post(
        "/api/v1/partners/tms/messages", params={"wait": 10}, json=message, headers=key(TMS)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "parsed", body
    outbox = api.gw.store.list_outbox(source_message_id=body["message_id"])
    assert {o.destination for o in outbox} == {"erp", "portal"}
