"""The 210 -> FreightInvoice transform on every public 210 sample (golden files) and on synthetic
sets for what the samples lack: 005010 (L11, OID), S5 stops, M7 seals, partner charge maps,
totals that do not add up, bad values.

Golden files hold a readable projection of each invoice (amounts as decimal strings, codes,
kinds, keys, warnings), checked by hand against the sample bytes (see the spot checks below).
To regenerate after a deliberate change: GATEWAY_UPDATE_GOLDEN=1 pytest
tests/unit/test_transform_210.py, then review the diff line by line before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.canonical import (
    ChargeKind,
    FreightInvoice,
    PartyRole,
    PaymentMethod,
    ReferenceKind,
    SourceMetadata,
    StopKind,
    TimeZoneSource,
    WarningCode,
    parse_document,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from tests.conftest import SAMPLES
from tests.x12_sets import sets_of
from transforms.x12_210 import freight_invoice_from_x12
from transforms.x12_common import source_metadata

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "210"

SAMPLES_210 = {
    "EdiFabric__X12.NET__210_FreightInvoice": SAMPLES
    / "EdiFabric__X12.NET__210_FreightInvoice.txt",
    "Inteligenz__X12Parser__210_CN_FreightInvoiceSample1": SAMPLES
    / "Inteligenz__X12Parser__210_CN_FreightInvoiceSample1.txt",
    "Inteligenz__X12Parser__210_CN_FreightInvoiceSample2": SAMPLES
    / "extra"
    / "Inteligenz__X12Parser__210_CN_FreightInvoiceSample2.txt",
    "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice": SAMPLES
    / "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice.txt",
    "indice-co__EDI.Net__210-MGCTLYST-SAMPLE": SAMPLES
    / "indice-co__EDI.Net__210-MGCTLYST-SAMPLE.EDI",
    "xlate__staedi__210_issue128_ts210_80char": SAMPLES
    / "xlate__staedi__210_issue128_ts210_80char.edi",
}


def transform_file(path: Path, **options: Any) -> list[FreightInvoice]:
    """Read a sample with the gateway's reader and transform every 210 in it."""
    return [
        freight_invoice_from_x12(
            ts,
            delimiters=interchange.delimiters,
            envelope=source_metadata(ts, interchange, group),
            **options,
        )
        for ts, interchange, group in sets_of(path, "210")
    ]


def sample(name: str, **options: Any) -> FreightInvoice:
    (doc,) = transform_file(SAMPLES_210[name], **options)
    return doc


def _weight(w: Any) -> list[Any] | None:
    return [str(w.value), w.unit.value, w.unit_code, w.qualifier] if w else None


def project(doc: FreightInvoice) -> dict[str, Any]:
    """The values a reviewer checks against the sample, in plain JSON."""
    return {
        "set_control_number": doc.source.set_control_number,
        "version": doc.source.version,
        "invoice_number": doc.invoice_number,
        "scac": doc.scac,
        "shipment_id": doc.shipment_id,
        "bill_date": doc.bill_date.isoformat() if doc.bill_date else None,
        "delivery_date": doc.delivery_date.isoformat() if doc.delivery_date else None,
        "payment": [
            doc.payment_method_code,
            doc.payment_method.value if doc.payment_method else None,
        ],
        "currency": doc.currency,
        "total_due": str(doc.total_due.amount),
        "total_charge": str(doc.total_charge.amount) if doc.total_charge else None,
        "total_weight": _weight(doc.total_weight),
        "total_quantity": str(doc.total_quantity) if doc.total_quantity is not None else None,
        "correlation": doc.correlation.keys(),
        "charges": [
            {
                "line": c.line_number,
                "code": c.code,
                "kind": c.kind.value,
                "amount": str(c.amount.amount),
                "currency": c.amount.currency,
                "rate": str(c.rate) if c.rate is not None else None,
                "rate_qualifier": c.rate_qualifier,
                "quantity": [str(c.quantity), c.quantity_qualifier] if c.quantity else None,
                "description": c.description,
            }
            for c in doc.charges
        ],
        "lading": [
            {
                "line": item.line_number,
                "description": item.description,
                "quantity": str(item.quantity) if item.quantity is not None else None,
                "packaging": item.packaging_code,
                "weight": _weight(item.weight),
                "commodity": [item.commodity_code, item.commodity_qualifier],
                "freight_class": item.freight_class,
            }
            for item in doc.lading
        ],
        "parties": [
            {
                "role": p.role.value,
                "entity_code": p.entity_code,
                "name": p.name,
                "ids": [[i.qualifier, i.value] for i in p.identifiers],
                "address": list(p.location.address_lines) if p.location else [],
                "city": p.location.city if p.location else None,
                "state": p.location.state if p.location else None,
                "postal_code": p.location.postal_code if p.location else None,
                "country": p.location.country if p.location else None,
                "references": [[r.qualifier, r.value] for r in p.references],
            }
            for p in doc.parties
        ],
        "references": [[r.qualifier, r.kind.value, r.value] for r in doc.references],
        "dates": [
            [
                d.qualifier,
                d.kind.value,
                d.date.isoformat() if d.date else None,
                d.instant.isoformat() if d.instant else None,
            ]
            for d in doc.dates
        ],
        "equipment": [
            [e.owner_scac, e.number, e.type_code, str(e.length_feet) if e.length_feet else None]
            for e in doc.equipment
        ],
        "warnings": [[w.code.value, w.segment_id, w.element, w.value] for w in doc.warnings],
    }


