"""Streaming X12 tokenizer: bytes in chunks -> `Segment`s, never the whole file in memory.

Delimiters are found by walking each ISA's first sixteen element separators (real ISAs are
62-107 bytes, some wrapped over lines), so no fixed offsets are assumed. Each interchange in a
file is detected afresh after its IEA.

X12 is a byte format. The bytes are decoded with the partner's encoding (UTF-8 by default, which
reads ASCII and the extended character sets; Latin-1 or Windows-1252 as a profile setting) and a
byte the encoding cannot read is kept as a lone surrogate (U+DC80..U+DCFF), so the validator
reports it at its element (AK4 6, invalid character) instead of the whole file being refused.
Data after the last IEA that is not another ISA (binary or text garbage) ends the reading: the
complete interchanges before it stand, and `trailing` describes what followed.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from gateway.x12.errors import (
    InterchangeHeaderError,
    NotX12Error,
    TruncatedInterchangeError,
)
from gateway.x12.model import Delimiters, Segment

CHUNK_SIZE = 1 << 16
# Segment(elements, index) without the NamedTuple's Python-level __new__: one C call per segment
_new_segment = tuple.__new__
MAX_ISA_CHARS = 512  # an ISA with padding, wrapping and a BOM is well under this
_BOM = "\ufeff"
_LINE_BREAKS = "\r\n"
_STRIP = " \t\r\n\x00"
_ALNUM_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\udc80-\udcff]")  # raw: see acks.py


@dataclass(frozen=True, slots=True)
class TrailingData:
    """What followed the last complete interchange instead of another ISA."""

    after_segment: int  # ordinal of the last segment read (the IEA)
    preview: str  # its first characters, for the report
    binary: bool  # NUL or undecodable bytes: not text at all

    def describe(self) -> str:
        kind = "binary data" if self.binary else "text that is not an ISA"
        return f"{kind} after the IEA (segment {self.after_segment}): {self.preview!r}"


_NEXT_AFTER_ISA = ("GS", "TA1", "IEA")


def detect_delimiters(isa_text: str) -> tuple[Delimiters, int]:
    """Find the delimiters of the ISA at the start of `isa_text`.

    Returns the delimiters and the index just past the ISA's segment terminator. Line breaks
    inside the ISA (80-column wrapping) are skipped while walking.
    """
    delims, end, _ = detect_delimiters_lenient(isa_text)
    return delims, end


def detect_delimiters_lenient(isa_text: str) -> tuple[Delimiters, int, list[str]]:
    """`detect_delimiters`, plus the recoveries it made (as warnings for the report).

    Recovered: spaces between ISA16 and a line break (`...*>  \nGS*...`): the line break is the
    segment terminator when the next segment (GS, TA1 or IEA) starts after it.
    """
    warnings: list[str] = []
    if not isa_text.startswith("ISA"):
        raise NotX12Error("input does not start with an ISA segment")
    if len(isa_text) < 4:
        raise TruncatedInterchangeError("input ends inside the ISA segment")
    element = isa_text[3]
    if element in _ALNUM_SAFE or element in _LINE_BREAKS or element == " ":
        raise InterchangeHeaderError(
            f"ISA element separator {element!r} is alphanumeric or white space", "026"
        )
    seen = 0
    pos = 3
    limit = min(len(isa_text), MAX_ISA_CHARS)
    while seen < 16:
        pos = isa_text.find(element, pos, limit)
        if pos < 0:
            if len(isa_text) < MAX_ISA_CHARS:
                raise TruncatedInterchangeError("input ends inside the ISA segment")
            raise InterchangeHeaderError("ISA does not have 16 elements", "024")
        seen += 1
        pos += 1
    # ISA16 is the single character after the 16th separator (line breaks inside wrap only).
    while pos < limit and isa_text[pos] in _LINE_BREAKS:
        pos += 1
    if pos + 1 >= len(isa_text):
        raise TruncatedInterchangeError("input ends inside the ISA segment")
    component = isa_text[pos]
    terminator = isa_text[pos + 1]
    end = pos + 2
    if terminator == " ":
        pad_end = pos + 1
        while pad_end < len(isa_text) and isa_text[pad_end] == " ":
            pad_end += 1
        rest = isa_text[pad_end:].lstrip(_STRIP)
        if (
            pad_end < len(isa_text)
            and isa_text[pad_end] in _LINE_BREAKS
            and rest.startswith(_NEXT_AFTER_ISA)
        ):
            terminator = isa_text[pad_end]
            end = pad_end + 1
            warnings.append(
                f"{pad_end - pos - 1} space(s) between ISA16 and the line break: the line break "
                "is taken as the segment terminator"
            )
    # A multi-character terminator (e.g. U+2026 decoded is one char; CR LF is terminator CR).
    if component in _ALNUM_SAFE or component == " " or component in _LINE_BREAKS:
        raise InterchangeHeaderError(
            f"ISA16 component separator {component!r} is alphanumeric or white space", "027"
        )
    if terminator in _ALNUM_SAFE or terminator == " ":
        raise InterchangeHeaderError(
            f"segment terminator {terminator!r} is alphanumeric or a space", "004"
        )
    if terminator in (element, component):
        raise InterchangeHeaderError("segment terminator equals another delimiter", "004")
    if component == element:
        raise InterchangeHeaderError("component separator equals the element separator", "027")
    elements = isa_text[: pos - 1].replace("\r", "").replace("\n", "").split(element)
    repetition: str | None = None
    if len(elements) > 12:
        version = elements[12].strip()
        rep = elements[11]
        if (
            version.isdigit()
            and version >= "00402"
            and len(rep) == 1
            and rep not in _ALNUM_SAFE
            and rep not in (element, component, terminator, " ")
        ):
            repetition = rep
    return Delimiters(element, component, terminator, repetition), end, warnings


class SegmentReader:
    """Pull reader over a binary stream; iterate it for `Segment`s.

    `delimiters` reflects the interchange the last segment belongs to. A new ISA after an
    IEA (or in the middle, for a truncated interchange) sets new delimiters.
    """

    def __init__(
        self, stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE, encoding: str = "utf-8"
    ) -> None:
        self._stream = stream
        self._chunk_size = chunk_size
        # never strict: an undecodable byte becomes U+DC80..U+DCFF and is reported at its element
        self._decoder = codecs.getincrementaldecoder(encoding)("surrogateescape")
        self._eof = False
        self._bytes_read = 0
        self.delimiters: Delimiters | None = None
        self.segment_count = 0
        self.isa_warnings: list[str] = []  # recoveries made reading the last ISA
        self.trailing: TrailingData | None = None

    @property
    def bytes_read(self) -> int:
        return self._bytes_read

    def _read_text(self) -> str:
        if self._eof:
            return ""
        raw = self._stream.read(self._chunk_size)
        if not raw:
            self._eof = True
            return self._decoder.decode(b"", final=True)
        self._bytes_read += len(raw)
        if b"\x00" in raw and self._bytes_read <= self._chunk_size and not raw.strip(b"\x00"):
            raise NotX12Error("input is binary (NUL bytes)")
        return self._decoder.decode(raw)

    def __iter__(self) -> Iterator[Segment]:
        buf = self._read_text()
        if buf.startswith(_BOM):
            buf = buf[1:]
        index = 0
        first = True
        while True:
            # --- find the next ISA and its delimiters -----------------------------------
            buf = buf.lstrip(_STRIP)
            while not buf and not self._eof:
                buf = self._read_text().lstrip(_STRIP)
            if not buf:
                if first:
                    raise NotX12Error("input is empty")
                return
            while len(buf) < MAX_ISA_CHARS and not self._eof:
                buf += self._read_text()
            if buf.startswith(_BOM):  # a BOM before a later interchange (concatenated files)
                buf = buf[1:].lstrip(_STRIP)
            if not buf.startswith("ISA"):
                if first:
                    raise NotX12Error("input does not start with an ISA segment")
                # the interchanges before stand; what follows is reported, not read
                preview = buf[:20]
                binary = bool(_NOT_TEXT.search(buf[:512]))
                self.trailing = TrailingData(index, preview, binary)
                self.segment_count = index
                return
            first = False
            delims, end, self.isa_warnings = detect_delimiters_lenient(buf)
            self.delimiters = delims
            el_sep = delims.element
            term = delims.segment
            isa_raw = buf[: end - 1].replace("\r", "").replace("\n", "")
            index += 1
            yield Segment(isa_raw.split(el_sep), index)
            buf = buf[end:]
            # --- stream the segments of this interchange ----------------------------------
            term_is_break = term in _LINE_BREAKS
            strip = _STRIP
            new = _new_segment
            done = False
            while not done:
                pieces = buf.split(term)
                buf = pieces.pop()  # the incomplete tail waits for the next chunk
                for i, raw in enumerate(pieces):
                    # stripping first leaves the same value (line breaks are strip characters)
                    # and spares the common "~\n" file two replaces per segment
                    raw = raw.strip(strip)
                    if not raw:
                        continue
                    if not term_is_break and ("\n" in raw or "\r" in raw):
                        # wrapped lines: line breaks are never data in X12
                        raw = raw.replace("\r", "").replace("\n", "")
                    index += 1
                    elements = raw.split(el_sep)
                    tag = elements[0]
                    if tag == "ISA":
                        # an ISA without an IEA before it: the envelope reports the truncation
                        delims = _redetect(raw, delims)
                        self.delimiters = delims
                        el_sep = delims.element
                        elements = raw.split(el_sep)
                    yield new(Segment, (elements, index))
                    if tag == "IEA":
                        # another interchange may follow, with delimiters of its own
                        done = True
                        buf = term.join([*pieces[i + 1 :], buf])
                        break
                if done:
                    break
                if self._eof:
                    tail = buf.strip(strip)
                    if tail:
                        # the last segment without a terminator (common after IEA)
                        if not term_is_break:
                            tail = tail.replace("\r", "").replace("\n", "")
                        index += 1
                        elements = tail.split(el_sep)
                        yield Segment(elements, index)
                        buf = ""
                        if elements[0] == "IEA":
                            break
                    self.segment_count = index
                    return
                buf += self._read_text()
            self.segment_count = index


def _redetect(raw: str, current: Delimiters) -> Delimiters:
    try:
        delims, _ = detect_delimiters(raw + current.segment)
    except (InterchangeHeaderError, TruncatedInterchangeError, NotX12Error):
        return current
    return Delimiters(delims.element, delims.component, current.segment, delims.repetition)


def iter_segments(
    stream: BinaryIO, *, chunk_size: int = CHUNK_SIZE, encoding: str = "utf-8"
) -> Iterator[Segment]:
    """Convenience: the segments of every interchange in `stream`."""
    return iter(SegmentReader(stream, chunk_size=chunk_size, encoding=encoding))
