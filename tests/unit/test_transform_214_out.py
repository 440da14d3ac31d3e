"""ShipmentStatus -> X12 214 (004010 and 005010): golden renderings of every public 214 sample,
segment-equivalent round trips X12 -> canonical -> X12, canonical -> X12 -> canonical, statuses
built by other channels (derived codes and dates), partner status maps and 005010 layout.

Segment-equivalence is the one of test_transform_204 (`normalise`), with what the 214 model does
not keep made explicit here:
  - B10-05/06 (the reference the carrier was asked about) is kept as the first heading reference
    and written back, in 004010, as an L11 right after B10: the original is compared that way.
  - AT8-04 and AT8-05 are kept as their sum (TrackingEvent.lading_quantity) and written in
    AT8-04: both sides are compared with the sum in AT8-04.
  - K1 segments are compared as the flat sequence of their texts (notes, not their packing).
  - `NOT_CARRIED` lists the 214 elements the model has no field for (blanked on both sides).
Golden renderings: GATEWAY_UPDATE_GOLDEN=1 pytest tests/unit/test_transform_214_out.py, then
review the diff against the sample bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.canonical import (
    AppointmentKind,
    Equipment,
    InterlineCarrier,
    Location,
    MappingWarning,
    Note,
    Party,
    PartyRole,
    ReasonKind,
    Reference,
    ReferenceKind,
    ShipmentStatus,
    SourceMetadata,
    StatusKind,
    TrackingEvent,
    WarningCode,
    Weight,
    WeightUnit,
)
from gateway.x12.envelope import read_events
from gateway.x12.model import Delimiters, TransactionSet
from tests.conftest import SAMPLES
from tests.unit.test_transform_204 import (
    as_set,
    normalise,
    parse_text,
    read_sets,
    validate,
    write_interchange,
)
from transforms.x12_214 import shipment_status_from_x12
from transforms.x12_214_out import x12_from_shipment_status

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "214_out"
SAMPLES_214 = {
    "trax": SAMPLES / "TraxTechnologies__scala-x12__example214.x12",
    "apimeister_test2": SAMPLES / "apimeister__x12-types__214_test2_embedded.edi",
    "apimeister_test1": SAMPLES / "extra" / "apimeister__x12-types__214_test1_embedded.edi",
    "ballerina": SAMPLES / "ballerina-platform__module-ballerina-edi__214_edi-214_output.edi",
    "indice_4030": SAMPLES / "indice-co__EDI.Net__214-MGCTLYST-SAMPLE.EDI",
    "indice_bom": SAMPLES / "indice-co__EDI.Net__x12.214.edi",
    "nick_manasys": SAMPLES / "nick-manasys__edi-parser__214-line-ending.edi",
    "staedi_ellipsis": SAMPLES / "xlate__staedi__214_issue109_ts214_ellipses_segterm.edi",
}
# 214 elements the canonical ShipmentStatus has no field for
NOT_CARRIED = {("B10", 4), ("B10", 7), ("B10", 8), ("B10", 9)}


def statuses(name: str, **options: Any) -> list[tuple[TransactionSet, ShipmentStatus]]:
    return [
        (ts, shipment_status_from_x12(ts, delimiters=d, envelope=env, **options))
        for ts, env, d in read_sets(SAMPLES_214[name], "214")
    ]


def control(ts: TransactionSet) -> str:
    """ST02 to render with: the sample's, unless it is too short to be valid (`ST*214*001`)."""
    return ts.control_number if len(ts.control_number) >= 4 else "0001"


