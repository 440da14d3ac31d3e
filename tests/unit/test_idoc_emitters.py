"""Canonical -> IDoc renderers: byte-exact golden files, XSD validity of everything emitted, and
the values SAP will read back.

Regenerate the golden files after an intended change with `UPDATE_GOLDEN=1 pytest <this file>`
and review the diff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from gateway.canonical import (
    ChargeKind,
    ChargeLine,
    Contact,
    Correlation,
    DateKind,
    DateTimeValue,
    Equipment,
    FreightInvoice,
    LadingLine,
    LoadTender,
    Location,
    Money,
    Note,
    Party,
    PartyIdentifier,
    PartyRole,
    Purpose,
    Reference,
    ReferenceKind,
    ShipmentStatus,
    StatusKind,
    Stop,
    StopKind,
    TenderAction,
    TenderResponse,
    TimeWindow,
    TrackingEvent,
    Weight,
    WeightUnit,
    WindowKind,
)
from gateway.idoc import (
    Idoc,
    IdocFieldError,
    IdocPartnerConfig,
    RenderedIdoc,
    load_schema,
    read_idocs,
)
from transforms.idoc_invoice import render_freight_invoice
from transforms.idoc_shipment import (
    Deadline,
    ShipmentIdocCodes,
    render_load_tender,
    render_shipment_status,
    render_tender_response,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "idoc"
CREATED = dt.datetime(2024, 3, 5, 14, 7, 9, tzinfo=dt.UTC)
CHICAGO = dt.timezone(dt.timedelta(hours=-6))  # CST on these March dates
PROFILE = IdocPartnerConfig(
    sndpor="EDIGW",
    sndprt="LS",
    sndprn="EDIGATEWAY",
    rcvpor="SAPPRD",
    rcvprt="LS",
    rcvprn="PRDCLNT100",
    mandt="100",
    time_zone="America/Chicago",
    sap_time_zone="CST",
)


def _golden(name: str, rendered: RenderedIdoc) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(rendered.data)
    assert rendered.data == path.read_bytes(), f"{name} differs from the golden file"


def _valid(rendered: RenderedIdoc) -> Idoc:
    """Validate independently of the builder, then read back with the inbound reader."""
    schema = load_schema(rendered.idoctyp)
    assert schema.xmlschema.validate(etree.fromstring(rendered.data)), schema.xmlschema.error_log
    (idoc,) = read_idocs(rendered.data)
    assert idoc.direct == "2"
    assert idoc.warnings == ()
    return idoc


def _carrier() -> Party:
    return Party(
        role=PartyRole.CARRIER,
        entity_code="CA",
        name="ACME Freight Lines",
        location=Location(
            address_lines=("400 Dock Rd",), city="Joliet", state="IL", postal_code="60431"
        ),
        contacts=(Contact(name="Dispatch", phone="815-555-0100", email="ops@acme.example"),),
    )


def _status() -> ShipmentStatus:
    chicago = Location(city="Chicago", state="IL", country="US")
    delivery = Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value="80001234")
    return ShipmentStatus(
        scac="ACME",
        pro_number="PRO778899",
        shipment_id="4711",
        correlation=Correlation(bol="BOL-5521"),
        parties=(_carrier(),),
        equipment=(Equipment(owner_scac="ACMU", number="123456"),),
        events=(
            TrackingEvent(
                status=StatusKind.ARRIVED_AT_PICKUP,
                is_mapped=True,
                status_code="X3",
                event_time=dt.datetime(2024, 3, 4, 7, 45, tzinfo=CHICAGO),
                location=chicago,
            ),
            TrackingEvent(
                status=StatusKind.LOADED,
                is_mapped=True,
                status_code="CP",
                event_time=dt.datetime(2024, 3, 4, 9, 10, tzinfo=CHICAGO),
            ),
            TrackingEvent(
                status=StatusKind.PICKED_UP,
                is_mapped=True,
                status_code="AF",
                event_time=dt.datetime(2024, 3, 4, 9, 30, tzinfo=CHICAGO),
                location=chicago,
            ),
            TrackingEvent(
                status=StatusKind.IN_TRANSIT,
                is_mapped=True,
                status_code="X6",
                reason_code="NS",
                event_time=dt.datetime(2024, 3, 5, 2, 0, tzinfo=dt.UTC),
                location=Location(city="Indianapolis", state="IN", country="US"),
            ),
            TrackingEvent(
                status=StatusKind.ESTIMATED_DELIVERY,
                is_mapped=True,
                is_estimate=True,
                status_code="AG",
                event_date=dt.date(2024, 3, 6),
            ),
            TrackingEvent(
                status=StatusKind.DELIVERED,
                is_mapped=True,
                status_code="D1",
                event_time=dt.datetime(2024, 3, 6, 11, 5, tzinfo=CHICAGO),
                references=(delivery,),
            ),
        ),
        notes=(Note(text="Driver reports <fragile> & \x07 oversize load ]]>"),),
    )


def test_shipment_status_golden() -> None:
    rendered = render_shipment_status(_status(), PROFILE, created=CREATED, docnum=1001)
    _golden("shipment_status_SHPMNT05.xml", rendered)
    assert (rendered.idoctyp, rendered.mestyp, rendered.docnum) == (
        "SHPMNT05",
        "SHPMNT",
        "0000000000001001",
    )


def test_shipment_status_values() -> None:
    idoc = _valid(render_shipment_status(_status(), PROFILE, created=CREATED, docnum=1001))
    assert (idoc.idoctyp, idoc.mestyp, idoc.docnum) == ("SHPMNT05", "SHPMNT", "0000000000001001")
    assert (idoc.control["CREDAT"], idoc.control["CRETIM"]) == ("20240305", "080709")
    header = idoc.find("E1EDT20")
    assert header is not None
    assert dict(header.fields) == {
        "TKNUM": "0000004711",
        "SIGNI": "ACMU123456",
        "EXTI1": "PRO778899",
        "EXTI2": "BOL-5521",
        "STTRG": "6",  # shipment start reached; the delivery is a delivery-level event
    }
    controls = [(s.get("QUALF"), s.get("PARAM")) for s in header.find_all("E1EDT18")]
    assert controls == [
        ("PID", "TKNUM"),  # SAP finds its shipment by TKNUM
        ("CHA", "STTRG"),
        ("CHA", "E1EDT10"),
        ("CHA", "E1EDT13"),
        ("CHA", "E1TXTH6"),
    ]
    carrier = header.find("E1ADRM4")
    assert carrier is not None
    assert (carrier.get("PARTNER_Q"), carrier.get("PARTNER_ID"), carrier.get("NAME1")) == (
        "SP",
        "ACME",
        "ACME Freight Lines",
    )
    deadlines = {d.get("QUALF"): dict(d.fields) for d in header.find_all("E1EDT10")}
    assert deadlines == {
        "002": {"QUALF": "002", "ISDD": "20240304", "ISDZ": "074500"},
        "003": {"QUALF": "003", "IEDD": "20240304", "IEDZ": "091000"},
        "005": {"QUALF": "005", "NTEND": "20240306", "ISDD": "20240304", "ISDZ": "093000"},
    }
    delivery = header.find("E1EDL20")
    assert delivery is not None and delivery.get("VBELN") == "0080001234"
    (pod,) = delivery.find_all("E1EDT13")
    assert dict(pod.fields) == {
        "QUALF": "007",
        "TZONE_BEG": "CST",
        "ISDD": "20240306",
        "ISDZ": "110500",
    }
    lines = [line.get("TDLINE") for line in header.iter("E1TXTP6")]
    assert lines[0] == "2024-03-04 07:45 -0600 X3 arrived_at_pickup Chicago IL US"
    assert lines[3] == "2024-03-04 20:00 -0600 X6 in_transit reason NS Indianapolis IN US"
    assert lines[5] == "2024-03-06 11:05 -0600 D1 delivered"
    # markup in data stays data; the control character became a space
    assert lines[-1] == "Driver reports <fragile> & oversize load ]]>"
    assert len(lines) == 7
    assert idoc.segment_count == 1 + 5 + 1 + 3 + 1 + 7 + 1 + 1  # E1EDT18: PID + 4 CHA


def test_shipment_delivered_without_delivery_is_shipment_end() -> None:
    event = TrackingEvent(
        status=StatusKind.DELIVERED,
        is_mapped=True,
        event_time=dt.datetime(2024, 3, 6, 17, 5, tzinfo=dt.UTC),
    )
    status = ShipmentStatus(shipment_id="4711", events=(event,))
    idoc = _valid(render_shipment_status(status, PROFILE, created=CREATED))
    header = idoc.find("E1EDT20")
    assert header is not None and header.get("STTRG") == "7"
    (deadline,) = header.find_all("E1EDT10")
    assert dict(deadline.fields) == {"QUALF": "005", "IEDD": "20240306", "IEDZ": "110500"}
    assert header.find("E1ADRM4") is None


def test_custom_deadline_codes() -> None:
    codes = ShipmentIdocCodes(
        shipment_deadlines={StatusKind.IN_TRANSIT: Deadline("Z01")}, sttrg={}, text_id="Z001"
    )
    event = TrackingEvent(
        status=StatusKind.IN_TRANSIT, is_mapped=True, event_date=dt.date(2024, 3, 5)
    )
    status = ShipmentStatus(shipment_id="4711", events=(event,))
    idoc = _valid(render_shipment_status(status, PROFILE, created=CREATED, codes=codes))
    header = idoc.find("E1EDT20")
    assert header is not None and header.get("STTRG") == ""
    (deadline,) = header.find_all("E1EDT10")
    assert dict(deadline.fields) == {"QUALF": "Z01", "ISDD": "20240305"}
    text = header.find("E1TXTH6")
    assert text is not None and text.get("TDID") == "Z001"


def test_erp_order_wins_over_shipment_id_and_a_number_is_required() -> None:
    status = ShipmentStatus(shipment_id="TMS-1", correlation=Correlation(erp_order="4711"))
    header = _valid(render_shipment_status(status, PROFILE, created=CREATED)).find("E1EDT20")
    assert header is not None and header.get("TKNUM") == "0000004711"
    with pytest.raises(IdocFieldError) as info:
        render_shipment_status(ShipmentStatus(scac="ACME"), PROFILE, created=CREATED)
    assert (info.value.segment, info.value.field) == ("E1EDT20", "TKNUM")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"shipment_id": "SHIPMENT-2024-000001"}, "TKNUM"),  # not a 10-character SAP number
        ({"pro_number": "P" * 21}, "EXTI1"),
    ],
)
def test_keys_that_do_not_fit_are_refused(change: dict[str, str], field: str) -> None:
    status = _status().model_copy(update=change)
    with pytest.raises(IdocFieldError) as info:
        render_shipment_status(status, PROFILE, created=CREATED)
    assert info.value.field == field


def test_injection_attempt_stays_one_field() -> None:
    hostile = '</TDLINE></E1TXTP6><E1EDT10 SEGMENT="1"><QUALF>005</QUALF></E1EDT10>'
    status = ShipmentStatus(shipment_id="4711", notes=(Note(text=hostile),))
    rendered = render_shipment_status(status, PROFILE, created=CREATED)
    idoc = _valid(rendered)
    header = idoc.find("E1EDT20")
    assert header is not None
    assert header.find_all("E1EDT10") == ()
    assert idoc.segment_count == 5  # E1EDT20, E1EDT18 PID and CHA, E1TXTH6, E1TXTP6
    assert " ".join(line.get("TDLINE") for line in header.iter("E1TXTP6")) == hostile


def _response(action: TenderAction, code: str) -> TenderResponse:
    return TenderResponse(
        shipment_id="4711",
        scac="ACME",
        action=action,
        action_code=code,
        responded_at=dt.datetime(2024, 3, 1, 16, 30, tzinfo=dt.UTC),
        decline_reason_code="A13" if action is TenderAction.DECLINED else None,
        references=(Reference(qualifier="CN", kind=ReferenceKind.PRO, value="PRO778899"),),
        notes=(Note(text="Equipment available from 06:00"),),
    )


def test_tender_response_accepted_golden() -> None:
    rendered = render_tender_response(
        _response(TenderAction.ACCEPTED, "A"), PROFILE, created=CREATED, docnum=1002
    )
    _golden("tender_response_accepted_SHPMNT05.xml", rendered)
    header = _valid(rendered).find("E1EDT20")
    assert header is not None
    assert (header.get("TKNUM"), header.get("EXTI1")) == ("0000004711", "PRO778899")
    carrier = header.find("E1ADRM4")
    assert carrier is not None and carrier.get("PARTNER_ID") == "ACME"
    lines = [line.get("TDLINE") for line in header.iter("E1TXTP6")]
    assert lines == [
        "TENDER ACCEPTED A ACME",
        "RESPONDED 2024-03-01 10:30:00 America/Chicago",
        "Equipment available from 06:00",
    ]


def test_tender_response_declined_assigns_no_carrier() -> None:
    rendered = render_tender_response(
        _response(TenderAction.DECLINED, "D"), PROFILE, created=CREATED
    )
    header = _valid(rendered).find("E1EDT20")
    assert header is not None
    assert header.find("E1ADRM4") is None
    lines = [line.get("TDLINE") for line in header.iter("E1TXTP6")]
    assert lines[:3] == [
        "TENDER DECLINED D ACME",
        "RESPONDED 2024-03-01 10:30:00 America/Chicago",
        "DECLINE REASON A13",
    ]


def _when(day: int, hour: int, kind: DateKind) -> DateTimeValue:
    return DateTimeValue(
        kind=kind,
        date=dt.date(2024, 3, day),
        time=f"{hour:02d}00",
        instant=dt.datetime(2024, 3, day, hour, 0, tzinfo=CHICAGO),
    )


def sample_tender(purpose: Purpose = Purpose.ORIGINAL, erp_order: str | None = None) -> LoadTender:
    shipper = Party(
        role=PartyRole.SHIPPER,
        entity_code="SH",
        name="Catalyst Paper Mill 7",
        identifiers=(PartyIdentifier(qualifier="93", value="1000"),),
        location=Location(
            address_lines=("1 Mill Rd",), city="Crofton", state="BC", postal_code="V0R 1R0"
        ),
    )
    consignee = Party(
        role=PartyRole.CONSIGNEE,
        entity_code="CN",
        name="Printing Works of the Greater Chicago Metropolitan Area Incorporated",
        location=Location(
            address_lines=("77 Press Ave", "Dock 4"),
            city="Chicago",
            state="IL",
            postal_code="60601-1234",
            country="US",
        ),
    )
    lading = (
        LadingLine(
            line_number=1,
            description="Coated paper rolls",
            quantity=Decimal("22"),
            packaging_code="PLT",
            weight=Weight(value=Decimal("18000"), unit=WeightUnit.POUNDS, qualifier="G"),
        ),
        LadingLine(
            line_number=2, description="Core plugs", quantity=Decimal("1"), packaging_code="BAG"
        ),
    )
    delivery = Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value="80001234")
    return LoadTender(
        shipment_id="TMS-88653",
        scac="ACME",
        purpose=purpose,
        correlation=Correlation(erp_order=erp_order, bol="BOL-5521"),
        parties=(shipper, _carrier()),
        equipment=(Equipment(number="53123", type_code="TL"),),
        stops=(
            Stop(
                sequence=1,
                reason_code="LD",
                kind=StopKind.PICKUP,
                party=shipper,
                windows=(
                    TimeWindow(
                        kind=WindowKind.PICKUP,
                        start=_when(4, 7, DateKind.PICKUP_NOT_BEFORE),
                        end=_when(4, 11, DateKind.PICKUP_NOT_AFTER),
                    ),
                ),
                references=(delivery,),
            ),
            Stop(
                sequence=2,
                reason_code="UL",
                kind=StopKind.DELIVERY,
                party=consignee,
                windows=(
                    TimeWindow(
                        kind=WindowKind.DELIVERY,
                        start=_when(6, 8, DateKind.DELIVERY_NOT_BEFORE),
                        end=_when(6, 12, DateKind.DELIVERY_NOT_AFTER),
                    ),
                ),
                references=(delivery,),
                weight=Weight(value=Decimal("18250"), unit=WeightUnit.POUNDS, qualifier="G"),
                lading_quantity=23,
                lading=lading,
            ),
        ),
        notes=(Note(text="Call 1 hour before arrival"),),
    )


def test_load_tender_golden() -> None:
    rendered = render_load_tender(sample_tender(), PROFILE, created=CREATED, docnum=1003)
    _golden("load_tender_SHPMNT05.xml", rendered)
    assert rendered.truncated == ()


def test_load_tender_values() -> None:
    idoc = _valid(render_load_tender(sample_tender(), PROFILE, created=CREATED))
    header = idoc.find("E1EDT20")
    assert header is not None
    assert dict(header.fields) == {"SIGNI": "53123", "EXTI1": "TMS-88653", "EXTI2": "BOL-5521"}
    assert [s.get("QUALF") for s in header.find_all("E1EDT18")] == ["ORI"]
    assert [(p.get("PARTNER_Q"), p.get("PARTNER_ID")) for p in header.find_all("E1ADRM4")] == [
        ("SP", "ACME"),
        ("OSP", "1000"),
    ]
    (plan,) = header.find_all("E1EDT10")
    assert dict(plan.fields) == {
        "QUALF": "005",
        "NTANF": "20240304",
        "NTANZ": "070000",
        "NTEND": "20240306",
        "NTENZ": "120000",
    }
    (delivery,) = header.find_all("E1EDL20")
    assert dict(delivery.fields) == {
        "VBELN": "0080001234",
        "BTGEW": "18250",
        "GEWEI": "LBR",
        "ANZPK": "23",
    }
    ship_to = delivery.find("E1ADRM1")
    assert ship_to is not None
    assert ship_to.get("NAME1") == "Printing Works of the Greater Chicago"
    assert ship_to.get("NAME2") == "Metropolitan Area Incorporated"
    assert ship_to.get("POSTL_COD1") == "60601-1234"
    assert (ship_to.get("STREET1"), ship_to.get("STREET2")) == ("77 Press Ave", "Dock 4")
    assert [dict(d.fields) for d in delivery.find_all("E1EDT13")] == [
        {"QUALF": "006", "NTANF": "20240304", "NTANZ": "070000", "TZONE_BEG": "CST"},
        {
            "QUALF": "007",
            "NTANF": "20240306",
            "NTANZ": "080000",
            "NTEND": "20240306",
            "NTENZ": "120000",
            "TZONE_BEG": "CST",
            "TZONE_END": "CST",
        },
    ]
    items = delivery.find_all("E1EDL24")
    assert [dict(i.fields) for i in items] == [
        {
            "POSNR": "000010",
            "ARKTX": "Coated paper rolls",
            "LFIMG": "22",
            "VRKME": "PF",
            "BRGEW": "18000",
            "GEWEI": "LBR",
        },
        {"POSNR": "000020", "ARKTX": "Core plugs", "LFIMG": "1", "VRKME": "BG"},
    ]


@pytest.mark.parametrize(
    ("purpose", "action"),
    [(Purpose.CHANGE, "CHA"), (Purpose.REPLACE, "CHA"), (Purpose.CANCEL, "DEL")],
)
def test_load_tender_change_and_cancel(purpose: Purpose, action: str) -> None:
    idoc = _valid(render_load_tender(sample_tender(purpose, "4711"), PROFILE, created=CREATED))
    header = idoc.find("E1EDT20")
    assert header is not None
    assert header.get("TKNUM") == "0000004711"
    assert [s.get("QUALF") for s in header.find_all("E1EDT18")] == [action]
    with pytest.raises(IdocFieldError, match="needs the SAP shipment number"):
        render_load_tender(sample_tender(purpose), PROFILE, created=CREATED)


def test_load_tender_with_unknown_purpose_is_refused() -> None:
    with pytest.raises(IdocFieldError, match="no SAP action"):
        render_load_tender(sample_tender(Purpose.OTHER, "4711"), PROFILE, created=CREATED)


def _invoice() -> FreightInvoice:
    bill_to = Party(
        role=PartyRole.BILL_TO,
        entity_code="BT",
        name="Catalyst Paper Corporation Accounts Payable Department",
        identifiers=(PartyIdentifier(qualifier="93", value="0001005022"),),
        location=Location(
            address_lines=("2nd Floor", "3600 Lysander Lane"),
            city="Richmond",
            state="BC",
            postal_code="V7B 1C3",
            country="CA",
        ),
    )
    consignee = Party(
        role=PartyRole.CONSIGNEE,
        entity_code="CN",
        name="Printing Works",
        location=Location(city="Chicago", state="IL", postal_code="60601-1234", country="US"),
    )
    usd = "USD"
    return FreightInvoice(
        invoice_number="INV-0659",
        scac="ACME",
        shipment_id="4711",
        bill_date=dt.date(2024, 3, 7),
        delivery_date=dt.date(2024, 3, 6),
        payment_method_code="PP",
        total_due=Money(amount=Decimal("659.40"), currency=usd),
        total_charge=Money(amount=Decimal("659.40"), currency=usd),
        total_weight=Weight(value=Decimal("18250"), unit=WeightUnit.POUNDS),
        correlation=Correlation(pro="PRO778899", po=("4500001234",)),
        charges=(
            ChargeLine(
                line_number=1,
                code="400",
                kind=ChargeKind.FREIGHT,
                description="Line haul",
                rate=Decimal("4.95"),
                rate_qualifier="PH",
                amount=Money(amount=Decimal("903.38"), currency=usd),
                weight=Weight(value=Decimal("18250"), unit=WeightUnit.POUNDS),
            ),
            ChargeLine(
                line_number=1,
                code="FUE",
                kind=ChargeKind.FUEL_SURCHARGE,
                amount=Money(amount=Decimal("201.51"), currency=usd),
            ),
            ChargeLine(
                line_number=2,
                code="DSC",
                kind=ChargeKind.DISCOUNT,
                rate=Decimal("50"),
                rate_qualifier="PC",
                amount=Money(amount=Decimal("-445.49"), currency=usd),
            ),
        ),
        parties=(bill_to, consignee, _carrier()),
        references=(
            Reference(qualifier="PO", kind=ReferenceKind.PO, value="4500001234"),
            Reference(qualifier="PO", kind=ReferenceKind.PO, value="4500001299"),
            Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value="0080001234"),
        ),
    )


def test_freight_invoice_golden() -> None:
    config = dataclasses.replace(PROFILE, mescod="MM")
    rendered = render_freight_invoice(_invoice(), config, created=CREATED, docnum=1004)
    _golden("freight_invoice_INVOIC02.xml", rendered)
    assert (rendered.idoctyp, rendered.mestyp) == ("INVOIC02", "INVOIC")


def test_freight_invoice_values() -> None:
    config = dataclasses.replace(PROFILE, mescod="MM")
    idoc = _valid(render_freight_invoice(_invoice(), config, created=CREATED, docnum=1004))
    assert (idoc.idoctyp, idoc.mestyp, idoc.control["MESCOD"]) == ("INVOIC02", "INVOIC", "MM")
    header = idoc.find("E1EDK01")
    assert header is not None
    assert dict(header.fields) == {
        "CURCY": "USD",
        "BSART": "INVO",
        "BELNR": "INV-0659",
        "BRGEW": "18250",
        "GEWEI": "LBR",
    }
    partners = {p.get("PARVW"): p for p in idoc.find_all("E1EDKA1")}
    assert list(partners) == ["RS", "RE", "WE"]
    assert (partners["RS"].get("PARTN"), partners["RS"].get("NAME1")) == (
        "ACME",
        "ACME Freight Lines",
    )
    bill_to = partners["RE"]
    assert bill_to.get("PARTN") == "0001005022"
    assert bill_to.get("NAME1") == "Catalyst Paper Corporation Accounts"
    assert bill_to.get("NAME2") == "Payable Department"
    assert (bill_to.get("STRAS"), bill_to.get("STRS2")) == ("2nd Floor", "3600 Lysander Lane")
    assert partners["WE"].get("PSTLZ") == "60601"  # ZIP+4 does not fit PSTLZ (9)
    references = [
        (r.get("QUALF"), r.get("BELNR"), r.get("DATUM")) for r in idoc.find_all("E1EDK02")
    ]
    assert references == [
        ("009", "INV-0659", "20240307"),
        ("001", "4500001234", ""),
        ("001", "4500001299", ""),
        ("012", "0080001234", ""),
    ]
    assert [(d.get("IDDAT"), d.get("DATUM")) for d in idoc.find_all("E1EDK03")] == [
        ("012", "20240307"),
        ("026", "20240307"),
    ]
    lines = [line.get("TDLINE") for line in idoc.iter("E1EDKT2")]
    assert lines == ["SCAC ACME PRO PRO778899 SHIPMENT 4711", "DELIVERED 2024-03-06"]
    items = idoc.find_all("E1EDP01")
    assert [i.get("POSEX") for i in items] == ["000010", "000020", "000030"]
    conditions = [dict(c.fields) for i in items for c in i.find_all("E1EDP05")]
    assert conditions == [
        {
            "ALCKZ": "+",
            "KOTXT": "Line haul",
            "BETRG": "903.38",
            "KRATE": "4.95",
            "UPRBS": "100",
            "MEAUN": "LBR",
            "KOEIN": "USD",
        },
        {"ALCKZ": "+", "KOTXT": "fuel surcharge", "BETRG": "201.51", "KOEIN": "USD"},
        {"ALCKZ": "-", "KOTXT": "discount", "BETRG": "445.49", "KOEIN": "USD"},
    ]
    amounts = [a.get("BETRG") for i in items for a in i.find_all("E1EDP26")]
    assert amounts == ["903.38", "201.51", "-445.49"]
    assert sum(Decimal(a) for a in amounts) == Decimal("659.40")
    codes = [c.get("IDTNR") for i in items for c in i.find_all("E1EDP19")]
    assert codes == ["400", "FUE", "DSC"]
    totals = [(s.get("SUMID"), s.get("SUMME"), s.get("WAERQ")) for s in idoc.find_all("E1EDS01")]
    assert totals == [("011", "659.40", "USD"), ("010", "659.40", "USD")]


def test_freight_invoice_in_two_currencies_is_refused() -> None:
    invoice = _invoice()
    charge = invoice.charges[0].model_copy(
        update={"amount": Money(amount=Decimal("1"), currency="CAD")}
    )
    with pytest.raises(IdocFieldError, match="not in the invoice currency USD"):
        render_freight_invoice(
            invoice.model_copy(update={"charges": (charge,)}), PROFILE, created=CREATED
        )


def test_extension_root_is_validated_as_its_basic_type() -> None:
    rendered = render_freight_invoice(_invoice(), PROFILE, created=CREATED, cimtyp="ZINVOIC")
    (idoc,) = read_idocs(rendered.data)
    assert (idoc.root_tag, idoc.idoctyp, idoc.cimtyp) == ("ZINVOIC", "INVOIC02", "ZINVOIC")
    assert etree.fromstring(rendered.data).tag == "ZINVOIC"
