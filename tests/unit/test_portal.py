"""Customer-portal updates: one per tracking event, plain words, never raw EDI, never money
unless allowed, scoped to a customer, stable idempotency keys; every update validates against
the committed portal v1 schema."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gateway import canonical as c
from gateway.canonical import ReasonKind, StatusKind
from gateway.contracts import generate
from tests.unit.test_tms_json import invoices, statuses
from tests.unit.test_transform_210 import SAMPLES_210
from tests.unit.test_transform_210 import transform_file as invoices_of
from tests.unit.test_transform_214 import SAMPLES_214
from tests.unit.test_transform_214 import transform_file as statuses_of
from transforms import portal
from transforms.portal import REASON_WORDS, STATUS_WORDS, PortalUpdate
from transforms.status_taxonomy import STANDARD_REASONS, STANDARD_STATUS

SCHEMA = json.loads(
    (Path(generate.__file__).resolve().parent / "portal/v1/update.schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "portal"
# A segment as text: a tag, then an element separator ("AT7*D1", "ISA*00", "L1~").
SEGMENT_TEXT = re.compile(r"\b[A-Z][A-Z0-9]{1,2}[*~^|]")
X12_CODES = set(STANDARD_STATUS) | set(STANDARD_REASONS)


def wire(update: PortalUpdate) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(update.model_dump_json())
    VALIDATOR.validate(data)
    return data


def portal_updates(doc: Any, **options: Any) -> list[PortalUpdate]:
    """The module's function, with every update it produces checked against the schema."""
    updates = portal.portal_updates(doc, **options)
    for update in updates:
        wire(update)
    return updates


def portal_invoice_update(doc: c.FreightInvoice, **options: Any) -> PortalUpdate | None:
    update = portal.portal_invoice_update(doc, **options)
    if update is not None:
        wire(update)
    return update


def strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, string) leaf of a JSON value."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [pair for v in value for pair in strings(v, path)]
    return [(path, value)] if isinstance(value, str) else []


def assert_no_raw_edi(data: dict[str, Any], event: c.TrackingEvent | None = None) -> None:
    """No segment text anywhere; no carrier code as a value outside the data fields (names,
    places, reference numbers); no field that could hold a raw code."""
    for path, text in strings(data):
        assert not SEGMENT_TEXT.search(text), (path, text)
        if path.startswith((".location", ".shipment", ".customer_id", ".idempotency_key")):
            continue
        if path in (".invoice.invoice_number", ".invoice.charges.carrier_description"):
            continue
        assert text not in X12_CODES, (path, text)
        if event is not None:
            raw = {event.status_code, event.reason_code, event.appointment_code}
            assert text not in raw, (path, text)
    assert not [k for k in json.dumps(data).split('"') if k.endswith("_code") or k == "debug"]


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_one_schema_valid_update_per_event(name: str) -> None:
    for doc in statuses_of(SAMPLES_214[name]):
        updates = portal_updates(doc, customer_id="cust-42")
        assert len(updates) == len(doc.events)
        for update, event in zip(updates, doc.events, strict=True):
            data = wire(update)
            assert data["customer_id"] == "cust-42"
            assert data["update_type"] == "status" and data["invoice"] is None
            assert data["status"] == event.status.value
            assert_no_raw_edi(data, event)
        assert len({u.idempotency_key for u in updates}) == len(updates)


