"""The 990 <-> TenderResponse transforms: golden dumps of the public 990 samples, 004010 N9 and
005010 L11 references, actions and decline reasons, partner maps, and round trips both ways.

Segment-equivalence is the one defined in test_transform_204 (`normalise`, `excluded`); the 990
adds one normalisation: K1 segments are compared as the flat sequence of their free-form texts
(the model keeps notes, not how they were packed two per K1). Golden files: regenerate with
GATEWAY_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.canonical import (
    MappingWarning,
    Note,
    Reference,
    SourceMetadata,
    TenderAction,
    TenderResponse,
    WarningCode,
    parse_document,
)
from gateway.x12.envelope import read_events
from gateway.x12.model import Delimiters, TransactionSet
from tests.conftest import SAMPLES
from tests.unit.test_transform_204 import (
    TEXT,
    as_set,
    date_values,
    excluded,
    normalise,
    parse_text,
    read_sets,
    references,
    validate,
    write_interchange,
)
from transforms import codes
from transforms.x12_990 import tender_response_from_x12, x12_from_tender_response

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "990"
SAMPLES_990 = {
    "indice": SAMPLES / "indice-co__EDI.Net__990-MGCTLYST-SAMPLE.EDI",
    "freight_trust": SAMPLES / "freight-trust__libedi__Sample_4010_990.txt",
}


def responses(name: str, **options: Any) -> list[tuple[Any, TenderResponse]]:
    return [
        (ts, tender_response_from_x12(ts, delimiters=d, envelope=env, **options))
        for ts, env, d in read_sets(SAMPLES_990[name], "990")
    ]


def transform(text: str, version: str = "004010", **options: Any) -> TenderResponse:
    ts = parse_text(text)
    envelope = SourceMetadata(version=version, set_id="990", set_control_number=ts.control_number)
    return tender_response_from_x12(ts, delimiters=Delimiters(), envelope=envelope, **options)


def render(response: TenderResponse, version: str = "004010", **options: Any) -> list[str]:
    return ["*".join(r) for r in x12_from_tender_response(response, version=version, **options)]


def flat_k1(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Consecutive K1 segments as one ("K1", text, text, ...) entry."""
    out: list[tuple[object, ...]] = []
    for r in rows:
        if r[0] == "K1" and out and out[-1][0] == "K1":
            out[-1] = (*out[-1], *(v for v in r[1:] if v))
        else:
            out.append(r if r[0] != "K1" else ("K1", *(v for v in r[1:] if v)))
    out[-1] = ("SE", len(out), *out[-1][2:])  # the count after packing
    return out


@pytest.mark.parametrize("name", sorted(SAMPLES_990))
def test_sample_matches_golden(name: str) -> None:
    actual = [doc.model_dump(mode="json") for _, doc in responses(name)]
    golden_path = GOLDEN / f"{name}.json"
    if os.environ.get("GATEWAY_UPDATE_GOLDEN"):
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        golden_path.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n")
    assert actual == json.loads(golden_path.read_text())
    for dumped in actual:
        assert parse_document(dumped).model_dump(mode="json") == dumped


@pytest.mark.parametrize("name", sorted(SAMPLES_990))
def test_sample_round_trip_is_segment_equivalent(name: str) -> None:
    for ts, response in responses(name):
        assert response.warnings == ()
        rows = x12_from_tender_response(
            response, version="004010", control_number=ts.control_number
        )
        drop, blank = excluded(ts, response.warnings)
        original = [s.elements for s in ts.segments]
        assert normalise(rows) == normalise(original, drop=drop, blank=blank)
        assert validate(rows, "004010") == []


def test_jb_hunt_accept_with_n9() -> None:
    ((_, response),) = responses("freight_trust")
    # B1*HJBT*2096848*20120202*A, N9*CN*1253011
    assert (response.scac, response.shipment_id) == ("HJBT", "2096848")
    assert (response.action, response.action_code) == (TenderAction.ACCEPTED, "A")
    assert response.date == dt.date(2012, 2, 2)
    assert response.references == (
        Reference(qualifier="CN", kind=codes.reference_kind("CN"), value="1253011"),
    )
    assert response.correlation.pro == "1253011"
    assert response.correlation.shipment_id == "2096848"
    assert response.source.version == "004010" and response.source.set_control_number == "655600001"


def test_indice_accept_without_date_answers_the_indice_204() -> None:
    ((_, response),) = responses("indice")
    assert (response.scac, response.shipment_id, response.action_code) == (
        "SCAC",
        "75027674",
        "A",
    )
    assert response.date is None  # B1-03 empty
    assert response.correlation.shipment_id == "75027674"  # = B2-04 of the indice 204


