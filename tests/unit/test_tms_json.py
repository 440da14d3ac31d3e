"""The TMS JSON contract v1: committed schemas equal the regenerated ones, every message the
tests produce validates against the committed files, canonical -> TMS JSON -> canonical round
trips (real samples and hypothesis), TMS-planned tenders come in, bad messages are refused."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway import canonical as c
from gateway.canonical import SourceFormat, StatusKind
from gateway.contracts import generate
from tests.unit.test_transform_210 import SAMPLES_210
from tests.unit.test_transform_210 import transform_file as invoices_of
from tests.unit.test_transform_214 import SAMPLES_214
from tests.unit.test_transform_214 import transform_file as statuses_of
from transforms.tms_json import (
    LoadTenderMessage,
    ShipmentStatusMessage,
    TmsContractError,
    from_tms_message,
    parse_tms_message,
    to_tms_message,
)

CONTRACTS = Path(generate.__file__).resolve().parent
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "tms"
WHEN = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def committed(path: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((CONTRACTS / path).read_text(encoding="utf-8"))
    return schema


def validator(path: str) -> jsonschema.Draft202012Validator:
    schema = committed(path)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


ANY_MESSAGE = validator("tms/v1/message.schema.json")
BY_TYPE = {
    name: validator(f"tms/v1/{name}.schema.json")
    for name in ("load_tender", "tender_response", "shipment_status", "freight_invoice")
}


def check_wire(message: Any) -> dict[str, Any]:
    """The message as JSON, validated against the committed schema of any message and of its type."""
    data: dict[str, Any] = json.loads(message.model_dump_json())
    ANY_MESSAGE.validate(data)
    BY_TYPE[data["message_type"]].validate(data)
    return data


def expected_back(doc: Any) -> Any:
    """What comes back from the TMS: the same document, minus what the contract does not carry
    (mapping warnings, X12 segment positions) and with a TMS_JSON source."""
    update: dict[str, Any] = {
        "warnings": (),
        "source": c.SourceMetadata(format=SourceFormat.TMS_JSON),
    }
    if isinstance(doc, c.ShipmentStatus):
        update["events"] = tuple(e.model_copy(update={"segment_index": 0}) for e in doc.events)
    return doc.model_copy(update=update)


# The contract files.


def test_committed_schemas_are_current() -> None:
    assert generate.stale() == [], "run: python -m gateway.contracts.generate"


def test_generate_check_detects_a_stale_file(tmp_path: Path) -> None:
    generate.write(tmp_path)
    assert generate.stale(tmp_path) == []
    target = tmp_path / "tms/v1/load_tender.schema.json"
    target.write_text(target.read_text().replace('"shipment_id"', '"shipmentId"', 1))
    (tmp_path / "tms/v1/old.schema.json").write_text("{}")
    assert generate.stale(tmp_path) == ["tms/v1/load_tender.schema.json", "tms/v1/old.schema.json"]
    generate.write(tmp_path)
    assert generate.stale(tmp_path) == []


def test_schema_pins_the_envelope() -> None:
    schema = committed("tms/v1/message.schema.json")
    assert schema["$id"] == "urn:logistics-edi-gateway:contracts:tms:v1:message"
    assert schema["discriminator"]["propertyName"] == "message_type"
    envelope = schema["$defs"]["FreightInvoiceMessage"]
    assert set(envelope["required"]) >= {
        "message_type",
        "schema_version",
        "idempotency_key",
        "occurred_at",
        "payload",
    }
    assert envelope["properties"]["schema_version"]["const"] == "1"
    money = schema["$defs"]["Money"]["properties"]["amount"]
    assert (money["type"], money["pattern"]) == ("string", r"^-?\d+(\.\d+)?$")


# Real documents from the public samples.


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_status_samples_round_trip(name: str) -> None:
    for n, doc in enumerate(statuses_of(SAMPLES_214[name])):
        message = to_tms_message(doc, idempotency_key=f"214-{name[:20]}-{n}")
        data = check_wire(message)
        assert data["message_type"] == "shipment_status"
        assert len(data["payload"]["events"]) == len(doc.events)
        assert from_tms_message(json.dumps(data).encode()) == expected_back(doc)


@pytest.mark.parametrize("name", sorted(SAMPLES_210))
def test_invoice_samples_round_trip(name: str) -> None:
    for doc in invoices_of(SAMPLES_210[name]):
        message = to_tms_message(doc, idempotency_key=f"210-{doc.invoice_number}", occurred_at=WHEN)
        data = check_wire(message)
        assert data["payload"]["total_due"]["amount"] == str(doc.total_due.amount)
        assert from_tms_message(data) == expected_back(doc)


def sample_messages(name: str) -> list[dict[str, Any]]:
    """The v1 messages of one public sample, with deterministic keys."""
    if name in SAMPLES_214:
        docs: list[Any] = statuses_of(SAMPLES_214[name])
        when = None
    else:
        docs, when = invoices_of(SAMPLES_210[name]), WHEN
    return [
        check_wire(
            to_tms_message(
                doc,
                idempotency_key=f"{doc.source.set_id}-{doc.source.set_control_number}",
                occurred_at=when,
            )
        )
        for doc in docs
    ]


@pytest.mark.parametrize("name", sorted([*SAMPLES_214, *SAMPLES_210]))
def test_sample_messages_match_golden(name: str) -> None:
    """The wire form of every public 214 and 210: a contract change shows as a golden diff.
    Regenerate with GATEWAY_UPDATE_GOLDEN=1 and review the diff before committing."""
    actual = sample_messages(name)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("GATEWAY_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(path.read_text(encoding="utf-8"))


def test_invoice_wire_values() -> None:
    (doc,) = invoices_of(SAMPLES_210["indice-co__EDI.Net__210-MGCTLYST-SAMPLE"])
    data = check_wire(to_tms_message(doc, idempotency_key="inv-09851270", occurred_at=WHEN))
    assert data["message_type"] == "freight_invoice" and data["schema_version"] == "1"
    assert data["occurred_at"] == "2024-05-01T12:00:00Z"
    assert data["correlation"]["shipment_id"] == "75027674"
    assert data["source"]["interchange_control_number"] == "000001838"
    amounts = [(ch["code"], ch["amount"]) for ch in data["payload"]["charges"]]
    assert amounts == [
        (None, {"amount": "3636.04", "currency": "USD"}),
        ("CUS", {"amount": "15.00", "currency": "USD"}),
        ("FUE", {"amount": "26.27", "currency": "USD"}),
        ("DSC", {"amount": "-3017.91", "currency": "USD"}),
    ]
    assert "warnings" not in data["payload"]


def test_status_occurred_at_and_event_type() -> None:
    (doc,) = statuses_of(SAMPLES_214["indice-co__EDI.Net__214-MGCTLYST-SAMPLE"])
    message = to_tms_message(doc, idempotency_key="214-822650001")
    assert isinstance(message, ShipmentStatusMessage)
    check_wire(message)
    # AT7*D1*NS***20160726*1230*LT at BRATTLEBORO VT: 12:30 EDT
    assert message.occurred_at.isoformat() == "2016-07-26T12:30:00-04:00"
    (event,) = message.payload.events
    assert (event.status, event.event_type, event.status_code) == (
        StatusKind.DELIVERED,
        "DELIVERED",
        "D1",
    )
    # the derived field is ignored on the way in, even when it disagrees
    data = json.loads(message.model_dump_json())
    data["payload"]["events"][0]["event_type"] = "CANCELLED"
    back = from_tms_message(data)
    assert isinstance(back, c.ShipmentStatus) and back.events[0].status is StatusKind.DELIVERED


def test_documents_without_an_instant_need_one() -> None:
    (doc,) = invoices_of(SAMPLES_210["indice-co__EDI.Net__210-MGCTLYST-SAMPLE"])
    with pytest.raises(ValueError, match="occurred_at is required"):
        to_tms_message(doc, idempotency_key="k")
    with pytest.raises(TmsContractError, match="idempotency_key"):
        to_tms_message(doc, idempotency_key="two words", occurred_at=WHEN)
    ack = c.TechnicalAck(
        interchange_control_number="1", status=c.AckStatus.ACCEPTED, code="A", note_code="000"
    )
    with pytest.raises(TypeError, match="not part of the TMS contract"):
        to_tms_message(ack, idempotency_key="k", occurred_at=WHEN)  # type: ignore[arg-type]


# TMS -> gateway: a tender planned in the TMS.

TMS_TENDER: dict[str, Any] = {
    "message_type": "load_tender",
    "schema_version": "1",
    "idempotency_key": "tms-load-4711-v3",
    "occurred_at": "2024-05-01T08:15:00-05:00",
    "correlation": {"tms_shipment_id": "4711", "erp_order": "0080001234", "po": ["PO-1"]},
    "payload": {
        "shipment_id": "4711",
        "scac": "ABCD",
        "purpose": "original",
        "payment_method": "prepaid",
        "stops": [
            {
                "sequence": 1,
                "kind": "pickup",
                "party": {
                    "role": "ship_from",
                    "name": "Plant 1",
                    "location": {"city": "Chicago", "state": "IL", "country": "US"},
                },
                "windows": [
                    {
                        "kind": "pickup",
                        "start": {"kind": "pickup_not_before", "date": "2024-05-02"},
                    }
                ],
            },
            {"sequence": 2, "kind": "delivery"},
        ],
        "references": [{"kind": "bol", "value": "BOL-9"}],
        "totals": {"charge": {"amount": "1250.00", "currency": "USD"}},
    },
}


def test_tender_planned_in_the_tms() -> None:
    ANY_MESSAGE.validate(TMS_TENDER)
    message = parse_tms_message(json.dumps(TMS_TENDER))
    assert isinstance(message, LoadTenderMessage)
    assert message.idempotency_key == "tms-load-4711-v3"
    doc = from_tms_message(TMS_TENDER)
    assert isinstance(doc, c.LoadTender)
    assert doc.source.format is SourceFormat.TMS_JSON
    assert (doc.correlation.tms_shipment_id, doc.correlation.erp_order) == ("4711", "0080001234")
    assert [s.kind for s in doc.stops] == [c.StopKind.PICKUP, c.StopKind.DELIVERY]
    assert doc.stops[0].reason_code == ""  # the TMS plans by kind; the 204 emitter picks a code
    assert doc.stops[0].party is not None and doc.stops[0].party.role is c.PartyRole.SHIP_FROM
    assert doc.totals is not None and doc.totals.charge == c.Money(amount=Decimal("1250.00"))
    assert doc.references[0].kind is c.ReferenceKind.BOL
    # and back out again, schema-valid
    check_wire(to_tms_message(doc, idempotency_key="out-4711", occurred_at=WHEN))


def _broken(path: list[str | int], value: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(TMS_TENDER))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["schema_version"], "2"),
        (["message_type"], "load_tender_v2"),
        (["idempotency_key"], _DELETE),
        (["idempotency_key"], ""),
        (["occurred_at"], "2024-05-01T08:15:00"),  # no offset: not an instant
        (["payload", "totals", "charge", "amount"], 1250.0),  # a float loses exactness
        (["payload", "totals", "charge", "amount"], "1,250.00"),
        (["payload", "totals", "charge", "currency"], "usd"),
        (["payload", "shipment_idx"], "4711"),  # unknown fields are refused, not dropped
        (["payload", "stops", 0, "kind"], "pick-up"),
        (["payload", "shipment_id"], _DELETE),
    ],
)
def test_contract_violations_are_refused(path: list[str | int], value: Any) -> None:
    data = _broken(path, value)
    with pytest.raises(TmsContractError):
        from_tms_message(data)
    # the committed schema says the same (naive date-times need a format checker with
    # rfc3339 support, which jsonschema does not bundle: that one is the model's job)
    if path != ["occurred_at"]:
        assert not ANY_MESSAGE.is_valid(data)


def test_amounts_are_fixed_point_strings() -> None:
    doc = c.FreightInvoice(invoice_number="X", total_due=c.Money(amount=Decimal("1E+2")))
    data = check_wire(to_tms_message(doc, idempotency_key="k", occurred_at=WHEN))
    assert data["payload"]["total_due"]["amount"] == "100"


# Hypothesis: canonical -> TMS JSON -> canonical for arbitrary documents.

texts = st.text(max_size=8)
opt_texts = st.none() | texts
decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False
) | st.sampled_from([Decimal("1E+2"), Decimal("-0"), Decimal("0.000")])
opt_decimals = st.none() | decimals
offsets = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=5, minutes=30))]
)
instants = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=offsets
)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1))
small = st.integers(min_value=0, max_value=9999)
floats = st.none() | st.floats(allow_nan=False, allow_infinity=False)


def tuples(strategy: st.SearchStrategy[Any], max_size: int = 2) -> st.SearchStrategy[Any]:
    return st.lists(strategy, max_size=max_size).map(tuple)


money = st.builds(c.Money, amount=decimals, currency=st.sampled_from(["USD", "CAD", "EUR"]))
weights = st.builds(
    c.Weight,
    value=decimals,
    unit=st.sampled_from(c.WeightUnit),
    unit_code=opt_texts,
    qualifier=opt_texts,
)
volumes = st.builds(
    c.Volume, value=decimals, unit=st.sampled_from(c.VolumeUnit), unit_code=opt_texts
)
references = st.builds(
    c.Reference,
    qualifier=texts,
    kind=st.sampled_from(c.ReferenceKind),
    value=texts,
    description=opt_texts,
)
notes = st.builds(c.Note, text=texts, code=opt_texts)
date_values = st.builds(
    c.DateTimeValue,
    qualifier=opt_texts,
    kind=st.sampled_from(c.DateKind),
    date=st.none() | dates,
    time=opt_texts,
    time_code=opt_texts,
    instant=st.none() | instants,
    zone=opt_texts,
    zone_source=st.none() | st.sampled_from(c.TimeZoneSource),
)
locations = st.builds(
    c.Location,
    address_lines=tuples(texts),
    city=opt_texts,
    state=opt_texts,
    postal_code=opt_texts,
    country=opt_texts,
    latitude=floats,
    longitude=floats,
    timezone=opt_texts,
)
parties = st.builds(
    c.Party,
    role=st.sampled_from(c.PartyRole),
    entity_code=texts,
    name=opt_texts,
    identifiers=tuples(st.builds(c.PartyIdentifier, qualifier=texts, value=texts)),
    location=st.none() | locations,
    contacts=tuples(st.builds(c.Contact, name=opt_texts, phone=opt_texts, email=opt_texts)),
    references=tuples(references),
    dates=tuples(date_values),
)
equipment = st.builds(
    c.Equipment,
    number=opt_texts,
    owner_scac=opt_texts,
    type_code=opt_texts,
    length_feet=opt_decimals,
    seal_numbers=tuples(texts),
)
lading = st.builds(
    c.LadingLine,
    line_number=st.none() | small,
    description=opt_texts,
    quantity=opt_decimals,
    weight=st.none() | weights,
    volume=st.none() | volumes,
    freight_class=opt_texts,
    declared_value=st.none() | money,
    hazmat=tuples(
        st.builds(
            c.Hazmat,
            un_na_number=opt_texts,
            hazard_class=opt_texts,
            reportable_quantity=st.none() | st.booleans(),
        )
    ),
    references=tuples(references),
)
stops = st.builds(
    c.Stop,
    sequence=small,
    reason_code=texts,
    kind=st.sampled_from(c.StopKind),
    party=st.none() | parties,
    dates=tuples(date_values),
    windows=tuples(
        st.builds(
            c.TimeWindow,
            kind=st.sampled_from(c.WindowKind),
            start=st.none() | date_values,
            end=st.none() | date_values,
        )
    ),
    weight=st.none() | weights,
    lading_quantity=st.none() | small,
    lading=tuples(lading),
    orders=tuples(
        st.builds(
            c.OrderDetail, po_number=opt_texts, quantity=opt_decimals, lading=tuples(lading, 1)
        )
    ),
    equipment=tuples(equipment),
)
correlations = st.builds(
    c.Correlation,
    erp_order=opt_texts,
    tms_shipment_id=opt_texts,
    portal_reference=opt_texts,
    shipment_id=opt_texts,
    scac=opt_texts,
    bol=opt_texts,
    pro=opt_texts,
    po=tuples(texts),
)
sources = st.builds(
    c.SourceMetadata,
    format=st.sampled_from(c.SourceFormat),
    partner_id=opt_texts,
    interchange_control_number=opt_texts,
)
mapping_warnings = tuples(
    st.builds(c.MappingWarning, code=st.sampled_from(c.WarningCode), message=texts)
)

tenders = st.builds(
    c.LoadTender,
    source=sources,
    correlation=correlations,
    warnings=mapping_warnings,
    shipment_id=texts,
    scac=opt_texts,
    purpose=st.sampled_from(c.Purpose),
    payment_method=st.none() | st.sampled_from(c.PaymentMethod),
    currency=st.sampled_from(["USD", "CAD"]),
    respond_by=st.none() | date_values,
    parties=tuples(parties),
    references=tuples(references),
    equipment=tuples(equipment),
    stops=tuples(stops, 3),
    lading=tuples(lading),
    totals=st.none()
    | st.builds(
        c.Totals,
        weight=st.none() | weights,
        charge=st.none() | money,
        lading_quantity=opt_decimals,
        freight_rate=opt_decimals,
    ),
    notes=tuples(notes),
)
responses = st.builds(
    c.TenderResponse,
    source=sources,
    correlation=correlations,
    shipment_id=opt_texts,
    scac=opt_texts,
    action=st.sampled_from(c.TenderAction),
    action_code=texts,
    date=st.none() | dates,
    responded_at=st.none() | instants,
    references=tuples(references),
    notes=tuples(notes),
)
events = st.builds(
    c.TrackingEvent,
    status=st.sampled_from(c.StatusKind),
    is_mapped=st.booleans(),
    is_estimate=st.booleans(),
    status_code=opt_texts,
    reason_code=opt_texts,
    reason=st.none() | st.sampled_from(c.ReasonKind),
    appointment_kind=st.none() | st.sampled_from(c.AppointmentKind),
    event_time=st.none() | instants,
    event_date=st.none() | dates,
    time_zone_source=st.none() | st.sampled_from(c.TimeZoneSource),
    location=st.none() | locations,
    equipment=tuples(equipment),
    assigned_number=st.none() | small,
    references=tuples(references),
    parties=tuples(parties, 1),
    weight=st.none() | weights,
    weights=tuples(weights),
    lading_quantity=st.none() | small,
    volume=st.none() | volumes,
    lading_exceptions=tuples(st.builds(c.LadingException, code=texts, quantity=opt_decimals)),
    notes=tuples(notes),
    segment_index=small,
)
statuses = st.builds(
    c.ShipmentStatus,
    source=sources,
    correlation=correlations,
    warnings=mapping_warnings,
    scac=opt_texts,
    pro_number=opt_texts,
    shipment_id=opt_texts,
    references=tuples(references),
    parties=tuples(parties),
    equipment=tuples(equipment),
    interline=tuples(st.builds(c.InterlineCarrier, scac=texts, city=opt_texts)),
    events=tuples(events, 4),
    notes=tuples(notes),
)
charges = st.builds(
    c.ChargeLine,
    line_number=st.none() | small,
    code=opt_texts,
    kind=st.sampled_from(c.ChargeKind),
    description=opt_texts,
    rate=opt_decimals,
    amount=money,
    quantity=opt_decimals,
    weight=st.none() | weights,
)
invoices = st.builds(
    c.FreightInvoice,
    source=sources,
    correlation=correlations,
    warnings=mapping_warnings,
    invoice_number=texts,
    scac=opt_texts,
    shipment_id=opt_texts,
    bill_date=st.none() | dates,
    delivery_date=st.none() | dates,
    payment_method=st.none() | st.sampled_from(c.PaymentMethod),
    currency=st.sampled_from(["USD", "CAD"]),
    total_due=money,
    total_charge=st.none() | money,
    total_weight=st.none() | weights,
    total_quantity=opt_decimals,
    charges=tuples(charges, 4),
    lading=tuples(lading),
    parties=tuples(parties),
    references=tuples(references),
    dates=tuples(date_values),
    stops=tuples(stops, 1),
    equipment=tuples(equipment),
    notes=tuples(notes),
)
idempotency_keys = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=40
)


@settings(max_examples=60, deadline=None)
@given(doc=st.one_of(tenders, responses, statuses, invoices), key=idempotency_keys, when=instants)
def test_round_trip_through_tms_json(doc: Any, key: str, when: dt.datetime) -> None:
    message = to_tms_message(doc, idempotency_key=key, occurred_at=when)
    data = check_wire(message)
    assert data["idempotency_key"] == key
    assert data["correlation"]["po"] == list(doc.correlation.po)
    back = from_tms_message(message.model_dump_json().encode())
    assert back == expected_back(doc)
    assert parse_tms_message(data) == message
