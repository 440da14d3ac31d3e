"""One streaming pass over a received X12 message: check, acknowledge, canonicalise, route.

Sets are handed on as their SE arrives and written in chunks (constant memory for a 1 GB
interchange); their documents and deliveries stay HELD until the IEA says the interchange
stands, then take effect in the same transaction as the 997/999/TA1. A rejected group or
interchange voids its held rows. A crash leaves an open interchange that `discard_partial`
removes before the message is processed again, so effects happen once.

An interchange that ends before its first chunk is full (a carrier's file of a few sets, the
usual case) is kept in memory until its IEA and, when it stands whole, written in ONE
transaction with its 997: no held rows to release, no open interchange to close. Otherwise
(a chunk fills up, or a group or the interchange is rejected or blocked) what was kept is
written as the streaming path writes it and the interchange goes on streaming.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import BinaryIO

from gateway.acks import AckReconciler
from gateway.canonical import AnyDocument, FunctionalAck, LoadTender, TenderResponse
from gateway.canonical import TechnicalAck as TechnicalAckDoc
from gateway.faults import crashpoint
from gateway.notices import TEST_DATA_REASON, WITHHELD
from gateway.pipeline import collector
from gateway.pipeline.dispatch import (
    Dispatcher,
    business_key,
    code_maps_for,
    shipment_values,
)
from gateway.registry import PartnerProfile, Registry
from gateway.routing import RoutingError
from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    MessageRow,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboxBuild,
    RawJson,
    Store,
)
from gateway.x12.acks import AckKind as X12AckKind
from gateway.x12.acks import ControlNumbers, build_ack_interchange, technical_ack
from gateway.x12.checker import (
    CheckedGroup,
    CheckedInterchange,
    CheckedSet,
    check_stream,
    summarise,
)
from gateway.x12.envelope import GroupStart, InterchangeStart, TechnicalAck
from gateway.x12.model import AckCode, GroupHeader, InterchangeHeader, Segment
from gateway.x12.reader import TrailingData
from gateway.x12.validator import Validator
from transforms.registry import MappingContext, inbound_x12
from transforms.x12_acks_in import interchange_source, technical_ack_from_segment
from transforms.x12_common import source_metadata

CHUNK_SETS = 1000  # sets per append transaction: bounded memory, few commits

# only an interchange that took effect makes a later one with the same ISA13 a duplicate
_EFFECTIVE = frozenset({"accepted", "accepted_with_errors"})

_ACK_STATUS = {
    AckCode.ACCEPTED: AckStatus.ACCEPTED,
    AckCode.ACCEPTED_WITH_ERRORS: AckStatus.ACCEPTED_WITH_ERRORS,
    AckCode.PARTIALLY_ACCEPTED: AckStatus.PARTIALLY_ACCEPTED,
    AckCode.REJECTED: AckStatus.REJECTED,
}


@dataclass(slots=True)
class X12Outcome:
    interchanges: int = 0
    sets: int = 0
    accepted: int = 0
    rejected: int = 0
    documents: int = 0
    deliveries: int = 0
    duplicates: int = 0  # interchanges seen before (same sender + ISA13, same content)
    problems: list[str] = field(default_factory=list)
    trailing: str | None = None  # what followed the last interchange instead of an ISA


@dataclass(slots=True)
class _MappedSet:
    """A checked set with its canonical document (or why mapping failed), before routing: a
    chunk's documents are routed together, so their ERP lookups can share one query."""

    set_id: str
    control_number: str
    outcome: str
    segment_count: int
    errors: list[dict[str, object]]
    document: AnyDocument | None = None
    doc_key: str = ""
    failure: str | None = None  # the mapping's exception, reported when the chunk is routed


@dataclass(slots=True)
class _KeptGroup:
    """A group of an interchange not written yet: its header, routed sets, and once its GE
    was read, what `Store.finish_group` takes."""

    header: NewGroup
    sets: list[NewSet] = field(default_factory=list)
    ack_code: str | None = None
    set_count: int = 0
    acks: list[NewAck] = field(default_factory=list)
    void: bool = False
    ended: bool = False


