"""Outbound X12: a canonical document becomes an interchange to a carrier.

ISA13/GS06/ST02 are allocated inside the same transaction that records the outbound
interchange, its expected acknowledgements and the delivery (`Store.record_outbound`), so a
number is never reused or skipped, even with several workers.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from gateway.canonical import LoadTender, ShipmentStatus, TenderResponse
from gateway.pipeline.dispatch import code_maps_for
from gateway.registry import PartnerProfile, Registry
from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    BatchIds,
    Direction,
    NewAck,
    NewDocument,
    NewEvent,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboundBatch,
    RawJson,
    Store,
)
from gateway.x12.model import Delimiters, GroupHeader, InterchangeHeader
from gateway.x12.writer import X12Writer
from transforms import x12_204, x12_214_out, x12_990
from transforms.x12_out_common import CodeMaps

OutboundDoc = LoadTender | TenderResponse | ShipmentStatus

# set id, functional id (GS01) and renderer per canonical document type
_RENDER: dict[type, tuple[str, str]] = {
    LoadTender: ("204", "SM"),
    TenderResponse: ("990", "GF"),
    ShipmentStatus: ("214", "QM"),
}


class OutboundError(Exception):
    """The partner profile cannot receive this document as X12."""


class _Numbers(Protocol):
    def next_interchange(self) -> int: ...
    def next_group(self) -> int: ...
    def next_set(self) -> int: ...


def _rows(
    doc: OutboundDoc, version: str, st02: str, maps: CodeMaps, payment_method: str | None = None
) -> list[list[str]]:
    """ST..SE of the document; `maps` are the partner's code maps (reversed by the transforms)."""
    if isinstance(doc, LoadTender):
        return x12_204.x12_from_load_tender(
            doc,
            version=version,
            control_number=st02,
            profile_code_maps=maps,
            default_payment_method=payment_method,
        )
    if isinstance(doc, TenderResponse):
        return x12_990.x12_from_tender_response(
            doc, version=version, control_number=st02, profile_code_maps=maps
        )
    return x12_214_out.x12_from_shipment_status(
        doc, version=version, control_number=st02, profile_code_maps=maps
    )


