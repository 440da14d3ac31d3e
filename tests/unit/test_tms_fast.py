"""The TMS fast path for shipment statuses (`transforms.tms_json.render_tms_json`, what the
router delivers) writes byte for byte what the wire models write, refuses what they refuse, and
its JSON validates against the committed contract: on generated statuses and every public 214.
Also: the router's cached IDoc partner config is the one the profile builds."""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from gateway import canonical as c
from gateway.canonical import DocumentType
from gateway.registry.profile import IdocSettings
from gateway.routing import rules
from tests.unit.test_portal_fast import events
from tests.unit.test_tms_json import ANY_MESSAGE, BY_TYPE, idempotency_keys, instants, statuses
from tests.unit.test_tms_json import tuples as tuples_of
from tests.unit.test_transform_214 import SAMPLES_214
from tests.unit.test_transform_214 import transform_file as statuses_of
from transforms import tms_json
from transforms.tms_json import TmsContractError, render_tms_json, to_tms_message

documents = st.builds(
    lambda doc, evs: doc.model_copy(update={"events": evs}), statuses, tuples_of(events, 4)
)
# keys the contract takes, and some it refuses (spaces, too long, empty)
keys = idempotency_keys | st.sampled_from(["a b", "x" * 201, "", "k\u00e9y"])


def by_the_models(
    doc: c.ShipmentStatus, key: str, when: dt.datetime | None
) -> bytes | type[Exception]:
    try:
        message = to_tms_message(doc, idempotency_key=key, occurred_at=when)
    except ValueError as exc:
        return type(exc)
    return message.model_dump_json(indent=2).encode()


def fast_or_error(
    doc: c.ShipmentStatus, key: str, when: dt.datetime | None
) -> bytes | type[Exception]:
    try:
        return render_tms_json(doc, idempotency_key=key, occurred_at=when)
    except ValueError as exc:
        return type(exc)


def valid(payload: bytes) -> None:
    data = json.loads(payload)
    ANY_MESSAGE.validate(data)
    BY_TYPE["shipment_status"].validate(data)


@settings(max_examples=300, deadline=None)
@given(doc=documents, key=keys, when=st.none() | instants)
def test_fast_json_equals_the_models_on_generated_statuses(
    doc: c.ShipmentStatus, key: str, when: dt.datetime | None
) -> None:
    expected = by_the_models(doc, key, when)
    assert fast_or_error(doc, key, when) == expected
    if isinstance(expected, bytes):
        valid(expected)


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_samples_take_the_fast_path_and_equal_the_models(name: str) -> None:
    docs = statuses_of(SAMPLES_214[name])
    assert docs
    for doc in docs:
        when = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
        for occurred_at in (None, when):
            if tms_json._document_instant(doc) is None and occurred_at is None:
                with pytest.raises(ValueError):
                    render_tms_json(doc, idempotency_key="key-1", occurred_at=occurred_at)
                continue
            fast = tms_json._status_json(doc, "key-1", occurred_at)
            assert fast is not None  # the real 214s need no fallback
            assert fast == by_the_models(doc, "key-1", occurred_at)
            valid(fast)


def test_what_the_contract_may_refuse_goes_through_the_models() -> None:
    (doc, *_) = statuses_of(next(iter(SAMPLES_214.values())))
    when = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    assert tms_json._status_json(doc, "a b", when) is None
    with pytest.raises(TmsContractError):
        render_tms_json(doc, idempotency_key="a b", occurred_at=when)
    # a decimal the canonical JSON writes as 1E+2 (the wire: "100")
    weight = c.Weight(value=Decimal("1E+2"), unit=c.WeightUnit.POUNDS)
    event = doc.events[0].model_copy(update={"weight": weight, "weights": (weight,)})
    odd = doc.model_copy(update={"events": (event,)})
    assert tms_json._status_json(odd, "k", when) is None
    payload = render_tms_json(odd, idempotency_key="k", occurred_at=when)
    assert json.loads(payload)["payload"]["events"][0]["weight"]["value"] == "100"
    # a naive instant (only reachable by skipping the canonical validation)
    naive = dt.datetime(2024, 5, 1, 12, 0)
    assert tms_json._status_json(doc, "k", naive) is None
    with pytest.raises(TmsContractError):
        render_tms_json(doc, idempotency_key="k", occurred_at=naive)


def _decimal_fields(model: type[BaseModel], seen: dict[str, set[str]]) -> None:
    """Every Decimal field of `model` and the models it holds, by model name."""
    if model.__name__ in seen:
        return
    seen[model.__name__] = set()
    for name, info in model.model_fields.items():
        stack = [info.annotation]
        while stack:
            tp = stack.pop()
            if tp is Decimal:
                seen[model.__name__].add(name)
            elif isinstance(tp, type) and issubclass(tp, BaseModel):
                _decimal_fields(tp, seen)
            else:
                stack.extend(a for a in typing.get_args(tp) if a is not Ellipsis)
                if isinstance(tp, types.UnionType):
                    stack.extend(tp.__args__)


def test_the_fast_path_knows_every_decimal_of_a_status() -> None:
    """A Decimal field added to a status's models must be checked by `_plain_decimals`."""
    seen: dict[str, set[str]] = {}
    _decimal_fields(c.ShipmentStatus, seen)
    found = {model: fields for model, fields in seen.items() if fields}
    assert found == {m: set(f) for m, f in tms_json._STATUS_DECIMALS.items()}


def test_the_fast_path_turns_off_when_the_models_part(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tms_json._same_fields()

    class Longer(tms_json.Note):
        extra: str | None = None

    pairs = (*tms_json._STATUS_PAIRS[:-1], (c.Note, Longer))
    monkeypatch.setattr(tms_json, "_STATUS_PAIRS", pairs)
    assert not tms_json._same_fields()


def test_router_partner_config_is_cached_per_settings_object() -> None:
    settings = IdocSettings(
        sndpor="GATEWAY", sndprt="LS", sndprn="EDIGW", rcvpor="SAPQ01", rcvprt="LS", rcvprn="Q01"
    )
    other = settings.model_copy(update={"rcvprn": "P01"})
    first = rules._partner_config(settings, DocumentType.SHIPMENT_STATUS)
    assert first == settings.partner_config(DocumentType.SHIPMENT_STATUS)
    assert rules._partner_config(settings, DocumentType.SHIPMENT_STATUS) is first
    assert rules._partner_config(other, DocumentType.SHIPMENT_STATUS).rcvprn == "P01"
    assert rules._partner_config(settings, DocumentType.FREIGHT_INVOICE) == (
        settings.partner_config(DocumentType.FREIGHT_INVOICE)
    )


def test_router_renders_the_same_tms_file_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = statuses_of(next(iter(SAMPLES_214.values())))[0]
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    dest: Any = types.SimpleNamespace(id="tms", delivery_transport=None)
    fast = rules._render_tms(doc, dest, "k", now, Any)
    monkeypatch.setattr(tms_json, "_status_json", lambda *a: None)
    assert rules._render_tms(doc, dest, "k", now, Any) == fast
