"""What the ERP's SOAP operations do: release, change and cancel orders for transport (a load
tender -> the routes the ERP profile has: a 204 to the carrier, the TMS copy), and read back the
shipment thread and the acknowledgement state of what was sent.

Mutating operations are idempotent by the ERP's document number (DOCNUM): the first call's
response is kept and replayed; the same DOCNUM with other content is a Client fault and an alert.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lxml import etree

from gateway.canonical import LoadTender, ShipmentStatus, StatusKind, parse_document
from gateway.canonical.status import TrackingEvent
from gateway.canonical.tender import Purpose
from gateway.idoc.errors import IdocError
from gateway.idoc.safe_xml import hardened_parser
from gateway.pipeline.archive import Archive
from gateway.pipeline.inbound import InboundPipeline, utc_now
from gateway.pipeline.outbound import OutboundError
from gateway.registry import PartnerProfile, Registry
from gateway.routing import RoutingError
from gateway.soap.orders import NS, cancellation, shipment_tender, text
from gateway.soap.server import MAX_REQUEST_BYTES, Call, Handler, SoapDispatcher, SoapFault
from gateway.store import (
    AckDirection,
    AckKind,
    AckRow,
    DocumentRow,
    NewSoapRequest,
    SoapOrderStateError,
    SoapRequestRow,
    Store,
)

log = logging.getLogger(__name__)

RELEASE, CHANGE, CANCEL = "ReleaseOrder", "ChangeOrder", "CancelOrder"
STALE_AFTER = timedelta(minutes=2)
"""A request still `processing` after this was abandoned by a crash: a retry takes it over."""
_PURPOSE_CODE = {Purpose.ORIGINAL: "00", Purpose.CHANGE: "04", Purpose.CANCEL: "01"}
_FA_KINDS = (AckKind.FA997, AckKind.FA999)
_NSMAP: Any = {None: NS}  # the default namespace (lxml-stubs only know prefixes)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _add(parent: etree._Element, name: str, value: object) -> etree._Element:
    child = etree.SubElement(parent, _q(name))
    child.text = value.isoformat() if isinstance(value, datetime) else str(value)
    return child


def _add_optional(parent: etree._Element, name: str, value: object | None) -> None:
    if value is not None and value != "":
        _add(parent, name, value)


class RequestFailed(Exception):
    """The effects of a recorded request failed (the request was abandoned: a retry may go)."""

    def __init__(self, message_id: int | None, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.message_id = message_id


@dataclass
class ErpOperations:
    """The handlers of the SOAP service over the gateway's store, registry and pipeline."""

    store: Store
    registry: Registry
    pipeline: InboundPipeline
    archive: Archive
    clock: Callable[[], datetime] = utc_now

    def handlers(self) -> dict[str, Handler]:
        return {
            RELEASE: self.release_order,
            CHANGE: self.change_order,
            CANCEL: self.cancel_order,
            "GetShipmentStatus": self.shipment_status,
            "GetAcknowledgementStatus": self.acknowledgement_status,
        }

    def dispatcher(
        self, *, env: Mapping[str, str] | None = None, max_bytes: int = MAX_REQUEST_BYTES
    ) -> SoapDispatcher:
        """The SOAP dispatcher with these handlers; server faults are recorded as events.
        `env` holds the secrets the profiles reference (default: the process environment)."""
        return SoapDispatcher(
            self.registry,
            self.handlers(),
            max_bytes=max_bytes,
            env=env,
            on_server_fault=self._record_server_fault,
        )

    # ------------------------------------------------------------ mutating operations

    def release_order(self, call: Call) -> etree._Element:
        return self._order(call, Purpose.ORIGINAL)

    def change_order(self, call: Call) -> etree._Element:
        return self._order(call, Purpose.CHANGE)

    def cancel_order(self, call: Call) -> etree._Element:
        payload = call.payload
        tknum = text(payload, "TKNUM")
        earlier = self.store.list_soap_requests(
            partner_id=call.caller.partner.id, order_number=tknum
        )
        previous = self._last_tender(earlier)
        if previous is None:
            # a retry of a finished cancel still gets its first answer (checked in _apply)
            done = self.store.get_soap_request(call.caller.partner.id, text(payload, "DOCNUM"))
            if done is None:
                raise SoapFault(f"order {tknum} was never released: nothing to cancel")
            previous = LoadTender(shipment_id=tknum)
        reasons = [(t.text or "").strip() for t in payload.findall(_q("TDLINE")) if t.text]
        return self._apply(call, tknum, cancellation(previous, reasons))

    def _order(self, call: Call, purpose: Purpose) -> etree._Element:
        partner = call.caller.partner
        shipment = call.payload.find(_q("Shipment"))
        assert shipment is not None  # the schema requires it
        zone = partner.idoc.time_zone if partner.idoc is not None else partner.timezone
        try:
            tender = shipment_tender(
                shipment,
                docnum=text(call.payload, "DOCNUM"),
                purpose=purpose,
                partner_id=partner.id,
                time_zone=zone,
            )
        except (IdocError, ValueError) as exc:
            raise SoapFault(f"the order cannot be tendered: {exc}") from None
        return self._apply(call, text(shipment, "TKNUM"), tender)

    def _apply(self, call: Call, tknum: str, tender: LoadTender) -> etree._Element:
        partner = call.caller.partner
        docnum = text(call.payload, "DOCNUM")
        content = hashlib.sha256(etree.tostring(call.payload, method="c14n")).hexdigest()
        first = self.store.get_soap_request(partner.id, docnum)
        stale_before = self.clock() - STALE_AFTER
        abandoned = (
            first is not None
            and first.state == "processing"
            and first.updated_at < stale_before
            and (first.request_sha256, first.operation) == (content, call.operation)
        )
        if first is not None and not abandoned:
            return self._again(call, first, content)
        try:  # before anything is written: can this order go anywhere?
            carriers, _ = self.pipeline.router.split(partner, tender)
        except RoutingError as exc:
            raise SoapFault(f"order {tknum} cannot be routed: {exc}") from None
        if not carriers:
            raise SoapFault(f"order {tknum}: no carrier to tender to (E1ADRM4 PARTNER_Q SP)")
        rule = _order_rule(call.operation, tknum)
        # checked here too so a refused call archives nothing; the check that counts is the
        # one inside begin_soap_request's transaction
        reason = rule(self.store.list_soap_requests(partner_id=partner.id, order_number=tknum))
        if reason is not None and not abandoned:
            raise SoapFault(reason)
        archived = self.archive.store(io.BytesIO(call.raw))
        try:
            begun = self.store.begin_soap_request(
                NewSoapRequest(
                    partner_id=partner.id,
                    docnum=docnum,
                    operation=call.operation,
                    order_number=tknum,
                    request_sha256=content,
                    archive_sha256=archived.sha256,
                    archive_path=str(archived.path),
                    size=archived.size,
                    account=call.caller.username,
                ),
                check_order=rule,
                stale_before=stale_before,
            )
        except SoapOrderStateError as exc:
            raise SoapFault(str(exc)) from None
        if not begun.claimed:
            return self._again(call, begun.row, content)
        request = begun.row
        assert request.message_id is not None
        try:
            self._effects(request, partner, tender, docnum)
            response = self._order_response(request, docnum, tknum)
        except (RoutingError, OutboundError, ValueError) as exc:
            # the order itself cannot be sent (e.g. a value X12 cannot carry): the ERP's to fix,
            # as a file with the same content would be quarantined; nothing was sent, and the
            # DOCNUM is freed for the corrected order
            self.store.abandon_soap_request(request.id, f"{type(exc).__name__}: {exc}")
            raise SoapFault(f"order {tknum} cannot be sent: {exc}") from None
        except Exception as exc:
            self.store.abandon_soap_request(request.id, f"{type(exc).__name__}: {exc}")
            raise RequestFailed(request.message_id, exc) from exc
        self.store.finish_soap_request(request.id, etree.tostring(response))
        log.info("SOAP %s %s (DOCNUM %s) from %s", call.operation, tknum, docnum, partner.id)
        return response

    def _effects(
        self, request: SoapRequestRow, partner: PartnerProfile, tender: LoadTender, docnum: str
    ) -> None:
        message_id = request.message_id
        assert message_id is not None
        if self.store.list_documents(message_id=message_id, limit=1):
            return  # taken over after a crash that came after the effects: not twice
        message = self.store.get_message(message_id)
        assert message is not None
        key = f"soap\x1f{partner.id}\x1f{docnum}"
        self.pipeline.route_document(message, partner, tender, key)

    def _again(self, call: Call, first: SoapRequestRow, content: str) -> etree._Element:
        """A DOCNUM seen before: its first response, or a fault (other content, in flight)."""
        if first.request_sha256 != content or first.operation != call.operation:
            detail = {
                "kind": "soap_docnum_conflict",
                "partner": first.partner_id,
                "docnum": first.docnum,
                "first_operation": first.operation,
                "operation": call.operation,
            }
            self.store.add_event("alert", detail, message_id=first.message_id)
            log.warning("SOAP DOCNUM %s reused with other content", first.docnum)
            raise SoapFault(
                f"DOCNUM {first.docnum} was already used for a different request "
                f"({first.operation} of order {first.order_number} at "
                f"{first.created_at.isoformat(timespec='seconds')}); a retry must repeat it "
                "unchanged, a new request needs a new DOCNUM"
            )
        if first.response is None:
            raise SoapFault(
                f"DOCNUM {first.docnum} is still being processed; retry shortly",
                code="Server",
            )
        # our own stored response, parsed as strictly as any request
        return etree.fromstring(first.response, hardened_parser())

    def _order_response(self, request: SoapRequestRow, docnum: str, tknum: str) -> etree._Element:
        message_id = request.message_id
        assert message_id is not None
        root = etree.Element(_q(f"{request.operation}Response"), nsmap=_NSMAP)
        _add(root, "DOCNUM", docnum)
        _add(root, "TKNUM", tknum)
        _add(root, "MessageId", message_id)
        carriers = set()
        for interchange in self.store.list_interchanges(message_id=message_id, limit=100)[::-1]:
            for group in self.store.list_groups(interchange.id):
                for ts in self.store.list_sets(group.id):
                    tender = etree.SubElement(root, _q("Tender"))
                    profile = self.registry.find(interchange.partner_id)
                    _add(tender, "PARTNER", interchange.partner_id)
                    _add_optional(tender, "SCAC", profile.scac if profile else None)
                    _add(tender, "ISA13", interchange.control_number)
                    _add(tender, "GS06", group.control_number)
                    _add(tender, "ST02", ts.control_number)
                    _add(tender, "PURPOSE", self._purpose_of(ts.id, message_id))
            carriers.add(interchange.partner_id)
        for row in reversed(self.store.list_outbox(source_message_id=message_id, limit=100)):
            if row.destination not in carriers:
                routed = etree.SubElement(root, _q("Delivery"))
                _add(routed, "PARTNER", row.destination)
                _add(routed, "KIND", row.kind)
        return root

    def _purpose_of(self, set_id: int, message_id: int) -> str:
        for doc in self.store.list_documents(message_id=message_id, doc_type="load_tender"):
            if doc.transaction_set_id == set_id:
                return _PURPOSE_CODE.get(Purpose(doc.payload.get("purpose", "original")), "00")
        return "00"

    def _last_tender(self, earlier: Sequence[SoapRequestRow]) -> LoadTender | None:
        for request in reversed(earlier):
            if request.state != "done" or request.message_id is None:
                continue
            docs = self.store.list_documents(message_id=request.message_id, doc_type="load_tender")
            for doc in docs:
                tender = parse_document(doc.payload)
                if isinstance(tender, LoadTender):
                    return tender
        return None

    def _record_server_fault(self, correlation_id: str, operation: str, exc: Exception) -> None:
        """The event operations find the correlation id in (on the request's message, when
        one was recorded: GET /api/messages/{id} shows it)."""
        detail = {
            "correlation_id": correlation_id,
            "operation": operation,
            "error": f"{type(exc).__name__}: {exc}",
        }
        message_id = exc.message_id if isinstance(exc, RequestFailed) else None
        self.store.add_event("soap_server_fault", detail, message_id=message_id)

    # ------------------------------------------------------------ queries

    def shipment_status(self, call: Call) -> etree._Element:
        key = text(call.payload, "KEY")
        thread = self.store.thread(key)
        root = etree.Element(_q("GetShipmentStatusResponse"), nsmap=_NSMAP)
        _add(root, "KEY", key)
        live = [d for d in thread.documents if d.status.value != "void"]
        _add(root, "FOUND", "true" if live else "false")
        if not live:
            return root
        tenders = [d for d in live if d.doc_type == "load_tender"]
        statuses = [
            s for d in live if d.doc_type == "shipment_status" and (s := _status_doc(d)) is not None
        ]
        last_tender = _tender_doc(tenders[-1]) if tenders else None
        _add_optional(root, "TKNUM", last_tender.correlation.erp_order if last_tender else None)
        scac = last_tender.scac if last_tender else None
        scac = scac or next((s.scac for s in reversed(statuses) if s.scac), None)
        _add_optional(root, "SCAC", scac)
        pro = next((s.pro_number for s in reversed(statuses) if s.pro_number), None)
        _add_optional(root, "PRO", pro)
        responses = [a for a in thread.acks if a.kind is AckKind.TENDER_RESPONSE]
        _add_optional(root, "TenderStatus", responses[-1].status.value if responses else None)
        if thread.statuses:
            current = max(thread.statuses, key=lambda s: s.event_time)
            _add(root, "STATUS", current.status)
            _add(root, "StatusTime", current.event_time)
        events = [e for s in statuses for e in s.events if e.event_time is not None]
        facts = [e for e in events if not e.is_estimate]
        if facts:
            _event(root, "LastEvent", max(facts, key=_event_time))
        estimates = [
            e
            for e in events
            if e.is_estimate and e.status in (StatusKind.ESTIMATED_DELIVERY, StatusKind.DELAYED)
        ]
        if estimates:
            _add(root, "ETA", _event_time(estimates[-1]))  # the latest word, not the latest time
        delivered = [e for e in facts if e.status is StatusKind.DELIVERED]
        if delivered:
            _event(root, "POD", max(delivered, key=_event_time))
        return root

    def acknowledgement_status(self, call: Call) -> etree._Element:
        tknum = text(call.payload, "TKNUM")
        root = etree.Element(_q("GetAcknowledgementStatusResponse"), nsmap=_NSMAP)
        _add(root, "TKNUM", tknum)
        for doc in self.store.search(tknum, limit=500):
            keys = dict(doc.keys)
            profile = self.registry.find(doc.partner_id)
            if (
                doc.doc_type != "load_tender"
                or keys.get("erp_order") != tknum
                or "isa13" not in keys
                or profile is None
                or profile.role.value != "carrier"
            ):
                continue
            isa13 = keys["isa13"]
            acks = self.store.list_acks(
                partner_id=doc.partner_id,
                interchange_control_number=isa13,
                direction=AckDirection.EXPECTED,
            )
            sent = etree.SubElement(root, _q("Sent"))
            _add(sent, "PARTNER", doc.partner_id)
            _add(sent, "ISA13", isa13)
            _add_optional(sent, "GS06", keys.get("gs06"))
            purpose = Purpose(doc.payload.get("purpose", "original"))
            _add(sent, "PURPOSE", _PURPOSE_CODE.get(purpose, "00"))
            _add(sent, "DELIVERY", self._delivery_state(doc))
            _ack_state(sent, "FA", [a for a in acks if a.kind in _FA_KINDS])
            answers = [a for a in acks if a.kind is AckKind.TENDER_RESPONSE]
            _ack_state(sent, "TenderResponse", answers)
        return root

    def _delivery_state(self, doc: DocumentRow) -> str:
        if doc.message_id is None:
            return "unknown"
        rows = self.store.list_outbox(source_message_id=doc.message_id, limit=100)
        mine = [r for r in rows if r.destination == doc.partner_id]
        return mine[0].status.value if mine else "unknown"


