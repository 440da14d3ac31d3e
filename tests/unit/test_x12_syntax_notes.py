"""Syntax notes (relational conditions) and ISA checks per version (issue 9).

One test per note type, each through the validator and into the 997 (AK4 code 2, conditional
required data element missing; 10, exclusion condition violated), plus the issue's examples.
"""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.x12 import schema
from gateway.x12.checker import CheckedInterchange, check_stream
from gateway.x12.model import AckCode, Delimiters, Level, Severity
from gateway.x12.schema import ElementDef
from gateway.x12.validator import _Checkers, _element_issues, _Where
from tests.unit.test_acks import acknowledge, body
from tests.unit.test_validator import STAR_5010, check

ISA = (
    "ISA*00*          *00*          *02*CARRIER        *ZZ*GATEWAY        "
    "*240101*1200*{isa11}*{isa12}*000000001*0*P*>~"
)
T214 = "ST*214*0001~B10*PRO1*SHIP1*SCAC~LX*1~AT7*X1*NS***20240101*1200*LT~{seg}~SE*6*0001~"
T204 = "ST*204*0001~B2**SCAC**L1**PP~B2A*00~{seg}~S5*1*CL~SE*6*0001~"


def notes(text: str, version: str = "004010") -> list[tuple[str, str, int, str]]:
    result = check(text, version) if version == "004010" else check(text, version, STAR_5010)
    return [
        (i.code, i.segment_id, i.element_position, i.message.split(":")[1].strip())
        for i in result.issues
        if i.level is Level.ELEMENT and i.severity is Severity.ERROR
    ]


def test_paired_p() -> None:
    # N1 P0304: an identification code qualifier without the code
    assert notes(T204.format(seg="N1*SH*ACME*93")) == [("2", "N1", 4, "syntax note P0304")]
    assert notes(T204.format(seg="N1*SH*ACME*93*123")) == []
    assert notes(T204.format(seg="N1*SH*ACME")) == []


def test_required_r() -> None:
    # the issue's N1*ST* (neither N102 nor N103) and L11**BM (neither L1101 nor L1103)
    assert notes(T204.format(seg="N1*ST*")) == [("2", "N1", 2, "syntax note R0203")]
    assert notes(T204.format(seg="L11**BM")) == [("2", "L11", 1, "syntax note R0103")]
    assert notes(T204.format(seg="L11*123*BM")) == []
    assert notes(T204.format(seg="L11***FREE TEXT")) == []


def test_exclusion_e() -> None:
    # AT5 E0103: a handling code and a description together
    assert notes(T204.format(seg="AT5*XP**EXPORT")) == [("10", "AT5", 3, "syntax note E0103")]
    assert notes(T204.format(seg="AT5*XP")) == []


def test_conditional_c() -> None:
    # MS1 C0201: a state needs the city
    assert notes(T214.format(seg="MS1**TX")) == [("2", "MS1", 1, "syntax note C0201")]
    assert notes(T214.format(seg="MS1*DALLAS*TX")) == []


def test_list_conditional_l() -> None:
    # MS1 L010203: a city needs a state or a country
    assert notes(T214.format(seg="MS1*DALLAS")) == [("2", "MS1", 2, "syntax note L010203")]
    assert notes(T214.format(seg="MS1*DALLAS**US")) == []


def test_notes_in_the_997_and_999() -> None:
    gs = "GS*SM*CARRIER*GATEWAY*20240101*1200*7*X*{v}~"
    data = (
        ISA.format(isa11="U", isa12="00401")
        + gs.format(v="004010")
        + T204.format(seg="L11**BM")
        + "GE*1*7~IEA*1*000000001~"
    ).encode()
    ack, done = acknowledge(data)
    assert [a.code for a in done] == [AckCode.REJECTED]
    assert "AK3*L11*4**8" in body(ack)
    assert "AK4*1*127*2" in body(ack)
    assert "AK5*R*5" in body(ack)
    data5 = (
        ISA.format(isa11="^", isa12="00501").replace(">~", ":~")
        + gs.format(v="005010")
        + T204.format(seg="AT5*XP**EXPORT")
        + "GE*1*7~IEA*1*000000001~"
    ).encode()
    ack5, _ = acknowledge(data5, "999")
    assert "IK4*3*153*10*EXPORT" in body(ack5)


def _interchange_issues(isa11: str, isa12: str) -> list[tuple[str, str]]:
    data = (
        ISA.format(isa11=isa11, isa12=isa12) + "TA1*000000009*240101*1200*A*000~IEA*0*000000001~"
    ).encode()
    (end,) = [e for e in check_stream(io.BytesIO(data)) if isinstance(e, CheckedInterchange)]
    return [(i.code, i.severity.value) for i in end.end.issues]


@pytest.mark.parametrize(
    ("isa11", "isa12", "expected"),
    [
        ("U", "00401", []),
        ("X", "00401", [("016", "error")]),  # the issue's ISA11 X in an 00401 interchange
        ("^", "00401", [("016", "error")]),
        ("U", "00300", []),
        ("^", "00501", []),
        ("U", "00501", [("000", "warning")]),  # not a repetition separator: noted, not refused
    ],
)
def test_isa11_per_version(isa11: str, isa12: str, expected: list[tuple[str, str]]) -> None:
    assert _interchange_issues(isa11, isa12) == expected


# -- the fast regex and the precise walk agree on every note ------------------------------------


def _valid(e: ElementDef) -> str:
    if e.is_composite:
        return ":".join(_valid(c) for c in e.components if c.required) or _valid(e.components[0])
    if e.code_list:
        return sorted(schema.code_lists()[e.code_list].codes)[0]
    if e.type == "DT":
        return "20240101"
    if e.type == "TM":
        return "1200"
    if e.type[0] in "NR":
        return "1" * max(e.min_len, 1)
    return "X" * max(e.min_len, 1)


NOTED = sorted(
    (v, tag)
    for v in schema.BASE_VERSIONS
    for tag, d in schema.segment_dictionary(v).items()
    if d.notes and d.elements is not None
)


@settings(max_examples=int(os.environ.get("GATEWAY_FUZZ_EXAMPLES", "150")), deadline=None)
@given(st.sampled_from(NOTED), st.data())
def test_fast_path_and_walk_agree_on_syntax_notes(
    tag: tuple[str, str], data: st.DataObject
) -> None:
    version, seg = tag
    d = Delimiters("*", ":", "~", "^")
    checkers = _Checkers(schema.segment_dictionary(version), d)
    defn = checkers.dictionary[seg]
    assert defn.elements is not None
    present = data.draw(
        st.lists(st.booleans(), min_size=len(defn.elements), max_size=len(defn.elements))
    )
    values = [
        _valid(e) if (keep or e.required) else ""
        for e, keep in zip(defn.elements, present, strict=True)
    ]
    while values and not values[-1]:
        values.pop()
    els = [seg, *values]
    fast_ok = checkers.compile(seg)(d.element.join(els)) is not None
    issues = _element_issues(defn, els, d, checkers.lists, _Where(seg, 2, "", 2))
    assert fast_ok == (not issues), (els, [i.message for i in issues])
