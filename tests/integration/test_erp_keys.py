"""End to end through the real pipeline (SQLite store, folder transport): a carrier's 214 and
210 held in the thread of an ERP order reach the ERP as IDocs with the ERP's own keys; an
update for a shipment the ERP never sent waits in the hold queue until the order arrives."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from gateway.idoc import load_schema, read_idocs
from gateway.settings import Settings
from gateway.store import _threads
from tests.erp_orders import BOL, PO, erp_order
from tests.integration.gateway_env import DEMO_ISA, drop, gateway, make_home


def _x12(isa13: str, functional_id: str, sets: list[list[str]]) -> bytes:
    body: list[str] = []
    for n, segments in enumerate(sets, start=1):
        st = f"{n:04d}"
        body += [segments[0] + f"*{st}", *segments[1:], f"SE*{len(segments) + 1}*{st}"]
    gs = f"8{isa13[-3:]}"
    return (
        DEMO_ISA
        + f"240306*0900*U*00401*{isa13}*0*P*>~"
        + f"GS*{functional_id}*DEMOCARRIER*LOGIGATEWAY*20240306*0900*{gs}*X*004010~"
        + "~".join(body)
        + f"~GE*{len(sets)}*{gs}~IEA*1*{isa13}~"
    ).encode()


def carrier_214(
    isa13: str, shipment: str = "SHP-42", *, bol: bool = True, status: str = "D1"
) -> bytes:
    """The carrier's status with its own shipment id and (or not) the BOL of the ERP's order."""
    segments = ["ST*214", f"B10*PRO778899*{shipment}*DEMO"]
    segments += [f"L11*{BOL}*BM"] if bol else []
    segments += ["LX*1", f"AT7*{status}*NS***20240306*1430*CT", "MS1*HOUSTON*TX*US"]
    return _x12(isa13, "QM", [segments])


def carrier_210(isa13: str) -> bytes:
    """The carrier's invoice: line haul, fuel and GST (5 %), 1207.50 in all."""
    return _x12(
        isa13,
        "IM",
        [
            [
                "ST*210",
                "B3**INV-9001*SHP-42*PP**20240307*120750****DEMO",
                f"N9*BM*{BOL}",
                "N1*BT*ACME RETAIL PAYABLES",
                "LX*1",
                "L1*1***100000****400",
                "LX*2",
                "L1*2***15000****FUE",
                "LX*3",
                "L1*3***5750****GST",
                "L3*****120750",
            ]
        ],
    )


def idocs(settings: Settings, prefix: str) -> list[bytes]:
    folder = settings.outbox_dir / "erp"
    found = sorted(folder.glob(f"{prefix}-*.xml")) if folder.exists() else []
    return [p.read_bytes() for p in found]


def _one_valid_idoc(data: bytes, idoctyp: str) -> None:
    root = etree.fromstring(data)
    assert root.tag == idoctyp and len(root.findall("IDOC")) == 1  # one IDoc per file
    assert load_schema(idoctyp).xmlschema.validate(root)


