"""Delivery and shipment IDocs from SAP -> canonical LoadTender (load_tender_from_idoc)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.canonical import (
    DateKind,
    Purpose,
    ReferenceKind,
    SourceFormat,
    StopKind,
    TimeZoneSource,
    WarningCode,
    WeightUnit,
)
from gateway.idoc import IdocMappingError, read_idocs
from tests.unit.test_idoc_emitters import PROFILE, sample_tender
from transforms.idoc_shipment import load_tender_from_idoc, render_load_tender

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
DELVRY = (
    SAMPLES / "unresolved-repo__python-escm-xml_reader-test__DELVRY01_SHPCON_two_IDOCs_embedded.xml"
)
ARDO = SAMPLES / "hansRapnhap__xquery-linux__INVOIC02_ZINV_ARDO_SAP_Invoice.xml"


def test_delvry01_sample_becomes_two_load_tenders() -> None:
    tenders = [load_tender_from_idoc(idoc) for idoc in read_idocs(DELVRY.read_bytes())]
    assert [t.shipment_id for t in tenders] == ["0012724677", "0012724678"]
    tender = tenders[0]
    assert tender.source.format is SourceFormat.IDOC_XML
    assert tender.correlation.erp_order == "0012724677"
    assert tender.purpose is Purpose.ORIGINAL  # E1EDL18 PIC/NWT/GWT are no action codes
    assert [(r.qualifier, r.kind, r.value) for r in tender.references] == [
        ("DO", ReferenceKind.DELIVERY_ORDER, "0012724677")
    ]
    assert tender.totals is not None and tender.totals.weight is not None
    assert (tender.totals.weight.value, tender.totals.weight.unit) == (
        Decimal("99"),
        WeightUnit.KILOGRAMS,
    )
    pickup, drop = tender.stops
    assert (pickup.sequence, pickup.kind, drop.sequence, drop.kind) == (
        1,
        StopKind.PICKUP,
        2,
        StopKind.DELIVERY,
    )
    # E1EDT13 010 (picking, actual, time 000000 = none) happens at the shipping point
    (picked,) = pickup.dates
    assert (picked.qualifier, picked.kind, picked.date, picked.time, picked.instant) == (
        "010",
        DateKind.OTHER,
        dt.date(2023, 6, 12),
        None,
        None,
    )
    assert drop.dates == ()
    lines = drop.lading
    assert [line.line_number for line in lines] == [10, 20]
    assert [line.quantity for line in lines] == [Decimal("300"), Decimal("24")]
    assert [line.packaging_code for line in lines] == ["UN", "UN"]
    assert [line.description for line in lines] == [
        "material 0000000000X001",
        "material 000000000000X002",
    ]
    assert [line.weight.value if line.weight else None for line in lines] == [
        Decimal("75.000"),
        Decimal("3.096"),
    ]
    assert tender.warnings == ()


def _delvry(e1edl20_body: str, control: str = "") -> bytes:
    return (
        "<DELVRY07><IDOC BEGIN='1'><EDI_DC40 SEGMENT='1'><IDOCTYP>DELVRY07</IDOCTYP>"
        f"<MESTYP>DESADV</MESTYP>{control}</EDI_DC40>"
        f"<E1EDL20 SEGMENT='1'>{e1edl20_body}</E1EDL20></IDOC></DELVRY07>"
    ).encode()


def test_delivery_partners_dates_and_zones() -> None:
    body = (
        "<VBELN>0080001234</VBELN><VOLUM>12.5</VOLUM><VOLEH>MTQ</VOLEH><ANZPK>00023</ANZPK>"
        "<BOLNR>BOL-5521</BOLNR><TRAID>TRL 53123</TRAID>"
        "<E1EDL18 SEGMENT='1'><QUALF>CHG</QUALF></E1EDL18>"
        "<E1ADRM1 SEGMENT='1'><PARTNER_Q>OSP</PARTNER_Q><PARTNER_ID>1000</PARTNER_ID>"
        "<NAME1>Mill 7</NAME1><CITY1>Crofton</CITY1><COUNTRY1>CAN</COUNTRY1></E1ADRM1>"
        "<E1ADRM1 SEGMENT='1'><PARTNER_Q>WE</PARTNER_Q><PARTNER_ID>0001005022</PARTNER_ID>"
        "<NAME1>Printing Works</NAME1><NAME2>Dock 4</NAME2><STREET1>77 Press Ave</STREET1>"
        "<POSTL_COD1>60601</POSTL_COD1><CITY1>Chicago</CITY1><REGION>IL</REGION>"
        "<COUNTRY1>US</COUNTRY1></E1ADRM1>"
        "<E1ADRM1 SEGMENT='1'><PARTNER_Q>ZX</PARTNER_Q><NAME1>Broker</NAME1></E1ADRM1>"
        "<E1EDT13 SEGMENT='1'><QUALF>006</QUALF><NTANF>20240304</NTANF><NTANZ>070000</NTANZ>"
        "<TZONE_BEG>CST</TZONE_BEG></E1EDT13>"
        "<E1EDT13 SEGMENT='1'><QUALF>007</QUALF><NTANF>20240306</NTANF><NTANZ>080000</NTANZ>"
        "<TZONE_BEG>UTC</TZONE_BEG><NTEND>20240306</NTEND><NTENZ>120000</NTENZ>"
        "<TZONE_END>XYZ</TZONE_END></E1EDT13>"
        "<E1EDL24 SEGMENT='1'><POSNR>000010</POSNR><ARKTX>Paper rolls</ARKTX>"
        "<LFIMG>22</LFIMG><VRKME>PF</VRKME><BRGEW>8165.5</BRGEW><GEWEI>KGM</GEWEI></E1EDL24>"
    )
    tender = load_tender_from_idoc(read_idocs(_delvry(body))[0], time_zone="Europe/Berlin")
    assert tender.purpose is Purpose.CHANGE
    assert tender.correlation.bol == "BOL-5521"
    assert [e.number for e in tender.equipment] == ["TRL 53123"]
    assert tender.totals is not None
    assert tender.totals.lading_quantity == Decimal("23")
    assert tender.totals.volume is not None and tender.totals.volume.value == Decimal("12.5")
    roles = [(p.role.value, p.entity_code) for p in tender.parties]
    assert roles == [("ship_from", "SF"), ("ship_to", "ST"), ("other", "ZX")]
    pickup, drop = tender.stops
    assert pickup.party is not None and pickup.party.name == "Mill 7"
    assert pickup.party.location is not None and pickup.party.location.country == "CA"
    assert drop.party is not None
    assert drop.party.name == "Printing Works Dock 4"
    assert [(i.qualifier, i.value) for i in drop.party.identifiers] == [("93", "0001005022")]
    (goods_issue,) = pickup.dates
    assert goods_issue.kind is DateKind.REQUESTED_PICKUP
    assert goods_issue.instant == dt.datetime(2024, 3, 4, 13, 0, tzinfo=dt.UTC)
    assert (goods_issue.zone, goods_issue.zone_source) == (
        "America/Chicago",
        TimeZoneSource.STATED,
    )
    begin, end = drop.dates
    assert (begin.kind, begin.instant, begin.zone_source) == (
        DateKind.REQUESTED_DELIVERY,
        dt.datetime(2024, 3, 6, 8, 0, tzinfo=dt.UTC),
        TimeZoneSource.STATED,
    )
    # an SAP zone code nobody can map falls back to the profile's zone, with a warning
    assert (end.zone, end.zone_source) == ("Europe/Berlin", TimeZoneSource.PARTNER_DEFAULT)
    assert end.instant == dt.datetime(2024, 3, 6, 11, 0, tzinfo=dt.UTC)
    (line,) = drop.lading
    assert line.weight is not None
    assert (line.weight.value, line.weight.unit, line.weight.unit_code) == (
        Decimal("8165.5"),
        WeightUnit.KILOGRAMS,
        "KGM",
    )
    warnings = sorted((w.code, w.segment_id) for w in tender.warnings)
    assert warnings == [
        (WarningCode.UNMAPPED_CODE, "E1ADRM1"),  # partner function ZX
        (WarningCode.UNMAPPED_CODE, "E1EDT13"),  # SAP time zone XYZ
    ]


def test_times_without_any_zone_are_read_as_utc_with_a_warning() -> None:
    body = (
        "<VBELN>1</VBELN><E1EDT13 SEGMENT='1'><QUALF>007</QUALF><ISDD>20240306</ISDD>"
        "<ISDZ>101500</ISDZ></E1EDT13>"
    )
    tender = load_tender_from_idoc(read_idocs(_delvry(body))[0])
    (delivered,) = tender.stops[1].dates
    assert delivered.kind is DateKind.DELIVERED
    assert delivered.instant == dt.datetime(2024, 3, 6, 10, 15, tzinfo=dt.UTC)
    assert delivered.zone_source is TimeZoneSource.ASSUMED_UTC
    assert [w.code for w in tender.warnings] == [WarningCode.ASSUMED_TIME_ZONE]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("<VBELN>1</VBELN><BTGEW>1,5</BTGEW><GEWEI>KGM</GEWEI>", WarningCode.INVALID_NUMBER),
        ("<VBELN>1</VBELN><BTGEW>7</BTGEW><GEWEI>XXX</GEWEI>", WarningCode.UNMAPPED_CODE),
        (
            "<VBELN>1</VBELN><E1EDT13 SEGMENT='1'><QUALF>006</QUALF><NTANF>20241340</NTANF>"
            "</E1EDT13>",
            WarningCode.INVALID_DATE,
        ),
    ],
)
def test_bad_values_become_warnings(body: str, code: WarningCode) -> None:
    tender = load_tender_from_idoc(read_idocs(_delvry(body))[0])
    assert [w.code for w in tender.warnings] == [code]


def test_trailing_minus_and_placeholder_dates() -> None:
    body = (
        "<VBELN>1</VBELN><BTGEW>12.50-</BTGEW><GEWEI>KGM</GEWEI>"
        "<E1EDT13 SEGMENT='1'><QUALF>006</QUALF><NTANF>00000000</NTANF></E1EDT13>"
    )
    tender = load_tender_from_idoc(read_idocs(_delvry(body))[0])
    assert tender.totals is not None and tender.totals.weight is not None
    assert tender.totals.weight.value == Decimal("-12.50")
    assert tender.stops[0].dates == ()
    assert tender.warnings == ()


def test_rendered_shipment_reads_back_as_the_same_load() -> None:
    """SHPMNT05 written by render_load_tender, read by load_tender_from_idoc."""
    rendered = render_load_tender(
        sample_tender(Purpose.CHANGE, "4711"),
        PROFILE,
        created=dt.datetime(2024, 3, 5, tzinfo=dt.UTC),
    )
    (idoc,) = read_idocs(rendered.data)
    tender = load_tender_from_idoc(idoc, time_zone=PROFILE.time_zone)
    assert tender.shipment_id == "0000004711"
    assert tender.purpose is Purpose.CHANGE
    assert [e.number for e in tender.equipment] == ["53123"]
    assert {(r.description, r.value) for r in tender.references} == {
        (None, "0000004711"),
        ("EXTI1", "TMS-88653"),
        ("EXTI2", "BOL-5521"),
    }
    assert [(p.role.value, p.name) for p in tender.parties] == [
        ("carrier", "ACME Freight Lines"),
        ("ship_from", "Catalyst Paper Mill 7"),
    ]
    planned = {d.kind: d.instant for d in tender.dates}
    assert planned == {
        DateKind.REQUESTED_PICKUP: dt.datetime(2024, 3, 4, 13, 0, tzinfo=dt.UTC),
        DateKind.REQUESTED_DELIVERY: dt.datetime(2024, 3, 6, 18, 0, tzinfo=dt.UTC),
    }
    pickup, drop = tender.stops
    assert pickup.party is not None and pickup.party.name == "Catalyst Paper Mill 7"
    assert [r.value for r in pickup.references] == ["0080001234"]
    assert drop.party is not None
    assert drop.party.name == "Printing Works of the Greater Chicago Metropolitan Area Incorporated"
    assert [line.description for line in drop.lading] == ["Coated paper rolls", "Core plugs"]
    assert [d.kind for d in drop.dates] == [DateKind.REQUESTED_DELIVERY] * 2
    assert [n.text for n in tender.notes] == ["Call 1 hour before arrival"]
    assert tender.warnings == ()


def test_shipment_idoc_without_deliveries_and_without_number() -> None:
    data = (
        b"<SHPMNT05><IDOC BEGIN='1'><EDI_DC40 SEGMENT='1'><IDOCTYP>SHPMNT05</IDOCTYP></EDI_DC40>"
        b"<E1EDT20 SEGMENT='1'><TKNUM>0000004711</TKNUM><E1EDT18 SEGMENT='1'><QUALF>DEL</QUALF>"
        b"</E1EDT18></E1EDT20></IDOC></SHPMNT05>"
    )
    tender = load_tender_from_idoc(read_idocs(data)[0])
    assert (tender.shipment_id, tender.purpose, tender.stops) == ("0000004711", Purpose.CANCEL, ())
    with pytest.raises(IdocMappingError, match="without E1EDT20-TKNUM"):
        load_tender_from_idoc(read_idocs(data.replace(b"0000004711", b""))[0])


def test_other_idoc_types_are_refused() -> None:
    (invoice,) = read_idocs(ARDO.read_bytes())
    with pytest.raises(IdocMappingError, match="INVOIC02 / INVOIC is not a delivery"):
        load_tender_from_idoc(invoice)
    with pytest.raises(IdocMappingError, match="without E1EDL20-VBELN"):
        load_tender_from_idoc(read_idocs(_delvry("<LIFEX>x</LIFEX>"))[0])


def test_unknown_time_zone_is_refused_up_front() -> None:
    with pytest.raises(ValueError, match="Mars"):
        load_tender_from_idoc(read_idocs(_delvry("<VBELN>1</VBELN>"))[0], time_zone="Mars/Base")
