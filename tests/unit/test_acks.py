"""997/999/TA1 builders: exact segments for accept, reject and partial, and pyx12's own maps agree."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.x12 import acks
from gateway.x12.acks import (
    AckKind,
    CountingControlNumbers,
    FunctionalAck,
    FunctionalAckBuilder,
    ack_version,
    build_ack_interchange,
    default_ack_kind,
    technical_ack,
)
from gateway.x12.envelope import (
    GroupEnd,
    GroupStart,
    InterchangeEnd,
    InterchangeStart,
    TechnicalAck,
    read_events,
)
from gateway.x12.model import (
    AckCode,
    Delimiters,
    GroupHeader,
    InterchangeHeader,
    Issue,
    Level,
    SetResult,
    Severity,
    TransactionSet,
)
from gateway.x12.pyx12_check import pyx12_errors
from gateway.x12.validator import Validator
from tests.conftest import SAMPLES

NOW = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
VALIDATOR = Validator()
ISA_4010 = "ISA*00*          *00*          *02*ACMEFRT        *ZZ*GATEWAY        *240430*0900*U*00401*000000311*0*P*>~"
ISA_5010 = "ISA*00*          *00*          *02*ACMEFRT        *ZZ*GATEWAY        *240430*0900*^*00501*000000311*1*T*:~"
GOOD_214 = "ST*214*{n}~B10*PRO{n}*SHIP1*ACME~LX*1~AT7*X1*NS***20240430*0845*LT~SE*5*{n}~"
# element errors (bad status code, bad date), an unknown segment, a missing mandatory B10
BAD_214 = "ST*214*{n}~LX*1~AT7*ZZ*NS***20240231*0845*LT~XYZ*1~SE*5*{n}~"


def inbound(sets: str, *, version: str = "004010", count: int | None = None) -> bytes:
    isa = ISA_5010 if version.startswith("005") else ISA_4010
    n = count if count is not None else sets.count("ST*")
    return (
        f"{isa}GS*QM*ACMEFRT*GATEWAY*20240430*0900*77*X*{version}~{sets}GE*{n}*77~IEA*1*000000311~"
    ).encode()


def acknowledge(data: bytes, kind: AckKind | None = None) -> tuple[bytes, list[FunctionalAck]]:
    """What the pipeline does: validate every set, one ack per group, one ack interchange."""
    isa: InterchangeHeader | None = None
    builder: FunctionalAckBuilder | None = None
    done: list[FunctionalAck] = []
    version = ""
    for ev in read_events(io.BytesIO(data)):
        if isinstance(ev, InterchangeStart):
            isa = ev.header
        elif isinstance(ev, GroupStart):
            version = ev.header.version
            builder = FunctionalAckBuilder(kind or default_ack_kind(version), ev.header)
        elif isinstance(ev, TransactionSet):
            assert builder is not None and isa is not None
            builder.add(VALIDATOR.validate(ev, isa.delimiters, version))
        elif isinstance(ev, GroupEnd):
            assert builder is not None
            done.append(builder.finish(ev))
    assert isa is not None
    return build_ack_interchange(isa, done, None, CountingControlNumbers(500), NOW), done


def body(ack: bytes) -> list[str]:
    """The ack's segments from ST to SE."""
    segs = [s.strip() for s in ack.decode().split("~") if s.strip()]
    return segs[segs.index(next(s for s in segs if s.startswith("ST*"))) : -2]


# -- 997 -------------------------------------------------------------------------------------------


def test_997_accept() -> None:
    data, (ack,) = acknowledge(inbound(GOOD_214.format(n="0001") + GOOD_214.format(n="0002")))
    assert body(data) == [
        "ST*997*0001",
        "AK1*QM*77",
        "AK2*214*0001",
        "AK5*A",
        "AK2*214*0002",
        "AK5*A",
        "AK9*A*2*2*2",
        "SE*8*0001",
    ]
    assert (ack.code, ack.received, ack.accepted) == (AckCode.ACCEPTED, 2, 2)
    assert pyx12_errors(data) == []


def test_997_reject_lists_every_error() -> None:
    data, (ack,) = acknowledge(inbound(BAD_214.format(n="0001")))
    assert body(data) == [
        "ST*997*0001",
        "AK1*QM*77",
        "AK2*214*0001",
        "AK3*B10*2**3",
        "AK3*AT7*3*0205*8",
        "AK4*1*1650*7*ZZ",
        "AK4*5*373*8*20240231",
        "AK3*XYZ*4*0205*1",
        "AK5*R*5",
        "AK9*R*1*1*0",
        "SE*11*0001",
    ]
    assert ack.code is AckCode.REJECTED
    assert pyx12_errors(data) == []