@pytest.mark.parametrize("name", sorted(SAMPLES_210))
def test_sample_matches_golden(name: str) -> None:
    actual = json.loads(json.dumps([project(d) for d in transform_file(SAMPLES_210[name])]))
    golden_path = GOLDEN / f"{name}.json"
    if os.environ.get("GATEWAY_UPDATE_GOLDEN"):
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        golden_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(golden_path.read_text())


@pytest.mark.parametrize("name", sorted(SAMPLES_210))
def test_sample_json_round_trips(name: str) -> None:
    for doc in transform_file(SAMPLES_210[name]):
        dumped = doc.model_dump(mode="json")
        assert parse_document(dumped) == doc
        assert parse_document(json.dumps(dumped)) == doc


@pytest.mark.parametrize("name", sorted(SAMPLES_210))
def test_every_sample_adds_up(name: str) -> None:
    """All six public invoices are arithmetically consistent: no totals warning may appear."""
    doc = sample(name)
    lines = sum((c.amount.amount for c in doc.charges), Decimal(0))
    assert lines == doc.total_due.amount
    assert doc.total_charge is None or doc.total_charge.amount == lines
    assert not [w for w in doc.warnings if w.code is WarningCode.INVALID_NUMBER]


# Spot checks written straight from the sample bytes, independent of the golden files.


def test_indice_negative_discount_and_implied_decimals() -> None:
    doc = sample("indice-co__EDI.Net__210-MGCTLYST-SAMPLE")
    # B3**09851270*75027674*TP**20160707*65940**20160708*035*SCAC*20160707
    assert (doc.invoice_number, doc.shipment_id, doc.scac) == ("09851270", "75027674", "SCAC")
    assert doc.total_due.amount == Decimal("659.40") and doc.total_due.currency == "USD"
    assert doc.payment_method is PaymentMethod.THIRD_PARTY
    assert (doc.bill_date, doc.delivery_date) == (dt.date(2016, 7, 7), dt.date(2016, 7, 8))
    amounts = [(c.code, c.kind, c.amount.amount) for c in doc.charges]
    assert amounts == [
        (None, ChargeKind.OTHER, Decimal("3636.04")),  # L1*1*46.09*PH*363604
        ("CUS", ChargeKind.CUSTOMS, Decimal("15.00")),  # L1*2***1500****CUS
        ("FUE", ChargeKind.FUEL_SURCHARGE, Decimal("26.27")),  # L1*3*26.27*FR*2627****FUE
        ("DSC", ChargeKind.DISCOUNT, Decimal("-3017.91")),  # L1*4***-301791****DSC
    ]
    first = doc.charges[0]
    assert (first.rate, first.rate_qualifier, first.description) == (
        Decimal("46.09"),
        "PH",
        "SKIDS PAPER",
    )
    assert doc.charges[2].description == "FUEL SUR CHG  00.72%"
    (lading,) = doc.lading  # LX 2-4 carry empty L0s: charges, not freight
    assert lading.weight is not None and lading.weight.value == Decimal("7889")
    assert (lading.quantity, lading.packaging_code, lading.freight_class) == (
        Decimal("3"),
        "PCS",
        "70",
    )
    assert doc.total_charge is not None and doc.total_charge.amount == Decimal("659.40")
    consignee = doc.parties[1]
    assert consignee.role is PartyRole.CONSIGNEE and consignee.location is not None
    assert consignee.location.postal_code == "L4K"
    assert not doc.warnings


