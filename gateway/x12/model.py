"""Value types shared by the reader, envelope checker, validator and acknowledgement builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 separators, as detected from an ISA (or chosen for an outbound interchange)."""

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str | None = None

    def all(self) -> tuple[str, ...]:
        values = (self.element, self.component, self.segment, self.repetition)
        return tuple(v for v in values if v)


class Segment(NamedTuple):
    """One segment. `elements[0]` is the tag, so `elements[n]` is element n in X12 numbering.

    `index` is the 1-based ordinal of the segment in its input stream (for error locations).
    A NamedTuple, not a dataclass: millions are created per second on the hot path.
    """

    elements: list[str]
    index: int = 0  # type: ignore[assignment]  # shadows tuple.index on purpose: a name everyone reads

    @property
    def tag(self) -> str:
        return self.elements[0]

    def el(self, n: int) -> str:
        """Element n (1-based) or "" when absent."""
        e = self.elements
        return e[n] if n < len(e) else ""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"  # reported in the acknowledgement, the set is accepted with errors
    INFO = "info"  # a finding for the report and the store only: never in an acknowledgement


class Level(StrEnum):
    """Where an issue sits; decides which acknowledgement segment reports it."""

    INTERCHANGE = "interchange"  # TA1
    GROUP = "group"  # AK9-05..09
    TRANSACTION = "transaction"  # AK5-02..06 / IK5
    SEGMENT = "segment"  # AK3 / IK3
    ELEMENT = "element"  # AK4 / IK4


@dataclass(frozen=True, slots=True)
class Issue:
    """A validation finding with its location and the code its acknowledgement segment needs.

    `code` is the X12 code for the level: TA105 note code, AK905 group syntax error (716),
    AK502 set syntax error (718), AK304 segment syntax error (720) or AK403 element error (723).
    """

    level: Level
    code: str
    message: str
    severity: Severity = Severity.ERROR
    segment_id: str = ""
    segment_position: int = 0  # position in the transaction set, ST = 1
    loop_id: str = ""
    element_position: int = 0  # 1-based
    component_position: int = 0  # 1-based, 0 when not a composite
    repetition_position: int = 0
    element_ref: str = ""  # data element reference number, e.g. "1650"
    bad_value: str = ""
    segment_index: int = 0  # ordinal in the input stream
    finding: str = ""  # class for per-partner validation levels (gateway.x12.levels); "" = fixed


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA, decoded. IDs are kept as sent (stripped of padding) with their qualifiers."""

    authorization_qualifier: str
    authorization: str
    security_qualifier: str
    security: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str  # YYMMDD
    time: str  # HHMM
    standards_or_repetition: str  # ISA11
    version: str  # ISA12
    control_number: str  # ISA13 as sent
    ack_requested: bool  # ISA14 == "1"
    usage: str  # ISA15 P/T/I
    delimiters: Delimiters


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """The GS, decoded."""

    functional_id: str
    application_sender: str
    application_receiver: str
    date: str
    time: str
    control_number: str
    agency: str
    version: str  # GS08, e.g. 004010, 005010X231A1


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE, held whole (sets are small; the interchange around them is streamed)."""

    set_id: str  # ST01
    control_number: str  # ST02
    segments: list[Segment]  # ST first, SE last (when present)
    implementation_reference: str = ""  # ST03 (5010)
    issues: list[Issue] = field(default_factory=list)  # envelope issues of this set (SE01/SE02)


class AckCode(StrEnum):
    """AK5-01/IK5-01 and AK9-01 outcomes."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"  # group level only
    REJECTED = "R"


@dataclass(slots=True)
class SetResult:
    """The outcome of one transaction set: what its AK2/AK5 (or IK5) loop will say."""

    set_id: str
    control_number: str
    implementation_reference: str
    code: AckCode
    issues: list[Issue]

    @property
    def set_codes(self) -> list[str]:
        # AK502..06 hold at most five codes; warnings and code-less notes are not syntax errors
        codes = [
            i.code
            for i in self.issues
            if i.level is Level.TRANSACTION and i.code and i.severity is Severity.ERROR
        ]
        return codes[:5]
