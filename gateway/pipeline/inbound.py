"""Inbound path: receive (archive + receipt, then commit the source) and process a message.

X12 goes through `X12Inbound` (streaming, effective at IEA); IDoc XML and JSON from systems
(the ERP's released orders) are read whole (capped, hardened) and routed, with X12 going out
to carriers through `OutboundX12`. Every processing decision ends in a message status:
parsed, duplicate or quarantined (with its reason), never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from gateway.acks import AckReconciler
from gateway.adapters.base import InboundClaim
from gateway.adapters.pickup import commit_claims
from gateway.canonical import AnyDocument, LoadTender, ShipmentStatus, TenderResponse
from gateway.faults import crashpoint
from gateway.idoc.errors import IdocError
from gateway.pipeline.archive import Archive, ArchiveError, OversizeError
from gateway.pipeline.dispatch import Dispatcher, business_key, shipment_values
from gateway.pipeline.documents import read_documents
from gateway.pipeline.outbound import OutboundError, OutboundX12
from gateway.pipeline.x12_inbound import X12Inbound, message_status, withheld_event
from gateway.registry import PartnerProfile, Registry
from gateway.routing import RenderFailure, Router, RoutingError
from gateway.store import (
    MessageRow,
    MessageStatus,
    NewDocument,
    NewEvent,
    NewOutbox,
    RawJson,
    Receipt,
    Store,
)
from gateway.store.records import NewReceipt
from gateway.x12.errors import X12Error
from gateway.x12.validator import Validator, default_validator

log = logging.getLogger(__name__)


def partner_for(registry: Registry, msg: MessageRow) -> PartnerProfile | None:
    """The message's partner by today's profiles: the one it was recorded for while that
    profile exists, else whoever now owns the channel account it came through (a profile
    added after the file arrived, e.g. one quarantined as `unknown:<account>`)."""
    partner = registry.find(msg.partner_id)
    if partner is None and msg.account is not None:
        partner = registry.by_channel(msg.channel, msg.account)
    return partner


MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # IDoc XML / JSON files are parsed whole (hardened, capped)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class ProcessOutcome:
    """What processing one message did, for logs, the CLI and tests."""

    message_id: int
    status: MessageStatus
    interchanges: int = 0
    sets: int = 0
    accepted: int = 0
    rejected: int = 0
    documents: int = 0
    deliveries: int = 0
    duplicates: int = 0
    reason: str | None = None


class InboundPipeline:
    def __init__(
        self,
        store: Store,
        archive: Archive,
        registry: Registry,
        *,
        router: Router | None = None,
        validator: Validator | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.archive = archive
        self.registry = registry
        self.router = router or Router(registry)
        self.validator = validator or default_validator()
        self.clock = clock
        self.reconciler = AckReconciler(store, clock=clock)
        self._archive_failing = False  # an archive outage is reported once, not per file
        self.outbound = OutboundX12(store, registry, clock)
        self.dispatcher = Dispatcher(store, registry, self.router, clock)
        self.x12 = X12Inbound(
            store, registry, self.dispatcher, self.reconciler, self.validator, clock
        )

    # ------------------------------------------------------------ receive

    def receive(self, claim: InboundClaim) -> Receipt | None:
        """Archive the payload and record its receipt; only then remove it at the source."""
        receipts = self.receive_many([claim])
        return receipts[0] if receipts else None

    def receive_many(self, claims: list[InboundClaim]) -> list[Receipt]:
        """`receive` for a burst: every payload archived, the archive made durable (one syncfs
        for the burst, not two fsyncs per file), then ONE transaction records all their
        receipts, then the sources are acknowledged (`commit_claims`: a folder's removals made
        durable by one directory fsync). Same order and durability as one by one."""
        ready: list[tuple[InboundClaim, NewReceipt]] = []
        for claim in claims:
            facts = claim.facts
            partner = self.registry.by_channel(facts.channel, facts.account)
            # an unknown account is still archived and recorded: nothing received is ever lost
            partner_id = partner.id if partner is not None else f"unknown:{facts.account}"
            try:
                with claim.open() as fh:
                    archived = self.archive.store(fh, durable=False)
            except OversizeError as exc:
                _refuse(claim, exc)
                continue
            except (ArchiveError, OSError) as exc:
                self._archive_failed(facts.original_name, exc)
                claim.rollback(str(exc))
                continue
            self._archive_recovered()
            ready.append(
                (
                    claim,
                    NewReceipt(
                        sha256=archived.sha256,
                        channel=facts.channel,
                        account=facts.account,
                        partner_id=partner_id,
                        original_name=facts.original_name,
                        size=archived.size,
                        archive_path=str(archived.path),
                        received_at=facts.received_at,
                    ),
                )
            )
        if not ready:
            return []
        try:
            self.archive.flush()  # no receipt before its archived copy is durable
        except ArchiveError as exc:
            self._archive_failed(ready[0][1].original_name, exc)
            for claim, _ in ready:
                claim.rollback(str(exc))
            return []
        try:
            receipts = self.store.record_receipts([r for _, r in ready])
        except BaseException:
            for claim, _ in ready:  # nothing recorded: the files stay for the next scan
                claim.rollback("receipt not recorded")
            raise
        crashpoint("after_receipt_commit")
        commit_claims([claim for claim, _ in ready])
        return receipts

    def _archive_failed(self, name: str, exc: Exception) -> None:
        """Archiving failed (disk full, read-only file system): the file stays at its source
        and is tried again on every scan. Said once per outage, as an alert and a warning."""
        if self._archive_failing:
            log.debug("cannot archive %s: %s", name, exc)
            return
        self._archive_failing = True
        log.warning("cannot archive %s: %s; received files stay at their source", name, exc)
        try:
            self.store.add_event("alert", {"kind": "archive_failed", "error": str(exc)})
        except Exception as store_error:  # the store may be on the same full disk
            log.error("cannot record the archive alert: %s", store_error)

    def _archive_recovered(self) -> None:
        if self._archive_failing:
            self._archive_failing = False
            log.warning("archiving works again: receiving resumes")

    # ------------------------------------------------------------ process

    def process(self, message_id: int) -> ProcessOutcome:
        msg = self.store.get_message(message_id)
        if msg is None:
            raise KeyError(message_id)
        if msg.status is not MessageStatus.RECEIVED:
            return ProcessOutcome(message_id, msg.status, reason="already processed")
        partner = partner_for(self.registry, msg)
        if partner is None:
            return self._quarantine(msg, f"no partner profile for account {msg.account!r}")
        if partner.id != msg.partner_id:
            # a profile added after the file arrived: the message is that partner's now
            earlier = self.store.set_message_partner(msg.id, partner.id)
            if earlier is not None:
                reason = f"the same file from {partner.id} is message {earlier}"
                self.store.mark_message(
                    msg.id,
                    MessageStatus.DUPLICATE,
                    duplicate_of=earlier,
                    event=NewEvent("duplicate", {"detail": reason}),
                )
                return ProcessOutcome(msg.id, MessageStatus.DUPLICATE, reason=reason)
        if msg.size == 0:
            return self._quarantine(msg, "empty file")
        try:
            with self.archive.open(msg.sha256) as fh:
                head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
                fh.seek(0)
                if not head:
                    return self._quarantine(msg, "empty file (only blanks)")
                if head.startswith(b"ISA"):
                    return self._process_x12(msg, partner, fh)
                if head[:1] in (b"<", b"{", b"["):
                    data = fh.read(MAX_DOCUMENT_BYTES + 1)
                    if len(data) > MAX_DOCUMENT_BYTES:
                        return self._quarantine(msg, "document file over the size limit")
                    return self._process_file_documents(msg, partner, head[:1], data)
                return self._quarantine(msg, "not X12, IDoc XML or JSON")
        except X12Error as exc:
            return self._quarantine(msg, f"unreadable X12: {exc}")
        except OSError as exc:
            return self._quarantine(msg, f"archived copy unreadable: {exc}")

    def _process_file_documents(
        self, msg: MessageRow, partner: PartnerProfile, kind: bytes, data: bytes
    ) -> ProcessOutcome:
        """IDoc XML or JSON from a system (the ERP's released orders, the TMS's plans)."""
        try:
            docs = read_documents(kind, data, partner.timezone)
        except (IdocError, ValueError) as exc:
            return self._quarantine(msg, f"unreadable document: {exc}")
        if self.store.list_interchanges(message_id=msg.id) or self.store.list_documents(
            message_id=msg.id, limit=1
        ):
            # a crash after the effects but before the status change: do not send twice
            self.store.mark_message(msg.id, MessageStatus.PARSED)
            return ProcessOutcome(msg.id, MessageStatus.PARSED, reason="already applied")
        outcome = ProcessOutcome(msg.id, MessageStatus.PARSED)
        problems: list[str] = []
        for n, doc in enumerate(docs):
            key = f"{msg.sha256}\x1f{n}"
            try:
                self._route_document(msg, partner, doc, key)
                outcome.documents += 1
            except (RoutingError, OutboundError, ValueError) as exc:
                problems.append(f"document {n + 1}: {exc}")
        if problems:
            return self._quarantine(msg, "; ".join(problems))
        self.store.mark_message(
            msg.id, MessageStatus.PARSED, event=NewEvent("parsed", {"documents": len(docs)})
        )
        return outcome

    def route_document(
        self, msg: MessageRow, partner: PartnerProfile, doc: AnyDocument, key: str
    ) -> None:
        """Route one canonical document a system sent (a file, or a SOAP call recorded as
        message `msg`): X12 to carriers with control numbers, rendered copies to systems."""
        self._route_document(msg, partner, doc, key)

    def _route_document(
        self, msg: MessageRow, partner: PartnerProfile, doc: AnyDocument, key: str
    ) -> None:
        x12_partners, systems = self.router.split(partner, doc)
        now = self.clock()
        failures: list[RenderFailure] = []
        withheld: list[str] = []
        deliveries = [
            NewOutbox(
                destination=r.destination,
                channel=r.channel,
                kind=r.kind,
                idempotency_key=r.idempotency_key,
                payload=r.payload,
                payload_path=r.name,
            )
            for r in self.router.render(
                partner, doc, key, now, destinations=systems, failures=failures, withheld=withheld
            )
        ]
        if withheld:
            event = withheld_event(withheld)
            self.store.add_event(event.kind, dict(event.detail or {}), message_id=msg.id)
        for failure in failures:
            self.store.add_event(
                "exception",
                {"destination": failure.destination, "error": failure.error},
                message_id=msg.id,
            )
        keys = doc.correlation.keys()
        if not x12_partners:
            self.store.record_documents(
                msg.id,
                [
                    NewDocument(
                        doc.document_type.value,
                        partner.id,
                        business_key(doc),
                        RawJson(doc.model_dump_json()),
                        keys,
                        deliveries,
                    )
                ],
                message_status=None,
            )
        elif not isinstance(doc, (LoadTender, TenderResponse, ShipmentStatus)):
            raise RoutingError(f"{doc.document_type.value} cannot be sent as X12")
        else:
            self._send_x12(msg, doc, x12_partners, key, deliveries, keys)
        if isinstance(doc, LoadTender):
            self.dispatcher.release(shipment_values(doc))  # statuses/invoices that waited

    def _send_x12(
        self,
        msg: MessageRow,
        doc: LoadTender | TenderResponse | ShipmentStatus,
        x12_partners: list[PartnerProfile],
        key: str,
        deliveries: list[NewOutbox],
        keys: list[tuple[str, str]],
    ) -> None:
        for i, carrier in enumerate(x12_partners):
            # the systems' copies travel with the first interchange's transaction
            self.outbound.send(
                doc,
                carrier,
                key=key,
                source_message_id=msg.id,
                deliveries=deliveries if i == 0 else (),
                keys=keys,
            )

    def _quarantine(self, msg: MessageRow, reason: str) -> ProcessOutcome:
        self.store.mark_message(
            msg.id,
            MessageStatus.QUARANTINED,
            quarantine_reason=reason,
            event=NewEvent("quarantined", {"reason": reason}),
        )
        log.warning("message %s quarantined: %s", msg.id, reason)
        return ProcessOutcome(msg.id, MessageStatus.QUARANTINED, reason=reason)

    def _process_x12(
        self, msg: MessageRow, partner: PartnerProfile, stream: BinaryIO
    ) -> ProcessOutcome:
        result = self.x12.process(msg, partner, stream)
        status = message_status(result)
        outcome = ProcessOutcome(
            msg.id,
            status,
            interchanges=result.interchanges,
            sets=result.sets,
            accepted=result.accepted,
            rejected=result.rejected,
            documents=result.documents,
            deliveries=result.deliveries,
            duplicates=result.duplicates,
        )
        if status is MessageStatus.QUARANTINED:
            outcome.reason = "; ".join(result.problems)
            self._quarantine(msg, outcome.reason)
        else:
            detail: dict[str, object] = {"interchanges": result.interchanges, "sets": result.sets}
            if result.trailing:
                detail["trailing"] = result.trailing
                outcome.reason = result.trailing
            self.store.mark_message(msg.id, status, event=NewEvent(status.value, detail))
        return outcome


def _refuse(claim: InboundClaim, exc: OversizeError) -> None:
    """Refused once, not archived again on every rescan (the source reports it)."""
    log.warning("refused %s: %s", claim.facts.original_name, exc)
    refuse = getattr(claim, "refuse", None)
    if callable(refuse):
        refuse(str(exc))
    else:
        claim.rollback(str(exc))
