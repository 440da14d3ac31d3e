"""The ERP's SOAP service over a real uvicorn server, with zeep as the ERP's client against the
served WSDL: every operation, the whole chain to the carrier and back, idempotency, auth."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import zeep
from lxml import etree
from zeep.exceptions import Fault

from gateway.store import AckDirection, AckKind, AckStatus, MessageStatus
from tests.integration.gateway_env import drop
from tests.integration.soap_env import PASSWORD, SoapEnv, shipment, start
from tests.integration.test_outbound_204 import demo_990, demo_997

pytestmark = pytest.mark.integration
NS = "urn:logigateway:erp:soap:v1"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoapEnv]:
    yield from start(tmp_path_factory.mktemp("soap"))


@pytest.fixture(scope="module")
def client(env: SoapEnv) -> zeep.Client:
    return env.client()


def status_214(isa13: str, tknum: str) -> bytes:
    """The carrier's 214 for the tender: picked up, an estimate, delivered (times in CT)."""
    segs = [
        "ST*214*0001",
        f"B10*PRO-{tknum[-4:]}*{tknum}*DEMO",
        "LX*1",
        "AT7*X3*NS***20261207*0815*CT",
        "MS1*DALLAS*TX*US",
        "LX*2",
        "AT7*AG*NS***20261209*1100*CT",
        "LX*3",
        "AT7*D1*NS***20261209*1130*CT",
        "MS1*HOUSTON*TX*US",
    ]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return (
        "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *261207*0900*U*"
        f"00401*{isa13}*0*P*>~GS*QM*DEMOCARRIER*LOGIGATEWAY*20261207*0900*7{isa13[-3:]}*X*004010~"
        + "~".join(segs)
        + f"~GE*1*7{isa13[-3:]}~IEA*1*{isa13}~"
    ).encode()


def test_the_served_wsdl_points_at_the_server_and_its_schema(env: SoapEnv) -> None:
    wsdl = httpx.get(f"{env.url}/soap?wsdl", timeout=5)
    assert wsdl.status_code == 200 and wsdl.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(wsdl.content)
    (address,) = root.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == f"{env.url}/soap"
    (schema_import,) = root.iter("{http://www.w3.org/2001/XMLSchema}import")
    xsd = httpx.get(schema_import.get("schemaLocation") or "", timeout=5)
    assert xsd.status_code == 200 and b"targetNamespace" in xsd.content
    operations = set(env.client().wsdl.bindings[f"{{{NS}}}ErpGatewaySoap11"].all())
    assert operations == {
        "ReleaseOrder",
        "ChangeOrder",
        "CancelOrder",
        "GetShipmentStatus",
        "GetAcknowledgementStatus",
    }


