"""Received 997 / 999 / TA1 -> FunctionalAck / TechnicalAck, on every public ack sample with
values asserted straight from the sample bytes, plus synthetic sets for the error paths."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gateway.canonical import (
    AckStatus,
    FunctionalAck,
    SourceMetadata,
    TechnicalAck,
    WarningCode,
    parse_document,
)
from gateway.x12.envelope import GroupStart, InterchangeStart, read_events
from gateway.x12.envelope import TechnicalAck as TechnicalAckEvent
from gateway.x12.model import Delimiters, Segment, TransactionSet
from tests.conftest import SAMPLES
from transforms.x12_acks_in import (
    ack_status,
    functional_ack_from_x12,
    interchange_source,
    technical_ack_from_segment,
)
from transforms.x12_common import source_metadata

ACK_SAMPLES = [
    "EdiFabric__X12.NET__997.txt",
    "Inteligenz__X12Parser__999_DHS_Wisconsin_Sample.txt",
    "bots-edi__bots-plugins__997-004010VICS-01.x12",
    "kputnam__stupidedi__997_FA997_pass_1.edi",
    "kputnam__stupidedi__999_X231A1_response-to-3-837s.edi",
    "xlate__staedi__997_extraDelimiter997_5010_repetition.edi",
    "extra/Inteligenz__X12Parser__TA1_SampleFromJeffN825.txt",
    "extra/apimeister__x12-types__999_test1_embedded.edi",
    "extra/apimeister__x12-types__999_test2_embedded.edi",
    "extra/bots-edi__bots-plugins__997_testx12027.x12",
    "extra/kputnam__stupidedi__997_005010_X230_response-to-837s.edi",
    "extra/xlate__staedi__997_simple997-multiple-interchanges.edi",
]


def read_acks(name: str) -> list[FunctionalAck | TechnicalAck]:
    """Every 997/999 set and every TA1 of a sample, through the gateway's own reader."""
    documents: list[FunctionalAck | TechnicalAck] = []
    with (SAMPLES / name).open("rb") as stream:
        interchange = group = None
        for event in read_events(stream):
            if isinstance(event, InterchangeStart):
                interchange = event.header
            elif isinstance(event, GroupStart):
                group = event.header
            elif isinstance(event, TransactionSet):
                assert interchange is not None
                documents.append(
                    functional_ack_from_x12(
                        event,
                        delimiters=interchange.delimiters,
                        envelope=source_metadata(event, interchange, group),
                    )
                )
            elif isinstance(event, TechnicalAckEvent):
                documents.append(
                    technical_ack_from_segment(
                        event.segment, envelope=interchange_source(event.header)
                    )
                )
    return documents


def one_functional(name: str) -> FunctionalAck:
    (doc,) = read_acks(name)
    assert isinstance(doc, FunctionalAck)
    return doc


def test_every_ack_sample_is_covered() -> None:
    names = {p.name for p in Path(SAMPLES).glob("*")} | {
        f"extra/{p.name}" for p in (SAMPLES / "extra").glob("*")
    }
    acks = {n for n in names if any(k in n for k in ("_997", "_999", "_TA1"))}
    assert acks == set(ACK_SAMPLES)


@pytest.mark.parametrize("name", ACK_SAMPLES)
def test_ack_json_round_trips(name: str) -> None:
    for doc in read_acks(name):
        assert parse_document(doc.model_dump(mode="json")) == doc
        assert parse_document(json.dumps(doc.model_dump(mode="json"))) == doc


def test_edifabric_997_rejected_group_with_detail() -> None:
    doc = one_functional("EdiFabric__X12.NET__997.txt")
    # AK1*IN*000000001 ... AK9*R*2*2*1
    assert (doc.ack_set_id, doc.functional_id, doc.group_control_number) == (
        "997",
        "IN",
        "000000001",
    )
    assert (doc.status, doc.code) == (AckStatus.REJECTED, "R")
    assert (doc.sets_included, doc.sets_received, doc.sets_accepted) == (2, 2, 1)
    first, second = doc.sets
    assert (first.set_id, first.control_number, first.status) == ("810", "ST02", AckStatus.ACCEPTED)
    assert (second.status, second.code, second.error_codes) == (AckStatus.REJECTED, "R", ("5",))
    (segment,) = second.segment_errors  # AK3*TXI*54**8
    assert (segment.segment_id, segment.position, segment.loop_id, segment.code) == (
        "TXI",
        54,
        None,
        "8",
    )
    (element,) = segment.elements  # AK4*1*963*7*C1
    assert (element.position, element.element_ref, element.code, element.bad_value) == (
        1,
        "963",
        "7",
        "C1",
    )
    assert doc.source.group_control_number == "1"  # the 997's own GS06, not the acked one
    assert not doc.warnings