@dataclass(slots=True)
class _Interchange:
    header: InterchangeHeader
    envelope: NewInterchange
    interchange_id: int | None = None  # None: not written yet, kept in `kept` (module doc)
    blocked: str | None = None  # why nothing of it may take effect
    blocked_kind: str = ""
    open_events: list[NewEvent] = field(default_factory=list)  # written with the envelope
    kept: list[_KeptGroup] = field(default_factory=list)
    kept_sets: int = 0
    group_id: int | None = None
    pending: list[_MappedSet] = field(default_factory=list)
    events: list[NewEvent] = field(default_factory=list)
    received_acks: list[FunctionalAck] = field(default_factory=list)  # reconciled after IEA
    responses: list[TenderResponse] = field(default_factory=list)  # 990s, reconciled after IEA
    ta1s: list[Segment] = field(default_factory=list)
    tender_keys: list[str] = field(default_factory=list)  # shipments this interchange made known
    withheld: set[str] = field(default_factory=set)  # production destinations kept from test data


def withheld_event(destinations: set[str] | list[str], **where: str) -> NewEvent:
    """Why a test interchange reached none of these destinations (status page, search, API)."""
    detail = {"reason": TEST_DATA_REASON, "destinations": sorted(destinations), **where}
    return NewEvent(WITHHELD, detail)