def test_release_to_204_to_997_and_990_and_214_seen_through_the_status_operations(
    env: SoapEnv, client: zeep.Client
) -> None:
    tknum = "0000470001"
    released = client.service.ReleaseOrder(DOCNUM="4711000001", Shipment=shipment(tknum))
    (tender,) = released.Tender
    assert (tender.PARTNER, tender.SCAC, tender.PURPOSE) == ("demo-carrier", "DEMO", "00")
    assert [(d.PARTNER, d.KIND) for d in released.Delivery] == [("tms", "tms_json")]
    message = env.gw.store.get_message(released.MessageId)
    assert message is not None and message.channel == "soap"
    assert message.status is MessageStatus.PARSED
    archived = Path(message.archive_path).read_bytes()
    assert b"4711000001" in archived and b"(removed)" in archived
    # the credential is neither archived nor stored
    for path in [*env.settings.archive_dir.rglob("*"), *env.settings.var_dir.glob("gateway.db*")]:
        assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path

    env.gw.tick()  # the delivery worker writes the 204 and the TMS copy
    sent = env.outbox("demo-carrier")
    assert f"204-{tender.ISA13}.x12" in [p.name for p in sent]
    x12 = (env.settings.outbox_dir / "demo-carrier" / f"204-{tender.ISA13}.x12").read_text()
    assert f"ST*204*{tender.ST02}~" in x12 and "B2A*00~" in x12 and f"*{tknum}**PP~" in x12
    assert "GS*SM*LOGIGATEWAY*DEMOCARRIER*" in x12 and f"*{tender.GS06}*X*004010~" in x12
    assert any(tknum in p.read_text() for p in env.outbox("tms"))

    acks = client.service.GetAcknowledgementStatus(TKNUM=tknum)
    (row,) = acks.Sent
    assert (row.ISA13, row.GS06, row.DELIVERY) == (tender.ISA13, tender.GS06, "delivered")
    assert (row.FA.KIND, row.FA.STATUS) == ("997", "pending")
    assert (row.TenderResponse.KIND, row.TenderResponse.STATUS) == ("990", "pending")

    # the carrier answers: 997 for the group, 990 accepting, then its 214 statuses
    drop(env.settings, "demo-carrier", "997.edi", demo_997(tender.GS06, "A", "000000801"))
    drop(env.settings, "demo-carrier", "990.edi", demo_990("000000802", "A", shipment=tknum))
    drop(env.settings, "demo-carrier", "214.edi", status_214("000000803", tknum))
    env.gw.tick()
    assert all(m.status is MessageStatus.PARSED for m in env.gw.store.list_messages())

    acks = client.service.GetAcknowledgementStatus(TKNUM=tknum)
    (row,) = acks.Sent
    assert (row.FA.STATUS, row.TenderResponse.STATUS) == ("accepted", "accepted")
    expected = env.gw.store.list_acks(
        direction=AckDirection.EXPECTED, interchange_control_number=tender.ISA13
    )
    assert {(a.kind, a.status) for a in expected} == {
        (AckKind.FA997, AckStatus.ACCEPTED),
        (AckKind.TENDER_RESPONSE, AckStatus.ACCEPTED),
    }

    status = client.service.GetShipmentStatus(KEY=tknum)
    assert status.FOUND and (tknum, "DEMO") == (status.TKNUM, status.SCAC)
    assert f"PRO-{tknum[-4:]}" == status.PRO and status.TenderStatus == "accepted"
    assert status.STATUS == "delivered"
    assert (status.LastEvent.STATUS, status.LastEvent.CODE) == ("delivered", "D1")
    assert status.LastEvent.CITY1 == "HOUSTON"
    assert status.ETA.isoformat() == "2026-12-09T11:00:00-06:00"
    assert status.POD.TIME.isoformat() == "2026-12-09T11:30:00-06:00"
    # any key of the thread finds it: here the carrier's PRO number
    assert tknum == client.service.GetShipmentStatus(KEY=f"PRO-{tknum[-4:]}").TKNUM
    unknown = client.service.GetShipmentStatus(KEY="NO-SUCH-ORDER")
    assert unknown.FOUND is False and unknown.STATUS is None


def test_a_retried_release_returns_the_first_response_and_creates_nothing(
    env: SoapEnv, client: zeep.Client
) -> None:
    order = shipment("0000470002")
    first = client.service.ReleaseOrder(DOCNUM="4711000002", Shipment=order)
    before = env.snapshot()
    again = client.service.ReleaseOrder(DOCNUM="4711000002", Shipment=order)
    assert zeep.helpers.serialize_object(again) == zeep.helpers.serialize_object(first)
    assert env.snapshot() == before


def test_same_docnum_with_other_content_is_a_fault_and_an_alert(
    env: SoapEnv, client: zeep.Client
) -> None:
    client.service.ReleaseOrder(DOCNUM="4711000003", Shipment=shipment("0000470003"))
    before = env.snapshot()
    with pytest.raises(Fault) as fault:
        client.service.ReleaseOrder(
            DOCNUM="4711000003", Shipment=shipment("0000470003", weight="999")
        )
    assert fault.value.code == "soap:Client"
    assert "DOCNUM 4711000003 was already used for a different request" in fault.value.message
    after = env.snapshot()
    assert after == {**before, "events": before["events"] + 1}  # the alert, nothing else
    alert = env.gw.store.list_events(limit=100_000)[-1]
    assert alert.kind == "alert" and (alert.detail or {})["kind"] == "soap_docnum_conflict"


