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
from functools import lru_cache
from typing import NamedTuple
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
_STATED = TimeZoneSource.STATED  # bound once: resolve runs for every date/time


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


@lru_cache(maxsize=1024)  # pure, called for every N4 and MS1 with few distinct pairs
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


class ResolvedTime(NamedTuple):
    """A date/time as sent, resolved: the calendar date, the aware instant, and how.

    A NamedTuple, not a frozen dataclass: one is made per date/time, and building a tuple costs
    a fraction of the dataclass's object.__setattr__ per field."""

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


def is_local_time_code(time_code: str) -> bool:
    """Whether `resolve` reads a time with this code in a local zone (LT, none, or unknown), so
    that it needs the candidate zones; a stated zone or offset does not."""
    code, _known, offset_minutes = _time_code(time_code)
    return offset_minutes is None and code not in CIVIL_ZONES


def is_known_time_code(time_code: str) -> bool:
    code = time_code.strip().upper()
    return code in LOCAL_CODES or code in CIVIL_ZONES or fixed_offset_minutes(code) is not None


@lru_cache(maxsize=256)  # a few names per partner; an unknown one then raises only once
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
    plain = naive.fold == 0 and naive.tzinfo is None
    wall = naive if plain else naive.replace(tzinfo=None, fold=0)
    return _localize(wall.date(), wall.time(), zone, naive)


def _localize(
    day: dt.date, clock: dt.time, zone: ZoneInfo, naive: dt.datetime | None = None
) -> tuple[dt.datetime, TimeNote | None]:
    """`localize` of the wall time day + clock (clock naive, fold 0). Offsets come from the zone
    directly and datetimes from `combine`: `datetime.replace` costs ~0.8 us on CPython 3.11 and
    this runs for every local or civil date/time."""
    wall = dt.datetime.combine(day, clock)
    offset = zone.utcoffset(wall)  # fold 0: what wall.replace(tzinfo=zone).utcoffset() gives
    assert offset is not None  # a ZoneInfo always yields an offset
    note = None
    if zone.utcoffset(dt.datetime.combine(day, _fold1(clock))) != offset:
        note = _dst_note(naive if naive is not None else wall, zone)
    # the same wall time with that fixed offset, as .astimezone(timezone(offset)) would give
    return dt.datetime.combine(day, clock, _fixed_zone(offset)), note


def _dst_note(naive: dt.datetime, zone: ZoneInfo) -> TimeNote:
    """Why a wall time has two readings in `zone`: it falls in the DST gap or the DST fold."""
    first = naive.replace(tzinfo=zone, fold=0)
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        return TimeNote(
            WarningCode.NONEXISTENT_LOCAL_TIME,
            f"{naive.isoformat()} does not exist in {zone.key} (DST gap); "
            "read with the offset before the change",
        )
    return TimeNote(
        WarningCode.AMBIGUOUS_LOCAL_TIME,
        f"{naive.isoformat()} occurs twice in {zone.key} (DST end); first one taken",
    )


@lru_cache(maxsize=4096)  # clocks come from parse_time's cache: as few distinct ones
def _fold1(clock: dt.time) -> dt.time:
    return clock.replace(fold=1)


@lru_cache(maxsize=256)
def _fixed_zone(offset: dt.timedelta) -> dt.timezone:
    return dt.timezone(offset)


@lru_cache(maxsize=64)  # 01..24 and the S/D codes: a few dozen offsets at most
def _stated_offset(minutes: int) -> tuple[dt.timezone, str]:
    """The tzinfo and zone name of a fixed-offset time code."""
    tz = UTC if minutes == 0 else dt.timezone(dt.timedelta(minutes=minutes))
    return tz, _offset_name(minutes)


@lru_cache(maxsize=1024)  # few distinct codes; resolve reads one per date/time
def _time_code(time_code: str) -> tuple[str, bool, int | None]:
    """(code as resolve reads it, whether it is known, fixed offset minutes or None)."""
    code = time_code.strip().upper()
    if not is_known_time_code(code):
        return "LT", False, None
    return code, True, fixed_offset_minutes(code)


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

    code, known, offset_minutes = _time_code(time_code)
    if not known:
        notes.append(
            TimeNote(
                WarningCode.UNKNOWN_TIME_CODE,
                f"unknown time code {time_code!r}; read as local time",
                time_code,
            )
        )

    if offset_minutes is not None:
        tz, name = _stated_offset(offset_minutes)
        instant = dt.datetime.combine(day, clock, tz)  # = combine(day, clock).replace(tzinfo=tz)
        return ResolvedTime(day, instant, name, _STATED, tuple(notes))

    if code in CIVIL_ZONES:
        candidates = [(CIVIL_ZONES[code], _STATED)]
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
        instant, note = _localize(day, clock, zone)
        if note is not None:
            notes.append(note)
        return ResolvedTime(day, instant, zone.key, source, tuple(notes))

    naive = dt.datetime.combine(day, clock)
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
