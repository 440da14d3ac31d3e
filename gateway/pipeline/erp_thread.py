"""The ERP's own keys for a carrier's document, looked up in its shipment thread.

The transforms stay pure: this module reads the store and the ERP profile, and hands the
renderers an `ErpKeys` value. A 214, 990 or 210 whose shipment the ERP never sent gets no keys:
it waits in the hold queue, or (214/990 only) goes out by the carrier's reference where the
ERP profile says SAP resolves it (idoc.posting.carriers.<id>.resolve_by_reference).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import MappingProxyType

from gateway.canonical import (
    AnyDocument,
    FreightInvoice,
    LoadTender,
    ShipmentStatus,
    TenderResponse,
    parse_document,
)
from gateway.registry import PartnerProfile, Registry
from gateway.registry.profile import ErpPosting
from gateway.store import Store
from transforms.erp_keys import BY_CARRIER_REFERENCE, ErpKeys, ErpVendor, keys_from_order

# correlation kinds that identify a shipment, most specific first
_SHIPMENT_KEYS = ("erp_order", "shipment_id", "tms_shipment_id", "bol", "pro")
KEYED_DOCUMENTS = (ShipmentStatus, TenderResponse, FreightInvoice)


def posting_of(dest: PartnerProfile) -> ErpPosting | None:
    return dest.idoc.posting if dest.idoc is not None else None


def carrier_reference(doc: AnyDocument) -> str | None:
    """The carrier's own reference SAP may resolve (EXTI1): PRO, else its shipment id."""
    c = doc.correlation
    if isinstance(doc, ShipmentStatus):
        return doc.pro_number or c.pro or doc.shipment_id or c.shipment_id
    return c.pro or c.shipment_id


class _ChunkState(threading.local):
    chunk: list[str] | None = None  # the shipment values of the chunk being planned
    orderless: set[str] | None = None  # of those, the ones proven to reach no order


class ErpThread:
    """Finds the order the ERP sent for a document's shipment and turns it into keys."""

    def __init__(self, store: Store | None, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        # per thread: a replay in another stage's thread must not see this chunk's answers
        self._local = _ChunkState()

    @contextmanager
    def chunk(self, docs: Sequence[AnyDocument]) -> Iterator[None]:
        """While planning `docs` (the store unchanged meanwhile), a document whose every
        shipment value reaches no ERP order is answered without a query of its own: the
        chunk's values are searched together, once, on the first lookup (none: no query)."""
        values = [v for doc in docs if isinstance(doc, KEYED_DOCUMENTS) for v in _values(doc)]
        del docs  # the values are all it needs: the documents are freed as they are routed
        local = self._local
        local.chunk, local.orderless = list(dict.fromkeys(values)), None
        try:
            yield
        finally:
            local.chunk, local.orderless = None, None

    def order_for(self, doc: AnyDocument) -> LoadTender | None:
        """The newest load tender carrying the ERP's order number that shares a shipment key
        with `doc`, directly or one document further along the thread (a 214 that names only
        the carrier's id reaches the order through an earlier 214 that also had the BOL)."""
        if self.store is None:
            return None
        values = _values(doc)
        local = self._local
        if local.chunk is not None:
            if local.orderless is None:
                local.orderless = self.store.erp_orderless(local.chunk)
            if all(v in local.orderless for v in values):
                return None  # what `erp_order` would find for them: nothing
        payload = self.store.erp_order(values)
        found = parse_document(payload) if payload is not None else None
        return found if isinstance(found, LoadTender) else None

    def keys_for(self, doc: AnyDocument, dest: PartnerProfile) -> ErpKeys | None:
        """Keys for `doc` to the ERP `dest` (None: the ERP cannot post it yet, or its profile
        has no `idoc.posting` section and gets the carrier's keys as before)."""
        posting = posting_of(dest)
        if posting is None:
            return None
        scac = doc.correlation.scac or getattr(doc, "scac", None)
        carrier = self.registry.by_scac(scac) if scac else None
        if carrier is None and doc.source.partner_id:
            carrier = self.registry.find(doc.source.partner_id)
        entry = posting.carriers.get(carrier.id) if carrier is not None else None
        common = ErpKeys(
            vendor=ErpVendor(entry.vendor, entry.partner_function) if entry else None,
            company_code=posting.company_code,
            tax_codes=MappingProxyType(dict(posting.tax_codes)),
        )
        order = self.order_for(doc)
        if order is not None:
            found = keys_from_order(order)
            return dataclasses.replace(
                common,
                shipment=found.shipment,
                order=found.order,
                items=found.items,
                deliveries=found.deliveries,
            )
        reference = carrier_reference(doc)
        by_reference = entry is not None and entry.resolve_by_reference
        if by_reference and reference and not isinstance(doc, FreightInvoice):
            return dataclasses.replace(
                common, identified_by=BY_CARRIER_REFERENCE, carrier_reference=reference
            )
        return None


def _values(doc: AnyDocument) -> Sequence[str]:
    c = doc.correlation
    found = [getattr(c, k) for k in _SHIPMENT_KEYS]
    shipment_id = getattr(doc, "shipment_id", None)
    return list(dict.fromkeys(v for v in (*found, shipment_id) if v))
