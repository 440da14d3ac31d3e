"""Acknowledgements the gateway writes: 997/999 per functional group, TA1 per interchange.

`FunctionalAckBuilder` streams: each `SetResult` becomes its AK2..AK5 (IK5) segments at once and
is spooled (memory, then a temporary file past 1 MiB), so a group of millions of sets costs
constant memory. Values echoed from the inbound file are cleaned of the ack interchange's
delimiters and of control characters before writing. The 999 carries no CTX segments: their
999 uses (situational triggers, HIPAA business units such as CLM01) do not apply to transport
sets. 4010 997s use the 4010 code lists: element codes 12/13 (5010 only) are sent as 6 and group
code 19 is left out of AK9 (the group is still rejected). A TA1 goes right after the ISA, before
any GS (X12.5); pyx12's control map expects it after the last GE and insists on a GS, so the
pyx12 check (pyx12_check.py) is run on acknowledgements without a TA1.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from tempfile import SpooledTemporaryFile
from typing import Literal, Protocol

from gateway.x12.envelope import GroupEnd
from gateway.x12.model import (
    AckCode,
    Delimiters,
    GroupHeader,
    InterchangeHeader,
    Issue,
    Level,
    Segment,
    SetResult,
    Severity,
)
from gateway.x12.writer import X12Writer

AckKind = Literal["997", "999"]
ACK_999_VERSION = "005010X231A1"
SPOOL_IN_MEMORY = 1 << 20
_FIELD = "\x1f"  # spool field separator; control characters never survive cleaning
_COMPONENT = "\x1e"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEGMENT_ID = re.compile(r"[A-Z0-9]{2,3}")
# codes the 4010 997 may carry (X12 4010 lists, as in pyx12's 997.4010 map)
_AK4_4010 = frozenset(str(n) for n in range(1, 11))
_AK5_4010 = frozenset(str(n) for n in (*range(1, 14), 15, 16, 17, 23, 24, 25, 26, 27))
_AK9_4010 = frozenset(str(n) for n in (*range(1, 7), *range(10, 19), 23, 24, 25, 26))
_AK9_5010 = _AK9_4010 | {"19"}
_MAX_AK4_PER_AK3 = 99  # 997 AK4 max use


class ControlNumbers(Protocol):
    """Allocates outbound ISA13 and GS06 values (the store provides a durable implementation)."""

    def next_interchange(self) -> int: ...

    def next_group(self) -> int: ...


class CountingControlNumbers:
    """In-memory control numbers for the CLI and tests: 1, 2, 3 ... wrapping after 999999999."""

    def __init__(self, start: int = 1) -> None:
        self._interchange = start - 1
        self._group = start - 1

    def next_interchange(self) -> int:
        self._interchange = self._interchange % 999_999_999 + 1
        return self._interchange

    def next_group(self) -> int:
        self._group = self._group % 999_999_999 + 1
        return self._group


def default_ack_kind(group_version: str) -> AckKind:
    """997 for 004010 and older, 999 from 005010 on (partners may choose otherwise)."""
    head = group_version.strip()[:6]
    return "999" if head.isdigit() and head >= "005010" else "997"


def ack_version(kind: AckKind, group_version: str) -> str:
    """GS08 of the acknowledgement: 005010X231A1 for a 999, the group's base version for a 997."""
    if kind == "999":
        return ACK_999_VERSION
    head = group_version.strip()[:6]
    return head if len(head) == 6 and head.isdigit() else "004010"


def _clean(value: str) -> str:
    # isprintable() is False for every control character (and for some it need not be): a C
    # call spares the regex for the values that, nearly always, have nothing to remove
    if value.isprintable():
        return value
    # a byte the partner's encoding could not read (a lone surrogate from the reader) is echoed
    # as "?": the copy of bad data must stay writable
    return _CONTROL.sub("", _UNDECODED.sub("?", value))


_UNDECODED = re.compile(r"[\udc80-\udcff]")  # raw: mypyc refuses surrogates


def _reportable(issue: Issue) -> bool:
    return (
        bool(issue.code)
        and issue.level in (Level.SEGMENT, Level.ELEMENT)
        and issue.severity is not Severity.INFO
    )