def comparable_214(rows: list[list[str]]) -> list[tuple[object, ...]]:
    """B10-05/06 -> L11, AT8-04/05 -> their sum in AT8-04, K1 flattened, NOT_CARRIED blanked."""
    moved: list[list[str]] = []
    for r in rows:
        r = list(r)
        if r[0] == "B10":
            r += [""] * (10 - len(r))
            qualifier, value = r[5], r[6]
            r[5] = r[6] = ""
            moved.append(r)
            if value.strip():
                moved.append(["L11", value, qualifier])
            continue
        if r[0] == "AT8":
            r += [""] * (8 - len(r))
            loose, unitized = r[4].strip(), r[5].strip()
            if loose or unitized:
                r[4] = str(int(loose or 0) + int(unitized or 0))
            r[5] = ""
        moved.append(r)
    blank = frozenset(
        (i, n) for i, r in enumerate(moved) for n in range(1, len(r)) if (r[0], n) in NOT_CARRIED
    )
    out: list[tuple[object, ...]] = []
    for entry in normalise(moved, blank=blank):
        if entry[0] == "K1" and out and out[-1][0] == "K1":
            out[-1] = (*out[-1], *entry[1:])
        else:
            out.append(entry)
    out[-1] = ("SE", len(out), *out[-1][2:])
    return out


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_sample_rendering_matches_golden(name: str, version: str) -> None:
    lines: list[str] = []
    for ts, status in statuses(name):
        rows = x12_from_shipment_status(status, version=version, control_number=control(ts))
        lines.extend("*".join(r) + "~" for r in rows)
        assert validate(rows, version) == []
    golden_path = GOLDEN / f"{name}.{version}.x12"
    actual = "\n".join(lines) + "\n"
    if os.environ.get("GATEWAY_UPDATE_GOLDEN"):
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        golden_path.write_text(actual)
    assert actual == golden_path.read_text()


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_sample_round_trip_is_segment_equivalent(name: str) -> None:
    for ts, status in statuses(name):
        ignored = {
            w.segment_index for w in status.warnings if w.code is WarningCode.IGNORED_SEGMENT
        }
        assert ignored == set()  # none of the samples carries MAN, AT5, CD3, SPO ...
        rows = x12_from_shipment_status(status, version="004010", control_number=control(ts))
        original = [s.elements for s in ts.segments]
        # apimeister's ST*214*001 / SE*13*001 N/L: an invalid ST02 is rendered as 0001
        original[0][2] = original[-1][2] = control(ts)
        assert comparable_214(rows) == comparable_214(original)


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_sample_rendering_reads_back_to_the_same_status(name: str, version: str) -> None:
    for _, status in statuses(name):
        sent: list[MappingWarning] = []
        rows = x12_from_shipment_status(status, version=version, warnings=sent)
        envelope = status.source.model_copy(update={"version": version})
        again = shipment_status_from_x12(as_set(rows), delimiters=Delimiters(), envelope=envelope)
        gaps = [w.message for w in sent if w.code is not WarningCode.UNMAPPED_CODE]
        expected = status
        if version == "005010" and status.parties:
            # 005010 has no heading N1: the parties move into the LX loop, i.e. onto the events
            assert gaps == []
            events = tuple(
                e.model_copy(update={"parties": e.parties + status.parties}) for e in status.events
            )
            expected = status.model_copy(update={"parties": (), "events": events})
        # ... and no heading L11: the first goes to B10-05/06 when there is no PRO (B10 E0105:
        # B10-01 or B10-05), the rest into every LX
        kept = 0 if status.pro_number else 1
        if version == "005010" and len(status.references) > kept:
            heading = status.references[kept:]
            events = tuple(
                e.model_copy(update={"references": e.references + heading}) for e in expected.events
            )
            expected = expected.model_copy(
                update={"references": status.references[:kept], "events": events}
            )
        assert gaps == []
        assert _comparable(again) == _comparable(expected), name


def _comparable(status: ShipmentStatus) -> dict[str, Any]:
    dumped = status.model_dump(exclude={"warnings", "source", "correlation"})
    for event in dumped["events"]:
        event.pop("segment_index")  # the AT7's ordinal in the stream it was read from
    return dumped