def test_997_partial_acceptance() -> None:
    sets = GOOD_214.format(n="0001") + BAD_214.format(n="0002") + GOOD_214.format(n="0003")
    data, (ack,) = acknowledge(inbound(sets))
    segs = body(data)
    assert segs[-2] == "AK9*P*3*3*2"
    assert [s for s in segs if s.startswith("AK5")] == ["AK5*A", "AK5*R*5", "AK5*A"]
    assert ack.code is AckCode.PARTIALLY_ACCEPTED
    assert pyx12_errors(data) == []


def test_997_accepted_with_errors() -> None:
    noted = (
        GOOD_214.format(n="0001")
        .replace("ST*214*0001", "ST*214*001")
        .replace("SE*5*0001", "SE*5*001")
    )
    data, (ack,) = acknowledge(inbound(noted))
    assert body(data)[2:7] == [
        "AK2*214*001",
        "AK3*ST*1**8",
        "AK4*2*329*4*001",
        "AK3*SE*5**8",
        "AK4*2*329*4*001",
    ]
    assert body(data)[-2] == "AK9*E*1*1*1"
    assert ack.code is AckCode.ACCEPTED_WITH_ERRORS


def test_envelope_codes_reach_ak5_and_ak9() -> None:
    bad_count = GOOD_214.format(n="0001").replace("SE*5*", "SE*9*")
    data, _ = acknowledge(inbound(bad_count + GOOD_214.format(n="0002"), count=5))
    segs = body(data)
    assert [s for s in segs if s.startswith("AK5")] == ["AK5*R*4", "AK5*A"]
    assert segs[-2] == "AK9*R*5*2*1*5"
    assert pyx12_errors(data) == []


def test_missing_ge_counts_what_was_received() -> None:
    data = inbound(GOOD_214.format(n="0001")).replace(b"GE*1*77~", b"")
    ack, (fa,) = acknowledge(data)
    assert body(ack)[-2] == "AK9*R*1*1*1*3"
    assert fa.group_codes == ("3",)


def test_4010_codes_stay_in_the_4010_lists() -> None:
    group = GroupHeader("QM", "ACMEFRT", "GATEWAY", "20240430", "0900", "77", "X", "004010")
    issues = [
        Issue(Level.TRANSACTION, "5", "x"),
        Issue(Level.SEGMENT, "8", "x", segment_id="AK4", segment_position=3),
        Issue(
            Level.ELEMENT,
            "13",
            "x",
            segment_id="AK4",
            segment_position=3,
            element_position=1,
            element_ref="C030",
        ),
    ]
    for version, expected in (("004010", "AK4*1**6*"), ("005010", "AK4*1**13*")):
        builder = FunctionalAckBuilder("997", group, version)
        builder.add(SetResult("214", "0001", "", AckCode.REJECTED, issues))
        end = GroupEnd(group, None, 1, [Issue(Level.GROUP, "19", "GS06 repeats")])
        with builder.finish(end) as ack:
            lines = ["*".join(str(f) for f in seg) for seg in ack.body()]
        assert expected in lines
        assert lines[-1] == ("AK9*R*1*1*0" if version == "004010" else "AK9*R*1*1*0*19")


def test_echoed_values_lose_delimiters_and_control_characters() -> None:
    group = GroupHeader("QM", "ACMEFRT", "GATEWAY", "20240430", "0900", "77", "X", "004010")
    bad = Issue(
        Level.ELEMENT,
        "6",
        "x",
        segment_id="N1",
        segment_position=4,
        element_position=2,
        bad_value="A>B*C\x01D",
    )
    builder = FunctionalAckBuilder("997", group)
    builder.add(SetResult("214", "0001", "", AckCode.REJECTED, [bad]))
    isa = next(
        e.header for e in read_events(io.BytesIO(inbound(""))) if isinstance(e, InterchangeStart)
    )
    data = build_ack_interchange(isa, [builder.finish(None)], None, CountingControlNumbers(), NOW)
    assert "AK3*N1*4**8" in body(data)
    assert "AK4*2**6*ABCD" in body(data)


def test_large_groups_spool_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(acks, "SPOOL_IN_MEMORY", 4096)
    group = GroupHeader("QM", "ACMEFRT", "GATEWAY", "20240430", "0900", "77", "X", "004010")
    builder = FunctionalAckBuilder("997", group)
    for n in range(2000):
        builder.add(SetResult("214", f"{n:04d}", "", AckCode.ACCEPTED, []))
    with builder.finish(None) as ack:
        assert ack._spool._rolled  # type: ignore[attr-defined]
        lines = list(ack.body())
    assert len(lines) == 1 + 2 * 2000 + 1
    assert lines[-1] == ["AK9", "A", "2000", "2000", "2000"]


# -- 999 -------------------------------------------------------------------------------------------


