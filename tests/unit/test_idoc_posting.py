"""IDocs SAP can post: the ERP's own keys (TKNUM, PO items, vendor, company code, tax codes)
in SHPMNT05 and INVOIC02, totals that reconcile, XSD validity, and the project's reader
reading every emitted IDoc back to the canonical values it came from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest
from lxml import etree

from gateway.canonical import FreightInvoice, ShipmentStatus, StatusKind, TrackingEvent
from gateway.idoc import Idoc, IdocFieldError, IdocPartnerConfig, load_schema, read_idocs
from gateway.pipeline.translate_idoc import IdocBatchError, batch_document
from gateway.registry import check
from tests.conftest import REPO
from tests.erp_orders import PO, TKNUM, carrier_invoice, erp_order
from transforms.erp_keys import (
    BY_CARRIER_REFERENCE,
    ErpItem,
    ErpKeys,
    ErpVendor,
    keys_from_order,
)
from transforms.idoc_invoice import render_freight_invoice
from transforms.idoc_shipment import render_shipment_status, render_tender_response

CREATED = dt.datetime(2024, 3, 5, 14, 7, 9, tzinfo=dt.UTC)
PROFILE = IdocPartnerConfig(
    sndpor="EDIGW",
    sndprt="LS",
    sndprn="EDIGATEWAY",
    rcvpor="SAPPRD",
    rcvprt="LS",
    rcvprn="PRDCLNT100",
    mandt="100",
    mescod="MM",
    time_zone="America/Chicago",
)
POSTING = ErpKeys(
    vendor=ErpVendor("0000100001", "LF"),
    company_code="1000",
    tax_codes=MappingProxyType({"GST": "I1", "HST": "I2"}),
)


def _keys() -> ErpKeys:
    found = keys_from_order(erp_order())
    return dataclasses.replace(
        POSTING,
        shipment=found.shipment,
        order=found.order,
        items=found.items,
        deliveries=found.deliveries,
    )


def _valid(data: bytes) -> Idoc:
    """XSD-valid (checked apart from the builder) and read back by the project's reader."""
    root = etree.fromstring(data)
    schema = load_schema(root.findtext("IDOC/EDI_DC40/IDOCTYP") or "")
    assert schema.xmlschema.validate(root), schema.xmlschema.error_log
    (idoc,) = read_idocs(data)
    assert idoc.warnings == ()
    return idoc


def _amount(text: str) -> Decimal:
    return Decimal(text)


def test_the_orders_keys() -> None:
    keys = keys_from_order(erp_order())
    assert keys.shipment == TKNUM and keys.order == TKNUM
    assert keys.items == (
        ErpItem(PO, "10", Decimal(1), "EA", "0080001234"),
        ErpItem(PO, "20", Decimal(1), "EA", "0080001234"),
    )
    assert keys.deliveries == ("0080001234",)


def test_an_order_read_from_a_delivery_has_no_shipment_number() -> None:
    order = erp_order(number="0080001234")  # a DELVRY's VBELN is the ERP order
    assert keys_from_order(order).shipment is None


# --- INVOIC02 --------------------------------------------------------------------------------


def _read_invoice(idoc: Idoc) -> dict[str, object]:
    """What SAP's invoice verification reads (help.sap.com MM-IV-LIV inbound table)."""
    header = idoc.find("E1EDK01")
    assert header is not None
    items = idoc.find_all("E1EDP01")
    return {
        "invoice": header.get("BELNR"),
        "currency": header.get("CURCY"),
        "vendor": [
            (p.get("PARVW"), p.get("PARTN"), p.get("LIFNR"))
            for p in idoc.find_all("E1EDKA1")
            if p.get("PARVW") in ("LF", "RS")
        ],
        "company": [p.get("PARTN") for p in idoc.find_all("E1EDKA1") if p.get("PARVW") == "RE"],
        "reference": [r.get("BELNR") for r in idoc.find_all("E1EDK02") if r.get("QUALF") == "009"],
        "po_lines": [
            (r.get("BELNR"), r.get("ZEILE")) for i in items for r in i.find_all("E1EDP02")
        ],
        "quantities": [(i.get("MENGE"), i.get("MENEE")) for i in items],
        "amounts": [_amount(a.get("BETRG")) for i in items for a in i.find_all("E1EDP26")],
        "codes": [c.get("IDTNR") for i in items for c in i.find_all("E1EDP19")],
        "header_tax": [
            (t.get("MWSKZ"), t.get("MSATZ"), _amount(t.get("MWSBT")))
            for t in idoc.find_all("E1EDK04")
        ],
        "item_tax": [
            [(t.get("MWSKZ"), _amount(t.get("MWSBT"))) for t in i.find_all("E1EDP04")]
            for i in items
        ],
        "totals": {s.get("SUMID"): _amount(s.get("SUMME")) for s in idoc.find_all("E1EDS01")},
    }