def test_214_and_210_in_an_erp_orders_thread_carry_the_erps_keys(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order.json", erp_order().model_dump_json().encode())
    gw.tick()
    drop(settings, "demo-carrier", "status.edi", carrier_214("000009001"))
    gw.tick()
    (status,) = idocs(settings, "SHPMNT05")
    _one_valid_idoc(status, "SHPMNT05")
    (idoc,) = read_idocs(status)
    header = idoc.find("E1EDT20")
    assert header is not None
    assert header.get("TKNUM") == "0000004711"  # the ERP's shipment, not the carrier's SHP-42
    control = header.find_all("E1EDT18")[0]
    assert (control.get("QUALF"), control.get("PARAM")) == ("PID", "TKNUM")
    carrier = header.find("E1ADRM4")
    assert carrier is not None and carrier.get("PARTNER_ID") == "0000100001"  # LIFNR

    # a later status names only the carrier's own id: the thread still leads to the order
    drop(settings, "demo-carrier", "later.edi", carrier_214("000009003", bol=False, status="X1"))
    gw.tick()
    assert [read_idocs(d)[0].find("E1EDT20").get("TKNUM") for d in idocs(settings, "SHPMNT05")] == [
        "0000004711",
        "0000004711",
    ]

    drop(settings, "demo-carrier", "invoice.edi", carrier_210("000009002"))
    gw.tick()
    assert gw.store.list_waiting() == []
    (invoice,) = idocs(settings, "INVOIC02")
    _one_valid_idoc(invoice, "INVOIC02")
    (idoc,) = read_idocs(invoice)
    vendor = idoc.find("E1EDKA1")
    assert vendor is not None and (vendor.get("PARVW"), vendor.get("PARTN")) == ("LF", "0000100001")
    items = idoc.find_all("E1EDP01")
    lines = [(r.get("BELNR"), r.get("ZEILE")) for i in items for r in i.find_all("E1EDP02")]
    assert lines == [(PO, "000010"), (PO, "000020")]  # the tender's PO lines
    amounts = [Decimal(a.get("BETRG")) for i in items for a in i.find_all("E1EDP26")]
    assert amounts == [Decimal("1000.00"), Decimal("150.00")]
    (tax,) = idoc.find_all("E1EDK04")
    assert (tax.get("MWSKZ"), Decimal(tax.get("MWSBT"))) == ("I1", Decimal("57.50"))
    totals = {s.get("SUMID"): Decimal(s.get("SUMME")) for s in idoc.find_all("E1EDS01")}
    assert totals == {"010": Decimal("1150.00"), "005": Decimal("57.50"), "011": Decimal("1207.50")}


def test_an_update_for_a_shipment_the_erp_never_sent_waits_for_its_order(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    erp = settings.partners_dir / "erp.yaml"
    erp.write_text(
        erp.read_text().replace("resolve_by_reference: true", "resolve_by_reference: false")
    )
    gw = gateway(settings)
    drop(settings, "demo-carrier", "status.edi", carrier_214("000009101", shipment="4711"))
    gw.tick()
    assert idocs(settings, "SHPMNT05") == []
    (waiting,) = gw.store.list_waiting()
    assert "waits for the order of erp" in (waiting.reason or "")
    drop(settings, "erp", "order.json", erp_order().model_dump_json().encode())
    gw.tick()
    assert gw.store.list_waiting() == []
    (status,) = idocs(settings, "SHPMNT05")
    header = read_idocs(status)[0].find("E1EDT20")
    assert header is not None and header.get("TKNUM") == "0000004711"


def test_by_the_carriers_reference_where_the_erp_profile_says_sap_resolves_it(
    tmp_path: Path,
) -> None:
    settings = make_home(tmp_path)  # demo-carrier: resolve_by_reference: true
    gw = gateway(settings)
    drop(settings, "demo-carrier", "status.edi", carrier_214("000009201"))
    gw.tick()
    assert gw.store.list_waiting() == []
    (status,) = idocs(settings, "SHPMNT05")
    header = read_idocs(status)[0].find("E1EDT20")
    assert header is not None
    assert (header.get("TKNUM"), header.get("EXTI1")) == ("", "PRO778899")
    assert header.find_all("E1EDT18")[0].get("PARAM") == "EXTI1"


def test_an_erp_profile_without_posting_gets_the_carriers_keys_as_before(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    erp = settings.partners_dir / "erp.yaml"
    text = erp.read_text()
    erp.write_text(
        text[: text.index("  # What SAP posts against")] + text[text.index("routing:") :]
    )
    gw = gateway(settings)
    drop(settings, "demo-carrier", "status.edi", carrier_214("000009301", shipment="S-77"))
    gw.tick()
    assert gw.store.list_waiting() == []
    (status,) = idocs(settings, "SHPMNT05")
    header = read_idocs(status)[0].find("E1EDT20")
    assert header is not None and header.get("TKNUM") == "S-77"  # B10-02, no lookup


def test_a_chunk_of_214s_gets_the_keys_each_would_get_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 214s in one interchange (one chunk), searched 20 values at a time: the 59 the ERP
    never sent are proven orderless by batch searches (`Store.erp_orderless`) instead of one
    lookup each, and the one in the order's thread, in the last batch, still gets the ERP's
    keys (looked up with the others of its batch, one by one)."""
    monkeypatch.setattr(_threads, "_ORDERLESS_BATCH", 20)
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order.json", erp_order().model_dump_json().encode())
    gw.tick()
    sets = [
        ["ST*214", f"B10*PRO{n:06d}*SHP-{n}*DEMO", "LX*1", "AT7*X1*NS***20240306*1430*CT"]
        for n in range(59)
    ]
    sets.append(["ST*214", "B10*PRO778899*SHP-42*DEMO", f"L11*{BOL}*BM", "LX*1",
                 "AT7*D1*NS***20240306*1430*CT"])  # fmt: skip
    lookups: list[Sequence[str]] = []
    one_by_one = gw.store.erp_order

    def counted(values: Sequence[str]) -> dict[str, Any] | None:
        lookups.append(values)
        return one_by_one(values)

    gw.store.erp_order = counted  # type: ignore[method-assign]  # counts the real store's calls
    drop(settings, "demo-carrier", "status.edi", _x12("000009401", "QM", sets))
    gw.tick()
    assert gw.store.list_waiting() == []
    headers = [read_idocs(d)[0].find("E1EDT20") for d in idocs(settings, "SHPMNT05")]
    keys = sorted((h.get("TKNUM"), h.get("EXTI1")) for h in headers if h is not None)
    assert len(keys) == 60
    assert keys.count(("0000004711", "PRO778899")) == 1  # the ERP's shipment, found in the chunk
    assert sum(1 for tknum, _ in keys if tknum == "") == 59  # the carrier's reference
    # 121 values in 7 batches of 20: the batch holding the BOL reaches the order, so its 214s
    # (9 others and the one with the BOL) are looked up one by one; the other 50 need no lookup
    assert len(lookups) == 10
