"""Envelope checks: every mismatch gets the code its TA1 / AK9 / AK5 needs."""

from __future__ import annotations

import io

import pytest

from gateway.x12.envelope import (
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    enveloped_sets,
    read_events,
)
from gateway.x12.model import Level, Severity, TransactionSet
from tests.conftest import SAMPLES

ISA = "ISA*00*          *00*          *02*CARRIER        *ZZ*GATEWAY        *240101*1200*U*00401*{n}*0*P*>~"


def interchange(
    body: str, *, isa13: str = "000000001", iea: str | None = None, groups: int = 1
) -> bytes:
    trailer = iea if iea is not None else f"IEA*{groups}*{isa13}~"
    return (ISA.format(n=isa13) + body + trailer).encode()


def st(n: str, count: int | None = None, se_n: str | None = None) -> str:
    segs = f"ST*214*{n}~B10*PRO1*SHIP1*SCAC~LX*1~AT7*X1*NS***20240101*1200*LT~"
    return segs + f"SE*{count if count is not None else 5}*{se_n or n}~"


def events(data: bytes) -> list[object]:
    return list(read_events(io.BytesIO(data)))


def codes(evts: list[object], kind: type) -> list[str]:
    out: list[str] = []
    for e in evts:
        if isinstance(e, kind):
            out += [i.code for i in e.issues if i.severity is Severity.ERROR]  # type: ignore[attr-defined]
    return out


def test_clean_interchange_has_no_issues_and_all_events_in_order() -> None:
    evts = events(
        interchange("GS*QM*CARRIER*GATEWAY*20240101*1200*7*X*004010~" + st("0001") + "GE*1*7~")
    )
    kinds = [type(e).__name__ for e in evts]
    assert kinds == [
        "InterchangeStart",
        "GroupStart",
        "TransactionSet",
        "GroupEnd",
        "InterchangeEnd",
    ]
    start = evts[0]
    assert isinstance(start, InterchangeStart)
    assert start.header.sender_id == "CARRIER" and start.header.receiver_qualifier == "ZZ"
    group = evts[1]
    assert isinstance(group, GroupStart) and group.header.control_number == "7"
    ts = evts[2]
    assert isinstance(ts, TransactionSet) and len(ts.segments) == 5 and ts.issues == []
    end = evts[-1]
    assert isinstance(end, InterchangeEnd) and end.issues == [] and end.group_count == 1


@pytest.mark.parametrize(
    ("body", "isa13", "iea", "kind", "expected"),
    [
        # IEA02 != ISA13 -> TA1 001
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + "GE*1*7~",
            "000000001",
            "IEA*1*000000002~",
            InterchangeEnd,
            ["001"],
        ),
        # IEA01 wrong group count -> TA1 021
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + "GE*1*7~",
            "000000001",
            "IEA*2*000000001~",
            InterchangeEnd,
            ["021"],
        ),
        # IEA missing -> TA1 023
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + "GE*1*7~",
            "000000001",
            "",
            InterchangeEnd,
            ["023"],
        ),
        # GE01 wrong set count -> AK9 5
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + "GE*2*7~",
            "000000001",
            None,
            GroupEnd,
            ["5"],
        ),
        # GE02 != GS06 -> AK9 4
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + "GE*1*8~",
            "000000001",
            None,
            GroupEnd,
            ["4"],
        ),
        # GE missing -> AK9 3
        ("GS*QM*C*G*20240101*1200*7*X*004010~" + st("1"), "000000001", None, GroupEnd, ["3"]),
        # SE01 wrong -> AK5 4
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1", count=9) + "GE*1*7~",
            "000000001",
            None,
            TransactionSet,
            ["4"],
        ),
        # SE02 != ST02 -> AK5 3
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1", se_n="2") + "GE*1*7~",
            "000000001",
            None,
            TransactionSet,
            ["3"],
        ),
        # SE missing (GE follows) -> AK5 2
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~ST*214*1~B10*A*B*C~GE*1*7~",
            "000000001",
            None,
            TransactionSet,
            ["2"],
        ),
        # duplicate ST02 in a group -> AK5 23
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + st("1") + "GE*2*7~",
            "000000001",
            None,
            TransactionSet,
            ["23"],
        ),
        # duplicate GS06 in an interchange -> AK9 19
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~"
            + st("1")
            + "GE*1*7~GS*QM*C*G*20240101*1200*7*X*004010~"
            + st("1")
            + "GE*1*7~",
            "000000001",
            "IEA*2*000000001~",
            GroupEnd,
            ["19"],
        ),
        # non-numeric ISA13 -> TA1 018
        (
            "GS*QM*C*G*20240101*1200*7*X*004010~" + st("1") + "GE*1*7~",
            "00000000A",
            None,
            InterchangeEnd,
            ["018"],
        ),
    ],
)
def test_envelope_mismatches_get_their_codes(
    body: str, isa13: str, iea: str | None, kind: type, expected: list[str]
) -> None:
    assert codes(events(interchange(body, isa13=isa13, iea=iea)), kind) == expected


