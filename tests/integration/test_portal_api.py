"""The portal visibility API over a real server, on shipments made by real 214s through a real
gateway: each customer sees its own shipments only (a generated cross-tenant sweep over every
portal route of the served OpenAPI, every key kind), curated, cursor-paged; and schemathesis
against the served OpenAPI."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings

from gateway.ops import API_KEY_HEADER, create_app, serve_in_thread
from gateway.ops.auth import AuthConfig
from gateway.ops.rest import rest_routers
from gateway.service import Gateway
from tests.integration.gateway_env import DEMO_ISA, drop, gateway, make_home

ENV_KEYS = {"acme": "acme-env-key-0001", "globex": "globex-env-key-0001"}
REF_KEYS = {"acme": "acme-ref-key-0002", "globex": "globex-ref-key-0002"}
HASHED_KEYS = {"acme": "acme-hash-key-0003", "globex": "globex-hash-key-0003"}
OPS_KEY = "ops-key-portal-test"
TMS_KEY = "tms-key-portal-test"
PROFILE_IDS = {"acme": "acme-retail", "globex": "globex"}
CUSTOMER_IDS = {"acme": "ACME-RETAIL", "globex": "GLOBEX"}


def profile(who: str, extra: str = "") -> str:
    hashed = hashlib.sha256(HASHED_KEYS[who].encode()).hexdigest()
    return (
        f"id: {PROFILE_IDS[who]}\nname: {who.title()} Inc.\nrole: customer\n"
        f"customer_ids: [{CUSTOMER_IDS[who]}]\n"
        f"api_keys:\n  - {{name: portal, key: '${{{who.upper()}_PORTAL_KEY}}'}}\n"
        f"  - {{name: hashed, sha256: {hashed}}}\n{extra}"
    )


@dataclass(frozen=True)
class Ship:
    owner: str | None
    pro: str
    bol: str
    po: str
    sid: str


SHIPS = (
    Ship("acme", "PRO-A1", "BOL-A1", "PO-SHARED", "SHIP-A1"),
    Ship("acme", "PRO-A2", "BOL-A2", "PO-A2", "SHIP-A2"),
    Ship("acme", "PRO-A3", "BOL-A3", "PO-A3", "SHIP-A3"),
    Ship("globex", "PRO-G1", "BOL-G1", "PO-SHARED", "SHIP-G1"),
    Ship("globex", "PRO-G2", "BOL-G2", "PO-G2", "SHIP-G2"),
    Ship(None, "PRO-U1", "BOL-U1", "PO-U1", "SHIP-U1"),
)


def status_214(isa13: str, ships: list[Ship], day: int) -> bytes:
    body: list[str] = []
    for n, ship in enumerate(ships, start=1):
        st = f"{n:04d}"
        party = (
            f"N1*SH*{ship.owner.upper()}*93*{CUSTOMER_IDS[ship.owner]}"
            if ship.owner
            else "N1*SH*NOBODY"
        )
        segs = [
            f"ST*214*{st}",
            f"B10*{ship.pro}*{ship.sid}*DEMO",
            f"L11*{ship.bol}*BM",
            f"L11*{ship.po}*PO",
            party,
            "N1*CN*CONSIGNEE CO",
            "N4*DALLAS*TX*75201*US",
            "LX*1",
            f"AT7*{'X3' if day == 5 else 'D1'}*NS***202401{day:02d}*0800*CT",
            "MS1*DALLAS*TX*US",
        ]
        segs.append(f"SE*{len(segs) + 1}*{st}")
        body.extend(segs)
    return (
        DEMO_ISA
        + f"240105*0900*U*00401*{isa13}*0*P*>~"
        + f"GS*QM*DEMOCARRIER*LOGIGATEWAY*20240105*0900*{int(isa13)}*X*004010~"
        + "~".join(body)
        + f"~GE*{len(ships)}*{int(isa13)}~IEA*1*{isa13}~"
    ).encode()


@dataclass
class Portal:
    gw: Gateway
    client: httpx.Client
    app: Any


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    settings = make_home(tmp_path_factory.mktemp("portal"))
    (settings.partners_dir / "acme-retail.yaml").write_text(profile("acme"))
    (settings.partners_dir / "globex.yaml").write_text(
        profile("globex", "portal: {show_charges: true}\n")
    )
    gw = gateway(settings)
    drop(settings, "demo-carrier", "day5.edi", status_214("000000401", list(SHIPS), 5))
    gw.tick()
    # a later status for two shipments: the list shows each shipment once, at its newest
    drop(settings, "demo-carrier", "day6.edi", status_214("000000402", [SHIPS[0], SHIPS[3]], 6))
    gw.tick()
    env = {
        "GATEWAY_API_KEYS": ";".join(
            f"{w}-env|portal:{PROFILE_IDS[w]}|{k}" for w, k in ENV_KEYS.items()
        )
        + f";ops|read,operate|{OPS_KEY};tms|ingest:tms|{TMS_KEY}",
        "ACME_PORTAL_KEY": REF_KEYS["acme"],
        "GLOBEX_PORTAL_KEY": REF_KEYS["globex"],
        "GATEWAY_ALLOWED_HOSTS": "testserver",
    }
    auth = AuthConfig.from_env(env, gw.registry)
    routers = rest_routers(gw.store, gw.registry, gw.pipeline, lambda: None)
    app = create_app(gw.store, gw.registry, auth=auth, routers=routers)
    server = serve_in_thread(app, port=0)
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield Portal(gw, client, app)
    server.stop()
    gw.store.close()


KEY_KINDS = {"env": ENV_KEYS, "profile-ref": REF_KEYS, "profile-sha256": HASHED_KEYS}


def as_(who: str, kind: str = "env") -> dict[str, str]:
    return {API_KEY_HEADER: KEY_KINDS[kind][who]}


def own(who: str) -> list[Ship]:
    return [s for s in SHIPS if s.owner == who]


def test_a_customer_finds_its_shipment_by_each_number(portal: Portal) -> None:
    ship = SHIPS[0]
    for number in (ship.pro, ship.bol, ship.sid, "PO-SHARED", f"DEMO:{ship.pro}"):
        response = portal.client.get(f"/api/v1/portal/shipments/{number}", headers=as_("acme"))
        assert response.status_code == 200, (number, response.text)
        body = response.json()
        assert body["ref"] == "DEMO:PRO-A1" and body["customer_id"] == "ACME-RETAIL"
        assert body["shipment"]["bol"] == "BOL-A1" and body["shipment"]["po"] == ["PO-SHARED"]
        assert [u["status"] for u in body["timeline"]] == ["arrived_at_pickup", "delivered"]
        assert body["status"] == "delivered"
    text = portal.client.get("/api/v1/portal/shipments/PRO-A1", headers=as_("acme")).text
    for raw in ("ISA*", "B10*", "AT7", "charges", "total_due", "000000401"):
        assert raw not in text  # curated: no raw EDI, no envelope numbers, no money


def test_list_is_paged_by_cursor_newest_first(portal: Portal) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = portal.client.get(
            "/api/v1/portal/shipments", params=params, headers=as_("acme")
        ).json()
        seen += [i["ref"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["DEMO:PRO-A1", "DEMO:PRO-A3", "DEMO:PRO-A2"]
    everything = portal.client.get("/api/v1/portal/shipments", headers=as_("acme")).json()
    assert [i["ref"] for i in everything["items"]] == seen and everything["next_cursor"] is None


def test_list_filters(portal: Portal) -> None:
    def refs(**params: str) -> list[str]:
        response = portal.client.get("/api/v1/portal/shipments", params=params, headers=as_("acme"))
        assert response.status_code == 200, response.text
        return [i["ref"] for i in response.json()["items"]]

    assert refs(po="PO-SHARED") == ["DEMO:PRO-A1"]
    assert refs(bol="BOL-A2") == ["DEMO:PRO-A2"]
    assert refs(pro="PRO-A3", shipment_id="SHIP-A3") == ["DEMO:PRO-A3"]
    assert refs(status="delivered") == ["DEMO:PRO-A1"]
    assert refs(status="arrived_at_pickup") == ["DEMO:PRO-A3", "DEMO:PRO-A2"]
    assert refs(pro="PRO-U1") == []


def test_other_keys_and_no_key(portal: Portal) -> None:
    url = "/api/v1/portal/shipments"
    assert portal.client.get(url).status_code == 401
    assert portal.client.get(url, headers={API_KEY_HEADER: "wrong"}).status_code == 401
    assert portal.client.get(url, headers={API_KEY_HEADER: OPS_KEY}).status_code == 403


def _portal_calls(spec: dict[str, Any], victim: Ship) -> Iterator[tuple[str, dict[str, str]]]:
    """Every portal route of the served OpenAPI, aimed at `victim`'s numbers. A route this
    does not know how to aim fails the test: a new route must be added here."""
    numbers = [victim.pro, victim.bol, victim.sid, victim.po, f"DEMO:{victim.pro}"]
    for path, item in spec["paths"].items():
        if not path.startswith("/api/v1/portal"):
            continue
        assert list(item) == ["get"], f"{path}: portal routes are read-only; teach this test"
        params = {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "path"}
        if path == "/api/v1/portal/shipments":
            yield path, {}
            for name, value in (
                ("pro", victim.pro),
                ("bol", victim.bol),
                ("po", victim.po),
                ("shipment_id", victim.sid),
            ):
                yield path, {name: value}
        elif params == {"number"}:
            for number in numbers:
                yield path.replace("{number}", number), {}
        else:
            raise AssertionError(f"the cross-tenant test does not know {path}")


@pytest.mark.parametrize("kind", sorted(KEY_KINDS))
@pytest.mark.parametrize(("who", "other"), [("acme", "globex"), ("globex", "acme")])
def test_zero_cross_tenant_leaks(portal: Portal, who: str, other: str, kind: str) -> None:
    spec = portal.client.get("/openapi.json").json()
    foreign = [s for s in SHIPS if s.owner != who]  # the other's and nobody's
    calls = 0
    for victim in foreign:
        for path, params in _portal_calls(spec, victim):
            response = portal.client.get(path, params=params, headers=as_(who, kind))
            calls += 1
            text = response.text
            if "{" in path or path.count("/") > 4:  # one object: not found, not forbidden
                if victim.po == "PO-SHARED" and path.endswith("PO-SHARED"):
                    assert response.status_code == 200  # the caller's own shipment, see below
                else:
                    assert response.status_code == 404, (path, response.status_code)
            else:
                assert response.status_code == 200
                assert {i["customer_id"] for i in response.json()["items"]} <= {CUSTOMER_IDS[who]}
            for token in (
                victim.pro,
                victim.bol,
                victim.sid,
                CUSTOMER_IDS[other],
                "GLOBEX" if who == "acme" else "ACME",
            ):
                if token == "PO-SHARED":
                    continue
                assert token not in text, (path, params, token)
    assert calls >= 30


schemathesis.serializer("application/edi-x12")(lambda _ctx, value: str(value).encode())


def _fuzz_key(path: str) -> str:
    if path.startswith("/api/v1/portal"):
        return ENV_KEYS["acme"]
    if path.startswith("/api/v1/partners"):
        return TMS_KEY
    return OPS_KEY


def test_openapi_fuzzing_with_schemathesis(portal: Portal) -> None:
    """Property-based calls to every operation of the served OpenAPI (bounded): never a server
    error, every error a problem document."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", portal.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.headers = {**(case.headers or {}), API_KEY_HEADER: _fuzz_key(case.path)}
            response = case.call()
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            if response.status_code >= 500:
                failures.append(where)
            elif response.status_code >= 400 and not response.headers["content-type"][0].startswith(
                "application/problem+json"
            ):
                failures.append(f"{where}: not a problem document")

        run()
    assert operations >= 12
    assert failures == []