def test_999_accept() -> None:
    data, (ack,) = acknowledge(inbound(GOOD_214.format(n="0001"), version="005010"))
    assert body(data) == [
        "ST*999*0001*005010X231A1",
        "AK1*QM*77*005010",
        "AK2*214*0001",
        "IK5*A",
        "AK9*A*1*1*1",
        "SE*6*0001",
    ]
    assert ack.kind == "999"
    assert pyx12_errors(data) == []


def test_999_reject_and_partial() -> None:
    # 5010 214: L11 belongs before the AT7 loop, and the AT7 loop is mandatory
    late_l11 = "ST*214*0002*005010~B10*PRO*SHIP*ACME~LX*1~AT7*X1*NS***20240430*0845*LT~L11*REF*BM~SE*6*0002~"
    no_at7 = "ST*214*0003~B10*PRO*SHIP*ACME~LX*1~L11*1*BM~SE*5*0003~"
    data, (ack,) = acknowledge(
        inbound(GOOD_214.format(n="0001") + late_l11 + no_at7, version="005010")
    )
    assert body(data) == [
        "ST*999*0001*005010X231A1",
        "AK1*QM*77*005010",
        "AK2*214*0001",
        "IK5*A",
        "AK2*214*0002*005010",
        "IK3*L11*5*1100*7",
        "IK5*R*5",
        "AK2*214*0003",
        "IK3*AT7*5*1100*3",
        "IK5*R*5",
        "AK9*P*3*3*1",
        "SE*12*0001",
    ]
    assert ack.code is AckCode.PARTIALLY_ACCEPTED
    assert pyx12_errors(data) == []


def test_999_element_errors_with_components() -> None:
    bad = "ST*214*0001~B10*PRO*SHIP*ACME~LX*1~AT7*X1*ZZ***20240430*0861*LT~SE*5*0001~"
    data, _ = acknowledge(inbound(bad, version="005010"))
    assert body(data)[3:7] == ["IK3*AT7*4*1100*8", "IK4*2*1651*7*ZZ", "IK4*6*337*9*0861", "IK5*R*5"]
    assert pyx12_errors(data) == []


def test_999_rejected_group() -> None:
    data, _ = acknowledge(inbound(GOOD_214.format(n="0001"), version="005010", count=2))
    assert body(data)[-2] == "AK9*R*2*1*1*5"
    assert pyx12_errors(data) == []


# -- the ack interchange --------------------------------------------------------------------------


def test_ack_envelope_answers_the_inbound_one() -> None:
    data, _ = acknowledge(inbound(GOOD_214.format(n="0001"), version="005010"))
    lines = data.decode().splitlines()
    assert lines[0] == (
        "ISA*00*          *00*          *ZZ*GATEWAY        *02*ACMEFRT        "
        "*240501*1230*^*00501*000000500*0*T*:~"
    )
    assert lines[1] == "GS*FA*GATEWAY*ACMEFRT*20240501*1230*500*X*005010X231A1~"
    assert lines[-2:] == ["GE*1*500~", "IEA*1*000000500~"]
    events = list(read_events(io.BytesIO(data)))
    assert all(
        not e.issues for e in events if isinstance(e, TransactionSet | GroupEnd | InterchangeEnd)
    )


def test_ack_keeps_unusual_inbound_delimiters() -> None:
    path = SAMPLES / "TraxTechnologies__scala-x12__example214.x12"
    data, (ack,) = acknowledge(path.read_bytes())
    text = data.decode()
    assert text.startswith("ISA~00~") and text.splitlines()[0].endswith("~0~T~|^")
    assert "AK2~214~1200001^" in text
    assert ack.code is AckCode.ACCEPTED
    assert pyx12_errors(data) == []


def test_ta1_codes() -> None:
    isa = next(
        e.header
        for e in read_events(io.BytesIO(inbound(GOOD_214.format(n="0001"))))
        if isinstance(e, InterchangeStart)
    )
    assert technical_ack(isa, [], NOW).elements == [
        "TA1",
        "000000311",
        "240430",
        "0900",
        "A",
        "000",
    ]
    warning = Issue(Level.INTERCHANGE, "000", "ISA06 short", Severity.WARNING)
    assert technical_ack(isa, [warning], NOW).elements[4:] == ["A", "000"]
    error = Issue(Level.INTERCHANGE, "001", "IEA02 mismatch")
    assert technical_ack(isa, [warning, error], NOW).elements[4:] == ["R", "001"]
    noted = Issue(Level.INTERCHANGE, "022", "odd", Severity.WARNING)
    assert technical_ack(isa, [noted], NOW).elements[4:] == ["E", "022"]


