"""The ERP's own keys for a shipment, taken from the order the ERP sent (pure, no I/O).

SAP posts an inbound IDoc only against its own documents: a shipment status against its
shipment number (VTTK-TKNUM), a freight invoice against the purchase order and item of the
freight service (EKKO-EBELN / EKPO-EBELP, via E1EDP02 QUALF 001 BELNR/ZEILE) with the carrier as
its vendor (LIFNR). Carriers' documents carry none of these; the order the ERP released does.
The pipeline finds that order in the shipment thread and hands the keys to the IDoc renderers
as data (docs/idoc-posting.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from gateway.canonical import LadingLine, LoadTender, OrderDetail, Reference, ReferenceKind

# E1EDT18 QUALF PID names the E1EDT20 field SAP finds the shipment by.
BY_SHIPMENT_NUMBER = "TKNUM"
BY_CARRIER_REFERENCE = "EXTI1"


@dataclass(frozen=True, slots=True)
class ErpItem:
    """One purchase-order item of the freight service the ERP ordered."""

    po: str  # EBELN
    item: str  # EBELP, as the ERP sent it
    quantity: Decimal | None = None
    unit: str | None = None  # as the order gives it (X12 packaging code or the ERP's unit)
    delivery: str | None = None  # SAP delivery of that item, when the order named one


@dataclass(frozen=True, slots=True)
class ErpVendor:
    """How SAP knows a carrier: its vendor number and partner function (profile: posting)."""

    number: str  # LIFNR
    partner_function: str = "LF"  # E1EDKA1-PARVW / E1ADRM4-PARTNER_Q


@dataclass(frozen=True, slots=True)
class ErpKeys:
    """Everything SAP needs to find its documents again; `shipment` is the TKNUM.

    `identified_by` is BY_SHIPMENT_NUMBER when the ERP's order was found in the thread, or
    BY_CARRIER_REFERENCE when the ERP profile says SAP resolves the carrier's reference itself
    (then `shipment` is empty and `carrier_reference` goes to EXTI1).
    """

    shipment: str | None = None
    order: str | None = None
    items: tuple[ErpItem, ...] = ()
    deliveries: tuple[str, ...] = ()
    identified_by: str = BY_SHIPMENT_NUMBER
    carrier_reference: str | None = None
    vendor: ErpVendor | None = None
    company_code: str | None = None
    # charge code as sent (GST) or canonical kind (tax) -> SAP tax code (MWSKZ)
    tax_codes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def by_reference(self) -> bool:
        return self.identified_by == BY_CARRIER_REFERENCE


def keys_from_order(order: LoadTender) -> ErpKeys:
    """The keys of the ERP's order: TKNUM, purchase-order items (stop orders and their lines,
    else lines that name a PO), deliveries. A SAP delivery number is not a shipment number:
    an order read from a DELVRY IDoc has deliveries but no TKNUM."""
    deliveries = _deliveries(order)
    number = order.correlation.erp_order or None
    shipment = number if number and number not in deliveries else None
    items: list[ErpItem] = []
    for stop in order.stops:
        for detail in stop.orders:
            items.extend(_order_items(detail, _stop_delivery(stop.references)))
        for line in stop.lading:
            items.extend(_line_items(line, None, None))
    for line in order.lading:
        items.extend(_line_items(line, None, None))
    return ErpKeys(
        shipment=shipment,
        order=number,
        items=tuple(dict.fromkeys(items)),  # a line listed at two stops is one item
        deliveries=deliveries,
    )


def _deliveries(order: LoadTender) -> tuple[str, ...]:
    found = [r.value for r in order.references if r.kind is ReferenceKind.DELIVERY_ORDER]
    for stop in order.stops:
        found += [r.value for r in stop.references if r.kind is ReferenceKind.DELIVERY_ORDER]
    return tuple(dict.fromkeys(found))


def _stop_delivery(references: Sequence[Reference]) -> str | None:
    return next((r.value for r in references if r.kind is ReferenceKind.DELIVERY_ORDER), None)


def _order_items(detail: OrderDetail, delivery: str | None) -> list[ErpItem]:
    if detail.po_number is None:
        return [i for line in detail.lading for i in _line_items(line, None, delivery)]
    numbered = [line for line in detail.lading if line.line_number is not None]
    if not numbered:
        # the order names its PO but no item: SAP's first item of a one-line freight PO
        return [ErpItem(detail.po_number, "10", detail.quantity, detail.packaging_code, delivery)]
    return [i for line in numbered for i in _line_items(line, detail.po_number, delivery)]


def _line_items(line: LadingLine, po: str | None, delivery: str | None) -> list[ErpItem]:
    """A lading line is a PO item when its order or one of its references names the PO."""
    number = po or next((r.value for r in line.references if r.kind is ReferenceKind.PO), None)
    if number is None or line.line_number is None:
        return []
    return [ErpItem(number, str(line.line_number), line.quantity, line.packaging_code, delivery)]
