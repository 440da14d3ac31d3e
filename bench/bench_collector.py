"""The 214 path with the cyclic collector paused per chunk (as shipped) and not, alternating.

Both sides run in this one process, one after the other, on fresh bench homes of the same
generated file, with the collector set up as `gateway run` sets it (collect, freeze,
thresholds 50,000 / 20 / 100). The "not paused" side replaces `collector.paused` with a block
that does nothing, so the collector runs whenever its thresholds say, as before the pause.
Alternating in one process keeps the host's drift (a shared VM here) out of the comparison.

    .venv/bin/python bench/bench_collector.py [--sets 5000] [--rounds 6] [--routing portal]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import gc
import os
import shutil
import statistics
import time
from collections.abc import Iterator

from bench.bench_214_path import SCENARIOS
from bench.common import OUT, command_line
from bench.profile_214 import _home_gateway, _received
from gateway.pipeline import collector


@contextlib.contextmanager
def _not_paused() -> Iterator[None]:
    yield


def one_run(routing: str, sets: int, paused: bool) -> tuple[float, int]:
    """CPU seconds of `process` for `sets` 214s, and the collections it saw (all generations)."""
    gw, home = _home_gateway(SCENARIOS[routing], sets, 1000)
    original = collector.paused
    try:
        if not paused:
            collector.paused = _not_paused
        message_id = _received(gw)
        before = sum(s["collections"] for s in gc.get_stats())
        start = time.process_time()
        outcome = gw.pipeline.process(message_id)
        cpu = time.process_time() - start
        collections = sum(s["collections"] for s in gc.get_stats()) - before
        if outcome.accepted != sets:
            raise RuntimeError(f"{outcome}")
        gw.store.close()
    finally:
        collector.paused = original
        shutil.rmtree(home, ignore_errors=True)
        del gw
        gc.collect()  # the run's gateway (engines, threads: cycles) goes before the next run
    return cpu, collections


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sets", type=int, default=5000)
    p.add_argument("--rounds", type=int, default=6, help="pairs of runs, alternating")
    p.add_argument("--routing", choices=sorted(SCENARIOS), default="portal")
    a = p.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    one_run(a.routing, min(a.sets, 1000), True)  # warm: imports, caches, compiled schemas
    results: dict[bool, list[tuple[float, int]]] = {True: [], False: []}
    for n in range(a.rounds):
        order = (False, True) if n % 2 == 0 else (True, False)
        for paused in order:
            results[paused].append(one_run(a.routing, a.sets, paused))
    for paused in (False, True):
        runs = results[paused]
        rates = [a.sets / cpu for cpu, _ in runs]
        sys.stdout.write(
            f"{a.routing}, collector {'paused per chunk' if paused else 'not paused'}: "
            f"median {statistics.median(rates):,.0f} CPU sets/s "
            f"(runs {', '.join(f'{r:,.0f}' for r in rates)}); collections per run "
            f"{statistics.median(c for _, c in runs):,.0f}\n"
        )
    pairs = [on / off for (on, _), (off, _) in zip(results[True], results[False], strict=True)]
    sys.stdout.write(
        f"CPU paused / not paused, per pair: {', '.join(f'{x:.3f}' for x in pairs)} "
        f"(median {statistics.median(pairs):.3f}); load {os.getloadavg()[0]:.1f}\n"
        f"command: {command_line(sys.argv[1:] if argv is None else argv)}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
