"""Acknowledgement lifecycle: expected acks for what we send, reconciliation of what comes back.

States of an expected ack: pending -> accepted | accepted_with_errors | partially_accepted |
rejected, or pending -> overdue (flagged once) -> any of those when a late ack arrives.
"""

from gateway.acks.reconcile import (
    AckReconciler,
    ReconcileOutcome,
    Reconciliation,
)

__all__ = ["AckReconciler", "ReconcileOutcome", "Reconciliation"]
