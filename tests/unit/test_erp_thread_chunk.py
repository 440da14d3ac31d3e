"""`ErpThread.chunk`: a chunk's ERP lookups answered together, in the planning thread only."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from gateway import canonical as c
from gateway.pipeline.erp_thread import ErpThread
from gateway.registry import Registry
from gateway.store import Store, create_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(f"sqlite:///{tmp_path / 'gw.db'}")
    s.migrate()
    yield s
    s.close()


def _status(shipment: str, bol: str) -> c.ShipmentStatus:
    return c.ShipmentStatus(scac="DEMO", shipment_id=shipment, correlation=c.Correlation(bol=bol))


def test_a_chunk_answers_its_own_thread_only(store: Store) -> None:
    lookups: list[Sequence[str]] = []
    one_by_one = store.erp_order

    def counted(values: Sequence[str]) -> dict[str, Any] | None:
        lookups.append(values)
        return one_by_one(values)

    store.erp_order = counted  # type: ignore[method-assign]  # counts the real store's calls
    erp = ErpThread(store, Registry.load(REPO / "partners"))
    chunk = [_status(f"S{n}", f"B{n}") for n in range(5)]
    with erp.chunk(chunk):
        assert [erp.order_for(doc) for doc in chunk] == [None] * 5
        assert lookups == []  # one batch search proved all five orderless
        # another stage's thread (a hold-queue replay) asks the store itself
        other = threading.Thread(target=erp.order_for, args=(chunk[0],))
        other.start()
        other.join()
        assert len(lookups) == 1
    erp.order_for(chunk[0])  # the chunk is over: one lookup each again
    assert len(lookups) == 2
