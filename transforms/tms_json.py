"""Canonical documents <-> the TMS JSON contract, version 1 (load tenders, tender responses,
shipment status with its tracking events, freight invoices), both directions.

The wire models below ARE the contract: `gateway/contracts/tms/v1/*.schema.json` is generated
from them (`python -m gateway.contracts.generate`) and a test fails when the committed files
differ. Field names follow the canonical model (snake_case, domain words, the reference's
"shipment_status" / "load_tender" message types, amounts as decimal strings), so mapping is a
validation from one model into the other; a field added to the canonical model makes that
validation fail (extra="forbid") until v1 decides whether to carry it. Not carried: mapping
warnings and the X12 segment index (gateway-internal).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from gateway import canonical as c
from gateway.canonical import (
    AppointmentKind,
    ChargeKind,
    DateKind,
    PartyRole,
    PaymentMethod,
    Purpose,
    ReasonKind,
    ReferenceKind,
    SourceFormat,
    StatusKind,
    StopKind,
    TenderAction,
    TimeZoneSource,
    VolumeUnit,
    WeightUnit,
    WindowKind,
)

SCHEMA_VERSION = "1"
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"
_DECIMAL = re.compile(DECIMAL_PATTERN)


class TmsContractError(ValueError):
    """A TMS message that does not satisfy the v1 contract (the REST layer answers 422)."""


def _decimal_in(value: object) -> Decimal:
    """Amounts travel as strings ("659.40"): a JSON number would lose exactness in most TMSs."""
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str) and _DECIMAL.match(value):
        return Decimal(value)
    raise ValueError(f"a decimal string like '659.40' is required, got {value!r}")


def _decimal_out(value: Decimal) -> str:
    return format(value, "f")  # fixed point: never "1E+2"


Dec = Annotated[
    Decimal,
    BeforeValidator(_decimal_in),
    PlainSerializer(_decimal_out, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": DECIMAL_PATTERN}),
]


class TmsModel(BaseModel):
    """Base of every wire model: immutable, and an unknown field is a contract violation."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Money(TmsModel):
    """An exact amount: {"amount": "659.40", "currency": "USD"}."""

    amount: Dec
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


class Weight(TmsModel):
    value: Dec
    unit: WeightUnit
    unit_code: str | None = Field(default=None, description="unit as the carrier sent it")
    qualifier: str | None = Field(default=None, description="G gross, N net ... as sent")


class Volume(TmsModel):
    value: Dec
    unit: VolumeUnit
    unit_code: str | None = None


class DateTimeValue(TmsModel):
    """A qualified date (and time) as sent, plus the instant it resolves to (null for a bare
    date or a placeholder)."""

    qualifier: str | None = None
    kind: DateKind = DateKind.OTHER
    date: dt.date | None = None
    time: str | None = None
    time_qualifier: str | None = None
    time_code: str | None = None
    instant: AwareDatetime | None = None
    zone: str | None = None
    zone_source: TimeZoneSource | None = None


class TimeWindow(TmsModel):
    kind: WindowKind
    start: DateTimeValue | None = None
    end: DateTimeValue | None = None


class Location(TmsModel):
    address_lines: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 when recognised")
    latitude: float | None = None
    longitude: float | None = None
    timezone: str | None = Field(default=None, description="IANA zone name")
    location_code: str | None = None
    location_qualifier: str | None = None


class PartyIdentifier(TmsModel):
    qualifier: str
    value: str


class Contact(TmsModel):
    function_code: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    fax: str | None = None


class Reference(TmsModel):
    qualifier: str = Field(default="", description="qualifier as sent, e.g. BM; may be empty")
    kind: ReferenceKind
    value: str
    description: str | None = None


class Party(TmsModel):
    role: PartyRole
    entity_code: str = Field(default="", description="role code as sent, e.g. SH; may be empty")
    name: str | None = None
    additional_names: tuple[str, ...] = ()
    identifiers: tuple[PartyIdentifier, ...] = ()
    location: Location | None = None
    contacts: tuple[Contact, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateTimeValue, ...] = ()


class Note(TmsModel):
    text: str
    code: str | None = None


class Equipment(TmsModel):
    number: str | None = None
    owner_scac: str | None = None
    type_code: str | None = None
    description: str | None = None
    length_feet: Dec | None = None
    check_digit: str | None = None
    seal_numbers: tuple[str, ...] = ()