def test_every_set_is_yielded_even_when_envelopes_are_broken() -> None:
    body = "GS*QM*C*G*20240101*1200*7*X*004010~ST*214*1~B10*A*B*C~ST*214*2~B10*A*B*C~SE*3*2~"
    evts = events(interchange(body, iea=""))
    sets = [e for e in evts if isinstance(e, TransactionSet)]
    assert [s.control_number for s in sets] == ["1", "2"]
    assert [i.code for i in sets[0].issues] == ["2"]
    assert isinstance(evts[-1], InterchangeEnd)


def test_real_samples_envelope_findings() -> None:
    def findings(name: str) -> list[tuple[str, str, str]]:
        with (SAMPLES / name).open("rb") as fh:
            return [
                (type(e).__name__, i.level.value, i.code)
                for e in read_events(fh)
                if isinstance(e, (TransactionSet, GroupEnd, InterchangeEnd))
                for i in e.issues
                if i.severity is Severity.ERROR
            ]

    assert findings("indice-co__EDI.Net__204-MGCTLYST-SAMPLE.EDI") == [
        ("TransactionSet", Level.TRANSACTION.value, "4")
    ]
    # ISA11 `^` in an 00401 interchange: up to 00401 ISA11 is the standards identifier, only U
    assert findings(
        "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice.txt"
    ) == [("GroupEnd", "group", "4"), ("InterchangeEnd", "interchange", "016")]
    assert findings("extra/apimeister__x12-types__214_test1_embedded.edi") == [
        ("InterchangeEnd", "interchange", "001")
    ]
    # an unpadded ISA (ISA02/04 of 1 character, ISA06/08 of 5, ISA13 `001`): each field's TA105
    # note code (issue 10); a profile can note the class `isa_fixed_length` instead
    assert findings("apimeister__x12-types__214_test2_embedded.edi") == [
        ("TransactionSet", "transaction", "3"),
        ("InterchangeEnd", "interchange", "011"),
        ("InterchangeEnd", "interchange", "013"),
        ("InterchangeEnd", "interchange", "006"),
        ("InterchangeEnd", "interchange", "008"),
        ("InterchangeEnd", "interchange", "018"),
    ]
    assert findings("kputnam__stupidedi__204_SM204_case_1.edi") == []
    assert findings("extra/xlate__staedi__997_simple997-multiple-interchanges.edi") == []


def test_sequential_control_numbers_use_constant_memory() -> None:
    from gateway.x12.envelope import ControlNumberSet

    seen = ControlNumberSet()
    assert all(seen.add(str(n)) for n in range(1, 100_000))
    assert seen._ranges == [] and seen._extra == set()
    assert not seen.add("5000")
    assert seen.add("A1") and not seen.add("A1")


def test_enveloped_sets_carry_their_own_interchange_and_group() -> None:
    first = interchange(
        "GS*QM*CARRIER*GATEWAY*20240101*1200*7*X*004010~"
        + st("0001")
        + "GE*1*7~"
        + st("0002"),  # after the GE: outside any group
        isa13="000000001",
    )
    second = interchange(st("0003"), isa13="000000002", groups=0)
    found = [
        (
            e.ts.control_number,
            e.interchange.control_number,
            e.group.control_number if e.group else None,
        )
        for e in enveloped_sets(io.BytesIO(first + b"\n" + second))
    ]
    assert found == [
        ("0001", "000000001", "7"),
        ("0002", "000000001", None),
        ("0003", "000000002", None),
    ]
