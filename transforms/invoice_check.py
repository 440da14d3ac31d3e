"""Freight invoice (210) against its load tender (204): the business check operations act on.

Checks, each an `InvoiceException` value (never raised): the invoice lines add up to the amount
due; every billed accessorial is on the allowed list; a tender exists; the amount due is within
tolerance of the tendered amount (the 204's L3 total charge), in the same currency. Tolerance is
the larger of the absolute amount and the percentage of the tendered amount. Lines that bill
the shipment itself (freight, fuel, minimum charge, taxes) and credits are not accessorials; a
line with no charge code is not judged on its own, the total check covers it.
"""

from __future__ import annotations

from collections.abc import Set
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from gateway.canonical import ChargeKind, ChargeLine, FreightInvoice, LoadTender, Money

# Charge kinds that are the price of moving the freight, not an extra service.
BASE_KINDS = frozenset(
    {ChargeKind.FREIGHT, ChargeKind.FUEL_SURCHARGE, ChargeKind.MINIMUM, ChargeKind.TAX}
)


class InvoiceExceptionCode(StrEnum):
    NO_TENDER = "no_tender"
    TENDER_HAS_NO_AMOUNT = "tender_has_no_amount"
    CURRENCY_MISMATCH = "currency_mismatch"
    OVER_TENDER = "over_tender"
    UNDER_TENDER = "under_tender"
    ACCESSORIAL_NOT_ALLOWED = "accessorial_not_allowed"
    LINES_DO_NOT_ADD_UP = "lines_do_not_add_up"
    SHIPMENT_MISMATCH = "shipment_mismatch"


class ExceptionSeverity(StrEnum):
    ERROR = "error"  # hold payment until someone decides
    WARNING = "warning"  # pay, but someone should look


