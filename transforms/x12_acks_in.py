"""Received acknowledgements -> canonical: 997 and 999 (FunctionalAck), TA1 (TechnicalAck).

The result is what reconciliation reads back to the interchanges the gateway sent: AK1 names the
group (GS01 + GS06), each AK2 loop one set (ST02) with its AK5/IK5 verdict and the AK3/IK3 and
AK4/IK4 errors, AK9 the group verdict. 999 CTX segments are kept as sent, on the IK3 or IK4 they
follow. A malformed value is a warning on the document, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.canonical import (
    AckStatus,
    ElementError,
    FunctionalAck,
    SegmentError,
    SetAck,
    SourceFormat,
    SourceMetadata,
    TechnicalAck,
    WarningCode,
)
from gateway.x12.model import Delimiters, InterchangeHeader, Segment, TransactionSet
from transforms import x12_common as x
from transforms.values import ValueParseError, parse_date, parse_int, parse_time

# AK5-01 / IK5-01 (717), AK9-01 (715), TA1-04 by meaning.
ACK_STATUSES: dict[str, AckStatus] = {
    "A": AckStatus.ACCEPTED,
    "E": AckStatus.ACCEPTED_WITH_ERRORS,
    "P": AckStatus.PARTIALLY_ACCEPTED,
    "R": AckStatus.REJECTED,
    "M": AckStatus.REJECTED,  # MAC failed
    "W": AckStatus.REJECTED,  # assurance failed validity tests
    "X": AckStatus.REJECTED,  # content after decryption could not be analysed
}


def ack_status(code: str) -> AckStatus:
    return ACK_STATUSES.get(code.strip().upper(), AckStatus.OTHER)


@dataclass(slots=True)
class _SegmentDraft:
    segment: Segment
    elements: list[ElementError] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _SetDraft:
    ak2: Segment
    verdict: Segment | None = None  # AK5 / IK5
    segments: list[_SegmentDraft] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    delimiters: Delimiters
    sink: x.WarningSink
    ak1: Segment | None = None
    ak9: Segment | None = None
    sets: list[_SetDraft] = field(default_factory=list)
    current: _SetDraft | None = None
    segment_error: _SegmentDraft | None = None
    element_error: ElementError | None = None  # the last IK4/AK4, which a CTX may follow


def functional_ack_from_x12(
    ts: TransactionSet, *, delimiters: Delimiters, envelope: SourceMetadata
) -> FunctionalAck:
    """Map one received 997 or 999 to a FunctionalAck.

    `delimiters` split the AK4/IK4-01 composite (element:component:repetition position) and
    render CTX segments as sent. Raises ValueError when the set is not a 997/999 or has no AK1
    (without AK1 nothing can be reconciled).
    """
    if ts.set_id not in ("997", "999"):
        raise ValueError(f"functional_ack_from_x12 needs a 997 or 999, got {ts.set_id!r}")
    state = _State(delimiters=delimiters, sink=x.WarningSink())
    for segment in ts.segments:
        _consume(state, segment)
    if state.ak1 is None:
        raise ValueError(f"the {ts.set_id} has no AK1 segment")
    return _build(state, state.ak1, "997" if ts.set_id == "997" else "999", envelope)


def _consume(state: _State, segment: Segment) -> None:
    tag = segment.tag
    sink = state.sink
    if tag in ("ST", "SE"):
        return
    if tag == "AK1":
        state.ak1 = segment
    elif tag == "AK2":
        state.current = _SetDraft(ak2=segment)
        state.sets.append(state.current)
        state.segment_error = state.element_error = None
    elif tag in ("AK3", "IK3") and state.current is not None:
        state.segment_error = _SegmentDraft(segment=segment)
        state.current.segments.append(state.segment_error)
        state.element_error = None
    elif tag in ("AK4", "IK4") and state.segment_error is not None:
        state.element_error = _element_error(segment, state.delimiters, sink)
        state.segment_error.elements.append(state.element_error)
    elif tag == "CTX" and state.segment_error is not None:
        _add_context(state, _render(segment, state.delimiters))
    elif tag in ("AK5", "IK5") and state.current is not None:
        state.current.verdict = segment
        state.current = state.segment_error = state.element_error = None
    elif tag == "AK9":
        state.ak9 = segment
        state.current = state.segment_error = state.element_error = None
    else:
        sink.add(
            WarningCode.UNEXPECTED_SEGMENT,
            f"{tag} is not expected here in an acknowledgement",
            segment,
        )


def _add_context(state: _State, context: str) -> None:
    """A CTX after an IK4 describes that element; before any IK4, the IK3 segment."""
    draft = state.segment_error
    assert draft is not None  # checked by the caller
    if state.element_error is None:
        draft.context.append(context)
        return
    updated = state.element_error.model_copy(
        update={"context": (*state.element_error.context, context)}
    )
    draft.elements[-1] = updated
    state.element_error = updated


def _render(segment: Segment, delimiters: Delimiters) -> str:
    """A CTX as sent, without its tag and trailing empty elements: `CLM01:123456789`."""
    elements = list(segment.elements[1:])
    while elements and not elements[-1]:
        elements.pop()
    return delimiters.element.join(elements)


def _int(segment: Segment, n: int, sink: x.WarningSink) -> int | None:
    try:
        return parse_int(segment.el(n))
    except ValueParseError as exc:
        sink.parse_error(exc, segment, n)
        return None


def _element_error(segment: Segment, delimiters: Delimiters, sink: x.WarningSink) -> ElementError:
    """AK4/IK4: 01 position composite (C030: element, component, repetition), 02 element
    reference number, 03 error code (723 / 621), 04 copy of the bad value."""
    parts = segment.el(1).split(delimiters.component)
    numbers: list[int | None] = []
    for raw in parts[:3]:
        try:
            numbers.append(parse_int(raw))
        except ValueParseError as exc:
            sink.parse_error(exc, segment, 1)
            numbers.append(None)
    numbers += [None] * (3 - len(numbers))
    position, component, repetition = numbers
    if position is None:
        sink.add(
            WarningCode.MISSING_VALUE, f"{segment.tag}-01 element position is empty", segment, 1
        )
    code = x.text(segment, 3)
    if code is None:
        sink.add(WarningCode.MISSING_VALUE, f"{segment.tag}-03 error code is empty", segment, 3)
    return ElementError(
        position=position or 0,
        component_position=component,
        repetition_position=repetition,
        element_ref=x.text(segment, 2),
        code=code or "",
        bad_value=segment.el(4) or None,
    )


def _segment_error(draft: _SegmentDraft, sink: x.WarningSink) -> SegmentError:
    """AK3/IK3: 01 segment id, 02 position in the set (ST = 1), 03 loop id, 04 error code."""
    segment = draft.segment
    position = _int(segment, 2, sink)
    if position is None and not segment.el(2).strip():
        sink.add(
            WarningCode.MISSING_VALUE, f"{segment.tag}-02 segment position is empty", segment, 2
        )
    return SegmentError(
        segment_id=x.text(segment, 1) or "",
        position=position or 0,
        loop_id=x.text(segment, 3),
        code=x.text(segment, 4),
        elements=tuple(draft.elements),
        context=tuple(draft.context),
    )


def _set_ack(draft: _SetDraft, sink: x.WarningSink) -> SetAck:
    ak2, verdict = draft.ak2, draft.verdict
    errors: tuple[str, ...] = ()
    if verdict is None:
        sink.add(WarningCode.MISSING_VALUE, "AK2 loop without AK5/IK5: verdict unknown", ak2)
        code = ""
    else:
        code = x.text(verdict, 1) or ""
        errors = tuple(v for v in (x.text(verdict, n) for n in range(2, 7)) if v)
    return SetAck(
        set_id=x.text(ak2, 1) or "",
        control_number=x.text(ak2, 2) or "",
        implementation_reference=x.text(ak2, 3),
        status=ack_status(code),
        code=code,
        error_codes=errors,
        segment_errors=tuple(_segment_error(s, sink) for s in draft.segments),
    )


def _build(state: _State, ak1: Segment, set_id: str, envelope: SourceMetadata) -> FunctionalAck:
    sink = state.sink
    functional_id, group_number = x.text(ak1, 1), x.text(ak1, 2)
    for value, n, name in ((functional_id, 1, "functional id"), (group_number, 2, "group number")):
        if value is None:
            sink.add(WarningCode.MISSING_VALUE, f"AK1-0{n} {name} is empty", ak1, n)
    sets = tuple(_set_ack(s, sink) for s in state.sets)
    ak9 = state.ak9
    if ak9 is None:
        sink.add(WarningCode.MISSING_VALUE, f"the {set_id} has no AK9: group verdict unknown")
        code = ""
        counts: list[int | None] = [None, None, None]
        group_errors: tuple[str, ...] = ()
    else:
        code = x.text(ak9, 1) or ""
        counts = [_int(ak9, n, sink) for n in (2, 3, 4)]
        group_errors = tuple(v for v in (x.text(ak9, n) for n in range(5, 10)) if v)
    return FunctionalAck(
        source=envelope,
        warnings=tuple(sink.items),
        ack_set_id="997" if set_id == "997" else "999",
        functional_id=functional_id or "",
        group_control_number=group_number or "",
        version=x.text(ak1, 3),
        status=ack_status(code),
        code=code,
        sets_included=counts[0],
        sets_received=counts[1],
        sets_accepted=counts[2],
        group_error_codes=group_errors,
        sets=sets,
    )


def interchange_source(
    header: InterchangeHeader, *, partner_id: str | None = None, message_id: str | None = None
) -> SourceMetadata:
    """Source metadata of an interchange-level document (a TA1 has no group or set around it).

    `transforms.x12_common.source_metadata` needs a transaction set, hence this local helper.
    """

    def blank(value: str) -> str | None:
        return value.strip() or None

    return SourceMetadata(
        format=SourceFormat.X12,
        partner_id=partner_id,
        message_id=message_id,
        sender_qualifier=blank(header.sender_qualifier),
        sender_id=blank(header.sender_id),
        receiver_qualifier=blank(header.receiver_qualifier),
        receiver_id=blank(header.receiver_id),
        interchange_control_number=blank(header.control_number),
        usage_indicator=blank(header.usage),
    )


def technical_ack_from_segment(
    ta1: Segment, *, envelope: SourceMetadata | None = None
) -> TechnicalAck:
    """Map a received TA1 (01 interchange control number, 02 date YYMMDD, 03 time HHMM,
    04 acknowledgment code A/E/R, 05 note code) to a TechnicalAck.

    `envelope` describes the interchange that carried the TA1 (see `interchange_source`).
    Raises ValueError when the segment is not a TA1.
    """
    if ta1.tag != "TA1":
        raise ValueError(f"technical_ack_from_segment needs a TA1, got {ta1.tag!r}")
    sink = x.WarningSink()
    control_number = x.text(ta1, 1)
    if control_number is None:
        sink.add(WarningCode.MISSING_VALUE, "TA1-01 interchange control number is empty", ta1, 1)
    date = None
    try:
        date = parse_date(ta1.el(2))
    except ValueParseError as exc:
        sink.parse_error(exc, ta1, 2)
    time = x.text(ta1, 3)
    try:
        parse_time(ta1.el(3))
    except ValueParseError as exc:
        sink.parse_error(exc, ta1, 3)
        time = None
    code = x.text(ta1, 4) or ""
    if not code:
        sink.add(WarningCode.MISSING_VALUE, "TA1-04 acknowledgment code is empty", ta1, 4)
    return TechnicalAck(
        source=envelope or SourceMetadata(),
        warnings=tuple(sink.items),
        interchange_control_number=control_number or "",
        date=date,
        time=time,
        status=ack_status(code),
        code=code,
        note_code=x.text(ta1, 5) or "",
    )
