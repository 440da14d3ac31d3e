"""214 processing on PostgreSQL: sets/s of one worker, and of two side by side.

Per run: a fresh database (created here on the server of `--admin`, dropped at the end), F files
of one interchange of 1,000 214s from a carrier routed to the portal only (the bench carrier of
bench/bench_214_path.py), received first; then W worker processes (each a `Gateway` with no
receive stage, as `gateway worker` runs it) start together and process until the queue is
empty. Measured from the start signal to the last worker's end: sets/s, and each worker's own
CPU seconds (time.process_time) so the figure means something on a shared machine. Meanwhile the
parent samples pg_stat_activity every 50 ms (what the workers' sessions wait on) and the CPU
time of their server processes (/proc/PID/stat), to say where the next bottleneck is.
Deliveries (the portal files) are not part of it: they are measured in bench_small_files.py.

Each worker claims one message at a time here (`process_claimed(limit=1)`), as the service
itself now does for such files (its claims stop at `CLAIM_BYTES`, 256 KB; before that, a claim
of 16 gave every 1,000-set file to the first worker).

    .venv/bin/python bench/bench_pg_workers.py [--admin postgresql://postgres@127.0.0.1:5432/postgres]
        [--files 12] [--workers 1,2] [--repeat 3] [--json OUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import collections
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

from bench.bench_214_path import SCENARIOS, make_home
from bench.common import command_line
from bench.generate import Layout, generate

PER_INTERCHANGE = 1000
SCENARIO = SCENARIOS["portal"]
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    workers: int
    sets: int
    seconds: float
    worker_cpu: list[float]
    worker_sets: list[int]
    server_cpu: float
    waits: collections.Counter[str] = field(default_factory=collections.Counter)
    samples: int = 0
    load: float = 0.0
    wal_bytes: int = 0  # cluster-wide: includes whatever other sessions wrote meanwhile

    @property
    def sets_per_s(self) -> float:
        return self.sets / self.seconds

    @property
    def sets_per_cpu_s(self) -> float:
        """Per worker: its sets over its own CPU seconds (the per-core figure)."""
        return statistics.median(
            s / c for s, c in zip(self.worker_sets, self.worker_cpu, strict=True) if c
        )


# ------------------------------------------------------------------ the worker (child)


def child(home: Path, url: str, ready: Path, go: Path, out: Path) -> int:
    from gateway.service import Gateway
    from gateway.settings import Settings

    settings = Settings.from_env(home)
    settings = _with_url(settings, url)
    gw = Gateway(settings, receive=False)
    gw._register()
    ready.touch()
    while not go.exists():
        time.sleep(0.005)
    profile = None
    if os.environ.get("BENCH_PROFILE"):  # --profile: where a worker's CPU goes
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    wall0, cpu0 = time.time(), time.process_time()
    while gw.process_claimed(limit=1):
        pass
    wall1, cpu1 = time.time(), time.process_time()
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.environ["BENCH_PROFILE"] + f".{os.getpid()}")
    sets = sum(o.sets for o in gw.outcomes)
    gw.queue.unregister()
    gw.store.close()
    out.write_text(json.dumps({"start": wall0, "end": wall1, "cpu": cpu1 - cpu0, "sets": sets}))
    return 0


def _with_url(settings: Any, url: str) -> Any:
    import dataclasses

    return dataclasses.replace(settings, database_url=url, stable_seconds=0.0)


# ------------------------------------------------------------------ the parent


def _backend_cpu(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def one_run(admin: str, staging: Path, files: int, workers: int) -> Run:
    db = f"bench_pgw_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    info = psycopg.conninfo.conninfo_to_dict(admin)
    url = (
        f"postgresql+psycopg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:"
        f"{info.get('port', 5432)}/{db}"
    )
    root = Path(tempfile.mkdtemp(prefix="pgw-"))
    try:
        home = make_home(root)
        from gateway.service import Gateway
        from gateway.settings import Settings

        settings = _with_url(Settings.from_env(home), url)
        receiver = Gateway(settings)
        inbox = settings.inbox_dir / SCENARIO.account
        inbox.mkdir(parents=True, exist_ok=True)
        for p in sorted(staging.iterdir()):
            shutil.copyfile(p, root / p.name)  # a copy: the inbox refuses hard links
            os.rename(root / p.name, inbox / p.name)
        received = 0
        deadline = time.monotonic() + 300
        while received < files:
            if time.monotonic() > deadline:
                raise RuntimeError(f"received {received} of {files} files")
            received += receiver.receive_ready()
        receiver.store.close()

        go = root / "go"
        env = {**os.environ, "GATEWAY_HOME": str(home)}
        procs = []
        for i in range(workers):
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(home), url]
            cmd += [str(root / f"ready{i}"), str(go), str(root / f"out{i}.json")]
            procs.append(subprocess.Popen(cmd, env=env))
        while not all((root / f"ready{i}").exists() for i in range(workers)):
            if any(p.poll() not in (None, 0) for p in procs):
                raise RuntimeError("a worker failed to start")
            time.sleep(0.05)
        load = float(Path("/proc/loadavg").read_text().split()[0])
        waits: collections.Counter[str] = collections.Counter()
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        samples = 0
        with psycopg.connect(
            psycopg.conninfo.make_conninfo(admin, dbname=db), autocommit=True
        ) as mon:
            me = mon.info.backend_pid
            lsn0 = mon.execute("SELECT pg_current_wal_lsn()").fetchone()
            go.touch()
            while any(p.poll() is None for p in procs):
                rows = mon.execute(
                    "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> %s",
                    (me,),
                ).fetchall()
                samples += 1
                for pid, state, wtype, wevent in rows:
                    cpu = _backend_cpu(pid)
                    if cpu is not None:
                        first.setdefault(pid, cpu)
                        last[pid] = cpu
                    if state == "active":
                        waits[f"{wtype}:{wevent}" if wtype else "on CPU"] += 1
                    elif state == "idle in transaction":
                        waits["idle in transaction (worker's Python)"] += 1
                time.sleep(0.05)
            wal = mon.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (lsn0[0] if lsn0 else None,)
            ).fetchone()
            check = mon.execute(
                "SELECT (SELECT count(*) FROM received_message WHERE status <> 'parsed'),"
                " (SELECT count(*) FROM outbox WHERE destination = 'portal'),"
                " (SELECT last_value FROM control_number_counter"
                "  WHERE partner_id = %s AND kind = 'interchange')",
                (SCENARIO.account,),
            ).fetchone()
        results = [json.loads((root / f"out{i}.json").read_text()) for i in range(workers)]
        sets = sum(r["sets"] for r in results)
        if check is None or check[0] != 0 or sets != files * PER_INTERCHANGE or check[2] != files:
            raise RuntimeError(f"incomplete: not parsed/portal rows/997s {check}, sets {sets}")
        start = min(r["start"] for r in results)
        end = max(r["end"] for r in results)
        return Run(
            workers=workers,
            sets=sets,
            seconds=end - start,
            worker_cpu=[r["cpu"] for r in results],
            worker_sets=[r["sets"] for r in results],
            server_cpu=sum(last[p] - first[p] for p in last),
            waits=waits,
            samples=samples,
            load=load,
            wal_bytes=int(wal[0]) if wal and wal[0] is not None else 0,
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--child"]:
        home, url, ready, go, out = argv[1:6]
        return child(Path(home), url, Path(ready), Path(go), Path(out))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--files", type=int, default=12, help="interchanges of 1,000 sets")
    p.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2,4")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", type=Path)
    p.add_argument("--profile", type=Path, help="cProfile each worker into PROFILE.<pid>")
    args = p.parse_args(argv)
    if args.profile:
        os.environ["BENCH_PROFILE"] = str(args.profile.resolve())
    counts = [int(n) for n in args.workers.split(",")]

    staging = Path(tempfile.mkdtemp(prefix="pgw-files-"))
    try:
        for i in range(args.files):
            layout = Layout(
                per_interchange=PER_INTERCHANGE,
                sender=SCENARIO.sender,
                scac=SCENARIO.scac,
                first_isa13=1 + i,
                first_set=1 + i * PER_INTERCHANGE,
            )
            generate(staging / f"status-{i:04d}.x12", "214", PER_INTERCHANGE, layout)
        runs: dict[int, list[Run]] = {n: [] for n in counts}
        for _ in range(args.repeat):
            for n in counts:  # interleaved: load changes hit every count alike
                r = one_run(args.admin, staging, args.files, n)
                runs[n].append(r)
                print(
                    f"  {n} worker(s): {r.sets_per_s:,.0f} sets/s in {r.seconds:.1f} s, "
                    f"{r.sets_per_cpu_s:,.0f} sets per worker CPU-s, server CPU "
                    f"{r.server_cpu:.1f} s, load {r.load:.1f}",
                    file=sys.stderr,
                )
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    summary: dict[str, Any] = {
        "files": args.files,
        "sets_per_file": PER_INTERCHANGE,
        "repeat": args.repeat,
        "command": command_line(argv),
    }
    parts = []
    base = None
    for n in counts:
        rs = runs[n]
        rate = statistics.median(r.sets_per_s for r in rs)
        per_cpu = statistics.median(r.sets_per_cpu_s for r in rs)
        server_ms = statistics.median(1000 * r.server_cpu / r.sets * 1000 for r in rs)
        worker_ms = statistics.median(1000 * sum(r.worker_cpu) / r.sets * 1000 for r in rs)
        wal_kb = statistics.median(r.wal_bytes / r.sets for r in rs)  # per set, in bytes
        waits: collections.Counter[str] = collections.Counter()
        for r in rs:
            waits.update(r.waits)
        total = sum(waits.values()) or 1
        top = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in waits.most_common(4))
        base = base or rate
        summary[f"workers_{n}"] = {
            "sets_per_s": round(rate),
            "sets_per_worker_cpu_s": round(per_cpu),
            "worker_cpu_ms_per_1000_sets": round(worker_ms),
            "server_cpu_ms_per_1000_sets": round(server_ms),
            "wal_bytes_per_set_cluster_wide": round(wal_kb),
            "speedup": round(rate / base, 2),
            "session_states": top,
            "loads": [r.load for r in rs],
        }
        parts.append(
            f"{n} worker(s) {rate:,.0f} sets/s ({rate / base:.2f}x), {per_cpu:,.0f} sets/CPU-s "
            f"per worker, CPU per 1,000 sets: workers {worker_ms:.0f} ms + postgres "
            f"{server_ms:.0f} ms; WAL {wal_kb / 1024:.1f} KB/set; sessions: {top}"
        )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    load = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"PostgreSQL 214 processing, portal-only, {args.files} x 1,000-set interchanges, "
        f"median of {args.repeat}: " + "; ".join(parts) + f" (load now {load})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