def test_change_and_cancel_send_204s_with_purpose_04_and_01(
    env: SoapEnv, client: zeep.Client
) -> None:
    tknum = "0000470004"
    with pytest.raises(Fault, match="never released: nothing to change"):
        client.service.ChangeOrder(DOCNUM="4711000040", Shipment=shipment(tknum))
    client.service.ReleaseOrder(DOCNUM="4711000041", Shipment=shipment(tknum))
    before = env.snapshot()
    with pytest.raises(
        Fault, match=re.escape("released already (DOCNUM 4711000041): use ChangeOrder")
    ):
        client.service.ReleaseOrder(DOCNUM="4711000042", Shipment=shipment(tknum))
    assert env.snapshot() == before  # a refused call archives and records nothing
    changed = client.service.ChangeOrder(
        DOCNUM="4711000043", Shipment=shipment(tknum, weight="1500")
    )
    cancelled = client.service.CancelOrder(
        DOCNUM="4711000044", TKNUM=tknum, TDLINE=["customer withdrew the order"]
    )
    assert [changed.Tender[0].PURPOSE, cancelled.Tender[0].PURPOSE] == ["04", "01"]
    with pytest.raises(Fault, match="is cancelled: nothing to change"):
        client.service.ChangeOrder(DOCNUM="4711000045", Shipment=shipment(tknum))
    env.gw.tick()
    folder = env.settings.outbox_dir / "demo-carrier"
    change = (folder / f"204-{changed.Tender[0].ISA13}.x12").read_text()
    cancel = (folder / f"204-{cancelled.Tender[0].ISA13}.x12").read_text()
    assert "B2A*04~" in change and "*1500~" in change
    assert "B2A*01~" in cancel and "customer withdrew the order" in cancel
    sent = client.service.GetAcknowledgementStatus(TKNUM=tknum).Sent
    assert [s.PURPOSE for s in sorted(sent, key=lambda s: s.ISA13)] == ["00", "04", "01"]


def test_http_basic_works_and_no_or_wrong_credentials_are_faults_without_effects(
    env: SoapEnv,
) -> None:
    basic = env.client(basic=True)
    assert basic.service.GetShipmentStatus(KEY="NOTHING").FOUND is False
    before = env.snapshot()
    for wrong in (env.client(password="wrong"), env.client(basic=True, password="wrong")):
        with pytest.raises(Fault, match="authentication failed") as fault:
            wrong.service.ReleaseOrder(DOCNUM="4711000050", Shipment=shipment("0000470005"))
        assert fault.value.code == "soap:Client"
    anonymous = zeep.Client(
        f"{env.url}/soap?wsdl", settings=zeep.Settings(forbid_dtd=True, forbid_entities=True)
    )
    with pytest.raises(Fault, match="authentication required"):
        anonymous.service.ReleaseOrder(DOCNUM="4711000050", Shipment=shipment("0000470005"))
    assert env.snapshot() == before


def test_a_schema_error_says_what_and_where(env: SoapEnv, client: zeep.Client) -> None:
    order = shipment("0000470006")
    order["Delivery"][0]["Item"][0]["POSNR"] = "TOO-LONG-POSITION"
    before = env.snapshot()
    with pytest.raises(Fault) as fault:
        client.service.ReleaseOrder(DOCNUM="4711000060", Shipment=order)
    assert fault.value.code == "soap:Client"
    assert "ReleaseOrder does not match the schema" in fault.value.message
    problem = fault.value.detail.find(f".//{{{NS}}}Problem")
    assert "POSNR" in problem.findtext(f"{{{NS}}}Path")
    assert int(problem.findtext(f"{{{NS}}}Line")) > 1
    assert env.snapshot() == before


def test_an_unknown_carrier_is_a_client_fault_with_nothing_written(
    env: SoapEnv, client: zeep.Client
) -> None:
    before = env.snapshot()
    with pytest.raises(Fault, match="cannot be routed") as fault:
        client.service.ReleaseOrder(
            DOCNUM="4711000070", Shipment=shipment("0000470007", scac="NOPE")
        )
    assert fault.value.code == "soap:Client"
    assert env.snapshot() == before


