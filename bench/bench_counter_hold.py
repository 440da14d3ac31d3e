"""How long a group commit holds a carrier's control number counter on PostgreSQL.

From the start of the group's deferred 997 writes (`StoreBase._run_deferred`, whose first
statement is the counter's UPDATE) to the end of its commit, per group, for one-214 files of
one carrier received beforehand and processed by one `Gateway.process_claimed` loop; with the
counter UPDATEs (one per kind and group), the 997 builds and the commit timed apart, per 997.
The row stays locked for that span, so it bounds what any number of workers can do for one
carrier's small files.

    .venv/bin/python bench/bench_counter_hold.py [--files 800]
        [--admin postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, event

from bench.bench_file_process import _database, _home, process_all, receive
from bench.common import command_line, machine
from bench.generate import Layout, iter_chunks
from gateway.pipeline import x12_inbound
from gateway.service import Gateway
from gateway.store import _base, _stream
from gateway.x12.acks import build_ack_interchange


class Timings:
    def __init__(self) -> None:
        # the group's numbers are taken before its 997s are built (one UPDATE per kind)
        self.parts = {"counter UPDATEs": 0.0, "997 build": 0.0, "commit": 0.0}
        self.holds: list[float] = []  # seconds the counter was held, per group
        self.sizes: list[int] = []  # deferred 997s per group
        self.started: float | None = None
        self.committing = 0.0

    def timed(self, part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.parts[part] += time.perf_counter() - start

        return wrapper


def measure(files: list[bytes], admin: str) -> tuple[Timings, int, float]:
    t = Timings()
    run_deferred = _base.StoreBase._run_deferred

    def run(self: _base.StoreBase, conn: Connection) -> None:
        t.sizes.append(len(self._local.before_commit))
        t.started = time.perf_counter()
        run_deferred(self, conn)

    patches: list[tuple[Any, str, Any]] = [
        (_base.StoreBase, "_run_deferred", run),
        (
            x12_inbound,
            "build_ack_interchange",
            t.timed("997 build", build_ack_interchange),
        ),
        (_stream, "_allocate", t.timed("counter UPDATEs", _stream._allocate)),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    root = Path(tempfile.mkdtemp(prefix="bench-hold-"))
    try:
        for owner, name, value in patches:
            setattr(owner, name, value)
        with _database(admin) as url:
            gw = Gateway(_home(root, url))
            batch = gw.store.batch

            @contextlib.contextmanager
            def timed_batch() -> Iterator[None]:
                t.started = None
                with batch():
                    yield
                if t.started is not None:  # this group had deferred 997s
                    end = time.perf_counter()
                    t.holds.append(end - t.started)
                    t.parts["commit"] += end - t.committing

            gw.store.batch = timed_batch  # type: ignore[method-assign]
            event.listen(
                gw.store._engine,
                "commit",
                lambda conn: setattr(t, "committing", time.perf_counter()),
            )
            receive(gw, files)
            start = time.perf_counter()
            done = process_all(gw)
            wall = time.perf_counter() - start
            gw.store.close()
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        shutil.rmtree(root, ignore_errors=True)
    return t, done, wall


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=800)
    p.add_argument("--admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    a = p.parse_args(argv)
    files = list(iter_chunks("214", a.files, Layout(per_interchange=1)))
    t, done, wall = measure(files, a.admin)
    acks = sum(t.sizes)
    held_ms = sorted(h * 1000 for h in t.holds)
    report = {
        "files": done,
        "groups_with_997s": len(t.holds),
        "997s_per_group_median": statistics.median(t.sizes),
        "counter_held_ms_per_group": {
            "median": round(statistics.median(held_ms), 2),
            "p90": round(held_ms[int(len(held_ms) * 0.9)], 2),
            "max": round(held_ms[-1], 2),
        },
        "counter_held_ms_per_997": round(sum(held_ms) / acks, 3),
        "ms_per_997": {k: round(v * 1000 / acks, 3) for k, v in t.parts.items()},
        "processing_wall_ms_per_file": round(1000 * wall / done, 2),
        "command": command_line(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