def test_trax_b10_without_a_pro_carries_the_first_reference() -> None:
    # B10 R0106: B10-01 (PRO) or B10-06; trax has no PRO, so its first reference is B10-05/06
    ((ts, status),) = statuses("trax")
    rows = x12_from_shipment_status(status, version="004010", control_number=ts.control_number)
    assert rows[1] == ["B10", "", "5ZJ3896", "DNZA", "", "AW", "5ZJ3896"]
    assert ["L11", "5ZJ3896", "AW"] not in rows
    rows_5010 = x12_from_shipment_status(status, version="005010")
    assert rows_5010[1] == ["B10", "", "5ZJ3896", "DNZA", "", "AW", "5ZJ3896"]
    assert ["AT7", "AF", "NS", "", "", "20150327", "0931", "LT"] in rows
    assert ["AT8", "G", "K", "92.9", "11"] in rows and ["AT8", "B", "K", "161", "11"] in rows
    assert ["MS3", "DZNA", "O", "", "A"] in rows


def test_every_at7_keeps_its_raw_date_time_and_code() -> None:
    ((_, status),) = statuses("apimeister_test1")
    rows = x12_from_shipment_status(status, version="004010")
    at7 = [r for r in rows if r[0] == "AT7"]
    assert len(at7) == 18
    assert at7[0] == ["AT7", "", "", "AA", "NA", "20111217", "0830", "PS"]
    assert at7[4] == ["AT7", "X1", "AD", "", "", "20111222", "0745", "PS"]
    assert [r[1] for r in rows if r[0] == "LX"] == ["1", "2", "3"]
    assert [r for r in rows if r[0] == "L11"] == [
        ["L11", "99997666", "DO"],
        ["L11", "99990835", "DO"],
        ["L11", "99991280", "DO"],
    ]


def _event(**fields: Any) -> TrackingEvent:
    base: dict[str, Any] = {"status": StatusKind.DELIVERED, "is_mapped": True}
    base.update(fields)
    return TrackingEvent(**base)


def render(status: ShipmentStatus, version: str = "004010", **options: Any) -> list[str]:
    return ["*".join(r) for r in x12_from_shipment_status(status, version=version, **options)]


def test_status_from_another_channel_gets_derived_codes_and_dates() -> None:
    delivered = _event(
        reason=ReasonKind.NORMAL,
        event_time=dt.datetime(2024, 3, 5, 14, 7, tzinfo=dt.timezone(dt.timedelta(hours=-6))),
        location=Location(
            city="DENVER", state="CO", country="US", latitude=39.7392, longitude=-104.9903
        ),
        equipment=(Equipment(owner_scac="ABCD", number="TRL9"),),
        weight=Weight(value=Decimal("1200"), unit=WeightUnit.POUNDS, qualifier="G"),
        weights=(Weight(value=Decimal("1200"), unit=WeightUnit.POUNDS, qualifier="G"),),
        lading_quantity=4,
        stop_sequence=2,
    )
    appointment = _event(
        status=StatusKind.APPOINTMENT_SET,
        appointment_kind=AppointmentKind.DELIVERY,
        event_date=dt.date(2024, 3, 4),
    )
    status = ShipmentStatus(
        scac="ABCD", pro_number="PRO1", shipment_id="SID1", events=(appointment, delivered)
    )
    sent: list[MappingWarning] = []
    assert render(status, warnings=sent) == [
        "ST*214*0001",
        "B10*PRO1*SID1*ABCD",
        "LX*1",
        "AT7***AB*NA*20240304",  # 004010 P0304: NA normal appointment goes with AB
        "LX*2",
        "AT7*D1*NS***20240305*1407*19",  # UTC-06 is time code 19
        # MS1 E0104/E0105: a city or coordinates, not both; the city (first) is kept
        "MS1*DENVER*CO*US",
        "MS2*ABCD*TRL9",
        "L11*2*QN",
        "AT8*G*L*1200*4",
        "SE*11*0001",
    ]
    assert [(w.segment_id, w.element) for w in sent] == [(("MS1", n)) for n in (4, 5, 6, 7)]
    again = shipment_status_from_x12(
        parse_text("\n".join(render(status))), delimiters=Delimiters(), envelope=SourceMetadata()
    )
    first, second = again.events
    assert first.appointment_kind is AppointmentKind.DELIVERY and first.event_date == dt.date(
        2024, 3, 4
    )
    assert second.event_time == delivered.event_time
    assert second.location is not None and second.location.city == "DENVER"
    assert second.location.latitude is None  # not sent (reported above)
    assert second.stop_sequence == 2 and second.lading_quantity == 4


