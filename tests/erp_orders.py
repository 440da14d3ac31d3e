"""An ERP order (freight purchase order with two items) and the carrier documents of its
shipment, shared by the unit and integration tests of the ERP's keys in IDocs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gateway.canonical import (
    ChargeKind,
    ChargeLine,
    Correlation,
    FreightInvoice,
    LadingLine,
    LoadTender,
    Money,
    OrderDetail,
    Party,
    PartyIdentifier,
    PartyRole,
    Reference,
    ReferenceKind,
    SourceFormat,
    SourceMetadata,
    Stop,
    StopKind,
)

TKNUM = "4711"  # the ERP's shipment number
PO = "4500001234"  # the freight purchase order the ERP placed with the carrier
BOL = "BOL-77"


def erp_order(scac: str = "DEMO", number: str = TKNUM) -> LoadTender:
    """A shipment released by SAP: PO 4500001234 item 10 (line haul, 1 each) and item 20
    (fuel surcharge, 1 each), delivery 0080001234 at the drop."""
    items = (
        LadingLine(line_number=10, quantity=Decimal(1), packaging_code="EA", description="haul"),
        LadingLine(line_number=20, quantity=Decimal(1), packaging_code="EA", description="fuel"),
    )
    delivery = Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value="0080001234")
    return LoadTender(
        source=SourceMetadata(format=SourceFormat.INTERNAL),
        correlation=Correlation(erp_order=number, shipment_id=number, scac=scac, bol=BOL, po=(PO,)),
        shipment_id=number,
        scac=scac,
        stops=(
            Stop(sequence=1, reason_code="LD", kind=StopKind.PICKUP),
            Stop(
                sequence=2,
                reason_code="UL",
                kind=StopKind.DELIVERY,
                references=(delivery,),
                orders=(OrderDetail(po_number=PO, lading=items),),
            ),
        ),
    )


def carrier_invoice(*, gst: str = "57.50", total: str = "1207.50") -> FreightInvoice:
    """The carrier's 210 for that shipment: its own shipment id, line haul, fuel and GST."""
    usd = "USD"
    carrier = Party(
        role=PartyRole.CARRIER,
        entity_code="CA",
        name="Demo Carrier Lines",
        identifiers=(PartyIdentifier(qualifier="2", value="DEMO"),),
    )
    bill_to = Party(role=PartyRole.BILL_TO, entity_code="BT", name="Acme Retail Payables")
    return FreightInvoice(
        invoice_number="INV-9001",
        scac="DEMO",
        shipment_id="SHP-42",
        bill_date=dt.date(2024, 3, 7),
        total_due=Money(amount=Decimal(total), currency=usd),
        correlation=Correlation(scac="DEMO", shipment_id="SHP-42", bol=BOL),
        charges=(
            ChargeLine(
                line_number=1,
                code="400",
                kind=ChargeKind.FREIGHT,
                amount=Money(amount=Decimal("1000.00"), currency=usd),
            ),
            ChargeLine(
                line_number=2,
                code="FUE",
                kind=ChargeKind.FUEL_SURCHARGE,
                amount=Money(amount=Decimal("150.00"), currency=usd),
            ),
            ChargeLine(
                line_number=3,
                code="GST",
                kind=ChargeKind.TAX,
                amount=Money(amount=Decimal(gst), currency=usd),
            ),
        ),
        parties=(carrier, bill_to),
    )
