"""The fixed cost of a stage's round, for files that arrive one at a time.

At a moderate rate each round of the gateway's stages sees one or two files: a claim, a group
commit with its hold-queue sweep, a delivery claim per destination and its completion. What
such a round costs beyond the file's own work is paid again for every file, and it is what
decides how large a backlog forms before groups grow (BENCHMARKS.md, "Ninth pass"). This runs
`Gateway.process_claimed` and `DeliveryWorker.drain` in this process's main thread, one file
at a time (received beforehand), and reports for each stage this thread's CPU per file (all
of it and its user-space part) and the wall time per file (waits for the disk included),
plus the cost of an empty round of each (nothing to claim): the idle poll. Also what each
stage writes per file (bytes and write calls, /proc/self/io: the database's WAL and
checkpoints, the archive, the delivered files). `--group N` processes N files per round.

SQLite by default, or with `--postgres` a database created on that server and dropped after.

    .venv/bin/python bench/bench_stage_cycle.py [--files 300] [--rounds 3]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--group 1]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import resource
import statistics
import tempfile
import time

from bench.bench_file_process import _database, _home, receive
from bench.common import command_line, machine
from bench.generate import Layout, iter_chunks


def _written() -> tuple[int, int]:
    """(bytes, calls) this process has written through write/pwrite so far (/proc/self/io)."""
    fields = dict(
        line.split(": ") for line in Path("/proc/self/io").read_text().splitlines() if line
    )
    return int(fields["wchar"]), int(fields["syscw"])


def _user() -> float:
    """This thread's user-space CPU seconds (`time.thread_time` adds the kernel's part)."""
    return resource.getrusage(resource.RUSAGE_THREAD).ru_utime


def one_round(
    files: list[bytes], admin: str | None, empty_rounds: int, group: int = 1
) -> dict[str, float]:
    from gateway.service import Gateway  # after sys.path: this checkout's gateway

    with tempfile.TemporaryDirectory() as tmp, _database(admin) as url:
        gw = Gateway(_home(Path(tmp), url))
        try:
            receive(gw, files)
            process = deliver = process_user = deliver_user = process_wall = deliver_wall = 0.0
            process_bytes = process_calls = deliver_bytes = deliver_calls = 0
            done = 0
            for _ in range(0, len(files), group):
                started, started_user, started_io = time.thread_time(), _user(), _written()
                started_wall = time.perf_counter()
                done += gw.process_claimed(limit=group)
                middle, middle_user, middle_io = time.thread_time(), _user(), _written()
                middle_wall = time.perf_counter()
                gw.delivery.drain()
                ended_io = _written()
                process_wall += middle_wall - started_wall
                deliver_wall += time.perf_counter() - middle_wall
                process += middle - started
                process_user += middle_user - started_user
                deliver += time.thread_time() - middle
                deliver_user += _user() - middle_user
                process_bytes += middle_io[0] - started_io[0]
                process_calls += middle_io[1] - started_io[1]
                deliver_bytes += ended_io[0] - middle_io[0]
                deliver_calls += ended_io[1] - middle_io[1]
            if done != len(files):
                raise RuntimeError(f"processed {done} of {len(files)} files")
            started = time.thread_time()
            for _ in range(empty_rounds):
                gw.process_claimed(limit=1)
            idle_process = time.thread_time() - started
            started = time.thread_time()
            for _ in range(empty_rounds):
                gw.delivery.drain()
            idle_deliver = time.thread_time() - started
        finally:
            gw.store.close()
    n = len(files)
    return {
        "process_ms_per_file": 1000 * process / n,
        "deliver_ms_per_file": 1000 * deliver / n,
        "process_user_ms_per_file": 1000 * process_user / n,
        "deliver_user_ms_per_file": 1000 * deliver_user / n,
        "process_wall_ms_per_file": 1000 * process_wall / n,
        "deliver_wall_ms_per_file": 1000 * deliver_wall / n,
        "process_written_kb_per_file": process_bytes / 1024 / n,
        "process_write_calls_per_file": process_calls / n,
        "deliver_written_kb_per_file": deliver_bytes / 1024 / n,
        "deliver_write_calls_per_file": deliver_calls / n,
        "empty_process_round_ms": 1000 * idle_process / empty_rounds,
        "empty_deliver_round_ms": 1000 * idle_deliver / empty_rounds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--empty", type=int, default=300, help="empty rounds of each stage")
    parser.add_argument(
        "--group", type=int, default=1, help="files per processing round (claim and commit)"
    )
    parser.add_argument("--postgres", default=None, help="admin URL of a PostgreSQL server")
    args = parser.parse_args(argv)
    files = list(iter_chunks("214", args.files, Layout(per_interchange=1)))
    rounds = [one_round(files, args.postgres, args.empty, args.group) for _ in range(args.rounds)]
    medians = {k: round(statistics.median(r[k] for r in rounds), 3) for k in rounds[0]}
    print(
        json.dumps(
            {
                "command": command_line(sys.argv),
                "store": "postgresql" if args.postgres else "sqlite",
                "files": args.files,
                "files_per_round": args.group,
                "rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds],
                "median": medians,
                "machine": machine(),
            },
            indent=2,
        )
    )
    print("SUMMARY " + " ".join(f"{k}={v}" for k, v in medians.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