@pytest.mark.parametrize(
    "name",
    [
        "Inteligenz__X12Parser__999_DHS_Wisconsin_Sample.txt",
        "kputnam__stupidedi__999_X231A1_response-to-3-837s.edi",
    ],
)
def test_999_partial_acceptance_with_context(name: str) -> None:
    doc = one_functional(name)
    assert (doc.ack_set_id, doc.functional_id, doc.group_control_number) == ("999", "HC", "17456")
    assert (doc.status, doc.code) == (AckStatus.PARTIALLY_ACCEPTED, "P")
    assert (doc.sets_included, doc.sets_received, doc.sets_accepted) == (3, 3, 1)
    assert [s.status for s in doc.sets] == [
        AckStatus.ACCEPTED,
        AckStatus.REJECTED,
        AckStatus.REJECTED,
    ]
    clm = doc.sets[1].segment_errors[0]  # IK3*CLM*22**8 / CTX*CLM01:123456789 / IK4*2*782*1
    assert (clm.segment_id, clm.position, clm.code) == ("CLM", 22, "8")
    assert clm.context == ("CLM01:123456789",)
    (element,) = clm.elements
    assert (element.position, element.element_ref, element.code, element.context) == (
        2,
        "782",
        "1",
        (),
    )
    ref = doc.sets[2].segment_errors[0]  # IK3*REF*57**3 then two CTX
    assert (ref.segment_id, ref.position, ref.code, ref.elements) == ("REF", 57, "3", ())
    assert ref.context[0].startswith("SITUATIONAL TRIGGER*CLM*43**5:3")
    assert ref.context[1] == "CLM01:987654321"
    assert not doc.warnings


def test_dhs_999_versions() -> None:
    doc = one_functional("Inteligenz__X12Parser__999_DHS_Wisconsin_Sample.txt")
    # AK1-03 acknowledges a 4010 group inside a 5010 999; the CTX composite C023:1325 is kept
    assert doc.version == "004010X098A1"
    assert doc.sets[1].control_number == "002"
    assert doc.sets[2].segment_errors[0].context[0] == ("SITUATIONAL TRIGGER*CLM*43**5:3*C023:1325")
    assert doc.source.implementation_reference == "005010X231"


def test_997_with_repetition_separators_in_values() -> None:
    doc = one_functional("xlate__staedi__997_extraDelimiter997_5010_repetition.edi")
    assert (doc.status, doc.sets_accepted) == (AckStatus.REJECTED, 0)
    (segment,) = doc.sets[0].segment_errors
    assert segment.segment_id == "NM1"
    assert segment.position == 0  # AK3-02 is not a number here: reported, not guessed
    (warning,) = doc.warnings
    assert (warning.code, warning.segment_id, warning.element) == (
        WarningCode.INVALID_NUMBER,
        "AK3",
        2,
    )
    (element,) = segment.elements
    assert (element.position, element.element_ref, element.code) == (8, "66", "7")
    assert element.bad_value == (
        "AK404-R1-COMP1:AK404-R1-COMP2:AK404-R1-COMP3^AK404-R2-COMP1:AK404-R2-COMP2"
    )


@pytest.mark.parametrize(
    ("name", "functional_id", "group", "set_id", "control"),
    [
        ("bots-edi__bots-plugins__997-004010VICS-01.x12", "PR", "10001", "855", "1294"),
        ("kputnam__stupidedi__997_FA997_pass_1.edi", "AG", "160", "824", "0160"),
        ("extra/bots-edi__bots-plugins__997_testx12027.x12", "BE", "13360001", "834", "0001"),
        ("extra/apimeister__x12-types__999_test1_embedded.edi", "HC", "28", "837", "0028"),
    ],
)
def test_plain_accepts(
    name: str, functional_id: str, group: str, set_id: str, control: str
) -> None:
    doc = one_functional(name)
    assert (doc.functional_id, doc.group_control_number) == (functional_id, group)
    assert (doc.status, doc.code, doc.sets_included, doc.sets_accepted) == (
        AckStatus.ACCEPTED,
        "A",
        1,
        1,
    )
    (set_ack,) = doc.sets
    assert (set_ack.set_id, set_ack.control_number, set_ack.status) == (
        set_id,
        control,
        AckStatus.ACCEPTED,
    )
    assert not doc.warnings


def test_999_reject() -> None:
    doc = one_functional("extra/apimeister__x12-types__999_test2_embedded.edi")
    assert (doc.status, doc.sets_received, doc.sets_accepted) == (AckStatus.REJECTED, 1, 0)
    (set_ack,) = doc.sets
    assert (set_ack.code, set_ack.error_codes) == ("R", ("5",))
    (segment,) = set_ack.segment_errors  # IK3*NM*17**1
    assert (segment.segment_id, segment.position, segment.code) == ("NM", 17, "1")


def test_5010_997_partial() -> None:
    doc = one_functional("extra/kputnam__stupidedi__997_005010_X230_response-to-837s.edi")
    assert (doc.ack_set_id, doc.version, doc.status) == (
        "997",
        "005010",
        AckStatus.PARTIALLY_ACCEPTED,
    )
    element = doc.sets[1].segment_errors[0].elements[0]  # AK4*1*1028*1
    assert (element.position, element.element_ref, element.code) == (1, "1028", "1")


