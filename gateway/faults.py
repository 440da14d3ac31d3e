"""Named crash points for fault-injection tests: `kill -9` at an exact step of the pipeline.

Set GATEWAY_CRASHPOINT=<name> in a gateway's environment and the process sends itself SIGKILL
when it reaches that point: no cleanup, no flush, exactly what a power cut or OOM kill does.
Unset (always, in production) the check is one comparison against None.
"""

from __future__ import annotations

import os
import signal

_ARMED = os.environ.get("GATEWAY_CRASHPOINT") or None

# the points, in the order a message meets them
POINTS = (
    "after_receipt_commit",  # bytes archived and recorded, source not yet removed
    "mid_routing",  # sets mapped and routed, nothing of the interchange committed
    "after_interchange_commit",  # interchange recorded, message status not yet updated
    "before_group_commit",  # a claim's messages all processed in one transaction, not committed
    "after_delivery_sent",  # the peer has the delivery, the outbox row is not completed
    # also "after_delivery_sent:<destination>": the same point, for one destination's batch
)


def crashpoint(name: str) -> None:
    if _ARMED is not None and name == _ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
