"""AT7 shipment status / appointment codes -> the canonical StatusKind / ReasonKind taxonomy.

Starting point: the normalisation proposal in reference/x12_transport.md section 4. Choices
beyond it, and why:
- CP (completed loading) and L1 (loading) are split into LOADED and LOADING so the SAP shipment
  status can tell loading start from loading end (STTRG 3/4); AM and CL are "loaded" too.
- AF (departed pick-up location with the shipment) is PICKED_UP: the milestone a customer reads;
  BA (connecting line or cartage pick-up) is the same milestone.
- X6 (en route to delivery location) stays IN_TRANSIT as proposed; AJ (tendered for delivery)
  is the OUT_FOR_DELIVERY milestone.
- Forecast codes (AG, X2 estimated delivery; B6, C1 estimated terminal arrival/departure;
  AA estimated pick-up) set `is_estimate`; B6/C1 are IN_TRANSIT with that flag rather than new
  statuses, so a consumer reading only `status` never sees a forecast as a fact.
- Exceptions: A7 refused, A9 damaged, AI reconsigned, AP delivery not completed, PA partial,
  BO bad order, NB/OO paperwork without freight -> EXCEPTION; AH -> DELIVERY_ATTEMPTED;
  A3 -> RETURNED; SD and PR (customs hold) -> DELAYED.
- Codes the reference marks "not verified" (C2, C3, K2, PD, RA, RD, X9) are left unmapped:
  a partner map can give them a meaning; the gateway does not guess one.
A partner's code map (profile `code_maps.at7_status`) wins over this table; a map value that is
not a StatusKind is reported and the standard table applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from gateway.canonical import AppointmentKind, ReasonKind, StatusKind

S = StatusKind

# Element 1650 shipment status code (AT7-01).
STANDARD_STATUS: dict[str, StatusKind] = {
    "XB": S.ACKNOWLEDGED,
    "AA": S.ESTIMATED_PICKUP,  # really an AT7-03 code; stupidedi lists it in 1650: tolerated
    "AW": S.AVAILABLE_FOR_PICKUP,
    "X3": S.ARRIVED_AT_PICKUP,
    "X8": S.ARRIVED_AT_PICKUP,
    "L1": S.LOADING,
    "CP": S.LOADED,
    "AM": S.LOADED,
    "CL": S.LOADED,
    "LC": S.LOADED,
    "AF": S.PICKED_UP,
    "BA": S.PICKED_UP,
    "X6": S.IN_TRANSIT,
    "AL": S.IN_TRANSIT,
    "AN": S.IN_TRANSIT,
    "B6": S.IN_TRANSIT,
    "BC": S.IN_TRANSIT,
    "BR": S.IN_TRANSIT,
    "C1": S.IN_TRANSIT,
    "J1": S.IN_TRANSIT,
    "K1": S.IN_TRANSIT,
    "R1": S.IN_TRANSIT,
    "RH": S.IN_TRANSIT,
    "X4": S.ARRIVED_AT_TERMINAL,
    "I1": S.ARRIVED_AT_TERMINAL,
    "AR": S.ARRIVED_AT_TERMINAL,
    "UR": S.ARRIVED_AT_TERMINAL,
    "UC": S.ARRIVED_AT_TERMINAL,
    "P1": S.DEPARTED_TERMINAL,
    "OA": S.DEPARTED_TERMINAL,
    "RL": S.DEPARTED_TERMINAL,
    "AV": S.AVAILABLE_FOR_DELIVERY,
    "AJ": S.OUT_FOR_DELIVERY,
    "AG": S.ESTIMATED_DELIVERY,
    "X2": S.ESTIMATED_DELIVERY,
    "X1": S.ARRIVED_AT_DELIVERY,
    "X5": S.ARRIVED_AT_DELIVERY,
    "S1": S.ARRIVED_AT_DELIVERY,
    "D1": S.DELIVERED,
    "CB": S.DELIVERED,
    "CD": S.DEPARTED_DELIVERY,
    "AH": S.DELIVERY_ATTEMPTED,
    "SD": S.DELAYED,
    "PR": S.DELAYED,
    "A7": S.EXCEPTION,
    "A9": S.EXCEPTION,
    "AI": S.EXCEPTION,
    "AP": S.EXCEPTION,
    "PA": S.EXCEPTION,
    "BO": S.EXCEPTION,
    "NB": S.EXCEPTION,
    "OO": S.EXCEPTION,
    "A3": S.RETURNED,
    "CA": S.CANCELLED,
    "DE": S.INFO,
    "DO": S.INFO,
}

# Codes whose date/time is a forecast.
ESTIMATE_CODES = frozenset({"AA", "AG", "X2", "B6", "C1"})

# Element 1652 appointment status code (AT7-03). Other 5010 values (AC ED EP LD LP X9 XA)
# have no verified meaning and stay unmapped.
APPOINTMENT_KINDS: dict[str, AppointmentKind] = {
    "AA": AppointmentKind.PICKUP,
    "AB": AppointmentKind.DELIVERY,
}

R = ReasonKind

# Element 1651 status or appointment reason code (AT7-02, AT7-04).
STANDARD_REASONS: dict[str, ReasonKind] = {
    "NS": R.NORMAL,
    "NA": R.NORMAL,
    "BK": R.APPOINTMENT,
    "HB": R.APPOINTMENT,
    "A1": R.MISSED_DELIVERY,
    "AY": R.MISSED_PICKUP,
    "A2": R.ADDRESS_PROBLEM,
    "A5": R.ADDRESS_PROBLEM,
    "A6": R.ADDRESS_PROBLEM,
    "A3": R.OTHER,
    "AE": R.OTHER,
    "BG": R.OTHER,
    "AA": R.CARRIER_RELATED,  # mis-sort
    "AH": R.CARRIER_RELATED,
    "AJ": R.CARRIER_RELATED,
    "AL": R.CARRIER_RELATED,
    "AV": R.CARRIER_RELATED,
    "AW": R.CARRIER_RELATED,
    "AX": R.CARRIER_RELATED,
    "AZ": R.CARRIER_RELATED,
    "BF": R.CARRIER_RELATED,
    "BH": R.CARRIER_RELATED,
    "BI": R.CARRIER_RELATED,
    "BM": R.CARRIER_RELATED,
    "BO": R.CARRIER_RELATED,
    "D1": R.CARRIER_RELATED,
    "D2": R.CARRIER_RELATED,
    "P4": R.CARRIER_RELATED,
    "T7": R.CARRIER_RELATED,
    "T2": R.EQUIPMENT_UNAVAILABLE,
    "T3": R.EQUIPMENT_UNAVAILABLE,
    "T4": R.EQUIPMENT_UNAVAILABLE,
    "T5": R.EQUIPMENT_UNAVAILABLE,
    "T6": R.EQUIPMENT_UNAVAILABLE,
    "AI": R.MECHANICAL,
    "AF": R.ACCIDENT,
    "BR": R.ACCIDENT,
    "AO": R.WEATHER,
    "BE": R.WEATHER,
    "AN": R.HOLIDAY,
    "AU": R.CIVIL_EVENT,
    "C5": R.CIVIL_EVENT,
    "AP": R.CUSTOMS,
    "AS": R.CUSTOMS,
    "AT": R.CUSTOMS,
    "BD": R.CUSTOMS,
    "CA": R.CUSTOMS,
    "F1": R.CUSTOMS,
    "F2": R.CUSTOMS,
    "AR": R.PAPERWORK,
    "BC": R.PAPERWORK,
    "BN": R.PAPERWORK,
    "AK": R.DAMAGE,
    "BP": R.DAMAGE,
    "BS": R.REFUSED,
    "B4": R.HELD,
    "B5": R.HELD,
    "BL": R.HELD,
    "C2": R.HELD,
    "P2": R.HELD,
    "BT": R.RETURNED,
    "RC": R.RECONSIGNED,
    "P1": R.PROCESSING_DELAY,
    "AD": R.CUSTOMER_RELATED,
    "AG": R.CUSTOMER_RELATED,
    "AQ": R.CUSTOMER_RELATED,
    "B1": R.CUSTOMER_RELATED,
    "B2": R.CUSTOMER_RELATED,
    "B8": R.CUSTOMER_RELATED,
    "B9": R.CUSTOMER_RELATED,
    "BJ": R.CUSTOMER_RELATED,
    "C1": R.CUSTOMER_RELATED,
    "C3": R.CUSTOMER_RELATED,
    "C4": R.CUSTOMER_RELATED,
    "C6": R.CUSTOMER_RELATED,
    "C7": R.CUSTOMER_RELATED,
    "C8": R.CUSTOMER_RELATED,
    "C9": R.CUSTOMER_RELATED,
    "AM": R.SHIPPER_RELATED,
    "BB": R.SHIPPER_RELATED,
    "BQ": R.SHIPPER_RELATED,
    "CB": R.SHIPPER_RELATED,
    "CC": R.SHIPPER_RELATED,
    "P3": R.SHIPPER_RELATED,
}

STATUS_VALUES = frozenset(s.value for s in StatusKind)


@dataclass(frozen=True, slots=True)
class StatusMapping:
    """The outcome of classifying one AT7."""

    status: StatusKind
    is_mapped: bool
    is_estimate: bool
    appointment_kind: AppointmentKind | None
    from_profile: bool
    invalid_profile_value: str | None = None  # a partner map value that is not a StatusKind


def classify_status(
    status_code: str,
    appointment_code: str = "",
    profile_code_map: Mapping[str, str] | None = None,
) -> StatusMapping:
    """Classify an AT7 by its status code (AT7-01) or, in the appointment form, AT7-03.

    The partner map is keyed by the AT7-01 code, or by the AT7-03 code when AT7-01 is empty.
    """
    code = status_code.strip().upper()
    appointment = appointment_code.strip().upper()
    key = code or appointment
    profile_value = None
    if profile_code_map and key and key in profile_code_map:
        profile_value = profile_code_map[key]
    # the rest depends only on these three strings: cached, not keyed by the (mutable) map
    return _classify(code, appointment, profile_value)


@lru_cache(maxsize=4096)
def _classify(code: str, appointment: str, profile_value: str | None) -> StatusMapping:
    appointment_kind = None if code else APPOINTMENT_KINDS.get(appointment)

    invalid: str | None = None
    if profile_value is not None:
        value = profile_value.strip().lower()
        if value in STATUS_VALUES:
            status = StatusKind(value)
            return StatusMapping(
                status=status,
                is_mapped=status is not StatusKind.UNMAPPED,
                is_estimate=code in ESTIMATE_CODES,
                appointment_kind=appointment_kind,
                from_profile=True,
            )
        invalid = profile_value

    if code:
        standard = STANDARD_STATUS.get(code)
        if standard is not None:
            return StatusMapping(
                standard, True, code in ESTIMATE_CODES, None, False, invalid_profile_value=invalid
            )
    elif appointment_kind is not None:
        return StatusMapping(
            StatusKind.APPOINTMENT_SET, True, False, appointment_kind, False, invalid
        )
    return StatusMapping(StatusKind.UNMAPPED, False, False, None, False, invalid)


def classify_reason(reason_code: str) -> ReasonKind | None:
    """The reason category of AT7-02/04; None when absent, UNMAPPED when unknown."""
    known = STANDARD_REASONS.get(reason_code)  # keys are normalised: try the code as sent first
    if known is not None:
        return known
    code = reason_code.strip().upper()
    if not code:
        return None
    return STANDARD_REASONS.get(code, ReasonKind.UNMAPPED)