@pytest.mark.parametrize(
    ("code", "action"),
    [
        ("A", TenderAction.ACCEPTED),
        ("B", TenderAction.CONDITIONALLY_ACCEPTED),
        ("C", TenderAction.COUNTER_PROPOSAL),
        ("D", TenderAction.DECLINED),
        ("E", TenderAction.DECLINED),
        ("R", TenderAction.DELETE),
    ],
)
def test_actions(code: str, action: TenderAction) -> None:
    response = transform(f"ST*990*0001\nB1*ABCD*L1*20240102*{code}\nSE*3*0001")
    assert (response.action, response.action_code) == (action, code)
    assert response.warnings == ()


def test_5010_decline_with_reason_and_l11() -> None:
    text = "ST*990*0001\nB1*ABCD*L1*20240102*D*N*EQU\nL11*BOL7*BM*LOAD BOL\nSE*4*0001"
    response = transform(text, version="005010")
    assert response.action is TenderAction.DECLINED
    assert (response.condition_code, response.decline_reason_code) == ("N", "EQU")
    assert response.references[0].value == "BOL7" and response.correlation.bol == "BOL7"
    assert render(response, version="005010") == text.splitlines()
    # the same answer in 004010: N9 (qualifier first); B1-05/06 kept (see the module docstring)
    assert render(response, version="004010")[1:3] == [
        "B1*ABCD*L1*20240102*D*N*EQU",
        "N9*BM*BOL7*LOAD BOL",
    ]


def test_4010_stop_loops_and_equipment_are_reported_not_carried() -> None:
    response = transform(
        """
        ST*990*0002
        B1*ABCD*L1*20240102*A
        N9*CN*PRO1
        G62*69*20240103*U*0800*ET
        N7*ABCD*TRL1
        V9*XYZ
        K1*DRIVER ASSIGNED*CALL ON ARRIVAL
        K1*DOCK 7
        S5*1*CL
        N9*PO*PO9
        G62*69*20240103*U*0800*ET
        SE*12*0002
        """
    )
    assert [r.value for r in response.references] == ["PRO1"]  # not the stop's PO9
    assert len(response.dates) == 1 and response.dates[0].instant is not None
    assert response.dates[0].instant.isoformat() == "2024-01-03T08:00:00-05:00"
    assert [n.text for n in response.notes] == ["DRIVER ASSIGNED", "CALL ON ARRIVAL", "DOCK 7"]
    ignored = [(w.segment_id, w.segment_index) for w in response.warnings]
    assert ignored == [("N7", 5), ("V9", 6), ("S5", 9), ("N9", 10), ("G62", 11)]
    assert render(response) == [
        "ST*990*0001",
        "B1*ABCD*L1*20240102*A",
        "N9*CN*PRO1",
        "G62*69*20240103*U*0800*ET",
        "K1*DRIVER ASSIGNED*CALL ON ARRIVAL",
        "K1*DOCK 7",
        "SE*7*0001",
    ]


def test_5010_cannot_hold_dates_notes_or_a_second_reference() -> None:
    response = TenderResponse(
        action=TenderAction.ACCEPTED,
        action_code="A",
        scac="ABCD",
        shipment_id="L1",
        responded_at=dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC),
        references=(
            Reference(qualifier="BM", kind=codes.reference_kind("BM"), value="B1"),
            Reference(qualifier="PO", kind=codes.reference_kind("PO"), value="P1"),
        ),
        notes=(Note(text="OK"),),
    )
    sent: list[MappingWarning] = []
    assert render(response, version="005010", warnings=sent) == [
        "ST*990*0001",
        "B1*ABCD*L1*20240506*A",  # B1-03 from responded_at when no date was received
        "L11*B1*BM",
        "SE*4*0001",
    ]
    assert [w.message for w in sent] == [
        "a 005010 990 allows 1 L11; 1 not sent",
        "a 005010 990 has no K1; 1 not sent",
    ]


def test_unknown_action_is_kept_raw_and_flagged() -> None:
    response = transform("ST*990*0003\nB1*ABCD*L1**Q\nSE*3*0003")
    assert (response.action, response.action_code) == (TenderAction.OTHER, "Q")
    assert [(w.code, w.element) for w in response.warnings] == [(WarningCode.UNMAPPED_CODE, 4)]
    sent: list[MappingWarning] = []
    assert render(response, warnings=sent)[1] == "B1*ABCD*L1**Q"
    assert [w.code for w in sent] == [WarningCode.UNMAPPED_CODE]


