"""Canonical value types: money, weight, volume, and dates with their resolved instants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field

from gateway.canonical.base import CanonicalModel


class Money(CanonicalModel):
    """An exact amount in one currency. Serialises as {"amount": "659.28", "currency": "USD"}."""

    amount: Decimal
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


class WeightUnit(StrEnum):
    """Element 188 weight units, by their meaning."""

    POUNDS = "lb"  # L
    KILOGRAMS = "kg"  # K
    GRAMS = "g"  # G
    OUNCES = "oz"  # O
    METRIC_TON = "t"  # E
    SHORT_TON = "short_ton"  # S
    LONG_TON = "long_ton"  # T
    MEASUREMENT_TON = "measurement_ton"  # M
    OTHER = "other"


class Weight(CanonicalModel):
    value: Decimal
    unit: WeightUnit
    unit_code: str | None = None  # raw element 188, e.g. "L"
    qualifier: str | None = None  # raw element 187, e.g. "G" gross, "N" net, "B" billed


class VolumeUnit(StrEnum):
    CUBIC_FEET = "ft3"  # E
    CUBIC_METERS = "m3"  # X
    CUBIC_INCHES = "in3"  # N
    CUBIC_CENTIMETERS = "cm3"  # C
    LITERS = "l"
    GALLONS = "gal"
    OTHER = "other"


class Volume(CanonicalModel):
    value: Decimal
    unit: VolumeUnit
    unit_code: str | None = None  # raw element 184/355


class TimeZoneSource(StrEnum):
    """How the zone of a local date/time was decided (explains an instant to a human)."""

    STATED = "stated"  # the time code named a zone or an offset
    EVENT_LOCATION = "event_location"  # local time; zone of the event's own location (MS1)
    PARTY_LOCATION = "party_location"  # local time; zone of the stop/party the event happened at
    PARTNER_DEFAULT = "partner_default"  # local time; the partner profile's default zone
    ASSUMED_UTC = "assumed_utc"  # local time; nothing known, UTC assumed (with a warning)


class DateKind(StrEnum):
    """Canonical meaning of a date qualifier (element 432 and friends)."""

    REQUESTED_DELIVERY = "requested_delivery"  # 02
    REQUESTED_PICKUP = "requested_pickup"  # 10
    SHIPPED = "shipped"  # 11
    ESTIMATED_DELIVERY = "estimated_delivery"  # 17
    DELIVERED = "delivered"  # 35
    PICKUP_NOT_BEFORE = "pickup_not_before"  # 37
    PICKUP_NOT_AFTER = "pickup_not_after"  # 38
    DELIVERY_NOT_BEFORE = "delivery_not_before"  # 53
    DELIVERY_NOT_AFTER = "delivery_not_after"  # 54
    RESPOND_BY = "respond_by"  # 64
    SCHEDULED_PICKUP = "scheduled_pickup"  # 69
    SCHEDULED_DELIVERY = "scheduled_delivery"  # 70
    ACTUAL_PICKUP = "actual_pickup"  # 86
    BILLING = "billing"
    OTHER = "other"


class DateTimeValue(CanonicalModel):
    """A qualified date (and time) as sent, plus the instant it resolves to.

    `date` is the calendar date as written (local to wherever the sender meant);
    `instant` is timezone-aware and None when the date is missing, a placeholder, or no time was
    sent (a bare date is not an instant).
    """

    qualifier: str | None = None  # raw date qualifier, e.g. G62-01 "37"
    kind: DateKind = DateKind.OTHER
    date: dt.date | None = None
    time: str | None = None  # raw HHMM[SS[DD]]
    time_qualifier: str | None = None  # raw, e.g. G62-03 "I"
    time_code: str | None = None  # raw element 623, e.g. "LT", "ET", "20"
    instant: AwareDatetime | None = None
    zone: str | None = None  # IANA name or fixed offset ("UTC-05:00") the time was read in
    zone_source: TimeZoneSource | None = None


class WindowKind(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"
    APPOINTMENT = "appointment"
    OTHER = "other"


class TimeWindow(CanonicalModel):
    """An appointment or a not-before/not-after window; either end may be open."""

    kind: WindowKind
    start: DateTimeValue | None = None
    end: DateTimeValue | None = None
