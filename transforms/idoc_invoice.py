"""Canonical freight invoice -> SAP INVOIC02 (message INVOIC) for invoice verification in SAP.

Mapping (reference/idoc.md section 6): B3-02 -> E1EDK01-BELNR and E1EDK02 009; B3-06 ->
E1EDK03 012/026; carrier -> E1EDKA1 RS (invoicing party); bill-to/payer/consignee -> RE/RG/WE;
each charge (L1) -> one E1EDP01 with E1EDP19 (charge code), E1EDP26 003 (signed amount) and
E1EDP05 (condition: + surcharge / - allowance, unsigned amount, rate); B3-07 -> E1EDS01 011,
L3-05 -> E1EDS01 010. What SAP has no verified field for (PRO, BOL, shipment id, delivery date,
payment method) is written as header text so it still reaches the person clearing the invoice.

With the ERP's keys (transforms/erp_keys.py, found by the pipeline in the shipment thread) the
IDoc is what SAP's logistics invoice verification (IDOC_INPUT_INVOIC_MRM) posts: the carrier as
its vendor (E1EDKA1 LF/RS PARTN = LIFNR), the company code (E1EDKA1 RE), every item against the
purchase-order item of the tender (E1EDP02 001 BELNR/ZEILE) with a quantity (MENGE/MENEE), tax
charges (GST, HST, VAT, TAX) as tax lines (E1EDK04 and E1EDP04 with the profile's tax code)
instead of items, and totals that add up: E1EDS01 010 net = the items, 005 = the tax,
011 = net + tax = B3-07. Sources per field: docs/idoc-posting.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from gateway.canonical import (
    ChargeKind,
    ChargeLine,
    FreightInvoice,
    Money,
    Party,
    PartyRole,
    ReferenceKind,
)
from gateway.idoc import (
    DraftSegment,
    IdocBuilder,
    IdocFieldError,
    IdocPartnerConfig,
    RenderedIdoc,
    control_record,
)
from gateway.idoc.fields import FieldValue, fit_or_drop, postal_code, wrap_text
from transforms.erp_keys import ErpItem, ErpKeys
from transforms.idoc_shipment import ISO_PACKAGING_UNITS, ISO_WEIGHT_UNITS, split_name

IDOCTYP = "INVOIC02"
MESTYP = "INVOIC"

# Header partner functions (E1EDKA1-PARVW); the carrier is always the invoicing party RS.
INVOICE_PARTNER_FUNCTIONS: Mapping[PartyRole, str] = {
    PartyRole.BILL_TO: "RE",
    PartyRole.PAYER: "RG",
    PartyRole.CONSIGNEE: "WE",
    PartyRole.SHIP_TO: "WE",
    PartyRole.SOLD_TO: "AG",
}

# L1-03 rate qualifier -> (price unit, ISO unit) of E1EDP05-UPRBS/MEAUN. A rate whose basis is
# not known here (flat, per load, ...) is left out: a rate without its basis misleads.
RATE_BASES: Mapping[str, tuple[int, str]] = {
    "CW": (100, "LBR"),  # per hundredweight
    "PH": (100, "LBR"),  # per hundredweight, as real files use it
    "PM": (1, "SMI"),  # per (statute) mile
}


# Charge codes (L1-08) that are a tax, not a service: they become tax lines in SAP.
TAX_CHARGE_CODES = frozenset({"GST", "HST", "VAT", "TAX"})


@dataclass(frozen=True, slots=True)
class InvoiceIdocCodes:
    """Customer-specific SAP codes; defaults follow the real INVOIC02 sample (verify in WE60)."""

    document_type: str = "INVO"  # E1EDK01-BSART
    item_amount: str = "003"  # E1EDP26-QUALF: item net value
    total: str = "011"  # E1EDS01-SUMID: invoice total
    net_total: str = "010"  # E1EDS01-SUMID: total net value
    text_id: str = "0001"  # E1EDKT1-TDID
    text_language: str = "E"
    text_language_iso: str = "EN"
    tax_total: str = "005"  # E1EDS01-SUMID: total tax (as in the real INVOIC02 sample)
    po_reference: str = "001"  # E1EDP02-QUALF: purchase order and item (RSEG-EBELN/EBELP)
    quantity_unit: str = "EA"  # E1EDP01-MENEE when neither the charge nor the PO item has one


def render_freight_invoice(
    invoice: FreightInvoice,
    config: IdocPartnerConfig,
    *,
    created: dt.datetime,
    docnum: int | None = None,
    cimtyp: str | None = None,
    codes: InvoiceIdocCodes | None = None,
    keys: ErpKeys | None = None,
) -> RenderedIdoc:
    """A carrier's freight invoice as an INVOIC02 into SAP.

    Every amount must be in the invoice currency (IdocFieldError otherwise: one IDoc has one
    currency). Set `config.mescod` to what the SAP partner profile expects (e.g. "MM").
    With `keys` (the ERP's order) the IDoc is posted against the ERP's purchase order; an
    invoice SAP could not post (no vendor number, a tax without a tax code, no PO item,
    totals that do not add up) raises IdocFieldError instead.
    """
    codes = codes or InvoiceIdocCodes()
    if keys is not None:
        return _render_posting(invoice, config, created, docnum, cimtyp, codes, keys)
    currency = invoice.total_due.currency
    _same_currency(currency, invoice.total_due, invoice.total_charge, *_amounts(invoice.charges))
    builder = _invoice_header(invoice, config, created, docnum, cimtyp, codes, currency)
    carrier = next((p for p in invoice.parties if p.role is PartyRole.CARRIER), None)
    if invoice.scac or carrier is not None:
        builder.add(builder.idoc, "E1EDKA1", _partner("RS", carrier, invoice.scac))
    for party in invoice.parties:
        function = INVOICE_PARTNER_FUNCTIONS.get(party.role)
        if function is not None:
            builder.add(builder.idoc, "E1EDKA1", _partner(function, party, None))
    _add_references(builder, invoice)
    if invoice.bill_date is not None:
        for qualifier in ("012", "026"):  # document date, invoice date
            builder.add(builder.idoc, "E1EDK03", {"IDDAT": qualifier, "DATUM": invoice.bill_date})
    _add_text(builder, _header_lines(invoice), codes)
    for index, charge in enumerate(invoice.charges, start=1):
        _add_item(builder, index, charge, codes)
    net = invoice.total_charge or invoice.total_due
    for sumid, money in ((codes.total, invoice.total_due), (codes.net_total, net)):
        builder.add(
            builder.idoc, "E1EDS01", {"SUMID": sumid, "SUMME": money.amount, "WAERQ": currency}
        )
    return builder.finish()


def _amounts(charges: Sequence[ChargeLine]) -> list[Money]:
    return [charge.amount for charge in charges]


def _same_currency(currency: str, *amounts: Money | None) -> None:
    for money in amounts:
        if money is not None and money.currency != currency:
            raise IdocFieldError(
                f"amount {money.amount} {money.currency} is not in the invoice currency {currency}",
                "E1EDK01",
                "CURCY",
            )


def _partner(function: str, party: Party | None, partner_id: str | None) -> dict[str, FieldValue]:
    if partner_id is None and party is not None and party.identifiers:
        partner_id = party.identifiers[0].value
    fields: dict[str, FieldValue] = {"PARVW": function, "PARTN": fit_or_drop(partner_id, 17)}
    if party is None:
        return fields
    fields["NAME1"], fields["NAME2"] = split_name(party.name, 35)
    location = party.location
    if location is not None:
        lines = location.address_lines
        fields["STRAS"] = lines[0] if lines else None
        fields["STRS2"] = " ".join(lines[1:]) or None
        fields["ORT01"] = location.city
        fields["PSTLZ"] = postal_code(location.postal_code, 9)
        fields["LAND1"] = fit_or_drop(location.country, 3)
        fields["REGIO"] = fit_or_drop(location.state, 3)
    contact = party.contacts[0] if party.contacts else None
    if contact is not None:
        fields["TELF1"] = contact.phone
        fields["TELFX"] = contact.fax
    return fields


def _add_references(builder: IdocBuilder, invoice: FreightInvoice) -> None:
    """E1EDK02: 009 the invoice number, 001 each purchase order, 012 each SAP delivery."""
    builder.add(
        builder.idoc,
        "E1EDK02",
        {"QUALF": "009", "BELNR": invoice.invoice_number, "DATUM": invoice.bill_date},
    )
    seen: set[tuple[str, str]] = set()
    orders = [*invoice.correlation.po, *_references(invoice, ReferenceKind.PO)]
    deliveries = _references(invoice, ReferenceKind.DELIVERY_ORDER)
    for qualifier, values in (("001", orders), ("012", deliveries)):
        for value in values:
            if (qualifier, value) not in seen:
                seen.add((qualifier, value))
                builder.add(builder.idoc, "E1EDK02", {"QUALF": qualifier, "BELNR": value})


def _references(invoice: FreightInvoice, kind: ReferenceKind) -> list[str]:
    return [r.value for r in invoice.references if r.kind is kind]


def _header_lines(invoice: FreightInvoice) -> list[str]:
    keys = [
        ("SCAC", invoice.scac),
        ("PRO", invoice.correlation.pro or _first(_references(invoice, ReferenceKind.PRO))),
        ("BOL", invoice.correlation.bol or _first(_references(invoice, ReferenceKind.BOL))),
        ("SHIPMENT", invoice.shipment_id),
    ]
    lines = [" ".join(f"{label} {value}" for label, value in keys if value)]
    if invoice.delivery_date is not None:
        lines.append(f"DELIVERED {invoice.delivery_date.isoformat()}")
    if invoice.payment_method is not None:
        code = f" ({invoice.payment_method_code})" if invoice.payment_method_code else ""
        lines.append(f"PAYMENT {invoice.payment_method.value}{code}")
    if invoice.correction_indicator:
        lines.append(f"CORRECTION {invoice.correction_indicator}")
    lines += [note.text for note in invoice.notes]
    return [line for line in lines if line]


def _first(values: Sequence[str]) -> str | None:
    return values[0] if values else None


def _add_text(builder: IdocBuilder, lines: Sequence[str], codes: InvoiceIdocCodes) -> None:
    if not lines:
        return
    text = builder.add(
        builder.idoc,
        "E1EDKT1",
        {
            "TDID": codes.text_id,
            "TSSPRAS": codes.text_language,
            "TSSPRAS_ISO": codes.text_language_iso,
        },
    )
    for line in lines:
        for part in wrap_text(line, 70):
            builder.add(text, "E1EDKT2", {"TDLINE": part, "TDFORMAT": "*"})


def _add_item(
    builder: IdocBuilder,
    index: int,
    charge: ChargeLine,
    codes: InvoiceIdocCodes,
    extra: Mapping[str, FieldValue] | None = None,
) -> DraftSegment:
    weight = charge.weight
    gewei = ISO_WEIGHT_UNITS.get(weight.unit) if weight is not None else None
    item = builder.add(
        builder.idoc,
        "E1EDP01",
        {
            # SAP item numbers step by 10; several L1 may share one LX number, so count here
            "POSEX": f"{index * 10:06d}",
            **(extra or {}),
            "GEWEI": gewei,
            "BRGEW": weight.value if weight is not None and gewei else None,
        },
    )
    description = charge.description or charge.kind.value.replace("_", " ")
    if charge.code:
        builder.add(item, "E1EDP19", {"QUALF": "002", "IDTNR": charge.code, "KTEXT": description})
    amount = charge.amount.amount
    builder.add(item, "E1EDP26", {"QUALF": codes.item_amount, "BETRG": amount})
    allowance = amount < 0 or charge.kind is ChargeKind.DISCOUNT
    basis = RATE_BASES.get(charge.rate_qualifier or "")
    rate = charge.rate if basis is not None and charge.rate is not None else None
    builder.add(
        item,
        "E1EDP05",
        {
            "ALCKZ": "-" if allowance else "+",
            "KOTXT": description,
            "BETRG": abs(amount),
            "KRATE": abs(rate) if rate is not None else None,
            "UPRBS": basis[0] if rate is not None and basis else None,
            "MEAUN": basis[1] if rate is not None and basis else None,
            "KOEIN": charge.amount.currency,
        },
    )
    return item


# --- posting against the ERP's purchase order --------------------------------------------------


def _is_tax(charge: ChargeLine) -> bool:
    return charge.kind is ChargeKind.TAX or (charge.code or "").upper() in TAX_CHARGE_CODES


def _tax_code(charge: ChargeLine, keys: ErpKeys) -> str:
    code = (charge.code or "").upper()
    found = keys.tax_codes.get(code) or keys.tax_codes.get(charge.kind.value)
    if found is None:
        raise IdocFieldError(
            f"tax charge {charge.code or charge.kind.value} has no SAP tax code in the ERP "
            "profile (idoc.posting.tax_codes)",
            "E1EDK04",
            "MWSKZ",
        )
    return found


def _render_posting(
    invoice: FreightInvoice,
    config: IdocPartnerConfig,
    created: dt.datetime,
    docnum: int | None,
    cimtyp: str | None,
    codes: InvoiceIdocCodes,
    keys: ErpKeys,
) -> RenderedIdoc:
    currency = invoice.total_due.currency
    _same_currency(currency, invoice.total_due, invoice.total_charge, *_amounts(invoice.charges))
    if keys.vendor is None:
        raise IdocFieldError(
            f"carrier {invoice.scac or '?'} has no SAP vendor number in the ERP profile "
            "(idoc.posting.carriers)",
            "E1EDKA1",
            "PARTN",
        )
    if not keys.items:
        raise IdocFieldError(
            f"the ERP order {keys.order or '?'} names no purchase-order item to post against",
            "E1EDP02",
            "BELNR",
        )
    services = [c for c in invoice.charges if not _is_tax(c)]
    taxes = [(c, _tax_code(c, keys)) for c in invoice.charges if _is_tax(c)]
    net = sum((c.amount.amount for c in services), Decimal(0))
    tax = sum((c.amount.amount for c, _ in taxes), Decimal(0))
    if net + tax != invoice.total_due.amount:
        raise IdocFieldError(
            f"invoice {invoice.invoice_number} does not add up: items {net} + tax {tax} != "
            f"total due {invoice.total_due.amount}",
            "E1EDS01",
            "SUMME",
        )
    builder = _invoice_header(invoice, config, created, docnum, cimtyp, codes, currency)
    carrier = next((p for p in invoice.parties if p.role is PartyRole.CARRIER), None)
    vendor = _partner(keys.vendor.partner_function, carrier, keys.vendor.number)
    vendor["LIFNR"] = keys.vendor.number
    builder.add(builder.idoc, "E1EDKA1", vendor)
    bill_to = next((p for p in invoice.parties if p.role is PartyRole.BILL_TO), None)
    for party in invoice.parties:
        function = INVOICE_PARTNER_FUNCTIONS.get(party.role)
        if function is None or (function == "RE" and keys.company_code):
            continue
        builder.add(builder.idoc, "E1EDKA1", _partner(function, party, None))
    if keys.company_code:
        # RE's partner number is converted to the company code (table T076B)
        builder.add(builder.idoc, "E1EDKA1", _partner("RE", bill_to, keys.company_code))
    _add_posting_references(builder, invoice, keys)
    if invoice.bill_date is not None:
        for qualifier in ("012", "026"):  # document date, invoice date
            builder.add(builder.idoc, "E1EDK03", {"IDDAT": qualifier, "DATUM": invoice.bill_date})
    shares = _tax_shares(services, taxes)
    for charge, mwskz in taxes:
        builder.add(
            builder.idoc,
            "E1EDK04",
            {
                "MWSKZ": mwskz,
                "MSATZ": _rate(charge.amount.amount, net),
                "MWSBT": charge.amount.amount,
                "KTEXT": charge.description or charge.code,
            },
        )
    _add_text(builder, _header_lines(invoice), codes)
    for index, charge in enumerate(services, start=1):
        po_item = _po_item(charge, index, keys.items)
        quantity, unit = _quantity(po_item, codes)
        item = _add_item(builder, index, charge, codes, {"MENGE": quantity, "MENEE": unit})
        builder.add(
            item,
            "E1EDP02",
            {"QUALF": codes.po_reference, "BELNR": po_item.po, "ZEILE": _zeile(po_item.item)},
        )
        for (tax_charge, mwskz), share in zip(taxes, shares[index - 1], strict=True):
            builder.add(
                item,
                "E1EDP04",
                {
                    "MWSKZ": mwskz,
                    "MSATZ": _rate(tax_charge.amount.amount, net),
                    "MWSBT": share,
                    "TXDAT": invoice.bill_date,
                },
            )
    totals = [(codes.net_total, net)]
    if taxes:
        totals.append((codes.tax_total, tax))
    totals.append((codes.total, invoice.total_due.amount))
    for sumid, amount in totals:
        builder.add(builder.idoc, "E1EDS01", {"SUMID": sumid, "SUMME": amount, "WAERQ": currency})
    return builder.finish()


def _add_posting_references(builder: IdocBuilder, invoice: FreightInvoice, keys: ErpKeys) -> None:
    """E1EDK02: 009 the invoice number, 001 each purchase order of the ERP's order."""
    builder.add(
        builder.idoc,
        "E1EDK02",
        {"QUALF": "009", "BELNR": invoice.invoice_number, "DATUM": invoice.bill_date},
    )
    orders = dict.fromkeys(item.po for item in keys.items)
    for po in orders:
        builder.add(builder.idoc, "E1EDK02", {"QUALF": "001", "BELNR": po})
    for delivery in keys.deliveries:
        builder.add(builder.idoc, "E1EDK02", {"QUALF": "012", "BELNR": delivery})


def _po_item(charge: ChargeLine, index: int, items: Sequence[ErpItem]) -> ErpItem:
    """The PO item a charge is billed against: the item at the position of the charge's LX
    number when the order has that many items, else the order's first item (a one-line
    freight PO takes every charge)."""
    number = charge.line_number or index
    return items[number - 1] if len(items) > 1 and 0 < number <= len(items) else items[0]


def _zeile(item: str) -> str:
    """A PO item number as SAP writes ZEILE: digits zero-padded to 6 (real sample: 000010)."""
    return item.zfill(6) if item.isdigit() else item


def _quantity(item: ErpItem, codes: InvoiceIdocCodes) -> tuple[Decimal, str]:
    """MENGE/MENEE: the ordered quantity of the PO item (a freight service is billed as
    ordered), else one unit of service."""
    quantity = item.quantity if item.quantity is not None else Decimal(1)
    code = (item.unit or "").strip()
    # an X12 packaging code in ISO terms; a code of 3 or fewer is the ERP's own (ISO) unit
    unit = ISO_PACKAGING_UNITS.get(code.upper()) or (code if 0 < len(code) <= 3 else None)
    return quantity, unit or codes.quantity_unit


def _rate(tax: Decimal, net: Decimal) -> Decimal | None:
    if net == 0:
        return None
    return (tax / net * 100).quantize(Decimal("0.01")).normalize() + Decimal(0)


def _tax_shares(
    services: Sequence[ChargeLine], taxes: Sequence[tuple[ChargeLine, str]]
) -> list[list[Decimal]]:
    """Each tax over the items in proportion to their amounts, in cents, the rounding rest on
    the last item, so E1EDP04 amounts add up to the E1EDK04 amount exactly."""
    shares: list[list[Decimal]] = [[] for _ in services]
    net = sum((c.amount.amount for c in services), Decimal(0))
    for charge, _ in taxes:
        total = charge.amount.amount
        rest = total
        for index, service in enumerate(services):
            if index == len(services) - 1:
                share = rest
            elif net == 0:
                share = total if index == 0 else Decimal(0)
            else:
                share = (total * service.amount.amount / net).quantize(Decimal("0.01"))
            rest -= share
            shares[index].append(share)
    return shares


def _invoice_header(
    invoice: FreightInvoice,
    config: IdocPartnerConfig,
    created: dt.datetime,
    docnum: int | None,
    cimtyp: str | None,
    codes: InvoiceIdocCodes,
    currency: str,
) -> IdocBuilder:
    """The control record and E1EDK01, the same for the plain and the posting INVOIC02."""
    fields = control_record(
        config, idoctyp=IDOCTYP, mestyp=MESTYP, created=created, docnum=docnum, cimtyp=cimtyp
    )
    builder = IdocBuilder(IDOCTYP, fields, root_name=cimtyp)
    weight = invoice.total_weight
    gewei = ISO_WEIGHT_UNITS.get(weight.unit) if weight is not None else None
    builder.add(
        builder.idoc,
        "E1EDK01",
        {
            "CURCY": currency,
            "BSART": codes.document_type,
            "BELNR": invoice.invoice_number,
            "BRGEW": weight.value if weight is not None and gewei else None,
            "GEWEI": gewei,
        },
    )
    return builder
