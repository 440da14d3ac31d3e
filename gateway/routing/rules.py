"""Route resolution and per-destination rendering (the Message Translator of each endpoint)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from gateway.canonical import (
    AnyDocument,
    DocumentType,
    FreightInvoice,
    LoadTender,
    ShipmentStatus,
    TenderResponse,
)
from gateway.idoc.control import IdocPartnerConfig
from gateway.idoc.errors import IdocError
from gateway.registry import PartnerProfile, Registry, UnknownPartnerError
from gateway.registry.profile import IdocSettings, Role, RoutingRule
from transforms.erp_keys import ErpKeys


class RoutingError(Exception):
    """A document could not be routed or rendered; operations must see it."""


class UnroutableError(RoutingError):
    """No rule sends this document anywhere: an exception, never a silent drop."""


@dataclass(frozen=True, slots=True)
class RenderedDelivery:
    destination: str  # profile id
    channel: str  # the destination's transport kind
    kind: str  # what the payload is: portal_update, tms_json, idoc, x12
    name: str  # file / resource name, generated here (never a partner's)
    payload: bytes
    idempotency_key: str
    event_index: int | None = None  # the tracking event it is about (None: the whole document)


@dataclass(frozen=True, slots=True)
class RenderFailure:
    destination: str
    error: str


Renderer = Callable[[AnyDocument, PartnerProfile, str, datetime, Registry], list[RenderedDelivery]]


def _key(*parts: str) -> str:
    """A stable idempotency key: the same document to the same place is always the same key."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _render_portal(
    doc: AnyDocument, dest: PartnerProfile, doc_key: str, now: datetime, reg: Registry
) -> list[RenderedDelivery]:
    from transforms.portal import portal_updates, status_update_json

    if not isinstance(doc, ShipmentStatus):
        return []
    customer = _customer_for(doc, reg)
    channel = _channel(dest)
    fast = status_update_json(doc, customer_id=customer)
    if fast is not None:  # the same bytes as the models below give (tests/unit/test_portal_fast)
        out = []
        for n, (update_key, payload) in enumerate(fast):  # one per event, in order
            key = _key(dest.id, "portal", update_key)
            out.append(
                RenderedDelivery(
                    dest.id,
                    channel,
                    "portal_update",
                    f"status-{key}.json",
                    payload,
                    key,
                    n,
                )
            )
        return out
    allow = False
    out = []
    updates = portal_updates(doc, customer_id=customer, allow_charges=allow)
    per_event = len(updates) == len(doc.events)  # one update per tracking event, in order
    for n, update in enumerate(updates):
        key = _key(dest.id, "portal", update.idempotency_key)
        out.append(
            RenderedDelivery(
                dest.id,
                _channel(dest),
                "portal_update",
                f"status-{key}.json",
                update.model_dump_json(indent=2).encode(),
                key,
                n if per_event else None,
            )
        )
    return out


def _customer_for(doc: ShipmentStatus, reg: Registry) -> str:
    """The portal customer a status belongs to: a party id that is a known customer id.

    Unknown customers get "unassigned": the portal shows such updates to no customer.
    """
    for party in doc.parties:
        for ident in party.identifiers:
            if reg.by_customer_id(ident.value) is not None:
                return ident.value
    return "unassigned"


def _render_tms(
    doc: AnyDocument, dest: PartnerProfile, doc_key: str, now: datetime, reg: Registry
) -> list[RenderedDelivery]:
    from transforms.tms_json import render_tms_json

    if not isinstance(doc, (ShipmentStatus, TenderResponse, LoadTender, FreightInvoice)):
        return []
    key = _key(dest.id, "tms", doc_key)
    try:
        payload = render_tms_json(doc, idempotency_key=key)
    except ValueError:
        payload = render_tms_json(doc, idempotency_key=key, occurred_at=now)
    return [
        RenderedDelivery(
            dest.id,
            _channel(dest),
            "tms_json",
            f"{doc.document_type.value}-{key}.json",
            payload,
            key,
        )
    ]


def _render_erp(
    doc: AnyDocument, dest: PartnerProfile, doc_key: str, now: datetime, reg: Registry
) -> list[RenderedDelivery]:
    return render_erp(doc, dest, doc_key, now, None)


def render_erp(
    doc: AnyDocument,
    dest: PartnerProfile,
    doc_key: str,
    now: datetime,
    keys: ErpKeys | None,
) -> list[RenderedDelivery]:
    """One IDoc per delivery (one file each); `keys` are the ERP's own keys from the shipment
    thread (gateway/pipeline/erp_thread.py)."""
    from transforms.idoc_invoice import render_freight_invoice
    from transforms.idoc_shipment import (
        render_load_tender,
        render_shipment_status,
        render_tender_response,
    )

    if dest.idoc is None:
        raise RoutingError(f"destination {dest.id} has no idoc settings")
    config = _partner_config(dest.idoc, doc.document_type)
    if isinstance(doc, ShipmentStatus):
        rendered = render_shipment_status(doc, config, created=now, keys=keys)
    elif isinstance(doc, TenderResponse):
        rendered = render_tender_response(doc, config, created=now, keys=keys)
    elif isinstance(doc, LoadTender):
        rendered = render_load_tender(doc, config, created=now)
    elif isinstance(doc, FreightInvoice):
        rendered = render_freight_invoice(doc, config, created=now, keys=keys)
    else:
        return []
    key = _key(dest.id, "idoc", doc_key)
    name = f"{rendered.idoctyp}-{key}.xml"
    return [RenderedDelivery(dest.id, _channel(dest), "idoc", name, rendered.data, key)]


