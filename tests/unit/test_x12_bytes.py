"""Bytes as carriers send them (issue 10 section 2), ISA16 padding (issue 9) and the
per-partner validation levels (issue 9) at the checker level."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from gateway.registry.validation import ValidationPolicy
from gateway.x12 import levels
from gateway.x12.acks import technical_ack
from gateway.x12.checker import CheckedInterchange, CheckedSet, check_stream
from gateway.x12.model import AckCode, Level, Severity
from gateway.x12.reader import TrailingData

ISA = (
    "ISA*00*{a:10}*00*          *02*{s:15}*ZZ*GATEWAY        *240101*1200*U*00401*000000001*0*P*>~"
)
GS = "GS*QM*CARRIER*GATEWAY*20240101*1200*7*X*004010~"
SET = (
    "ST*214*0001~B10*PRO1*SHIP1*SCAC~N1*CN*{name}~LX*1~AT7*X1*NS***20240101*1200*LT~SE*{se01}*0001~"
)
NOW = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def interchange(
    name: bytes = b"ACME", *, isa: str | None = None, se01: str = "6", tail: bytes = b""
) -> bytes:
    head = (isa or ISA.format(a="", s="CARRIER")) + GS
    body = SET.format(name="\x00", se01=se01).encode().replace(b"\x00", name)
    return head.encode() + body + b"GE*1*7~IEA*1*000000001~" + tail


def run(
    data: bytes, policy: ValidationPolicy | None = None
) -> tuple[list[CheckedSet], list[CheckedInterchange], list[TrailingData]]:
    p = policy or ValidationPolicy()
    events = list(check_stream(io.BytesIO(data), noted=p.noted(), encoding=p.encoding))
    for e in events:
        if isinstance(e, CheckedInterchange):
            for g in e.groups:
                if g.ack is not None:
                    g.ack.close()
    return (
        [e for e in events if isinstance(e, CheckedSet)],
        [e for e in events if isinstance(e, CheckedInterchange)],
        [e for e in events if isinstance(e, TrailingData)],
    )


def element_codes(s: CheckedSet) -> list[tuple[str, str, int, str]]:
    return [
        (i.code, i.segment_id, i.element_position, i.severity.value)
        for i in s.result.issues
        if i.level is Level.ELEMENT
    ]


# -- encodings --------------------------------------------------------------------------------


def test_latin1_byte_is_an_invalid_character_at_its_element_not_a_refused_file() -> None:
    (s,), (ic,), _ = run(interchange(b"ENTREP\xc9T"))
    assert not ic.rejected
    assert s.result.code is AckCode.REJECTED
    assert element_codes(s) == [("6", "N1", 2, "error")]


def test_latin1_or_cp1252_as_a_profile_setting() -> None:
    (s,), _, _ = run(interchange(b"ENTREP\xc9T"), ValidationPolicy(encoding="latin-1"))
    assert s.result.code is AckCode.ACCEPTED
    assert s.ts.segments[2].elements[2] == "ENTREP\u00c9T"
    (s,), _, _ = run(interchange(b"O\x92BRIEN"), ValidationPolicy(encoding="cp1252"))
    assert s.result.code is AckCode.ACCEPTED
    assert s.ts.segments[2].elements[2] == "O\u2019BRIEN"
    # 0x81 is undefined in cp1252: still reported at its element
    (s,), _, _ = run(interchange(b"A\x81B"), ValidationPolicy(encoding="cp1252"))
    assert element_codes(s) == [("6", "N1", 2, "error")]


def test_invalid_character_can_be_noted() -> None:
    (s,), _, _ = run(interchange(b"ENTREP\xc9T"), ValidationPolicy(element_type="note"))
    assert s.result.code is AckCode.ACCEPTED_WITH_ERRORS
    assert element_codes(s) == [("6", "N1", 2, "warning")]


# -- what follows the last interchange ---------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "binary"),
    [
        (b"\x00\x01\x02\xff\xfe garbage \x89PNG\r\n", True),
        (b"\r\nthis is not an interchange\r\n", False),
    ],
)
def test_valid_interchange_followed_by_garbage(tail: bytes, binary: bool) -> None:
    sets, (ic,), (trailing,) = run(interchange(tail=tail))
    assert [s.result.code for s in sets] == [AckCode.ACCEPTED]
    assert not ic.rejected and [g.ack.code for g in ic.groups if g.ack] == [AckCode.ACCEPTED]
    assert trailing.binary is binary
    assert "after the IEA" in trailing.describe()


def test_trailing_spaces_are_not_garbage() -> None:
    _, _, trailing = run(interchange(tail=b"   \r\n\r\n  "))
    assert trailing == []


# -- ISA fixed lengths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("isa", "note"),
    [
        (ISA.format(a="", s="CARRIER").replace("*00*          *00*", "*00*   *00*", 1), "011"),
        (ISA.format(a="", s="CARRIER").replace("*02*CARRIER        *", "*02*CARRIER    *"), "006"),
        (ISA.format(a="", s="CARRIER").replace("*ZZ*GATEWAY        *", "*ZZ*GATEWAY*"), "008"),
        (ISA.format(a="", s="CARRIER").replace("*000000001*", "*1*"), "018"),
    ],
)
def test_isa_field_of_the_wrong_width_is_ta1_r_unless_noted(isa: str, note: str) -> None:
    data = interchange(isa=isa)
    if note == "018":
        data = data.replace(b"IEA*1*000000001", b"IEA*1*1")
    _, (ic,), _ = run(data)
    assert ic.rejected
    ta1 = technical_ack(ic.header, ic.end.issues, NOW)
    assert (ta1.el(4), ta1.el(5)) == ("R", note)
    _, (noted,), _ = run(data, ValidationPolicy(isa_fixed_length="note"))
    assert not noted.rejected
    ta1 = technical_ack(noted.header, noted.end.issues, NOW)
    assert (ta1.el(4), ta1.el(5)) == ("E", note)


# -- ISA16 followed by padding before the line break -------------------------------------------


def test_isa16_followed_by_a_space_before_the_line_break_is_recovered() -> None:
    isa = ISA.format(a="", s="CARRIER").replace(">~", ">  \r\n")
    text = isa + GS.replace("~", "\r\n") + SET.format(name="ACME", se01="6").replace("~", "\r\n")
    data = (text + "GE*1*7\r\nIEA*1*000000001\r\n").encode()
    (s,), (ic,), _ = run(data)
    assert s.result.code is AckCode.ACCEPTED
    assert not ic.rejected
    (warning,) = [i for i in ic.end.issues if i.severity is Severity.WARNING]
    assert "space" in warning.message and "ISA16" in warning.message


# -- per-partner levels ------------------------------------------------------------------------


def test_levels_default_reject_and_note_accepts_with_errors() -> None:
    data = interchange(se01="0006")  # leading zeros: fine
    (s,), _, _ = run(data)
    assert s.result.code is AckCode.ACCEPTED
    bad_count = interchange(se01="9")
    (s,), _, _ = run(bad_count)
    assert s.result.code is AckCode.REJECTED and s.result.set_codes == ["4"]
    (s,), _, _ = run(bad_count, ValidationPolicy(envelope_count="note"))
    assert s.result.code is AckCode.ACCEPTED_WITH_ERRORS
    assert levels.NOTED_SUFFIX in s.result.issues[0].message


def test_a_finding_that_corrupts_data_is_never_demoted() -> None:
    everything = ValidationPolicy(**{c: "note" for c in levels.FINDING_CLASSES})
    assert everything.noted() == frozenset(levels.FINDING_CLASSES)
    bad_date = interchange().replace(b"*20240101*1200*LT", b"*20241301*1200*LT")
    (s,), _, _ = run(bad_date, everything)
    assert s.result.code is AckCode.REJECTED
    assert element_codes(s) == [("8", "AT7", 5, "error")]
    no_scac = interchange().replace(b"B10*PRO1*SHIP1*SCAC", b"B10*PRO1*SHIP1")
    (s,), _, _ = run(no_scac, everything)
    assert s.result.code is AckCode.REJECTED  # a mandatory element missing