def test_partner_action_map_both_ways() -> None:
    maps = {"tender_action": {"Y": "accepted", "N": "declined"}}
    response = transform("ST*990*0001\nB1*ABCD*L1**Y\nSE*3*0001", profile_code_maps=maps)
    assert response.action is TenderAction.ACCEPTED and response.warnings == ()
    assert render(response, profile_code_maps=maps)[1] == "B1*ABCD*L1**Y"
    assert render(response)[1] == "B1*ABCD*L1**A"  # to a partner with the standard codes
    declined = response.model_copy(update={"action": TenderAction.DECLINED, "action_code": "E"})
    assert render(declined, profile_code_maps=maps)[1] == "B1*ABCD*L1**N"


def test_missing_b1_and_bad_date_are_warnings() -> None:
    response = transform("ST*990*0004\nN9*CN*X\nSE*3*0004")
    assert [w.code for w in response.warnings] == [WarningCode.MISSING_VALUE]
    assert response.action is TenderAction.OTHER and response.action_code == ""
    bad = transform("ST*990*0005\nB1*ABCD*L1*20241301*A\nSE*3*0005")
    assert [(w.code, w.element) for w in bad.warnings] == [(WarningCode.INVALID_DATE, 3)]


def test_not_a_990_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a 990"):
        transform("ST*204*0001\nB2**ABCD**L1**PP\nSE*3*0001")


# Generated responses: canonical -> X12 -> canonical is the identity; X12 -> canonical -> X12 too.


@st.composite
def tender_responses(draw: st.DrawFn, version: str) -> TenderResponse:
    code = draw(st.sampled_from(sorted(codes.TENDER_ACTIONS)))
    is_4010 = version == "004010"
    return TenderResponse(
        scac=draw(st.sampled_from(("ABCD", "HJBT"))),
        shipment_id=draw(TEXT if is_4010 else st.none() | TEXT),  # B1-02 is mandatory in 004010
        action=codes.tender_action(code),
        action_code=code,
        date=draw(st.none() | st.dates(min_value=dt.date(2000, 1, 1))),
        condition_code=draw(st.none() | st.sampled_from(("N", "Y", "U", "W"))),
        decline_reason_code=draw(st.none() | st.sampled_from(("CPT", "EQU", "WGT"))),
        references=tuple(draw(st.lists(references(), max_size=1))),
        dates=tuple(draw(st.lists(date_values(), max_size=6 if is_4010 else 0))),
        notes=tuple(draw(st.lists(st.builds(Note, text=TEXT), max_size=20 if is_4010 else 0))),
    )


@pytest.mark.parametrize("version", ["004010", "005010"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_generated_responses_round_trip(version: str, data: st.DataObject) -> None:
    response = data.draw(tender_responses(version))
    sent: list[MappingWarning] = []
    rows = x12_from_tender_response(response, version=version, warnings=sent)
    assert sent == []
    envelope = SourceMetadata(version=version)
    again = tender_response_from_x12(as_set(rows), delimiters=Delimiters(), envelope=envelope)
    assert again.warnings == ()
    exclude = {"warnings", "correlation", "source"}
    assert again.model_dump(exclude=exclude) == response.model_dump(exclude=exclude)
    assert x12_from_tender_response(again, version=version) == rows
    assert validate(rows, version) == []


def test_k1_packing_is_the_only_normalisation_for_notes() -> None:
    text = "ST*990*0006\nB1*ABCD*L1**A\nK1*ONE\nK1*TWO\nSE*5*0006"
    ts = parse_text(text)
    response = transform(text)
    rows = x12_from_tender_response(response, version="004010", control_number="0006")
    assert rows[2] == ["K1", "ONE", "TWO"]
    original: Sequence[Sequence[str]] = [s.elements for s in ts.segments]
    assert normalise(rows) != normalise(original)
    assert flat_k1(normalise(rows)) == flat_k1(normalise(original))


def test_rendered_990_survives_the_writer_and_the_reader() -> None:
    ((ts, response),) = responses("freight_trust")
    rows = x12_from_tender_response(response, version="004010", control_number=ts.control_number)
    data = write_interchange(rows, "GF")
    (read_back,) = [e for e in read_events(io.BytesIO(data)) if isinstance(e, TransactionSet)]
    assert read_back.issues == [] and [s.elements for s in read_back.segments] == rows
