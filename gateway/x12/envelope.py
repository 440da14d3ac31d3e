"""Envelope layer: turns the segment stream into interchange/group/transaction-set events.

Checks ISA/IEA, GS/GE and ST/SE pairing, counts and control numbers; the findings are
`Issue` values on the closing events (TA1 note codes, AK9 group codes, AK5 set codes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NoReturn

from gateway.x12 import levels
from gateway.x12.errors import InterchangeHeaderError
from gateway.x12.model import (
    Delimiters,
    GroupHeader,
    InterchangeHeader,
    Issue,
    Level,
    Segment,
    Severity,
    TransactionSet,
)
from gateway.x12.reader import CHUNK_SIZE, SegmentReader, TrailingData


@dataclass(slots=True)
class InterchangeStart:
    header: InterchangeHeader
    segment: Segment


@dataclass(slots=True)
class GroupStart:
    header: GroupHeader
    segment: Segment


@dataclass(slots=True)
class GroupEnd:
    header: GroupHeader
    trailer: Segment | None  # None when GE is missing
    set_count: int  # sets actually received
    issues: list[Issue] = field(default_factory=list)  # Level.GROUP, AK905 codes (716)


@dataclass(slots=True)
class TechnicalAck:
    """A TA1 segment found inside an interchange (an inbound TA1)."""

    header: InterchangeHeader
    segment: Segment


@dataclass(slots=True)
class InterchangeEnd:
    header: InterchangeHeader
    trailer: Segment | None  # None when IEA is missing
    group_count: int
    issues: list[Issue] = field(default_factory=list)  # Level.INTERCHANGE, TA105 codes


Event = (
    InterchangeStart
    | GroupStart
    | TransactionSet
    | GroupEnd
    | TechnicalAck
    | InterchangeEnd
    | TrailingData
)


class ControlNumberSet:
    """Membership of control numbers seen so far, in near-constant memory for sequential numbers.

    Senders number sets 1, 2, 3...: those collapse into ranges. Anything out of order falls back
    to a plain set. (pyx12 keeps a list and goes quadratic; a million-set group needs better.)
    """

    __slots__ = ("_extra", "_hi", "_lo", "_ranges")

    def __init__(self) -> None:
        self._lo = -1
        self._hi = -2
        self._ranges: list[tuple[int, int]] = []
        self._extra: set[str] = set()

    def add(self, value: str) -> bool:
        """Record `value`; return False when it was already present."""
        if value.isdigit():
            n = int(value)
            if n == self._hi + 1:
                self._hi = n
                return not self._in_ranges(n)
            if self._lo <= n <= self._hi or self._in_ranges(n):
                return False
            if self._hi >= self._lo:
                self._ranges.append((self._lo, self._hi))
            self._lo = self._hi = n
            return True
        if value in self._extra:
            return False
        self._extra.add(value)
        return True

    def _in_ranges(self, n: int) -> bool:
        return any(lo <= n <= hi for lo, hi in self._ranges)


def _issue(
    level: Level, code: str, message: str, seg: Segment | None = None, finding: str = ""
) -> Issue:
    return Issue(
        level=level,
        code=code,
        message=message,
        segment_id=seg.tag if seg else "",
        segment_index=seg.index if seg else 0,
        finding=finding,
    )


def _warning(level: Level, code: str, message: str, seg: Segment) -> Issue:
    return Issue(
        level=level,
        code=code,
        message=message,
        severity=Severity.WARNING,
        segment_id=seg.tag,
        segment_index=seg.index,
    )


# fixed-width ISA fields and the TA105 note code for each when its width is wrong
_ISA_WIDTHS = {2: (10, "011"), 4: (10, "013"), 6: (15, "006"), 8: (15, "008")}
_USAGE = frozenset("PTI")


def parse_interchange_header(
    isa: Segment, delimiters: Delimiters
) -> tuple[InterchangeHeader, list[Issue]]:
    """Decode an ISA and check its field formats; findings carry TA105 note codes."""
    e = isa.elements
    issues: list[Issue] = []
    lvl = Level.INTERCHANGE
    if len(e) != 17:
        issues.append(_issue(lvl, "024", f"ISA has {len(e) - 1} elements, expected 16", isa))
        e = (e + [""] * 17)[:17]
    for pos, (width, note) in _ISA_WIDTHS.items():
        if len(e[pos]) != width:
            msg = f"ISA{pos:02d} is {len(e[pos])} characters, not {width}"
            issues.append(_issue(lvl, note, msg, isa, levels.ISA_FIXED_LENGTH))
    checks = (
        (1, "010", lambda v: len(v) == 2 and v.isdigit(), "authorization qualifier"),
        (3, "012", lambda v: len(v) == 2 and v.isdigit(), "security qualifier"),
        (5, "005", lambda v: len(v.strip()) == 2, "sender ID qualifier"),
        (6, "006", lambda v: bool(v.strip()), "sender ID"),
        (7, "007", lambda v: len(v.strip()) == 2, "receiver ID qualifier"),
        (8, "008", lambda v: bool(v.strip()), "receiver ID"),
        (9, "014", _valid_yymmdd, "interchange date"),
        (10, "015", _valid_hhmm, "interchange time"),
        (12, "017", lambda v: len(v) == 5 and v.isdigit(), "interchange version"),
        (13, "018", lambda v: 0 < len(v) <= 9 and v.isdigit(), "interchange control number"),
        (14, "019", lambda v: v in ("0", "1"), "acknowledgment requested"),
        (15, "020", lambda v: v in _USAGE, "usage indicator"),
    )
    for pos, code, ok, name in checks:
        if not ok(e[pos]):
            issues.append(_issue(lvl, code, f"ISA{pos:02d} {name} {e[pos]!r} is invalid", isa))
    if e[13].isdigit() and len(e[13]) != 9:
        msg = f"ISA13 {e[13]!r} is not 9 digits"
        issues.append(_issue(lvl, "018", msg, isa, levels.ISA_FIXED_LENGTH))
    version = e[12]
    if version.isdigit() and len(version) == 5:
        if version <= "00401":
            # ISA11 is the interchange control standards identifier up to 00401: only U
            if e[11] != "U":
                issues.append(
                    _issue(lvl, "016", f"ISA11 {e[11]!r} is not U in a {version} interchange", isa)
                )
        elif delimiters.repetition is None:
            # from 00402 ISA11 is the repetition separator: one special character
            msg = f"ISA11 {e[11]!r} is not a repetition separator (ISA12 {version})"
            issues.append(_warning(lvl, "000", msg, isa))
    header = InterchangeHeader(
        authorization_qualifier=e[1],
        authorization=e[2].strip(),
        security_qualifier=e[3],
        security=e[4].strip(),
        sender_qualifier=e[5].strip(),
        sender_id=e[6].strip(),
        receiver_qualifier=e[7].strip(),
        receiver_id=e[8].strip(),
        date=e[9],
        time=e[10],
        standards_or_repetition=e[11],
        version=e[12],
        control_number=e[13],
        ack_requested=e[14] == "1",
        usage=e[15],
        delimiters=delimiters,
    )
    return header, issues


def _valid_yymmdd(v: str) -> bool:
    if len(v) != 6 or not v.isdigit():
        return False
    month, day = int(v[2:4]), int(v[4:6])
    return 1 <= month <= 12 and 1 <= day <= 31


def _valid_hhmm(v: str) -> bool:
    return len(v) == 4 and v.isdigit() and int(v[:2]) < 24 and int(v[2:]) < 60


def parse_group_header(gs: Segment) -> GroupHeader:
    return GroupHeader(
        functional_id=gs.el(1).strip(),
        application_sender=gs.el(2).strip(),
        application_receiver=gs.el(3).strip(),
        date=gs.el(4),
        time=gs.el(5),
        control_number=gs.el(6).strip(),
        agency=gs.el(7),
        version=gs.el(8).strip(),
    )


class EnvelopeReader:
    """Pairs ISA/IEA, GS/GE and ST/SE over a segment stream and yields `Event`s.

    Policy for broken envelopes: a set with a bad trailer is reported on the set (AK5 codes),
    a group's trailer problems on `GroupEnd` (AK9 codes), and the interchange's on
    `InterchangeEnd` (TA1 codes). Nothing is dropped: every set read is yielded.
    """

    def __init__(
        self, stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE, encoding: str = "utf-8"
    ) -> None:
        self.segments = SegmentReader(stream, chunk_size=chunk_size, encoding=encoding)

    def __iter__(self) -> Iterator[Event]:
        isa: InterchangeHeader | None = None
        isa_issues: list[Issue] = []
        group: GroupHeader | None = None
        group_sets = 0
        group_issues: list[Issue] = []
        group_count = 0
        group_numbers = ControlNumberSet()
        set_numbers = ControlNumberSet()
        current: TransactionSet | None = None
        seg_list: list[Segment] = []
        lvl_i, lvl_g, lvl_t = Level.INTERCHANGE, Level.GROUP, Level.TRANSACTION
        envelope_tags = _ENVELOPE_TAGS  # a local: this loop runs once per segment

        for seg in self.segments:
            tag = seg[0][0]
            if current is not None:
                if tag == "SE":
                    seg_list.append(seg)
                    _check_set_trailer(current, seg, len(seg_list))
                    yield current
                    current = None
                    continue
                if tag not in envelope_tags:
                    seg_list.append(seg)
                    continue
                # an envelope segment inside a set: the SE is missing
                current.issues.append(
                    _issue(lvl_t, "2", f"transaction set {current.control_number} has no SE", seg)
                )
                yield current
                current = None

            if tag == "ST":
                if isa is None:
                    raise_outside(seg)
                if group is None:
                    isa_issues.append(_issue(lvl_i, "024", "ST outside a functional group", seg))
                seg_list = [seg]
                number = seg.el(2)
                current = TransactionSet(
                    set_id=seg.el(1),
                    control_number=number,
                    segments=seg_list,
                    implementation_reference=seg.el(3),
                )
                group_sets += 1
                if not number:
                    current.issues.append(_issue(lvl_t, "7", "ST02 control number missing", seg))
                elif not set_numbers.add(number):
                    current.issues.append(
                        _issue(lvl_t, "23", f"ST02 {number} is not unique in the group", seg)
                    )
            elif tag == "GS":
                if isa is None:
                    raise_outside(seg)
                if group is not None:
                    group_issues.append(_issue(lvl_g, "3", "functional group has no GE", seg))
                    yield GroupEnd(group, None, group_sets, group_issues)
                group = parse_group_header(seg)
                group_count += 1
                group_sets = 0
                group_issues = []
                set_numbers = ControlNumberSet()
                if not group.control_number.isdigit():
                    group_issues.append(
                        _issue(lvl_g, "6", f"GS06 {group.control_number!r} is invalid", seg)
                    )
                elif not group_numbers.add(group.control_number):
                    group_issues.append(
                        _issue(lvl_g, "19", f"GS06 {group.control_number} repeats", seg)
                    )
                yield GroupStart(group, seg)
            elif tag == "GE":
                if group is None:
                    isa_issues.append(_issue(lvl_i, "024", "GE without a GS", seg))
                    continue
                if not same_number(seg.el(1), group_sets):
                    msg = f"GE01 {seg.el(1)} but {group_sets} sets received"
                    group_issues.append(_issue(lvl_g, "5", msg, seg, levels.ENVELOPE_COUNT))
                if not same_control_number(seg.el(2).strip(), group.control_number):
                    group_issues.append(
                        _issue(lvl_g, "4", f"GE02 {seg.el(2)} != GS06 {group.control_number}", seg)
                    )
                yield GroupEnd(group, seg, group_sets, group_issues)
                group = None
            elif tag == "ISA":
                if isa is not None:
                    yield from _close_open(
                        isa, isa_issues, group, group_sets, group_issues, group_count, None, seg
                    )
                delims = self.segments.delimiters
                assert delims is not None
                isa, isa_issues = parse_interchange_header(seg, delims)
                for recovered in self.segments.isa_warnings:
                    isa_issues.append(_warning(lvl_i, "000", recovered, seg))
                group, group_count, group_numbers = None, 0, ControlNumberSet()
                yield InterchangeStart(isa, seg)
            elif tag == "IEA":
                if isa is None:
                    raise_outside(seg)
                if group is not None:
                    group_issues.append(_issue(lvl_g, "3", "functional group has no GE", seg))
                    yield GroupEnd(group, None, group_sets, group_issues)
                    group = None
                if not same_number(seg.el(1), group_count):
                    msg = f"IEA01 {seg.el(1)} but {group_count} groups"
                    isa_issues.append(_issue(lvl_i, "021", msg, seg, levels.ENVELOPE_COUNT))
                if not same_control_number(seg.el(2), isa.control_number):
                    isa_issues.append(
                        _issue(
                            lvl_i, "001", f"IEA02 {seg.el(2)} != ISA13 {isa.control_number}", seg
                        )
                    )
                yield InterchangeEnd(isa, seg, group_count, isa_issues)
                isa = None
            elif tag == "TA1":
                if isa is None:
                    raise_outside(seg)
                yield TechnicalAck(isa, seg)
            else:
                if isa is None:
                    raise_outside(seg)
                isa_issues.append(
                    _issue(lvl_i, "024", f"segment {tag} outside a transaction set", seg)
                )

        if current is not None:
            current.issues.append(_issue(lvl_t, "2", "input ends before SE", None))
            yield current
        if isa is not None:
            yield from _close_open(
                isa, isa_issues, group, group_sets, group_issues, group_count, None, None
            )
        if self.segments.trailing is not None:
            yield self.segments.trailing


_ENVELOPE_TAGS = frozenset(("ISA", "IEA", "GS", "GE", "ST", "TA1"))


def same_number(value: str, count: int) -> bool:
    """An N0 count (SE01, GE01, IEA01) against the actual count: compared as numbers, so
    `0000000013` is 13 (leading zeros do not change an N0 value)."""
    return value.isascii() and value.isdigit() and int(value) == count


def same_control_number(trailer: str, header: str) -> bool:
    """GE02/GS06 and IEA02/ISA13 are N0: equal as numbers when both are digits, else as text."""
    if trailer == header:
        return True
    return (
        trailer.isascii()
        and trailer.isdigit()
        and header.isascii()
        and header.isdigit()
        and int(trailer) == int(header)
    )


def _check_set_trailer(ts: TransactionSet, se: Segment, count: int) -> None:
    where = {"segment_id": "SE", "segment_position": count, "segment_index": se.index}
    if not same_number(se.el(1), count):
        msg = f"SE01 {se.el(1)} but {count} segments"
        ts.issues.append(
            Issue(Level.TRANSACTION, "4", msg, **where, finding=levels.ENVELOPE_COUNT)  # type: ignore[arg-type]
        )
    if se.el(2) != ts.control_number:
        msg = f"SE02 {se.el(2)} != ST02 {ts.control_number}"
        ts.issues.append(Issue(Level.TRANSACTION, "3", msg, **where))  # type: ignore[arg-type]


def _close_open(
    isa: InterchangeHeader,
    isa_issues: list[Issue],
    group: GroupHeader | None,
    group_sets: int,
    group_issues: list[Issue],
    group_count: int,
    trailer: Segment | None,
    at: Segment | None,
) -> Iterator[Event]:
    """Close what a truncated interchange left open: GE missing (AK9 3), IEA missing (TA1 023)."""
    if group is not None:
        group_issues.append(_issue(Level.GROUP, "3", "functional group has no GE", at))
        yield GroupEnd(group, None, group_sets, group_issues)
    isa_issues.append(_issue(Level.INTERCHANGE, "023", "interchange has no IEA", at))
    yield InterchangeEnd(isa, trailer, group_count, isa_issues)


def raise_outside(seg: Segment) -> NoReturn:
    raise InterchangeHeaderError(f"segment {seg.tag} at {seg.index} is outside an interchange")


def read_events(
    stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE, encoding: str = "utf-8"
) -> Iterator[Event]:
    """Stream events from a binary X12 stream (one or many interchanges)."""
    return iter(EnvelopeReader(stream, chunk_size=chunk_size, encoding=encoding))


@dataclass(frozen=True, slots=True)
class EnvelopedSet:
    """A transaction set with the interchange and group headers around it."""

    ts: TransactionSet
    interchange: InterchangeHeader
    group: GroupHeader | None  # None: the set stands outside any GS


def enveloped_sets(stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE) -> Iterator[EnvelopedSet]:
    """Every transaction set of a stream with its envelope headers, streamed (no checks beyond
    what `read_events` does: for validation and acknowledgements use the checker)."""
    interchange: InterchangeHeader | None = None
    group: GroupHeader | None = None
    for event in read_events(stream, chunk_size=chunk_size):
        if isinstance(event, InterchangeStart):
            interchange, group = event.header, None
        elif isinstance(event, GroupStart):
            group = event.header
        elif isinstance(event, GroupEnd):
            group = None
        elif isinstance(event, TransactionSet) and interchange is not None:
            yield EnvelopedSet(event, interchange, group)