class OutboundX12:
    def __init__(self, store: Store, registry: Registry, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock

    def send(
        self,
        doc: OutboundDoc,
        partner: PartnerProfile,
        *,
        key: str,
        source_message_id: int | None,
        deliveries: Sequence[NewOutbox] = (),
        keys: Sequence[tuple[str, str]] = (),
    ) -> BatchIds:
        """Record and queue one interchange carrying `doc` to `partner` (one transaction).

        `deliveries` are the document's other routed deliveries (e.g. the TMS copy): they are
        recorded in the same transaction as the interchange and its control numbers.
        """
        x12 = partner.x12
        if x12 is None:
            raise OutboundError(f"{partner.id} has no x12 settings")
        set_id, functional_id = _RENDER[type(doc)]
        if x12.version and set_id not in partner.documents.outbound:
            raise OutboundError(f"{partner.id} does not receive {set_id} (documents.outbound)")
        qualifier, our_id, our_gs = self.registry.our_isa_identity(partner)
        now = self.clock()
        d = x12.delimiters
        delimiters = Delimiters(d.element, d.component, d.segment, d.repetition)
        maps = code_maps_for(partner)
        idem = hashlib.sha256(f"x12\x1f{partner.id}\x1f{key}".encode()).hexdigest()[:32]
        transport = partner.delivery_transport

        def build(numbers: _Numbers) -> OutboundBatch:
            isa13 = f"{numbers.next_interchange():09d}"
            gs06 = str(numbers.next_group())
            st02 = f"{numbers.next_set():04d}"
            rows = _rows(doc, x12.version, st02, maps, x12.payment_method)
            header = InterchangeHeader(
                authorization_qualifier="00",
                authorization="",
                security_qualifier="00",
                security="",
                sender_qualifier=qualifier,
                sender_id=our_id,
                receiver_qualifier=x12.isa_qualifier,
                receiver_id=x12.isa_id,
                date=now.strftime("%y%m%d"),
                time=now.strftime("%H%M"),
                standards_or_repetition=delimiters.repetition or "U",
                version=x12.isa_version,
                control_number=isa13,
                ack_requested=partner.acks.request_ta1,
                usage=x12.usage,
                delimiters=delimiters,
            )
            group = GroupHeader(
                functional_id=functional_id,
                application_sender=our_gs,
                application_receiver=x12.group_id,
                date=now.strftime("%Y%m%d"),
                time=now.strftime("%H%M"),
                control_number=gs06,
                agency="X",
                version=x12.version,
            )
            out = io.BytesIO()
            writer = X12Writer(out, delimiters)
            # the transform framed ST..SE; the writer re-frames to count SE01 itself
            with (
                writer.interchange(header),
                writer.group(group),
                writer.transaction_set(set_id, st02),
            ):
                for row in rows[1:-1]:
                    writer.write_segment(row)
            writer.flush()
            payload = out.getvalue()
            acks = self._expected(
                partner, isa13, gs06, functional_id, now, tender=isinstance(doc, LoadTender)
            )
            document = NewDocument(
                doc_type=doc.document_type.value,
                partner_id=partner.id,
                business_key=key,
                payload=RawJson(doc.model_dump_json()),
                keys=[*keys, ("isa13", isa13), ("gs06", gs06)],
                deliveries=list(deliveries),
            )
            interchange = NewInterchange(
                partner_id=partner.id,
                direction=Direction.OUT,
                sender_qualifier=qualifier,
                sender_id=our_id,
                receiver_qualifier=x12.isa_qualifier,
                receiver_id=x12.isa_id,
                control_number=isa13,
                version=x12.isa_version,
                usage=x12.usage,
                outcome="sent",
                groups=[
                    NewGroup(
                        functional_id=functional_id,
                        control_number=gs06,
                        version=x12.version,
                        set_count=1,
                        application_sender=our_gs,
                        application_receiver=x12.group_id,
                        sets=[NewSet(set_id, st02, "A", len(rows), (), [document])],
                        acks=[a for a in acks if a.kind in (AckKind.FA997, AckKind.FA999)],
                    )
                ],
                acks=[a for a in acks if a.kind not in (AckKind.FA997, AckKind.FA999)],
            )
            delivery = NewOutbox(
                destination=partner.id,
                channel=transport.kind if transport else "none",
                kind=set_id,
                idempotency_key=idem,
                payload=payload,
                payload_path=f"{set_id}-{isa13}.x12",
            )
            event = NewEvent("x12_sent", {"set": set_id, "isa13": isa13, "gs06": gs06})
            return OutboundBatch(interchange, [delivery], [event])

        return self.store.record_outbound(partner.id, build, source_message_id=source_message_id)

    def _expected(
        self,
        partner: PartnerProfile,
        isa13: str,
        gs06: str,
        functional_id: str,
        now: datetime,
        *,
        tender: bool = False,
    ) -> list[NewAck]:
        minutes = partner.acks.expect_ack_within_minutes
        due = now + timedelta(minutes=minutes) if minutes else None
        kind = AckKind.FA999 if partner.acks.kind == "999" else AckKind.FA997
        acks = []
        if minutes is not None:
            acks.append(
                NewAck(
                    direction=AckDirection.EXPECTED,
                    kind=kind,
                    status=AckStatus.PENDING,
                    partner_id=partner.id,
                    interchange_control_number=isa13,
                    group_control_number=gs06,
                    functional_id=functional_id,
                    due_at=due,
                )
            )
        window = partner.acks.expect_990_within_minutes
        if tender and window is not None:
            acks.append(
                NewAck(
                    direction=AckDirection.EXPECTED,
                    kind=AckKind.TENDER_RESPONSE,
                    status=AckStatus.PENDING,
                    partner_id=partner.id,
                    interchange_control_number=isa13,
                    due_at=now + timedelta(minutes=window),
                )
            )
        if partner.acks.request_ta1:
            acks.append(
                NewAck(
                    direction=AckDirection.EXPECTED,
                    kind=AckKind.TA1,
                    status=AckStatus.PENDING,
                    partner_id=partner.id,
                    interchange_control_number=isa13,
                    due_at=due,
                )
            )
        return acks
