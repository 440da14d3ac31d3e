"""The portal visibility rule on documents: a customer sees a document only when a party
carries one of its ids, and invoice charges only when its profile allows them."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from gateway.canonical import PartyIdentifier
from gateway.ops.visibility import Visibility
from gateway.registry import Registry
from gateway.store import DocumentRow
from tests.conftest import REPO
from tests.unit.test_transform_210 import SAMPLES_210
from tests.unit.test_transform_210 import transform_file as invoices_of


def registry(tmp_path: Path) -> Registry:
    shutil.copytree(REPO / "partners", tmp_path / "partners")
    (tmp_path / "partners" / "globex.yaml").write_text(
        "id: globex\nname: Globex\nrole: customer\ncustomer_ids: [GLOBEX]\n"
        "portal: {show_charges: true}\n"
    )
    return Registry.load(tmp_path / "partners")


def test_invoice_charges_only_for_a_customer_allowed_them(tmp_path: Path) -> None:
    reg = registry(tmp_path)
    (invoice,) = invoices_of(SAMPLES_210["indice-co__EDI.Net__210-MGCTLYST-SAMPLE"])
    first, *rest = invoice.parties
    rows = []
    for n, ident in enumerate(("ACME-RETAIL", "GLOBEX", "SOMEONE-ELSE"), start=1):
        tagged = first.model_copy(
            update={"identifiers": (PartyIdentifier(qualifier="93", value=ident),)}
        )
        doc = invoice.model_copy(update={"parties": (tagged, *rest)})
        payload = doc.model_dump(mode="json")
        rows.append(
            DocumentRow(n, None, 1, "freight_invoice", "demo-carrier", f"inv-{n}", payload,
                        datetime.now(UTC))
        )  # fmt: skip
    vis = Visibility(None, reg)  # type: ignore[arg-type]  # seen() reads no store
    acme, globex = reg.get("acme-retail"), reg.get("globex")

    (mine,) = vis.seen(rows, [acme])
    assert (mine.row.id, mine.customer_id) == (1, "ACME-RETAIL")
    assert mine.updates() == []  # acme's profile does not allow charges

    (theirs,) = vis.seen(rows, [globex])
    (update,) = theirs.updates()
    assert update.update_type == "invoice" and update.invoice is not None
    assert update.invoice.total_due.amount == invoice.total_due.amount
    assert update.customer_id == "GLOBEX"

    assert [s.row.id for s in vis.seen(rows, [acme, globex])] == [1, 2]
    assert list(vis.seen(rows, [])) == []
