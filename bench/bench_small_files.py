"""Many small files, as carriers send them: one 214 per file dropped into a running gateway.

A fresh gateway home under bench/out/small-files/ (the repository's partners: shipped routing,
997 back to the carrier, ERP IDoc, TMS and portal JSON), `gateway run` as a child process
(SQLite by default, or --url for an empty PostgreSQL database), then:

- burst: N files (`bench/generate.py --sets N --per-interchange 1`, split per ISA) appear in
  inbox/demo-carrier/ at once; measured: files/s from the drop until every file's 997 and portal
  deliveries are recorded, the time to the first portal delivery, and latency percentiles.
- sustained: files appear at --rate per second for --seconds; measured: drop-to-portal latency
  (p50/p99) per file.

Latency of a file = the portal delivery's `delivered_at` (recorded after the file is written and
synced) minus the moment the script renamed the file into the inbox.

Also reported, independent of machine load: the gateway's database commits per file, by stage
(a SQLAlchemy commit listener installed in the child, counted by thread: receive, process,
deliver), and the child's CPU seconds from the drop to the last delivery (/proc/<pid>/stat).
The same script run with another checkout's Python measures that checkout's gateway (the child
starts in the gateway home, so it imports the gateway installed in that Python's venv).

    .venv/bin/python bench/bench_small_files.py --burst 2000
    .venv/bin/python bench/bench_small_files.py --rate 200 --seconds 10
    .venv/bin/python bench/bench_small_files.py --burst 10000 --rate 200 --seconds 15 \\
        --repeat 3 --json out.json    # what `make bench` runs: medians of three runs each
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import atexit
import json
import os
import shutil
import signal
import statistics
import subprocess
import time
from datetime import datetime
from typing import Any

from bench.common import BIN, OUT, REPO, command_line, machine
from bench.generate import Layout, iter_chunks
from gateway.store.engine import READ_ONLY, make_engine

# The child: `gateway run` with a commit listener that writes its counts, by stage thread, when
# the process ends (a SIGTERM stop returns from the CLI normally).
_COUNTING_RUN = """
import atexit, collections, json, os, sys, threading
from sqlalchemy import event
from sqlalchemy.engine import Engine
counts = collections.Counter()
def _commit(conn):
    counts[threading.current_thread().name.removeprefix("gateway-")] += 1
event.listen(Engine, "commit", _commit)
def _statement(conn, *args):
    counts["statements:" + threading.current_thread().name.removeprefix("gateway-")] += 1
event.listen(Engine, "before_cursor_execute", _statement)
def _dump():
    with open(os.environ["BENCH_COMMITS_FILE"], "w") as fh:
        json.dump(counts, fh)
atexit.register(_dump)
import time
from gateway import service as _service
_plain_loop = _service.Gateway._loop
def _timed_loop(self, name, *args):  # CPU seconds of each stage thread, whatever the load
    try:
        _plain_loop(self, name, *args)
    finally:
        counts["cpu_ms:" + name] += round(1000 * time.thread_time())
        import resource  # the user part alone: the kernel's file creation varies a lot here
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        counts["user_ms:" + name] += round(1000 * usage.ru_utime)
_service.Gateway._loop = _timed_loop
if os.environ.get("BENCH_PROFILE_DIR"):  # --profile: cProfile each stage thread
    import cProfile
    from gateway import service
    plain = service.Gateway._loop
    def _loop(self, name, *args):
        prof = cProfile.Profile()
        prof.enable()
        try:
            plain(self, name, *args)
        finally:
            prof.disable()
            prof.dump_stats(os.path.join(os.environ["BENCH_PROFILE_DIR"], name + ".prof"))
    service.Gateway._loop = _loop
sys.argv = ["gateway", os.environ.get("BENCH_GATEWAY_COMMAND", "run")]
from gateway.cli import main
main()
"""


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, from /proc (clock ticks)."""
    return sum(_user_system_seconds(pid))


