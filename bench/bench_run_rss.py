"""Peak RSS of `gateway run` taking one large interchange end to end, and its stop time.

A fresh gateway home under bench/out/run-rss/ (the repository's partners, SQLite), `gateway run`
as a child process, one 214 interchange of --size (20 MB by default, ~147,000 outbox rows with
the shipped routing) dropped into inbox/demo-carrier/. When every delivery is made the child
gets SIGTERM; its own peak RSS comes from wait4(2). With --stop-after N the SIGTERM is sent
once N deliveries are recorded instead, to time a stop with the rest of the backlog pending.

    .venv/bin/python bench/bench_run_rss.py [--size 20M] [--stop-after 5000]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time

from bench.common import BIN, OUT, REPO, command_line, machine
from bench.generate import generate, parse_size, sets_for_bytes


def _counts(db: Path) -> tuple[int, int, int]:
    """(messages not yet processed, outbox rows not delivered, delivered)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        waiting = conn.execute(
            "SELECT count(*) FROM received_message WHERE status = 'received'"
        ).fetchone()[0]
        left = conn.execute(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'in_flight')"
        ).fetchone()[0]
        done = conn.execute("SELECT count(*) FROM outbox WHERE status = 'delivered'").fetchone()[0]
    return waiting, left, done


def run(size: int, stop_after: int | None) -> dict[str, object]:
    home = OUT / "run-rss"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(REPO / "partners", home / "partners")
    (home / "var").mkdir(parents=True)
    big = OUT / "run-rss-214.x12"
    g = generate(big, "214", sets_for_bytes("214", size))
    env = {
        **os.environ,
        "GATEWAY_HOME": str(home),
        "GATEWAY_HTTP_PORT": "0",
        "GATEWAY_STABLE_SECONDS": "0.2",
    }
    log = (home / "run.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "gateway"), "run"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    db = home / "var" / "gateway.db"
    while not db.exists() or b"operations API" not in (home / "run.log").read_bytes():
        time.sleep(0.1)
    inbox = home / "inbox" / "demo-carrier"
    start = time.perf_counter()
    shutil.copy(big, inbox / ".drop.tmp")
    os.rename(inbox / ".drop.tmp", inbox / "big.x12")
    processed_at = None
    while True:
        time.sleep(0.5)
        waiting, left, done = _counts(db)
        if processed_at is None and waiting == 0 and (left or done):
            processed_at = time.perf_counter() - start
        if stop_after is not None and done >= stop_after:
            break
        if processed_at is not None and left == 0:
            break
    drained_at = time.perf_counter() - start
    asked = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    stop_seconds = time.perf_counter() - asked
    log.close()
    waiting, left, done = _counts(db)
    big.unlink()
    return {
        "file": f"214 x {g.sets:,} sets in 1 ISA, {g.bytes / 1e6:.1f} MB",
        "exit": os.waitstatus_to_exitcode(status),
        "processed_s": round(processed_at or 0.0, 1),
        "until_sigterm_s": round(drained_at, 1),
        "stop_s": round(stop_seconds, 2),
        "delivered": done,
        "left": left,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="20M")
    parser.add_argument("--stop-after", type=int, default=None)
    args = parser.parse_args(argv)
    result = run(parse_size(args.size), args.stop_after)
    result["command"] = command_line(sys.argv[1:] if argv is None else argv)
    result["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
    result["machine"] = machine()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
