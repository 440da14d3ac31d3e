"""`Store.erp_order` on a real PostgreSQL: the checks of tests/unit/test_store_erp_order.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.store import Store, create_store
from tests.unit.test_store_erp_order import (
    check_direct_then_one_step_along_the_thread,
    check_orderless_agrees_with_erp_order,
    check_the_direct_order_wins_over_one_reached_through_another,
)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    s = create_store(pg_url)
    s.migrate()
    yield s
    s.close()


def test_direct_then_one_step_along_the_thread(pg_store: Store) -> None:
    check_direct_then_one_step_along_the_thread(pg_store)


def test_the_direct_order_wins_over_one_reached_through_another(pg_store: Store) -> None:
    check_the_direct_order_wins_over_one_reached_through_another(pg_store)


def test_orderless_agrees_with_erp_order(pg_store: Store) -> None:
    check_orderless_agrees_with_erp_order(pg_store)
