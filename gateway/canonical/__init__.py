"""The canonical domain model: the one language inside the gateway.

Every inbound message becomes one of the documents below; every emitter renders from them.
`parse_document` reloads any of them from the JSON that `model_dump(mode="json")` produced.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from gateway.canonical.acks import (
    AckStatus,
    ElementError,
    FunctionalAck,
    SegmentError,
    SetAck,
    TechnicalAck,
)
from gateway.canonical.base import (
    CanonicalDocument,
    CanonicalModel,
    Correlation,
    DocumentType,
    MappingWarning,
    SourceFormat,
    SourceMetadata,
    WarningCode,
)
from gateway.canonical.freight import (
    Equipment,
    Hazmat,
    LadingException,
    LadingLine,
    OrderDetail,
    PaymentMethod,
    Totals,
)
from gateway.canonical.invoice import ChargeKind, ChargeLine, FreightInvoice
from gateway.canonical.parties import (
    Contact,
    Location,
    Note,
    Party,
    PartyIdentifier,
    PartyRole,
    Reference,
    ReferenceKind,
)
from gateway.canonical.status import (
    AppointmentKind,
    InterlineCarrier,
    ReasonKind,
    ShipmentStatus,
    StatusKind,
    TrackingEvent,
)
from gateway.canonical.tender import (
    LoadTender,
    Purpose,
    Stop,
    StopKind,
    TenderAction,
    TenderResponse,
)
from gateway.canonical.values import (
    DateKind,
    DateTimeValue,
    Money,
    TimeWindow,
    TimeZoneSource,
    Volume,
    VolumeUnit,
    Weight,
    WeightUnit,
    WindowKind,
)

AnyDocument = Annotated[
    LoadTender | TenderResponse | ShipmentStatus | FreightInvoice | FunctionalAck | TechnicalAck,
    Field(discriminator="document_type"),
]

_DOCUMENT_ADAPTER: TypeAdapter[AnyDocument] = TypeAdapter(AnyDocument)


def parse_document(data: dict[str, Any] | str | bytes) -> AnyDocument:
    """Rebuild a canonical document from its JSON (a dict, or JSON text)."""
    if isinstance(data, str | bytes):
        return _DOCUMENT_ADAPTER.validate_json(data)
    return _DOCUMENT_ADAPTER.validate_python(data)


__all__ = [
    "AckStatus",
    "AnyDocument",
    "AppointmentKind",
    "CanonicalDocument",
    "CanonicalModel",
    "ChargeKind",
    "ChargeLine",
    "Contact",
    "Correlation",
    "DateKind",
    "DateTimeValue",
    "DocumentType",
    "ElementError",
    "Equipment",
    "FreightInvoice",
    "FunctionalAck",
    "Hazmat",
    "InterlineCarrier",
    "LadingException",
    "LadingLine",
    "LoadTender",
    "Location",
    "MappingWarning",
    "Money",
    "Note",
    "OrderDetail",
    "Party",
    "PartyIdentifier",
    "PartyRole",
    "PaymentMethod",
    "Purpose",
    "ReasonKind",
    "Reference",
    "ReferenceKind",
    "SegmentError",
    "SetAck",
    "ShipmentStatus",
    "SourceFormat",
    "SourceMetadata",
    "StatusKind",
    "Stop",
    "StopKind",
    "TechnicalAck",
    "TenderAction",
    "TenderResponse",
    "TimeWindow",
    "TimeZoneSource",
    "Totals",
    "TrackingEvent",
    "Volume",
    "VolumeUnit",
    "WarningCode",
    "Weight",
    "WeightUnit",
    "WindowKind",
    "parse_document",
]
