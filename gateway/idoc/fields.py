"""SAP fixed-length field rules: how one Python value becomes the text of one IDoc field.

The rule of a field is named by its XSD type (see xsd/common.xsd): codes and identifiers that do
not fit are refused (a cut key would address the wrong document), free text is cut.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from gateway.idoc.errors import IdocFieldError

FieldValue = str | int | Decimal | dt.date | dt.time | None
"""What a renderer may hand to a field; None and blank strings mean "omit the field"."""


class FieldKind(StrEnum):
    CHAR = "CHAR"  # code or identifier: refused when too long
    TEXT = "TEXT"  # free text: control characters become spaces, cut at the length
    ALPHA = "ALPHA"  # SAP document number: all digits -> zero-padded to the length
    NUMC = "NUMC"  # exactly `length` digits, zero-padded
    DEC = "DEC"  # decimal as SAP writes it in a CHAR field: "-12.50", never an exponent
    DATS = "DATS"  # YYYYMMDD
    TIMS = "TIMS"  # HHMMSS
    CODE = "CODE"  # a named XSD type with a value list or pattern; length-checked like CHAR


# field_text runs for every field of every IDoc, and on Python 3.11 each FieldKind.X lookup
# goes through the enum metaclass (~80 ns); module names are read at dict speed.
_TEXT, _ALPHA, _NUMC, _DEC, _DATS, _TIMS = (
    FieldKind.TEXT,
    FieldKind.ALPHA,
    FieldKind.NUMC,
    FieldKind.DEC,
    FieldKind.DATS,
    FieldKind.TIMS,
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a segment, as the project XSD declares it."""

    name: str
    kind: FieldKind
    length: int
    required: bool = False


@dataclass(frozen=True, slots=True)
class Formatted:
    text: str
    truncated: bool = False


_DIGITS = re.compile(r"[0-9]+")
# What XML or SAP cannot take: Cc (C0/C1 controls, most not even legal in XML 1.0), Cs (lone
# surrogates) and the non-characters U+FFFE/U+FFFF XML forbids. Both categories are closed by
# Unicode's stability policy, so these ranges equal unicodedata.category(ch) in ("Cc", "Cs").
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def format_field(spec: FieldSpec, value: FieldValue, segment: str) -> Formatted | None:
    """The field text for `value`, or None when the field is to be omitted (SAP omits empties).

    Raises IdocFieldError for a value that does not fit a refusing kind, TypeError for a value
    of the wrong Python type (a renderer bug, not bad data).
    """
    result = field_text(spec, value, segment)
    return None if result is None else Formatted(*result)


def field_text(spec: FieldSpec, value: FieldValue, segment: str) -> tuple[str, bool] | None:
    """format_field as (text, truncated), for the builder's loop over every field of every
    IDoc: a tuple costs less to make than a frozen dataclass."""
    if value is None:
        return None
    kind = spec.kind
    if kind is _DATS:
        return _dats(value, spec), False
    if kind is _TIMS:
        return _tims(value, spec), False
    if kind is _DEC:
        text = _dec(value, spec, segment)
    elif kind is _NUMC:
        text = _numc(value, spec, segment)
    else:
        # an exact str (the usual value) passes without the two isinstance checks
        if type(value) is not str and (isinstance(value, bool) or not isinstance(value, str | int)):
            raise TypeError(f"{segment}-{spec.name} takes str, not {type(value).__name__}")
        if kind is _TEXT:
            return _text(str(value), spec)
        text = _clean_code(str(value), spec, segment)
        if not text:
            return None
        if kind is _ALPHA and _DIGITS.fullmatch(text) and len(text) <= spec.length:
            text = text.zfill(spec.length)
    if len(text) > spec.length:
        raise IdocFieldError(
            f"{segment}-{spec.name} holds at most {spec.length} characters, got {len(text)}: "
            f"{text[:40]!r}",
            segment,
            spec.name,
        )
    return text, False


def _clean_code(value: str, spec: FieldSpec, segment: str) -> str:
    text = value.strip()
    # isprintable() is False for every character _BAD_CHARS matches, and is the cheaper test
    # for the usual value, which holds none of them.
    if not text.isprintable() and _BAD_CHARS.search(text):
        raise IdocFieldError(
            f"{segment}-{spec.name} contains a control character: {text[:40]!r}",
            segment,
            spec.name,
        )
    return text


def _text(value: str, spec: FieldSpec) -> tuple[str, bool] | None:
    # Tab, CR and LF are controls too, so they also become spaces here.
    text = value if value.isprintable() else _BAD_CHARS.sub(" ", value)
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > spec.length:
        return text[: spec.length].rstrip(), True
    return text, False


def _numc(value: FieldValue, spec: FieldSpec, segment: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{segment}-{spec.name} takes int or digits, not {type(value).__name__}")
    text = str(value).strip()
    if not _DIGITS.fullmatch(text):
        raise IdocFieldError(
            f"{segment}-{spec.name} takes digits only, got {text[:40]!r}", segment, spec.name
        )
    return text.zfill(spec.length)


def _dec(value: FieldValue, spec: FieldSpec, segment: str) -> str:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        # float is refused on purpose: money and weights are exact in the canonical model
        raise TypeError(f"{segment}-{spec.name} takes Decimal or int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise IdocFieldError(
            f"{segment}-{spec.name} must be a finite number, got {number}", segment, spec.name
        )
    if number == 0:
        number = abs(number)  # "-0" is not a number SAP writes
    return format(number, "f")


def _dats(value: FieldValue, spec: FieldSpec) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        # a datetime is refused: the renderer must choose the zone before taking the date
        raise TypeError(f"{spec.name} takes datetime.date, not {type(value).__name__}")
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _tims(value: FieldValue, spec: FieldSpec) -> str:
    if not isinstance(value, dt.time):
        raise TypeError(f"{spec.name} takes datetime.time, not {type(value).__name__}")
    return f"{value.hour:02d}{value.minute:02d}{value.second:02d}"


def fit_or_drop(value: str | None, limit: int) -> str | None:
    """An optional identifying value, dropped (not cut) when it does not fit: SAP addresses
    partners by its own master data, so a missing extra is harmless where a cut one is wrong."""
    if value is None:
        return None
    value = value.strip()
    return value if 0 < len(value) <= limit else None


def postal_code(value: str | None, limit: int) -> str | None:
    """A postal code for a field of `limit` characters: a US ZIP+4 that is too long keeps its
    five digits; any other code that does not fit is dropped."""
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit and re.fullmatch(r"[0-9]{5}-[0-9]{4}", value):
        value = value[:5]
    return fit_or_drop(value, limit)


def wrap_text(text: str, width: int) -> list[str]:
    """Free text as lines of at most `width` characters, broken at spaces (SAPscript text
    lines such as TDLINE); a word longer than a line is split."""
    words = text.split()
    joined = " ".join(words)
    if len(joined) <= width:
        # the usual short line: the greedy loop below would give exactly this
        return [joined] if joined else []
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
