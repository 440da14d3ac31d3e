"""Acknowledgements received from partners: functional (997/999) and technical (TA1)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from gateway.canonical.base import CanonicalDocument, CanonicalModel, DocumentType


class AckStatus(StrEnum):
    """AK5-01 / IK5-01 / AK9-01 / TA1-04 by meaning."""

    ACCEPTED = "accepted"  # A
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"  # E
    PARTIALLY_ACCEPTED = "partially_accepted"  # P (group only)
    REJECTED = "rejected"  # R, M, W, X
    OTHER = "other"


class ElementError(CanonicalModel):
    """AK4 / IK4: one bad element."""

    position: int  # element position in the segment, 1-based
    component_position: int | None = None
    repetition_position: int | None = None
    element_ref: str | None = None  # data element reference number, e.g. "1650"
    code: str  # AK4-03 (723) / IK4-03 (621)
    bad_value: str | None = None
    context: tuple[str, ...] = ()  # CTX segments as sent (999)


class SegmentError(CanonicalModel):
    """AK3 / IK3: one segment in error, with its element errors."""

    segment_id: str
    position: int  # position in the transaction set, ST = 1
    loop_id: str | None = None
    code: str | None = None  # AK3-04 (720) / IK3-04 (620)
    elements: tuple[ElementError, ...] = ()
    context: tuple[str, ...] = ()


class SetAck(CanonicalModel):
    """One AK2 loop: the outcome of one acknowledged transaction set."""

    set_id: str  # AK2-01
    control_number: str  # AK2-02
    implementation_reference: str | None = None  # AK2-03 (5010)
    status: AckStatus
    code: str  # raw AK5-01 / IK5-01
    error_codes: tuple[str, ...] = ()  # AK5-02..06 / IK5-02..06
    segment_errors: tuple[SegmentError, ...] = ()


class FunctionalAck(CanonicalDocument):
    """A received 997 or 999, read back to the group (GS06) and sets (ST02) it acknowledges."""

    document_type: Literal[DocumentType.FUNCTIONAL_ACK] = DocumentType.FUNCTIONAL_ACK
    ack_set_id: Literal["997", "999"]
    functional_id: str  # AK1-01: GS01 of the acknowledged group
    group_control_number: str  # AK1-02: GS06 of the acknowledged group
    version: str | None = None  # AK1-03 (5010)
    status: AckStatus
    code: str  # raw AK9-01
    sets_included: int | None = None  # AK9-02
    sets_received: int | None = None  # AK9-03
    sets_accepted: int | None = None  # AK9-04
    group_error_codes: tuple[str, ...] = ()  # AK9-05..09
    sets: tuple[SetAck, ...] = ()


class TechnicalAck(CanonicalDocument):
    """A received TA1: the partner's verdict on one of our interchanges."""

    document_type: Literal[DocumentType.TECHNICAL_ACK] = DocumentType.TECHNICAL_ACK
    interchange_control_number: str  # TA1-01
    date: dt.date | None = None  # TA1-02 (YYMMDD)
    time: str | None = None  # TA1-03 (HHMM)
    status: AckStatus
    code: str  # raw TA1-04: A, E, R
    note_code: str  # TA1-05, "000" when no error
