"""X12 time codes (element 623) and date/time values resolved to aware instants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.canonical import TimeZoneSource, WarningCode
from transforms.timecodes import (
    fixed_offset_minutes,
    is_known_time_code,
    resolve,
    zone_for_region,
)
from transforms.values import ValueParseError, parse_date, parse_time

UTC = dt.UTC


def offset_hours(date: str, time: str, code: str) -> float:
    result = resolve(date, time, code)
    assert result.instant is not None and result.notes == ()
    offset = result.instant.utcoffset()
    assert offset is not None
    return offset.total_seconds() / 3600


@pytest.mark.parametrize("code", ["UT", "GM", "ut"])
def test_utc_codes(code: str) -> None:
    result = resolve("20240115", "0930", code)
    assert result.instant == dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    assert (result.zone, result.zone_source) == ("UTC", TimeZoneSource.STATED)


@pytest.mark.parametrize(
    ("code", "winter", "summer"),
    [
        ("ET", -5, -4),
        ("CT", -6, -5),
        ("MT", -7, -6),
        ("PT", -8, -7),
        ("AT", -9, -8),
        ("HT", -10, -10),  # Hawaii keeps standard time
        ("NT", -3.5, -2.5),
        ("TT", -4, -3),
    ],
)
def test_civil_time_codes_follow_dst(code: str, winter: float, summer: float) -> None:
    assert offset_hours("20240115", "1200", code) == winter
    assert offset_hours("20240715", "1200", code) == summer


@pytest.mark.parametrize(
    ("code", "hours"),
    [
        ("ES", -5),
        ("ED", -4),
        ("CS", -6),
        ("CD", -5),
        ("MS", -7),
        ("MD", -6),
        ("PS", -8),
        ("PD", -7),
        ("AS", -9),
        ("AD", -8),
        ("HS", -10),
        ("HD", -9),
        ("NS", -3.5),
        ("ND", -2.5),
        ("TS", -4),
        ("TD", -3),
    ],
)
def test_standard_and_daylight_codes_are_fixed_whatever_the_season(code: str, hours: float) -> None:
    assert offset_hours("20240115", "1200", code) == hours
    assert offset_hours("20240715", "1200", code) == hours
    assert resolve("20240715", "1200", code).zone_source is TimeZoneSource.STATED


@pytest.mark.parametrize(
    ("code", "hours"),
    [("01", 1), ("05", 5), ("12", 12), ("13", -12), ("19", -6), ("20", -5), ("24", -1)],
)
def test_numeric_codes(code: str, hours: int) -> None:
    assert fixed_offset_minutes(code) == hours * 60
    result = resolve("20240715", "1200", code)
    assert result.instant is not None
    noon_utc = dt.datetime(2024, 7, 15, 12, 0, tzinfo=UTC)
    assert result.instant.astimezone(UTC) == noon_utc - dt.timedelta(hours=hours)


def test_numeric_code_names_its_offset() -> None:
    assert resolve("20240101", "1200", "20").zone == "UTC-05:00"
    assert resolve("20240101", "1200", "01").zone == "UTC+01:00"
    assert resolve("20240101", "1200", "NS").zone == "UTC-03:30"


@pytest.mark.parametrize("code", ["00", "25", "99", "XY", "E"])
def test_unknown_codes_are_flagged_and_read_as_local(code: str) -> None:
    assert not is_known_time_code(code)
    result = resolve("20240101", "1200", code, default_zone="America/Chicago")
    assert [n.code for n in result.notes] == [WarningCode.UNKNOWN_TIME_CODE]
    assert result.zone_source is TimeZoneSource.PARTNER_DEFAULT
    assert result.instant is not None and result.instant.isoformat() == "2024-01-01T12:00:00-06:00"


def test_spring_forward_gap_is_flagged() -> None:
    before = resolve("20240310", "0159", "ET")
    after = resolve("20240310", "0300", "ET")
    assert before.instant is not None and before.instant.isoformat().endswith("-05:00")
    assert after.instant is not None and after.instant.isoformat().endswith("-04:00")
    gap = resolve("20240310", "0230", "ET")
    assert [n.code for n in gap.notes] == [WarningCode.NONEXISTENT_LOCAL_TIME]
    # read with the offset in force before the change: 02:30 EST
    assert gap.instant is not None
    assert gap.instant.astimezone(UTC) == dt.datetime(2024, 3, 10, 7, 30, tzinfo=UTC)


def test_fall_back_fold_takes_the_first_occurrence() -> None:
    result = resolve("20241103", "0130", "CT")
    assert [n.code for n in result.notes] == [WarningCode.AMBIGUOUS_LOCAL_TIME]
    assert result.instant is not None
    assert result.instant.astimezone(UTC) == dt.datetime(2024, 11, 3, 6, 30, tzinfo=UTC)  # CDT
    later = resolve("20241103", "0230", "CT")
    assert later.notes == ()
    assert later.instant is not None and later.instant.isoformat().endswith("-06:00")


def test_local_time_in_the_location_zone() -> None:
    result = resolve(
        "20240715",
        "0800",
        "LT",
        local_zones=[("America/Denver", TimeZoneSource.EVENT_LOCATION)],
        default_zone="America/New_York",
    )
    assert result.instant is not None and result.instant.isoformat() == "2024-07-15T08:00:00-06:00"
    assert (result.zone, result.zone_source) == ("America/Denver", TimeZoneSource.EVENT_LOCATION)
    assert result.notes == ()


def test_local_time_falls_back_to_partner_default() -> None:
    result = resolve("20240715", "0800", "LT", default_zone="America/New_York")
    assert result.instant is not None and result.instant.isoformat() == "2024-07-15T08:00:00-04:00"
    assert result.zone_source is TimeZoneSource.PARTNER_DEFAULT


@pytest.mark.parametrize("code", ["LT", ""])
def test_local_time_with_no_zone_is_assumed_utc_with_a_warning(code: str) -> None:
    result = resolve("20240715", "0800", code)
    assert result.instant == dt.datetime(2024, 7, 15, 8, 0, tzinfo=UTC)
    assert result.zone_source is TimeZoneSource.ASSUMED_UTC
    assert [n.code for n in result.notes] == [WarningCode.ASSUMED_TIME_ZONE]


def test_an_unknown_zone_name_is_skipped_with_a_warning() -> None:
    result = resolve(
        "20240715",
        "0800",
        "LT",
        local_zones=[("Mars/Olympus", TimeZoneSource.EVENT_LOCATION)],
        default_zone="Europe/Paris",
    )
    assert result.zone == "Europe/Paris"
    assert [n.code for n in result.notes] == [WarningCode.UNKNOWN_TIME_CODE]


def test_instants_carry_fixed_offsets() -> None:
    result = resolve("20240715", "0800", "ET")
    assert result.instant is not None
    assert isinstance(result.instant.tzinfo, dt.timezone)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0930", dt.time(9, 30)),
        ("093015", dt.time(9, 30, 15)),
        ("0930155", dt.time(9, 30, 15, 500000)),
        ("09301525", dt.time(9, 30, 15, 250000)),
        ("16000000", dt.time(16, 0)),
        ("", None),
    ],
)
def test_time_formats(value: str, expected: dt.time | None) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["2561", "2400", "930", "09:30", "12a0", "123456789"])
def test_bad_times(value: str) -> None:
    with pytest.raises(ValueParseError) as exc:
        parse_time(value)
    assert exc.value.code is WarningCode.INVALID_TIME


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20240229", dt.date(2024, 2, 29)),
        ("240101", dt.date(2024, 1, 1)),
        ("991231", dt.date(1999, 12, 31)),
        ("", None),
    ],
)
def test_dates(value: str, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["00010101", "00000000", "99991231", "19000101"])
def test_placeholder_dates_mean_no_date(value: str) -> None:
    with pytest.raises(ValueParseError) as exc:
        parse_date(value)
    assert exc.value.code is WarningCode.PLACEHOLDER_DATE
    result = resolve(value, "1200", "UT")
    assert (result.date, result.instant) == (None, None)
    assert [n.code for n in result.notes] == [WarningCode.PLACEHOLDER_DATE]


@pytest.mark.parametrize("value", ["20230229", "20241301", "2024011", "2024-01-01", "ABCDEFGH"])
def test_invalid_dates(value: str) -> None:
    with pytest.raises(ValueParseError) as exc:
        parse_date(value)
    assert exc.value.code is WarningCode.INVALID_DATE


def test_date_without_time_has_no_instant() -> None:
    result = resolve("20240715", "", "ET")
    assert (result.date, result.instant, result.notes) == (dt.date(2024, 7, 15), None, ())


@pytest.mark.parametrize(
    ("country", "state", "zone"),
    [
        ("US", "MO", "America/Chicago"),
        (None, "VT", "America/New_York"),
        ("US", "AZ", "America/Phoenix"),
        ("CA", "AB", "America/Edmonton"),
        (None, "SK", "America/Regina"),
        ("US", "TX", None),  # split between Central and Mountain
        ("CA", "ON", None),  # split between Eastern and Central
        ("MX", "CO", None),  # not a US state when the country says Mexico
        ("US", None, None),
        (None, "ZZ", None),
    ],
)
def test_zone_for_region(country: str | None, state: str | None, zone: str | None) -> None:
    assert zone_for_region(country, state) == zone


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2037, 12, 31)))
def test_civil_time_round_trips_to_the_same_wall_clock(naive: dt.datetime) -> None:
    naive = naive.replace(microsecond=0)
    result = resolve(naive.strftime("%Y%m%d"), naive.strftime("%H%M%S"), "PT")
    assert result.instant is not None
    wall = result.instant.astimezone(ZoneInfo("America/Los_Angeles")).replace(tzinfo=None)
    if WarningCode.NONEXISTENT_LOCAL_TIME in [n.code for n in result.notes]:
        assert wall - naive == dt.timedelta(hours=1)
    else:
        assert wall == naive
