"""Canonical freight invoice -> SAP INVOIC02 (message INVOIC) for invoice verification in SAP.

Mapping (reference/idoc.md section 6): B3-02 -> E1EDK01-BELNR and E1EDK02 009; B3-06 ->
E1EDK03 012/026; carrier -> E1EDKA1 RS (invoicing party); bill-to/payer/consignee -> RE/RG/WE;
each charge (L1) -> one E1EDP01 with E1EDP19 (charge code), E1EDP26 003 (signed amount) and
E1EDP05 (condition: + surcharge / - allowance, unsigned amount, rate); B3-07 -> E1EDS01 011,
L3-05 -> E1EDS01 010. What SAP has no verified field for (PRO, BOL, shipment id, delivery date,
payment method) is written as header text so it still reaches the person clearing the invoice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    IdocBuilder,
    IdocFieldError,
    IdocPartnerConfig,
    RenderedIdoc,
    control_record,
)
from gateway.idoc.fields import FieldValue, fit_or_drop, postal_code, wrap_text
from transforms.idoc_shipment import ISO_WEIGHT_UNITS, split_name

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


def render_freight_invoice(
    invoice: FreightInvoice,
    config: IdocPartnerConfig,
    *,
    created: dt.datetime,
    docnum: int | None = None,
    cimtyp: str | None = None,
    codes: InvoiceIdocCodes | None = None,
) -> RenderedIdoc:
    """A carrier's freight invoice as an INVOIC02 into SAP.

    Every amount must be in the invoice currency (IdocFieldError otherwise: one IDoc has one
    currency). Set `config.mescod` to what the SAP partner profile expects (e.g. "MM").
    """
    codes = codes or InvoiceIdocCodes()
    currency = invoice.total_due.currency
    _same_currency(currency, invoice.total_due, invoice.total_charge, *_amounts(invoice.charges))
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
    builder: IdocBuilder, index: int, charge: ChargeLine, codes: InvoiceIdocCodes
) -> None:
    weight = charge.weight
    gewei = ISO_WEIGHT_UNITS.get(weight.unit) if weight is not None else None
    item = builder.add(
        builder.idoc,
        "E1EDP01",
        {
            # SAP item numbers step by 10; several L1 may share one LX number, so count here
            "POSEX": f"{index * 10:06d}",
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