def test_staedi_wrapped_at_80_columns() -> None:
    doc = sample("xlate__staedi__210_issue128_ts210_80char")
    # "N9*PO*72\n1295" is one value once the reader drops the wrapping line break
    assert doc.correlation.po == ("721295", "109483")
    assert [r.value for r in doc.references] == ["721295", "721295", "109483"]
    assert [c.amount.amount for c in doc.charges] == [
        Decimal("561.86"),
        Decimal("-449.49"),
        Decimal("11.80"),
    ]
    assert doc.total_due.amount == Decimal("124.17")
    # two L5 in LX 1 continue one description
    assert doc.charges[0].description == (
        "PLT  PL FILM/SHEET 15-30P FOOD GRADE  156830-3 CLA SS 775"
    )
    assert doc.lading[0].freight_class == "77.5"
    assert doc.total_weight is not None and doc.total_weight.unit_code == "L"
    bill_to = doc.parties[2]
    assert bill_to.additional_names == ("C/O XXXXXX",)
    assert bill_to.location is not None and bill_to.location.postal_code == "220302545"


def test_dbschenker_period_terminator_and_six_digit_dates() -> None:
    doc = sample("Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice")
    assert doc.bill_date == dt.date(2003, 9, 3)  # B3-06 030903
    assert doc.delivery_date == dt.date(2003, 9, 3)
    assert doc.payment_method is PaymentMethod.COLLECT
    assert [(c.code, c.amount.amount) for c in doc.charges] == [
        ("490", Decimal("45.00")),
        ("405", Decimal("1.40")),
    ]
    assert doc.charges[1].description == "FUEL SURCHARGE"
    # N9 inside the N1 loops stay with their party
    consignee = doc.parties[2]
    assert [(r.qualifier, r.value) for r in consignee.references] == [
        ("IT", "152596"),
        ("CR", "700152596"),
    ]
    # G62*86*030826*8*1425: a local time; Texas spans two zones, so UTC is assumed and said
    (pickup,) = doc.dates
    assert pickup.instant == dt.datetime(2003, 8, 26, 14, 25, tzinfo=dt.UTC)
    assert pickup.zone_source is TimeZoneSource.ASSUMED_UTC
    codes = {(w.code, w.segment_id) for w in doc.warnings}
    assert (WarningCode.UNEXPECTED_SEGMENT, "B2A") in codes
    assert (WarningCode.UNMAPPED_CODE, "L1") in codes
    assert (WarningCode.ASSUMED_TIME_ZONE, "G62") in codes


def test_dbschenker_partner_zone_resolves_local_time() -> None:
    doc = sample(
        "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice",
        default_tz="America/Chicago",
    )
    assert doc.dates[0].instant is not None
    assert doc.dates[0].instant.isoformat() == "2003-08-26T14:25:00-05:00"