def _user_system_seconds(pid: int) -> tuple[float, float]:
    """(utime, stime) of a running process, from /proc: the kernel's part (stime) is mostly
    file and directory creation (archive copies, delivered files), whose cost on this VM's
    ext4 varies by an order of magnitude with what else syncs the disk."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _files(n: int) -> list[bytes]:
    return list(iter_chunks("214", n, Layout(per_interchange=1)))


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _set_aside(home: Path) -> None:
    """Move the last run's home out of the way, to be deleted when this script ends.

    Deleted right before a run, its tens of thousands of files made that run's first seconds
    slow: ext4 skips inodes freed in the last 60 s when it allocates new ones (`perf`: 17 % of
    the samples in `recently_deleted`), so every file the gateway created waited (p99 1.7-3 s
    over the first 4,000 files at 200 files/s, 0.16 s with the old home deleted 75 s before;
    BENCHMARKS.md, "Eleventh pass"). A rename frees no inode."""
    if not home.exists():
        return
    aside = home.with_name(f"{home.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    home.rename(aside)
    atexit.register(shutil.rmtree, aside, ignore_errors=True)


class Running:
    def __init__(self, url: str | None, profile: bool = False, workers: int = 1) -> None:
        self.home = OUT / "small-files"
        _set_aside(self.home)
        shutil.copytree(REPO / "partners", self.home / "partners")
        (self.home / "var").mkdir(parents=True)
        self.url = url or f"sqlite:///{self.home / 'var' / 'gateway.db'}"
        env = {
            **os.environ,
            "GATEWAY_HOME": str(self.home),
            "GATEWAY_HTTP_PORT": "0",
            "GATEWAY_STABLE_SECONDS": "0",
            "GATEWAY_DATABASE_URL": self.url,
            "BENCH_COMMITS_FILE": str(self.home / "commits.json"),
        }
        if profile:
            env["BENCH_PROFILE_DIR"] = str(self.home)
        self.log = (self.home / "run.log").open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "python"), "-c", _COUNTING_RUN],
            env=env,
            cwd=self.home,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        while b"operations API" not in (self.home / "run.log").read_bytes():
            if self.proc.poll() is not None:
                raise RuntimeError((self.home / "run.log").read_text())
            time.sleep(0.1)
        self.inbox = self.home / "inbox" / "demo-carrier"
        # deferred BEGIN: the script's polling never takes SQLite's write lock
        self.engine = make_engine(self.url).execution_options(**{READ_ONLY: True})
        # --workers N: N-1 `gateway worker` processes beside `gateway run` (PostgreSQL only),
        # sharing its home (outbox folders) and database, each counting as the first does
        self.workers: list[subprocess.Popen[bytes]] = []
        for n in range(1, workers):
            worker_env = {
                **env,
                "BENCH_GATEWAY_COMMAND": "worker",
                "BENCH_COMMITS_FILE": str(self.home / f"commits-{n}.json"),
            }
            if profile:
                worker_env["BENCH_PROFILE_DIR"] = str(self.home / f"worker-{n}")
                (self.home / f"worker-{n}").mkdir()
            self.workers.append(
                subprocess.Popen(
                    [str(BIN / "python"), "-c", _COUNTING_RUN],
                    env=worker_env,
                    cwd=self.home,
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                )
            )
        started = time.monotonic()
        while self.workers and (self.home / "run.log").read_bytes().count(b"gateway worker") < len(
            self.workers
        ):
            if time.monotonic() - started > 60 or any(w.poll() is not None for w in self.workers):
                raise RuntimeError((self.home / "run.log").read_text())
            time.sleep(0.1)

    def drop(self, i: int, data: bytes) -> float:
        tmp = self.inbox / f".f{i:06d}.tmp"
        tmp.write_bytes(data)
        os.rename(tmp, self.inbox / f"f{i:06d}.x12")
        return time.time()

    def stage(self, i: int, data: bytes) -> Path:
        """Write a file outside the inbox (same file system) for `move_in`."""
        staging = self.home / "staging"
        staging.mkdir(exist_ok=True)
        path = staging / f"f{i:06d}.x12"
        path.write_bytes(data)
        return path

    def move_in(self, staged: Path) -> float:
        os.rename(staged, self.inbox / staged.name)
        return time.time()

    def deliveries(self) -> dict[str, tuple[datetime | None, datetime | None]]:
        """file name -> (first portal delivery, 997 delivery), recorded times."""
        sql = (
            "SELECT m.original_name, o.destination, min(o.delivered_at) FROM outbox o"
            " JOIN received_message m ON m.id = o.source_message_id"
            " WHERE o.status = 'delivered' AND o.destination IN ('portal', 'demo-carrier')"
            " GROUP BY m.original_name, o.destination"
        )
        found: dict[str, list[datetime | None]] = {}
        with self.engine.connect() as conn:
            for name, destination, at in conn.exec_driver_sql(sql):
                if isinstance(at, str):  # SQLite keeps text
                    at = datetime.fromisoformat(at)
                slot = found.setdefault(name, [None, None])
                slot[0 if destination == "portal" else 1] = at
        return {k: (v[0], v[1]) for k, v in found.items()}

    def wait_all(
        self, n: int, timeout: float
    ) -> dict[str, tuple[datetime | None, datetime | None]]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.deliveries()
            if sum(1 for p, a in got.values() if p and a) >= n or time.monotonic() > deadline:
                return got
            time.sleep(0.2)

    def cpu(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.pids())

    def pids(self) -> list[int]:
        return [self.proc.pid, *(w.pid for w in self.workers)]

    def user_system(self) -> tuple[float, float]:
        """(user, system) CPU seconds of every gateway process of the run."""
        both = [_user_system_seconds(pid) for pid in self.pids()]
        return sum(u for u, _ in both), sum(s for _, s in both)

    def stop(self) -> dict[str, int]:
        """Stop the gateway; its commits by stage since it started."""
        self.engine.dispose()
        for proc in [self.proc, *self.workers]:
            proc.send_signal(signal.SIGTERM)
        for proc in [self.proc, *self.workers]:
            proc.wait(timeout=60)
        self.log.close()
        counts: dict[str, int] = {}
        for path in sorted(self.home.glob("commits*.json")):  # every process's counts, summed
            try:
                for key, value in json.loads(path.read_text()).items():
                    counts[key] = counts.get(key, 0) + value
            except (OSError, ValueError):
                continue
        return counts


def _statements(counts: dict[str, int], n: int) -> dict[str, float]:
    """SQL statements per file by stage (counted in the child with the commits)."""
    out = {
        k.removeprefix("statements:"): round(v / n, 1)
        for k, v in sorted(counts.items())
        if k.startswith("statements:") and v >= n / 20
    }
    out["total"] = round(sum(v for k, v in counts.items() if k.startswith("statements:")) / n, 1)
    return out


def _cpu_ms(counts: dict[str, int], n: int, kind: str = "cpu_ms:") -> dict[str, float]:
    """CPU ms per file of each stage thread (its whole life, start-up included); with kind
    "user_ms:" its user-space part only."""
    return {
        k.removeprefix(kind): round(v / n, 2)
        for k, v in sorted(counts.items())
        if k.startswith(kind)
    }


def _per_file(commits: dict[str, int], before: dict[str, int], n: int) -> dict[str, float]:
    """Commits per file by stage, between two counts (start-up commits left out)."""
    stages = {
        k: commits.get(k, 0) - before.get(k, 0)
        for k in commits
        if not k.startswith(("statements:", "cpu_ms:", "user_ms:"))
    }
    out = {k: round(v / n, 3) for k, v in sorted(stages.items()) if v}
    out["total"] = round(sum(stages.values()) / n, 3)
    return out


def _epoch(at: datetime) -> float:
    from datetime import UTC

    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def burst(
    n: int, url: str | None, profile: bool = False, workers: int = 1, staged: bool = False
) -> dict[str, object]:
    files = _files(n)
    gw = Running(url, profile, workers)
    # --staged: every file written beforehand, then renamed in as fast as renames go (a batch
    # job moving a folder in, or uploads renamed when complete): the drop takes ~0.1-0.3 s
    paths = [gw.stage(i, data) for i, data in enumerate(files)] if staged else []
    time.sleep(1.0)  # start-up writes (registration, first rescans) settle
    cpu0 = gw.cpu()
    user0, system0 = gw.user_system()
    try:
        if staged:
            dropped = {path.name: gw.move_in(path) for path in paths}
        else:
            dropped = {f"f{i:06d}.x12": gw.drop(i, data) for i, data in enumerate(files)}
        first_drop = min(dropped.values())
        drop_seconds = max(dropped.values()) - first_drop
        first_portal = None
        while first_portal is None:
            got = gw.deliveries()
            times = [_epoch(p) for p, _ in got.values() if p]
            if times:
                first_portal = min(times) - first_drop
            else:
                time.sleep(0.05)
        got = gw.wait_all(n, timeout=1800)
        cpu = gw.cpu() - cpu0
        user1, system1 = gw.user_system()
    finally:
        commits = gw.stop()
    done = [(name, p, a) for name, (p, a) in got.items() if p and a]
    last = max(max(_epoch(p), _epoch(a)) for _, p, a in done)
    latencies = [_epoch(p) - dropped[name] for name, p, _ in done]
    return {
        "mode": f"burst of {n} files (one 214 each)"
        + (", staged and renamed in" if staged else "")
        + (f", {workers} processes" if workers > 1 else ""),
        "store": gw.url.split(":")[0],
        "files_done": len(done),
        "drop_seconds": round(drop_seconds, 2),
        "files_per_s_drop_to_997_and_portal": round(len(done) / (last - first_drop), 1),
        "first_portal_after_drop_s": round(first_portal, 2),
        "latency_p50_s": round(_percentile(latencies, 50), 2),
        "latency_p99_s": round(_percentile(latencies, 99), 2),
        "gateway_cpu_s": round(cpu, 2),
        "gateway_cpu_ms_per_file": round(1000 * cpu / max(1, len(done)), 2),
        "gateway_user_ms_per_file": round(1000 * (user1 - user0) / max(1, len(done)), 2),
        "gateway_system_ms_per_file": round(1000 * (system1 - system0) / max(1, len(done)), 2),
        "commits_per_file": _per_file(commits, {}, max(1, len(done))),
        "statements_per_file": _statements(commits, max(1, len(done))),
        "stage_cpu_ms_per_file": _cpu_ms(commits, max(1, len(done))),
        "stage_user_ms_per_file": _cpu_ms(commits, max(1, len(done)), "user_ms:"),
    }


def sustained(rate: float, seconds: float, url: str | None, workers: int = 1) -> dict[str, object]:
    n = int(rate * seconds)
    files = _files(n)
    gw = Running(url, workers=workers)
    time.sleep(1.0)
    cpu0 = gw.cpu()
    try:
        dropped: dict[str, float] = {}
        start = time.monotonic()
        for i, data in enumerate(files):
            due = start + i / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            dropped[f"f{i:06d}.x12"] = gw.drop(i, data)
        behind = time.monotonic() - start - seconds
        got = gw.wait_all(n, timeout=1800)
        cpu = gw.cpu() - cpu0
    finally:
        commits = gw.stop()
    latencies = [_epoch(p) - dropped[name] for name, (p, a) in got.items() if p and a]
    return {
        "mode": f"sustained {rate:g} files/s for {seconds:g} s ({n} files)"
        + (f", {workers} processes" if workers > 1 else ""),
        "store": gw.url.split(":")[0],
        "files_done": len(latencies),
        "dropping_fell_behind_s": round(max(0.0, behind), 2),
        "latency_p50_s": round(_percentile(latencies, 50), 2),
        "latency_p99_s": round(_percentile(latencies, 99), 2),
        "latency_max_s": round(max(latencies), 2) if latencies else None,
        "gateway_cpu_s": round(cpu, 2),
        "commits_per_file": _per_file(commits, {}, max(1, len(latencies))),
        "statements_per_file": _statements(commits, max(1, len(latencies))),
        "stage_cpu_ms_per_file": _cpu_ms(commits, max(1, len(latencies))),
        "stage_user_ms_per_file": _cpu_ms(commits, max(1, len(latencies)), "user_ms:"),
    }


# what the targets judge, summed up over repeated runs of one mode
_MEDIAN_KEYS = (
    "files_per_s_drop_to_997_and_portal",
    "first_portal_after_drop_s",
    "latency_p99_s",
    "gateway_cpu_ms_per_file",
)


def medians(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per mode ("burst", "sustained"): the runs, the median and the range of each figure in
    `_MEDIAN_KEYS` it has, and how many runs had their p99 under 1 s."""
    out: dict[str, dict[str, Any]] = {}
    for kind in ("burst", "sustained"):
        runs = [r for r in results if str(r["mode"]).startswith(kind)]
        if not runs:
            continue
        summary: dict[str, Any] = {"mode": runs[0]["mode"], "runs": len(runs)}
        for key in _MEDIAN_KEYS:
            values = [float(r[key]) for r in runs if isinstance(r.get(key), int | float)]
            if values:
                summary[key] = {
                    "median": round(statistics.median(values), 2),
                    "min": min(values),
                    "max": max(values),
                    "each": values,
                }
        summary["p99_under_1s"] = sum(
            1
            for r in runs
            if isinstance(r.get("latency_p99_s"), int | float) and float(r["latency_p99_s"]) < 1.0
        )
        out[kind] = summary
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=0, help="files dropped at once")
    parser.add_argument("--rate", type=float, default=0.0, help="files per second, sustained")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--url", default=None, help="an empty PostgreSQL database (default SQLite)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile each stage thread of the burst's gateway (bench/out/small-files/*.prof)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="gateway processes: `gateway run` plus N-1 `gateway worker` (needs --url)",
    )
    parser.add_argument(
        "--staged",
        action="store_true",
        help="burst: write every file first, outside the inbox, then rename them all in",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each mode, alternating burst and sustained; `medians` sums them up",
    )
    parser.add_argument("--json", type=Path, help="also write the output document here")
    args = parser.parse_args(argv)
    if args.workers > 1 and not args.url:
        parser.error("--workers needs --url (PostgreSQL): on SQLite one process writes")
    if not args.burst and not args.rate:
        parser.error("give --burst N and/or --rate R")
    results = []
    for _ in range(max(1, args.repeat)):
        if args.burst:
            results.append(burst(args.burst, args.url, args.profile, args.workers, args.staged))
        if args.rate:
            results.append(sustained(args.rate, args.seconds, args.url, args.workers))
    load = Path("/proc/loadavg").read_text().split()[:3]
    out = {
        "results": results,
        "medians": medians(results),
        "command": command_line(sys.argv[1:] if argv is None else argv),
        "loadavg": load,
        "machine": machine(),
    }
    print(json.dumps(out, indent=2, default=str))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    for r in results:  # one line each, for a quick re-run on a quiet machine
        keys = (
            "files_per_s_drop_to_997_and_portal",
            "first_portal_after_drop_s",
            "latency_p50_s",
            "latency_p99_s",
            "gateway_cpu_s",
            "gateway_cpu_ms_per_file",
            "gateway_user_ms_per_file",
            "gateway_system_ms_per_file",
        )
        figures = " ".join(f"{k}={r[k]}" for k in keys if k in r)
        commits = r["commits_per_file"]
        total = commits["total"] if isinstance(commits, dict) else "?"
        statements = r["statements_per_file"]
        process = statements.get("process", "?") if isinstance(statements, dict) else "?"
        stage_user = r["stage_user_ms_per_file"]
        user = (
            ",".join(f"{k}={v}" for k, v in stage_user.items())
            if isinstance(stage_user, dict)
            else ""
        )
        stage_cpu = r["stage_cpu_ms_per_file"]
        cpu = (
            ",".join(f"{k}={v}" for k, v in stage_cpu.items())
            if isinstance(stage_cpu, dict)
            else ""
        )
        print(
            f"SUMMARY {r['mode']} ({r['store']}, load {load[0]}):"
            f" {figures} commits_per_file={total} process_statements_per_file={process}"
            f" stage_cpu_ms_per_file={cpu}"
            f" stage_user_ms_per_file={user} done={r['files_done']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
