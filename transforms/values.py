"""Parsing of X12 data element values: R and N2 numbers, CCYYMMDD dates, HHMM[SS[DD]] times.

Functions return None for an empty value and raise `ValueParseError` (carrying the warning code
the caller should record) for a malformed one; they never guess silently.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from gateway.canonical import Money, WarningCode

_SIGNED_DIGITS = re.compile(r"^[+-]?\d+$")
_NUMBER = WarningCode.INVALID_NUMBER
_TIME = WarningCode.INVALID_TIME
_PLACEHOLDER_DATES = frozenset({"00000000", "00010101", "19000101", "99991231", "99999999"})


class ValueParseError(ValueError):
    """A value that does not parse; `code` is the warning the transform records."""

    def __init__(self, message: str, code: WarningCode, value: str) -> None:
        super().__init__(message)
        self.code = code
        self.value = value


def parse_decimal(value: str) -> Decimal | None:
    """An R (explicit decimal) value: "92.9" -> Decimal("92.9"); "" -> None."""
    text = value.strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueParseError(f"not a number: {value!r}", _NUMBER, value) from None
    if not number.is_finite():
        raise ValueParseError(f"not a finite number: {value!r}", _NUMBER, value)
    return number


def parse_implied_decimal(value: str, places: int) -> Decimal | None:
    """An Nn value (implied decimal places): N2 "65928" -> Decimal("659.28").

    A value that carries an explicit point is taken as written: some senders ignore the N2
    convention, and reading "557.21" as 5.5721 would be the worse error.
    """
    text = value.strip()
    if not text:
        return None
    if "." in text:
        return parse_decimal(text)
    if not _SIGNED_DIGITS.match(text):
        raise ValueParseError(
            f"not an implied-decimal number: {value!r}", WarningCode.INVALID_NUMBER, value
        )
    return Decimal(int(text)).scaleb(-places)


def parse_n2(value: str) -> Decimal | None:
    """N2: "65928" -> Decimal("659.28"), "-301791" -> Decimal("-3017.91")."""
    return parse_implied_decimal(value, 2)


def money_from_n2(value: str, currency: str = "USD") -> Money | None:
    """An N2 amount as Money (None when empty)."""
    amount = parse_n2(value)
    return None if amount is None else Money(amount=amount, currency=currency)


def parse_int(value: str) -> int | None:
    """An N0 value or an R value with no fraction: "01" -> 1, "5.0" -> 5."""
    if len(value) < 19 and value.isascii() and value.isdigit():  # the usual case, no Decimal
        return int(value)
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueParseError(f"not a whole number: {value!r}", WarningCode.INVALID_NUMBER, value)
    return int(number)


@lru_cache(maxsize=4096)  # dates repeat across the sets of a file; a malformed one still raises
def parse_date(value: str) -> dt.date | None:
    """A DT date: CCYYMMDD, or YYMMDD (ISA09/TA102, and senders that ignore CCYY).

    Six-digit years are windowed: 00-69 -> 20xx, 70-99 -> 19xx. Placeholder dates such as
    00010101 raise with code PLACEHOLDER_DATE: they mean "no date", not year 1.
    """
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) not in (6, 8):
        raise ValueParseError(f"not a CCYYMMDD date: {value!r}", WarningCode.INVALID_DATE, value)
    if text in _PLACEHOLDER_DATES or (len(text) == 8 and text.startswith("00")):
        raise ValueParseError(f"placeholder date {value!r}", WarningCode.PLACEHOLDER_DATE, value)
    if len(text) == 6:
        yy = int(text[:2])
        year = 2000 + yy if yy < 70 else 1900 + yy
        month, day = int(text[2:4]), int(text[4:6])
    else:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueParseError(f"no such date: {value!r}", WarningCode.INVALID_DATE, value) from None


@lru_cache(maxsize=4096)  # at most 1,440 HHMM values a day
def parse_time(value: str) -> dt.time | None:
    """A TM time: HHMM, HHMMSS, HHMMSSD (tenths) or HHMMSSDD (hundredths of a second)."""
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) not in (4, 6, 7, 8):
        raise ValueParseError(f"not an HHMM[SS[DD]] time: {value!r}", _TIME, value)
    hour, minute = int(text[0:2]), int(text[2:4])
    second = int(text[4:6]) if len(text) >= 6 else 0
    fraction = text[6:]
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    try:
        return dt.time(hour, minute, second, microsecond)
    except ValueError:
        raise ValueParseError(f"no such time: {value!r}", WarningCode.INVALID_TIME, value) from None


def parse_equipment_length(value: str) -> Decimal | None:
    """Element 567 equipment length in feet and inches, FFII: "5300" -> 53, "4806" -> 48.5.

    A value of two or three digits is read as whole feet ("53").
    """
    text = value.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueParseError(f"not a length: {value!r}", WarningCode.INVALID_NUMBER, value)
    if len(text) <= 3:
        return Decimal(int(text))
    feet, inches = int(text[:-2]), int(text[-2:])
    if inches >= 12:
        raise ValueParseError(f"inches out of range: {value!r}", WarningCode.INVALID_NUMBER, value)
    return Decimal(feet) + (Decimal(inches) / Decimal(12)).quantize(Decimal("0.01"))