def test_cn_rail_invoices() -> None:
    one = sample("Inteligenz__X12Parser__210_CN_FreightInvoiceSample1")
    assert one.total_due.amount == Decimal("2754.33")
    assert [c.amount.amount for c in one.charges] == [Decimal("2510.00"), Decimal("244.33")]
    ens = one.charges[1]  # L1*1*0.1980*PM*24433****ENS*********1234*MR
    assert (ens.rate, ens.rate_qualifier, ens.quantity, ens.quantity_qualifier) == (
        Decimal("0.1980"),
        "PM",
        Decimal("1234"),
        "MR",
    )
    (car,) = one.equipment  # N7*UTLX*666955*...*RR*UTLX***0000
    assert (car.owner_scac, car.number, car.type_code, car.length_feet) == (
        "UTLX",
        "666955",
        "RR",
        None,
    )
    assert one.correlation.bol == "291226"
    two = sample("Inteligenz__X12Parser__210_CN_FreightInvoiceSample2")
    assert two.currency == "CAD"
    assert {c.amount.currency for c in two.charges} == {"CAD"}
    assert two.total_due.amount == Decimal("2083.60")
    assert two.charges[2].kind is ChargeKind.TAX and two.charges[2].amount.amount == Decimal(
        "134.27"
    )


def test_edifabric_invoice() -> None:
    doc = sample("EdiFabric__X12.NET__210_FreightInvoice")
    assert (doc.invoice_number, doc.shipment_id, doc.scac) == ("3410889", "545930791T", "NLMI")
    assert doc.payment_method is PaymentMethod.THIRD_PARTY
    (charge,) = doc.charges
    assert (charge.code, charge.kind, charge.amount.amount) == (
        "400",
        ChargeKind.FREIGHT,
        Decimal("51.65"),
    )
    assert doc.total_weight is not None and doc.total_weight.value == Decimal("2619")
    (trailer,) = doc.equipment
    assert (trailer.number, trailer.type_code, trailer.length_feet) == (
        "53456",
        "TL",
        Decimal("53"),
    )
    shipper = doc.parties[0]
    assert shipper.location is not None and shipper.location.country == "MX"


@pytest.mark.parametrize("name", sorted(SAMPLES_210))
def test_partner_charge_map_overrides(name: str) -> None:
    doc = sample(name, profile_code_maps={"charge_codes": {"ENS": "surcharge", "490": "freight"}})
    for charge in doc.charges:
        if charge.code == "ENS":
            assert charge.kind is ChargeKind.SURCHARGE
        if charge.code == "490":
            assert charge.kind is ChargeKind.FREIGHT
    assert not [
        w for w in doc.warnings if w.code is WarningCode.UNMAPPED_CODE and w.segment_id == "L1"
    ]


# Synthetic sets for what the samples lack.


def parse_set(text: str) -> TransactionSet:
    segments = [
        Segment(elements=raw.strip().split("*"), index=i)
        for i, raw in enumerate(text.strip().split("~"), start=3)
        if raw.strip()
    ]
    return TransactionSet(
        set_id=segments[0].el(1), control_number=segments[0].el(2), segments=segments
    )


def run(text: str, **options: Any) -> FreightInvoice:
    return freight_invoice_from_x12(
        parse_set(text),
        delimiters=Delimiters(),
        envelope=SourceMetadata(version="005010"),
        **options,
    )


SET_5010 = """
ST*210*0001~
B3**INV1*SHIP1*PP*L*20240301*120000**20240305*035*ABCD~
C3*EUR~
L11*BOL77*BM~
L11*PRO9*CN~
G62*86*20240301*8*0830*LT~
N1*SH*SHIPPER*93*S1~N3*1 MAIN ST~N4*CHICAGO*IL*60601*USA~
N1*CN*CONSIGNEE~N4*DENVER*CO*80202*US~
N7*ABCD*TRL1*********TL****5300~
M7*SEAL1*SEAL2~
S5*1*CL*1000*L*5~
L11*PU1*P8~
G62*69*20240301*I*0700*LT~
N1*SF*DOCK 4~N4*CHICAGO*IL~
LX*1~
L11*PO55*PO~
OID**PO56~
L5*1*WIDGETS*123*T~
L0*1***1000*G***5*PLT**L~
L1*1*1000*FR*100000****400~
L1*1***-5000****DSC****VOLUME DISCOUNT~
L7*1******85~
LX*2~
L1*2*50*FR*5000****DET~
L3*1000*G***120000****0*E*5~
SE*27*0001~
"""


