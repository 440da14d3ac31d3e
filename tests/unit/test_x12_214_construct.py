"""The 214 mapping builds TrackingEvent, ShipmentStatus and Equipment without validating their
values again (`transforms.x12_common.constructor_of`): the documents it gives equal, type for
type and field for field (fields set included), those the validated construction gives, on
generated 214s of every segment the mapping reads (bad values too) and on every public 214."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from gateway.canonical import Equipment, ShipmentStatus, TrackingEvent
from tests.unit.test_transform_214 import SAMPLES_214, transform, transform_file
from transforms import x12_214
from transforms import x12_common as x
from transforms.status_taxonomy import STANDARD_REASONS, STANDARD_STATUS


def same(a: Any, b: Any, path: str = "doc") -> None:
    """a and b are the same value: same types all the way down (1 == True and a StrEnum equal
    to its str would hide a difference from ==), same field order, same fields set."""
    assert type(a) is type(b), (path, type(a), type(b))
    if isinstance(a, BaseModel):
        assert list(a.__dict__) == list(b.__dict__), path
        assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__, path
        assert a.__pydantic_extra__ == b.__pydantic_extra__, path
        assert a.__pydantic_private__ == b.__pydantic_private__, path
        for name, value in a.__dict__.items():
            same(value, b.__dict__[name], f"{path}.{name}")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), path
        for n, (u, v) in enumerate(zip(a, b, strict=True)):
            same(u, v, f"{path}[{n}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, dt.datetime):
        assert a == b and a.utcoffset() == b.utcoffset() and a.tzinfo == b.tzinfo, path
    elif isinstance(a, Decimal):
        assert str(a) == str(b), path
    else:
        assert a == b, path


def both(build: Any) -> None:
    """The documents `build` maps with the fast construction, then with the validated one (as
    the mapping was before the fast path), are the same."""
    fast = build()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(x12_214, "_new_event", x.validator_of(TrackingEvent))
        m.setattr(x12_214, "_new_status", x.validator_of(ShipmentStatus))
        m.setattr(x12_214, "_new_equipment", x.validator_of(Equipment))
        slow = build()
    same(fast, slow)
    assert fast == slow
    docs = fast if isinstance(fast, list) else [fast]
    for doc, other in zip(docs, slow if isinstance(slow, list) else [slow], strict=True):
        assert doc.model_dump_json() == other.model_dump_json()
        # the validator takes the fast document's values as they are
        again = ShipmentStatus.model_validate(doc.model_dump())
        assert again == doc and again.model_dump_json() == doc.model_dump_json()


# --- generated 214s: every segment the mapping reads, good and bad values ----------------------

words = st.sampled_from(["", "ACME", "DENVER", "Zürich", "A B", "12", "x" * 40])
numbers = st.sampled_from(["", "1", "007", "12.5", "-3", "1E3", "abc", "99999999999", ".5"])
at7_codes = st.sampled_from(["", "ZZ", "X1", *sorted(STANDARD_STATUS)[:40]])
reasons = st.sampled_from(["", "ZZ", *sorted(STANDARD_REASONS)[:30]])
dates = st.sampled_from(["", "20240310", "240310", "20241301", "00000000", "20240229", "2024"])
times = st.sampled_from(["", "0130", "013045", "2460", "1200", "12"])
time_codes = st.sampled_from(["", "LT", "CT", "ET", "UT", "PT", "XX", "GM", "AT"])
states = st.sampled_from(["", "IL", "CO", "ON", "XX", "TX"])
countries = st.sampled_from(["", "US", "USA", "CA", "ZZ", "MX"])
coordinates = st.sampled_from(["", "0874512", "-100.51", "abc", "41.8", "1234567"])
qualifiers = st.sampled_from(["", "BM", "PO", "QN", "CR", "2I", "CN", "ZZ", "AW"])
roles = st.sampled_from(["", "SH", "CN", "ST", "SF", "BT", "CA", "ZZ"])


def line(tag: str, *elements: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*elements).map(lambda values: "*".join((tag, *values)).rstrip("*"))


at7 = line("AT7", at7_codes, reasons, at7_codes, reasons, dates, times, time_codes)
# the segments a status's event carries (MS1 position, MS2 equipment, M7 seals, K1 remarks)
event_segment = st.one_of(
    line(
        "MS1",
        words,
        states,
        countries,
        coordinates,
        coordinates,
        st.sampled_from(["", "W", "E"]),
        st.sampled_from(["", "N", "S"]),
        words,
    ),
    line("MS2", words, words, words, words),
    line("M7", words, words),
    line("K1", words, words),
)
segment = st.one_of(
    line("LX", numbers),
    at7,
    at7,
    event_segment,
    line("L11", words, qualifiers),
    line("N1", roles, words, st.sampled_from(["", "93", "ZZ"]), words),
    line("N3", words, words),
    line("N4", words, states, words, countries),
    line(
        "G62",
        st.sampled_from(["", "86", "17", "ZZ"]),
        dates,
        st.sampled_from(["", "8"]),
        times,
        time_codes,
    ),
    line(
        "AT8",
        st.sampled_from(["", "G", "N"]),
        st.sampled_from(["", "L", "K", "X"]),
        numbers,
        numbers,
        numbers,
        st.sampled_from(["", "E", "X"]),
        numbers,
    ),
    line("Q7", words, words, numbers),
    line("CD3", words, words),
    line("PRF", words),
    line("OID", words, words),
    line("MS3", words, numbers, words, st.sampled_from(["", "M", "X"]), states),
    line("MAN", words, words),
    line("XYZ", words),
)
b10 = line("B10", words, words, words, st.just(""), qualifiers, words)


@st.composite
def sets(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    body = [draw(b10)] if draw(st.booleans()) else []
    body += draw(st.lists(segment, max_size=6))  # heading (and anything out of place)
    for _ in range(draw(st.integers(1, 3))):  # LX loops of AT7 loops, then what attaches
        body.append(draw(line("LX", numbers)))
        for _ in range(draw(st.integers(1, 3))):
            body.append(draw(at7))
            body += draw(st.lists(event_segment, max_size=4))
        body += draw(st.lists(segment, max_size=8))
    version = draw(st.sampled_from(["004010", "005010"]))
    options: dict[str, Any] = {
        "default_tz": draw(st.sampled_from([None, "America/Chicago", "Europe/Berlin"])),
        "profile_code_map": draw(
            st.sampled_from([None, {"X1": "delivered", "ZZ": "not_a_status", "AG": "in_transit"}])
        ),
    }
    lines = ["ST*214*0001", *body, f"SE*{len(body) + 2}*0001"]
    return "\n".join(line + "~" for line in lines), version, options


@settings(max_examples=400, deadline=None)
@given(case=sets())
def test_fast_construction_equals_the_validated_on_generated_214s(
    case: tuple[str, str, dict[str, Any]],
) -> None:
    text, version, options = case
    both(lambda: transform(text, version=version, **options))


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_fast_construction_equals_the_validated_on_samples(name: str) -> None:
    for options in ({}, {"default_tz": "America/Chicago"}):
        both(lambda options=options: transform_file(SAMPLES_214[name], **options))


def test_constructor_defaults_and_refusals() -> None:
    new_equipment = x.constructor_of(Equipment)
    fast = new_equipment({"number": "TRL1"})  # the rest by default, in field order
    same(fast, Equipment.model_validate({"number": "TRL1"}))
    with pytest.raises(ValidationError):
        new_equipment({"number": "TRL1", "no_such_field": 1})  # extra="forbid", as validated
    with pytest.raises(ValidationError):
        x.constructor_of(TrackingEvent)({"status": "delivered"})  # is_mapped is required


def test_seals_join_the_first_equipment_as_model_copy_did() -> None:
    """M7 seals go on the first MS2's equipment: the same instance, fields set included, that
    `model_copy(update={"seal_numbers": ...})` made before, or one of seals alone."""
    text = "\n".join(
        [
            "ST*214*0001~",
            "LX*1~",
            "AT7*X1*NS***20240310*0130*CT~",
            "MS2*ABCD*TRL01*TL~",
            "MS2*ABCD*TRL02~",
            "M7*S1*S2~",
            "AT7*D1*NS***20240310*0330*CT~",
            "M7*S3~",
            "SE*9*0001~",
        ]
    )
    first, second = transform(text).events
    before = Equipment.model_validate(
        {"owner_scac": "ABCD", "number": "TRL01", "type_code": "TL", "check_digit": None}
    ).model_copy(update={"seal_numbers": ("S1", "S2")})
    same(first.equipment[0], before)
    same(
        first.equipment[1],
        Equipment.model_validate(
            {"owner_scac": "ABCD", "number": "TRL02", "type_code": None, "check_digit": None}
        ),
    )
    same(second.equipment, (Equipment(seal_numbers=("S3",)),))
