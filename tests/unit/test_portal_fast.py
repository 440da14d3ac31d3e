"""The portal fast path (`transforms.portal.status_update_json`, what the router renders for a
shipment status) writes byte for byte what the models write, and what it writes validates
against the committed portal v1 schema: on generated documents and on every public 214."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gateway import canonical as c
from gateway.routing import rules
from tests.unit.test_portal import VALIDATOR
from tests.unit.test_tms_json import (
    dates,
    equipment,
    instants,
    locations,
    notes,
    opt_texts,
    parties,
    references,
    small,
    statuses,
    tuples,
    volumes,
    weights,
)
from tests.unit.test_transform_214 import SAMPLES_214
from tests.unit.test_transform_214 import transform_file as statuses_of
from transforms import portal
from transforms.portal import REASON_WORDS

# codes that reach every branch of the words: known reasons, unknown ones, blanks, lower case
codes = st.none() | st.sampled_from([*REASON_WORDS, "ns", " A1 ", "ZZ", ""]) | opt_texts
events = st.builds(
    c.TrackingEvent,
    status=st.sampled_from(c.StatusKind),
    is_mapped=st.booleans(),
    is_estimate=st.booleans(),
    status_code=opt_texts,
    reason_code=codes,
    reason=st.none() | st.sampled_from(c.ReasonKind),
    appointment_code=opt_texts,
    appointment_kind=st.none() | st.sampled_from(c.AppointmentKind),
    appointment_reason_code=codes,
    event_time=st.none() | instants,
    event_date=st.none() | dates,
    location=st.none() | locations,
    equipment=tuples(equipment),
    references=tuples(references, 3),
    parties=tuples(parties, 2),
    weight=st.none() | weights,
    volume=st.none() | volumes,
    notes=tuples(notes),
    package_id=opt_texts,
    segment_index=small,
)
documents = st.builds(
    lambda doc, evs: doc.model_copy(update={"events": evs}), statuses, tuples(events, 5)
)
customers = st.sampled_from(["unassigned", "cust-42", "ü" * 200]) | st.text(min_size=1)


def model_rendering(doc: c.ShipmentStatus, customer_id: str) -> list[tuple[str, bytes]]:
    return [
        (u.idempotency_key, u.model_dump_json(indent=2).encode())
        for u in portal.portal_updates(doc, customer_id=customer_id)
    ]


def check(doc: c.ShipmentStatus, customer_id: str) -> list[tuple[str, bytes]]:
    fast = portal.status_update_json(doc, customer_id=customer_id)
    assert fast is not None
    assert fast == model_rendering(doc, customer_id)
    for _, payload in fast:
        VALIDATOR.validate(json.loads(payload))
    return fast


@settings(max_examples=300, deadline=None)
@given(doc=documents, customer_id=customers)
def test_fast_json_equals_the_models_on_generated_documents(
    doc: c.ShipmentStatus, customer_id: str
) -> None:
    if len(customer_id) > 200:
        assert portal.status_update_json(doc, customer_id=customer_id) is None
        return
    assert len(check(doc, customer_id)) == len(doc.events)


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_fast_json_equals_the_models_on_samples(name: str) -> None:
    docs = statuses_of(SAMPLES_214[name])
    assert docs
    for doc in docs:
        for customer_id in ("customer-1", "unassigned"):
            assert len(check(doc, customer_id)) == len(doc.events)


def test_what_the_models_refuse_goes_the_model_path() -> None:
    """A customer id out of the contract's bounds, a naive time (only reachable by skipping
    the canonical validation): no fast JSON; the model path refuses them."""
    (doc, *_) = statuses_of(next(iter(SAMPLES_214.values())))
    for customer_id in ("", "x" * 201):
        assert portal.status_update_json(doc, customer_id=customer_id) is None
        with pytest.raises(ValidationError):
            portal.portal_updates(doc, customer_id=customer_id)
    naive = doc.events[0].model_copy(update={"event_time": dt.datetime(2024, 1, 1, 12, 0)})
    broken = doc.model_copy(update={"events": (naive,)})
    assert portal.status_update_json(broken, customer_id="c") is None
    with pytest.raises(ValidationError):
        portal.portal_updates(broken, customer_id="c")


class _Registry:
    """The one registry call `_render_portal` makes: no known customer."""

    def by_customer_id(self, value: str) -> Any:
        return None


@dataclasses.dataclass
class _Dest:
    id: str = "portal"
    delivery_transport: Any = None


def test_router_renders_the_same_deliveries_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = statuses_of(next(iter(SAMPLES_214.values())))[0]
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    args: Any = (doc, _Dest(), "k", now, _Registry())
    fast = rules._render_portal(*args)
    monkeypatch.setattr(portal, "status_update_json", lambda *a, **k: None)
    slow = rules._render_portal(*args)
    assert fast == slow and len(fast) == len(doc.events)
