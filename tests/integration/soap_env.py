"""A gateway in-process with its HTTP server (ops API + the ERP SOAP service) on loopback, and
zeep clients configured as an ERP integrator would (pinned safety settings, timeouts)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
import zeep
from requests.auth import HTTPBasicAuth
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from gateway.ops import RunningServer, create_app, serve_in_thread
from gateway.service import Gateway
from gateway.settings import Settings
from gateway.soap.operations import ErpOperations
from tests.integration.gateway_env import gateway, make_home

USER = "erp-soap"
PASSWORD = "canary-soap-secret-7f3a"
ENV = {"ERP_SOAP_PASSWORD": PASSWORD}


@dataclass
class SoapEnv:
    gw: Gateway
    server: RunningServer
    settings: Settings
    ops: ErpOperations

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, *, basic: bool = False, password: str = PASSWORD) -> zeep.Client:
        session = requests.Session()
        if basic:
            session.auth = HTTPBasicAuth(USER, password)
        transport = Transport(session=session, timeout=10, operation_timeout=10)
        settings = zeep.Settings(forbid_dtd=True, forbid_entities=True, strict=True)
        return zeep.Client(
            f"{self.url}/soap?wsdl",
            transport=transport,
            settings=settings,
            wsse=None if basic else UsernameToken(USER, password),
        )

    def outbox(self, who: str) -> list[Path]:
        folder = self.settings.outbox_dir / who
        if not folder.exists():
            return []
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))

    def snapshot(self) -> dict[str, int]:
        """Everything a request could have written: rows, deliveries, archived files."""
        store = self.gw.store
        archive = self.settings.archive_dir
        return {
            "messages": len(store.list_messages(limit=100_000)),
            "outbox": len(store.list_outbox(limit=100_000)),
            "soap_requests": len(store.list_soap_requests()),
            "events": len(store.list_events(limit=100_000)),
            "documents": len(store.list_documents(limit=100_000)),
            "archived": sum(1 for p in archive.rglob("*") if p.is_file())
            if archive.exists()
            else 0,
        }


def start(
    tmp: Path,
    database_url: str | None = None,
    edit_partners: Callable[[Path], None] | None = None,
) -> Iterator[SoapEnv]:
    """`edit_partners(partners_dir)` changes the profiles before the gateway loads them."""
    settings = replace(make_home(tmp), database_url=database_url)
    if edit_partners is not None:
        edit_partners(settings.partners_dir)
    gw = gateway(settings)
    ops = ErpOperations(gw.store, gw.registry, gw.pipeline, gw.archive)
    server = serve_in_thread(
        create_app(gw.store, gw.registry, soap=ops.dispatcher(env=ENV)), port=0
    )
    try:
        yield SoapEnv(gw, server, settings, ops)
    finally:
        server.stop()
        gw.store.close()


def shipment(tknum: str, *, scac: str = "DEMO", weight: str = "1200") -> dict[str, Any]:
    """A released shipment with SHPMNT05 field names (one delivery, one item)."""
    return {
        "TKNUM": tknum,
        "SHTYP": "0001",
        "VSART": "01",
        "SIGNI": "TRAILER-7",
        "Partner": [
            {"PARTNER_Q": "SP", "PARTNER_ID": scac, "NAME1": "Demo Carrier Lines"},
            {
                "PARTNER_Q": "OSP",
                "PARTNER_ID": "1000",
                "NAME1": "Plant Dallas",
                "STREET1": "1 Main St",
                "POSTL_COD1": "75201",
                "CITY1": "Dallas",
                "REGION": "TX",
                "COUNTRY1": "US",
            },
        ],
        "Deadline": [
            {
                "QUALF": "005",
                "NTANF": "20261207",
                "NTANZ": "080000",
                "NTEND": "20261209",
                "NTENZ": "170000",
                "TZONE_BEG": "CST",
                "TZONE_END": "CST",
            }
        ],
        "Delivery": [
            {
                "VBELN": f"80{tknum[-8:]}",
                "BTGEW": Decimal(weight),
                "GEWEI": "KGM",
                "ANZPK": Decimal("4"),
                "Partner": [
                    {
                        "PARTNER_Q": "WE",
                        "PARTNER_ID": "C-77",
                        "NAME1": "Consignee Inc",
                        "STREET1": "9 Harbor Rd",
                        "POSTL_COD1": "77002",
                        "CITY1": "Houston",
                        "REGION": "TX",
                        "COUNTRY1": "US",
                    }
                ],
                "Deadline": [{"QUALF": "007", "NTANF": "20261209", "NTANZ": "120000"}],
                "Item": [
                    {
                        "POSNR": "000010",
                        "MATNR": "MAT-1",
                        "ARKTX": "Pallets of widgets",
                        "LFIMG": Decimal("4"),
                        "VRKME": "PAL",
                        "BRGEW": Decimal(weight),
                        "GEWEI": "KGM",
                    }
                ],
            }
        ],
        "TDLINE": ["Call before delivery"],
    }


class Canary:
    """A local HTTP listener that counts every request: any hit means the XML parser fetched."""

    def __init__(self) -> None:
        hits: list[str] = []
        self.hits = hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"canary")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
