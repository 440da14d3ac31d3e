"""X12 time codes (element 623: AT7-07, G62-05, ...) and local dates/times to aware instants.

Families: UT/GM are UTC; ET/CT/MT/PT (and AT, HT, NT, TT) are the zone's civil time, DST-aware;
the S and D forms (ES/ED, CS/CD, ...) are fixed standard/daylight offsets; 01-12 are UTC+01..+12
and 13-24 are UTC-12..-01 (so 20 is UTC-05); LT (or no code) is the local time of the place the
event happened, whose zone comes from the location, else the partner's default, else UTC is
assumed and a warning says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.canonical import TimeZoneSource, WarningCode
from transforms.values import ValueParseError, parse_date, parse_time

UTC = dt.UTC

# Civil time of the zone: the offset follows that zone's DST rules on that date.
# HT is read as Hawaii (no DST); the Aleutians (America/Adak) are too rare to be the default.
CIVIL_ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
    "AT": "America/Anchorage",
    "HT": "Pacific/Honolulu",
    "NT": "America/St_Johns",
    "TT": "America/Halifax",
}

# Fixed offsets in minutes: the sender says which of standard or daylight time it means.
FIXED_OFFSETS: dict[str, int] = {
    "UT": 0,
    "GM": 0,
    "ES": -5 * 60,
    "ED": -4 * 60,
    "CS": -6 * 60,
    "CD": -5 * 60,
    "MS": -7 * 60,
    "MD": -6 * 60,
    "PS": -8 * 60,
    "PD": -7 * 60,
    "AS": -9 * 60,
    "AD": -8 * 60,
    "HS": -10 * 60,
    "HD": -9 * 60,
    "NS": -(3 * 60 + 30),
    "ND": -(2 * 60 + 30),
    "TS": -4 * 60,
    "TD": -3 * 60,
}

LOCAL_CODES = frozenset({"LT", ""})


def _words(text: str) -> list[str]:
    return text.split()


# States and provinces lying wholly in one zone. States split between zones (TX, FL, TN, KY, IN,
# MI, KS, NE, ND, SD, ID, OR, NV, AK; ON, QC, NL, NU, BC) are left out on purpose: a wrong zone is
# worse than the partner's default or a flagged UTC assumption. Arizona is listed although the
# Navajo Nation observes DST, because it is a small share of the state's freight.
_REGION_ZONES: dict[str, dict[str, str]] = {
    "US": {
        **dict.fromkeys(
            _words("CT DE DC GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV"), "America/New_York"
        ),
        **dict.fromkeys(_words("AL AR IL IA LA MN MS MO OK WI"), "America/Chicago"),
        **dict.fromkeys(_words("CO MT NM UT WY"), "America/Denver"),
        "AZ": "America/Phoenix",
        "CA": "America/Los_Angeles",
        "WA": "America/Los_Angeles",
        "HI": "Pacific/Honolulu",
        "PR": "America/Puerto_Rico",
    },
    "CA": {
        "AB": "America/Edmonton",
        "SK": "America/Regina",
        "MB": "America/Winnipeg",
        "NB": "America/Moncton",
        "NS": "America/Halifax",
        "PE": "America/Halifax",
        "YT": "America/Whitehorse",
        "NT": "America/Yellowknife",
    },
}
_US_STATES = frozenset(
    _words(
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
        "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
    )
)
_CA_PROVINCES = frozenset(_words("AB BC MB NB NL NS NT NU ON PE QC SK YT"))


def region_country(state: str) -> str | None:
    """The country a state/province code belongs to (US or CA; the two lists do not overlap)."""
    code = state.strip().upper()
    if code in _US_STATES:
        return "US"
    if code in _CA_PROVINCES:
        return "CA"
    return None


def zone_for_region(country: str | None, state: str | None) -> str | None:
    """IANA zone of a US state or Canadian province lying wholly in one zone, else None.

    Only North American tables are kept, small enough to verify by eye; a missing country is
    inferred from the state code.
    """
    if not state:
        return None
    code = state.strip().upper()
    country_code = (country or "").strip().upper() or region_country(code)
    if country_code is None:
        return None
    return _REGION_ZONES.get(country_code, {}).get(code)


@dataclass(frozen=True, slots=True)
class TimeNote:
    """A warning about one date/time, for the transform to turn into a MappingWarning."""

    code: WarningCode
    message: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class ResolvedTime:
    """A date/time as sent, resolved: the calendar date, the aware instant, and how."""

    date: dt.date | None
    instant: dt.datetime | None  # aware, with the offset in force where the time was read
    zone: str | None  # IANA name, "UTC", or a fixed offset such as "UTC-05:00"
    zone_source: TimeZoneSource | None
    notes: tuple[TimeNote, ...] = ()


def _offset_name(minutes: int) -> str:
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def fixed_offset_minutes(time_code: str) -> int | None:
    """Minutes east of UTC for a fixed-offset code (UT, GM, ES..TD, 01-24); None otherwise."""
    code = time_code.strip().upper()
    if code in FIXED_OFFSETS:
        return FIXED_OFFSETS[code]
    if code.isdigit() and len(code) == 2:
        n = int(code)
        if 1 <= n <= 12:
            return n * 60
        if 13 <= n <= 24:
            return (n - 25) * 60
    return None


def is_known_time_code(time_code: str) -> bool:
    code = time_code.strip().upper()
    return code in LOCAL_CODES or code in CIVIL_ZONES or fixed_offset_minutes(code) is not None


def _load_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def localize(naive: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, TimeNote | None]:
    """Attach a civil zone to a wall-clock time, flagging the DST fold and gap.

    Ambiguous (fall-back) times take the first occurrence (daylight time); times in the
    spring-forward gap are read with the offset in force before the change (PEP 495, fold=0).
    The result carries a fixed offset so it serialises the same everywhere.
    """
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    note = None
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            note = TimeNote(
                WarningCode.NONEXISTENT_LOCAL_TIME,
                f"{naive.isoformat()} does not exist in {zone.key} (DST gap); "
                "read with the offset before the change",
            )
        else:
            note = TimeNote(
                WarningCode.AMBIGUOUS_LOCAL_TIME,
                f"{naive.isoformat()} occurs twice in {zone.key} (DST end); first one taken",
            )
    offset = first.utcoffset()
    assert offset is not None  # a ZoneInfo always yields an offset
    return first.astimezone(dt.timezone(offset)), note


def resolve(
    date: str,
    time: str = "",
    time_code: str = "",
    *,
    local_zones: Sequence[tuple[str, TimeZoneSource]] = (),
    default_zone: str | None = None,
) -> ResolvedTime:
    """Resolve an X12 date + time + time code to an aware instant.

    `local_zones` are candidate zones for local time (LT or no code), best first, each with
    the reason it applies (the event's location, the stop's party ...); `default_zone` is the
    partner profile's zone. A missing or placeholder date gives no date and no instant; a date
    with no time gives the date and no instant.
    """
    notes: list[TimeNote] = []
    try:
        day = parse_date(date)
    except ValueParseError as exc:
        return ResolvedTime(None, None, None, None, (TimeNote(exc.code, str(exc), exc.value),))
    if day is None:
        return ResolvedTime(None, None, None, None)
    try:
        clock = parse_time(time)
    except ValueParseError as exc:
        return ResolvedTime(day, None, None, None, (TimeNote(exc.code, str(exc), exc.value),))
    if clock is None:
        return ResolvedTime(day, None, None, None)
    naive = dt.datetime.combine(day, clock)

    code = time_code.strip().upper()
    if not is_known_time_code(code):
        notes.append(
            TimeNote(
                WarningCode.UNKNOWN_TIME_CODE,
                f"unknown time code {time_code!r}; read as local time",
                time_code,
            )
        )
        code = "LT"

    offset_minutes = fixed_offset_minutes(code)
    if offset_minutes is not None:
        tz = dt.timezone(dt.timedelta(minutes=offset_minutes))
        instant = naive.replace(tzinfo=UTC if offset_minutes == 0 else tz)
        return ResolvedTime(
            day, instant, _offset_name(offset_minutes), TimeZoneSource.STATED, tuple(notes)
        )

    if code in CIVIL_ZONES:
        candidates = [(CIVIL_ZONES[code], TimeZoneSource.STATED)]
    else:
        candidates = list(local_zones)
        if default_zone:
            candidates.append((default_zone, TimeZoneSource.PARTNER_DEFAULT))
    for name, source in candidates:
        zone = _load_zone(name)
        if zone is None:
            notes.append(
                TimeNote(WarningCode.UNKNOWN_TIME_CODE, f"unknown time zone {name!r}", name)
            )
            continue
        instant, note = localize(naive, zone)
        if note is not None:
            notes.append(note)
        return ResolvedTime(day, instant, zone.key, source, tuple(notes))

    notes.append(
        TimeNote(
            WarningCode.ASSUMED_TIME_ZONE,
            f"local time {naive.isoformat()} with no known zone; UTC assumed",
            time_code,
        )
    )
    return ResolvedTime(
        day, naive.replace(tzinfo=UTC), "UTC", TimeZoneSource.ASSUMED_UTC, tuple(notes)
    )