def test_invoice_is_posted_against_the_tenders_po_lines() -> None:
    invoice = carrier_invoice()
    keys = _keys()
    rendered = render_freight_invoice(invoice, PROFILE, created=CREATED, keys=keys)
    values = _read_invoice(_valid(rendered.data))
    # the carrier as SAP's vendor, the company code, the carrier's invoice number
    assert values["vendor"] == [("LF", "0000100001", "0000100001")]
    assert values["company"] == ["1000"]
    assert values["reference"] == [invoice.invoice_number]
    # E1EDP02 lines are exactly the tender's PO lines, each charge on its own item
    tender_lines = [(i.po, i.item.zfill(6)) for i in keys.items]
    assert values["po_lines"] == tender_lines == [(PO, "000010"), (PO, "000020")]
    assert values["quantities"] == [("1", "EA"), ("1", "EA")]
    # read back: the same canonical values (service charges as items, GST as tax)
    services = [c for c in invoice.charges if c.code != "GST"]
    assert values["invoice"] == invoice.invoice_number and values["currency"] == "USD"
    assert values["amounts"] == [c.amount.amount for c in services]
    assert values["codes"] == [c.code for c in services]
    assert values["header_tax"] == [("I1", "5", Decimal("57.50"))]
    assert values["item_tax"] == [[("I1", Decimal("50.00"))], [("I1", Decimal("7.50"))]]


GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "idoc"


@pytest.mark.parametrize(
    "name", ["freight_invoice_posting_INVOIC02.xml", "status_erp_keys_SHPMNT05.xml"]
)
def test_posting_golden(name: str) -> None:
    """Byte-exact; regenerate with UPDATE_GOLDEN=1 and review the diff."""
    if name.startswith("freight"):
        data = render_freight_invoice(
            carrier_invoice(), PROFILE, created=CREATED, docnum=2001, keys=_keys()
        ).data
    else:
        data = render_shipment_status(
            _status(), PROFILE, created=CREATED, docnum=2002, keys=_keys()
        ).data
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from the golden file"


def test_invoice_totals_reconcile() -> None:
    invoice = carrier_invoice()
    rendered = render_freight_invoice(invoice, PROFILE, created=CREATED, keys=_keys())
    values = _read_invoice(_valid(rendered.data))
    totals = values["totals"]
    assert isinstance(totals, dict)
    amounts = values["amounts"]
    assert isinstance(amounts, list)
    item_tax = values["item_tax"]
    assert isinstance(item_tax, list)
    assert totals["010"] == sum(amounts) == Decimal("1150.00")  # net = the items
    assert totals["005"] == sum(a for lines in item_tax for _, a in lines) == Decimal("57.50")
    assert totals["011"] == totals["010"] + totals["005"] == invoice.total_due.amount


def test_an_invoice_that_does_not_add_up_is_refused() -> None:
    invoice = carrier_invoice(total="1300.00")
    with pytest.raises(IdocFieldError, match="does not add up"):
        render_freight_invoice(invoice, PROFILE, created=CREATED, keys=_keys())


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (dataclasses.replace(_keys(), vendor=None), "no SAP vendor number"),
        (dataclasses.replace(_keys(), tax_codes=MappingProxyType({})), "no SAP tax code"),
        (dataclasses.replace(_keys(), items=()), "no purchase-order item"),
    ],
)
def test_what_sap_could_not_post_is_refused(keys: ErpKeys, message: str) -> None:
    with pytest.raises(IdocFieldError, match=message):
        render_freight_invoice(carrier_invoice(), PROFILE, created=CREATED, keys=keys)


def test_hst_and_an_invoice_without_tax() -> None:
    hst = carrier_invoice().charges[2].model_copy(update={"code": "HST"})
    invoice = carrier_invoice().model_copy(
        update={"charges": (*carrier_invoice().charges[:2], hst)}
    )
    values = _read_invoice(
        _valid(render_freight_invoice(invoice, PROFILE, created=CREATED, keys=_keys()).data)
    )
    assert values["header_tax"] == [("I2", "5", Decimal("57.50"))]
    untaxed: FreightInvoice = carrier_invoice(total="1150.00").model_copy(
        update={"charges": carrier_invoice().charges[:2]}
    )
    values = _read_invoice(
        _valid(render_freight_invoice(untaxed, PROFILE, created=CREATED, keys=_keys()).data)
    )
    assert values["header_tax"] == [] and values["item_tax"] == [[], []]
    assert values["totals"] == {"010": Decimal("1150.00"), "011": Decimal("1150.00")}


# --- SHPMNT05 --------------------------------------------------------------------------------


