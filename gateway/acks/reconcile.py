"""Reconcile received 997/999/TA1 against the acks the gateway expects; flag overdue ones.

A duplicate or unknown acknowledgement is recorded as an event and never raises: a partner's
stray 997 must not become an error loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from gateway.canonical import AckStatus as CanonicalAckStatus
from gateway.canonical import FunctionalAck, TechnicalAck, TenderAction, TenderResponse
from gateway.store import AckDirection, AckKind, AckRow, AckStatus, NewAck, Store

_OPEN = (AckStatus.PENDING, AckStatus.OVERDUE)


class ReconcileOutcome(StrEnum):
    MATCHED = "matched"
    LATE = "late"  # matched an overdue expectation: the overdue flag is cleared
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    outcome: ReconcileOutcome
    status: AckStatus | None
    expected_id: int | None
    detail: str


def _status(value: CanonicalAckStatus) -> AckStatus:
    # "other" (M, W, X: MAC or assurance failures) is a rejection for tracking purposes
    if value is CanonicalAckStatus.OTHER:
        return AckStatus.REJECTED
    return AckStatus(value.value)


class AckReconciler:
    def __init__(self, store: Store, *, clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))

    def functional(
        self, partner_id: str, ack: FunctionalAck, *, message_id: int | None = None
    ) -> Reconciliation:
        """A received 997/999 against the group (GS06) we sent to this partner."""
        kind = AckKind.FA999 if ack.ack_set_id == "999" else AckKind.FA997
        status = _status(ack.status)
        candidates = [
            a
            for a in self.store.list_acks(
                direction=AckDirection.EXPECTED,
                partner_id=partner_id,
                group_control_number=ack.group_control_number,
            )
            if a.kind in (AckKind.FA997, AckKind.FA999)
            and (a.functional_id in (None, "", ack.functional_id))
        ]
        detail: dict[str, object] = {
            "functional_id": ack.functional_id,
            "group_control_number": ack.group_control_number,
            "code": ack.code,
            "sets_accepted": ack.sets_accepted,
            "sets_received": ack.sets_received,
        }
        self.store.add_acks(
            [
                NewAck(
                    direction=AckDirection.RECEIVED,
                    kind=kind,
                    status=status,
                    partner_id=partner_id,
                    interchange_control_number=ack.source.interchange_control_number or "",
                    group_control_number=ack.group_control_number,
                    functional_id=ack.functional_id,
                    ack_message_id=message_id,
                    detail=detail,
                )
            ]
        )
        return self._settle(
            candidates, status, message_id, detail, what=f"GS06 {ack.group_control_number}"
        )

    def technical(
        self, partner_id: str, ack: TechnicalAck, *, message_id: int | None = None
    ) -> Reconciliation:
        """A received TA1 against the interchange (ISA13) we sent to this partner."""
        status = _status(ack.status)
        number = ack.interchange_control_number
        candidates = [
            a
            for a in self.store.list_acks(
                direction=AckDirection.EXPECTED, partner_id=partner_id, kind=AckKind.TA1
            )
            if a.interchange_control_number.lstrip("0") == number.lstrip("0")
        ]
        detail: dict[str, object] = {
            "interchange_control_number": number,
            "code": ack.code,
            "note": ack.note_code,
        }
        self.store.add_acks(
            [
                NewAck(
                    direction=AckDirection.RECEIVED,
                    kind=AckKind.TA1,
                    status=status,
                    partner_id=partner_id,
                    interchange_control_number=number,
                    ack_message_id=message_id,
                    detail=detail,
                )
            ]
        )
        if not candidates and status is AckStatus.REJECTED:
            # no TA1 was asked for, but a rejected interchange will never get its 997s:
            # settle the functional acks we wait for on that interchange instead
            candidates = [
                a
                for a in self.store.list_acks(
                    direction=AckDirection.EXPECTED, partner_id=partner_id
                )
                if a.kind is not AckKind.TA1
                and a.interchange_control_number.lstrip("0") == number.lstrip("0")
            ]
            if candidates:
                results = [
                    self._settle([a], status, message_id, detail, what=f"ISA13 {number}")
                    for a in candidates
                ]
                return results[0]
        return self._settle(candidates, status, message_id, detail, what=f"ISA13 {number}")

    def tender_response(
        self, partner_id: str, response: TenderResponse, *, message_id: int | None = None
    ) -> Reconciliation:
        """A carrier's 990 against the 204 we sent it (found through the shipment id)."""
        detail: dict[str, object] = {
            "shipment_id": response.shipment_id,
            "action": response.action.value,
            "code": response.action_code,
            "decline_reason": response.decline_reason_code,
        }
        isa13s = self._tender_interchanges(partner_id, response.shipment_id)
        candidates = [
            a
            for a in self.store.list_acks(
                direction=AckDirection.EXPECTED,
                partner_id=partner_id,
                kind=AckKind.TENDER_RESPONSE,
            )
            if a.interchange_control_number in isa13s
        ]
        status = (
            AckStatus.ACCEPTED
            if response.action in (TenderAction.ACCEPTED, TenderAction.CONDITIONALLY_ACCEPTED)
            else AckStatus.REJECTED
        )
        what = f"tender {response.shipment_id}"
        result = self._settle(candidates, status, message_id, detail, what=what)
        if status is AckStatus.REJECTED and result.outcome is not ReconcileOutcome.UNKNOWN:
            self.store.add_event(
                "alert", {"kind": "tender_declined", **detail}, message_id=message_id
            )
        return result

    def _tender_interchanges(self, partner_id: str, shipment_id: str | None) -> set[str]:
        """ISA13s of the 204s sent to this partner for this shipment."""
        if not shipment_id:
            return set()
        found: set[str] = set()
        for doc in self.store.search(shipment_id, limit=20):
            if doc.doc_type == "load_tender" and doc.partner_id == partner_id:
                found.update(v for k, v in doc.keys if k == "isa13")
        return found

    def _settle(
        self,
        candidates: list[AckRow],
        status: AckStatus,
        message_id: int | None,
        detail: dict[str, object],
        *,
        what: str,
    ) -> Reconciliation:
        if not candidates:
            self.store.add_event(
                "unknown_ack",
                {**detail, "reason": f"no expected ack for {what}"},
                message_id=message_id,
            )
            return Reconciliation(
                ReconcileOutcome.UNKNOWN, None, None, f"no expected ack for {what}"
            )
        open_ = [a for a in candidates if a.status in _OPEN]
        if not open_:
            first = candidates[0]
            self.store.add_event(
                "duplicate_ack", {**detail, "expected_id": first.id}, message_id=message_id
            )
            return Reconciliation(
                ReconcileOutcome.DUPLICATE, first.status, first.id, f"{what} already reconciled"
            )
        target = open_[0]
        late = target.status is AckStatus.OVERDUE
        changed = self.store.update_ack(
            target.id, status, ack_message_id=message_id, only_from=_OPEN, now=self.clock()
        )
        if not changed:  # another worker settled it between our read and our write
            return Reconciliation(
                ReconcileOutcome.DUPLICATE, None, target.id, f"{what} already reconciled"
            )
        if late:
            self.store.add_event(
                "overdue_cleared", {**detail, "expected_id": target.id}, message_id=message_id
            )
        if status is AckStatus.REJECTED:
            self.store.add_event(
                "alert",
                {"kind": "ack_rejected", **detail, "expected_id": target.id},
                message_id=message_id,
            )
        outcome = ReconcileOutcome.LATE if late else ReconcileOutcome.MATCHED
        return Reconciliation(outcome, status, target.id, f"{what} {status.value}")

    def flag_overdue(self) -> list[AckRow]:
        """Expected acks past due become overdue, each exactly once, with an alert event."""
        flagged = self.store.mark_overdue_acks(self.clock())
        for ack in flagged:
            self.store.add_event(
                "alert",
                {
                    "kind": "ack_overdue",
                    "ack_id": ack.id,
                    "partner_id": ack.partner_id,
                    "ack_kind": ack.kind.value,
                    "interchange_control_number": ack.interchange_control_number,
                    "group_control_number": ack.group_control_number,
                },
            )
        return flagged
