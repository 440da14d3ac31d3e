"""An interchange that ends within its first chunk is written whole at its IEA, in one
transaction (gateway/pipeline/x12_inbound.py). Whatever the path, the rows must be the ones the
streaming path writes: each case runs twice, in a home as shipped and in one whose chunks are a
single set (so every interchange streams: begun, held, released), and every table is compared.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.service import Gateway
from gateway.store import create_store
from gateway.store.schema import (
    ack_t,
    business_event_t,
    document_t,
    event_t,
    group_t,
    interchange_t,
    key_t,
    outbox_t,
    set_t,
    shipment_event_t,
    shipment_status_t,
)
from tests.integration.gateway_env import demo_214, drop, make_home

FIXED = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

# tables compared with their ids (both paths insert in the same order) ...
_ORDERED = (
    interchange_t,
    group_t,
    set_t,
    document_t,
    key_t,
    business_event_t,
    shipment_event_t,
    shipment_status_t,
    outbox_t,
    ack_t,
)


def _bad_set(data: bytes) -> bytes:
    """The second set's first status code made unknown: that set is rejected (AK5 R), the
    group partially accepted, the interchange stands."""
    head, sep, tail = data.partition(b"ST*214*0002")
    return head + sep + tail.replace(b"AT7*X3", b"AT7*Q9", 1)


def _rejected_group(data: bytes) -> bytes:
    """GE01 says 3 sets where there are 2: the group is rejected (AK9 R), its rows void."""
    return data.replace(b"GE*2*501", b"GE*3*501")


CASES: dict[str, list[bytes]] = {
    "two sets": [demo_214("000000301")],
    "two interchanges in one file": [
        demo_214("000000302") + b"\n" + demo_214("000000303").replace(b"SHIP", b"SHQ")
    ],
    "a rejected set, the group partially accepted": [_bad_set(demo_214("000000304"))],
    "a TA1 asked for": [demo_214("000000305").replace(b"*0*P*>~", b"*1*P*>~", 1)],
    "a rejected group": [_rejected_group(demo_214("000000306"))],
    "test data": [demo_214("000000307", usage="T")],
    "the same file twice": [demo_214("000000308"), demo_214("000000308")],
    "a later file updates the same shipment": [
        demo_214("000000309"),
        demo_214("000000310").replace(b"20240106*1430", b"20240107*1430"),
    ],
}


def _run(tmp_path: Path, files: list[bytes], chunk_sets: int | None) -> dict[str, Any]:
    settings = make_home(tmp_path)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    store = create_store(f"sqlite:///{settings.var_dir / 'gateway.db'}", clock=lambda: FIXED)
    gw = Gateway(settings, store=store)
    for obj in (gw.pipeline, gw.pipeline.x12, gw.pipeline.dispatcher, gw.pipeline.reconciler):
        obj.clock = lambda: FIXED  # type: ignore[attr-defined]
    if chunk_sets is not None:
        gw.pipeline.x12.chunk_sets = chunk_sets
    whole: list[int] = []
    real: Callable[..., Any] = store.record_interchange_batch

    def spy(*args: Any, **kwargs: Any) -> Any:
        whole.append(1)
        return real(*args, **kwargs)

    store.record_interchange_batch = spy  # type: ignore[method-assign]
    for n, data in enumerate(files):
        drop(settings, "demo-carrier", f"f{n}.edi", data)
        gw.tick()
    tables: dict[str, Any] = {}
    with store._read() as conn:
        for table in _ORDERED:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = [dict(r._mapping) for r in rows]
        # events: the same ones, in another order (the whole write records them at once)
        e = event_t.c
        rows = conn.execute(select(e.kind, e.detail, e.message_id, e.interchange_id)).all()
        tables["event"] = sorted(repr(tuple(r)) for r in rows)
    tables["messages"] = [(m.status, m.quarantine_reason) for m in store.list_messages()]
    store.close()
    return {"tables": tables, "whole": len(whole)}


@pytest.mark.parametrize("case", list(CASES))
def test_an_interchange_written_whole_has_the_rows_of_the_streaming_path(
    tmp_path: Path, case: str
) -> None:
    files = CASES[case]
    shipped = _run(tmp_path / "shipped", files, None)
    streamed = _run(tmp_path / "streamed", files, chunk_sets=1)
    assert streamed["whole"] == 0  # every interchange of this run streamed
    assert shipped["tables"] == streamed["tables"]
    outcomes = [row["outcome"] for row in shipped["tables"]["interchange"]]
    assert "processing" not in outcomes
    # the whole write is taken for interchanges that stand whole, and only for those
    standing = sum(1 for g in shipped["tables"]["functional_group"] if g["ack_code"] != "R")
    if case == "a rejected group":
        assert shipped["whole"] == 0
    elif case == "the same file twice":
        assert shipped["whole"] == 1  # the second is a duplicate: blocked, it streams
    else:
        assert shipped["whole"] == standing == len(outcomes)