class Hazmat(TmsModel):
    packaging_unit: str | None = None  # LH1-01, element 355 (e.g. "PC", "DR")
    quantity: Dec | None = None  # LH1-02 lading quantity
    un_na_number: str | None = None
    hazard_class: str | None = None
    packing_group: str | None = None
    proper_shipping_name: str | None = None
    shipping_name_qualifier: str | None = None  # LH3-02, element 984 (D = DOT)
    technical_name: str | None = None
    emergency_contact: str | None = None
    emergency_phone: str | None = None
    reportable_quantity: bool | None = None


class LadingLine(TmsModel):
    line_number: int | None = None
    description: str | None = None
    quantity: Dec | None = None
    packaging_code: str | None = None
    weight: Weight | None = None
    volume: Volume | None = None
    commodity_code: str | None = None
    commodity_qualifier: str | None = None
    freight_class: str | None = None
    declared_value: Money | None = None
    hazmat: tuple[Hazmat, ...] = ()
    references: tuple[Reference, ...] = ()
    notes: tuple[Note, ...] = ()


class LadingException(TmsModel):
    code: str
    packaging_code: str | None = None
    quantity: Dec | None = None


class OrderDetail(TmsModel):
    reference_id: str | None = None
    po_number: str | None = None
    release_number: str | None = None
    packaging_code: str | None = None
    quantity: Dec | None = None
    weight: Weight | None = None
    volume: Volume | None = None
    lading: tuple[LadingLine, ...] = ()
    references: tuple[Reference, ...] = ()


class Totals(TmsModel):
    weight: Weight | None = None
    volume: Volume | None = None
    lading_quantity: Dec | None = None
    charge: Money | None = Field(default=None, description="the tendered (agreed) amount")
    freight_rate: Dec | None = None
    rate_qualifier: str | None = None
    advances: Money | None = None
    prepaid_amount: Money | None = None
    declared_value: Money | None = None


