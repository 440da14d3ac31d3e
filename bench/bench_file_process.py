"""The process stage alone, for files of one 214 each: CPU per file and statements per file.

`bench_small_files.py` measures the running gateway, whose three stage threads share one
interpreter lock and whose figures move with the machine's load. This runs the same
`Gateway.process_claimed` (claims, group commits, savepoints, the 214 path with the shipped
routing, the 997) in this process's main thread, on files received beforehand, and counts only
this thread's CPU: the figure a change to the per-file path moves. Each round has a fresh home
(the repository's partners) and a fresh database: SQLite by default, or with `--postgres` a
database created on that server and dropped after the round.

`--compare` alternates rounds of the code as it is ("now") with one earlier path put back in
this process ("before"), so both see the same machine; it reports each pair's ratio:

- `lean-postgres`: PostgreSQL's per-file statements through SQLAlchemy's `exec_driver_sql`
  (before 5ded0ec) instead of numbered texts on a psycopg RawCursor;
- `savepoint`: a message's savepoint as SQLAlchemy's `begin_nested` (before 8fd6bfc) instead
  of plain statements;
- `claim`: the claim's multi-row lease upsert compiled on every claim, as before 9ce1cbf (it
  had no SQLAlchemy cache key), instead of once per row count (run on the lean path either
  way: the compile is what differs).

    .venv/bin/python bench/bench_file_process.py [--files 500] [--rounds 3]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--statements]
        [--compare lean-postgres|savepoint|claim] [--sets-per-file 1]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import collections
import contextlib
import dataclasses
import gc
import json
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine

from bench.common import REPO, command_line, machine
from bench.generate import Layout, iter_chunks
from gateway.settings import Settings
from gateway.store import _base, _prepared, queue

if TYPE_CHECKING:  # imported in `one_round`, after a comparison has put its code back
    from gateway.service import Gateway


@dataclasses.dataclass(slots=True)
class Statements:
    """Statements run by this thread, with their wall time (`--statements`)."""

    count: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    seconds: dict[str, float] = dataclasses.field(
        default_factory=lambda: collections.defaultdict(float)
    )
    timing: bool = False
    _started: float = 0.0

    def before(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            self._started = time.perf_counter()

    def after(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        key = " ".join(statement.split())[:80]
        self.count[key] += 1
        if self.timing:
            self.seconds[key] += time.perf_counter() - self._started


def _home(root: Path, url: str | None) -> Settings:
    shutil.copytree(REPO / "partners", root / "partners")
    settings = Settings(
        base_dir=root,
        partners_dir=root / "partners",
        inbox_dir=root / "inbox",
        outbox_dir=root / "outbox",
        var_dir=root / "var",
        database_url=url,
        stable_seconds=0.0,
    )
    return settings


@contextlib.contextmanager
def _database(admin: str | None) -> Iterator[str | None]:
    """None (SQLite in the home), or a fresh database on the server of `admin`."""
    if admin is None:
        yield None
        return
    name = f"bench_fp_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(admin)
    try:
        yield (
            f"postgresql+psycopg://{info.get('user', 'postgres')}@"
            f"{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{name}"
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def receive(gw: Gateway, files: list[bytes]) -> None:
    """`files` dropped into the demo carrier's inbox and received, none processed yet."""
    inbox = gw.settings.inbox_dir / "demo-carrier"
    inbox.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(files):
        (inbox / f"f{i:06d}.x12").write_bytes(data)
    received = 0
    while received < len(files):
        received += gw.receive_ready()


def process_all(gw: Gateway) -> int:
    """Claim and process until nothing is left; how many messages were processed."""
    done = 0
    while n := gw.process_claimed():
        done += n
    return done


