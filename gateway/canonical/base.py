"""Foundations shared by every canonical document: model config, source metadata,
correlation keys and mapping warnings."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class CanonicalModel(BaseModel):
    """Base of every canonical model: immutable, and unknown fields are an error, not data."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentType(StrEnum):
    LOAD_TENDER = "load_tender"
    TENDER_RESPONSE = "tender_response"
    SHIPMENT_STATUS = "shipment_status"
    FREIGHT_INVOICE = "freight_invoice"
    FUNCTIONAL_ACK = "functional_ack"
    TECHNICAL_ACK = "technical_ack"


class SourceFormat(StrEnum):
    """The wire format a canonical document was built from."""

    X12 = "x12"
    IDOC_XML = "idoc_xml"
    SOAP = "soap"
    TMS_JSON = "tms_json"
    REST = "rest"
    INTERNAL = "internal"


class SourceMetadata(CanonicalModel):
    """Where a document came from. X12 fields stay None for documents from other channels."""

    format: SourceFormat = SourceFormat.X12
    partner_id: str | None = None  # registry id of the trading partner, when the caller knows it
    message_id: str | None = None  # the store's id of the received message
    sender_qualifier: str | None = None  # ISA05
    sender_id: str | None = None  # ISA06, stripped of padding
    receiver_qualifier: str | None = None  # ISA07
    receiver_id: str | None = None  # ISA08
    application_sender: str | None = None  # GS02
    application_receiver: str | None = None  # GS03
    interchange_control_number: str | None = None  # ISA13
    group_control_number: str | None = None  # GS06
    set_control_number: str | None = None  # ST02
    functional_id: str | None = None  # GS01
    set_id: str | None = None  # ST01
    version: str | None = None  # GS08, e.g. 004010, 005010X231A1
    implementation_reference: str | None = None  # ST03 (5010)
    usage_indicator: str | None = None  # ISA15: P production, T test


class Correlation(CanonicalModel):
    """Business keys that thread one shipment's documents together (204 -> 990 -> 214 -> 210).

    Transforms fill what the message itself carries; the pipeline may add keys it learns
    from earlier documents (e.g. the ERP order behind a load tender).
    """

    erp_order: str | None = None
    tms_shipment_id: str | None = None
    portal_reference: str | None = None
    # the shipper's shipment identification: B2-04, B10-02, B3-03, B1-02
    shipment_id: str | None = None
    scac: str | None = None
    bol: str | None = None
    pro: str | None = None
    po: tuple[str, ...] = ()

    def keys(self) -> list[tuple[str, str]]:
        """Every (kind, value) pair present, in a fixed order: what a search index stores."""
        pairs: list[tuple[str, str]] = []
        for name in ("erp_order", "tms_shipment_id", "portal_reference", "shipment_id", "bol"):
            value = getattr(self, name)
            if value:
                pairs.append((name, value))
        if self.pro:
            pairs.append(("pro", self.pro))
        pairs.extend(("po", po) for po in self.po)
        return pairs


class WarningCode(StrEnum):
    """Why a transform could not map something exactly. Values are stable identifiers."""

    UNMAPPED_CODE = "unmapped_code"  # a code with no canonical meaning; kept raw
    INVALID_PROFILE_MAPPING = "invalid_profile_mapping"  # a partner map names no canonical value
    PLACEHOLDER_DATE = "placeholder_date"  # 00010101 and friends: no date
    INVALID_DATE = "invalid_date"
    INVALID_TIME = "invalid_time"
    MISSING_TIME = "missing_time"
    UNKNOWN_TIME_CODE = "unknown_time_code"
    ASSUMED_TIME_ZONE = "assumed_time_zone"  # local time with no known zone: UTC assumed
    AMBIGUOUS_LOCAL_TIME = "ambiguous_local_time"  # DST fall-back hour
    NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"  # DST spring-forward gap
    INVALID_NUMBER = "invalid_number"
    UNKNOWN_COUNTRY = "unknown_country"
    UNEXPECTED_SEGMENT = "unexpected_segment"  # a segment outside the loop that may carry it
    IGNORED_SEGMENT = "ignored_segment"  # a known segment the canonical model does not carry
    MISSING_VALUE = "missing_value"  # a required value is empty


class MappingWarning(CanonicalModel):
    """Something a transform could not map exactly. Kept with the document, never raised."""

    code: WarningCode
    message: str
    segment_id: str = ""
    segment_index: int = 0  # ordinal in the input stream, as in gateway.x12.model.Segment
    element: int = 0  # 1-based element position, 0 when the whole segment
    value: str = ""


class CanonicalDocument(CanonicalModel):
    """Fields every canonical document carries. Subclasses pin `document_type`."""

    schema_version: int = 1
    source: SourceMetadata = Field(default_factory=SourceMetadata)
    correlation: Correlation = Field(default_factory=Correlation)
    warnings: tuple[MappingWarning, ...] = ()