class X12Inbound:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        dispatcher: Dispatcher,
        reconciler: AckReconciler,
        validator: Validator,
        clock: Callable[[], datetime],
        *,
        chunk_sets: int = CHUNK_SETS,
    ) -> None:
        self.store = store
        self.registry = registry
        self.dispatcher = dispatcher
        self.reconciler = reconciler
        self.validator = validator
        self.clock = clock
        self.chunk_sets = chunk_sets

    def process(self, msg: MessageRow, partner: PartnerProfile, stream: BinaryIO) -> X12Outcome:
        self.store.discard_partial(msg.id)  # what a crash left half-written
        outcome = X12Outcome()
        state: _Interchange | None = None
        maps = code_maps_for(partner)
        ack_kind: X12AckKind = partner.acks.kind

        def ack_kind_for(_i: InterchangeHeader, g: GroupHeader) -> X12AckKind | None:
            if not partner.acks.send or g.functional_id == "FA":
                return None  # acknowledgements are never acknowledged
            return ack_kind

        # a chunk's live documents would be traversed by every collection inside it
        with collector.paused():
            for event in check_stream(
                stream,
                validator=self.validator,
                ack_kind_for=ack_kind_for,
                ta1_policy=partner.acks.send_ta1,
                noted=partner.validation.noted(),
                encoding=partner.validation.encoding,
            ):
                if isinstance(event, CheckedSet):
                    assert state is not None
                    outcome.sets += 1
                    state.pending.append(self._set(msg, partner, state, event, maps, outcome))
                    if len(state.pending) + state.kept_sets >= self.chunk_sets:
                        self._flush(msg, partner, state, outcome)
                        collector.collect_due()  # the chunk is written and mostly freed
                elif isinstance(event, GroupStart):
                    assert state is not None
                    if state.interchange_id is None:
                        state.kept.append(_KeptGroup(_group(event.header)))
                    else:
                        state.group_id = self.store.begin_group(
                            state.interchange_id, _group(event.header)
                        )
                elif isinstance(event, CheckedGroup):
                    assert state is not None
                    self._finish_group(msg, partner, state, event, outcome)
                elif isinstance(event, InterchangeStart):
                    state = self._open(msg, partner, event.header)
                elif isinstance(event, TechnicalAck):
                    assert state is not None
                    state.ta1s.append(event.segment)
                elif isinstance(event, CheckedInterchange):
                    assert state is not None
                    outcome.interchanges += 1
                    self._close(msg, partner, state, event, outcome)
                    state = None
                    collector.collect_due()
                elif isinstance(event, TrailingData):
                    # the interchanges before it stand (acknowledged, applied); the message's
                    # status event carries this (one write, so a re-run cannot double it)
                    outcome.trailing = event.describe()
        return outcome

    # ------------------------------------------------------------ envelope

    def _open(
        self, msg: MessageRow, partner: PartnerProfile, header: InterchangeHeader
    ) -> _Interchange:
        blocked, kind, events = self._screen(msg, partner, header)
        interchange = NewInterchange(
            partner_id=partner.id,
            direction=Direction.IN,
            sender_qualifier=header.sender_qualifier,
            sender_id=header.sender_id,
            receiver_qualifier=header.receiver_qualifier,
            receiver_id=header.receiver_id,
            control_number=header.control_number,
            version=header.version,
            usage=header.usage,
            outcome="processing",
        )
        return _Interchange(header, interchange, None, blocked, kind, events)

    def _write_kept(self, msg: MessageRow, state: _Interchange) -> None:
        """Start streaming: write the envelope and the kept groups as the streaming path
        would have written them; the group still open becomes `state.group_id`."""
        interchange_id = self.store.begin_interchange(
            msg.id, state.envelope, events=state.open_events
        )
        state.interchange_id = interchange_id
        kept, state.kept, state.kept_sets = state.kept, [], 0
        for g in kept:
            group_id = self.store.begin_group(interchange_id, g.header)
            if g.sets:
                self.store.append_sets(group_id, g.sets, message_id=msg.id)
            if g.ended:
                self.store.finish_group(
                    group_id, ack_code=g.ack_code, set_count=g.set_count, acks=g.acks, void=g.void
                )
            else:
                state.group_id = group_id

    def _screen(
        self, msg: MessageRow, partner: PartnerProfile, header: InterchangeHeader
    ) -> tuple[str | None, str, list[NewEvent]]:
        """Impersonation and envelope dedup: (why it is blocked, kind, alert events)."""
        sender = self.registry.by_isa_id(header.sender_qualifier, header.sender_id)
        if sender is None or sender.id != partner.id:
            who = sender.id if sender else "an unknown party"
            why = (
                f"ISA sender {header.sender_qualifier}:{header.sender_id} is {who}, not "
                f"{partner.id} whose channel carried it"
            )
            return (
                why,
                "impersonation",
                [NewEvent("alert", {"kind": "impersonation", "detail": why})],
            )
        earlier = self.store.find_interchange(
            Direction.IN, header.sender_id, header.control_number, outcomes=_EFFECTIVE
        )
        if earlier is None:
            return None, "", []
        if earlier.message_id == msg.id:
            # this message's own effect, committed before its worker stopped (killed, or its
            # lease taken over): done already, not a duplicate sent by the partner
            why = f"ISA13 {header.control_number} took effect in an earlier attempt"
            return why, "resumed", []
        same = self._same_content(earlier.message_id, msg.sha256)
        why = (
            f"ISA13 {header.control_number} from {header.sender_id} was received before "
            f"(message {earlier.message_id})" + ("" if same else " with other content")
        )
        if same:
            return why, "duplicate", []
        return (
            why,
            "conflict",
            [NewEvent("alert", {"kind": "control_number_conflict", "detail": why})],
        )

    def _same_content(self, earlier_message_id: int | None, sha256: str) -> bool:
        if earlier_message_id is None:
            return False
        earlier = self.store.get_message(earlier_message_id)
        return earlier is not None and earlier.sha256 == sha256

    # ------------------------------------------------------------ sets

    def _set(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        state: _Interchange,
        checked: CheckedSet,
        maps: Mapping[str, Mapping[str, str]],
        outcome: X12Outcome,
    ) -> _MappedSet:
        """Check and map one set (pure: no store access); `_route` routes it with its chunk."""
        ts, result = checked.ts, checked.result
        mapped = _MappedSet(
            ts.set_id, ts.control_number, result.code.value, len(ts.segments), summarise(result)
        )
        if checked.accepted:
            outcome.accepted += 1
        else:
            outcome.rejected += 1
        mapping = inbound_x12(ts.set_id)
        if checked.accepted and state.blocked is None and mapping is not None:
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
                    maps,
                    partner.timezone,
                )
                mapped.document = mapping.to_canonical(ts, ctx)
                mapped.doc_key = _doc_key(msg.sha256, checked)
            except (ValueError, KeyError, IndexError, RoutingError) as exc:
                mapped.failure = str(exc)
        return mapped

    def _route(
        self, partner: PartnerProfile, state: _Interchange, mapped: _MappedSet, outcome: X12Outcome
    ) -> NewSet:
        """Route one mapped set, in set order (events keep the order they had set by set)."""
        documents: list[NewDocument] = []
        failure = mapped.failure
        doc, mapped.document = mapped.document, None  # held no longer than needed
        if doc is not None:
            try:
                documents.append(self._document(partner, state, doc, mapped.doc_key))
                crashpoint("after_canonical")
            except (ValueError, KeyError, IndexError, RoutingError) as exc:
                failure = str(exc)
        if failure is not None:
            # an exception on the set: visible, replayable, never a silent drop
            mapped.errors.append({"level": "mapping", "severity": "error", "message": failure})
            state.events.append(
                NewEvent(
                    "exception",
                    {
                        "set": mapped.set_id,
                        "control_number": mapped.control_number,
                        "error": failure,
                    },
                )
            )
        outcome.documents += len(documents)
        outcome.deliveries += sum(len(d.deliveries) for d in documents)
        return NewSet(
            set_id=mapped.set_id,
            control_number=mapped.control_number,
            outcome=mapped.outcome,
            segment_count=mapped.segment_count,
            errors=mapped.errors,
            documents=documents,
        )

    def _document(
        self, partner: PartnerProfile, state: _Interchange, doc: AnyDocument, doc_key: str
    ) -> NewDocument:
        if isinstance(doc, (FunctionalAck, TechnicalAckDoc)):
            # acknowledgements are reconciled, not routed
            if isinstance(doc, FunctionalAck):
                state.received_acks.append(doc)
            return NewDocument(
                doc.document_type.value,
                partner.id,
                business_key(doc),
                RawJson(doc.model_dump_json()),
                doc.correlation.keys(),
            )
        if isinstance(doc, LoadTender):
            state.tender_keys.extend(shipment_values(doc))
        elif isinstance(doc, TenderResponse):
            state.responses.append(doc)
        plan = self.dispatcher.plan(partner, doc, doc_key)
        state.events.extend(plan.events)
        state.withheld.update(plan.withheld)
        return NewDocument(
            doc_type=doc.document_type.value,
            partner_id=partner.id,
            business_key=business_key(doc),
            payload=RawJson(doc.model_dump_json()),
            keys=doc.correlation.keys(),
            deliveries=plan.deliveries,
            event_keys=plan.event_keys,
            wait_for=plan.wait_for,
            wait_reason=plan.wait_reason,
            shipment_status=plan.shipment_status,
        )

    def _flush(
        self, msg: MessageRow, partner: PartnerProfile, state: _Interchange, outcome: X12Outcome
    ) -> None:
        if state.interchange_id is None:  # streaming from here on (module docstring)
            self._write_kept(msg, state)
        if not state.pending:
            return
        assert state.interchange_id is not None
        if state.group_id is None:  # sets outside any GS: the interchange is rejected anyway
            state.group_id = self.store.begin_group(state.interchange_id, NewGroup("", "", "", 0))
        sets = self._route_pending(partner, state, outcome)
        self.store.append_sets(state.group_id, sets, message_id=msg.id)

    def _route_pending(
        self, partner: PartnerProfile, state: _Interchange, outcome: X12Outcome
    ) -> list[NewSet]:
        # routing reads the store, which nothing of this process writes between the chunk's
        # sets: routed together, they see what they saw routed one by one
        docs = [m.document for m in state.pending if m.document is not None]
        with self.dispatcher.chunk(docs):
            del docs  # each document is freed once routed
            sets = [self._route(partner, state, m, outcome) for m in state.pending]
        state.pending = []
        return sets

    def _finish_group(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        state: _Interchange,
        checked: CheckedGroup,
        outcome: X12Outcome,
    ) -> None:
        if state.interchange_id is None:
            if not state.kept or state.kept[-1].ended:  # a GE without its GS
                # as `_flush` would: sets read outside any GS go in a group without a header
                header = NewGroup("", "", "", 0) if state.pending else _group(checked.header)
                state.kept.append(_KeptGroup(header))
            kept = state.kept[-1]
            if state.pending:
                kept.sets.extend(self._route_pending(partner, state, outcome))
                state.kept_sets = sum(len(g.sets) for g in state.kept)
        else:
            kept = None
            self._flush(msg, partner, state, outcome)
            if state.group_id is None:
                state.group_id = self.store.begin_group(
                    state.interchange_id, _group(checked.header)
                )
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
                    group_control_number=checked.header.control_number,
                    functional_id=checked.header.functional_id,
                    outbox_key=_ack_key(msg.sha256, state.header),
                    detail={"received": ack.received, "accepted": ack.accepted},
                )
            )
        ack_code = ack.code.value if ack is not None else None
        void = checked.rejected or state.blocked is not None
        if kept is not None:
            kept.ack_code, kept.set_count, kept.acks, kept.void = (
                ack_code,
                checked.end.set_count,
                acks,
                void,
            )
            kept.ended = True
        else:
            assert state.group_id is not None
            self.store.finish_group(
                state.group_id,
                ack_code=ack_code,
                set_count=checked.end.set_count,
                acks=acks,
                void=void,
            )
        state.group_id = None
        crashpoint("mid_parse")  # this group is held (written, or kept), the interchange open

    # ------------------------------------------------------------ interchange end

    def _close(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        state: _Interchange,
        checked: CheckedInterchange,
        outcome: X12Outcome,
    ) -> None:
        h = state.header
        now = self.clock()
        build: OutboxBuild | None = None
        problem: str | None = None
        if state.blocked is not None:
            result = state.blocked_kind
            if state.blocked_kind == "duplicate":
                outcome.duplicates += 1
            elif state.blocked_kind != "resumed":
                problem = state.blocked
            state.events.append(NewEvent(state.blocked_kind, {"detail": state.blocked}))
            _close_acks(checked)
        else:
            if checked.rejected:
                result = "rejected"
                errors = [i for i in checked.end.issues if i.severity.value == "error"]
                codes = [i.code for i in errors]
                problem = f"interchange {h.control_number} rejected (TA1 {', '.join(codes)})"
                # the TA1 note codes, findable by ISA13 (`gateway search`)
                state.events.append(
                    NewEvent(
                        "interchange_rejected",
                        {
                            "isa13": h.control_number,
                            "ta1": [{"code": i.code, "message": i.message} for i in errors],
                        },
                    )
                )
            elif checked.groups and all(
                g.ack is not None and g.ack.code is AckCode.REJECTED for g in checked.groups
            ):
                result = "rejected"
                problem = f"interchange {h.control_number}: every group rejected"
            elif any(
                g.ack is not None and g.ack.code is not AckCode.ACCEPTED for g in checked.groups
            ):
                result = "accepted_with_errors"
            else:
                result = "accepted"
            # the ack's ISA13/GS06 come from the same transaction that records it; the acks'
            # spools stay open until it is built (at a group's end) or discarded
            build = OutboxBuild(
                partner.id,
                lambda numbers: self._acks_outbox(msg, partner, checked, now, numbers),
                discard=lambda: _close_acks(checked),
                # what _acks_outbox takes: one ISA13 unless it answers nothing, a GS06 a group
                interchanges=1 if checked.ta1_requested or checked.acks else 0,
                groups=len(checked.acks),
            )
        if problem:
            outcome.problems.append(problem)
        effective = state.blocked is None and result in _EFFECTIVE
        whole = (
            effective
            and state.interchange_id is None
            and not state.pending
            and all(g.ended and not g.void for g in state.kept)
        )
        if not whole:
            self._flush(msg, partner, state, outcome)
        if state.withheld:  # said once per interchange, not once per set
            state.events.append(withheld_event(state.withheld, isa13=h.control_number))
        ta1_status = "R" if checked.rejected else ("A" if checked.ta1_requested else None)
        crashpoint("mid_routing")
        try:
            if whole:  # ended within its first chunk and stands whole: one write (module doc)
                self.store.record_interchange_batch(
                    msg.id,
                    replace(
                        state.envelope,
                        outcome=result,
                        ta1_status=ta1_status,
                        groups=[_written_group(g) for g in state.kept],
                    ),
                    events=state.events,
                    message_status=None,
                    build_outbox=build,
                    now=now,
                )
            else:
                assert state.interchange_id is not None
                self.store.finish_interchange(
                    state.interchange_id,
                    outcome=result,
                    release=effective,
                    ta1_status=ta1_status,
                    events=state.events,
                    build_outbox=build,
                    now=now,
                )
        finally:
            if build is None:  # else the store builds or discards them (OutboxBuild)
                _close_acks(checked)  # the acks' spools (blocked)
        crashpoint("after_interchange_commit")
        if effective:
            self._after_commit(msg, partner, state)

    def _after_commit(self, msg: MessageRow, partner: PartnerProfile, state: _Interchange) -> None:
        """Received acks settle what we expect; new tenders release what waited for them."""
        for ack in state.received_acks:
            self.reconciler.functional(partner.id, ack, message_id=msg.id)
        for segment in state.ta1s:
            ta1 = technical_ack_from_segment(
                segment, envelope=interchange_source(state.header, partner_id=partner.id)
            )
            self.reconciler.technical(partner.id, ta1, message_id=msg.id)
        for response in state.responses:
            self.reconciler.tender_response(partner.id, response, message_id=msg.id)
        if state.tender_keys:
            self.dispatcher.release(state.tender_keys)

    def _acks_outbox(
        self,
        msg: MessageRow,
        partner: PartnerProfile,
        checked: CheckedInterchange,
        now: datetime,
        numbers: ControlNumbers,
    ) -> list[NewOutbox]:
        h = checked.header
        ta1 = technical_ack(h, checked.end.issues, now) if checked.ta1_requested else None
        acks = checked.acks
        try:
            if ta1 is None and not acks:
                return []
            data = build_ack_interchange(h, acks, ta1, numbers, now, keep=True)
            crashpoint("after_ack_built")  # inside finish_interchange's open transaction
        finally:
            _close_acks(checked)
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


def _close_acks(checked: CheckedInterchange) -> None:
    for g in checked.groups:
        if g.ack is not None:
            g.ack.close()


def _written_group(g: _KeptGroup) -> NewGroup:
    return replace(g.header, set_count=g.set_count, ack_code=g.ack_code, sets=g.sets, acks=g.acks)


def _group(h: GroupHeader) -> NewGroup:
    return NewGroup(
        functional_id=h.functional_id,
        control_number=h.control_number,
        version=h.version,
        set_count=0,
        application_sender=h.application_sender,
        application_receiver=h.application_receiver,
    )


def _ack_key(sha256: str, header: InterchangeHeader) -> str:
    """The idempotency key of the acknowledgement interchange answering one inbound ISA."""
    return hashlib.sha256(f"ack\x1f{sha256}\x1f{header.control_number}".encode()).hexdigest()[:32]


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


def message_status(outcome: X12Outcome) -> MessageStatus:
    if outcome.problems:
        return MessageStatus.QUARANTINED
    if outcome.interchanges and outcome.duplicates == outcome.interchanges:
        return MessageStatus.DUPLICATE
    return MessageStatus.PARSED