def test_partner_status_map_is_reversed_and_unknown_codes_flagged() -> None:
    maps = {"at7_status": {"Z1": "delivered", "Z2": "arrived_at_stop"}}
    status = ShipmentStatus(
        scac="ABCD",
        pro_number="PRO1",
        events=(
            _event(status_code="D1", raw_date="20240101"),  # standard code -> the partner's Z1
            _event(status=StatusKind.ARRIVED_AT_STOP, status_code="Z2", raw_date="20240101"),
            _event(
                status=StatusKind.UNMAPPED, is_mapped=False, status_code="K2", raw_date="20240101"
            ),
            _event(status=StatusKind.PICKED_UP, status_code="ZZ", raw_date="20240101"),
        ),
    )
    sent: list[MappingWarning] = []
    codes_sent = [
        line.split("*")[1]
        for line in render(status, profile_code_maps=maps, warnings=sent)
        if line.startswith("AT7")
    ]
    # ZZ came with the canonical meaning "picked up", which ZZ does not have: the standard code
    assert codes_sent == ["Z1", "Z2", "K2", "AF"]
    assert [(w.code, w.value) for w in sent] == [(WarningCode.UNMAPPED_CODE, "K2")]
    sent.clear()
    without_map = [
        line.split("*")[1] for line in render(status, warnings=sent) if line.startswith("AT7")
    ]
    # no standard code means "arrived at stop": Z2 goes out raw, flagged like the unknown K2
    assert without_map == ["D1", "Z2", "K2", "AF"]
    assert [(w.code, w.value) for w in sent] == [
        (WarningCode.UNMAPPED_CODE, "Z2"),
        (WarningCode.UNMAPPED_CODE, "K2"),
    ]


def test_5010_layout_parties_notes_seals_and_heading_reference() -> None:
    shipper = Party(
        role=PartyRole.SHIPPER,
        entity_code="SH",
        name="ACME",
        location=Location(city="CHICAGO", state="IL", country="US"),
    )
    events = (
        _event(
            status=StatusKind.ARRIVED_AT_PICKUP,
            status_code="X3",
            raw_date="20240310",
            raw_time="0130",
            raw_time_code="LT",
            assigned_number=1,
            notes=(Note(text="DOCK 4"), Note(text="LX NOTE")),
            equipment=(Equipment(owner_scac="ABCD", number="TRL01", seal_numbers=("S1", "S2")),),
        ),
        _event(
            status=StatusKind.PICKED_UP,
            status_code="AF",
            raw_date="20240310",
            raw_time="0330",
            raw_time_code="LT",
            assigned_number=1,
            notes=(Note(text="LX NOTE"),),
        ),
    )
    status = ShipmentStatus(
        scac="ABCD",
        pro_number="PRO1",
        references=(Reference(qualifier="BM", kind=ReferenceKind.BOL, value="BOL1"),),
        parties=(shipper,),
        interline=(InterlineCarrier(scac="EFGH", routing_sequence_code="1"),),
        events=events,
    )
    assert render(status, version="005010") == [
        "ST*214*0001",
        "B10*PRO1**ABCD",  # E0105: with a PRO, the reference goes into the LX loop
        "MS3*EFGH*1",
        "LX*1",
        "L11*BOL1*BM",
        "K1*LX NOTE",
        "AT7*X3****20240310*0130*LT",
        "MS2*ABCD*TRL01",
        "K1*DOCK 4",
        "M7*S1*S2",
        "AT7*AF****20240310*0330*LT",
        "N1*SH*ACME",
        "N4*CHICAGO*IL**US",
        "SE*14*0001",
    ]
    sent: list[MappingWarning] = []
    lines_4010 = render(status, version="004010", warnings=sent)
    assert lines_4010[1:5] == ["B10*PRO1**ABCD", "L11*BOL1*BM", "N1*SH*ACME", "N4*CHICAGO*IL**US"]
    assert [w.message for w in sent] == [
        "a 004010 AT7 loop has no K1; event-specific notes not sent",
        "a 004010 214 has no M7; seal numbers not sent",
    ]
    assert validate(x12_from_shipment_status(status, version="005010"), "005010") == []
    assert validate(x12_from_shipment_status(status, version="004010"), "004010") == []


