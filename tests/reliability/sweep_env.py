"""The workload, channels and ledger of the crash sweep and the disk-full test.

Two 214s from the demo carrier (each with PRO and shipment numbers of its own) and one order
released by the ERP, sent on the channel a run needs: watch folders, the carrier's SFTP server,
REST ingest (httpx, with an Idempotency-Key) or the SOAP service (zeep, as the ERP's client).
The receiving peers are real: the carrier's folder or SFTP upload folder, the ERP's and the
portal's folders, and the TMS's HTTP server counting effects per Idempotency-Key. The figures
are tests/reliability/ledger.py's, plus the few states it does not look at (`EXTRA_REQUIRED`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import requests
import requests.auth
import zeep
import zeep.exceptions
from zeep.transports import Transport

from gateway.ops import API_KEY_HEADER
from gateway.store import MessageStatus, OutboxStatus
from tests.integration.gateway_env import demo_214
from tests.integration.soap_env import shipment
from tests.integration.test_outbound_204 import tender_json
from tests.peers.http_peer import HttpPeer
from tests.reliability.gateway_proc import (
    CARRIER_KEY,
    SOAP_PASSWORD,
    SOAP_USER,
    GatewayProcess,
    Home,
)
from tests.reliability.ledger import (
    Artifact,
    FolderPeer,
    HttpEffects,
    Ledger,
    LedgerFigures,
    Peer,
    x12_ids,
)

REQUIRED = dict(LedgerFigures.REQUIRED)
# what the ledger's figures do not cover, required 0 as well: interchanges left open, SOAP
# requests left "processing", held deliveries; `.part` files left on the carrier's server;
# messages that did not end parsed (failed or quarantined by a crash)
EXTRA_REQUIRED = {"OPEN": 0, "PART_LEFT": 0, "NOT_PARSED": 0}
MESSAGES = 3  # two 214 interchanges and one released order
DOCNUM, TKNUM = "4799000001", "0000479001"
IDEMPOTENCY_KEY = "sweep-214-1"


def channel_of(point: str) -> str:
    for prefix in ("sftp", "soap", "rest"):
        if point.startswith(prefix + "_"):
            return prefix
    return "folder"


# ------------------------------------------------------------------ workload and channels


def status_214(isa13: str, tag: str, gs06: str) -> bytes:
    """A two-set 214 whose PRO and shipment numbers (PRO<tag>1, ...) and group control number
    are this file's own, so its effects and its 997 differ from any other file's."""
    data = demo_214(isa13, sets=2)
    for old, new in (
        (b"B10*PRO", f"B10*PRO{tag}"),
        (b"*SHIP", f"*SHIP{tag}"),
        (b"*0900*501*X*", f"*0900*{gs06}*X*"),
        (b"~GE*2*501~", f"~GE*2*{gs06}~"),
    ):
        assert old in data
        data = data.replace(old, new.encode())
    return data


def place_workload(home: Home, channel: str) -> tuple[Ledger, bytes]:
    """Two 214s from the carrier and one released order from the ERP, on the run's channels;
    returns the ledger and the 214 that REST posts (the SOAP call is recorded by `drive`)."""
    ledger = Ledger()
    first, second = status_214("000001000", "A", "501"), status_214("000002000", "B", "502")
    posted = first
    carrier_in = home.root / "inbox" / "demo-carrier"
    carrier_in.mkdir(parents=True, exist_ok=True)
    for name, data, tag in (("214-1.edi", first, "A"), ("214-2.edi", second, "B")):
        isa13, gs06, st02 = x12_ids(data)
        where: Path | None
        if channel == "sftp":
            assert home.remote is not None
            where, kind = home.remote.inbound / name, "sftp"
        elif channel == "rest" and data is posted:
            where, kind = None, "rest_x12"
        else:
            where, kind = carrier_in / name, "folder"
        if where is not None:
            where.write_bytes(data)
        ledger.record(
            Artifact(
                channel=kind,
                partner="demo-carrier",
                data=data,
                name=name,
                isa13=isa13,
                gs06=gs06,
                st02=st02,
                business_keys=(f"SHIP{tag}1", f"SHIP{tag}2", f"PRO{tag}1", f"PRO{tag}2"),
                expect=("erp", "tms", "portal"),
                source=where,
            )
        )
    if channel != "soap":
        order = tender_json("LOAD-SWEEP-1")
        erp_in = home.root / "inbox" / "erp"
        erp_in.mkdir(parents=True, exist_ok=True)
        (erp_in / "order-1.json").write_bytes(order)
        ledger.record(
            Artifact(
                channel="folder",
                partner="erp",
                data=order,
                name="order-1.json",
                business_keys=("LOAD-SWEEP-1", "12345678"),  # the ERP order, the 204's B2
                expect=("demo-carrier", "tms"),
                source=erp_in / "order-1.json",
            )
        )
    return ledger, posted


class RecordingSession(requests.Session):
    """The ERP's HTTP session, keeping the bodies it sent (the bytes the gateway archives)."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if request.method == "POST" and isinstance(request.body, bytes):
            self.bodies.append(request.body)
        return super().send(request, **kwargs)


