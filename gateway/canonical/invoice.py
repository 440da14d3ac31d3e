"""Freight invoices (X12 210): charges with exact money, totals, and the shipment they bill."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from gateway.canonical.base import CanonicalDocument, CanonicalModel, DocumentType
from gateway.canonical.freight import Equipment, LadingLine, PaymentMethod
from gateway.canonical.parties import Note, Party, Reference
from gateway.canonical.tender import Stop
from gateway.canonical.values import DateTimeValue, Money, Weight


class ChargeKind(StrEnum):
    """Canonical kind of a special charge or allowance code (element 150, L1-08)."""

    FREIGHT = "freight"  # 400, LHS
    FUEL_SURCHARGE = "fuel_surcharge"  # 405, FUE
    DISCOUNT = "discount"  # DSC
    ACCESSORIAL = "accessorial"  # MSC and other accessorial services
    DETENTION = "detention"  # DET, DTV, DTL, DTB, TDT
    DEMURRAGE = "demurrage"  # DEM
    LIFTGATE = "liftgate"  # LFT
    LAYOVER = "layover"  # LAY
    STOP_OFF = "stop_off"  # SOC, STP
    RESIDENTIAL = "residential"  # RES
    INSIDE_DELIVERY = "inside_delivery"  # IDL
    APPOINTMENT = "appointment"  # APT
    HAZMAT = "hazmat"  # HAZ
    INSURANCE = "insurance"  # INS
    CUSTOMS = "customs"  # CUS
    TAX = "tax"  # GST and other taxes
    LOADING = "loading"  # LDG, UNL
    MINIMUM = "minimum"  # MIN
    SURCHARGE = "surcharge"  # SUR
    TOLL = "toll"  # BRD
    OTHER = "other"


class ChargeLine(CanonicalModel):
    """One billed charge (L1), with the lading it applies to when sent (L0/L5 of the LX)."""

    line_number: int | None = None
    code: str | None = None  # raw L1-08
    kind: ChargeKind = ChargeKind.OTHER
    description: str | None = None  # L1-12 or the line's L5
    rate: Decimal | None = None  # L1-02
    rate_qualifier: str | None = None  # raw L1-03, e.g. FR, PM, PH
    amount: Money  # L1-04 (N2)
    quantity: Decimal | None = None  # billed/rated-as quantity
    quantity_qualifier: str | None = None
    weight: Weight | None = None


class FreightInvoice(CanonicalDocument):
    """A carrier's bill for a shipment (X12 210)."""

    document_type: Literal[DocumentType.FREIGHT_INVOICE] = DocumentType.FREIGHT_INVOICE
    invoice_number: str  # B3-02
    scac: str | None = None  # B3-11
    shipment_id: str | None = None  # B3-03
    bill_date: dt.date | None = None  # B3-06
    delivery_date: dt.date | None = None  # B3-09
    payment_method: PaymentMethod | None = None
    payment_method_code: str | None = None  # raw B3-04
    correction_indicator: str | None = None  # raw B3-08
    currency: str = "USD"  # C3-01
    total_due: Money  # B3-07 (N2)
    total_charge: Money | None = None  # L3-05 (N2)
    total_weight: Weight | None = None  # L3-01/02
    total_quantity: Decimal | None = None  # L3-11
    charges: tuple[ChargeLine, ...] = ()
    lading: tuple[LadingLine, ...] = ()
    parties: tuple[Party, ...] = ()
    references: tuple[Reference, ...] = ()
    dates: tuple[DateTimeValue, ...] = ()
    stops: tuple[Stop, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    notes: tuple[Note, ...] = ()
