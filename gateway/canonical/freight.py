"""What moves: equipment, lading lines with hazmat details, orders, and totals."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from gateway.canonical.base import CanonicalModel
from gateway.canonical.parties import Note, Reference
from gateway.canonical.values import Money, Volume, Weight


class Equipment(CanonicalModel):
    """A trailer, container or rail car (N7, MS2, M7)."""

    number: str | None = None
    owner_scac: str | None = None  # equipment initial / owner (N7-01, MS2-01)
    type_code: str | None = None  # raw element 40, e.g. "TL" trailer, "TF" dry freight, "CN"
    description: str | None = None
    length_feet: Decimal | None = None
    check_digit: str | None = None
    seal_numbers: tuple[str, ...] = ()


class Hazmat(CanonicalModel):
    """Hazardous material details of one lading line (LH1/LH2/LH3/LFH)."""

    packaging_unit: str | None = None  # LH1-01, element 355 (e.g. "PC", "DR")
    quantity: Decimal | None = None  # LH1-02 lading quantity
    un_na_number: str | None = None
    hazard_class: str | None = None
    packing_group: str | None = None
    proper_shipping_name: str | None = None
    shipping_name_qualifier: str | None = None  # LH3-02, element 984 (D = DOT)
    technical_name: str | None = None
    emergency_contact: str | None = None
    emergency_phone: str | None = None
    reportable_quantity: bool | None = None


class LadingLine(CanonicalModel):
    """One line of freight: quantity, packaging, weight, volume, description, hazmat."""

    line_number: int | None = None
    description: str | None = None
    quantity: Decimal | None = None
    packaging_code: str | None = None  # raw element 211/103, e.g. "PLT", "CTN"
    weight: Weight | None = None
    volume: Volume | None = None
    commodity_code: str | None = None
    commodity_qualifier: str | None = None
    freight_class: str | None = None
    declared_value: Money | None = None
    hazmat: tuple[Hazmat, ...] = ()
    references: tuple[Reference, ...] = ()
    notes: tuple[Note, ...] = ()


class LadingException(CanonicalModel):
    """A Q7 lading exception: a shortage, overage or damage reported with a status."""

    code: str  # raw element 412
    packaging_code: str | None = None
    quantity: Decimal | None = None


class OrderDetail(CanonicalModel):
    """An order carried at a stop (204 OID loop)."""

    reference_id: str | None = None
    po_number: str | None = None
    release_number: str | None = None
    packaging_code: str | None = None
    quantity: Decimal | None = None
    weight: Weight | None = None
    volume: Volume | None = None
    lading: tuple[LadingLine, ...] = ()
    references: tuple[Reference, ...] = ()


class Totals(CanonicalModel):
    """Shipment totals (204/210 L3)."""

    weight: Weight | None = None
    volume: Volume | None = None
    lading_quantity: Decimal | None = None
    charge: Money | None = None
    freight_rate: Decimal | None = None
    rate_qualifier: str | None = None
    advances: Money | None = None
    prepaid_amount: Money | None = None
    declared_value: Money | None = None


class PaymentMethod(StrEnum):
    """Shipment method of payment (element 146: B2-06, B3-04)."""

    PREPAID = "prepaid"  # PP
    COLLECT = "collect"  # CC
    THIRD_PARTY = "third_party"  # TP
    PREPAID_CHARGED_TO_CUSTOMER = "prepaid_charged_to_customer"  # PC
    PICKUP = "pickup"  # PU
    MIXED = "mixed"  # MX
    OTHER = "other"
