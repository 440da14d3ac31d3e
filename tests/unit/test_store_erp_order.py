"""`Store.erp_order`: the ERP's order behind a carrier document, directly or one step along the
thread, on SQLite (tests/integration/test_store_erp_order_postgres.py runs the same checks on
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.store import NewDocument, Store, create_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(f"sqlite:///{tmp_path / 'gw.db'}")
    s.migrate()
    yield s
    s.close()


def _doc(kind: str, name: str, keys: list[tuple[str, str]]) -> NewDocument:
    return NewDocument(kind, "p", name, {"name": name, "correlation": dict(keys)}, keys=keys)


def _record(store: Store, *docs: NewDocument) -> None:
    message = store.record_receipt(
        sha256=docs[0].business_key.ljust(64, "0"),
        channel="folder",
        partner_id="erp",
        original_name="x",
        size=1,
        archive_path="a",
    ).message_id
    store.record_documents(int(message), list(docs))


def check_direct_then_one_step_along_the_thread(store: Store) -> None:
    assert store.erp_order(["SHP-42"]) is None
    _record(store, _doc("load_tender", "carrier-tender", [("shipment_id", "T-1"), ("bol", "B1")]))
    assert store.erp_order(["B1"]) is None  # a tender without the ERP's order number
    _record(store, _doc("load_tender", "order", [("erp_order", "4711"), ("bol", "B1")]))
    found = store.erp_order(["B1"])
    assert found is not None and found["name"] == "order"
    # a 214 that carried the carrier's id and the BOL links a later one naming only its id
    _record(store, _doc("shipment_status", "first-214", [("shipment_id", "SHP-42"), ("bol", "B1")]))
    found = store.erp_order(["SHP-42"])
    assert found is not None and found["name"] == "order"
    # a PO or a control number spans shipments: never followed
    _record(store, _doc("shipment_status", "po-only", [("po", "PO-9"), ("shipment_id", "S9")]))
    _record(store, _doc("load_tender", "other-order", [("erp_order", "9"), ("po", "PO-9")]))
    assert store.erp_order(["S9"]) is None


def check_the_direct_order_wins_over_one_reached_through_another(store: Store) -> None:
    _record(store, _doc("load_tender", "direct", [("erp_order", "1"), ("pro", "P1")]))
    _record(store, _doc("shipment_status", "link", [("pro", "P1"), ("bol", "B2")]))
    _record(store, _doc("load_tender", "newer-via-link", [("erp_order", "2"), ("bol", "B2")]))
    found = store.erp_order(["P1"])
    assert found is not None and found["name"] == "direct"


def test_direct_then_one_step_along_the_thread(store: Store) -> None:
    check_direct_then_one_step_along_the_thread(store)


def test_the_direct_order_wins_over_one_reached_through_another(store: Store) -> None:
    check_the_direct_order_wins_over_one_reached_through_another(store)


def check_orderless_agrees_with_erp_order(store: Store) -> None:
    """`erp_orderless` (one search per batch of a chunk's values) never calls a value orderless
    that `erp_order` finds an order for, and does call orderless the values of a batch that
    reaches none (more than one batch of them here)."""
    _record(store, _doc("load_tender", "order", [("erp_order", "4711"), ("bol", "B1")]))
    _record(store, _doc("shipment_status", "link", [("shipment_id", "SHP-42"), ("bol", "B1")]))
    _record(store, _doc("shipment_status", "po-only", [("po", "PO-9"), ("shipment_id", "S9")]))
    _record(store, _doc("load_tender", "other-order", [("erp_order", "9"), ("po", "PO-9")]))
    unrelated = [f"NONE-{i}" for i in range(1200)]
    values = [*unrelated, "S9", "SHP-42", "B1", "4711", "PO-9"]
    orderless = store.erp_orderless(values)
    for value in ("SHP-42", "B1", "4711", "S9", "PO-9"):
        found = store.erp_order([value]) is not None
        assert not (found and value in orderless), value
    assert store.erp_order(["SHP-42"]) is not None and "SHP-42" not in orderless
    assert store.erp_order(["S9"]) is None
    assert set(unrelated[:1000]) <= orderless  # the first two batches reach no order
    assert store.erp_orderless([]) == set()
    with store.batch():  # a group's transaction too (on SQLite the prepared lean path)
        for _ in range(2):
            assert store.erp_orderless(["S9", "NONE-1"]) == {"S9", "NONE-1"}
            assert store.erp_orderless(["NONE-1", "SHP-42"]) == set()
            assert store.erp_orderless(["4711"]) == set() and store.erp_orderless(["S9"]) == {"S9"}
            eight = [f"NONE-{i}" for i in range(7)]
            assert store.erp_orderless(eight) == set(eight)
            assert store.erp_orderless([*eight, "B1"]) == set()  # 8 values, one reaches an order
            assert store.erp_orderless([*eight, "B1", "x"]) == set()  # 9: the expanding search
            assert store.erp_orderless([*eight, "S9", "x"]) == {*eight, "S9", "x"}


def test_orderless_agrees_with_erp_order(store: Store) -> None:
    check_orderless_agrees_with_erp_order(store)
