"""Writer: computed counts, fixed-width ISA, injection refused, round trip through the reader."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest

from gateway.x12.envelope import GroupEnd, InterchangeEnd, read_events
from gateway.x12.errors import DelimiterInDataError
from gateway.x12.model import Delimiters, GroupHeader, InterchangeHeader, TransactionSet
from gateway.x12.writer import X12Writer, format_n2, format_r

D = Delimiters("*", ">", "~", None)


def isa(control: str = "42", version: str = "00401", d: Delimiters = D) -> InterchangeHeader:
    return InterchangeHeader(
        authorization_qualifier="00",
        authorization="",
        security_qualifier="00",
        security="",
        sender_qualifier="ZZ",
        sender_id="GATEWAY",
        receiver_qualifier="02",
        receiver_id="ACMEFRT",
        date="240501",
        time="1230",
        standards_or_repetition="U",
        version=version,
        control_number=control,
        ack_requested=True,
        usage="T",
        delimiters=d,
    )


def gs(control: str = "7", version: str = "004010") -> GroupHeader:
    return GroupHeader("SM", "GATEWAY", "ACMEFRT", "20240501", "1230", control, "X", version)


def write_two_groups(out: io.BytesIO | io.StringIO, *, line_break: bool = True) -> None:
    with X12Writer(out, D, line_break=line_break) as w, w.interchange(isa()):
        with w.group(gs("7")):
            for n in ("0001", "0002"):
                with w.transaction_set("204", n):
                    w.segment("B2", None, "SCAC", None, f"LOAD{n}", None, "PP")
                    w.segment("B2A", "00", "LT")
                    w.segment("S5", "1", "CL")
        with w.group(gs("8")), w.transaction_set("204", "0003"):
            w.segment("B2", None, "SCAC", None, "LOAD3", None, "PP")


def test_counts_are_computed() -> None:
    out = io.StringIO()
    write_two_groups(out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "IEA*2*000000042~"
    assert "SE*5*0001~" in lines and "SE*5*0002~" in lines and "SE*3*0003~" in lines
    assert "GE*2*7~" in lines and "GE*1*8~" in lines
    assert lines[2] == "ST*204*0001~"


def test_isa_is_fixed_width_106() -> None:
    out = io.StringIO()
    write_two_groups(out)
    first = out.getvalue().splitlines()[0]
    assert len(first) == 106
    assert first == (
        "ISA*00*          *00*          *ZZ*GATEWAY        *02*ACMEFRT        "
        "*240501*1230*U*00401*000000042*1*T*>~"
    )


def test_5010_isa11_is_the_repetition_separator() -> None:
    d = Delimiters("*", ":", "~", "^")
    out = io.StringIO()
    with X12Writer(out, d) as w, w.interchange(isa(version="00501", d=d)):
        pass
    assert out.getvalue().splitlines()[0][82:97] == "^*00501*0000000"
    assert out.getvalue().splitlines()[1] == "IEA*0*000000042~"


def test_round_trip_with_a_simple_split_and_the_reader() -> None:
    out = io.BytesIO()
    write_two_groups(out, line_break=False)
    data = out.getvalue()
    assert b"\n" not in data
    segments = [s.split("*") for s in data.decode().split("~") if s]
    assert segments[2] == ["ST", "204", "0001"]
    assert segments[3] == ["B2", "", "SCAC", "", "LOAD0001", "", "PP"]
    events = list(read_events(io.BytesIO(data)))
    sets = [e for e in events if isinstance(e, TransactionSet)]
    assert [s.control_number for s in sets] == ["0001", "0002", "0003"]
    assert all(not s.issues for s in sets)
    assert all(not e.issues for e in events if isinstance(e, GroupEnd | InterchangeEnd))


@pytest.mark.parametrize(
    "value",
    ["X~IEA*1*000000001~", "A*B", "A>B", "line\nbreak", "tab\there", "nul\x00"],
)
def test_injection_is_refused(value: str) -> None:
    out = io.StringIO()
    w = X12Writer(out, D)
    w.begin_interchange(isa())
    w.begin_group(gs())
    w.begin_set("204", "0001")
    with pytest.raises(DelimiterInDataError, match="B204"):
        w.segment("B2", None, "SCAC", None, value, None, "PP")
    w.flush()
    assert "IEA" not in out.getvalue()
    assert value not in out.getvalue()


def test_injection_in_a_component_and_in_the_envelope() -> None:
    w = X12Writer(io.StringIO(), D)
    w.begin_interchange(isa())
    w.begin_group(gs())
    w.begin_set("997", "0001")
    with pytest.raises(DelimiterInDataError, match="AK401-02"):
        w.segment("AK4", ["1", "2~"], "66", "7")
    with pytest.raises(DelimiterInDataError, match="ISA06"):
        X12Writer(io.StringIO(), D).begin_interchange(replace(isa(), sender_id="EVIL~GS"))


def test_repetition_separator_is_refused_too() -> None:
    d = Delimiters("*", ":", "~", "^")
    w = X12Writer(io.StringIO(), d)
    w.begin_interchange(isa(version="00501", d=d))
    w.begin_group(gs(version="005010"))
    w.begin_set("214", "0001")
    with pytest.raises(DelimiterInDataError):
        w.segment("L11", "A^B", "BM")


def test_composites_and_trailing_empties() -> None:
    out = io.StringIO()
    with (
        X12Writer(out, D) as w,
        w.interchange(isa()),
        w.group(gs()),
        w.transaction_set("997", "0001"),
    ):
        w.segment("AK4", ["1", "2", ""], "66", "7", "")
        w.segment("AK5", "R", None, None)
    lines = out.getvalue().splitlines()
    assert lines[3:5] == ["AK4*1>2*66*7~", "AK5*R~"]


def test_misuse_is_refused() -> None:
    w = X12Writer(io.StringIO(), D)
    with pytest.raises(RuntimeError):
        w.segment("B2", "X")
    with pytest.raises(RuntimeError):
        w.begin_group(gs())
    w.begin_interchange(isa())
    with pytest.raises(ValueError, match="envelope"):
        w.segment("SE", "1", "0001")
    w.segment("TA1", "000000001", "240501", "1230", "A", "000")  # allowed between ISA and GS
    w.begin_group(gs())
    w.begin_set("204", "0001")
    with pytest.raises(ValueError, match="segment id"):
        w.segment("b2", "X")
    with pytest.raises(RuntimeError):
        w.end_group()
    with pytest.raises(ValueError, match="ISA13"):
        X12Writer(io.StringIO(), D).begin_interchange(replace(isa(), control_number="12A"))
    with pytest.raises(ValueError, match="ISA06"):
        X12Writer(io.StringIO(), D).begin_interchange(replace(isa(), sender_id="X" * 16))


@pytest.mark.parametrize(
    "d",
    [
        Delimiters("*", "*", "~", None),
        Delimiters("*", ">", "A", None),
        Delimiters("*", ">", "~", " "),
    ],
)
def test_bad_delimiters_are_refused(d: Delimiters) -> None:
    with pytest.raises(ValueError, match="delimiters"):
        X12Writer(io.StringIO(), d)


def test_newline_terminator_gets_no_extra_line_break() -> None:
    d = Delimiters("*", ">", "\n", None)
    out = io.StringIO()
    with X12Writer(out, d) as w, w.interchange(isa(d=d)):
        pass
    assert out.getvalue().count("\n") == 2


@pytest.mark.parametrize(
    ("value", "n2"),
    [("557.21", "55721"), ("-3017.91", "-301791"), ("0", "0"), ("659.4", "65940"), ("0.005", "1")],
)
def test_format_n2(value: str, n2: str) -> None:
    assert format_n2(Decimal(value)) == n2


@pytest.mark.parametrize(
    ("value", "r"),
    [
        ("5472.0", "5472"),
        ("0.50", ".5"),
        ("-0.25", "-.25"),
        ("100", "100"),
        ("1E+3", "1000"),
        ("0", "0"),
    ],
)
def test_format_r(value: str, r: str) -> None:
    assert format_r(Decimal(value)) == r
