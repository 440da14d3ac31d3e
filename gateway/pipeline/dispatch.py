"""What happens to one canonical document: its deliveries, business events, shipment status,
and whether it must wait for its shipment (the hold queue) or for a human (invoice exceptions).

Used when a document first arrives and again when the hold queue releases it, so a 210 that
waited for its tender is checked and routed exactly like one whose tender was already there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from gateway.canonical import (
    AnyDocument,
    FreightInvoice,
    LoadTender,
    ShipmentStatus,
    parse_document,
)
from gateway.pipeline.erp_thread import KEYED_DOCUMENTS, ErpThread, posting_of
from gateway.registry import PartnerProfile, Registry
from gateway.registry.profile import Role
from gateway.routing import RenderedDelivery, RenderFailure, Router
from gateway.store import (
    DocumentRow,
    NewEvent,
    NewEventKey,
    NewOutbox,
    NewShipmentStatus,
    Store,
)
from transforms.erp_keys import ErpKeys
from transforms.invoice_check import ExceptionSeverity, check_invoice
from transforms.registry import transform_code_maps

log = logging.getLogger(__name__)

# correlation kinds that identify a shipment (what a held document waits for)
_SHIPMENT_KEYS = ("erp_order", "tms_shipment_id", "shipment_id", "bol", "pro")


@dataclass(slots=True)
class Dispatch:
    deliveries: list[NewOutbox] = field(default_factory=list)
    event_keys: list[NewEventKey] = field(default_factory=list)
    wait_for: list[str] = field(default_factory=list)
    wait_reason: str | None = None
    events: list[NewEvent] = field(default_factory=list)
    shipment_status: NewShipmentStatus | None = None
    withheld: list[str] = field(default_factory=list)  # production destinations of test data


def code_maps_for(partner: PartnerProfile | None) -> dict[str, Mapping[str, str]]:
    """The partner's code maps, named the way the transforms read them ({} without a profile)."""
    if partner is None:
        return {}
    maps = partner.code_maps.model_dump(mode="json")
    return transform_code_maps({k: v for k, v in maps.items() if v})


def shipment_values(doc: AnyDocument) -> list[str]:
    c = doc.correlation
    return [v for v in (getattr(c, k) for k in _SHIPMENT_KEYS) if v]


def business_key(doc: AnyDocument) -> str:
    c = doc.correlation
    ident = c.pro or c.shipment_id or c.bol or c.erp_order or ""
    parts = (doc.document_type.value, c.scac or "", ident)
    return ":".join(p for p in parts if p)


