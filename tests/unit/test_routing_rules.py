"""Routing rule lookup: the partner's own rule beats its group's, which beats `any`."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.canonical import DocumentType, FreightInvoice, ShipmentStatus
from gateway.registry import Registry, RegistryError
from gateway.routing import Router, UnroutableError
from tests.conftest import REPO

SHARED_RULES = """
# Routing shared by many partners. A partner's own rules win, then its groups', then `any`.
routing:
  - from: group:ltl-carriers
    document: shipment_status
    destinations: [erp, tms, portal]
  - from: any
    document: freight_invoice
    destinations: [erp]
"""


@pytest.fixture
def router(tmp_path: Path) -> Router:
    for f in (REPO / "partners").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text())
    (tmp_path / "our-company.yaml").write_text(
        (REPO / "partners" / "our-company.yaml").read_text() + SHARED_RULES
    )
    north = tmp_path / "northwind-5010.yaml"
    text = north.read_text()
    north.write_text(text[: text.index("routing:")] + "groups: [ltl-carriers]\n")
    return Router(Registry.load(tmp_path))


def status(scac: str) -> ShipmentStatus:
    return ShipmentStatus.model_validate(
        {"scac": scac, "correlation": {"scac": scac}, "events": []}
    )


def invoice(scac: str) -> FreightInvoice:
    return FreightInvoice.model_validate(
        {"invoice_number": "I1", "scac": scac, "total_due": {"amount": "1.00"}}
    )


def test_partner_rule_group_rule_and_any(router: Router) -> None:
    demo = router.registry.get("demo-carrier")
    north = router.registry.get("northwind-5010")
    # demo-carrier has its own rules
    assert [d.id for d in router.destinations(demo, status("DEMO"))] == ["erp", "tms", "portal"]
    # northwind has none here: its group's rule applies
    assert [d.id for d in router.destinations(north, status("NWFT"))] == ["erp", "tms", "portal"]
    # no rule of its own or its group for invoices: the `any` rule applies
    assert [d.id for d in router.destinations(north, invoice("NWFT"))] == ["erp"]


def test_no_rule_at_all_is_an_exception(router: Router) -> None:
    portal = router.registry.get("portal")
    with pytest.raises(UnroutableError, match="no route for shipment_status from portal"):
        router.destinations(portal, status("X"))
    assert DocumentType.SHIPMENT_STATUS.value == "shipment_status"


def test_from_is_only_for_the_self_profile(tmp_path: Path) -> None:
    for f in (REPO / "partners").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text())
    demo = tmp_path / "demo-carrier.yaml"
    demo.write_text(
        demo.read_text().replace(
            "  - document: shipment_status\n", "  - document: shipment_status\n    from: any\n", 1
        )
    )
    with pytest.raises(RegistryError, match="self profile"):
        Registry.load(tmp_path)
