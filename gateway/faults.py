"""Named crash points for fault-injection tests: `kill -9` at an exact step of the gateway.

Set GATEWAY_CRASHPOINT=<name> in a gateway's environment and the process sends itself SIGKILL
when it reaches that point: no cleanup, no flush, exactly what a power cut or OOM kill does.
Unset (always, in production) the check is one comparison against None.

Each point is ONE `crashpoint("<name>")` call at the step its comment names;
tests/reliability/test_crash_sweep.py kills a real `gateway run` at every one of them (on
SQLite and PostgreSQL), restarts it and checks that nothing was lost or done twice. A point
that is never reached fails that test, so a point cannot silently stop meaning anything.
"""

from __future__ import annotations

import os
import signal

_ARMED = os.environ.get("GATEWAY_CRASHPOINT") or None

# the points, in the order a message meets them
PIPELINE_POINTS = (
    "after_receipt_commit",  # bytes archived and recorded, source not yet removed
    "mid_parse",  # an interchange's first group written (sets held), its IEA not yet read
    "after_canonical",  # a set's canonical document built and planned, nothing of it written
    "after_control_numbers_allocated",  # ISA13/GS06/ST02 taken in a transaction not committed
    "after_ack_built",  # the 997/999/TA1 interchange built, its transaction not committed
    "mid_routing",  # sets mapped and routed, nothing of the interchange's end committed
    "after_interchange_commit",  # interchange recorded, message status not yet updated
    "before_group_commit",  # a claim's messages all processed in one transaction, not committed
    "after_delivery_sent",  # the peer has the delivery, the outbox row is not completed
    # also "after_delivery_sent:<destination>": the same point, for one destination's batch
    "after_delivery_recorded",  # the outbox rows completed, nothing else done yet
)
ADAPTER_POINTS = (
    "sftp_after_claim",  # the remote file renamed into <processing>, not yet copied
    "sftp_after_local_copy",  # the copy is whole and handed to the pipeline, not yet archived
    "sftp_after_remote_archive",  # the stored file moved to the remote archive, not yet noted
    "sftp_upload_part_written",  # `<name>.part` uploaded and confirmed, not yet renamed
    "sftp_upload_renamed",  # renamed to the final name, the delivery not yet recorded
    "soap_before_response",  # the SOAP call's effect committed, its response not yet sent
    "rest_after_receipt_commit",  # a posted payload recorded, no response (nor replay) stored
    "rest_before_response",  # the response stored for Idempotency-Key replays, not yet sent
)
POINTS = PIPELINE_POINTS + ADAPTER_POINTS


def crashpoint(name: str) -> None:
    if _ARMED is not None and name == _ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