class Stop(TmsModel):
    sequence: int
    reason_code: str = Field(
        default="",
        description="stop reason as sent (CL, CU, LD ...); empty when the TMS planned it",
    )
    kind: StopKind
    party: Party | None = None
    dates: tuple[DateTimeValue, ...] = ()
    windows: tuple[TimeWindow, ...] = ()
    references: tuple[Reference, ...] = ()
    weight: Weight | None = None
    lading_quantity: int | None = None
    lading: tuple[LadingLine, ...] = ()
    orders: tuple[OrderDetail, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    notes: tuple[Note, ...] = ()
    accomplish_code: str | None = None


class LoadTenderPayload(TmsModel):
    """A shipment offered to a carrier, or its change / cancellation (purpose)."""

    shipment_id: str
    scac: str | None = None
    purpose: Purpose = Purpose.ORIGINAL
    purpose_code: str | None = None
    application_type: str | None = None
    payment_method: PaymentMethod | None = None
    payment_method_code: str | None = None
    tariff_service_code: str | None = None
    mode_code: str | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    respond_by: DateTimeValue | None = None
    dates: tuple[DateTimeValue, ...] = ()
    parties: tuple[Party, ...] = ()
    references: tuple[Reference, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    stops: tuple[Stop, ...] = ()
    lading: tuple[LadingLine, ...] = ()
    totals: Totals | None = None
    notes: tuple[Note, ...] = ()


class TenderResponsePayload(TmsModel):
    """A carrier's answer to a load tender."""

    shipment_id: str | None = None
    scac: str | None = None
    action: TenderAction
    action_code: str = Field(default="", description="carrier's action code as sent, e.g. A")
    date: dt.date | None = None
    responded_at: AwareDatetime | None = None
    condition_code: str | None = None
    decline_reason_code: str | None = None
    references: tuple[Reference, ...] = ()
    dates: tuple[DateTimeValue, ...] = ()
    notes: tuple[Note, ...] = ()


# project44's eventType vocabulary (reference/tms_json.md 1b), for TMSs that speak it. In-transit
# milestones have no counterpart (project44's POSITION needs coordinates), so they map to null.
P44EventType = Literal[
    "ARRIVED",
    "LOADING",
    "DEPARTED",
    "DELIVERED",
    "CANCELLED",
    "ARRIVED_AT_TERMINAL",
    "DEPARTED_TERMINAL",
]

P44_EVENT_TYPES: dict[StatusKind, P44EventType] = {
    StatusKind.ARRIVED_AT_PICKUP: "ARRIVED",
    StatusKind.ARRIVED_AT_STOP: "ARRIVED",
    StatusKind.ARRIVED_AT_DELIVERY: "ARRIVED",
    StatusKind.LOADING: "LOADING",
    StatusKind.LOADED: "LOADING",
    StatusKind.PICKED_UP: "DEPARTED",
    StatusKind.DEPARTED_STOP: "DEPARTED",
    StatusKind.DEPARTED_DELIVERY: "DEPARTED",
    StatusKind.DELIVERED: "DELIVERED",
    StatusKind.CANCELLED: "CANCELLED",
    StatusKind.ARRIVED_AT_TERMINAL: "ARRIVED_AT_TERMINAL",
    StatusKind.DEPARTED_TERMINAL: "DEPARTED_TERMINAL",
}


class TrackingEvent(TmsModel):
    """One status or appointment. `status` is the canonical milestone; the *_code fields are the
    carrier's codes as sent; `event_type` is derived from `status` and ignored on input."""

    status: StatusKind
    event_type: P44EventType | None = Field(
        default=None, description="project44 eventType derived from status; ignored on input"
    )
    is_mapped: bool = Field(default=True, description="false: the carrier's code had no meaning")
    is_estimate: bool = False
    status_code: str | None = None
    reason_code: str | None = None
    reason: ReasonKind | None = None
    appointment_code: str | None = None
    appointment_kind: AppointmentKind | None = None
    appointment_reason_code: str | None = None
    event_time: AwareDatetime | None = None
    event_date: dt.date | None = None
    raw_date: str | None = None
    raw_time: str | None = None
    raw_time_code: str | None = None
    time_zone: str | None = None
    time_zone_source: TimeZoneSource | None = None
    location: Location | None = None
    equipment: tuple[Equipment, ...] = ()
    assigned_number: int | None = None
    stop_sequence: int | None = None
    references: tuple[Reference, ...] = ()
    parties: tuple[Party, ...] = ()
    weight: Weight | None = None
    weights: tuple[Weight, ...] = ()
    lading_quantity: int | None = None
    volume: Volume | None = None
    lading_exceptions: tuple[LadingException, ...] = ()
    notes: tuple[Note, ...] = ()
    package_id: str | None = None


class InterlineCarrier(TmsModel):
    scac: str
    routing_sequence_code: str | None = None
    city: str | None = None
    mode_code: str | None = None
    state: str | None = None


class ShipmentStatusPayload(TmsModel):
    """A carrier's status message about one shipment, with its tracking events in order."""

    scac: str | None = None
    pro_number: str | None = None
    shipment_id: str | None = None
    references: tuple[Reference, ...] = ()
    parties: tuple[Party, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    interline: tuple[InterlineCarrier, ...] = ()
    events: tuple[TrackingEvent, ...] = ()
    notes: tuple[Note, ...] = ()


class ChargeLine(TmsModel):
    line_number: int | None = None
    code: str | None = Field(default=None, description="charge code as sent, e.g. 405, FUE")
    kind: ChargeKind = ChargeKind.OTHER
    description: str | None = None
    rate: Dec | None = None
    rate_qualifier: str | None = None
    amount: Money = Field(description="negative for allowances and discounts")
    quantity: Dec | None = None
    quantity_qualifier: str | None = None
    weight: Weight | None = None


class FreightInvoicePayload(TmsModel):
    """A carrier's bill for a shipment."""

    invoice_number: str
    scac: str | None = None
    shipment_id: str | None = None
    bill_date: dt.date | None = None
    delivery_date: dt.date | None = None
    payment_method: PaymentMethod | None = None
    payment_method_code: str | None = None
    correction_indicator: str | None = None
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    total_due: Money
    total_charge: Money | None = None
    total_weight: Weight | None = None
    total_quantity: Dec | None = None
    charges: tuple[ChargeLine, ...] = ()
    lading: tuple[LadingLine, ...] = ()
    parties: tuple[Party, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateTimeValue, ...] = ()
    stops: tuple[Stop, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    notes: tuple[Note, ...] = ()


class Correlation(TmsModel):
    """Business keys that thread one shipment's messages together."""

    erp_order: str | None = None
    tms_shipment_id: str | None = None
    portal_reference: str | None = None
    shipment_id: str | None = None
    scac: str | None = None
    bol: str | None = None
    pro: str | None = None
    po: tuple[str, ...] = ()


class Source(TmsModel):
    """Where the gateway received the document (for support; ignored on input)."""

    format: SourceFormat
    partner_id: str | None = None
    sender_id: str | None = None
    interchange_control_number: str | None = None
    group_control_number: str | None = None
    set_control_number: str | None = None
    version: str | None = None


IdempotencyKey = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]


class _Envelope(TmsModel):
    message_type: str
    schema_version: Literal["1"] = Field(description="contract version; breaking changes bump it")
    idempotency_key: IdempotencyKey = Field(
        description="same key, same effect: a receiver applies a key once"
    )
    occurred_at: AwareDatetime = Field(
        description="when the business event happened (or the gateway received the document)"
    )
    correlation: Correlation = Field(default_factory=Correlation)
    source: Source | None = None


class LoadTenderMessage(_Envelope):
    """A load tender (TMS -> gateway for tenders planned in the TMS, or gateway -> TMS)."""

    message_type: Literal["load_tender"]
    payload: LoadTenderPayload


class TenderResponseMessage(_Envelope):
    """A carrier's answer to a load tender."""

    message_type: Literal["tender_response"]
    payload: TenderResponsePayload


class ShipmentStatusMessage(_Envelope):
    """Tracking events of one shipment."""

    message_type: Literal["shipment_status"]
    payload: ShipmentStatusPayload


class FreightInvoiceMessage(_Envelope):
    """A carrier's freight invoice."""

    message_type: Literal["freight_invoice"]
    payload: FreightInvoicePayload


TmsMessage = Annotated[
    LoadTenderMessage | TenderResponseMessage | ShipmentStatusMessage | FreightInvoiceMessage,
    Field(discriminator="message_type"),
]
TMS_MESSAGE_ADAPTER: TypeAdapter[TmsMessage] = TypeAdapter(TmsMessage)

MESSAGE_MODELS: dict[str, type[_Envelope]] = {
    "load_tender": LoadTenderMessage,
    "tender_response": TenderResponseMessage,
    "shipment_status": ShipmentStatusMessage,
    "freight_invoice": FreightInvoiceMessage,
}

TmsDocument = c.LoadTender | c.TenderResponse | c.ShipmentStatus | c.FreightInvoice

# Canonical fields that are not part of the wire payload (they travel in the envelope, or not).
_NOT_IN_PAYLOAD = ("schema_version", "document_type", "source", "correlation", "warnings")
_MESSAGE_TYPES: dict[type, str] = {
    c.LoadTender: "load_tender",
    c.TenderResponse: "tender_response",
    c.ShipmentStatus: "shipment_status",
    c.FreightInvoice: "freight_invoice",
}


def to_tms_message(
    doc: TmsDocument, *, idempotency_key: str, occurred_at: dt.datetime | None = None
) -> TmsMessage:
    """The v1 message for a canonical document.

    `occurred_at` defaults to the document's own instant (the latest factual tracking event, or
    the tender response time); a load tender or invoice carries none, so the caller passes the
    time the gateway received it. Raises ValueError when no instant is known, TmsContractError
    when a value breaks the contract (e.g. an idempotency key with spaces), TypeError for a
    document the contract does not carry (acknowledgements).
    """
    message_type = _MESSAGE_TYPES.get(type(doc))
    if message_type is None:
        raise TypeError(f"{type(doc).__name__} is not part of the TMS contract")
    when = occurred_at or _document_instant(doc)
    if when is None:
        raise ValueError(f"occurred_at is required: a {doc.document_type.value} carries no instant")
    exclude: dict[str, Any] = dict.fromkeys(_NOT_IN_PAYLOAD, True)
    if isinstance(doc, c.ShipmentStatus):
        exclude["events"] = {"__all__": {"segment_index"}}
    payload = doc.model_dump(exclude=exclude)
    if isinstance(doc, c.ShipmentStatus):
        for event in payload["events"]:
            event["event_type"] = P44_EVENT_TYPES.get(event["status"])
    try:
        return TMS_MESSAGE_ADAPTER.validate_python(
            {
                "message_type": message_type,
                "schema_version": SCHEMA_VERSION,
                "idempotency_key": idempotency_key,
                "occurred_at": when,
                "correlation": doc.correlation.model_dump(),
                "source": _source(doc.source),
                "payload": payload,
            }
        )
    except ValidationError as exc:
        raise TmsContractError(f"the document does not fit the TMS v1 contract: {exc}") from exc


def render_tms_json(
    doc: TmsDocument, *, idempotency_key: str, occurred_at: dt.datetime | None = None
) -> bytes:
    """`to_tms_message(...).model_dump_json(indent=2)` as bytes, what the router delivers. A
    shipment status takes `_status_json` when it can (the same bytes), anything else the model."""
    if isinstance(doc, c.ShipmentStatus):
        fast = _status_json(doc, idempotency_key, occurred_at)
        if fast is not None:
            return fast
    message = to_tms_message(doc, idempotency_key=idempotency_key, occurred_at=occurred_at)
    return message.model_dump_json(indent=2).encode()


_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
# Between a status's events and the rest of its payload, the wire models copy the canonical ones
# field for field, in the same order: the wire JSON of a status is the canonical JSON of the same
# fields, plus `event_type` after each event's `status`. Checked when the module loads
# (`_same_fields`); where they differ the fast path is off and the models render.
_STATUS_PAIRS: tuple[tuple[type[BaseModel], type[BaseModel]], ...] = (
    (c.ShipmentStatus, ShipmentStatusPayload),
    (c.TrackingEvent, TrackingEvent),
    (c.Reference, Reference),
    (c.Party, Party),
    (c.PartyIdentifier, PartyIdentifier),
    (c.Location, Location),
    (c.Contact, Contact),
    (c.DateTimeValue, DateTimeValue),
    (c.Equipment, Equipment),
    (c.InterlineCarrier, InterlineCarrier),
    (c.Weight, Weight),
    (c.Volume, Volume),
    (c.LadingException, LadingException),
    (c.Note, Note),
    (c.Correlation, Correlation),
)
# Canonical Decimal fields of a status (a test keeps this list complete): the wire writes them
# fixed point ("100"), the canonical JSON as str() ("1E+2"); the fast path takes a status only
# when the two agree for every one of them.
_STATUS_DECIMALS = {
    "Weight": ("value",),
    "Volume": ("value",),
    "Equipment": ("length_feet",),
    "LadingException": ("quantity",),
}


def _same_fields() -> bool:
    for canonical, wire in _STATUS_PAIRS:
        names = [n for n in canonical.model_fields if n not in _NOT_IN_PAYLOAD]
        wire_names = list(wire.model_fields)
        if canonical is c.TrackingEvent:
            names.remove("segment_index")
            wire_names.remove("event_type")
        if names != wire_names:
            return False
    return True


_FAST_STATUS = _same_fields()
_STATUS_EXCLUDE: dict[str, Any] = {
    **dict.fromkeys(_NOT_IN_PAYLOAD, True),
    "events": {"__all__": {"segment_index"}},
}


def _fixed_point(value: Decimal | None) -> bool:
    return value is None or (value.is_finite() and str(value) == format(value, "f"))


def _plain_decimals(doc: c.ShipmentStatus) -> bool:
    """Every Decimal of the status writes the same in the canonical and the wire JSON."""
    if not all(_fixed_point(e.length_feet) for e in doc.equipment):
        return False
    for event in doc.events:
        if event.weight is not None and not _fixed_point(event.weight.value):
            return False
        if event.volume is not None and not _fixed_point(event.volume.value):
            return False
        if not all(_fixed_point(w.value) for w in event.weights):
            return False
        if not all(_fixed_point(e.length_feet) for e in event.equipment):
            return False
        if not all(_fixed_point(x.quantity) for x in event.lading_exceptions):
            return False
    return True


def _status_json(
    doc: c.ShipmentStatus, idempotency_key: str, occurred_at: dt.datetime | None
) -> bytes | None:
    """The wire JSON of a status without the wire models (~2x cheaper): the canonical JSON of
    the payload with each event's `event_type` put in, inside an envelope written here. None
    when a value might not pass the contract (the caller then validates through the models,
    which raise what they raise). tests/unit/test_tms_fast.py proves the bytes equal."""
    if not _FAST_STATUS or not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        return None
    when = occurred_at or _document_instant(doc)
    if when is None:
        raise ValueError(f"occurred_at is required: a {doc.document_type.value} carries no instant")
    if when.utcoffset() is None or not _plain_decimals(doc):
        return None
    for event in doc.events:
        if event.event_time is not None and event.event_time.utcoffset() is None:
            return None
    payload = doc.model_dump_json(indent=2, exclude=_STATUS_EXCLUDE)
    # Each event's fields are 6 spaces in; only events have a "status" there, in order.
    parts: list[str] = []
    start = 0
    for event in doc.events:
        status = f'\n      "status": "{event.status.value}",\n'
        at = payload.find(status, start)
        if at < 0:
            return None
        end = at + len(status)
        event_type = P44_EVENT_TYPES.get(event.status)
        parts.append(payload[start:end])
        wire_type = "null" if event_type is None else f'"{event_type}"'
        parts.append(f'      "event_type": {wire_type},\n')
        start = end
    parts.append(payload[start:])
    envelope = pydantic_core.to_json(
        {
            "message_type": "shipment_status",
            "schema_version": SCHEMA_VERSION,
            "idempotency_key": idempotency_key,
            "occurred_at": when,
            "correlation": doc.correlation.model_dump(),
            "source": _source(doc.source),
            "payload": None,
        },
        indent=2,
    )
    if not envelope.endswith(b"null\n}"):
        return None
    head = envelope[:-6]
    body = "".join(parts).replace("\n", "\n  ")  # one level deeper: under "payload"
    return head + body.encode() + b"\n}"


_CANONICAL_TYPES: dict[str, type[TmsDocument]] = {
    "load_tender": c.LoadTender,
    "tender_response": c.TenderResponse,
    "shipment_status": c.ShipmentStatus,
    "freight_invoice": c.FreightInvoice,
}


def _document_instant(doc: TmsDocument) -> dt.datetime | None:
    if isinstance(doc, c.ShipmentStatus):
        latest = doc.latest_event
        if latest is not None:
            return latest.event_time
        times = [e.event_time for e in doc.events if e.event_time is not None]
        return max(times) if times else None
    if isinstance(doc, c.TenderResponse):
        return doc.responded_at
    return None


def _source(source: c.SourceMetadata) -> dict[str, Any]:
    return {
        "format": source.format,
        "partner_id": source.partner_id,
        "sender_id": source.sender_id,
        "interchange_control_number": source.interchange_control_number,
        "group_control_number": source.group_control_number,
        "set_control_number": source.set_control_number,
        "version": source.version,
    }


def parse_tms_message(data: bytes | str | dict[str, Any]) -> TmsMessage:
    """Validate a TMS message against the v1 contract; raises TmsContractError."""
    try:
        if isinstance(data, bytes | str):
            return TMS_MESSAGE_ADAPTER.validate_json(data)
        return TMS_MESSAGE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise TmsContractError(f"not a valid TMS v1 message: {exc}") from exc


def from_tms_message(data: bytes | str | dict[str, Any] | TmsMessage) -> TmsDocument:
    """The canonical document a TMS message carries (TMS -> gateway).

    The result's source says TMS_JSON: the message's own `source` block describes where an
    earlier hop received the document and is not trusted as this document's origin.
    """
    message = data if isinstance(data, _Envelope) else parse_tms_message(data)
    payload = message.payload.model_dump()
    if isinstance(message, ShipmentStatusMessage):
        for event in payload["events"]:
            del event["event_type"]
    model = _CANONICAL_TYPES[message.message_type]
    try:
        return model.model_validate(
            {
                **payload,
                "correlation": message.correlation.model_dump(),
                "source": c.SourceMetadata(format=SourceFormat.TMS_JSON),
            }
        )
    except ValidationError as exc:  # the contract admits it, the canonical model does not
        raise TmsContractError(f"TMS message does not map to a canonical document: {exc}") from exc


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schema of every v1 message, keyed by message type, plus "message" (any of them)."""
    schemas = {name: model.model_json_schema() for name, model in MESSAGE_MODELS.items()}
    schemas["message"] = TMS_MESSAGE_ADAPTER.json_schema()
    return schemas
