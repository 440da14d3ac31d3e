"""Load tenders (204 and the ERP/TMS orders behind them) and tender responses (990)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime

from gateway.canonical.base import CanonicalDocument, CanonicalModel, DocumentType
from gateway.canonical.freight import Equipment, LadingLine, OrderDetail, PaymentMethod, Totals
from gateway.canonical.parties import Note, Party, Reference
from gateway.canonical.values import DateTimeValue, TimeWindow, Weight


class Purpose(StrEnum):
    """B2A-01 transaction set purpose (element 353)."""

    ORIGINAL = "original"  # 00
    CANCEL = "cancel"  # 01
    CHANGE = "change"  # 04
    REPLACE = "replace"  # 05
    OTHER = "other"


class StopKind(StrEnum):
    """Canonical meaning of a stop reason (S5-02, element 163)."""

    PICKUP = "pickup"  # CL complete load, PL part load, LD load
    DELIVERY = "delivery"  # CU complete unload, PU part unload, UL unload
    DROP_TRAILER = "drop_trailer"  # DT
    PICKUP_PRELOADED = "pickup_preloaded"  # PA pick up pre-loaded equipment
    RETRIEVE_TRAILER = "retrieve_trailer"  # RT
    SPOT_FOR_LOAD = "spot_for_load"  # SL
    SPOT_FOR_UNLOAD = "spot_for_unload"  # SU
    OTHER = "other"


class Stop(CanonicalModel):
    """One S5 loop: where, when, and what is loaded or unloaded there."""

    sequence: int
    reason_code: str  # raw S5-02
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
    accomplish_code: str | None = None  # S5-11


class LoadTender(CanonicalDocument):
    """A shipment offered to a carrier (X12 204), or its replacement / cancellation."""

    document_type: Literal[DocumentType.LOAD_TENDER] = DocumentType.LOAD_TENDER
    shipment_id: str  # B2-04
    scac: str | None = None  # B2-02
    purpose: Purpose = Purpose.ORIGINAL
    purpose_code: str | None = None  # raw B2A-01
    application_type: str | None = None  # raw B2A-02, e.g. "LT"
    payment_method: PaymentMethod | None = None
    payment_method_code: str | None = None  # raw B2-06
    tariff_service_code: str | None = None  # B2-01
    mode_code: str | None = None  # MS3-04 / transportation method, raw
    currency: str = "USD"
    respond_by: DateTimeValue | None = None  # G62*64
    dates: tuple[DateTimeValue, ...] = ()
    parties: tuple[Party, ...] = ()
    references: tuple[Reference, ...] = ()
    equipment: tuple[Equipment, ...] = ()
    stops: tuple[Stop, ...] = ()
    lading: tuple[LadingLine, ...] = ()
    totals: Totals | None = None
    notes: tuple[Note, ...] = ()


class TenderAction(StrEnum):
    """B1-04 reservation action (element 558), by business meaning."""

    ACCEPTED = "accepted"  # A
    CONDITIONALLY_ACCEPTED = "conditionally_accepted"  # B
    COUNTER_PROPOSAL = "counter_proposal"  # C
    DECLINED = "declined"  # D (reservation cancelled, used by carriers to decline), E
    NEW = "new"  # N
    DELETE = "delete"  # R
    SPLIT = "split"  # S
    CHANGE = "change"  # U, V
    OTHER = "other"


class TenderResponse(CanonicalDocument):
    """A carrier's answer to a load tender (X12 990)."""

    document_type: Literal[DocumentType.TENDER_RESPONSE] = DocumentType.TENDER_RESPONSE
    shipment_id: str | None = None  # B1-02
    scac: str | None = None  # B1-01
    action: TenderAction
    action_code: str  # raw B1-04
    date: dt.date | None = None  # B1-03
    responded_at: AwareDatetime | None = None
    condition_code: str | None = None  # raw B1-05 (yes/no condition, 004030+)
    decline_reason_code: str | None = None  # raw B1-06 (element 1658)
    references: tuple[Reference, ...] = ()
    dates: tuple[DateTimeValue, ...] = ()
    notes: tuple[Note, ...] = ()
