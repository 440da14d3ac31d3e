"""Signed webhooks: what a receiver (the TMS, the portal) checks on each POST from the gateway.

The gateway's HTTP sink (gateway/adapters/http.py) sends, when the destination has a
`signing_secret`:

    X-Gateway-Timestamp: <unix seconds>
    X-Gateway-Signature: hex(HMAC-SHA256(secret, "<timestamp>." + body))
    Idempotency-Key:     <the outbox key: the same on every retry of one delivery>

`verify` is the receiver's side: a wrong signature or a timestamp outside the replay window
(default 5 minutes either way) is refused, so a captured request cannot be replayed later and
a body cannot be altered; the receiver applies each Idempotency-Key once (a retry after a lost
answer is answered 2xx or 409 without a second effect). Retries with backoff and the dead
letter are the outbox's (gateway/pipeline/delivery.py).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping

from gateway.adapters.http import signature

SIGNATURE_HEADER = "X-Gateway-Signature"
TIMESTAMP_HEADER = "X-Gateway-Timestamp"
REPLAY_WINDOW_SECONDS = 300.0


class WebhookRejected(ValueError):
    """The request is not from the gateway, was altered, or is too old (a replay)."""


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    window: float = REPLAY_WINDOW_SECONDS,
) -> None:
    """Raise WebhookRejected unless `body` was signed with `secret` within `window` seconds."""
    lowered = {k.lower(): v for k, v in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not stamp.isdigit() or not given:
        raise WebhookRejected("missing signature or timestamp")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > window:
        raise WebhookRejected("timestamp outside the replay window")
    if not hmac.compare_digest(signature(secret, stamp, body), given):
        raise WebhookRejected("signature does not match")
