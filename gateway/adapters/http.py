"""HTTP transport (producer): POST a delivery to a REST endpoint or webhook, with httpx.

Every request carries `Idempotency-Key`; the receiver is expected to apply a key once, so a
retry after a crash (sent, but the result not recorded) has no second effect. When a signing
secret is configured the body is signed (HMAC-SHA256 over timestamp + body), Stripe-style,
so the receiver can tell the gateway from an impostor.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field

import httpx

from gateway.adapters.base import Delivery, PermanentDeliveryError, TransientDeliveryError

_CONTENT_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".x12": "application/edi-x12",
}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


@dataclass
class HttpSink:
    url: str
    timeout_seconds: float = 10.0
    bearer_token: str | None = None
    signing_secret: str | None = None
    transport: httpx.BaseTransport | None = None  # injectable, like httpx itself
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self.timeout_seconds, transport=self.transport, follow_redirects=False
            )
        return self._client

    def deliver(self, delivery: Delivery) -> None:
        suffix = delivery.name[delivery.name.rfind(".") :] if "." in delivery.name else ""
        headers = {
            "Idempotency-Key": delivery.idempotency_key,
            "Content-Type": _CONTENT_TYPES.get(suffix, delivery.content_type),
            "X-Gateway-Document": delivery.name,
        }
        if self.bearer_token:
            headers["Authorization"] = f"Bearer {self.bearer_token}"
        if self.signing_secret:
            stamp = str(int(time.time()))
            headers["X-Gateway-Timestamp"] = stamp
            headers["X-Gateway-Signature"] = signature(self.signing_secret, stamp, delivery.payload)
        try:
            response = self._http().post(self.url, content=delivery.payload, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientDeliveryError(f"timeout posting to {self.url}") from exc
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"cannot reach {self.url}: {type(exc).__name__}") from exc
        status = response.status_code
        if status < 300 or status == 409:  # 409: the peer already applied this key
            return
        if status in (408, 425, 429) or status >= 500:
            raise TransientDeliveryError(f"{self.url} answered {status}")
        raise PermanentDeliveryError(f"{self.url} refused the delivery: {status}")

    def flush(self) -> None:
        """Each POST is complete when the peer answers: nothing to flush."""

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