def test_005010_set_with_stops_and_seals() -> None:
    doc = run(SET_5010)
    assert doc.currency == "EUR"
    assert doc.total_due == doc.total_charge  # 1200.00 EUR in both
    assert doc.total_due.amount == Decimal("1200.00") and doc.total_due.currency == "EUR"
    assert [(c.kind, c.amount.amount) for c in doc.charges] == [
        (ChargeKind.FREIGHT, Decimal("1000.00")),
        (ChargeKind.DISCOUNT, Decimal("-50.00")),
        (ChargeKind.DETENTION, Decimal("50.00")),
    ]
    # the checked sum is 1000 - 50 + 50 = 1000, not 1200: both totals disagree
    mismatch = [w for w in doc.warnings if w.code is WarningCode.INVALID_NUMBER]
    assert [(w.segment_id, w.element) for w in mismatch] == [("B3", 7), ("L3", 5)]
    assert "1200.00" in mismatch[0].message and "1000.00" in mismatch[0].message
    assert doc.charges[1].description == "VOLUME DISCOUNT"
    assert doc.correlation.bol == "BOL77" and doc.correlation.pro == "PRO9"
    assert doc.correlation.po == ("PO55", "PO56")
    (trailer,) = doc.equipment
    assert trailer.seal_numbers == ("SEAL1", "SEAL2")
    (stop,) = doc.stops
    assert (stop.sequence, stop.kind, stop.lading_quantity) == (1, StopKind.PICKUP, 5)
    assert stop.party is not None and stop.party.name == "DOCK 4"
    assert [r.kind for r in stop.references] == [ReferenceKind.PICKUP]
    # 07:00 local at a Chicago stop: CST on 1 March
    assert stop.dates[0].instant is not None
    assert stop.dates[0].instant.isoformat() == "2024-03-01T07:00:00-06:00"
    # the heading pick-up date is read in the shipper's zone
    assert doc.dates[0].instant is not None
    assert doc.dates[0].instant.isoformat() == "2024-03-01T08:30:00-06:00"
    assert doc.parties[0].location is not None and doc.parties[0].location.country == "US"
    (lading,) = doc.lading
    assert (lading.commodity_code, lading.freight_class) == ("123", "85")
    assert doc.total_weight is not None and doc.total_weight.unit_code == "L"  # B3-05 fallback


def test_invalid_values_are_warnings() -> None:
    doc = run(
        """ST*210*0001~B3**INV2*S*XX**2024AB01*12.5X~C3*US~LX*1~L1*1***ABC~L1*1***100~
        N7**1*********TL****53AB~SE*6*0001~"""
    )
    assert doc.total_due.amount == Decimal(0)
    assert doc.currency == "USD"
    assert doc.payment_method is PaymentMethod.OTHER and doc.payment_method_code == "XX"
    assert doc.bill_date is None
    found = {(w.code, w.segment_id, w.element) for w in doc.warnings}
    assert (WarningCode.INVALID_NUMBER, "B3", 7) in found
    assert (WarningCode.INVALID_DATE, "B3", 6) in found
    assert (WarningCode.UNMAPPED_CODE, "C3", 1) in found
    assert (WarningCode.INVALID_NUMBER, "L1", 4) in found
    assert (WarningCode.MISSING_VALUE, "L1", 4) in found
    assert (WarningCode.INVALID_NUMBER, "N7", 15) in found
    assert [c.amount.amount for c in doc.charges] == [Decimal("1.00")]


def test_invalid_partner_map_value_is_reported() -> None:
    doc = run(SET_5010, profile_code_maps={"charge_codes": {"DET": "not-a-kind"}})
    assert doc.charges[2].kind is ChargeKind.DETENTION
    assert any(w.code is WarningCode.INVALID_PROFILE_MAPPING for w in doc.warnings)


def test_not_a_210_or_no_b3() -> None:
    with pytest.raises(ValueError, match="needs a 210"):
        run("ST*214*0001~B10*1*2*ABCD~SE*3*0001~")
    with pytest.raises(ValueError, match="no B3"):
        run("ST*210*0001~LX*1~SE*3*0001~")
