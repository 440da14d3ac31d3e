"""Shipment status (X12 214, TMS/telematics events): the canonical tracking-event taxonomy.

The X12 -> taxonomy tables live in `transforms.status_taxonomy`; this module only names the
canonical values every emitter (IDoc, TMS JSON, portal) reads.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime

from gateway.canonical.base import CanonicalDocument, CanonicalModel, DocumentType
from gateway.canonical.freight import Equipment, LadingException
from gateway.canonical.parties import Location, Note, Party, Reference
from gateway.canonical.values import TimeZoneSource, Volume, Weight


class StatusKind(StrEnum):
    """Canonical shipment milestones, in rough lifecycle order."""

    ACKNOWLEDGED = "acknowledged"
    APPOINTMENT_SET = "appointment_set"
    ESTIMATED_PICKUP = "estimated_pickup"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    ARRIVED_AT_PICKUP = "arrived_at_pickup"
    LOADING = "loading"
    LOADED = "loaded"
    PICKED_UP = "picked_up"  # the carrier departed the pick-up location with the shipment
    ARRIVED_AT_STOP = "arrived_at_stop"  # partner maps only: a stop of unknown kind
    DEPARTED_STOP = "departed_stop"  # partner maps only
    IN_TRANSIT = "in_transit"
    ARRIVED_AT_TERMINAL = "arrived_at_terminal"
    DEPARTED_TERMINAL = "departed_terminal"
    AVAILABLE_FOR_DELIVERY = "available_for_delivery"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ESTIMATED_DELIVERY = "estimated_delivery"
    ARRIVED_AT_DELIVERY = "arrived_at_delivery"
    DELIVERED = "delivered"
    DEPARTED_DELIVERY = "departed_delivery"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    DELAYED = "delayed"
    EXCEPTION = "exception"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    INFO = "info"  # informational codes that do not move the shipment (e.g. last free day)
    UNMAPPED = "unmapped"  # the code is kept raw; see TrackingEvent.is_mapped


class ReasonKind(StrEnum):
    """Canonical category of a status/appointment reason (element 1651)."""

    NORMAL = "normal"
    APPOINTMENT = "appointment"
    CUSTOMER_RELATED = "customer_related"
    SHIPPER_RELATED = "shipper_related"
    CARRIER_RELATED = "carrier_related"
    EQUIPMENT_UNAVAILABLE = "equipment_unavailable"
    MECHANICAL = "mechanical"
    ACCIDENT = "accident"
    WEATHER = "weather"
    HOLIDAY = "holiday"
    CIVIL_EVENT = "civil_event"
    CUSTOMS = "customs"
    PAPERWORK = "paperwork"
    ADDRESS_PROBLEM = "address_problem"
    DAMAGE = "damage"
    REFUSED = "refused"
    HELD = "held"
    MISSED_DELIVERY = "missed_delivery"
    MISSED_PICKUP = "missed_pickup"
    RETURNED = "returned"
    RECONSIGNED = "reconsigned"
    PROCESSING_DELAY = "processing_delay"
    OTHER = "other"
    UNMAPPED = "unmapped"


class AppointmentKind(StrEnum):
    PICKUP = "pickup"  # AT7-03 AA
    DELIVERY = "delivery"  # AT7-03 AB


class TrackingEvent(CanonicalModel):
    """One status or appointment (one AT7) with what its loop attaches to it."""

    status: StatusKind
    is_mapped: bool  # False: neither the standard table nor the partner map knew the code
    is_estimate: bool = False  # the time is a forecast (AG, X2, B6, C1), not a fact
    status_code: str | None = None  # raw AT7-01
    reason_code: str | None = None  # raw AT7-02
    reason: ReasonKind | None = None  # of AT7-02, or of AT7-04 in the appointment form
    appointment_code: str | None = None  # raw AT7-03
    appointment_kind: AppointmentKind | None = None
    appointment_reason_code: str | None = None  # raw AT7-04
    event_time: AwareDatetime | None = None  # None when the date is missing/placeholder/date only
    event_date: dt.date | None = None  # the calendar date as sent
    raw_date: str | None = None
    raw_time: str | None = None
    raw_time_code: str | None = None
    time_zone: str | None = None  # zone the local time was read in
    time_zone_source: TimeZoneSource | None = None
    location: Location | None = None  # MS1
    equipment: tuple[Equipment, ...] = ()  # MS2 (+ M7 seals)
    assigned_number: int | None = None  # LX-01: the shipment/stop group inside the 214
    stop_sequence: int | None = None  # L11*QN of the LX group, when sent
    references: tuple[Reference, ...] = ()  # L11 of the LX (and CD3) group
    parties: tuple[Party, ...] = ()  # N1 loops of the LX group (5010)
    weight: Weight | None = None  # the AT8 gross weight (else the first AT8 weight)
    weights: tuple[Weight, ...] = ()  # every AT8 weight of the group
    lading_quantity: int | None = None  # AT8-04 + AT8-05 handling units
    volume: Volume | None = None
    lading_exceptions: tuple[LadingException, ...] = ()  # Q7
    notes: tuple[Note, ...] = ()  # K1
    package_id: str | None = None  # CD3 loop: the carton/package the event is about
    segment_index: int = 0  # the AT7's ordinal in the input stream


class InterlineCarrier(CanonicalModel):
    """An MS3 interline line: another carrier on the route."""

    scac: str
    routing_sequence_code: str | None = None
    city: str | None = None
    mode_code: str | None = None  # raw element 91
    state: str | None = None


class ShipmentStatus(CanonicalDocument):
    """A carrier's status message about one shipment (X12 214)."""

    document_type: Literal[DocumentType.SHIPMENT_STATUS] = DocumentType.SHIPMENT_STATUS
    scac: str | None = None  # B10-03
    pro_number: str | None = None  # B10-01 (carrier's reference)
    shipment_id: str | None = None  # B10-02 (shipper's shipment identification)
    references: tuple[Reference, ...] = ()
    parties: tuple[Party, ...] = ()
    equipment: tuple[Equipment, ...] = ()  # every distinct MS2 across the events
    interline: tuple[InterlineCarrier, ...] = ()
    events: tuple[TrackingEvent, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def latest_event(self) -> TrackingEvent | None:
        """The most recent event that is a fact (not an estimate) with a known instant."""
        latest: TrackingEvent | None = None
        for event in self.events:
            if event.event_time is None or event.is_estimate:
                continue
            if latest is None or latest.event_time is None or event.event_time >= latest.event_time:
                latest = event
        return latest
