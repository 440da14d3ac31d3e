"""HTTP delivery against a real HTTP peer on loopback: idempotency keys, retries, signatures."""

from __future__ import annotations

import pytest

from gateway.adapters.base import Delivery, PermanentDeliveryError, TransientDeliveryError
from gateway.adapters.http import HttpSink, signature
from tests.peers.http_peer import HttpPeer


def test_delivery_once_and_a_retry_has_no_second_effect() -> None:
    with HttpPeer() as peer:
        sink = HttpSink(peer.url, signing_secret="s3cret")
        d = Delivery("tms", "status-1.json", b'{"a": 1}', "key-1")
        sink.deliver(d)
        sink.deliver(d)  # e.g. after a crash before the result was recorded
        sink.close()
    assert peer.state.effects == {"key-1": 1}
    assert peer.state.attempts["key-1"] == 2
    h = peer.state.headers["key-1"]
    assert h["Content-Type"] == "application/json"
    assert h["X-Gateway-Signature"] == signature("s3cret", h["X-Gateway-Timestamp"], b'{"a": 1}')


@pytest.mark.parametrize(
    ("status", "error"),
    [(503, TransientDeliveryError), (429, TransientDeliveryError), (400, PermanentDeliveryError)],
)
def test_failures_are_classified(status: int, error: type[Exception]) -> None:
    with HttpPeer() as peer:
        peer.state.fail_next, peer.state.fail_status = 1, status
        sink = HttpSink(peer.url)
        with pytest.raises(error):
            sink.deliver(Delivery("tms", "x.json", b"{}", "k"))
        sink.deliver(Delivery("tms", "x.json", b"{}", "k"))  # the peer recovered
        sink.close()
    assert peer.state.effects == {"k": 1}


def test_unreachable_peer_is_transient() -> None:
    with HttpPeer() as peer:
        url = peer.url
    with pytest.raises(TransientDeliveryError):
        HttpSink(url, timeout_seconds=2).deliver(Delivery("tms", "x.json", b"{}", "k"))
