"""The canonical model: immutability, strictness, stable JSON, round trips, money parsing and the
shared code tables every X12 transform uses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from gateway.canonical import (
    AckStatus,
    ChargeKind,
    ChargeLine,
    Correlation,
    DateKind,
    DateTimeValue,
    DocumentType,
    Equipment,
    FreightInvoice,
    FunctionalAck,
    LadingLine,
    LoadTender,
    Location,
    Money,
    Party,
    PartyRole,
    PaymentMethod,
    Purpose,
    Reference,
    ReferenceKind,
    SegmentError,
    SetAck,
    ShipmentStatus,
    SourceMetadata,
    StatusKind,
    Stop,
    StopKind,
    TechnicalAck,
    TenderAction,
    TenderResponse,
    TrackingEvent,
    WarningCode,
    Weight,
    WeightUnit,
    parse_document,
)
from gateway.canonical.acks import ElementError
from gateway.canonical.freight import Hazmat, Totals
from gateway.x12.envelope import GroupStart, InterchangeStart, read_events
from gateway.x12.model import TransactionSet
from tests.conftest import SAMPLES
from transforms import codes
from transforms.countries import normalise_country
from transforms.values import (
    ValueParseError,
    money_from_n2,
    parse_decimal,
    parse_equipment_length,
    parse_int,
    parse_n2,
)
from transforms.x12_common import source_metadata

CDT = dt.timezone(dt.timedelta(hours=-5))


# Money and numbers


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("65928", Decimal("659.28")),
        ("-301791", Decimal("-3017.91")),
        ("55721", Decimal("557.21")),
        ("65940", Decimal("659.40")),
        ("5", Decimal("0.05")),
        ("0", Decimal("0.00")),
        ("+100", Decimal("1.00")),
        ("557.21", Decimal("557.21")),  # an explicit point is taken as written
        ("", None),
        ("  ", None),
    ],
)
def test_n2_implied_decimals(raw: str, amount: Decimal | None) -> None:
    parsed = parse_n2(raw)
    assert parsed == amount
    if amount is not None and "." not in raw:
        assert str(parsed) == str(amount)  # the scale is kept: "659.40", not "659.4"


@pytest.mark.parametrize("raw", ["12a", "1-2", "--5", "NaN", "1e5x"])
def test_n2_rejects_garbage(raw: str) -> None:
    with pytest.raises(ValueParseError) as exc:
        parse_n2(raw)
    assert exc.value.code is WarningCode.INVALID_NUMBER


def test_money_from_n2() -> None:
    assert money_from_n2("65928") == Money(amount=Decimal("659.28"), currency="USD")
    assert money_from_n2("-301791", "CAD") == Money(amount=Decimal("-3017.91"), currency="CAD")
    assert money_from_n2("") is None


def test_money_currency_must_be_iso() -> None:
    with pytest.raises(ValidationError):
        Money(amount=Decimal("1"), currency="usd")
    with pytest.raises(ValidationError):
        Money(amount=Decimal("1"), currency="DOLLARS")


def test_r_and_integer_values() -> None:
    assert parse_decimal("92.9") == Decimal("92.9")
    assert parse_decimal("-100.51") == Decimal("-100.51")
    assert parse_int("01") == 1
    assert parse_int("5.0") == 5
    with pytest.raises(ValueParseError):
        parse_int("5.5")
    with pytest.raises(ValueParseError):
        parse_decimal("Infinity")


@pytest.mark.parametrize(
    ("raw", "feet"),
    [("5300", Decimal("53")), ("4806", Decimal("48.50")), ("53", Decimal("53")), ("", None)],
)
def test_equipment_length(raw: str, feet: Decimal | None) -> None:
    assert parse_equipment_length(raw) == feet


def test_equipment_length_rejects_inches_over_eleven() -> None:
    with pytest.raises(ValueParseError):
        parse_equipment_length("4813")


# Model behaviour


def test_models_are_frozen_and_strict() -> None:
    ref = Reference(qualifier="BM", kind=ReferenceKind.BOL, value="B1")
    with pytest.raises(ValidationError):
        ref.value = "B2"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        Reference(qualifier="BM", kind=ReferenceKind.BOL, value="B1", color="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        TrackingEvent(status="teleported", is_mapped=True)


def test_event_time_must_be_timezone_aware() -> None:
    with pytest.raises(ValidationError):
        TrackingEvent(
            status=StatusKind.DELIVERED, is_mapped=True, event_time=dt.datetime(2024, 1, 1, 12)
        )


def _status() -> ShipmentStatus:
    return ShipmentStatus(
        source=SourceMetadata(interchange_control_number="000000120", version="004010"),
        correlation=Correlation(scac="ABCD", pro="P1", po=("PO1",)),
        scac="ABCD",
        pro_number="P1",
        events=(
            TrackingEvent(
                status=StatusKind.PICKED_UP,
                is_mapped=True,
                status_code="AF",
                event_time=dt.datetime(2024, 3, 10, 3, 30, tzinfo=CDT),
                weight=Weight(value=Decimal("659.40"), unit=WeightUnit.POUNDS, unit_code="L"),
            ),
            TrackingEvent(
                status=StatusKind.ESTIMATED_DELIVERY,
                is_mapped=True,
                is_estimate=True,
                status_code="AG",
                event_time=dt.datetime(2024, 3, 12, 15, 0, tzinfo=dt.UTC),
            ),
        ),
    )


def test_json_is_stable_decimal_as_string_and_datetimes_with_offset() -> None:
    dumped = _status().model_dump(mode="json")
    first, second = dumped["events"]
    assert first["event_time"] == "2024-03-10T03:30:00-05:00"
    assert second["event_time"] == "2024-03-12T15:00:00Z"  # UTC is written as Z
    assert first["weight"] == {"value": "659.40", "unit": "lb", "unit_code": "L", "qualifier": None}
    assert dumped["document_type"] == "shipment_status"
    assert dumped["correlation"]["po"] == ["PO1"]
    # the same document always gives the same text
    assert json.dumps(dumped) == json.dumps(_status().model_dump(mode="json"))


def test_latest_event_ignores_estimates() -> None:
    latest = _status().latest_event
    assert latest is not None and latest.status_code == "AF"


def test_correlation_keys_in_a_fixed_order() -> None:
    keys = Correlation(
        scac="ABCD", shipment_id="S1", bol="B1", pro="P1", po=("PO1", "PO2"), erp_order="E1"
    ).keys()
    assert keys == [
        ("erp_order", "E1"),
        ("shipment_id", "S1"),
        ("bol", "B1"),
        ("pro", "P1"),
        ("po", "PO1"),
        ("po", "PO2"),
    ]


def _documents() -> list[
    LoadTender | TenderResponse | ShipmentStatus | FreightInvoice | FunctionalAck | TechnicalAck
]:
    shipper = Party(
        role=PartyRole.SHIPPER,
        entity_code="SH",
        name="ACME",
        location=Location(city="RUMFORD", state="ME", postal_code="04276", country="US"),
    )
    window_start = DateTimeValue(
        qualifier="37",
        kind=DateKind.PICKUP_NOT_BEFORE,
        date=dt.date(2024, 1, 2),
        time="0800",
        time_code="ET",
        instant=dt.datetime(2024, 1, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    )
    tender = LoadTender(
        shipment_id="LOAD1",
        scac="ABCD",
        purpose=Purpose.CHANGE,
        purpose_code="04",
        payment_method=PaymentMethod.PREPAID,
        payment_method_code="PP",
        parties=(shipper,),
        stops=(
            Stop(
                sequence=1,
                reason_code="CL",
                kind=StopKind.PICKUP,
                party=shipper,
                dates=(window_start,),
                lading=(
                    LadingLine(
                        quantity=Decimal("10"),
                        packaging_code="PLT",
                        hazmat=(Hazmat(un_na_number="UN1203", hazard_class="3"),),
                    ),
                ),
            ),
        ),
        equipment=(Equipment(number="TRL1", type_code="TL", length_feet=Decimal("53")),),
        totals=Totals(charge=Money(amount=Decimal("557.21"))),
    )
    response = TenderResponse(
        shipment_id="LOAD1", scac="ABCD", action=TenderAction.DECLINED, action_code="D"
    )
    invoice = FreightInvoice(
        invoice_number="INV1",
        total_due=Money(amount=Decimal("659.40")),
        charges=(
            ChargeLine(
                code="DSC", kind=ChargeKind.DISCOUNT, amount=Money(amount=Decimal("-3017.91"))
            ),
        ),
        bill_date=dt.date(2016, 7, 26),
    )
    ack = FunctionalAck(
        ack_set_id="997",
        functional_id="SM",
        group_control_number="1",
        status=AckStatus.REJECTED,
        code="R",
        sets=(
            SetAck(
                set_id="204",
                control_number="0001",
                status=AckStatus.REJECTED,
                code="R",
                error_codes=("5",),
                segment_errors=(
                    SegmentError(
                        segment_id="S5",
                        position=7,
                        code="8",
                        elements=(ElementError(position=2, code="7", bad_value="XX"),),
                    ),
                ),
            ),
        ),
    )
    ta1 = TechnicalAck(
        interchange_control_number="000000001",
        status=AckStatus.ACCEPTED,
        code="A",
        note_code="000",
    )
    return [tender, response, _status(), invoice, ack, ta1]


@pytest.mark.parametrize("index", range(6))
def test_every_document_round_trips_through_json(index: int) -> None:
    document = _documents()[index]
    dumped = document.model_dump(mode="json")
    again = parse_document(json.dumps(dumped))
    assert type(again) is type(document)
    assert again == document
    assert parse_document(dumped) == document


def test_document_types_are_distinct() -> None:
    kinds = [d.document_type for d in _documents()]
    assert kinds == list(DocumentType)


def test_parse_document_rejects_unknown_type() -> None:
    with pytest.raises(ValidationError):
        parse_document({"document_type": "purchase_order"})


# Shared code tables and helpers


def test_code_tables() -> None:
    assert [codes.purpose(c) for c in ("00", "01", "04", "05", "99")] == [
        Purpose.ORIGINAL,
        Purpose.CANCEL,
        Purpose.CHANGE,
        Purpose.REPLACE,
        Purpose.OTHER,
    ]
    assert codes.tender_action("A") is TenderAction.ACCEPTED
    assert codes.tender_action("D") is TenderAction.DECLINED
    assert codes.stop_kind("PU") is StopKind.DELIVERY  # PU is Part Unload
    assert codes.stop_kind("LD") is StopKind.PICKUP
    assert codes.charge_kind("405") is ChargeKind.FUEL_SURCHARGE
    assert codes.charge_kind("GST") is ChargeKind.TAX
    assert codes.party_role("BT") is PartyRole.BILL_TO
    assert codes.reference_kind("BM") is ReferenceKind.BOL
    assert codes.reference_kind("XYZ") is ReferenceKind.OTHER
    assert codes.payment_method("PP") is PaymentMethod.PREPAID
    assert codes.weight_unit("K") is WeightUnit.KILOGRAMS
    assert codes.date_kind("64") is DateKind.RESPOND_BY


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("USA", "US"),
        ("usa", "US"),
        ("US", "US"),
        ("CAN", "CA"),
        ("MEX", "MX"),
        ("FRA", "FR"),
        ("UK", "GB"),
        ("XX", None),
        ("ZZZ", None),
        ("U", None),
    ],
)
def test_country_normalisation(raw: str, iso: str | None) -> None:
    assert normalise_country(raw) == iso


def test_source_metadata_from_a_real_envelope() -> None:
    path = SAMPLES / "indice-co__EDI.Net__x12.214.edi"  # BOM and a line break inside the ISA
    with path.open("rb") as stream:
        events = list(read_events(stream))
    isa = next(e for e in events if isinstance(e, InterchangeStart)).header
    gs = next(e for e in events if isinstance(e, GroupStart)).header
    ts = next(e for e in events if isinstance(e, TransactionSet))
    meta = source_metadata(ts, isa, gs, partner_id="scac-carrier")
    assert meta.sender_id == "SCAC" and meta.receiver_id == "MGCTLYST"
    assert (meta.interchange_control_number, meta.group_control_number) == ("000082265", "82265")
    assert (meta.set_id, meta.set_control_number, meta.version) == ("214", "822650001", "004030")
    assert (meta.usage_indicator, meta.partner_id) == ("T", "scac-carrier")