class FunctionalAck:
    """A finished 997/999: its codes and counts, and its segments read back from the spool."""

    def __init__(
        self,
        kind: AckKind,
        version: str,
        group: GroupHeader,
        code: AckCode,
        included: int,
        received: int,
        accepted: int,
        group_codes: tuple[str, ...],
        spool: SpooledTemporaryFile[str],
    ) -> None:
        self.kind = kind
        self.version = version
        self.group = group
        self.code = code
        self.included = included
        self.received = received
        self.accepted = accepted
        self.group_codes = group_codes
        self._spool = spool

    def body(self, strip: re.Pattern[str] | None = None) -> Iterator[list[str | list[str]]]:
        """AK1 .. AK9 as element lists (tag first); composites are lists of components.

        `strip` removes characters (the ack's delimiters) from every echoed value.
        """
        clean = strip.sub if strip is not None else None
        g = self.group
        ak1 = [_clean(g.functional_id), _clean(g.control_number)]
        if self.version.startswith("005"):
            ak1.append(_clean(g.version))
        yield ["AK1", *(clean("", v) for v in ak1)] if clean else ["AK1", *ak1]
        self._spool.seek(0)
        for line in self._spool:
            # spooled values hold no control characters, so stripping the whole line keeps
            # the (control character) field separators intact
            text = clean("", line) if clean else line
            fields: list[str | list[str]] = []
            for f in text.rstrip("\n").split(_FIELD):
                fields.append(f.split(_COMPONENT) if _COMPONENT in f else f)
            yield fields
        yield [
            "AK9",
            self.code.value,
            str(self.included),
            str(self.received),
            str(self.accepted),
            *self.group_codes,
        ]

    def write(self, writer: X12Writer, control_number: str = "0001") -> None:
        """Write ST..SE into the writer's open group; echoed values lose delimiter characters."""
        printable = [c for c in writer.delimiters.all() if not _CONTROL.match(c)]
        strip = re.compile("[" + re.escape("".join(printable)) + "]") if printable else None
        reference = ACK_999_VERSION if self.kind == "999" else ""
        segment = writer.segment
        with writer.transaction_set(self.kind, control_number, reference):
            for fields in self.body(strip):
                segment(str(fields[0]), *fields[1:])

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> FunctionalAck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FunctionalAckBuilder:
    """Builds the 997 or 999 for one received functional group, one `SetResult` at a time."""

    def __init__(self, kind: AckKind, group: GroupHeader, version: str | None = None) -> None:
        self.kind: AckKind = kind
        self.group = group
        self.version = version or ack_version(kind, group.version)
        self._v5010 = self.version.startswith("005")
        # closed by FunctionalAck.close(): the spool outlives this builder
        self._spool: SpooledTemporaryFile[str] = SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_IN_MEMORY, mode="w+", encoding="utf-8", newline="\n"
        )
        self._received = 0
        self._accepted = 0
        self._errors_noted = False

    def close(self) -> None:
        """Drop the spool of a group that will not be finished (finish() hands it over)."""
        self._spool.close()

    def __enter__(self) -> FunctionalAckBuilder:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.close()

    def _line(self, fields: Sequence[str]) -> None:
        self._spool.write(_FIELD.join(fields) + "\n")

    def add(self, result: SetResult) -> None:
        """Acknowledge one received set: AK2, AK3/AK4 or IK3/IK4 per finding, AK5 or IK5."""
        self._received += 1
        code = result.code
        if code in (AckCode.ACCEPTED, AckCode.ACCEPTED_WITH_ERRORS):
            self._accepted += 1
        if code is AckCode.ACCEPTED_WITH_ERRORS:
            self._errors_noted = True
        ak2 = ["AK2", _clean(result.set_id), _clean(result.control_number)]
        if self._v5010 and result.implementation_reference:
            ak2.append(_clean(result.implementation_reference))
        trailer = "IK5" if self.kind == "999" else "AK5"
        if code is AckCode.ACCEPTED:
            # the common case: AK2 and AK5 in one write to the spool
            sep = _FIELD
            self._spool.write(f"{sep.join(ak2)}\n{trailer}{sep}{code.value}\n")
            return
        self._line(ak2)
        set_codes: list[str] = []
        self._details(result.issues, set_codes)
        self._line([trailer, code.value, *set_codes[:5]])

    def _details(self, issues: list[Issue], set_codes: list[str]) -> None:
        seg_tag, el_tag = ("IK3", "IK4") if self.kind == "999" else ("AK3", "AK4")
        open_position = -1
        notes = 0
        for issue in issues:
            if issue.level is Level.TRANSACTION:
                usable = self._v5010 or issue.code in _AK5_4010
                if usable and issue.severity is Severity.ERROR and issue.code not in set_codes:
                    set_codes.append(issue.code)
                continue
            if not _reportable(issue):
                continue
            if issue.level is Level.SEGMENT or issue.segment_position != open_position:
                code = issue.code if issue.level is Level.SEGMENT else "8"
                self._line(
                    [
                        seg_tag,
                        _segment_id(issue.segment_id),
                        str(issue.segment_position),
                        _clean(issue.loop_id)[:4],
                        code,
                    ]
                )
                open_position = issue.segment_position
                notes = 0
                if issue.level is Level.SEGMENT:
                    continue
            notes += 1
            if notes > _MAX_AK4_PER_AK3 and self.kind == "997":
                continue
            self._line(self._element_note(el_tag, issue))

    def _element_note(self, tag: str, issue: Issue) -> list[str]:
        position = [str(issue.element_position)]
        if issue.component_position or (self._v5010 and issue.repetition_position):
            position.append(str(issue.component_position) if issue.component_position else "")
        if self._v5010 and issue.repetition_position:
            position.append(str(issue.repetition_position))
        code = issue.code
        if not self._v5010 and code not in _AK4_4010:
            code = "6"  # 12/13 (repetitions/components) exist from 5010; closest 4010 code
        ref = issue.element_ref if issue.element_ref.isdigit() else ""
        return [tag, _COMPONENT.join(position), ref, code, _clean(issue.bad_value)[:99]]

    def finish(self, group_end: GroupEnd | None) -> FunctionalAck:
        """Close the group: AK9 code, counts (GE01 as received, or the count without a GE)."""
        received, accepted = self._received, self._accepted
        included = received
        group_errors: list[str] = []
        warnings = False
        if group_end is not None:
            ge01 = group_end.trailer.el(1) if group_end.trailer is not None else ""
            if ge01.isdigit():
                included = int(ge01)
            allowed = _AK9_5010 if self._v5010 else _AK9_4010
            for issue in group_end.issues:
                if issue.level is not Level.GROUP or not issue.code:
                    continue
                if issue.severity is Severity.ERROR:
                    if issue.code in allowed and issue.code not in group_errors:
                        group_errors.append(issue.code)
                else:
                    warnings = True
        group_rejected = group_end is not None and any(
            i.level is Level.GROUP and i.severity is Severity.ERROR for i in group_end.issues
        )
        if group_rejected or (received and not accepted):
            code = AckCode.REJECTED
        elif accepted < received:
            code = AckCode.PARTIALLY_ACCEPTED
        elif self._errors_noted or warnings:
            code = AckCode.ACCEPTED_WITH_ERRORS
        else:
            code = AckCode.ACCEPTED
        return FunctionalAck(
            self.kind,
            self.version,
            self.group,
            code,
            included,
            received,
            accepted,
            tuple(group_errors[:5]),
            self._spool,
        )