# IdocSettings.partner_config builds and checks an IdocPartnerConfig each call (~10 us); both are
# immutable, so one per settings object and message serves every IDoc. The entry holds the
# settings object itself: its id cannot be reused while cached.
_PARTNER_CONFIGS: dict[tuple[int, DocumentType], tuple[IdocSettings, IdocPartnerConfig]] = {}


def _partner_config(settings: IdocSettings, message: DocumentType) -> IdocPartnerConfig:
    entry = _PARTNER_CONFIGS.get((id(settings), message))
    if entry is not None and entry[0] is settings:
        return entry[1]
    config = settings.partner_config(message)
    if len(_PARTNER_CONFIGS) >= 256:  # profiles reloaded many times: start again
        _PARTNER_CONFIGS.clear()
    _PARTNER_CONFIGS[(id(settings), message)] = (settings, config)
    return config


def _channel(dest: PartnerProfile) -> str:
    transport = dest.delivery_transport
    return transport.kind if transport is not None else "none"


RENDERERS: dict[Role, Renderer] = {
    Role.PORTAL: _render_portal,
    Role.TMS: _render_tms,
    Role.ERP: _render_erp,
}


@dataclass
class Router:
    registry: Registry

    def destinations(self, source: PartnerProfile, doc: AnyDocument) -> list[PartnerProfile]:
        """The most specific rule wins: the source partner's rules for this document type."""
        doc_type: DocumentType = doc.document_type
        rules = self._rules(source, doc_type)
        if not rules:
            raise UnroutableError(
                f"no route for {doc_type.value} from {source.id}: add a routing rule to "
                f"partners/{source.id}.yaml"
            )
        statuses = _statuses(doc)
        out: list[PartnerProfile] = []
        for rule in rules:
            if rule.events and statuses and not (set(rule.events) & statuses):
                continue
            for dest_id in rule.destinations:
                dest = self._resolve(dest_id, doc)
                if dest.id not in {d.id for d in out}:
                    out.append(dest)
        return out

    def _rules(self, source: PartnerProfile, doc_type: DocumentType) -> list[RoutingRule]:
        """The most specific rules: the partner's own, else its groups', else `any`."""
        own = [r for r in source.routing if r.document == doc_type]
        if own:
            return own
        try:
            shared = [r for r in self.registry.identity.routing if r.document == doc_type]
        except UnknownPartnerError:
            return []
        groups = {f"group:{g}" for g in source.groups}
        by_group = [r for r in shared if r.from_ in groups]
        return by_group or [r for r in shared if r.from_ == "any"]

    def _resolve(self, dest_id: str, doc: AnyDocument) -> PartnerProfile:
        if dest_id == "@carrier":
            scac = doc.correlation.scac
            carrier = self.registry.by_scac(scac) if scac else None
            if carrier is None:
                raise UnroutableError(f"no carrier profile with SCAC {scac!r}")
            return carrier
        found = self.registry.find(dest_id)
        if found is None:
            raise UnroutableError(f"routing names unknown destination {dest_id!r}")
        return found

    def split(
        self, source: PartnerProfile, doc: AnyDocument
    ) -> tuple[list[PartnerProfile], list[PartnerProfile]]:
        """(X12 trading partners, other systems): partners get interchanges with control
        numbers of their own; systems get a rendered payload."""
        dests = self.destinations(source, doc)
        x12 = [d for d in dests if d.role is Role.CARRIER]
        return x12, [d for d in dests if d.role is not Role.CARRIER]

    def render(
        self,
        source: PartnerProfile,
        doc: AnyDocument,
        doc_key: str,
        now: datetime,
        destinations: list[PartnerProfile] | None = None,
        failures: list[RenderFailure] | None = None,
        withheld: list[str] | None = None,
        erp_keys: Mapping[str, ErpKeys] | None = None,
    ) -> list[RenderedDelivery]:
        """Deliveries for every destination. A destination whose renderer refuses the document
        (e.g. an id too long for an SAP field) is reported in `failures` while the others go
        ahead; without a `failures` list it raises RoutingError instead. Production
        destinations kept from test data are added to `withheld`, for the caller to record."""
        deliveries: list[RenderedDelivery] = []
        test_data = doc.source.usage_indicator == "T"
        for dest in destinations if destinations is not None else self.destinations(source, doc):
            if test_data and dest.environment == "production":
                # test-mode interchanges never reach production systems
                if withheld is not None and dest.id not in withheld:
                    withheld.append(dest.id)
                continue
            renderer = RENDERERS.get(dest.role)
            if renderer is None:
                raise UnroutableError(f"no renderer for {dest.role.value} destination {dest.id}")
            try:
                if dest.role is Role.ERP and erp_keys is not None:
                    keys = erp_keys.get(dest.id)
                    deliveries.extend(render_erp(doc, dest, doc_key, now, keys))
                    continue
                deliveries.extend(renderer(doc, dest, doc_key, now, self.registry))
            except (IdocError, ValueError, TypeError) as exc:
                if failures is None:
                    raise RoutingError(f"cannot render for {dest.id}: {exc}") from exc
                failures.append(RenderFailure(dest.id, f"{type(exc).__name__}: {exc}"))
        return deliveries


def _statuses(doc: AnyDocument) -> set[str]:
    if isinstance(doc, ShipmentStatus):
        return {e.status.value for e in doc.events}
    return set()
