"""Canonical shipment status / freight invoice -> curated customer-portal updates (contract v1).

A portal update is what a customer reads: the milestone in plain words, when and where, the
ETA, references, proof-of-delivery availability and, for problems, the reason in plain words.
Decision: no raw EDI at all, not even in a debug field: carrier codes (AT7, reason, charge
codes) never appear; support staff trace an update through the gateway's own search (shipment
references, idempotency key) and the ops dashboard, which show the raw message. Money appears
only in invoice updates, and only when the caller allows charges for this customer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

from gateway import canonical as c
from gateway.canonical import AppointmentKind, ChargeKind, ReasonKind, StatusKind

SCHEMA_VERSION = "1"

# Amounts as fixed-point strings, like the TMS contract (kept separate: two contracts, two
# version lines).
Amount = Annotated[
    Decimal,
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]

STATUS_WORDS: dict[StatusKind, str] = {
    StatusKind.ACKNOWLEDGED: "Shipment details received by the carrier",
    StatusKind.APPOINTMENT_SET: "Appointment scheduled",
    StatusKind.ESTIMATED_PICKUP: "Estimated pick-up time updated",
    StatusKind.AVAILABLE_FOR_PICKUP: "Ready for pick-up",
    StatusKind.ARRIVED_AT_PICKUP: "Carrier arrived at the pick-up location",
    StatusKind.LOADING: "Loading",
    StatusKind.LOADED: "Loaded",
    StatusKind.PICKED_UP: "Picked up",
    StatusKind.ARRIVED_AT_STOP: "Arrived at a stop",
    StatusKind.DEPARTED_STOP: "Departed a stop",
    StatusKind.IN_TRANSIT: "In transit",
    StatusKind.ARRIVED_AT_TERMINAL: "Arrived at a carrier terminal",
    StatusKind.DEPARTED_TERMINAL: "Departed a carrier terminal",
    StatusKind.AVAILABLE_FOR_DELIVERY: "Available for delivery",
    StatusKind.OUT_FOR_DELIVERY: "Out for delivery",
    StatusKind.ESTIMATED_DELIVERY: "Estimated delivery time updated",
    StatusKind.ARRIVED_AT_DELIVERY: "Carrier arrived at the delivery location",
    StatusKind.DELIVERED: "Delivered",
    StatusKind.DEPARTED_DELIVERY: "Carrier departed the delivery location",
    StatusKind.DELIVERY_ATTEMPTED: "Delivery attempted",
    StatusKind.DELAYED: "Delayed",
    StatusKind.EXCEPTION: "Shipment exception",
    StatusKind.RETURNED: "Returned to the shipper",
    StatusKind.CANCELLED: "Cancelled",
    StatusKind.INFO: "Shipment information updated",
    StatusKind.UNMAPPED: "Status update from the carrier",
}

APPOINTMENT_WORDS: dict[AppointmentKind, str] = {
    AppointmentKind.PICKUP: "Pick-up appointment scheduled",
    AppointmentKind.DELIVERY: "Delivery appointment scheduled",
}

# Element 1651 (AT7-02/04) meanings, from reference/x12_transport.md section 4. Codes the
# reference marks unverified (S1, T1) are left out: the category words stand in for them.
REASON_WORDS: dict[str, str] = {
    "A1": "Missed Delivery",
    "A2": "Incorrect Address",
    "A3": "Indirect Delivery",
    "A5": "Unable to Locate",
    "A6": "Address Corrected - Delivery Attempted",
    "AA": "Mis-sort",
    "AD": "Customer Requested Future Delivery",
    "AE": "Restricted Articles Unacceptable",
    "AF": "Accident",
    "AG": "Consignee Related",
    "AH": "Driver Related",
    "AI": "Mechanical Breakdown",
    "AJ": "Other Carrier Related",
    "AK": "Damaged, Rewrapped in Hub",
    "AL": "Previous Stop",
    "AM": "Shipper Related",
    "AN": "Holiday - Closed",
    "AO": "Weather or Natural Disaster Related",
    "AP": "Awaiting Export",
    "AQ": "Recipient Unavailable - Delivery Delayed",
    "AR": "Improper International Paperwork",
    "AS": "Hold Due to Customs Documentation Problems",
    "AT": "Unable to Contact Recipient for Broker Information",
    "AU": "Civil Event Related Delay",
    "AV": "Exceeds Service Limitations",
    "AW": "Past Cut-off Time",
    "AX": "Insufficient Pick-up Time",
    "AY": "Missed Pick-up",
    "AZ": "Alternate Carrier Delivered",
    "B1": "Consignee Closed",
    "B2": "Trap for Customer",
    "B4": "Held for Payment",
    "B5": "Held for Consignee",
    "B8": "Improper Unloading Facility or Equipment",
    "B9": "Receiving Time Restricted",
    "BB": "Held per Shipper",
    "BC": "Missing Documents",
    "BD": "Border Clearance",
    "BE": "Road Conditions",
    "BF": "Carrier Keying Error",
    "BG": "Other",
    "BH": "Insufficient Time to Complete Delivery",
    "BI": "Cartage Agent",
    "BJ": "Customer Wanted Earlier Delivery",
    "BK": "Prearranged Appointment",
    "BL": "Held for Protective Service",
    "BM": "Flatcar Shortage",
    "BN": "Failed to Release Billing",
    "BO": "Railroad Failed to Meet Schedule",
    "BP": "Load Shifted",
    "BQ": "Shipment Overweight",
    "BR": "Train Derailment",
    "BS": "Refused by Customer",
    "BT": "Returned to Shipper",
    "C1": "Waiting for Customer Pick-up",
    "C2": "Credit Hold",
    "C3": "Suspended at Customer Request",
    "C4": "Customer Vacation",
    "C5": "Customer Strike",
    "C6": "Waiting Shipping Instructions",
    "C7": "Waiting for Customer Specified Carrier",
    "C8": "Collect on Delivery Required",
    "C9": "Cash Not Available From Consignee",
    "CA": "Customs (Import or Export)",
    "CB": "No Requested Arrival Date Provided by Shipper",
    "CC": "No Requested Arrival Time Provided by Shipper",
    "D1": "Carrier Dispatch Error",
    "D2": "Driver Not Available",
    "F1": "Non-Express Clearance Delay",
    "F2": "International Non-carrier Delay",
    "HB": "Held Pending Appointment",
    "P1": "Processing Delay",
    "P2": "Waiting Inspection",
    "P3": "Production Falldown",
    "P4": "Held for Full Carrier Load",
    "RC": "Reconsigned",
    "T2": "Tractor, Conventional, Not Available",
    "T3": "Trailer not Available",
    "T4": "Trailer Not Usable Due to Prior Product",
    "T5": "Trailer Class Not Available",
    "T6": "Trailer Volume Not Available",
    "T7": "Insufficient Delivery Time",
}

REASON_KIND_WORDS: dict[ReasonKind, str] = {
    ReasonKind.CUSTOMER_RELATED: "Customer related",
    ReasonKind.SHIPPER_RELATED: "Shipper related",
    ReasonKind.CARRIER_RELATED: "Carrier related",
    ReasonKind.EQUIPMENT_UNAVAILABLE: "Equipment not available",
    ReasonKind.MECHANICAL: "Mechanical breakdown",
    ReasonKind.ACCIDENT: "Accident",
    ReasonKind.WEATHER: "Weather",
    ReasonKind.HOLIDAY: "Holiday",
    ReasonKind.CIVIL_EVENT: "Civil event",
    ReasonKind.CUSTOMS: "Customs",
    ReasonKind.PAPERWORK: "Paperwork",
    ReasonKind.ADDRESS_PROBLEM: "Address problem",
    ReasonKind.DAMAGE: "Damage",
    ReasonKind.REFUSED: "Refused",
    ReasonKind.HELD: "Held",
    ReasonKind.MISSED_DELIVERY: "Missed delivery",
    ReasonKind.MISSED_PICKUP: "Missed pick-up",
    ReasonKind.RETURNED: "Returned",
    ReasonKind.RECONSIGNED: "Reconsigned",
    ReasonKind.PROCESSING_DELAY: "Processing delay",
    ReasonKind.OTHER: "Other",
}

CHARGE_WORDS: dict[ChargeKind, str] = {
    ChargeKind.FREIGHT: "Freight charge",
    ChargeKind.FUEL_SURCHARGE: "Fuel surcharge",
    ChargeKind.DISCOUNT: "Discount",
    ChargeKind.ACCESSORIAL: "Additional service",
    ChargeKind.DETENTION: "Detention",
    ChargeKind.DEMURRAGE: "Demurrage",
    ChargeKind.LIFTGATE: "Lift gate service",
    ChargeKind.LAYOVER: "Layover",
    ChargeKind.STOP_OFF: "Extra stop",
    ChargeKind.RESIDENTIAL: "Residential delivery",
    ChargeKind.INSIDE_DELIVERY: "Inside delivery",
    ChargeKind.APPOINTMENT: "Appointment",
    ChargeKind.HAZMAT: "Hazardous materials handling",
    ChargeKind.INSURANCE: "Insurance",
    ChargeKind.CUSTOMS: "Customs",
    ChargeKind.TAX: "Tax",
    ChargeKind.LOADING: "Loading or unloading",
    ChargeKind.MINIMUM: "Minimum charge",
    ChargeKind.SURCHARGE: "Surcharge",
    ChargeKind.TOLL: "Tolls",
    ChargeKind.OTHER: "Other charge",
}

# Milestones that are a problem even when the carrier gives no reason.
_PROBLEM_STATUSES = frozenset(
    {
        StatusKind.DELAYED,
        StatusKind.EXCEPTION,
        StatusKind.DELIVERY_ATTEMPTED,
        StatusKind.RETURNED,
    }
)
_NORMAL_REASONS = frozenset({ReasonKind.NORMAL, ReasonKind.APPOINTMENT, ReasonKind.UNMAPPED})


class PortalModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PortalLocation(PortalModel):
    city: str | None = None
    state: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 when known")


class ShipmentReferences(PortalModel):
    """The numbers a customer searches by."""

    shipment_id: str | None = None
    bol: str | None = None
    pro: str | None = None
    po: tuple[str, ...] = ()
    carrier_scac: str | None = None


class PortalException(PortalModel):
    """Why a shipment is not going to plan, in plain words."""

    category: ReasonKind | None = None
    description: str


class PortalMoney(PortalModel):
    amount: Amount
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class PortalCharge(PortalModel):
    label: str = Field(description="what the charge is for, in plain words")
    carrier_description: str | None = None
    amount: PortalMoney


class PortalInvoice(PortalModel):
    invoice_number: str
    bill_date: dt.date | None = None
    total_due: PortalMoney
    charges: tuple[PortalCharge, ...] = ()


CustomerId = Annotated[str, Field(min_length=1, max_length=200)]


class PortalUpdate(PortalModel):
    """One curated update for one customer. `status` updates never carry money."""

    schema_version: Literal["1"]
    update_type: Literal["status", "invoice"]
    idempotency_key: str = Field(description="stable per customer, shipment and event")
    customer_id: CustomerId = Field(description="the customer the portal API scopes this to")
    shipment: ShipmentReferences
    status: StatusKind | None = None
    description: str
    occurred_at: AwareDatetime | None = None
    occurred_on: dt.date | None = Field(default=None, description="when only a date is known")
    is_estimate: bool = False
    eta: AwareDatetime | None = Field(default=None, description="estimated delivery, when known")
    location: PortalLocation | None = None
    proof_of_delivery_available: bool = Field(
        default=False,
        description="the carrier reported delivery: proof of delivery can be requested from it",
    )
    exception: PortalException | None = None
    invoice: PortalInvoice | None = None

    @model_validator(mode="after")
    def _money_only_in_invoices(self) -> PortalUpdate:
        if self.update_type == "status" and self.invoice is not None:
            raise ValueError("a status update never carries charges")
        return self


def portal_updates(
    doc: c.ShipmentStatus | c.FreightInvoice, *, customer_id: str, allow_charges: bool = False
) -> list[PortalUpdate]:
    """The portal updates for one document: one per tracking event of a shipment status; for a
    freight invoice, one update when `allow_charges`, else none. (A status carries no money, so
    `allow_charges` changes nothing for it.)"""
    if isinstance(doc, c.FreightInvoice):
        update = portal_invoice_update(doc, customer_id=customer_id, allow_charges=allow_charges)
        return [update] if update is not None else []
    refs = _references(doc.correlation, doc.shipment_id, doc.pro_number, doc.scac)
    eta = _eta(doc)
    return [_status_update(event, refs, eta, customer_id) for event in doc.events]


def portal_invoice_update(
    invoice: c.FreightInvoice, *, customer_id: str, allow_charges: bool = False
) -> PortalUpdate | None:
    """The invoice as a portal update, or None unless this customer may see charges."""
    if not allow_charges:
        return None
    refs = _references(invoice.correlation, invoice.shipment_id, None, invoice.scac)
    key = _key(customer_id, refs, "invoice", invoice.invoice_number, str(invoice.total_due.amount))
    return PortalUpdate(
        schema_version=SCHEMA_VERSION,
        update_type="invoice",
        idempotency_key=key,
        customer_id=customer_id,
        shipment=refs,
        description=f"Freight invoice {invoice.invoice_number} received",
        occurred_on=invoice.bill_date,
        invoice=PortalInvoice(
            invoice_number=invoice.invoice_number,
            bill_date=invoice.bill_date,
            total_due=_money(invoice.total_due),
            charges=tuple(
                PortalCharge(
                    label=CHARGE_WORDS[charge.kind],
                    carrier_description=charge.description,
                    amount=_money(charge.amount),
                )
                for charge in invoice.charges
            ),
        ),
    )


def _money(money: c.Money) -> PortalMoney:
    return PortalMoney(amount=money.amount, currency=money.currency)


def _references(
    correlation: c.Correlation, shipment_id: str | None, pro: str | None, scac: str | None
) -> ShipmentReferences:
    return ShipmentReferences(
        shipment_id=shipment_id or correlation.shipment_id,
        bol=correlation.bol,
        pro=pro or correlation.pro,
        po=correlation.po,
        carrier_scac=scac or correlation.scac,
    )


def _eta(doc: c.ShipmentStatus) -> dt.datetime | None:
    """The last delivery estimate or delivery appointment the carrier sent; none once delivered."""
    eta = None
    for event in doc.events:
        if event.status is StatusKind.DELIVERED and not event.is_estimate:
            return None
        is_delivery_estimate = event.status is StatusKind.ESTIMATED_DELIVERY or (
            event.status is StatusKind.APPOINTMENT_SET
            and event.appointment_kind is AppointmentKind.DELIVERY
        )
        if is_delivery_estimate and event.event_time is not None:
            eta = event.event_time
    return eta


def _status_update(
    event: c.TrackingEvent,
    refs: ShipmentReferences,
    eta: dt.datetime | None,
    customer_id: str,
) -> PortalUpdate:
    exception = _exception(event)
    description = _describe(event)
    if exception is not None and exception.description != description:
        description = f"{description}: {exception.description}"
    when = event.event_time.astimezone(dt.UTC).isoformat() if event.event_time else ""
    key = _key(
        customer_id,
        refs,
        event.status.value,
        when or (event.event_date.isoformat() if event.event_date else ""),
        event.status_code or "",
        event.reason_code or "",
        event.appointment_code or "",
        event.location.city or "" if event.location else "",
        event.location.state or "" if event.location else "",
        str(event.is_estimate),
        # an LX loop per delivery order repeats the same milestone for each order
        *sorted(f"{r.qualifier}={r.value}" for r in event.references),
        event.package_id or "",
    )
    return PortalUpdate(
        schema_version=SCHEMA_VERSION,
        update_type="status",
        idempotency_key=key,
        customer_id=customer_id,
        shipment=refs,
        status=event.status,
        description=description,
        occurred_at=event.event_time,
        occurred_on=event.event_date,
        is_estimate=event.is_estimate,
        eta=eta,
        location=_location(event),
        proof_of_delivery_available=event.status is StatusKind.DELIVERED and not event.is_estimate,
        exception=exception,
    )


def status_update_json(
    doc: c.ShipmentStatus, *, customer_id: str
) -> list[tuple[str, bytes]] | None:
    """(idempotency key, JSON) of each update `portal_updates` gives for a shipment status, the
    JSON byte for byte what `PortalUpdate.model_dump_json(indent=2)` writes, built without the
    models (the hot path renders two per 214). None when a value would not pass the model's
    validation: the caller then takes the model path, which raises what it raises.
    tests/unit/test_portal_fast.py proves the equality on generated and sample documents."""
    if not 1 <= len(customer_id) <= 200:
        return None
    correlation = doc.correlation
    scac = doc.scac or correlation.scac
    shipment_id = doc.shipment_id or correlation.shipment_id
    pro = doc.pro_number or correlation.pro
    bol = correlation.bol
    refs = {
        "shipment_id": shipment_id,
        "bol": bol,
        "pro": pro,
        "po": correlation.po,
        "carrier_scac": scac,
    }
    prefix = "\x1f".join((customer_id, scac or "", shipment_id or "", pro or "", bol or ""))
    eta = _eta(doc)
    if eta is not None and eta.utcoffset() is None:
        return None
    out: list[tuple[str, bytes]] = []
    for event in doc.events:
        when = event.event_time
        if when is not None and when.utcoffset() is None:
            return None  # AwareDatetime would refuse it
        exception = _exception_fields(event)
        description = _describe(event)
        if exception is not None and exception[1] != description:
            description = f"{description}: {exception[1]}"
        key = _event_key(prefix, event)
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "update_type": "status",
            "idempotency_key": key,
            "customer_id": customer_id,
            "shipment": refs,
            "status": event.status,
            "description": description,
            "occurred_at": when,
            "occurred_on": event.event_date,
            "is_estimate": event.is_estimate,
            "eta": eta,
            "location": _location_fields(event),
            "proof_of_delivery_available": event.status is StatusKind.DELIVERED
            and not event.is_estimate,
            "exception": None
            if exception is None
            else {"category": exception[0], "description": exception[1]},
            "invoice": None,
        }
        out.append((key, pydantic_core.to_json(data, indent=2)))
    return out


def _event_key(prefix: str, event: c.TrackingEvent) -> str:
    """`_key` of `_status_update`, from the joined customer and shipment `prefix`."""
    location = event.location
    when = event.event_time.astimezone(dt.UTC).isoformat() if event.event_time else ""
    parts = [
        prefix,
        event.status.value,
        when or (event.event_date.isoformat() if event.event_date else ""),
        event.status_code or "",
        event.reason_code or "",
        event.appointment_code or "",
        location.city or "" if location else "",
        location.state or "" if location else "",
        str(event.is_estimate),
        *sorted(f"{r.qualifier}={r.value}" for r in event.references),
        event.package_id or "",
    ]
    return "pu_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _exception_fields(event: c.TrackingEvent) -> tuple[ReasonKind | None, str] | None:
    """`_exception` as (category, description), without the model."""
    reason_code = (event.reason_code or event.appointment_reason_code or "").strip().upper()
    reason = event.reason
    if reason is not None and reason not in _NORMAL_REASONS:
        return reason, REASON_WORDS.get(reason_code) or REASON_KIND_WORDS.get(reason, "Other")
    if event.status in _PROBLEM_STATUSES:
        return None, "The carrier has not given a reason"
    return None


def _location_fields(event: c.TrackingEvent) -> dict[str, str | None] | None:
    """`_location` as a dict, without the model."""
    place = event.location
    if place is None or not (place.city or place.state):
        place = next((p.location for p in event.parties if p.location is not None), place)
    if place is None or not (place.city or place.state or place.country):
        return None
    return {"city": place.city, "state": place.state, "country": place.country}


def _describe(event: c.TrackingEvent) -> str:
    if event.status is StatusKind.APPOINTMENT_SET and event.appointment_kind is not None:
        return APPOINTMENT_WORDS[event.appointment_kind]
    return STATUS_WORDS[event.status]


def _exception(event: c.TrackingEvent) -> PortalException | None:
    """Plain words for a problem: the reason's meaning when known, else its category; a problem
    milestone with no usable reason still says that something is wrong."""
    reason_code = (event.reason_code or event.appointment_reason_code or "").strip().upper()
    reason = event.reason
    if reason is not None and reason not in _NORMAL_REASONS:
        words = REASON_WORDS.get(reason_code) or REASON_KIND_WORDS.get(reason, "Other")
        return PortalException(category=reason, description=words)
    if event.status in _PROBLEM_STATUSES:
        return PortalException(description="The carrier has not given a reason")
    return None


def _location(event: c.TrackingEvent) -> PortalLocation | None:
    """Where the event happened (MS1), else the place of the event's own party (5010 LX N1)."""
    place = event.location
    if place is None or not (place.city or place.state):
        place = next((p.location for p in event.parties if p.location is not None), place)
    if place is None or not (place.city or place.state or place.country):
        return None
    return PortalLocation(city=place.city, state=place.state, country=place.country)


def _key(customer_id: str, refs: ShipmentReferences, *parts: str) -> str:
    """A stable key: the same customer, shipment and event give the same key, whichever
    interchange carried the event (a re-sent 214 is not a second update)."""
    shipment = (refs.carrier_scac, refs.shipment_id, refs.pro, refs.bol)
    text = "\x1f".join([customer_id, *(v or "" for v in shipment), *parts])
    return "pu_" + hashlib.sha256(text.encode()).hexdigest()[:40]


def json_schema() -> dict[str, object]:
    """JSON Schema of a v1 portal update."""
    return PortalUpdate.model_json_schema()
