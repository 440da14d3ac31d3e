"""`gateway demo`: drop a realistic 214 from the demo carrier and an order from the ERP into the
inbox, so a new user sees the whole path (997, portal/TMS/ERP updates, a 204) in a minute."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

DEMO_SENDER = "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *"


def demo_214(isa13: int, now: datetime) -> bytes:
    """Two shipment statuses (arrived at pickup, delivered) from the demo carrier."""
    day = now.strftime("%Y%m%d")
    segments: list[str] = []
    for n in (1, 2):
        body = [
            f"ST*214*{n:04d}",
            # short ids: SAP's shipment number (TKNUM) holds 10 characters
            f"B10*P{isa13 % 100000:05d}{n}*S{isa13 % 100000:05d}{n}*DEMO",
            f"L11*B{isa13 % 100000:05d}{n}*BM",
            "N1*SH*ACME RETAIL*93*ACME-RETAIL",
            "N1*CN*WAREHOUSE WEST",
            "N4*DALLAS*TX*75201*US",
            "LX*1",
            f"AT7*X3*NS***{day}*0800*CT",
            "MS1*DALLAS*TX*US",
            "LX*2",
            f"AT7*D1*NS***{day}*1430*CT",
            "MS1*HOUSTON*TX*US",
        ]
        body.append(f"SE*{len(body) + 1}*{n:04d}")
        segments.extend(body)
    text = (
        DEMO_SENDER
        + f"{now:%y%m%d}*{now:%H%M}*U*00401*{isa13:09d}*0*P*>~"
        + f"GS*QM*DEMOCARRIER*LOGIGATEWAY*{day}*{now:%H%M}*{isa13}*X*004010~"
        + "~".join(segments)
        + f"~GE*2*{isa13}~IEA*1*{isa13:09d}~\n"
    )
    return text.encode()


def demo_order(order: str) -> bytes:
    """An order released by the ERP (canonical JSON): becomes a 204 to the demo carrier."""
    tender = {
        "document_type": "load_tender",
        "source": {"format": "internal"},
        "correlation": {"erp_order": order, "shipment_id": order, "scac": "DEMO"},
        "shipment_id": order,
        "scac": "DEMO",
        "purpose": "original",
        "stops": [
            {"sequence": 1, "kind": "pickup", "reason_code": "LD"},
            {"sequence": 2, "kind": "delivery", "reason_code": "UL"},
        ],
    }
    return json.dumps(tender, indent=2).encode()


def drop_demo(home: Path) -> list[Path]:
    return drop_demo_with_keys(home)[0]


def demo_keys(n: int) -> dict[str, str]:
    """What `gateway search` finds once the gateway has processed the demo files."""
    return {
        "ERP order": f"D{n % 100000:05d}",
        "PRO": f"P{n % 100000:05d}1",
        "BOL": f"B{n % 100000:05d}1",
        "ISA13": f"{n:09d}",
    }


def drop_demo_with_keys(home: Path) -> tuple[list[Path], dict[str, str]]:
    """Drop the demo files; (their paths, the search keys they carry)."""
    now = datetime.now(UTC)
    n = int(now.timestamp()) % 1_000_000
    files = {
        home / "inbox" / "demo-carrier" / f"demo-214-{n}.edi": demo_214(n, now),
        home / "inbox" / "erp" / f"demo-order-{n}.json": demo_order(f"D{n % 100000:05d}"),
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(data)
        temp.rename(path)  # appear complete: the watcher never sees half a file
    return list(files), demo_keys(n)
