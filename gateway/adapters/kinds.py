"""The transport kinds this gateway can run: a profile naming any other kind is an error.

The profile format knows more kinds (sftp, soap) than there are adapters; `partners check`
refuses a profile whose transport has none, instead of the gateway starting and its first
delivery going to the dead letters. A new adapter adds its kind here with its registration.
"""

from __future__ import annotations

# folder and sftp: sources (adapters/sources.py) and sinks (pipeline/delivery.py SINKS); http and
# amqp: sinks; soap: the ERP calls the SOAP service the gateway serves (gateway/soap).
RUNNABLE_TRANSPORT_KINDS: set[str] = {"folder", "http", "sftp", "amqp", "soap"}


def register_transport_kind(kind: str) -> None:
    """Declare that an adapter for `kind` is installed (called where the adapter registers)."""
    RUNNABLE_TRANSPORT_KINDS.add(kind)