def one_round(files: list[bytes], admin: str | None, statements: Statements) -> float:
    """CPU milliseconds of this thread per file, processing `files` received beforehand."""
    from gateway.service import Gateway

    root = Path(tempfile.mkdtemp(prefix="bench-fp-"))
    try:
        with _database(admin) as url:
            gw = Gateway(_home(root, url))
            receive(gw, files)
            statements.count.clear()
            statements.seconds.clear()
            gc.collect()
            start = time.thread_time()
            done = process_all(gw)
            cpu = time.thread_time() - start
            gw.store.close()
        if done != len(files):
            raise RuntimeError(f"processed {done} of {len(files)} files")
        return 1000 * cpu / done
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _before(which: str) -> Callable[[], Callable[[], None]]:
    """A function that puts the earlier path back and returns how to undo that."""

    def lean_postgres() -> Callable[[], None]:
        real = _prepared.numbered_text
        _prepared.numbered_text = lambda sql: None
        _prepared._PLANS.clear()  # plans carry their numbered text

        def undo() -> None:
            _prepared.numbered_text = real
            _prepared._PLANS.clear()

        return undo

    def savepoint() -> Callable[[], None]:
        real = _base._savepoint

        @contextlib.contextmanager
        def begin_nested(conn: Connection) -> Iterator[None]:
            with conn.begin_nested():
                yield

        _base._savepoint = begin_nested

        def undo() -> None:
            _base._savepoint = real

        return undo

    def claim() -> Callable[[], None]:
        real = queue._claim_leases

        def every_time(rows: int, *, count_starts: bool) -> Any:
            for key in [k for k in _prepared._PLANS if k[1].startswith("claim_leases:")]:
                del _prepared._PLANS[key]
            return real(rows, count_starts=count_starts)

        queue._claim_leases = every_time

        def undo() -> None:
            queue._claim_leases = real

        return undo

    return {"lean-postgres": lean_postgres, "savepoint": savepoint, "claim": claim}[which]


def _files(n: int, sets: int) -> list[bytes]:
    """`n` files of one interchange of `sets` 214s each, with disjoint control numbers and
    shipments (else the second would be a duplicate interchange)."""
    if sets == 1:
        return list(iter_chunks("214", n, Layout(per_interchange=1)))
    return [
        b"".join(
            iter_chunks(
                "214",
                sets,
                Layout(per_interchange=sets, first_isa13=1 + i, first_set=1 + i * sets),
            )
        )
        for i in range(n)
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=500)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--postgres", metavar="ADMIN_URL", help="a server to create databases on")
    p.add_argument("--statements", action="store_true", help="time each statement (adds CPU)")
    p.add_argument("--compare", choices=("lean-postgres", "savepoint", "claim"))
    p.add_argument(
        "--sets-per-file",
        type=int,
        default=1,
        help="one interchange of N 214s per file (streamed in chunks when N > 1)",
    )
    a = p.parse_args(argv)
    files = _files(a.files, a.sets_per_file)
    statements = Statements(timing=a.statements)
    event.listen(Engine, "before_cursor_execute", statements.before)
    event.listen(Engine, "after_cursor_execute", statements.after)
    results: dict[str, list[float]] = {"now": []}
    if a.compare:
        results["before"] = []
    for r in range(a.rounds):
        sides = list(results) if r % 2 == 0 else list(reversed(results))
        for side in sides:
            undo = _before(a.compare)() if side == "before" and a.compare else None
            try:
                ms = one_round(files, a.postgres, statements)
            finally:
                if undo is not None:
                    undo()
            results[side].append(ms)
            per_file = sum(statements.count.values()) / a.files
            print(f"round {r + 1} {side}: {ms:.2f} ms CPU per file, {per_file:.1f} statements")
    report: dict[str, Any] = {
        "command": command_line(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "files": a.files,
        "sets_per_file": a.sets_per_file,
        "database": "postgresql" if a.postgres else "sqlite",
        "cpu_ms_per_file": {k: [round(v, 2) for v in vs] for k, vs in results.items()},
        "median_cpu_ms_per_file": {k: round(statistics.median(v), 2) for k, v in results.items()},
    }
    if a.compare:
        ratios = [n / b for n, b in zip(results["now"], results["before"], strict=True)]
        report["now_over_before_per_pair"] = [round(x, 3) for x in ratios]
        report["median_ratio"] = round(statistics.median(ratios), 3)
    if a.statements:
        last = {
            k: {
                "per_file": round(statements.count[k] / a.files, 2),
                "us_per_set": round(1e6 * s / (a.files * a.sets_per_file), 1),
                "us_each": round(1e6 * s / statements.count[k], 1),
            }
            for k, s in sorted(statements.seconds.items(), key=lambda kv: -kv[1])[:25]
        }
        report["statements_last_round"] = last
    print(json.dumps(report, indent=2))
    summary = ", ".join(f"{k} {v} ms" for k, v in report["median_cpu_ms_per_file"].items())
    ratio = f", now/before median {report['median_ratio']}" if a.compare else ""
    shape = "one-214" if a.sets_per_file == 1 else f"{a.sets_per_file:,}-set"
    where = f"{report['database']}, {a.files} {shape} files"
    print(f"SUMMARY {where}: median CPU per file {summary}{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
