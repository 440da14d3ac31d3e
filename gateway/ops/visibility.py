"""The portal's visibility API: a customer's shipments and their timelines, and nobody else's.

    GET /api/v1/portal/shipments                  filters bol, pro, po, shipment_id, status;
                                                  newest first, cursor-paged
    GET /api/v1/portal/shipments/{number}         one shipment by BOL, PRO, PO, shipment id or
                                                  the `ref` the list gives, with its timeline

A key with `portal:<customer>` sees a document only when one of its parties carries an id
listed in that customer's profile (`customer_ids`): the rule is applied to every document,
so a number two customers share (a PO, say) never shows one the other's shipment; anything
else is a 404, never a 403 that would confirm it exists. What it returns is curated like the
portal updates (transforms/portal.py): milestones in plain words, no raw EDI, and charges only
when the customer's profile says `portal: {show_charges: true}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, ValidationError

from gateway.canonical import (
    AnyDocument,
    FreightInvoice,
    LoadTender,
    ShipmentStatus,
    StatusKind,
    parse_document,
)
from gateway.ops.auth import AuthConfig, Principal, require
from gateway.registry import PartnerProfile, Registry
from gateway.store import DocumentRow, Store
from transforms.portal import (
    PortalUpdate,
    ShipmentReferences,
    portal_invoice_update,
    portal_updates,
)

DOC_TYPES = ("shipment_status", "load_tender", "freight_invoice")
PARSED_CACHE = 20_000
SCAN_PER_PAGE = 2000  # documents read for one page at most; the cursor carries on from there
Number = Annotated[str, Path(min_length=1, max_length=200)]
Filter = Annotated[str | None, Query(min_length=1, max_length=200)]


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ShipmentSummary(View):
    ref: str
    customer_id: str
    shipment: ShipmentReferences
    status: StatusKind | None = None
    description: str | None = None
    last_event_at: dt.datetime | None = None


class Shipment(ShipmentSummary):
    timeline: list[PortalUpdate]


class ShipmentPage(View):
    items: list[ShipmentSummary]
    next_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Seen:
    """A document one customer may see, read once."""

    row: DocumentRow
    doc: AnyDocument
    customer_id: str  # the id of the customer's that the document names
    profile: PartnerProfile

    @property
    def ref(self) -> str:
        c = self.doc.correlation
        return f"{c.scac or '-'}:{c.pro or c.shipment_id or c.bol or self.row.business_key}"

    def references(self) -> ShipmentReferences:
        c = self.doc.correlation
        return ShipmentReferences(
            shipment_id=c.shipment_id, bol=c.bol, pro=c.pro, po=c.po, carrier_scac=c.scac
        )

    def matches(self, number: str) -> bool:
        c = self.doc.correlation
        return number == self.ref or number in (c.bol, c.pro, c.shipment_id, *c.po)

    def updates(self) -> list[PortalUpdate]:
        allow = self.profile.portal.show_charges
        if isinstance(self.doc, ShipmentStatus):
            return portal_updates(self.doc, customer_id=self.customer_id, allow_charges=allow)
        if isinstance(self.doc, FreightInvoice):
            found = portal_invoice_update(
                self.doc, customer_id=self.customer_id, allow_charges=allow
            )
            return [found] if found is not None else []
        return []


class Visibility:
    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        # an effective document never changes: keep what was parsed (bounded)
        self._parsed: dict[int, AnyDocument | None] = {}

    def parsed(self, row: DocumentRow) -> AnyDocument | None:
        if row.id in self._parsed:
            return self._parsed[row.id]
        try:
            doc: AnyDocument | None = parse_document(row.payload)
        except (ValidationError, ValueError):
            doc = None
        if len(self._parsed) >= PARSED_CACHE:
            self._parsed.clear()
        self._parsed[row.id] = doc
        return doc

    def customers(self, principal: Principal) -> list[PartnerProfile]:
        ids = principal.key.scoped("portal") if principal.key is not None else []
        return [p for p in (self.registry.find(i) for i in ids) if p is not None]

    def seen(self, rows: Iterable[DocumentRow], customers: list[PartnerProfile]) -> Iterator[Seen]:
        """The documents among `rows` one of `customers` is a party to (others are dropped)."""
        by_id = {cid: p for p in customers for cid in p.customer_ids}
        for row in rows:
            if row.doc_type not in DOC_TYPES:
                continue
            doc = self.parsed(row)
            if isinstance(doc, (ShipmentStatus, LoadTender, FreightInvoice)):
                for party in doc.parties:
                    hit = next((i.value for i in party.identifiers if i.value in by_id), None)
                    if hit is not None:
                        yield Seen(row, doc, hit, by_id[hit])
                        break

    def by_number(self, number: str, customers: list[PartnerProfile]) -> list[Seen]:
        rows = self.store.search(number, limit=500)
        if ":" in number:  # a ref: look it up by its number part
            rows += self.store.search(number.split(":", 1)[1], limit=500)
        return [s for s in self.seen(rows, customers) if s.matches(number)]


def summary(items: list[Seen]) -> ShipmentSummary:
    """The shipment of `items` (one ref, newest document first) and its latest milestone."""
    newest = items[0]
    timeline = timeline_of(items)
    last = next((u for u in reversed(timeline) if u.update_type == "status"), None)
    return ShipmentSummary(
        ref=newest.ref,
        customer_id=newest.customer_id,
        shipment=newest.references(),
        status=last.status if last else None,
        description=last.description if last else None,
        last_event_at=last.occurred_at if last else None,
    )


def timeline_of(items: list[Seen]) -> list[PortalUpdate]:
    updates: dict[str, PortalUpdate] = {}
    for item in items:
        for update in item.updates():
            updates.setdefault(update.idempotency_key, update)
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(updates.values(), key=lambda u: (u.occurred_at or floor, u.idempotency_key))


def visibility_router(store: Store, registry: Registry) -> Callable[[AuthConfig], APIRouter]:
    vis = Visibility(store, registry)

    def build(auth: AuthConfig) -> APIRouter:
        return _router(vis, auth)

    return build


def _portal_scope(request: Request) -> str:
    # the route needs some portal:<customer>; which documents it shows is decided per customer
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal) and principal.key is not None:
        scoped = principal.key.scoped("portal")
        if scoped:
            return f"portal:{scoped[0]}"
    return "portal:<customer>"


def _router(vis: Visibility, auth: AuthConfig) -> APIRouter:
    api = APIRouter(
        prefix="/api/v1/portal",
        tags=["portal"],
        responses={
            401: {"description": "Missing or wrong API key"},
            403: {"description": "The key has no portal:<customer> scope"},
            404: {"description": "No such shipment for this customer"},
        },
    )
    allowed = Depends(require(auth, _portal_scope))

    @api.get("/shipments", response_model=ShipmentPage)
    def list_shipments(
        who: Principal = allowed,
        bol: Filter = None,
        pro: Filter = None,
        po: Filter = None,
        shipment_id: Filter = None,
        status: StatusKind | None = None,
        cursor: Annotated[str | None, Query(pattern=r"^[1-9][0-9]{0,18}$")] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> ShipmentPage:
        customers = vis.customers(who)
        before = int(cursor) if cursor is not None else None
        numbers = [v for v in (bol, pro, po, shipment_id) if v is not None]
        items: list[ShipmentSummary] = []
        emitted: set[str] = set()
        last_scanned: int | None = None
        exhausted = False
        for rows in _pages(vis.store, numbers, before):
            if not rows:
                exhausted = True
                break
            for seen in vis.seen(rows, customers):
                if seen.ref in emitted or not _filters(seen, bol, pro, po, shipment_id):
                    continue
                everything = vis.by_number(seen.ref, customers)
                if any(s.row.id > seen.row.id for s in everything):
                    continue  # listed at its newest document (on this page or an earlier one)
                emitted.add(seen.ref)
                found = summary(sorted(everything, key=lambda s: -s.row.id))
                if status is None or found.status is status:
                    items.append(found)
                if len(items) == limit:
                    return ShipmentPage(items=items, next_cursor=str(seen.row.id))
            last_scanned = rows[-1].id
            if numbers:  # a search reads every match at once
                exhausted = True
                break
        more = not exhausted and last_scanned is not None
        return ShipmentPage(items=items, next_cursor=str(last_scanned) if more else None)

    @api.get("/shipments/{number}", response_model=Shipment)
    def get_shipment(number: Number, who: Principal = allowed) -> Shipment:
        found = vis.by_number(number, vis.customers(who))
        if not found:
            raise HTTPException(404, "no such shipment for this customer")
        newest = max(found, key=lambda s: s.row.id)
        mine = sorted(
            (s for s in vis.by_number(newest.ref, vis.customers(who))), key=lambda s: -s.row.id
        )
        head = summary(mine)
        return Shipment(**head.model_dump(), timeline=timeline_of(mine))

    return api


def _pages(store: Store, numbers: list[str], before: int | None) -> Iterator[list[DocumentRow]]:
    if numbers:
        rows = [r for r in store.search(numbers[0], limit=1000) if before is None or r.id < before]
        yield sorted(rows, key=lambda r: -r.id)
        return
    scanned = 0
    while scanned < SCAN_PER_PAGE:
        rows = store.documents_page(DOC_TYPES, before_id=before, limit=500)
        yield rows
        if not rows:
            return
        scanned += len(rows)
        before = rows[-1].id


def _filters(
    seen: Seen, bol: str | None, pro: str | None, po: str | None, shipment_id: str | None
) -> bool:
    c = seen.doc.correlation
    return (
        (bol is None or c.bol == bol)
        and (pro is None or c.pro == pro)
        and (po is None or po in c.po)
        and (shipment_id is None or c.shipment_id == shipment_id)
    )