# ---------------------------------------------------------------- helpers


def _order_rule(operation: str, tknum: str) -> Callable[[Sequence[SoapRequestRow]], str | None]:
    """Release once (again only after a cancel); change or cancel only a released order."""

    def check(earlier: Sequence[SoapRequestRow]) -> str | None:
        last = earlier[-1].operation if earlier else None
        released = last is not None and last != CANCEL
        if operation == RELEASE and released:
            first = earlier[-1].docnum
            return f"order {tknum} is released already (DOCNUM {first}): use ChangeOrder"
        if operation in (CHANGE, CANCEL) and not released:
            state = "cancelled" if last == CANCEL else "never released"
            verb = "change" if operation == CHANGE else "cancel"
            return f"order {tknum} is {state}: nothing to {verb}"
        return None

    return check


def _tender_doc(doc: DocumentRow) -> LoadTender | None:
    parsed = parse_document(doc.payload)
    return parsed if isinstance(parsed, LoadTender) else None


def _status_doc(doc: DocumentRow) -> ShipmentStatus | None:
    parsed = parse_document(doc.payload)
    return parsed if isinstance(parsed, ShipmentStatus) else None


def _event_time(event: TrackingEvent) -> datetime:
    assert event.event_time is not None
    return event.event_time


def _event(parent: etree._Element, name: str, event: TrackingEvent) -> None:
    element = etree.SubElement(parent, _q(name))
    _add(element, "STATUS", event.status.value)
    _add_optional(element, "CODE", event.status_code)
    _add_optional(element, "TIME", event.event_time)
    if event.location is not None:
        _add_optional(element, "CITY1", event.location.city)
        _add_optional(element, "REGION", event.location.state)
        _add_optional(element, "COUNTRY1", event.location.country)


def _ack_state(parent: etree._Element, name: str, acks: Sequence[AckRow]) -> None:
    element = etree.SubElement(parent, _q(name))
    if not acks:
        _add(element, "KIND", "NONE")
        _add(element, "STATUS", "NONE")
        return
    ack = acks[0]  # newest first
    _add(element, "KIND", ack.kind.value)
    _add(element, "STATUS", ack.status.value)
    _add_optional(element, "DUE", ack.due_at)
    _add(element, "UPDATED", ack.updated_at)
