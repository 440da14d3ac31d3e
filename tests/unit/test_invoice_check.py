"""The 210-vs-tender business check, on the real MercuryGate/Catalyst pair (the indice 204 and
210 bill the same shipment 75027674) and on synthetic invoices for each exception."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from gateway import canonical as c
from tests.unit.test_transform_210 import SAMPLES_210
from tests.unit.test_transform_210 import transform_file as invoices_of
from transforms.invoice_check import (
    ExceptionSeverity,
    InvoiceExceptionCode,
    check_invoice,
)

Code = InvoiceExceptionCode


def invoice(name: str) -> c.FreightInvoice:
    (doc,) = invoices_of(SAMPLES_210[name])
    return doc


CATALYST_210 = invoice("indice-co__EDI.Net__210-MGCTLYST-SAMPLE")

# The tender behind it, from indice-co 204-MGCTLYST-SAMPLE.EDI: B2**SCAC**75027674**PP,
# L11*75027674*BM, L3*5472*G*557.21*FR*55721 (the tendered charge is 557.21).
CATALYST_204 = c.LoadTender(
    shipment_id="75027674",
    scac="SCAC",
    correlation=c.Correlation(shipment_id="75027674", scac="SCAC", bol="75027674"),
    totals=c.Totals(
        charge=c.Money(amount=Decimal("557.21")),
        freight_rate=Decimal("557.21"),
        rate_qualifier="FR",
    ),
)


def check(
    inv: c.FreightInvoice,
    tender: c.LoadTender | None,
    *,
    amount: str = "25",
    percent: str = "5",
    allowed: frozenset[str] = frozenset(),
) -> list[Any]:
    return check_invoice(
        inv,
        tender,
        tolerance_amount=Decimal(amount),
        tolerance_percent=Decimal(percent),
        allowed_accessorials=allowed,
    )


def test_catalyst_invoice_over_tender_with_customs_charge() -> None:
    found = check(CATALYST_210, CATALYST_204)
    assert [(e.code, e.severity) for e in found] == [
        (Code.ACCESSORIAL_NOT_ALLOWED, ExceptionSeverity.ERROR),
        (Code.OVER_TENDER, ExceptionSeverity.ERROR),
    ]
    customs, over = found
    assert (customs.charge_code, customs.charge_line, customs.actual) == (
        "CUS",
        2,
        c.Money(amount=Decimal("15.00")),
    )
    # 659.40 billed against 557.21 tendered: 102.19 over; tolerance max(25, 5 % = 27.86)
    assert over.expected == c.Money(amount=Decimal("557.21"))
    assert over.actual == c.Money(amount=Decimal("659.40"))
    assert over.message == (
        "The invoice asks 659.40 USD, 102.19 more than the tendered 557.21 (tolerance 27.86)."
    )
    assert (over.invoice_number, over.shipment_id) == ("09851270", "75027674")


def test_allowed_customs_and_a_wide_tolerance_clear_it() -> None:
    assert [e.code for e in check(CATALYST_210, CATALYST_204, allowed=frozenset({"cus"}))] == [
        Code.OVER_TENDER
    ]
    assert check(CATALYST_210, CATALYST_204, percent="20", allowed=frozenset({"customs"})) == []
    assert check(CATALYST_210, CATALYST_204, amount="102.19", allowed=frozenset({"CUS"})) == []
    assert [
        e.code
        for e in check(CATALYST_210, CATALYST_204, amount="102.18", allowed=frozenset({"CUS"}))
    ] == [Code.OVER_TENDER]


def test_no_tender_found() -> None:
    found = check(CATALYST_210, None, allowed=frozenset({"CUS"}))
    (missing,) = found
    assert (missing.code, missing.severity) == (Code.NO_TENDER, ExceptionSeverity.ERROR)
    assert "No tender found" in missing.message and "75027674" in missing.message


def test_exceptions_are_plain_json_values() -> None:
    found = check(CATALYST_210, CATALYST_204)
    data = json.loads(json.dumps([e.model_dump(mode="json") for e in found]))
    assert data[1]["code"] == "over_tender" and data[1]["expected"]["amount"] == "557.21"


def test_unknown_rail_charge_codes_are_accessorials_to_approve() -> None:
    cn = invoice("Inteligenz__X12Parser__210_CN_FreightInvoiceSample1")
    found = check(cn, None)
    codes = [(e.code, e.charge_code) for e in found]
    # the uncoded base line is left to the total check; ENS (no canonical kind) needs approval
    assert codes == [(Code.ACCESSORIAL_NOT_ALLOWED, "ENS"), (Code.NO_TENDER, None)]
    assert [e.code for e in check(cn, None, allowed=frozenset({"ENS"}))] == [Code.NO_TENDER]


def test_base_charges_and_credits_are_not_accessorials() -> None:
    staedi = invoice("xlate__staedi__210_issue128_ts210_80char")  # freight, DSC credit, FUE
    tender = CATALYST_204.model_copy(
        update={
            "shipment_id": "134982",
            "totals": c.Totals(charge=c.Money(amount=Decimal("124.17"))),
        }
    )
    assert check(staedi, tender) == []


def test_currency_mismatch() -> None:
    cad = invoice("Inteligenz__X12Parser__210_CN_FreightInvoiceSample2")  # C3*CAD
    tender = c.LoadTender(
        shipment_id="102141", totals=c.Totals(charge=c.Money(amount=Decimal("2083.60")))
    )
    found = check(cad, tender, allowed=frozenset({"ENS"}))
    (mismatch,) = found
    assert mismatch.code is Code.CURRENCY_MISMATCH
    assert mismatch.message == "The invoice is in CAD, the tender in USD."


def test_under_tender_is_a_warning() -> None:
    tender = CATALYST_204.model_copy(
        update={"totals": c.Totals(charge=c.Money(amount=Decimal("800.00")))}
    )
    (under,) = check(CATALYST_210, tender, allowed=frozenset({"CUS"}))
    assert (under.code, under.severity) == (Code.UNDER_TENDER, ExceptionSeverity.WARNING)
    assert "140.60 less" in under.message


def test_tender_without_amount() -> None:
    tender = c.LoadTender(shipment_id="75027674")
    (found,) = check(CATALYST_210, tender, allowed=frozenset({"CUS"}))
    assert (found.code, found.severity) == (Code.TENDER_HAS_NO_AMOUNT, ExceptionSeverity.WARNING)


def _invoice(
    *amounts: str, due: str, shipment: str = "S1", bol: str | None = None
) -> c.FreightInvoice:
    return c.FreightInvoice(
        invoice_number="INV9",
        shipment_id=shipment,
        correlation=c.Correlation(shipment_id=shipment, bol=bol),
        total_due=c.Money(amount=Decimal(due)),
        charges=tuple(
            c.ChargeLine(
                line_number=n,
                code="400",
                kind=c.ChargeKind.FREIGHT,
                amount=c.Money(amount=Decimal(a)),
            )
            for n, a in enumerate(amounts, start=1)
        ),
    )


def _tender(shipment: str, amount: str, bol: str | None = None) -> c.LoadTender:
    return c.LoadTender(
        shipment_id=shipment,
        correlation=c.Correlation(shipment_id=shipment, bol=bol),
        totals=c.Totals(charge=c.Money(amount=Decimal(amount))),
    )


def test_lines_that_do_not_add_up() -> None:
    inv = _invoice("100.00", "50.00", due="175.00")
    (found,) = check(inv, _tender("S1", "175.00"))
    assert found.code is Code.LINES_DO_NOT_ADD_UP
    assert (found.expected, found.actual) == (
        c.Money(amount=Decimal("150.00")),
        c.Money(amount=Decimal("175.00")),
    )


def test_tender_for_another_shipment() -> None:
    inv = _invoice("100.00", due="100.00", shipment="S1", bol="B1")
    (found,) = check(inv, _tender("S2", "100.00"))
    assert (found.code, found.severity) == (Code.SHIPMENT_MISMATCH, ExceptionSeverity.WARNING)
    assert check(inv, _tender("S2", "100.00", bol="B1")) == []  # a shared BOL ties them


def test_detention_allowed_by_code_or_by_kind() -> None:
    inv = _invoice("100.00", due="150.00").model_copy(
        update={
            "charges": (
                *_invoice("100.00", due="100.00").charges,
                c.ChargeLine(
                    line_number=2,
                    code="DET",
                    kind=c.ChargeKind.DETENTION,
                    amount=c.Money(amount=Decimal("50.00")),
                ),
            )
        }
    )
    tender = _tender("S1", "150.00")
    assert [e.charge_code for e in check(inv, tender)] == ["DET"]
    assert check(inv, tender, allowed=frozenset({"DET"})) == []
    assert check(inv, tender, allowed=frozenset({"detention"})) == []
    assert check(inv, tender, allowed=frozenset({"LFT", "liftgate"})) != []


@pytest.mark.parametrize(("amount", "percent"), [("-1", "5"), ("0", "-0.5")])
def test_negative_tolerance_is_refused(amount: str, percent: str) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        check(CATALYST_210, CATALYST_204, amount=amount, percent=percent)