def test_an_order_x12_cannot_carry_is_a_client_fault_nothing_sent_docnum_freed(
    tmp_path: Path,
) -> None:
    """The carrier's profile names no method of payment and the IDoc has none: B2-06 is
    mandatory, so the 204 cannot be written. The ERP gets a Client fault that says so (not an
    'internal error'), nothing goes out, and the DOCNUM is freed for the corrected order."""

    def no_payment_method(partners: Path) -> None:
        profile = partners / "demo-carrier.yaml"
        text = profile.read_text()
        assert "  payment_method: PP\n" in text
        profile.write_text(text.replace("  payment_method: PP\n", ""))

    envs = start(tmp_path, edit_partners=no_payment_method)
    env = next(envs)
    try:
        client = env.client()
        with pytest.raises(Fault, match=r"cannot be sent.*B2-06") as fault:
            client.service.ReleaseOrder(DOCNUM="4711000090", Shipment=shipment("0000470009"))
        assert fault.value.code == "soap:Client"
        assert env.gw.store.list_outbox(limit=100) == []
        assert env.outbox("demo-carrier") == []
        (failed,) = env.gw.store.list_messages()
        assert failed.status is MessageStatus.FAILED
        assert "B2-06" in (failed.quarantine_reason or "")
        assert env.gw.store.list_soap_requests() == []  # no DOCNUM held: a retry may go
    finally:
        envs.close()


