"""The shortcuts the X12 -> canonical helpers take for speed give what the plain reading gives:
cached places and parties, the status table cache, DST handling without datetime.replace, and
the fast paths of the code, country and number lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.canonical import (
    PartyRole,
    ReferenceKind,
    ShipmentStatus,
    SourceMetadata,
    StatusKind,
    TimeZoneSource,
    WarningCode,
    WeightUnit,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from transforms import codes
from transforms.countries import normalise_country
from transforms.timecodes import is_local_time_code, localize, resolve
from transforms.values import ValueParseError, parse_date, parse_int
from transforms.x12_214 import shipment_status_from_x12


def _set(*body: str) -> TransactionSet:
    lines = ["ST*214*0001", *body, f"SE*{len(body) + 2}*0001"]
    return TransactionSet("214", "0001", [Segment(s.split("*"), i) for i, s in enumerate(lines, 1)])


def _map(ts: TransactionSet, **options: Any) -> ShipmentStatus:
    return shipment_status_from_x12(
        ts,
        delimiters=Delimiters(),
        envelope=SourceMetadata(version="004010"),
        **options,
    )


BODY = (
    "B10*PRO1*SHP1*DEMO",
    "N1*SH*SHIPPER",
    "N3*1 MAIN ST",
    "N4*NOWHERE*TX*75201*ZZZ",  # unknown country: a warning every time
    "N1*CN*CONSIGNEE",
    "N3*2 ELM ST",
    "N4*DALLAS*TX*75201*USA",
    "LX*1",
    "AT7*X1*NS***20240105*1200*LT",
    "MS1*DALLAS*TX*ZZZ",  # unknown country again
    "LX*2",
    "AT7*D1*NS***20240105*1300*LT",
    "MS1*DENVER*CO*US",
)


def _country_warnings(doc: ShipmentStatus) -> list[tuple[str, int]]:
    return [
        (w.segment_id, w.segment_index)
        for w in doc.warnings
        if w.code is WarningCode.UNKNOWN_COUNTRY
    ]


def test_repeated_places_and_parties_keep_their_warnings_and_values() -> None:
    first, second = _map(_set(*BODY)), _map(_set(*BODY))
    assert first == second
    assert first.model_dump_json() == second.model_dump_json()
    assert _country_warnings(first) == _country_warnings(second) == [("N4", 5), ("MS1", 11)]
    # the same elements at other positions: the warnings point at the new segments
    moved = _map(_set("L11*X*ZZ", *BODY))
    assert _country_warnings(moved) == [("N4", 6), ("MS1", 12)]
    consignee = first.parties[1]
    assert consignee.role is PartyRole.CONSIGNEE
    assert consignee.location is not None and consignee.location.country == "US"
    assert consignee.location.timezone is None  # Texas spans two zones
    assert first.events[1].location is not None
    assert first.events[1].location.timezone == "America/Denver"
    # clean parties and places are immutable values shared between documents
    assert second.parties[1] is consignee
    assert second.events[1].location is first.events[1].location


def test_a_partner_map_changed_in_place_is_read_again() -> None:
    ts = _set("B10*PRO1*SHP1*DEMO", "LX*1", "AT7*K2*NS***20240105*1200*CT")
    code_map = {"K2": "arrived_at_delivery"}
    assert _map(ts, profile_code_map=code_map).events[0].status is StatusKind.ARRIVED_AT_DELIVERY
    code_map["K2"] = "delivered"
    assert _map(ts, profile_code_map=code_map).events[0].status is StatusKind.DELIVERED
    del code_map["K2"]
    event = _map(ts, profile_code_map=code_map).events[0]
    assert (event.status, event.is_mapped) == (StatusKind.UNMAPPED, False)


@pytest.mark.parametrize(
    ("code", "local"),
    [("LT", True), ("", True), ("lt ", True), ("XX", True), ("CT", False), ("et", False),
     ("ES", False), ("20", False), ("UT", False)],
)  # fmt: skip
def test_local_time_codes_are_those_read_in_a_candidate_zone(code: str, local: bool) -> None:
    assert is_local_time_code(code) is local
    chicago = "America/Chicago"
    resolved = resolve("20240105", "1200", code, local_zones=[(chicago, TimeZoneSource.STATED)])
    # only a local code reads the candidate zone (CT names the same zone itself)
    assert (resolved.zone == chicago) is (local or code.strip().upper() == "CT")


def _localize_by_replace(naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """What localize gave before it avoided datetime.replace."""
    first = naive.replace(tzinfo=zone, fold=0)
    offset = first.utcoffset()
    assert offset is not None
    return first.astimezone(dt.timezone(offset))


@pytest.mark.parametrize("fold", [0, 1])
@pytest.mark.parametrize(
    "wall",
    ["2024-03-10T01:59", "2024-03-10T02:30", "2024-03-10T03:00", "2024-11-03T00:59",
     "2024-11-03T01:30", "2024-11-03T02:00", "2024-07-01T12:00"],
)  # fmt: skip
def test_localize_reads_dst_edges_as_before(wall: str, fold: int) -> None:
    zone = ZoneInfo("America/Chicago")
    naive = dt.datetime.fromisoformat(wall).replace(fold=fold)
    instant, note = localize(naive, zone)
    expected = _localize_by_replace(naive, zone)
    assert (instant, repr(instant), instant.fold) == (expected, repr(expected), 0)
    gap_or_fold = wall in ("2024-03-10T02:30", "2024-11-03T01:30")
    assert (note is not None) is gap_or_fold


def test_number_and_date_fast_paths_agree_with_the_general_reading() -> None:
    assert parse_int("01") == 1
    assert parse_int("5.0") == 5
    assert parse_int("1" * 30) == int("1" * 30)
    assert parse_int("\u0661\u0662") == 12  # Arabic-Indic digits: read by Decimal as before
    assert parse_int("") is None
    with pytest.raises(ValueParseError):
        parse_int("1.5")
    for _ in range(2):  # a malformed date raises every time: the cache keeps only results
        with pytest.raises(ValueParseError):
            parse_date("20240230")
    assert parse_date("20240229") == dt.date(2024, 2, 29)


def test_lookups_take_codes_as_sent_or_normalised() -> None:
    assert codes.party_role("SH") is codes.party_role(" sh ") is PartyRole.SHIPPER
    assert codes.party_role("zz") is PartyRole.OTHER
    assert codes.reference_kind("bm ") is ReferenceKind.BOL
    assert codes.weight_unit("l") is WeightUnit.POUNDS
    assert [normalise_country(c) for c in ("US", "usa", " US ", "UK", "gbr", "XX", "")] == [
        "US",
        "US",
        "US",
        "GB",
        "GB",
        None,
        None,
    ]


def test_mapping_bench_runs_warm_and_cold(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import bench_map_214

    small = ["--sets", "30", "--gc", "default"]  # leave the test process's collector alone
    for argv in ([*small, "--repeat", "2"], [*small, "--repeat", "1", "--cold"]):
        assert bench_map_214.main(argv) == 0
    out = capsys.readouterr().out
    assert "30 sets x 2 runs" in out and "cold caches" in out
    assert bench_map_214.clear_caches() > 0
