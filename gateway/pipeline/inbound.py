"""Inbound path: receive (archive + receipt, then commit the source) and process a message.

Processing reads the archived bytes in one streaming pass: envelopes, validation, the
997/999/TA1, canonical documents and their routed deliveries. Everything one interchange
produced is written in one transaction, so a crash re-processes the interchange from the
archive and the idempotency keys (derived from the message, never random) keep effects single.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from gateway.acks import AckReconciler
from gateway.adapters.base import InboundClaim
from gateway.canonical import (
    AnyDocument,
    FunctionalAck,
    LoadTender,
    ShipmentStatus,
    TenderResponse,
)
from gateway.canonical import TechnicalAck as TechnicalAckDoc
from gateway.faults import crashpoint
from gateway.idoc.errors import IdocError
from gateway.pipeline.archive import Archive, ArchiveError
from gateway.pipeline.documents import read_documents
from gateway.pipeline.outbound import OutboundError, OutboundX12
from gateway.registry import PartnerProfile, Registry
from gateway.routing import Router, RoutingError
from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    DurableControlNumbers,
    MessageRow,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    Receipt,
    Store,
)
from gateway.x12.acks import AckKind as X12AckKind
from gateway.x12.acks import build_ack_interchange, technical_ack
from gateway.x12.checker import (
    CheckedGroup,
    CheckedInterchange,
    CheckedSet,
    check_stream,
    summarise,
)
from gateway.x12.envelope import InterchangeStart, TechnicalAck
from gateway.x12.errors import X12Error
from gateway.x12.model import AckCode, GroupHeader, InterchangeHeader, Segment
from gateway.x12.validator import Validator, default_validator
from transforms.registry import MappingContext, inbound_x12, transform_code_maps
from transforms.x12_acks_in import interchange_source, technical_ack_from_segment
from transforms.x12_common import source_metadata

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # IDoc XML / JSON files are parsed whole (hardened, capped)

Clock = Callable[[], datetime]

_ACK_STATUS = {
    AckCode.ACCEPTED: AckStatus.ACCEPTED,
    AckCode.ACCEPTED_WITH_ERRORS: AckStatus.ACCEPTED_WITH_ERRORS,
    AckCode.PARTIALLY_ACCEPTED: AckStatus.PARTIALLY_ACCEPTED,
    AckCode.REJECTED: AckStatus.REJECTED,
}


_EFFECTIVE = frozenset({"accepted", "accepted_with_errors"})


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
    duplicates: int = 0  # interchanges seen before (same sender + ISA13, same content)
    reason: str | None = None


@dataclass(slots=True)
class _Interchange:
    header: InterchangeHeader
    blocked: str | None = None  # why nothing of it may take effect (duplicate, impersonation)
    blocked_kind: str = ""
    groups: list[NewGroup] = field(default_factory=list)
    sets: list[NewSet] = field(default_factory=list)
    events: list[NewEvent] = field(default_factory=list)
    received_acks: list[FunctionalAck] = field(default_factory=list)  # reconciled after commit
    ta1s: list[Segment] = field(default_factory=list)


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
        self.outbound = OutboundX12(store, registry, clock)

    # ------------------------------------------------------------ receive

    def receive(self, claim: InboundClaim) -> Receipt | None:
        """Archive the payload and record its receipt; only then remove it at the source."""
        facts = claim.facts
        partner = self.registry.by_channel(facts.channel, facts.account)
        # an unknown account is still archived and recorded: nothing received is ever lost
        partner_id = partner.id if partner is not None else f"unknown:{facts.account}"
        try:
            with claim.open() as fh:
                archived = self.archive.store(fh)
        except (ArchiveError, OSError) as exc:
            log.warning("cannot archive %s: %s", facts.original_name, exc)
            claim.rollback(str(exc))
            return None
        receipt = self.store.record_receipt(
            sha256=archived.sha256,
            channel=facts.channel,
            account=facts.account,
            partner_id=partner_id,
            original_name=facts.original_name,
            size=archived.size,
            archive_path=str(archived.path),
            received_at=facts.received_at,
        )
        crashpoint("after_receipt_commit")
        claim.commit()
        return receipt

    # ------------------------------------------------------------ process

    def process(self, message_id: int) -> ProcessOutcome:
        msg = self.store.get_message(message_id)
        if msg is None:
            raise KeyError(message_id)
        if msg.status is not MessageStatus.RECEIVED:
            return ProcessOutcome(message_id, msg.status, reason="already processed")
        partner = self.registry.find(msg.partner_id)
        if partner is None:
            return self._quarantine(msg, f"no partner profile for account {msg.account!r}")
        try:
            with self.archive.open(msg.sha256) as fh:
                head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
                fh.seek(0)
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

    def _route_document(
        self, msg: MessageRow, partner: PartnerProfile, doc: AnyDocument, key: str
    ) -> None:
        x12_partners, systems = self.router.split(partner, doc)
        now = self.clock()
        deliveries = [
            NewOutbox(
                destination=r.destination,
                channel=r.channel,
                kind=r.kind,
                idempotency_key=r.idempotency_key,
                payload=r.payload,
                payload_path=r.name,
            )
            for r in self.router.render(partner, doc, key, now, destinations=systems)
        ]
        keys = doc.correlation.keys()
        if not x12_partners:
            self.store.record_documents(
                msg.id,
                [
                    NewDocument(
                        doc.document_type.value,
                        partner.id,
                        _business_key(doc),
                        doc.model_dump(mode="json"),
                        keys,
                        deliveries,
                    )
                ],
                message_status=None,
            )
            return
        if not isinstance(doc, (LoadTender, TenderResponse, ShipmentStatus)):
            raise RoutingError(f"{doc.document_type.value} cannot be sent as X12")
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
        outcome = ProcessOutcome(msg.id, MessageStatus.PARSED)
        problems: list[str] = []
        current: _Interchange | None = None
        group_sets: list[NewSet] = []
        ack_kind: X12AckKind = partner.acks.kind

        def ack_kind_for(_i: InterchangeHeader, g: GroupHeader) -> X12AckKind | None:
            if not partner.acks.send or g.functional_id == "FA":
                return None
            return ack_kind

        for event in check_stream(
            stream,
            validator=self.validator,
            ack_kind_for=ack_kind_for,
            ta1_policy=partner.acks.send_ta1,
        ):
            if isinstance(event, CheckedSet):
                outcome.sets += 1
                assert current is not None
                group_sets.append(self._set(msg, partner, current, event, outcome))
            elif isinstance(event, CheckedGroup):
                assert current is not None
                current.groups.append(self._group(msg, partner, event, group_sets, current))
                group_sets = []
            elif isinstance(event, InterchangeStart):
                current = self._open_interchange(msg, partner, event.header)
            elif isinstance(event, TechnicalAck):
                assert current is not None
                current.ta1s.append(event.segment)
            elif isinstance(event, CheckedInterchange):
                assert current is not None
                outcome.interchanges += 1
                problem = self._close_interchange(msg, partner, current, event, outcome)
                if problem:
                    problems.append(problem)
                current = None
        if problems:
            reason = "; ".join(problems)
            self._quarantine(msg, reason)
            outcome.status, outcome.reason = MessageStatus.QUARANTINED, reason
        elif outcome.interchanges and outcome.duplicates == outcome.interchanges:
            self.store.mark_message(
                msg.id,
                MessageStatus.DUPLICATE,
                event=NewEvent("duplicate", {"interchanges": outcome.interchanges}),
            )
            outcome.status = MessageStatus.DUPLICATE
        else:
            self.store.mark_message(
                msg.id,
                MessageStatus.PARSED,
                event=NewEvent(
                    "parsed",
                    {"interchanges": outcome.interchanges, "sets": outcome.sets},
                ),
            )
        return outcome

    def _open_interchange(
        self, msg: MessageRow, partner: PartnerProfile, header: InterchangeHeader
    ) -> _Interchange:
        state = _Interchange(header)
        sender = self.registry.by_isa_id(header.sender_qualifier, header.sender_id)
        if sender is None or sender.id != partner.id:
            who = sender.id if sender else "an unknown party"
            state.blocked_kind = "impersonation"
            state.blocked = (
                f"ISA sender {header.sender_qualifier}:{header.sender_id} is {who}, not "
                f"{partner.id} whose channel carried it"
            )
            state.events.append(
                NewEvent("alert", {"kind": "impersonation", "detail": state.blocked})
            )
            return state
        earlier = self.store.find_interchange(Direction.IN, header.sender_id, header.control_number)
        # only an interchange that took effect makes a later one a duplicate
        if earlier is not None and earlier.outcome in _EFFECTIVE:
            same = self._same_content(earlier.message_id, msg.sha256)
            state.blocked_kind = "duplicate" if same else "conflict"
            state.blocked = (
                f"ISA13 {header.control_number} from {header.sender_id} was received before "
                f"(message {earlier.message_id})" + ("" if same else " with other content")
            )
            if not same:
                state.events.append(
                    NewEvent("alert", {"kind": "control_number_conflict", "detail": state.blocked})
                )
        return state

    def _same_content(self, earlier_message_id: int | None, sha256: str) -> bool:
        if earlier_message_id is None:
            return False
        earlier = self.store.get_message(earlier_message_id)
        return earlier is not None and earlier.sha256 == sha256

    def _set(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        state: _Interchange,
        checked: CheckedSet,
        outcome: ProcessOutcome,
    ) -> NewSet:
        ts, result = checked.ts, checked.result
        errors = summarise(result)
        documents: list[NewDocument] = []
        if checked.accepted:
            outcome.accepted += 1
        else:
            outcome.rejected += 1
        if checked.accepted and state.blocked is None:
            mapping = inbound_x12(ts.set_id)
            if mapping is not None:
                doc_key = _doc_key(msg.sha256, checked)
                try:
                    ctx = MappingContext(
                        checked.interchange.delimiters,
                        source_metadata(
                            ts,
                            checked.interchange,
                            checked.group,
                            partner_id=partner.id,
                            message_id=str(msg.id),
                        ),
                        _code_maps(partner),
                        partner.timezone,
                    )
                    doc = mapping.to_canonical(ts, ctx)
                    if isinstance(doc, FunctionalAck):
                        state.received_acks.append(doc)
                    documents.append(self._document(partner, doc, doc_key))
                except (ValueError, KeyError, IndexError, RoutingError) as exc:
                    # kept as an exception on the set: visible, replayable, never silent
                    errors.append({"level": "mapping", "severity": "error", "message": str(exc)})
                    state.events.append(
                        NewEvent(
                            "exception",
                            {
                                "set": ts.set_id,
                                "control_number": ts.control_number,
                                "error": str(exc),
                            },
                        )
                    )
        outcome.documents += len(documents)
        outcome.deliveries += sum(len(d.deliveries) for d in documents)
        return NewSet(
            set_id=ts.set_id,
            control_number=ts.control_number,
            outcome=result.code.value,
            segment_count=len(ts.segments),
            errors=errors,
            documents=documents,
        )

    def _document(self, partner: PartnerProfile, doc: AnyDocument, doc_key: str) -> NewDocument:
        # acknowledgements are reconciled, not routed anywhere
        routed = not isinstance(doc, (FunctionalAck, TechnicalAckDoc))
        deliveries = [
            NewOutbox(
                destination=r.destination,
                channel=r.channel,
                kind=r.kind,
                idempotency_key=r.idempotency_key,
                payload=r.payload,
                payload_path=r.name,
            )
            for r in (self.router.render(partner, doc, doc_key, self.clock()) if routed else [])
        ]
        corr = doc.correlation
        return NewDocument(
            doc_type=doc.document_type.value,
            partner_id=partner.id,
            business_key=_business_key(doc),
            payload=doc.model_dump(mode="json"),
            keys=corr.keys(),
            deliveries=deliveries,
        )

    def _group(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        checked: CheckedGroup,
        sets: list[NewSet],
        state: _Interchange,
    ) -> NewGroup:
        h = checked.header
        ack = checked.ack
        acks: list[NewAck] = []
        if ack is not None and state.blocked is None:
            acks.append(
                NewAck(
                    direction=AckDirection.SENT,
                    kind=AckKind(ack.kind),
                    status=_ACK_STATUS.get(ack.code, AckStatus.REJECTED),
                    partner_id=partner.id,
                    interchange_control_number=state.header.control_number,
                    group_control_number=h.control_number,
                    functional_id=h.functional_id,
                    outbox_key=_ack_key(msg.sha256, state.header),
                    detail={"received": ack.received, "accepted": ack.accepted},
                )
            )
        if checked.rejected:
            # a rejected group takes no effect: its sets keep their outcome, not their documents
            sets = [_without_documents(s) for s in sets]
        return NewGroup(
            functional_id=h.functional_id,
            control_number=h.control_number,
            version=h.version,
            set_count=checked.end.set_count,
            ack_code=ack.code.value if ack is not None else None,
            application_sender=h.application_sender,
            application_receiver=h.application_receiver,
            sets=sets,
            acks=acks,
        )

    def _close_interchange(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        state: _Interchange,
        checked: CheckedInterchange,
        outcome: ProcessOutcome,
    ) -> str | None:
        h = state.header
        now = self.clock()
        problem: str | None = None
        outbox: list[NewOutbox] = []
        groups = state.groups
        if state.blocked is not None:
            result = state.blocked_kind
            problem = state.blocked if state.blocked_kind != "duplicate" else None
            if state.blocked_kind == "duplicate":
                outcome.duplicates += 1
            groups = [_group_without_documents(g) for g in groups]
            state.events.append(NewEvent(state.blocked_kind, {"detail": state.blocked}))
            for g in checked.groups:
                if g.ack is not None:
                    g.ack.close()
        else:
            if checked.rejected:
                result = "rejected"
                codes = [i.code for i in checked.end.issues if i.severity.value == "error"]
                problem = f"interchange {h.control_number} rejected (TA1 {', '.join(codes)})"
                groups = [_group_without_documents(g) for g in groups]
            elif all(g.ack is not None and g.ack.code is AckCode.REJECTED for g in checked.groups):
                result = "rejected" if checked.groups else "accepted"
                if checked.groups:
                    problem = f"interchange {h.control_number}: every group rejected"
            elif any(
                g.ack is not None and g.ack.code is not AckCode.ACCEPTED for g in checked.groups
            ):
                result = "accepted_with_errors"
            else:
                result = "accepted"
            outbox.extend(self._acks_outbox(msg, partner, checked, now))
        ta1 = "R" if checked.rejected else ("A" if checked.ta1_requested else None)
        interchange = NewInterchange(
            partner_id=partner.id,
            direction=Direction.IN,
            sender_qualifier=h.sender_qualifier,
            sender_id=h.sender_id,
            receiver_qualifier=h.receiver_qualifier,
            receiver_id=h.receiver_id,
            control_number=h.control_number,
            version=h.version,
            usage=h.usage,
            outcome=result,
            ta1_status=ta1,
            groups=groups,
        )
        crashpoint("mid_routing")
        self.store.record_interchange_batch(
            msg.id, interchange, outbox=outbox, events=state.events, message_status=None, now=now
        )
        crashpoint("after_interchange_commit")
        if state.blocked is None and not checked.rejected:
            self._reconcile(msg, partner, state)
        return problem

    def _reconcile(self, msg: MessageRow, partner: PartnerProfile, state: _Interchange) -> None:
        """Received 997/999/TA1 settle what we expect from this partner (after the commit)."""
        for ack in state.received_acks:
            self.reconciler.functional(partner.id, ack, message_id=msg.id)
        for segment in state.ta1s:
            ta1 = technical_ack_from_segment(
                segment, envelope=interchange_source(state.header, partner_id=partner.id)
            )
            self.reconciler.technical(partner.id, ta1, message_id=msg.id)

    def _acks_outbox(
        self, msg: MessageRow, partner: PartnerProfile, checked: CheckedInterchange, now: datetime
    ) -> list[NewOutbox]:
        h = checked.header
        ta1 = technical_ack(h, checked.end.issues, now) if checked.ta1_requested else None
        acks = checked.acks
        try:
            if ta1 is None and not acks:
                return []
            data = build_ack_interchange(
                h, acks, ta1, DurableControlNumbers(self.store, partner.id), now
            )
        finally:
            for g in checked.groups:
                if g.ack is not None:
                    g.ack.close()
        kind = acks[0].kind if acks else "TA1"
        key = _ack_key(msg.sha256, h)
        transport = partner.delivery_transport
        return [
            NewOutbox(
                destination=partner.id,
                channel=transport.kind if transport else "none",
                kind=kind,
                idempotency_key=key,
                payload=data,
                payload_path=f"{kind}-{h.control_number}-{key[:8]}.x12",
            )
        ]


def _ack_key(sha256: str, header: InterchangeHeader) -> str:
    """The idempotency key of the acknowledgement interchange answering one inbound ISA."""
    return hashlib.sha256(f"ack\x1f{sha256}\x1f{header.control_number}".encode()).hexdigest()[:32]


def _code_maps(partner: PartnerProfile) -> dict[str, Mapping[str, str]]:
    maps = partner.code_maps.model_dump(mode="json")
    return transform_code_maps({k: v for k, v in maps.items() if v})


def _doc_key(sha256: str, checked: CheckedSet) -> str:
    """Deterministic per set: re-processing the same archived bytes yields the same keys."""
    parts = (
        sha256,
        checked.interchange.control_number,
        checked.group.control_number,
        checked.ts.control_number,
        str(checked.ts.segments[0].index if checked.ts.segments else 0),
    )
    return "\x1f".join(parts)


def _business_key(doc: AnyDocument) -> str:
    c = doc.correlation
    return ":".join(
        x
        for x in (doc.document_type.value, c.scac or "", c.pro or c.shipment_id or c.bol or "")
        if x
    )


def _without_documents(s: NewSet) -> NewSet:
    return NewSet(s.set_id, s.control_number, s.outcome, s.segment_count, s.errors, ())


def _group_without_documents(g: NewGroup) -> NewGroup:
    return NewGroup(
        g.functional_id,
        g.control_number,
        g.version,
        g.set_count,
        g.ack_code,
        g.application_sender,
        g.application_receiver,
        [_without_documents(s) for s in g.sets],
        [],
    )