def soap_release(url: str) -> tuple[Any, bytes]:
    """ReleaseOrder as the ERP's zeep client sends it (HTTP Basic, hardened settings);
    (the answer, or the exception, and the body sent)."""
    session = RecordingSession()
    session.auth = requests.auth.HTTPBasicAuth(SOAP_USER, SOAP_PASSWORD)
    transport = Transport(session=session, timeout=15, operation_timeout=15)
    settings = zeep.Settings(forbid_dtd=True, forbid_entities=True, strict=True)
    client = zeep.Client(f"{url}/soap?wsdl", transport=transport, settings=settings)
    try:
        answer: Any = client.service.ReleaseOrder(DOCNUM=DOCNUM, Shipment=shipment(TKNUM))
    except (requests.RequestException, zeep.exceptions.Error) as exc:
        answer = exc
    return answer, session.bodies[-1] if session.bodies else b""


def rest_post(url: str, body: bytes) -> httpx.Response | httpx.TransportError:
    try:
        return httpx.post(
            f"{url}/api/v1/partners/demo-carrier/x12",
            content=body,
            headers={
                "Content-Type": "application/edi-x12",
                API_KEY_HEADER: CARRIER_KEY,
                "Idempotency-Key": IDEMPOTENCY_KEY,
            },
            timeout=15,
        )
    except httpx.TransportError as exc:
        return exc


def drive(
    proc: GatewayProcess, channel: str, ledger: Ledger, posted: bytes, *, crashing: bool
) -> None:
    """The SOAP or REST call of the run. Into the crashing process it must fail (the process
    dies before it answers); into the restarted one, the client's retry must succeed."""
    if channel == "soap":
        answer, body = soap_release(proc.url())
        if crashing:
            assert isinstance(answer, requests.RequestException), answer
            ledger.record(
                Artifact(
                    channel="soap",
                    partner="erp",
                    data=body,
                    name=f"DOCNUM {DOCNUM}",
                    business_keys=(TKNUM,),
                    expect=("demo-carrier", "tms"),
                )
            )
        else:
            assert not isinstance(answer, Exception), answer
            assert [t.PARTNER for t in answer.Tender] == ["demo-carrier"], answer
            assert body == ledger.by_name(f"DOCNUM {DOCNUM}").data  # the same call again
    elif channel == "rest":
        answer = rest_post(proc.url(), posted)
        if crashing:
            assert isinstance(answer, httpx.TransportError), answer
        else:
            assert isinstance(answer, httpx.Response), answer
            assert answer.status_code in (200, 202), answer.text


# ------------------------------------------------------------------ the ledger


def peers(home: Home, tms: HttpPeer) -> list[Peer]:
    """The receiving peers: the carrier's folder (or SFTP upload folder), the ERP's and the
    portal's folders, the TMS's HTTP server (effects per Idempotency-Key)."""
    return [
        FolderPeer("demo-carrier", home.carrier_out()),
        FolderPeer("erp", home.root / "outbox" / "erp"),
        FolderPeer("portal", home.root / "outbox" / "portal"),
        HttpEffects("tms", tms),
    ]


def figures(home: Home, ledger: Ledger, tms: HttpPeer) -> dict[str, Any]:
    """The ledger's figures (tests/reliability/ledger.py) and the extra ones."""
    extra = [home.remote.inbound] if home.remote is not None else []
    result = ledger.check(home.store_url, home.root, peers(home, tms), extra_sources=extra)
    out: dict[str, Any] = result.as_dict()
    store = home.open_store()
    try:
        interchanges = store.list_interchanges(limit=100_000)
        open_ = sum(1 for i in interchanges if i.outcome == "processing")
        open_ += sum(1 for r in store.list_soap_requests() if r.state == "processing")
        open_ += len(store.list_outbox(status=OutboxStatus.HELD, limit=100_000))
        messages = store.list_messages(limit=100_000)
        out["OPEN"] = open_
        out["NOT_PARSED"] = sum(1 for m in messages if m.status is not MessageStatus.PARSED)
    finally:
        store.close()
    out["PART_LEFT"] = (
        sum(1 for p in home.remote.root.rglob("*.part")) if home.remote is not None else 0
    )
    if result.failures():
        out["detail"] = result.detail
    return out