def test_three_interchanges_three_acks() -> None:
    docs = read_acks("extra/xlate__staedi__997_simple997-multiple-interchanges.edi")
    assert len(docs) == 3
    assert [d.source.interchange_control_number for d in docs] == [
        "000000001",
        "000000002",
        "000000003",
    ]
    for doc in docs:
        assert isinstance(doc, FunctionalAck)
        element = doc.sets[0].segment_errors[0].elements[0]  # AK4*8*66*7*MI
        assert (element.position, element.code, element.bad_value) == (8, "7", "MI")


def test_ta1_reject() -> None:
    (doc,) = read_acks("extra/Inteligenz__X12Parser__TA1_SampleFromJeffN825.txt")
    assert isinstance(doc, TechnicalAck)
    # TA1>900000001>100624>1430>R>006 (element separator ">")
    assert doc.interchange_control_number == "900000001"
    assert (doc.date, doc.time) == (dt.date(2010, 6, 24), "1430")
    assert (doc.status, doc.code, doc.note_code) == (AckStatus.REJECTED, "R", "006")
    assert (doc.source.sender_id, doc.source.interchange_control_number) == ("PPPPP", "000000001")
    assert not doc.warnings


# Synthetic sets for the error paths.


def parse_set(text: str, delimiters: Delimiters = Delimiters()) -> TransactionSet:
    segments = [
        Segment(elements=raw.strip().split(delimiters.element), index=i)
        for i, raw in enumerate(text.strip().split(delimiters.segment), start=3)
        if raw.strip()
    ]
    return TransactionSet(
        set_id=segments[0].el(1), control_number=segments[0].el(2), segments=segments
    )


def run(text: str, delimiters: Delimiters = Delimiters()) -> FunctionalAck:
    return functional_ack_from_x12(
        parse_set(text, delimiters), delimiters=delimiters, envelope=SourceMetadata()
    )


def test_composite_element_position_and_ctx_on_element() -> None:
    doc = run(
        "ST*999*1*005010X231A1~AK1*SM*77*005010~AK2*204*0001*005010~IK3*N4*9*0310*8~"
        "IK4*4>2>1*26*7*USA~CTX*SITUATIONAL TRIGGER*N1*8~IK5*R*I5~AK9*R*1*1*0*5~SE*8*1~"
    )
    assert (doc.functional_id, doc.group_control_number, doc.group_error_codes) == (
        "SM",
        "77",
        ("5",),
    )
    set_ack = doc.sets[0]
    assert (set_ack.implementation_reference, set_ack.error_codes) == ("005010", ("I5",))
    segment = set_ack.segment_errors[0]
    assert (segment.loop_id, segment.context) == ("0310", ())
    element = segment.elements[0]
    assert (element.position, element.component_position, element.repetition_position) == (4, 2, 1)
    assert element.context == ("SITUATIONAL TRIGGER*N1*8",)


def test_missing_verdicts_are_warnings() -> None:
    doc = run("ST*997*1~AK1*QM*12~AK2*214*0001~AK3*AT7*5~SE*5*1~")
    assert (doc.status, doc.code) == (AckStatus.OTHER, "")
    (set_ack,) = doc.sets
    assert (set_ack.status, set_ack.code) == (AckStatus.OTHER, "")
    messages = [w.message for w in doc.warnings]
    assert any("AK5" in m for m in messages) and any("AK9" in m for m in messages)


def test_not_an_ack_or_no_ak1() -> None:
    with pytest.raises(ValueError, match="needs a 997 or 999"):
        run("ST*214*1~B10*1*2*ABCD~SE*3*1~")
    with pytest.raises(ValueError, match="no AK1"):
        run("ST*997*1~AK9*A*0*0*0~SE*3*1~")


def test_ta1_bad_values_and_wrong_segment() -> None:
    doc = technical_ack_from_segment(Segment(["TA1", "000000007", "2401AB", "99XX", "E", "022"]))
    assert (doc.status, doc.note_code, doc.date, doc.time) == (
        AckStatus.ACCEPTED_WITH_ERRORS,
        "022",
        None,
        None,
    )
    assert {w.element for w in doc.warnings} == {2, 3}
    with pytest.raises(ValueError, match="needs a TA1"):
        technical_ack_from_segment(Segment(["AK1", "SM", "1"]))


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("A", AckStatus.ACCEPTED),
        ("E", AckStatus.ACCEPTED_WITH_ERRORS),
        ("P", AckStatus.PARTIALLY_ACCEPTED),
        ("R", AckStatus.REJECTED),
        ("M", AckStatus.REJECTED),
        ("W", AckStatus.REJECTED),
        ("X", AckStatus.REJECTED),
        ("Q", AckStatus.OTHER),
        ("", AckStatus.OTHER),
    ],
)
def test_ack_status_codes(code: str, status: AckStatus) -> None:
    assert ack_status(code) is status
