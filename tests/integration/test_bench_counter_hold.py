"""`bench/bench_counter_hold.py` on a few files, so it cannot rot: every file's 997 is written
at its group's end and each group's hold is measured. No timing is asserted."""

from __future__ import annotations

from bench.bench_counter_hold import measure
from bench.generate import Layout, iter_chunks
from tests.integration.test_store_postgres import ADMIN, _admin


def test_the_counter_hold_bench_counts_every_groups_997s() -> None:
    _admin().close()  # skips (fails under CI) without a reachable PostgreSQL
    files = list(iter_chunks("214", 20, Layout(per_interchange=1)))
    timings, done, wall = measure(files, ADMIN)
    assert done == 20 and wall > 0
    assert sum(timings.sizes) == 20  # one deferred 997 per file
    assert len(timings.holds) == len(timings.sizes) >= 2  # claims of 16: two groups at least
    assert all(h > 0 for h in timings.holds)
    assert timings.parts["counter UPDATEs"] > 0