def test_ta1_goes_between_isa_and_gs() -> None:
    raw = inbound(GOOD_214.format(n="0001")).replace(b"IEA*1*000000311", b"IEA*1*000000312")
    events = list(read_events(io.BytesIO(raw)))
    end = next(e for e in events if isinstance(e, InterchangeEnd))
    isa = end.header
    ta1 = technical_ack(isa, end.issues, NOW)
    assert ta1.elements[4:] == ["R", "001"]
    group = next(e for e in events if isinstance(e, GroupStart)).header
    builder = FunctionalAckBuilder("997", group)
    data = build_ack_interchange(isa, [builder.finish(None)], ta1, CountingControlNumbers(), NOW)
    lines = data.decode().splitlines()
    assert lines[1] == "TA1*000000311*240430*0900*R*001~"
    assert lines[2].startswith("GS*FA*")
    assert lines[-1] == "IEA*1*000000001~"
    parsed = list(read_events(io.BytesIO(data)))
    assert [type(e).__name__ for e in parsed][:3] == [
        "InterchangeStart",
        "TechnicalAck",
        "GroupStart",
    ]
    assert isinstance(parsed[1], TechnicalAck)


def test_control_numbers_count_and_wrap() -> None:
    numbers = CountingControlNumbers(999_999_998)
    assert [numbers.next_interchange() for _ in range(3)] == [999_999_998, 999_999_999, 1]
    assert numbers.next_group() == 999_999_998


@pytest.mark.parametrize(
    ("version", "kind", "ack"),
    [
        ("004010", "997", "004010"),
        ("004030", "997", "004030"),
        ("004010VICS", "997", "004010"),
        ("005010", "999", "005010X231A1"),
    ],
)
def test_kinds_and_versions(version: str, kind: AckKind, ack: str) -> None:
    assert default_ack_kind(version) == kind
    assert ack_version(kind, version) == ack


# -- every real transport sample, acknowledged and checked by pyx12 ------------------------------

SAMPLE_ACKS = {
    "Forever-code-once__conard_truck_awsTextract__204_FXFE_fedex_6ST_newline_embedded.edi": "E",
    "Forever-code-once__conard_truck_awsTextract__204_MGLYNNCO_lynnco_4ISA_incl_cancel_embedded.edi": "AAAA",
    "Inteligenz__X12Parser__210_CN_FreightInvoiceSample1.txt": "A",
    "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice.txt": "R",
    "apimeister__x12-types__204_test1_embedded.edi": "R",  # syntax notes (L11**BN, ...)
    "apimeister__x12-types__214_test2_embedded.edi": "P",
    "ballerina-platform__module-ballerina-edi__214_edi-214_output.edi": "A",
    "indice-co__EDI.Net__204-MGCTLYST-SAMPLE.EDI": "R",
    "indice-co__EDI.Net__210-MGCTLYST-SAMPLE.EDI": "A",
    "jlosack__b2b-ai-mapping__204.edi": "A",
    "kputnam__stupidedi__204_SM204_case_1.edi": "A",
    "nick-manasys__edi-parser__214-line-ending.edi": "A",
    "xlate__staedi__210_issue128_ts210_80char.edi": "A",
    "extra/Forever-code-once__conard_truck_awsTextract__204_KLOG_koch_embedded.edi": "A",
    "extra/apimeister__x12-types__204_test2_embedded.edi": "R",
}


@pytest.mark.parametrize("name", sorted(SAMPLE_ACKS))
def test_sample_997_is_clean_for_pyx12(name: str) -> None:
    """Samples in 00401 envelopes (pyx12 reads only 00401/00501 interchanges)."""
    data, done = acknowledge(Path(SAMPLES / name).read_bytes())
    assert "".join(a.code.value for a in done) == SAMPLE_ACKS[name]
    errors = pyx12_errors(data)
    if name.startswith("apimeister__x12-types__214_test2"):
        # the sender's ST02 is "001"; AK202 echoes it so the sender can match it, and pyx12
        # (rightly) finds it shorter than 4: the only findings allowed
        assert errors and all("AK202" in e and 'len("00' in e for e in errors), errors
    else:
        assert errors == []


def test_pyx12_check_can_fail() -> None:
    data, _ = acknowledge(inbound(GOOD_214.format(n="0001")))
    broken = data.replace(b"AK9*A*1*1*1", b"AK9*Q*1*1*1")
    assert pyx12_errors(broken) != []


def test_delimiters_argument_overrides() -> None:
    data = inbound(GOOD_214.format(n="0001"))
    isa = next(e.header for e in read_events(io.BytesIO(data)) if isinstance(e, InterchangeStart))
    d = Delimiters("|", "\\", "\n", None)
    out = build_ack_interchange(isa, [], None, CountingControlNumbers(), NOW, delimiters=d)
    assert out.decode().splitlines()[1] == "IEA|0|000000001"
