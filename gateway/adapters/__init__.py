"""The edges: transports that move bytes in and out. They know files and sockets, not X12.

New transports register a factory here by kind name (one file plus one line).
"""

from __future__ import annotations

from gateway.adapters.base import (
    AdapterError,
    ChannelFacts,
    Delivery,
    InboundClaim,
    PermanentDeliveryError,
    Sink,
    Source,
    TransientDeliveryError,
)

__all__ = [
    "AdapterError",
    "ChannelFacts",
    "Delivery",
    "InboundClaim",
    "PermanentDeliveryError",
    "Sink",
    "Source",
    "TransientDeliveryError",
]
