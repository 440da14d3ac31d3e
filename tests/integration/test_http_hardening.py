"""Issue 10 §1: the HTTP surface as an attacker sees it, against a real uvicorn server on loopback.

Keys (hashed, scoped), refusal of every change without a key, reads open only on a loopback
bind, a Host allow-list against DNS rebinding, no cross-site simple POST, a forced replay of a
delivered row recorded as an event, huge ids as 404, and a walk over every OpenAPI route.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from gateway.ops import API_KEY_HEADER, create_app, serve_in_thread
from gateway.ops.auth import AuthConfig, AuthConfigError, parse_keys
from gateway.ops.rest import rest_routers
from gateway.registry import Registry
from gateway.service import Gateway
from gateway.store import NewOutbox, OutboxStatus
from tests.conftest import REPO
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

OPS_KEY = "ops-key-5f1c0a9e7d"
READ_KEY = "read-key-0b8d2f1a"
CARRIER_KEY = "carrier-key-77aa01"
KEYS = (
    f"ops|read,operate|sha256:{hashlib.sha256(OPS_KEY.encode()).hexdigest()};"
    f"auditor|read|{READ_KEY};"
    f"carrier|ingest:demo-carrier|{CARRIER_KEY}"
)
OPEN_PATHS = {"/health", "/metrics", "/openapi.json"}


@dataclass
class Home:
    gw: Gateway
    delivered_id: int
    dead_id: int


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    settings = make_home(tmp_path_factory.mktemp("hardening"))
    gw = gateway(settings)
    drop(settings, "demo-carrier", "status.edi", demo_214("000000201"))
    gw.tick()
    gw.store.add_outbox([NewOutbox("acme-retail", "folder", "portal_update", "hard-dead", b"{}")])
    gw.tick()
    (ack,) = [o for o in gw.store.list_outbox(status=OutboxStatus.DELIVERED) if o.kind == "997"]
    (dead,) = gw.store.list_outbox(status=OutboxStatus.DEAD)
    yield Home(gw, ack.id, dead.id)
    gw.store.close()


def served(home: Home, bind_host: str, hosts: str = "") -> Any:
    env = {"GATEWAY_API_KEYS": KEYS, "GATEWAY_ALLOWED_HOSTS": hosts}
    auth = AuthConfig.from_env(env, home.gw.registry, bind_host=bind_host)
    routers = rest_routers(home.gw.store, home.gw.registry, home.gw.pipeline, lambda: None)
    app = create_app(home.gw.store, home.gw.registry, auth=auth, routers=routers)
    return serve_in_thread(app, port=0)


@pytest.fixture(scope="module")
def loopback(home: Home) -> Iterator[httpx.Client]:
    server = served(home, "127.0.0.1")
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client
    server.stop()


@pytest.fixture(scope="module")
def public(home: Home) -> Iterator[httpx.Client]:
    """A server whose policy is that of a bind to every interface (it listens on loopback)."""
    server = served(home, "0.0.0.0", hosts="gateway.example.com")
    with httpx.Client(base_url=server.url, timeout=5.0) as client:
        yield client
    server.stop()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and "Traceback" not in response.text
    return body


def key(value: str) -> dict[str, str]:
    return {API_KEY_HEADER: value}


def test_keys_are_kept_hashed_and_scoped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    config = AuthConfig.from_env({"GATEWAY_API_KEYS": KEYS})
    assert [(k.name, sorted(k.scopes)) for k in config.keys] == [
        ("ops", ["operate", "read"]),
        ("auditor", ["read"]),
        ("carrier", ["ingest:demo-carrier"]),
    ]
    for plain in (OPS_KEY, READ_KEY, CARRIER_KEY):
        assert plain not in repr(config) and plain.encode() not in b"".join(
            k.digest for k in config.keys
        )
        assert plain not in caplog.text
    found = config.authenticate(READ_KEY)
    assert found is not None and found.name == "auditor"
    assert config.authenticate("read-key-0b8d2f1b") is None and config.authenticate("") is None
    with pytest.raises(AuthConfigError, match="unknown scope 'admin'"):
        parse_keys("x|admin|k")
    with pytest.raises(AuthConfigError, match=r"expected name\|scopes\|key"):
        parse_keys("only-a-key")


def test_profile_keys_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "our-company.yaml").write_text((REPO / "partners" / "our-company.yaml").read_text())
    (tmp_path / "acme.yaml").write_text(
        "id: acme\nname: Acme\nrole: customer\ncustomer_ids: [ACME]\n"
        "api_keys:\n  - {name: portal, key: '${ACME_PORTAL_KEY}'}\n"
        f"  - {{sha256: {hashlib.sha256(b'acme-2').hexdigest()}, scopes: [read]}}\n"
    )
    registry = Registry.load(tmp_path)
    config = AuthConfig.from_env({"ACME_PORTAL_KEY": "acme-1"}, registry)
    one, two = config.authenticate("acme-1"), config.authenticate("acme-2")
    assert one is not None and one.name == "acme/portal" and one.scopes == {"portal:acme"}
    assert two is not None and two.scopes == {"read"}
    # a key whose variable is not set is simply not loaded (named in the log, never guessed)
    assert AuthConfig.from_env({}, registry).authenticate("acme-1") is None


def test_changes_need_an_operate_key(home: Home, loopback: httpx.Client) -> None:
    url = f"/api/outbox/{home.dead_id}/replay"
    denied = problem(loopback.post(url, json={}), 401)
    assert denied["title"] == "Unauthorized"
    problem(loopback.post(url, json={}, headers=key("not-a-key")), 401)
    assert "operate" in problem(loopback.post(url, json={}, headers=key(READ_KEY)), 403)["detail"]
    problem(loopback.post(url, json={}, headers=key(CARRIER_KEY)), 403)
    row = home.gw.store.get_outbox(home.dead_id)
    assert row is not None and row.status is OutboxStatus.DEAD
    assert loopback.post(url, json={}, headers=key(OPS_KEY)).status_code == 200
    events = home.gw.store.list_events(outbox_id=home.dead_id)
    (asked,) = [e for e in events if e.kind == "replay_requested"]
    assert asked.detail is not None and asked.detail["by"] == "ops"
    home.gw.tick()  # still undeliverable: dead again


def test_reads_are_open_on_loopback_only(loopback: httpx.Client, public: httpx.Client) -> None:
    assert loopback.get("/api/messages").status_code == 200
    problem(public.get("/api/messages"), 401)
    problem(public.get("/"), 401)
    assert public.get("/api/messages", headers=key(READ_KEY)).status_code == 200
    problem(public.get("/api/messages", headers=key(CARRIER_KEY)), 403)
    assert public.get("/health").status_code == 200


def test_host_allow_list(loopback: httpx.Client, public: httpx.Client) -> None:
    rebound = {"Host": "attacker.example"}
    assert "Host" in problem(loopback.get("/api/messages", headers=rebound), 400)["detail"]
    problem(public.get("/api/messages", headers={**rebound, **key(READ_KEY)}), 400)
    named = {"Host": "gateway.example.com:8443", **key(READ_KEY)}
    assert public.get("/api/messages", headers=named).status_code == 200
    assert loopback.get("/health", headers={"Host": "localhost:8080"}).status_code == 200
    assert loopback.get("/health", headers={"Host": "[::1]:8080"}).status_code == 200


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain", 415),
        ("text/plain;charset=UTF-8", 415),
        ("application/x-www-form-urlencoded", 415),
        ("multipart/form-data; boundary=x", 415),
        (None, 415),
    ],
)
def test_no_cross_site_simple_post(
    home: Home, loopback: httpx.Client, content_type: str | None, status: int
) -> None:
    headers = key(OPS_KEY) | ({"Content-Type": content_type} if content_type else {})
    url = f"/api/outbox/{home.delivered_id}/replay"
    response = loopback.post(url, content=b'{"force": true}', headers=headers)
    problem(response, status)
    row = home.gw.store.get_outbox(home.delivered_id)
    assert row is not None and row.status is OutboxStatus.DELIVERED


def test_a_cross_site_fetch_is_refused(home: Home, loopback: httpx.Client) -> None:
    headers = key(OPS_KEY) | {"Sec-Fetch-Site": "cross-site"}
    url = f"/api/outbox/{home.delivered_id}/replay"
    problem(loopback.post(url, json={"force": True}, headers=headers), 403)


def test_replaying_what_the_peer_took_needs_force(home: Home, loopback: httpx.Client) -> None:
    url = f"/api/outbox/{home.delivered_id}/replay"
    refused = problem(loopback.post(url, json={}, headers=key(OPS_KEY)), 409)
    assert "force" in refused["detail"] and "demo-carrier" in refused["detail"]
    problem(loopback.post(url, json={"force": "yes please"}, headers=key(OPS_KEY)), 422)
    row = home.gw.store.get_outbox(home.delivered_id)
    assert row is not None and row.status is OutboxStatus.DELIVERED
    body = {"force": True, "reason": "carrier lost the 997"}
    forced = loopback.post(url, json=body, headers=key(OPS_KEY))
    assert forced.status_code == 200 and forced.json()["outbox"]["status"] == "pending"
    events = home.gw.store.list_events(outbox_id=home.delivered_id)
    (asked,) = [e for e in events if e.kind == "replay_requested"]
    assert asked.detail == {
        "by": "ops",
        "force": True,
        "previous_status": "delivered",
        "reason": "carrier lost the 997",
    }
    home.gw.tick()
    row = home.gw.store.get_outbox(home.delivered_id)
    assert row is not None and row.status is OutboxStatus.DELIVERED


@pytest.mark.parametrize(
    "path",
    [
        "/api/messages/99999999999999999999",
        "/api/outbox/99999999999999999999",
        "/api/messages/9223372036854775807",
        "/api/messages/9223372036854775808",
    ],
)
def test_huge_ids_are_not_found(loopback: httpx.Client, path: str) -> None:
    problem(loopback.get(path), 404)


def test_huge_id_replay_is_not_found(loopback: httpx.Client) -> None:
    url = "/api/outbox/99999999999999999999/replay"
    problem(loopback.post(url, json={}, headers=key(OPS_KEY)), 404)


def _calls(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for path, item in spec["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in item:
            yield method.upper(), concrete


@pytest.mark.parametrize("bind", ["loopback", "public"])
def test_every_route_of_the_openapi_refuses_anonymous_changes(
    request: pytest.FixtureRequest, bind: str
) -> None:
    client: httpx.Client = request.getfixturevalue(bind)
    spec = client.get("/openapi.json").json()
    calls = list(_calls(spec))
    assert len(calls) >= 10
    for method, path in [*calls, ("GET", "/")]:
        response = client.request(method, path, json={} if method != "GET" else None)
        code = response.status_code
        if path in OPEN_PATHS:
            assert code in (200, 503), (method, path, code)
        elif method != "GET" or bind == "public" or path.startswith("/api/v1/"):
            # changes, everything beyond loopback, partner and customer routes: keys always
            assert code == 401, (method, path, code)
        else:
            assert code in (200, 404, 422), (method, path, code)


def test_compose_needs_secrets_and_publishes_on_loopback() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    assert "change-me" not in text
    # a default only for host ports, never for a secret
    for name in re.findall(r"\$\{(\w+):-", text):
        assert name.endswith("_PORT"), name
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            if name == "sftp":  # carriers reach the hosted drop from outside (keys only)
                continue
            assert str(port).startswith("127.0.0.1:"), (name, port)
    gateway_env = compose["services"]["gateway"]["environment"]
    assert (
        "${POSTGRES_PASSWORD:?"
        in compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    )
    assert "${GATEWAY_API_KEYS:?" in gateway_env["GATEWAY_API_KEYS"]
    assert "${GATEWAY_ALLOWED_HOSTS:?" in gateway_env["GATEWAY_ALLOWED_HOSTS"]
    example = (REPO / ".env.example").read_text()
    for secret in ("POSTGRES_PASSWORD", "GATEWAY_API_KEYS", "GATEWAY_ALLOWED_HOSTS"):
        assert re.search(rf"^{secret}=$", example, re.M), secret
    assert ".env" in (REPO / ".gitignore").read_text().split()


def test_bodies_of_changes_are_capped(home: Home, loopback: httpx.Client) -> None:
    url = f"/api/outbox/{home.dead_id}/replay"
    big = b'{"reason": "' + b"x" * 70_000 + b'"}'
    headers = key(OPS_KEY) | {"Content-Type": "application/json"}
    problem(loopback.post(url, content=big, headers=headers), 413)

    def chunked() -> Iterator[bytes]:
        yield b"{}"

    problem(loopback.post(url, content=chunked(), headers=headers), 411)


def test_gateway_run_serves_the_rest_api_with_keys_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEWAY_API_KEYS", f"carrier|ingest:demo-carrier|{CARRIER_KEY}")
    gw = Gateway(replace(make_home(tmp_path), http_port=0))
    runner = threading.Thread(target=gw.run, daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + 20
        while gw.http_url is None:
            assert time.monotonic() < deadline and runner.is_alive()
            time.sleep(0.05)
        with httpx.Client(base_url=gw.http_url, timeout=20.0) as client:
            url = "/api/v1/partners/demo-carrier/x12"
            body = demo_214("000000209")
            headers = {"Content-Type": "application/edi-x12"}
            problem(client.post(url, content=body, headers=headers), 401)
            posted = client.post(
                url, params={"wait": 15}, content=body, headers=headers | key(CARRIER_KEY)
            )
            assert posted.status_code == 200, posted.text  # the worker was woken and processed it
            assert posted.json()["status"] == "parsed"
            assert [a["kind"] for a in posted.json()["acks"]] == ["997"]
            replay = client.post("/api/outbox/1/replay", json={"force": True})
            problem(replay, 401)  # loopback, but no operate key configured: no changes at all
    finally:
        gw.stop()
        runner.join(15)
    assert not runner.is_alive()


def test_a_key_is_rate_limited(home: Home) -> None:
    env = {"GATEWAY_API_KEYS": KEYS, "GATEWAY_API_RATE": "0.5", "GATEWAY_API_BURST": "3"}
    auth = AuthConfig.from_env(env, home.gw.registry, bind_host="0.0.0.0")
    server = serve_in_thread(create_app(home.gw.store, home.gw.registry, auth=auth), port=0)
    try:
        with httpx.Client(base_url=server.url, timeout=5.0) as client:
            codes = [client.get("/api/acks", headers=key(READ_KEY)).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            limited = client.get("/api/acks", headers=key(READ_KEY))
            assert int(problem(limited, 429) and limited.headers["retry-after"]) >= 1
            # another key has its own budget
            assert client.get("/api/acks", headers=key(OPS_KEY)).status_code == 200
    finally:
        server.stop()
    with pytest.raises(AuthConfigError, match="GATEWAY_API_RATE"):
        AuthConfig.from_env({"GATEWAY_API_RATE": "fast"})
