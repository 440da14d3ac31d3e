"""X12 code lists -> canonical kinds, shared by every X12 transform (204/214/210/990).

Meanings come from the reference notes (reference/x12_transport.md section 4); a code not in a
table maps to the enum's OTHER member and the raw code is always kept beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from gateway.canonical import (
    ChargeKind,
    DateKind,
    PartyRole,
    PaymentMethod,
    Purpose,
    ReferenceKind,
    StopKind,
    TenderAction,
    VolumeUnit,
    WeightUnit,
)

# Element 98 entity identifier code (N1-01).
PARTY_ROLES: dict[str, PartyRole] = {
    "SH": PartyRole.SHIPPER,
    "CN": PartyRole.CONSIGNEE,
    "BT": PartyRole.BILL_TO,
    "SF": PartyRole.SHIP_FROM,
    "ST": PartyRole.SHIP_TO,
    "CA": PartyRole.CARRIER,
    "PR": PartyRole.PAYER,
    "RE": PartyRole.REMIT_TO,
    "PW": PartyRole.PICKUP_ADDRESS,
    "DA": PartyRole.DELIVERY_ADDRESS,
    "OT": PartyRole.ORIGIN_TERMINAL,
    "DT": PartyRole.DESTINATION_TERMINAL,
    "WH": PartyRole.WAREHOUSE,
    "BY": PartyRole.BUYER,
    "SE": PartyRole.SELLER,
    "SU": PartyRole.SUPPLIER,
    "VN": PartyRole.VENDOR,
    "SO": PartyRole.SOLD_TO,
    "N1": PartyRole.NOTIFY,
    "FW": PartyRole.FORWARDER,
    "CB": PartyRole.CUSTOMS_BROKER,
    "EY": PartyRole.EMPLOYEE,
    "N5": PartyRole.BOL_SIGNER,
}

# Element 128 reference identification qualifier (L11-02, N9-01).
REFERENCE_KINDS: dict[str, ReferenceKind] = {
    "BM": ReferenceKind.BOL,
    "MB": ReferenceKind.MASTER_BOL,
    "CN": ReferenceKind.PRO,
    "PO": ReferenceKind.PO,
    "SI": ReferenceKind.SHIPMENT_ID,
    "LO": ReferenceKind.LOAD_ID,
    "CR": ReferenceKind.CUSTOMER_REF,
    "CO": ReferenceKind.CUSTOMER_ORDER,
    "VN": ReferenceKind.VENDOR_ORDER,
    "2I": ReferenceKind.TRACKING_NUMBER,
    "QN": ReferenceKind.STOP_SEQUENCE,
    "AO": ReferenceKind.APPOINTMENT,
    "P8": ReferenceKind.PICKUP,
    "DO": ReferenceKind.DELIVERY_ORDER,
    "BN": ReferenceKind.BOOKING,
    "EQ": ReferenceKind.EQUIPMENT,
    "WY": ReferenceKind.WAYBILL,
    "AW": ReferenceKind.AIR_WAYBILL,
    "IK": ReferenceKind.INVOICE,
    "4H": ReferenceKind.COMMERCIAL_INVOICE,
    "SCA": ReferenceKind.SCAC,
    "1O": ReferenceKind.CONSOLIDATION,
    "9R": ReferenceKind.JOB,
    "DJ": ReferenceKind.DELIVERY_TICKET,
    "WU": ReferenceKind.VESSEL,
    "V3": ReferenceKind.VOYAGE,
    "ZZ": ReferenceKind.MUTUALLY_DEFINED,
}

# Element 163 stop reason code (S5-02). PU is "Part Unload", not pick-up.
STOP_KINDS: dict[str, StopKind] = {
    "CL": StopKind.PICKUP,
    "PL": StopKind.PICKUP,
    "LD": StopKind.PICKUP,
    "CU": StopKind.DELIVERY,
    "PU": StopKind.DELIVERY,
    "UL": StopKind.DELIVERY,
    "DT": StopKind.DROP_TRAILER,
    "PA": StopKind.PICKUP_PRELOADED,
    "RT": StopKind.RETRIEVE_TRAILER,
    "SL": StopKind.SPOT_FOR_LOAD,
    "SU": StopKind.SPOT_FOR_UNLOAD,
}

# Element 146 shipment method of payment (B2-06, B3-04).
PAYMENT_METHODS: dict[str, PaymentMethod] = {
    "PP": PaymentMethod.PREPAID,
    "CC": PaymentMethod.COLLECT,
    "TP": PaymentMethod.THIRD_PARTY,
    "PC": PaymentMethod.PREPAID_CHARGED_TO_CUSTOMER,
    "PU": PaymentMethod.PICKUP,
    "MX": PaymentMethod.MIXED,
}

# Element 353 transaction set purpose (B2A-01).
PURPOSES: dict[str, Purpose] = {
    "00": Purpose.ORIGINAL,
    "01": Purpose.CANCEL,
    "04": Purpose.CHANGE,
    "05": Purpose.REPLACE,
}

# Element 558 reservation action code (B1-04). Carriers decline with D ("reservation
# cancelled") far more often than with E, so both are a decline.
TENDER_ACTIONS: dict[str, TenderAction] = {
    "A": TenderAction.ACCEPTED,
    "B": TenderAction.CONDITIONALLY_ACCEPTED,
    "C": TenderAction.COUNTER_PROPOSAL,
    "D": TenderAction.DECLINED,
    "E": TenderAction.DECLINED,
    "N": TenderAction.NEW,
    "R": TenderAction.DELETE,
    "S": TenderAction.SPLIT,
    "U": TenderAction.CHANGE,
    "V": TenderAction.CHANGE,
}

# Element 150 special charge or allowance code (L1-08, L3-08): the freight-relevant subset.
CHARGE_KINDS: dict[str, ChargeKind] = {
    "400": ChargeKind.FREIGHT,
    "LHS": ChargeKind.FREIGHT,
    "405": ChargeKind.FUEL_SURCHARGE,
    "FUE": ChargeKind.FUEL_SURCHARGE,
    "DSC": ChargeKind.DISCOUNT,
    "MSC": ChargeKind.ACCESSORIAL,
    "DET": ChargeKind.DETENTION,
    "DTV": ChargeKind.DETENTION,
    "DTL": ChargeKind.DETENTION,
    "DTB": ChargeKind.DETENTION,
    "TDT": ChargeKind.DETENTION,
    "DEM": ChargeKind.DEMURRAGE,
    "LFT": ChargeKind.LIFTGATE,
    "LAY": ChargeKind.LAYOVER,
    "SOC": ChargeKind.STOP_OFF,
    "STP": ChargeKind.STOP_OFF,
    "RES": ChargeKind.RESIDENTIAL,
    "IDL": ChargeKind.INSIDE_DELIVERY,
    "APT": ChargeKind.APPOINTMENT,
    "HAZ": ChargeKind.HAZMAT,
    "INS": ChargeKind.INSURANCE,
    "CUS": ChargeKind.CUSTOMS,
    "GST": ChargeKind.TAX,
    "LDG": ChargeKind.LOADING,
    "UNL": ChargeKind.LOADING,
    "MIN": ChargeKind.MINIMUM,
    "SUR": ChargeKind.SURCHARGE,
    "BRD": ChargeKind.TOLL,
    "ADV": ChargeKind.ACCESSORIAL,
    "DEL": ChargeKind.ACCESSORIAL,
    "PUC": ChargeKind.ACCESSORIAL,
    "SAT": ChargeKind.ACCESSORIAL,
    "HOL": ChargeKind.ACCESSORIAL,
    "BLK": ChargeKind.ACCESSORIAL,
    "OVR": ChargeKind.ACCESSORIAL,
    "EXL": ChargeKind.ACCESSORIAL,
    "TRF": ChargeKind.ACCESSORIAL,
}

# Element 432 date qualifier (G62-01).
DATE_KINDS: dict[str, DateKind] = {
    "02": DateKind.REQUESTED_DELIVERY,
    "10": DateKind.REQUESTED_PICKUP,
    "11": DateKind.SHIPPED,
    "17": DateKind.ESTIMATED_DELIVERY,
    "35": DateKind.DELIVERED,
    "37": DateKind.PICKUP_NOT_BEFORE,
    "38": DateKind.PICKUP_NOT_AFTER,
    "53": DateKind.DELIVERY_NOT_BEFORE,
    "54": DateKind.DELIVERY_NOT_AFTER,
    "64": DateKind.RESPOND_BY,
    "69": DateKind.SCHEDULED_PICKUP,
    "70": DateKind.SCHEDULED_DELIVERY,
    "86": DateKind.ACTUAL_PICKUP,
}

# Element 188 weight unit code.
WEIGHT_UNITS: dict[str, WeightUnit] = {
    "L": WeightUnit.POUNDS,
    "K": WeightUnit.KILOGRAMS,
    "G": WeightUnit.GRAMS,
    "O": WeightUnit.OUNCES,
    "E": WeightUnit.METRIC_TON,
    "S": WeightUnit.SHORT_TON,
    "T": WeightUnit.LONG_TON,
    "M": WeightUnit.MEASUREMENT_TON,
}

# Element 184 volume unit qualifier.
VOLUME_UNITS: dict[str, VolumeUnit] = {
    "E": VolumeUnit.CUBIC_FEET,
    "X": VolumeUnit.CUBIC_METERS,
    "N": VolumeUnit.CUBIC_INCHES,
    "C": VolumeUnit.CUBIC_CENTIMETERS,
}


E = TypeVar("E")


def _lookup(table: Mapping[str, E], code: str, default: E) -> E:
    """The table's value for a code, any case and padding. Tables are keyed by stripped
    upper-case codes, so the code as sent is tried first and normalised only when that misses
    (every value is a non-empty string enum member, so `or` never skips a hit)."""
    return table.get(code) or table.get(code.strip().upper(), default)


def party_role(code: str) -> PartyRole:
    return _lookup(PARTY_ROLES, code, PartyRole.OTHER)


def reference_kind(qualifier: str) -> ReferenceKind:
    return _lookup(REFERENCE_KINDS, qualifier, ReferenceKind.OTHER)


def stop_kind(code: str) -> StopKind:
    return _lookup(STOP_KINDS, code, StopKind.OTHER)


def payment_method(code: str) -> PaymentMethod:
    return _lookup(PAYMENT_METHODS, code, PaymentMethod.OTHER)


def purpose(code: str) -> Purpose:
    return PURPOSES.get(code.strip(), Purpose.OTHER)


def tender_action(code: str) -> TenderAction:
    return _lookup(TENDER_ACTIONS, code, TenderAction.OTHER)


def charge_kind(code: str) -> ChargeKind:
    return _lookup(CHARGE_KINDS, code, ChargeKind.OTHER)


def date_kind(qualifier: str) -> DateKind:
    return _lookup(DATE_KINDS, qualifier, DateKind.OTHER)


def weight_unit(code: str) -> WeightUnit:
    return _lookup(WEIGHT_UNITS, code, WeightUnit.OTHER)


def volume_unit(code: str) -> VolumeUnit:
    return _lookup(VOLUME_UNITS, code, VolumeUnit.OTHER)