def test_portal_routes_are_all_known_to_the_sweep(portal: Portal) -> None:
    spec = portal.client.get("/openapi.json").json()
    portal_paths = {p for p in spec["paths"] if p.startswith("/api/v1/portal")}
    assert portal_paths == {"/api/v1/portal/shipments", "/api/v1/portal/shipments/{number}"}
    assert all(re.match(r"^/api/v1/portal/", p) for p in portal_paths)


def test_no_portal_route_is_hidden_from_the_sweep(portal: Portal) -> None:
    """The sweep walks the served OpenAPI; a route left out of it (include_in_schema=False, a
    nested router or mount) would escape the cross-tenant test. So every route the REST routers
    build must be a plain API route, and every portal one must be in the OpenAPI."""
    spec_paths = set(portal.client.get("/openapi.json").json()["paths"])
    auth = AuthConfig.from_env({}, portal.gw.registry)
    routers = rest_routers(portal.gw.store, portal.gw.registry, portal.gw.pipeline, lambda: None)
    served: set[str] = set()
    for build in routers:
        for route in build(auth).routes:
            assert isinstance(route, APIRoute), f"{route!r}: teach the cross-tenant sweep"
            if route.path.startswith("/api/v1/portal"):
                assert route.include_in_schema, route.path
                served.add(route.path)
    assert served and served <= spec_paths, served - spec_paths