def _segment_id(tag: str) -> str:
    """AK301/IK301 must be a 2-3 character id even when the bad segment's was not."""
    if _SEGMENT_ID.fullmatch(tag):
        return tag
    clean = re.sub(r"[^A-Z0-9]", "", tag.upper())[:3]
    return clean if len(clean) >= 2 else (clean + "XX")[:2]


def technical_ack(header: InterchangeHeader, issues: Sequence[Issue], now: datetime) -> Segment:
    """TA1 for an inbound interchange: R on any envelope error, E on a coded warning, else A/000.

    TA102/TA103 echo the inbound ISA09/ISA10 (the interchange being acknowledged); `now` stands in
    when those are malformed.
    """
    errors = [i for i in issues if i.level is Level.INTERCHANGE and i.severity is Severity.ERROR]
    noted = [
        i
        for i in issues
        if i.level is Level.INTERCHANGE
        and i.severity is Severity.WARNING
        and i.code not in ("", "000")
    ]
    if errors:
        code, note = AckCode.REJECTED.value, errors[0].code
    elif noted:
        code, note = AckCode.ACCEPTED_WITH_ERRORS.value, noted[0].code
    else:
        code, note = AckCode.ACCEPTED.value, "000"
    if not (note.isdigit() and len(note) <= 3):
        note = "024" if errors else "000"
    digits = re.sub(r"\D", "", header.control_number)[-9:]
    date = (
        header.date if len(header.date) == 6 and header.date.isdigit() else now.strftime("%y%m%d")
    )
    time = header.time if len(header.time) == 4 and header.time.isdigit() else now.strftime("%H%M")
    return Segment(["TA1", digits.zfill(9), date, time, code, note.zfill(3)])


