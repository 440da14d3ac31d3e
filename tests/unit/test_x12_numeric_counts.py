"""SE01, GE01 and IEA01 are N0 counts, GE02/GS06 and IEA02/ISA13 N0 control numbers: leading
zeros do not change their value (issue 9: a Canada Post 214 with `IEA*00001`, `GE*000019`,
`SE*0000000013` was rejected whole)."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.x12.checker import CheckedInterchange, CheckedSet, check_stream
from gateway.x12.envelope import same_control_number, same_number
from gateway.x12.model import AckCode

ISA = (
    "ISA*00*          *00*          *02*CARRIER        *ZZ*GATEWAY        "
    "*240101*1200*U*00401*000000001*0*P*>~"
)
SET = "ST*214*{n:04d}~B10*PRO1*SHIP1*SCAC~LX*1~AT7*X1*NS***20240101*1200*LT~SE*{se01}*{n:04d}~"


def _padded(value: int, zeros: int) -> str:
    return "0" * zeros + str(value)


def _interchange(sets: int, zeros: tuple[int, int, int, int, int]) -> bytes:
    se_zeros, ge_zeros, iea_zeros, gs06_zeros, isa13_zeros = zeros
    body = "".join(SET.format(n=i, se01=_padded(5, se_zeros)) for i in range(1, sets + 1))
    gs06 = "17"
    ge02 = _padded(17, gs06_zeros)
    iea02 = "1" if isa13_zeros == 0 else _padded(1, isa13_zeros)
    return (
        ISA
        + f"GS*QM*CARRIER*GATEWAY*20240101*1200*{gs06}*X*004010~"
        + body
        + f"GE*{_padded(sets, ge_zeros)}*{ge02}~IEA*{_padded(1, iea_zeros)}*{iea02}~"
    ).encode()


@settings(max_examples=60, deadline=None)
@given(
    sets=st.integers(min_value=1, max_value=4),
    zeros=st.tuples(
        st.integers(0, 5),  # SE01: N0 1-10, "5" padded up to 6 digits
        st.integers(0, 5),  # GE01: N0 1-6
        st.integers(0, 4),  # IEA01: N0 1-5
        st.integers(0, 7),  # GE02 against GS06 17
        st.integers(0, 8),  # IEA02 against ISA13 000000001
    ),
)
def test_counts_with_leading_zeros_and_the_same_value_are_accepted(
    sets: int, zeros: tuple[int, int, int, int, int]
) -> None:
    events = list(check_stream(io.BytesIO(_interchange(sets, zeros))))
    checked = [e for e in events if isinstance(e, CheckedSet)]
    assert len(checked) == sets
    assert all(c.result.code is AckCode.ACCEPTED for c in checked), [
        i.message for c in checked for i in c.result.issues
    ]
    (end,) = [e for e in events if isinstance(e, CheckedInterchange)]
    assert not end.rejected, [i.message for i in end.end.issues]
    codes = [g.ack.code for g in end.groups if g.ack]
    for g in end.groups:
        if g.ack:
            g.ack.close()
    assert codes == [AckCode.ACCEPTED]


@settings(max_examples=60, deadline=None)
@given(value=st.integers(0, 10**6), other=st.integers(0, 10**6), zeros=st.integers(0, 6))
def test_a_count_with_another_value_is_still_a_mismatch(value: int, other: int, zeros: int) -> None:
    assert same_number(_padded(value, zeros), value)
    assert same_number(_padded(value, zeros), other) is (value == other)
    assert same_control_number(_padded(value, zeros), str(value))
    assert same_control_number(_padded(value, zeros), str(other)) is (value == other)


def test_non_numeric_counts_are_mismatches() -> None:
    assert not same_number("", 0)
    assert not same_number("1 ", 1)
    assert not same_number("-1", -1)
    assert not same_number("\u0661", 1)  # an Arabic-Indic digit is not an X12 digit
    assert not same_control_number("A1", "1")


def test_wrong_se01_is_still_reported() -> None:
    data = _interchange(1, (0, 0, 0, 0, 0)).replace(b"SE*5*", b"SE*0006*")
    events = list(check_stream(io.BytesIO(data)))
    (checked,) = [e for e in events if isinstance(e, CheckedSet)]
    for e in events:
        if isinstance(e, CheckedInterchange):
            for g in e.groups:
                if g.ack:
                    g.ack.close()
    assert checked.result.code is AckCode.REJECTED
    assert "4" in checked.result.set_codes