def test_a_server_fault_carries_a_correlation_id_operations_can_find(
    env: SoapEnv,
    client: zeep.Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fault injection (not a mock of a peer): routing fails inside the gateway once."""

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(env.gw.pipeline, "route_document", broken)
    with pytest.raises(Fault) as fault:
        client.service.ReleaseOrder(DOCNUM="4711000080", Shipment=shipment("0000470008"))
    assert fault.value.code == "soap:Server"
    correlation_id = fault.value.detail.findtext(f".//{{{NS}}}CorrelationId")
    assert correlation_id and "disk on fire" not in fault.value.message
    assert any(correlation_id in r.getMessage() for r in caplog.records)
    recorded = [e for e in env.gw.store.list_events(limit=100_000) if e.kind == "soap_server_fault"]
    assert [(e.detail or {}).get("correlation_id") for e in recorded] == [correlation_id]
    (failed,) = [m for m in env.gw.store.list_messages() if m.original_name.endswith("4711000080")]
    assert failed.status is MessageStatus.FAILED
    assert recorded[0].message_id == failed.id  # GET /api/messages/{id} shows the event
    lineage = httpx.get(f"{env.url}/api/messages/{failed.id}", timeout=5).json()
    assert correlation_id in str(lineage["events"])
    # the DOCNUM was freed: the ERP's retry after the fix goes through
    monkeypatch.undo()
    retried = client.service.ReleaseOrder(DOCNUM="4711000080", Shipment=shipment("0000470008"))
    assert retried.Tender[0].PARTNER == "demo-carrier"


def test_a_request_left_processing_by_a_crash_is_taken_over_without_a_second_effect(
    env: SoapEnv, client: zeep.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: the effects are committed, then recording the response fails (as a
    kill -9 at that point would leave it). The retry first hears "in progress"; once the claim
    is stale it takes the request over and answers from what was recorded, sending nothing new."""

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed before the response was kept")

    order = shipment("0000470009")
    monkeypatch.setattr(env.gw.store, "finish_soap_request", crash)
    with pytest.raises(Fault) as fault:
        client.service.ReleaseOrder(DOCNUM="4711000090", Shipment=order)
    assert fault.value.code == "soap:Server"
    monkeypatch.undo()
    effects = env.snapshot()
    (row,) = [r for r in env.gw.store.list_soap_requests() if r.docnum == "4711000090"]
    assert row.state == "processing"
    with pytest.raises(Fault, match="still being processed; retry shortly"):
        client.service.ReleaseOrder(DOCNUM="4711000090", Shipment=order)
    later = datetime.now(UTC) + timedelta(minutes=3)
    monkeypatch.setattr(env.ops, "clock", lambda: later)
    taken_over = client.service.ReleaseOrder(DOCNUM="4711000090", Shipment=order)
    (tender,) = taken_over.Tender
    assert env.snapshot()["outbox"] == effects["outbox"]
    assert env.snapshot()["documents"] == effects["documents"]
    sent = client.service.GetAcknowledgementStatus(TKNUM="0000470009").Sent
    assert [s.ISA13 for s in sent] == [tender.ISA13]
    assert env.gw.store.get_soap_request("erp", "4711000090").state == "done"


def test_soap_12_binding_through_zeep_and_its_faults(env: SoapEnv, canary_free_xxe: bytes) -> None:
    soap12 = env.client().bind("ErpGatewayService", "ErpGatewaySoap12")
    released = soap12.ReleaseOrder(DOCNUM="4711000100", Shipment=shipment("0000470010"))
    assert released.Tender[0].PURPOSE == "00"
    (sent,) = soap12.GetAcknowledgementStatus(TKNUM="0000470010").Sent
    assert sent.ISA13 == released.Tender[0].ISA13
    wrong = env.client(password="wrong").bind("ErpGatewayService", "ErpGatewaySoap12")
    with pytest.raises(Fault, match="authentication failed"):
        wrong.GetShipmentStatus(KEY="0000470010")
    before = env.snapshot()
    response = httpx.post(
        f"{env.url}/soap",
        content=canary_free_xxe,
        headers={"Content-Type": "application/soap+xml; charset=utf-8"},
        timeout=5,
    )
    assert response.status_code == 400  # SOAP 1.2 over HTTP: a Sender fault is a 400
    assert response.headers["content-type"] == "application/soap+xml; charset=utf-8"
    root = etree.fromstring(response.content)
    soap12_ns = "http://www.w3.org/2003/05/soap-envelope"
    assert root.findtext(f".//{{{soap12_ns}}}Code/{{{soap12_ns}}}Value") == "soap:Sender"
    assert "DOCTYPE" in (root.findtext(f".//{{{soap12_ns}}}Reason/{{{soap12_ns}}}Text") or "")
    assert env.snapshot() == before


@pytest.fixture
def canary_free_xxe() -> bytes:
    """A SOAP 1.2 request with an external entity (to a file: the canary suite covers HTTP)."""
    return (
        '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        f'<GetShipmentStatus xmlns="{NS}"><KEY>&x;</KEY></GetShipmentStatus>'
        "</soap:Body></soap:Envelope>"
    ).encode()


def test_release_retry_conflict_and_change_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """The same calls with the store on PostgreSQL (its own INSERT ... ON CONFLICT paths)."""
    for pg in start(tmp_path, database_url=pg_url):
        client = pg.client()
        order = shipment("0000480001")
        first = client.service.ReleaseOrder(DOCNUM="4811000001", Shipment=order)
        again = client.service.ReleaseOrder(DOCNUM="4811000001", Shipment=order)
        assert zeep.helpers.serialize_object(again) == zeep.helpers.serialize_object(first)
        with pytest.raises(Fault, match="already used for a different request"):
            client.service.ReleaseOrder(
                DOCNUM="4811000001", Shipment=shipment("0000480001", weight="1")
            )
        changed = client.service.ChangeOrder(DOCNUM="4811000002", Shipment=order)
        assert [first.Tender[0].PURPOSE, changed.Tender[0].PURPOSE] == ["00", "04"]
        assert first.Tender[0].ISA13 != changed.Tender[0].ISA13
        assert len(pg.gw.store.list_outbox(destination="demo-carrier")) == 2
        assert [r.state for r in pg.gw.store.list_soap_requests()] == ["done", "done"]


def test_the_soap_bench_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """bench/bench_soap.py on tiny sizes, so it cannot rot (no timing is asserted)."""
    from bench import bench_soap

    monkeypatch.setattr("sys.argv", ["bench_soap.py", "--orders", "2", "--queries", "2"])
    bench_soap.main()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["ReleaseOrder", "GetShipmentStatus"]
    assert all("n=   2" in line for line in lines)
