"""Validator: real samples get sensible outcomes; every structural and element error is located."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.x12 import schema
from gateway.x12.envelope import GroupStart, InterchangeStart, read_events
from gateway.x12.model import (
    AckCode,
    Delimiters,
    Issue,
    Level,
    Segment,
    SetResult,
    Severity,
    TransactionSet,
)
from gateway.x12.validator import Validator, _Checkers, _element_issues, _Where
from tests.conftest import SAMPLES

VALIDATOR = Validator()
STAR = Delimiters("*", ">", "~", None)
STAR_5010 = Delimiters("*", ":", "~", "^")


def validate_file(path: Path) -> list[SetResult]:
    results: list[SetResult] = []
    delimiters: Delimiters | None = None
    version = ""
    with path.open("rb") as f:
        for ev in read_events(f):
            if isinstance(ev, InterchangeStart):
                delimiters = ev.header.delimiters
            elif isinstance(ev, GroupStart):
                version = ev.header.version
            elif isinstance(ev, TransactionSet):
                assert delimiters is not None
                results.append(VALIDATOR.validate(ev, delimiters, version))
    return results


def make_set(text: str, d: Delimiters = STAR) -> TransactionSet:
    raw = [s.strip() for s in text.split(d.segment) if s.strip()]
    segments = [Segment(s.split(d.element), i) for i, s in enumerate(raw, start=1)]
    first = segments[0].elements
    return TransactionSet(first[1], first[2], segments, first[3] if len(first) > 3 else "")


def check(text: str, version: str = "004010", d: Delimiters = STAR) -> SetResult:
    return VALIDATOR.validate(make_set(text, d), d, version)


def found(result: SetResult, level: Level) -> list[tuple[str, str, int, int]]:
    """(code, segment id, segment position, element position) of the issues at `level`."""
    return [
        (i.code, i.segment_id, i.segment_position, i.element_position)
        for i in result.issues
        if i.level is level
    ]


# -- real samples ------------------------------------------------------------------------------

EXPECTED = {
    "EdiFabric__X12.NET__210_FreightInvoice.txt": "A",
    "EdiFabric__X12.NET__997.txt": "A",
    "Forever-code-once__conard_truck_awsTextract__204_FXFE_fedex_6ST_newline_embedded.edi": "EEEEEE",
    "Forever-code-once__conard_truck_awsTextract__204_MGLYNNCO_lynnco_4ISA_incl_cancel_embedded.edi": "AAAA",
    "Inteligenz__X12Parser__210_CN_FreightInvoiceSample1.txt": "A",
    "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice.txt": "R",
    "Inteligenz__X12Parser__999_DHS_Wisconsin_Sample.txt": "E",
    "TraxTechnologies__scala-x12__example214.x12": "A",
    # syntax notes (issue 9): `L11**BN` breaks R0103, `G62*04*20230517**1910` P0304,
    # `AT5*XP**EXPORT` E0103, and N7-19 `RP` is not an element 1 code
    "apimeister__x12-types__204_test1_embedded.edi": "R",
    "apimeister__x12-types__214_test2_embedded.edi": "RE",
    "ballerina-platform__module-ballerina-edi__214_edi-214_output.edi": "A",
    "bots-edi__bots-plugins__997-004010VICS-01.x12": "A",
    "freight-trust__libedi__Sample_4010_990.txt": "A",
    "indice-co__EDI.Net__204-MGCTLYST-SAMPLE.EDI": "R",
    "indice-co__EDI.Net__210-MGCTLYST-SAMPLE.EDI": "A",
    "indice-co__EDI.Net__214-MGCTLYST-SAMPLE.EDI": "A",
    "indice-co__EDI.Net__990-MGCTLYST-SAMPLE.EDI": "A",
    "indice-co__EDI.Net__x12.214.edi": "A",
    "jlosack__b2b-ai-mapping__204.edi": "A",
    "kputnam__stupidedi__204_SM204_case_1.edi": "A",
    "kputnam__stupidedi__997_FA997_pass_1.edi": "A",
    "kputnam__stupidedi__999_X231A1_response-to-3-837s.edi": "A",
    "nick-manasys__edi-parser__214-line-ending.edi": "A",
    "xlate__staedi__210_issue128_ts210_80char.edi": "A",
    "xlate__staedi__214_issue109_ts214_ellipses_segterm.edi": "A",
    "xlate__staedi__997_extraDelimiter997_5010_repetition.edi": "R",
    "extra/Forever-code-once__conard_truck_awsTextract__204_KLOG_koch_embedded.edi": "A",
    "extra/Inteligenz__X12Parser__210_CN_FreightInvoiceSample2.txt": "A",
    "extra/apimeister__x12-types__204_test2_embedded.edi": "R",
    "extra/apimeister__x12-types__214_test1_embedded.edi": "A",
    "extra/apimeister__x12-types__999_test1_embedded.edi": "A",
    "extra/apimeister__x12-types__999_test2_embedded.edi": "A",
    "extra/bots-edi__bots-plugins__997_testx12027.x12": "A",
    "extra/kputnam__stupidedi__997_005010_X230_response-to-837s.edi": "A",
    "extra/xlate__staedi__997_simple997-multiple-interchanges.edi": "AAA",
    "extra/Inteligenz__X12Parser__TA1_SampleFromJeffN825.txt": "",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_outcome(name: str) -> None:
    results = validate_file(SAMPLES / name)
    assert "".join(r.code.value for r in results) == EXPECTED[name]


def test_every_x12_sample_is_in_the_table() -> None:
    files = {p.name for p in SAMPLES.glob("*")} | {
        f"extra/{p.name}" for p in (SAMPLES / "extra").glob("*")
    }
    x12 = {f for f in files if not f.endswith((".md", ".xml")) and f != "extra"}
    assert x12 == set(EXPECTED)


def test_indice_204_carries_the_envelope_count_error_only() -> None:
    (result,) = validate_file(SAMPLES / "indice-co__EDI.Net__204-MGCTLYST-SAMPLE.EDI")
    assert result.code is AckCode.REJECTED
    assert result.set_codes == ["4"]
    assert [i for i in result.issues if i.level is not Level.TRANSACTION] == []


def test_fedex_n2_with_decimal_point_is_a_located_warning() -> None:
    results = validate_file(
        SAMPLES
        / "Forever-code-once__conard_truck_awsTextract__204_FXFE_fedex_6ST_newline_embedded.edi"
    )
    issue = results[0].issues[-1]
    assert (issue.level, issue.severity, issue.code) == (Level.ELEMENT, Severity.WARNING, "6")
    assert (issue.segment_id, issue.segment_position, issue.element_position) == ("L3", 23, 5)
    assert (issue.element_ref, issue.bad_value) == ("58", "1958.00")


def test_dbschenker_210_reports_every_defect() -> None:
    (result,) = validate_file(
        SAMPLES / "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice.txt"
    )
    assert found(result, Level.SEGMENT) == [
        ("8", "B3", 2, 0),
        ("2", "B2A", 3, 0),
        ("8", "G62", 4, 0),
        ("8", "N3", 6, 0),
        ("8", "N3", 10, 0),
        ("8", "N3", 14, 0),
        # L1-08 490 is in the standard's complete element 150 list (issue 9): no finding
    ]
    b3 = [i for i in result.issues if i.segment_id == "B3" and i.level is Level.ELEMENT]
    assert [(i.code, i.element_position, i.element_ref, i.bad_value) for i in b3] == [
        ("8", 6, "373", "030903"),
        ("8", 9, "32", "030903"),
        ("8", 12, "373", "030826"),
    ]
    n3 = [i for i in result.issues if i.segment_position == 6 and i.level is Level.ELEMENT]
    assert [(i.code, i.element_position, i.loop_id) for i in n3] == [
        ("3", 3, "0100"),
        ("3", 4, "0100"),
    ]
    assert result.set_codes == ["5"]


def test_version_fallback_is_an_informational_warning() -> None:
    (result,) = validate_file(SAMPLES / "indice-co__EDI.Net__214-MGCTLYST-SAMPLE.EDI")
    assert result.code is AckCode.ACCEPTED
    (note,) = result.issues
    assert (note.level, note.severity, note.code) == (Level.GROUP, Severity.WARNING, "")
    assert result.set_codes == []
    assert "004030" in note.message and "004010" in note.message


# -- structure ---------------------------------------------------------------------------------

T214 = "ST*214*0001~B10*PRO1*SHIP1*SCAC~{body}SE*9*0001~"
AT7 = "AT7*X1*NS***20240101*1200*LT~"


def test_valid_214_is_accepted_without_issues() -> None:
    result = check(T214.format(body="LX*1~" + AT7))
    assert (result.code, result.issues) == (AckCode.ACCEPTED, [])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ZZZ*1~LX*1~" + AT7, ("1", "ZZZ", 3, 0)),  # unknown anywhere
        ("B3**1~LX*1~" + AT7, ("2", "B3", 3, 0)),  # known segment, other set
        ("LX*1~" + AT7 + "B10*X*Y*SCAC~", ("7", "B10", 5, 0)),  # in the set, wrong place
    ],
)
def test_unexpected_segments(body: str, expected: tuple[str, str, int, int]) -> None:
    result = check(T214.format(body=body))
    assert found(result, Level.SEGMENT) == [expected]
    assert result.code is AckCode.REJECTED
    assert result.set_codes == ["5"]


def test_mandatory_segment_missing_is_reported_where_detected() -> None:
    result = check("ST*214*0001~LX*1~" + AT7 + "SE*4*0001~")
    assert found(result, Level.SEGMENT) == [("3", "B10", 2, 0)]


def test_mandatory_loop_missing_in_5010() -> None:
    result = check("ST*214*0001~B10*PRO*SHIP*SCAC~LX*1~L11*X*BM~SE*5*0001~", "005010", STAR_5010)
    assert [
        (i.code, i.segment_id, i.loop_id) for i in result.issues if i.level is Level.SEGMENT
    ] == [("3", "AT7", "1100")]


def test_missing_mandatory_segment_at_end_without_se() -> None:
    ts = make_set("ST*214*0001~B10*PRO*SHIP*SCAC~LX*1~L11*X*BM~")
    result = VALIDATOR.validate(ts, STAR_5010, "005010")
    assert found(result, Level.SEGMENT) == [("3", "AT7", 4, 0)]


def test_loop_over_maximum() -> None:
    result = check(T214.format(body="LX*1~" + AT7 * 11))
    assert [(i.code, i.segment_id, i.segment_position, i.loop_id) for i in result.issues[1:]] == [
        ("4", "AT7", 14, "0205")
    ]


def test_segment_over_maximum_use() -> None:
    text = "ST*204*0001~B2**SCAC**L1**PP~B2**SCAC**L1**PP~B2A*00~S5*1*CL~SE*6*0001~"
    assert found(check(text), Level.SEGMENT) == [("5", "B2", 3, 0)]


def test_repeat_past_maximum_moves_to_a_later_slot() -> None:
    # N3 is allowed twice in the header N1 loop; a 204 G62 once at the header, twice per stop
    text = "ST*204*0001~B2**SCAC**L1**PP~B2A*00~S5*1*CL~G62*10*20240101~G62*11*20240102~SE*7*0001~"
    assert check(text).issues == []


def test_nested_loops_and_reentry() -> None:
    text = (
        "ST*204*0001~B2**SCAC**L1**PP~B2A*00~N1*BT*BILL~N3*A~N1*SH*SHIP~"
        "S5*1*LD~N1*SF*X~OID*1~L5*1*X~G61*HM*Y~LH1*PK*1~LH2*9~S5*2*UL~L3*100*G~SE*17*0001~"
    )
    assert check(text).issues == []


# -- elements ----------------------------------------------------------------------------------


def element_issues(result: SetResult) -> list[tuple[str, int, int, str, str, Severity]]:
    return [
        (i.code, i.element_position, i.component_position, i.element_ref, i.bad_value, i.severity)
        for i in result.issues
        if i.level is Level.ELEMENT
    ]


def test_every_element_error_of_a_segment_is_reported() -> None:
    result = check(T214.format(body="LX*1~AT7*ZZ*NS***20240230*2500*LT~"))
    assert element_issues(result) == [
        ("7", 1, 0, "1650", "ZZ", Severity.ERROR),
        ("8", 5, 0, "373", "20240230", Severity.ERROR),
        ("9", 6, 0, "337", "2500", Severity.ERROR),
    ]
    seg = next(i for i in result.issues if i.level is Level.SEGMENT)
    assert (seg.code, seg.segment_id, seg.segment_position, seg.loop_id) == ("8", "AT7", 4, "0205")


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("B10*PRO1*SHIP1", ("1", 3, 0, "140", "", Severity.ERROR)),
        ("B10*PRO1*SHIP1*S", ("4", 3, 0, "140", "S", Severity.ERROR)),
        ("B10*" + "P" * 31 + "*SHIP1*SCAC", ("5", 1, 0, "127", "P" * 31, Severity.ERROR)),
        ("B10*PRO1*SHIP1*SCAC*12A", ("6", 4, 0, "71", "12A", Severity.ERROR)),
        ("B10*PRO\x011*SHIP1*SCAC", ("6", 1, 0, "127", "PRO\x011", Severity.ERROR)),
        # B10-05/06 left out: `1*BM*X` would break E0105 (B10-01 with B10-05)
        ("B10*PRO1*SHIP1*SCAC****Y*Z", ("3", 8, 0, "", "Z", Severity.ERROR)),
        ("B10*PRO1*SHIP1*SCAC*****", ("3", 8, 0, "", "", Severity.WARNING)),
        ("B10*PRO>1*SHIP1*SCAC", ("6", 1, 0, "127", "PRO>1", Severity.WARNING)),
    ],
)
def test_element_error_codes(segment: str, expected: tuple[object, ...]) -> None:
    result = check(f"ST*214*0001~{segment}~LX*1~{AT7}SE*5*0001~")
    assert element_issues(result) == [expected]


def test_too_many_components_in_a_composite() -> None:
    text = "ST*997*0001~AK1*SM*1*005010~AK2*204*0001~AK3*N1*5**8~AK4*1:2:3:4*66*7~AK5*R*5~AK9*R*1*1*0~SE*8*0001~"
    result = check(text, "005010", STAR_5010)
    assert element_issues(result) == [("13", 1, 0, "C030", "1:2:3:4", Severity.ERROR)]


def test_repeated_composite_in_ctx() -> None:
    ok = "ST*999*0001*005010X231A1~AK1*SM*1*005010~AK2*204*0001~IK3*N1*5**8~CTX*A:1^B:2~IK5*R*5~AK9*R*1*1*0~SE*8*0001~"
    # the 999 reports a rejection; as a document it is valid
    assert check(ok, "005010X231A1", STAR_5010).code is AckCode.ACCEPTED
    assert check(ok, "005010X231A1", STAR_5010).issues == []
    bad = ok.replace("CTX*A:1^B:2", "CTX*A:1:9^:2")
    assert element_issues(check(bad, "005010X231A1", STAR_5010)) == [
        ("13", 1, 0, "C998", "A:1:9", Severity.ERROR),
        ("1", 1, 1, "9999", "", Severity.ERROR),
    ]


def test_partial_code_list_is_a_finding_complete_list_an_error() -> None:
    # 1658 exists from 004030; the 004010 map accepts B1-06 with the project's partial list, so
    # an unknown code there is a finding for the report only (issue 9), never an AK4
    partial = check("ST*990*0001~B1*SCAC*SHIP1**D**ZZZ~SE*3*0001~", "004010")
    assert partial.code is AckCode.ACCEPTED
    assert element_issues(partial) == [("7", 6, 0, "1658", "ZZZ", Severity.INFO)]
    assert partial.set_codes == []
    base = "ST*204*0001~B2**SCAC**L1**PP~B2A*{purpose}~S5*1*{stop}~SE*5*0001~"
    complete = check(base.format(purpose="00", stop="XX"))
    assert complete.code is AckCode.REJECTED
    assert element_issues(complete) == [("7", 2, 0, "163", "XX", Severity.ERROR)]
    unknown_purpose = check(base.format(purpose="QQ", stop="CL"))  # 353 is complete now
    assert element_issues(unknown_purpose) == [("7", 1, 0, "353", "QQ", Severity.ERROR)]


def test_unsupported_set_is_rejected_with_code_1() -> None:
    result = check("ST*810*0001~BIG*20240101*1~SE*3*0001~")
    assert result.code is AckCode.REJECTED
    assert result.set_codes == ["1"]


def test_envelope_issues_are_carried() -> None:
    ts = make_set(T214.format(body="LX*1~" + AT7))
    envelope = Issue(Level.TRANSACTION, "3", "SE02 mismatch")
    ts.issues.append(envelope)
    result = VALIDATOR.validate(ts, STAR, "004010")
    assert result.code is AckCode.REJECTED
    assert result.issues == [envelope]


def test_other_delimiters() -> None:
    d = Delimiters("~", "|", "^", None)
    text = "ST~214~0001^B10~PRO~SHIP~SCAC^LX~1^AT7~X1~NS~~~20240101~1200~LT^SE~5~0001^"
    assert VALIDATOR.validate(make_set(text, d), d, "004010").issues == []


def test_5010_segment_differences() -> None:
    long_ref = "L11*" + "R" * 45 + "*BM~"
    body = "LX*1~" + long_ref + AT7
    assert check(T214.format(body=body), "005010", STAR_5010).issues == []
    # the same L11 in 4010 is too long (1-30), and the loop order differs
    result = check(T214.format(body="LX*1~" + AT7 + long_ref))
    assert element_issues(result) == [("5", 1, 0, "127", "R" * 45, Severity.ERROR)]


# -- the fast path agrees with the precise walk -------------------------------------------------

TOKENS = [
    "20240229",
    "20230229",
    "1200",
    "235959",
    "2400",
    "NS",
    "X1",
    "CL",
    "PP",
    "557.21",
    "5472.",
    "-3017",
    ".5",
    "A:1",
    "1:2:3",
]
VALUES = st.one_of(
    st.text(alphabet="0123456789ABXZ.- :>^\x01", max_size=10), st.sampled_from(TOKENS)
)
TAGS = sorted({(v, t) for v in schema.BASE_VERSIONS for t in schema.segment_dictionary(v)})


@settings(max_examples=int(os.environ.get("GATEWAY_FUZZ_EXAMPLES", "400")), deadline=None)
@given(st.sampled_from(TAGS), st.lists(VALUES, max_size=12))
def test_fast_path_accepts_exactly_what_the_precise_walk_accepts(
    tag: tuple[str, str], values: list[str]
) -> None:
    version, seg = tag
    d = Delimiters("*", ":", "~", "^")
    checkers = _Checkers(schema.segment_dictionary(version), d)
    els = [seg, *values]
    fast_ok = checkers.compile(seg)(d.element.join(els)) is not None
    issues = _element_issues(
        checkers.dictionary[seg], els, d, checkers.lists, _Where(seg, 2, "", 2)
    )
    assert fast_ok == (not issues), (els, issues)


def test_fast_path_on_realistic_values() -> None:
    d = STAR
    checkers = _Checkers(schema.segment_dictionary("004010"), d)
    for text in ("G62*10*20240229*I*1200*LT", "L3*5472*G*557.21*FR*55721", "AT8*G*L*5472.*1"):
        els = text.split("*")
        assert checkers.compile(els[0])(text) is not None, text
    assert checkers.compile("G62")("G62*10*20230229") is None  # not a leap year
    assert re.fullmatch(r"[A-Z0-9]+", "".join(t for _, t in TAGS))


TREE_TAGS = sorted(schema.known_segment_ids() | {"ZZ", "", "st", "SEX"})


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(schema.SUPPORTED_SETS),
    st.sampled_from(["004010", "005010", "004030", "", "X"]),
    st.lists(st.tuples(st.sampled_from(TREE_TAGS), st.lists(VALUES, max_size=6)), max_size=25),
    st.booleans(),
)
def test_any_segment_sequence_gets_a_consistent_result(
    set_id: str, version: str, body: list[tuple[str, list[str]]], with_se: bool
) -> None:
    segments = [Segment(["ST", set_id, "0001"], 1)]
    segments += [Segment([tag, *values], i) for i, (tag, values) in enumerate(body, start=2)]
    if with_se:
        segments.append(Segment(["SE", str(len(segments) + 1), "0001"], len(segments) + 1))
    result = VALIDATOR.validate(TransactionSet(set_id, "0001", segments), STAR_5010, version)
    errors = any(i.severity is Severity.ERROR for i in result.issues)
    assert (result.code is AckCode.REJECTED) == errors
    positions = [i.segment_position for i in result.issues if i.level is not Level.TRANSACTION]
    assert all(1 <= p <= len(segments) for p in positions if p)