class InvoiceException(BaseModel):
    """One finding about one invoice, worded for operations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: InvoiceExceptionCode
    severity: ExceptionSeverity
    message: str
    invoice_number: str
    shipment_id: str | None = None
    expected: Money | None = None  # what the tender (or the lines) say
    actual: Money | None = None  # what the invoice says
    charge_code: str | None = None
    charge_line: int | None = None


def check_invoice(
    invoice: FreightInvoice,
    tender: LoadTender | None,
    *,
    tolerance_amount: Decimal,
    tolerance_percent: Decimal,
    allowed_accessorials: Set[str],
) -> list[InvoiceException]:
    """Every exception of `invoice` against `tender` (None: no tender was found for it).

    `allowed_accessorials` holds charge codes as sent (e.g. "DET") and/or canonical charge kinds
    (e.g. "detention"); either admits a line. Raises ValueError for a negative tolerance.
    """
    if tolerance_amount < 0 or tolerance_percent < 0:
        raise ValueError("tolerances must not be negative")
    allowed = {a.strip().upper() for a in allowed_accessorials}
    found = _lines_add_up(invoice)
    found += [_not_allowed(invoice, c) for c in invoice.charges if not _is_allowed(c, allowed)]
    if tender is None:
        found.append(
            _exception(
                invoice,
                InvoiceExceptionCode.NO_TENDER,
                ExceptionSeverity.ERROR,
                f"No tender found for this invoice (shipment {invoice.shipment_id or 'unknown'}):"
                " there is no agreed amount to check it against.",
            )
        )
        return found
    found += _same_shipment(invoice, tender)
    found += _against_tender(invoice, tender, tolerance_amount, tolerance_percent)
    return found


def _exception(
    invoice: FreightInvoice,
    code: InvoiceExceptionCode,
    severity: ExceptionSeverity,
    message: str,
    **details: object,
) -> InvoiceException:
    return InvoiceException.model_validate(
        {
            "code": code,
            "severity": severity,
            "message": message,
            "invoice_number": invoice.invoice_number,
            "shipment_id": invoice.shipment_id,
            **details,
        }
    )


def _lines_add_up(invoice: FreightInvoice) -> list[InvoiceException]:
    if not invoice.charges:
        return []
    total = sum((c.amount.amount for c in invoice.charges), Decimal(0))
    if total == invoice.total_due.amount:
        return []
    return [
        _exception(
            invoice,
            InvoiceExceptionCode.LINES_DO_NOT_ADD_UP,
            ExceptionSeverity.ERROR,
            f"The invoice lines add up to {total} {invoice.currency}, but the amount due is "
            f"{invoice.total_due.amount} {invoice.total_due.currency}.",
            expected=Money(amount=total, currency=invoice.currency),
            actual=invoice.total_due,
        )
    ]


def _is_allowed(charge: ChargeLine, allowed: set[str]) -> bool:
    if charge.code is None or charge.kind in BASE_KINDS or charge.amount.amount <= 0:
        return True
    return charge.code.strip().upper() in allowed or charge.kind.value.upper() in allowed


def _not_allowed(invoice: FreightInvoice, charge: ChargeLine) -> InvoiceException:
    what = charge.description or charge.kind.value.replace("_", " ")
    return _exception(
        invoice,
        InvoiceExceptionCode.ACCESSORIAL_NOT_ALLOWED,
        ExceptionSeverity.ERROR,
        f"Accessorial charge {charge.code} ({what}) of {charge.amount.amount} "
        f"{charge.amount.currency} is not on the allowed list.",
        actual=charge.amount,
        charge_code=charge.code,
        charge_line=charge.line_number,
    )


def _same_shipment(invoice: FreightInvoice, tender: LoadTender) -> list[InvoiceException]:
    """A tender for another shipment id that shares no BOL or PRO is probably the wrong one."""
    if not invoice.shipment_id or invoice.shipment_id == tender.shipment_id:
        return []
    mine, theirs = invoice.correlation, tender.correlation
    if (mine.bol and mine.bol == theirs.bol) or (mine.pro and mine.pro == theirs.pro):
        return []
    return [
        _exception(
            invoice,
            InvoiceExceptionCode.SHIPMENT_MISMATCH,
            ExceptionSeverity.WARNING,
            f"The invoice bills shipment {invoice.shipment_id}, the tender it was matched to is "
            f"for shipment {tender.shipment_id}.",
        )
    ]


def _against_tender(
    invoice: FreightInvoice, tender: LoadTender, tolerance_amount: Decimal, percent: Decimal
) -> list[InvoiceException]:
    tendered = tender.totals.charge if tender.totals is not None else None
    actual = invoice.total_due
    if tendered is None:
        return [
            _exception(
                invoice,
                InvoiceExceptionCode.TENDER_HAS_NO_AMOUNT,
                ExceptionSeverity.WARNING,
                f"The tender for shipment {tender.shipment_id} carries no agreed amount: "
                "the invoice total cannot be checked.",
                actual=actual,
            )
        ]
    if tendered.currency != actual.currency:
        return [
            _exception(
                invoice,
                InvoiceExceptionCode.CURRENCY_MISMATCH,
                ExceptionSeverity.ERROR,
                f"The invoice is in {actual.currency}, the tender in {tendered.currency}.",
                expected=tendered,
                actual=actual,
            )
        ]
    difference = actual.amount - tendered.amount
    allowed = max(tolerance_amount, tendered.amount.copy_abs() * percent / 100)
    if difference.copy_abs() <= allowed:
        return []
    over = difference > 0
    return [
        _exception(
            invoice,
            InvoiceExceptionCode.OVER_TENDER if over else InvoiceExceptionCode.UNDER_TENDER,
            ExceptionSeverity.ERROR if over else ExceptionSeverity.WARNING,
            f"The invoice asks {actual.amount} {actual.currency}, "
            f"{difference.copy_abs()} {'more' if over else 'less'} than the tendered "
            f"{tendered.amount} (tolerance {allowed.quantize(Decimal('0.01'))}).",
            expected=tendered,
            actual=actual,
        )
    ]