SET_5010 = """
ST*214*0001*005010
B10*PRO123*SHIP456*ABCD
MS3*ABCD*B**M
LX*1
L11*BOL789*BM
L11*1*QN
AT8*G*L*1200*5
AT7*X3*NS***20240310*0130*LT
MS2*ABCD*TRL01
MS2*ABCD*TRL02
K1*DOCK 4
AT7*AF*NS***20240310*0330*LT
N1*SF*ACME PLANT*93*SF01
N3*1 MAIN ST
N4*CHICAGO*IL*60601*US
L11*PU55*P8
LX*2
AT7*AG*NS***20240312*1500*CT
N1*ST*CUSTOMER DC
N4*DENVER*CO*80202*US
SE*21*0001
"""


def test_5010_round_trip_is_exact() -> None:
    ts = parse_text(SET_5010)
    envelope = SourceMetadata(version="005010", set_id="214")
    status = shipment_status_from_x12(ts, delimiters=Delimiters(), envelope=envelope)
    rows = x12_from_shipment_status(status, version="005010")
    # ST03 is the caller's (implementation convention), not the status's
    assert [s.elements for s in ts.segments][1:] == rows[1:]
    assert validate(rows, "005010") == []


def test_rendered_214_survives_the_writer_and_the_reader() -> None:
    ((ts, status),) = statuses("ballerina")
    rows = x12_from_shipment_status(status, version="004010", control_number=ts.control_number)
    data = write_interchange(rows, "QM")
    (read_back,) = [e for e in read_events(io.BytesIO(data)) if isinstance(e, TransactionSet)]
    assert read_back.issues == [] and [s.elements for s in read_back.segments] == rows


def test_lx_numbers_group_consecutive_events_and_number_the_rest() -> None:
    events = (
        _event(status=StatusKind.ARRIVED_AT_PICKUP, status_code="X3", raw_date="20240101"),
        _event(
            status=StatusKind.PICKED_UP, status_code="AF", raw_date="20240101", assigned_number=1
        ),
        _event(
            status=StatusKind.ARRIVED_AT_DELIVERY,
            status_code="X1",
            raw_date="20240102",
            assigned_number=1,
        ),
        _event(status_code="D1", raw_date="20240102"),
    )
    lines = render(ShipmentStatus(scac="ABCD", pro_number="PRO1", events=events))
    # 004010 AT7 P0102: NS (normal status) goes with a status that has no reason
    assert [ln for ln in lines if ln.startswith(("LX", "AT7"))] == [
        "LX*1",
        "AT7*X3*NS***20240101",
        "LX*1",  # the event's own number: a new loop, not the unnumbered one before it
        "AT7*AF*NS***20240101",
        "AT7*X1*NS***20240102",
        "LX*2",
        "AT7*D1*NS***20240102",
    ]