def _status() -> ShipmentStatus:
    delivered = TrackingEvent(
        status=StatusKind.DELIVERED,
        status_code="D1",
        is_mapped=True,
        event_time=dt.datetime(2024, 3, 6, 20, 30, tzinfo=dt.UTC),
    )
    return ShipmentStatus(
        shipment_id="SHP-42",  # the carrier's own id, which SAP does not know
        pro_number="PRO778899",
        scac="DEMO",
        events=(delivered,),
    )


def test_status_carries_the_erps_shipment_number_and_vendor() -> None:
    status = _status()
    idoc = _valid(render_shipment_status(status, PROFILE, created=CREATED, keys=_keys()).data)
    header = idoc.find("E1EDT20")
    assert header is not None
    assert header.get("TKNUM") == "0000004711"  # not SHP-42
    assert header.get("EXTI1") == "PRO778899"
    controls = [(c.get("QUALF"), c.get("PARAM")) for c in header.find_all("E1EDT18")]
    assert controls[0] == ("PID", "TKNUM")
    assert ("CHA", "E1EDT10") in controls and all(p for _, p in controls)
    carrier = header.find("E1ADRM4")
    assert carrier is not None and carrier.get("PARTNER_ID") == "0000100001"
    # read back: the delivered event is the shipment end, in the profile's zone (CST)
    (deadline,) = header.find_all("E1EDT10")
    assert (deadline.get("QUALF"), deadline.get("IEDD"), deadline.get("IEDZ")) == (
        "005",
        "20240306",
        "143000",
    )
    assert header.get("STTRG") == "7"


def test_status_by_the_carriers_reference_where_sap_resolves_it() -> None:
    keys = dataclasses.replace(
        POSTING, identified_by=BY_CARRIER_REFERENCE, carrier_reference="PRO778899"
    )
    idoc = _valid(render_shipment_status(_status(), PROFILE, created=CREATED, keys=keys).data)
    header = idoc.find("E1EDT20")
    assert header is not None
    assert header.get("TKNUM") == "" and header.get("EXTI1") == "PRO778899"
    assert (header.find_all("E1EDT18")[0].get("PARAM")) == "EXTI1"


def test_status_without_a_shipment_number_is_refused() -> None:
    keys = dataclasses.replace(_keys(), shipment=None)
    with pytest.raises(IdocFieldError, match="no SAP shipment number"):
        render_shipment_status(_status(), PROFILE, created=CREATED, keys=keys)


def test_tender_response_carries_the_erps_keys() -> None:
    from gateway.canonical import TenderAction, TenderResponse

    response = TenderResponse(
        shipment_id=TKNUM, scac="DEMO", action=TenderAction.ACCEPTED, action_code="A"
    )
    idoc = _valid(render_tender_response(response, PROFILE, created=CREATED, keys=_keys()).data)
    header = idoc.find("E1EDT20")
    assert header is not None and header.get("TKNUM") == "0000004711"
    assert [(c.get("QUALF"), c.get("PARAM")) for c in header.find_all("E1EDT18")] == [
        ("PID", "TKNUM"),
        ("CHA", "E1ADRM4"),
        ("CHA", "E1TXTH6"),
    ]


# --- one document with several IDocs, and the profile check ----------------------------------


def test_several_idocs_share_one_root_and_types_do_not_mix() -> None:
    first = render_shipment_status(_status(), PROFILE, created=CREATED, keys=_keys()).data
    second = render_shipment_status(_status(), PROFILE, created=CREATED, docnum=2).data
    batch = batch_document([first, second])
    root = etree.fromstring(batch)
    assert root.tag == "SHPMNT05" and len(root.findall("IDOC")) == 2
    assert load_schema("SHPMNT05").xmlschema.validate(root)
    assert [i.control.get("DOCNUM", "") for i in read_idocs(batch)] == ["", "0000000000000002"]
    invoice = render_freight_invoice(carrier_invoice(), PROFILE, created=CREATED, keys=_keys())
    with pytest.raises(IdocBatchError, match="use --out DIR"):
        batch_document([first, invoice.data])


def test_partners_check_names_unknown_carriers_and_shared_vendors(tmp_path: Path) -> None:
    for path in (REPO / "partners").glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    erp = tmp_path / "erp.yaml"
    erp.write_text(
        erp.read_text().replace(
            'northwind-5010: {vendor: "0000100002"',
            'nobody: {vendor: "0000100001"',
        )
    )
    problems = [str(p) for p in check(tmp_path)]
    assert any("no carrier profile with id 'nobody'" in p for p in problems), problems
    assert any("vendor 0000100001 is also demo-carrier's" in p for p in problems), problems
    bad = erp.read_text().replace('company_code: "1000"', 'company_code: "10000"')
    erp.write_text(bad)
    assert any("company_code" in str(p) for p in check(tmp_path))
