"""Outbound X12 writer: envelopes with computed counts, fixed-width ISA, and an EDI injection guard.

Every value is checked against the interchange's delimiters (and control characters, which some
partners use as delimiters) before anything is written: a value such as `X~IEA*1*000000001~`
raises `DelimiterInDataError` instead of adding segments. SE01, GE01 and IEA01 are counted here,
never passed in.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO, TextIO, cast

from gateway.x12.errors import DelimiterInDataError
from gateway.x12.model import Delimiters, GroupHeader, InterchangeHeader

Element = str | Sequence[str] | None  # a simple value, a composite's components, or absent
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}")
_SAFE_DELIMITER = re.compile(r"[^A-Za-z0-9 ]")
_FLUSH_EVERY = 512


def format_n2(value: Decimal) -> str:
    """An N2 value (implied two decimals): 557.21 -> "55721", -3017.91 -> "-301791"."""
    cents = (value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return str(int(cents))


def format_r(value: Decimal) -> str:
    """An R value without exponent or needless zeros: 0.50 -> ".5", 5472.0 -> "5472"."""
    text = format(value.normalize(), "f") if value else "0"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0.") or text.startswith("-0."):
        text = text.replace("0.", ".", 1)
    return text or "0"


def _pad(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise ValueError(f"{name} {value!r} is longer than {width} characters")
    return value.ljust(width)


class X12Writer:
    """Writes interchanges to a text or binary stream; use the context managers or begin/end pairs.

    with X12Writer(out, delims) as w, w.interchange(isa), w.group(gs):
        with w.transaction_set("997", "0001"):
            w.segment("AK1", "SM", "1234")
    """

    def __init__(
        self,
        stream: BinaryIO | TextIO,
        delimiters: Delimiters,
        *,
        line_break: bool = True,
        encoding: str = "utf-8",
    ) -> None:
        chars = delimiters.all()
        if len(set(chars)) != len(chars) or any(len(c) != 1 for c in chars):
            raise ValueError(f"delimiters must be distinct single characters: {chars!r}")
        if any(not _SAFE_DELIMITER.fullmatch(c) for c in chars):
            raise ValueError(f"delimiters must not be letters, digits or spaces: {chars!r}")
        self.delimiters = delimiters
        self._write: Callable[[str], object]
        if isinstance(stream, io.TextIOBase):
            self._write = cast(TextIO, stream).write
        else:
            binary = cast(BinaryIO, stream)
            self._write = lambda text: binary.write(text.encode(encoding))
        newline = "\n" if line_break and delimiters.segment not in "\r\n" else ""
        self._end = delimiters.segment + newline
        self._forbidden = re.compile("[" + re.escape("".join(chars)) + r"\x00-\x1f\x7f]")
        self._buffer: list[str] = []
        self._tags_seen: set[str] = set()
        self._isa_control = ""
        self._group_control = ""
        self._set_control = ""
        self._groups = -1  # -1: no open interchange
        self._sets = -1
        self._segments = -1

    # -- plumbing -------------------------------------------------------------------------

    def _emit(self, text: str) -> None:
        self._buffer.append(text)
        if len(self._buffer) >= _FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Hand buffered segments to the stream."""
        if not self._buffer:
            return
        data = "".join(self._buffer)
        self._buffer.clear()
        self._write(data)

    def _check(self, value: str, where: str) -> str:
        if self._forbidden.search(value):
            raise DelimiterInDataError(f"{where} contains a delimiter or control character")
        return value

    def _render(self, tag: str, elements: Sequence[Element]) -> str:
        if tag not in self._tags_seen:
            if not _TAG.fullmatch(tag):
                raise ValueError(f"invalid segment id {tag!r}")
            self._tags_seen.add(tag)
        comp = self.delimiters.component
        parts = [tag]
        values: list[str] = []
        for value in elements:
            if value is None:
                parts.append("")
            elif isinstance(value, str):
                parts.append(value)
                values.append(value)
            else:
                comps = list(value)
                values.extend(comps)
                while comps and not comps[-1]:
                    comps.pop()
                parts.append(comp.join(comps))
        # one search over all values: a delimiter in any of them is a delimiter in the join
        if self._forbidden.search("".join(values)):
            self._locate(tag, elements)
        while len(parts) > 1 and not parts[-1]:
            parts.pop()  # X12: no trailing element separators
        return self.delimiters.element.join(parts) + self._end

    def _locate(self, tag: str, elements: Sequence[Element]) -> None:
        """Raise for the first value holding a delimiter, naming its position."""
        for i, value in enumerate(elements, start=1):
            if isinstance(value, str):
                self._check(value, f"{tag}{i:02d}")
            elif value is not None:
                for j, c in enumerate(value, start=1):
                    self._check(c, f"{tag}{i:02d}-{j:02d}")

    # -- envelopes ------------------------------------------------------------------------

    def begin_interchange(self, header: InterchangeHeader) -> None:
        """Write the ISA (fixed width, 106 characters with its terminator)."""
        if self._groups >= 0:
            raise RuntimeError("an interchange is already open")
        d = self.delimiters
        control = header.control_number
        if not control.isdigit() or len(control) > 9:
            raise ValueError(f"ISA13 {control!r} must be up to 9 digits")
        fixed = {
            "ISA09": (header.date, 6),
            "ISA10": (header.time, 4),
            "ISA12": (header.version, 5),
        }
        for name, (value, width) in fixed.items():
            if len(value) != width or not value.isdigit():
                raise ValueError(f"{name} {value!r} must be {width} digits")
        if header.version >= "00402" and d.repetition:
            isa11 = d.repetition
        else:
            isa11 = header.standards_or_repetition or "U"
        fields = [
            _pad(header.authorization_qualifier or "00", 2, "ISA01"),
            _pad(header.authorization, 10, "ISA02"),
            _pad(header.security_qualifier or "00", 2, "ISA03"),
            _pad(header.security, 10, "ISA04"),
            _pad(header.sender_qualifier, 2, "ISA05"),
            _pad(header.sender_id, 15, "ISA06"),
            _pad(header.receiver_qualifier, 2, "ISA07"),
            _pad(header.receiver_id, 15, "ISA08"),
            header.date,
            header.time,
            isa11,
            header.version,
            control.zfill(9),
            "1" if header.ack_requested else "0",
            _pad(header.usage, 1, "ISA15"),
        ]
        for i, value in enumerate(fields, start=1):
            if i != 11:  # ISA11 may be the repetition separator itself
                self._check(value, f"ISA{i:02d}")
        self._emit(d.element.join(["ISA", *fields, d.component]) + self._end)
        self._isa_control = control.zfill(9)
        self._groups = 0

    def end_interchange(self) -> None:
        if self._groups < 0 or self._sets >= 0:
            raise RuntimeError("no open interchange, or a group is still open")
        self._emit(self._render("IEA", [str(self._groups), self._isa_control]))
        self._groups = -1
        self.flush()

    def begin_group(self, header: GroupHeader) -> None:
        if self._groups < 0 or self._sets >= 0:
            raise RuntimeError("a group needs an open interchange and no open group")
        if not header.control_number.isdigit():
            raise ValueError(f"GS06 {header.control_number!r} must be digits")
        self._emit(
            self._render(
                "GS",
                [
                    header.functional_id,
                    header.application_sender,
                    header.application_receiver,
                    header.date,
                    header.time,
                    header.control_number,
                    header.agency or "X",
                    header.version,
                ],
            )
        )
        self._group_control = header.control_number
        self._sets = 0

    def end_group(self) -> None:
        if self._sets < 0 or self._segments >= 0:
            raise RuntimeError("no open group, or a transaction set is still open")
        self._emit(self._render("GE", [str(self._sets), self._group_control]))
        self._sets = -1
        self._groups += 1

    def begin_set(
        self, set_id: str, control_number: str, implementation_reference: str = ""
    ) -> None:
        if self._sets < 0 or self._segments >= 0:
            raise RuntimeError("a transaction set needs an open group and no open set")
        self._emit(self._render("ST", [set_id, control_number, implementation_reference]))
        self._set_control = control_number
        self._segments = 1

    def end_set(self) -> None:
        if self._segments < 0:
            raise RuntimeError("no open transaction set")
        self._emit(self._render("SE", [str(self._segments + 1), self._set_control]))
        self._segments = -1
        self._sets += 1

    def segment(self, tag: str, *elements: Element) -> None:
        """One segment inside a transaction set (or a TA1 directly inside an interchange)."""
        if tag in ("ISA", "IEA", "GS", "GE", "ST", "SE"):
            raise ValueError(f"{tag} is written by the envelope methods")
        if self._segments < 0 and not (tag == "TA1" and self._groups >= 0 and self._sets < 0):
            raise RuntimeError(f"segment {tag} outside a transaction set")
        self._emit(self._render(tag, elements))
        if self._segments >= 0:
            self._segments += 1

    def write_segment(self, elements: Sequence[str]) -> None:
        """A segment given as [tag, element 1, ...] (the reader's shape)."""
        self.segment(elements[0], *elements[1:])

    # -- context managers -----------------------------------------------------------------

    def __enter__(self) -> X12Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()

    @contextmanager
    def interchange(self, header: InterchangeHeader) -> Iterator[X12Writer]:
        self.begin_interchange(header)
        yield self
        self.end_interchange()

    @contextmanager
    def group(self, header: GroupHeader) -> Iterator[X12Writer]:
        self.begin_group(header)
        yield self
        self.end_group()

    @contextmanager
    def transaction_set(
        self, set_id: str, control_number: str, implementation_reference: str = ""
    ) -> Iterator[X12Writer]:
        self.begin_set(set_id, control_number, implementation_reference)
        yield self
        self.end_set()
