"""A message whose worker died after its interchange took effect but before its status was
recorded is finished by the next worker as parsed (not as the partner's duplicate), and
nothing of it takes effect twice."""

from __future__ import annotations

from pathlib import Path

from gateway.store import MessageStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home


def test_a_message_resumed_after_its_effect_is_parsed_once(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "one.x12", demo_214("000000321"))
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED
    outbox = sorted(o.idempotency_key for o in gw.store.list_outbox())
    # the worker was killed between the interchange's commit and the status change
    assert gw.store.mark_message(msg.id, MessageStatus.RECEIVED)
    gw.tick()
    again = gw.store.get_message(msg.id)
    assert again is not None and again.status is MessageStatus.PARSED
    assert sorted(o.idempotency_key for o in gw.store.list_outbox()) == outbox
    kinds = [e.kind for e in gw.store.list_events(message_id=msg.id)]
    assert "resumed" in kinds and "duplicate" not in kinds
    gw.store.close()