@pytest.mark.parametrize("name", sorted([*SAMPLES_214, *SAMPLES_210]))
def test_sample_updates_match_golden(name: str) -> None:
    """What a customer would see for every public 214 (and 210, charges allowed); checked by
    hand for plain words. Regenerate with GATEWAY_UPDATE_GOLDEN=1 and review the diff."""
    docs: list[Any] = (
        statuses_of(SAMPLES_214[name]) if name in SAMPLES_214 else invoices_of(SAMPLES_210[name])
    )
    actual = [
        wire(u)
        for doc in docs
        for u in portal_updates(doc, customer_id="customer-1", allow_charges=True)
    ]
    path = GOLDEN / f"{name}.json"
    if os.environ.get("GATEWAY_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(path.read_text(encoding="utf-8"))


def test_delivered_with_location_references_and_pod() -> None:
    (doc,) = statuses_of(SAMPLES_214["indice-co__EDI.Net__214-MGCTLYST-SAMPLE"])
    (update,) = portal_updates(doc, customer_id="catalyst")
    data = wire(update)
    assert data["description"] == "Delivered"
    assert data["occurred_at"] == "2016-07-26T12:30:00-04:00"
    assert data["location"] == {"city": "BRATTLEBORO", "state": "VT", "country": None}
    assert data["shipment"] == {
        "shipment_id": "75027674",
        "bol": None,
        "pro": "1751807",
        "po": [],
        "carrier_scac": "SCAC",
    }
    assert data["proof_of_delivery_available"] is True
    assert data["exception"] is None and data["eta"] is None


def test_eta_from_the_delivery_estimate() -> None:
    (doc,) = statuses_of(SAMPLES_214["xlate__staedi__214_issue109_ts214_ellipses_segterm"])
    estimate, picked_up = portal_updates(doc, customer_id="c")
    # AT7*AG*NS***20200911*1159*ET, then AT7*AF*NS***20200910*1135*ET
    assert (estimate.status, estimate.is_estimate) == (StatusKind.ESTIMATED_DELIVERY, True)
    assert picked_up.description == "Picked up"
    assert picked_up.eta is not None
    assert picked_up.eta.isoformat() == "2020-09-11T11:59:00-04:00"
    assert picked_up.proof_of_delivery_available is False
    assert picked_up.shipment.po == ("900169",)


def test_same_business_event_same_key_other_customer_other_key() -> None:
    (first,) = statuses_of(SAMPLES_214["indice-co__EDI.Net__214-MGCTLYST-SAMPLE"])
    (again,) = statuses_of(SAMPLES_214["indice-co__EDI.Net__x12.214"])  # same event, re-laid out
    resent = first.model_copy(
        update={"source": first.source.model_copy(update={"interchange_control_number": "9"})}
    )
    keys = {
        portal_updates(d, customer_id="catalyst")[0].idempotency_key for d in (first, again, resent)
    }
    assert len(keys) == 1
    other = portal_updates(first, customer_id="fibermark")[0].idempotency_key
    assert other not in keys and other.startswith("pu_")


def _event(**fields: Any) -> c.TrackingEvent:
    base: dict[str, Any] = {
        "status": StatusKind.DELAYED,
        "is_mapped": True,
        "event_time": dt.datetime(2024, 2, 1, 9, 0, tzinfo=dt.UTC),
    }
    return c.TrackingEvent(**{**base, **fields})


def _status(*events: c.TrackingEvent) -> c.ShipmentStatus:
    return c.ShipmentStatus(
        scac="ABCD",
        pro_number="PRO1",
        shipment_id="SHIP1",
        correlation=c.Correlation(bol="BOL1", po=("PO1",)),
        events=events,
    )


def test_delay_in_plain_words() -> None:
    doc = _status(_event(status_code="SD", reason_code="AO", reason=ReasonKind.WEATHER))
    (update,) = portal_updates(doc, customer_id="c")
    data = wire(update)
    assert data["description"] == "Delayed: Weather or Natural Disaster Related"
    assert data["exception"] == {
        "category": "weather",
        "description": "Weather or Natural Disaster Related",
    }
    assert_no_raw_edi(data, doc.events[0])
    assert data["shipment"]["bol"] == "BOL1" and data["shipment"]["po"] == ["PO1"]


@pytest.mark.parametrize(
    ("event", "description", "exception"),
    [
        # a problem milestone with only a normal reason still says something is wrong
        (
            _event(status=StatusKind.EXCEPTION, status_code="A9", reason_code="NS"),
            "Shipment exception: The carrier has not given a reason",
            "The carrier has not given a reason",
        ),
        # a reason the gateway cannot name is not shown as a code
        (
            _event(status=StatusKind.DELAYED, reason_code="Q9", reason=ReasonKind.UNMAPPED),
            "Delayed: The carrier has not given a reason",
            "The carrier has not given a reason",
        ),
        # a partner reason with a category but no standard text: the category's words
        (
            _event(status=StatusKind.IN_TRANSIT, reason_code="ZZ", reason=ReasonKind.CUSTOMS),
            "In transit: Customs",
            "Customs",
        ),
        (
            _event(status=StatusKind.IN_TRANSIT, reason_code="NS", reason=ReasonKind.NORMAL),
            "In transit",
            None,
        ),
        (
            _event(status=StatusKind.UNMAPPED, is_mapped=False, status_code="K2"),
            "Status update from the carrier",
            None,
        ),
        (
            _event(
                status=StatusKind.APPOINTMENT_SET,
                appointment_code="AB",
                appointment_kind=c.AppointmentKind.DELIVERY,
            ),
            "Delivery appointment scheduled",
            None,
        ),
    ],
)
def test_descriptions(event: c.TrackingEvent, description: str, exception: str | None) -> None:
    (update,) = portal_updates(_status(event), customer_id="c")
    data = wire(update)
    assert data["description"] == description
    assert (data["exception"] or {}).get("description") == exception
    assert_no_raw_edi(data, event)


def test_delivery_appointment_is_the_eta_until_delivered() -> None:
    appointment = _event(
        status=StatusKind.APPOINTMENT_SET,
        appointment_kind=c.AppointmentKind.DELIVERY,
        event_time=dt.datetime(2024, 2, 3, 14, 0, tzinfo=dt.UTC),
    )
    moving = _event(status=StatusKind.IN_TRANSIT)
    updates = portal_updates(_status(appointment, moving), customer_id="c")
    assert [u.eta for u in updates] == [appointment.event_time] * 2
    delivered = _event(status=StatusKind.DELIVERED)
    assert all(
        u.eta is None for u in portal_updates(_status(appointment, delivered), customer_id="c")
    )


def test_location_falls_back_to_the_event_party() -> None:
    party = c.Party(
        role=c.PartyRole.CONSIGNEE,
        entity_code="CN",
        location=c.Location(city="Denver", state="CO", country="US", postal_code="80202"),
    )
    (update,) = portal_updates(_status(_event(parties=(party,))), customer_id="c")
    assert update.location is not None
    assert (update.location.city, update.location.state, update.location.country) == (
        "Denver",
        "CO",
        "US",
    )


def test_every_standard_status_and_reason_has_words() -> None:
    assert set(STATUS_WORDS) == set(StatusKind)
    named = set(REASON_WORDS)
    # every standard reason the taxonomy maps, apart from the normal ones, reads as words
    assert {k for k, v in STANDARD_REASONS.items() if v is not ReasonKind.NORMAL} <= named


# Money: only invoice updates, only when allowed.


@pytest.mark.parametrize("name", sorted(SAMPLES_210))
def test_invoice_only_when_charges_allowed(name: str) -> None:
    for invoice in invoices_of(SAMPLES_210[name]):
        assert portal_updates(invoice, customer_id="c") == []
        assert portal_invoice_update(invoice, customer_id="c") is None
        (update,) = portal_updates(invoice, customer_id="c", allow_charges=True)
        data = wire(update)
        assert data["update_type"] == "invoice" and data["status"] is None
        assert data["invoice"]["total_due"]["amount"] == str(invoice.total_due.amount)
        assert len(data["invoice"]["charges"]) == len(invoice.charges)
        assert_no_raw_edi(data)


def test_invoice_charges_in_plain_words() -> None:
    (invoice,) = invoices_of(SAMPLES_210["indice-co__EDI.Net__210-MGCTLYST-SAMPLE"])
    update = portal_invoice_update(invoice, customer_id="catalyst", allow_charges=True)
    assert update is not None and update.invoice is not None
    assert [(ch.label, ch.amount.amount) for ch in update.invoice.charges] == [
        ("Other charge", Decimal("3636.04")),
        ("Customs", Decimal("15.00")),
        ("Fuel surcharge", Decimal("26.27")),
        ("Discount", Decimal("-3017.91")),
    ]
    assert update.description == "Freight invoice 09851270 received"


def test_a_status_update_cannot_carry_money() -> None:
    (invoice,) = invoices_of(SAMPLES_210["indice-co__EDI.Net__210-MGCTLYST-SAMPLE"])
    update = portal_invoice_update(invoice, customer_id="c", allow_charges=True)
    assert update is not None
    with pytest.raises(ValidationError, match="never carries charges"):
        PortalUpdate.model_validate({**update.model_dump(), "update_type": "status"})


MONEY_KEYS = {"amount", "total_due", "charges", "invoice"}


@settings(max_examples=60, deadline=None)
@given(doc=statuses, allow=st.booleans())
def test_status_updates_never_carry_money(doc: c.ShipmentStatus, allow: bool) -> None:
    for update in portal_updates(doc, customer_id="c", allow_charges=allow):
        data = wire(update)
        assert data["invoice"] is None
        keys = set(re.findall(r'"(\w+)":', json.dumps(data)))
        assert not (keys & (MONEY_KEYS - {"invoice"}))


@settings(max_examples=40, deadline=None)
@given(doc=invoices)
def test_invoice_money_only_when_allowed(doc: c.FreightInvoice) -> None:
    assert portal_updates(doc, customer_id="c") == []
    (update,) = portal_updates(doc, customer_id="c", allow_charges=True)
    data = wire(update)
    assert data["invoice"]["invoice_number"] == doc.invoice_number