class Dispatcher:
    def __init__(
        self, store: Store, registry: Registry, router: Router, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.registry = registry
        self.router = router
        self.clock = clock
        self.erp = ErpThread(store, registry)

    def chunk(self, docs: Sequence[AnyDocument]) -> AbstractContextManager[None]:
        """Plan `docs` (a chunk of one interchange, the store unchanged meanwhile) with their
        ERP lookups answered together where the ERP sent none of their shipments."""
        return self.erp.chunk(docs)

    def tender_for(self, doc: AnyDocument) -> LoadTender | None:
        """The latest load tender sharing a shipment key with `doc` (None: not known yet)."""
        for value in shipment_values(doc):
            for row in self.store.search(value, limit=20):
                if row.doc_type == "load_tender":
                    found = parse_document(row.payload)
                    if isinstance(found, LoadTender):
                        return found
        return None

    def plan(self, partner: PartnerProfile, doc: AnyDocument, doc_key: str) -> Dispatch:
        out = Dispatch()
        if isinstance(doc, ShipmentStatus):
            out.shipment_status = _latest_status(doc)
        held = doc.document_type in partner.correlation.hold_unmatched
        tender = self.tender_for(doc) if held or isinstance(doc, FreightInvoice) else None
        if held and tender is None:
            values = shipment_values(doc)
            if values:
                out.wait_for = values
                out.wait_reason = (
                    f"{doc.document_type.value} waits for its shipment ({', '.join(values)})"
                )
                return out
        erp_keys = self._erp_keys(partner, doc, out)
        if out.wait_for:
            return out
        if isinstance(doc, FreightInvoice):
            policy = partner.invoices
            findings = check_invoice(
                doc,
                tender,
                tolerance_amount=policy.tolerance_amount,
                tolerance_percent=policy.tolerance_percent,
                allowed_accessorials=set(policy.allowed_accessorials),
            )
            if findings:
                detail = [f.model_dump(mode="json") for f in findings]
                out.events.append(
                    NewEvent(
                        "invoice_exception",
                        {"invoice": doc.invoice_number, "findings": detail},
                    )
                )
            if any(f.severity is ExceptionSeverity.ERROR for f in findings):
                # never a silent post: the ERP gets it once operations decide
                out.events.append(
                    NewEvent("alert", {"kind": "invoice_held", "invoice": doc.invoice_number})
                )
                return out
        failures: list[RenderFailure] = []
        rendered = self.router.render(
            partner,
            doc,
            doc_key,
            self.clock(),
            failures=failures,
            withheld=out.withheld,
            erp_keys=erp_keys,
        )
        for failure in failures:
            # one destination refused it; the others still get it, operations see this one
            out.events.append(
                NewEvent(
                    "exception",
                    {
                        "destination": failure.destination,
                        "error": failure.error,
                        "business_key": business_key(doc),
                    },
                )
            )
        out.deliveries = [
            NewOutbox(
                destination=r.destination,
                channel=r.channel,
                kind=r.kind,
                idempotency_key=r.idempotency_key,
                payload=r.payload,
                payload_path=r.name,
            )
            for r in rendered
        ]
        out.event_keys = _event_keys(doc, rendered)
        return out

    def _erp_keys(
        self, partner: PartnerProfile, doc: AnyDocument, out: Dispatch
    ) -> dict[str, ErpKeys]:
        """The ERP's own keys for each ERP destination of a carrier's 214, 990 or 210. When an
        ERP profile posts against its own keys (idoc.posting) and its order is not in the
        thread, the document waits for it in the hold queue (`out.wait_for`)."""
        if not isinstance(doc, KEYED_DOCUMENTS):
            return {}
        test_data = doc.source.usage_indicator == "T"
        found: dict[str, ErpKeys] = {}
        for dest in self.router.destinations(partner, doc):
            if dest.role is not Role.ERP or (test_data and dest.environment == "production"):
                continue
            keys = self.erp.keys_for(doc, dest)
            if keys is not None:
                found[dest.id] = keys
            elif posting_of(dest) is not None and (values := shipment_values(doc)):
                out.wait_for = values
                out.wait_reason = (
                    f"{doc.document_type.value} waits for the order of {dest.id} "
                    f"({', '.join(values)})"
                )
                return {}
        return found

    def release(self, keys: list[str]) -> int:
        """A shipment became known: replay every document that waited for one of `keys`."""
        return sum(self._replay(row) for row in self.store.release_waiting(keys))

    def sweep(self) -> int:
        """Catch documents whose shipment arrived while they were being held (or a crash)."""
        total = 0
        while rows := self.store.release_satisfied(limit=500):
            total += sum(self._replay(row) for row in rows)
            if len(rows) < 500:
                break
        return total

    def _replay(self, row: DocumentRow) -> int:
        partner = self.registry.find(row.partner_id)
        doc = parse_document(row.payload)
        if partner is None:
            self.store.wait_document(row.id, shipment_values(doc) or [row.business_key])
            return 0
        plan = self.plan(partner, doc, f"replay\x1f{row.id}")
        if plan.wait_for:
            self.store.wait_document(row.id, plan.wait_for, reason=plan.wait_reason)
            return 0
        if plan.deliveries:
            self.store.add_outbox(
                plan.deliveries, source_message_id=row.message_id, document_id=row.id
            )
        for event in plan.events:
            self.store.add_event(event.kind, dict(event.detail or {}), message_id=row.message_id)
        detail = {"document_id": row.id, "deliveries": len(plan.deliveries)}
        self.store.add_event("released", detail, message_id=row.message_id)
        self.store.finish_waiting(row.id)
        return 1


def _latest_status(doc: ShipmentStatus) -> NewShipmentStatus | None:
    """The document's newest factual event: what a shipment's status may move forward to."""
    key = doc.correlation.shipment_id or doc.correlation.pro or doc.correlation.bol
    timed = [(e.event_time, e) for e in doc.events if e.event_time and not e.is_estimate]
    if key is None or not timed:
        return None
    when, latest = max(timed, key=lambda pair: pair[0])
    return NewShipmentStatus(f"{doc.correlation.scac or ''}:{key}", when, latest.status.value)


def _event_keys(doc: AnyDocument, rendered: list[RenderedDelivery]) -> list[NewEventKey]:
    """Business events (third dedup layer): a 214's tracking events, a 210's invoice number.

    A per-event delivery (a portal update) is tied to its own event; a delivery carrying the
    whole document (TMS, ERP) is dropped only when every one of its events was seen before.
    """
    c = doc.correlation
    if isinstance(doc, FreightInvoice):
        return [NewEventKey(f"210|{c.scac or doc.scac or ''}|{doc.invoice_number}")]
    if not isinstance(doc, ShipmentStatus):
        return []
    ident = c.shipment_id or c.pro or c.bol or ""
    whole = [r.idempotency_key for r in rendered if r.event_index is None]
    keys: list[NewEventKey] = []
    for i, e in enumerate(doc.events):
        when = e.event_time.isoformat() if e.event_time else f"{e.raw_date}{e.raw_time}"
        code = e.status_code or e.appointment_code or e.status.value
        own = [r.idempotency_key for r in rendered if r.event_index == i]
        keys.append(NewEventKey(f"214|{c.scac or ''}|{ident}|{code}|{when}", [*own, *whole]))
    return keys