@dataclass(frozen=True, slots=True)
class AckInterchange:
    """What an acknowledgement interchange was written with, for the store's records."""

    control_number: str  # ISA13
    group_control_numbers: tuple[str, ...]  # GS06 per acknowledgement group, in order


def write_ack_interchange(
    stream: io.BufferedIOBase | io.TextIOBase,
    inbound: InterchangeHeader,
    groups: Sequence[FunctionalAck],
    ta1: Segment | None,
    control_numbers: ControlNumbers,
    now: datetime,
    *,
    delimiters: Delimiters | None = None,
    line_break: bool = True,
    keep: bool = False,
) -> AckInterchange:
    """Write an interchange answering `inbound`: sender and receiver swapped, qualifiers,
    version and usage kept, ISA14 0, the inbound delimiters unless told otherwise.

    IDs longer than X12 allows (ISA06/08 15, GS02/03 15) are cut to fit: an inbound deviation
    must not make our acknowledgement invalid. Everything else is echoed as received.

    The acks' spools are closed once written unless `keep` is set.
    """
    d = delimiters or inbound.delimiters
    isa13 = f"{control_numbers.next_interchange():09d}"
    version = (
        inbound.version if len(inbound.version) == 5 and inbound.version.isdigit() else "00401"
    )
    if version >= "00501" and d.repetition is None:
        # from 00501 ISA11 is the repetition separator, never the "U" of 00401: the inbound's,
        # else the first of ^ ! | the other delimiters leave free
        used = set(d.all())
        free = [c for c in (inbound.delimiters.repetition, "^", "!", "|") if c and c not in used]
        d = replace(d, repetition=free[0])
    header = InterchangeHeader(
        authorization_qualifier="00",
        authorization="",
        security_qualifier="00",
        security="",
        sender_qualifier=inbound.receiver_qualifier[:2],
        sender_id=inbound.receiver_id[:15],
        receiver_qualifier=inbound.sender_qualifier[:2],
        receiver_id=inbound.sender_id[:15],
        date=now.strftime("%y%m%d"),
        time=now.strftime("%H%M"),
        standards_or_repetition="U",
        version=version,
        control_number=isa13,
        ack_requested=False,
        usage=inbound.usage if inbound.usage in ("P", "T", "I") else "P",
        delimiters=d,
    )
    writer = X12Writer(stream, d, line_break=line_break)  # type: ignore[arg-type]
    strip = re.compile("[" + re.escape("".join(d.all())) + r"\x00-\x1f\x7f]")
    group_numbers: list[str] = []
    with writer.interchange(header):
        if ta1 is not None:
            writer.write_segment(ta1.elements)
        for ack in groups:
            gs06 = str(control_numbers.next_group())
            group_numbers.append(gs06)
            gs = GroupHeader(
                functional_id="FA",
                application_sender=strip.sub("", ack.group.application_receiver)[:15],
                application_receiver=strip.sub("", ack.group.application_sender)[:15],
                date=now.strftime("%Y%m%d"),
                time=now.strftime("%H%M"),
                control_number=gs06,
                agency="X",
                version=ack.version,
            )
            with writer.group(gs):
                ack.write(writer)
            if not keep:
                ack.close()
    return AckInterchange(isa13, tuple(group_numbers))


def build_ack_interchange(
    inbound: InterchangeHeader,
    groups: Sequence[FunctionalAck],
    ta1: Segment | None,
    control_numbers: ControlNumbers,
    now: datetime,
    *,
    delimiters: Delimiters | None = None,
    line_break: bool = True,
    keep: bool = False,
) -> bytes:
    """The acknowledgement interchange as bytes (see `write_ack_interchange` for streaming)."""
    out = io.BytesIO()
    write_ack_interchange(
        out,
        inbound,
        groups,
        ta1,
        control_numbers,
        now,
        delimiters=delimiters,
        line_break=line_break,
        keep=keep,
    )
    return out.getvalue()
