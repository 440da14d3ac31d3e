"""Several gateway processes on one PostgreSQL database, with workers killed and paused.

`gateway run` receives N files of one 214 each (the demo carrier, shipped routing: 997 back,
ERP IDoc, TMS JSON, portal JSON) and processes beside W-1 `gateway worker`s. Every few seconds
one worker is killed with SIGKILL and started again; once, another is paused with SIGSTOP for
longer than its lease and then continued. At the end every message must have taken effect once,
the 997 control numbers must run 1..N with none reused or skipped, each destination must have
got its rows in order, and nothing may be left claimed or pending.

    .venv/bin/python bench/soak_workers.py --url postgresql+psycopg://postgres@127.0.0.1/DB \\
        --messages 20000 --workers 4
(the database must exist and be empty; tests/integration/test_workers_postgres.py drops waves
of 80 until a kill and the pause have struck)
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy.exc import OperationalError

from bench.common import REPO
from bench.generate import Layout, iter_chunks
from gateway.store.engine import make_engine

DESTINATIONS = ("demo-carrier", "erp", "tms", "portal")


@dataclass
class Soak:
    messages: int
    workers: int
    seconds: float = 0.0
    kills: int = 0
    pauses: int = 0
    outages: int = 0
    problems: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)


def write_files(inbox: Path, n: int, first: int = 0) -> None:
    """N files of one interchange with one 214 each, each appearing whole (temp + rename);
    `first` numbers them on from an earlier wave (other shipments, other ISA13s)."""
    inbox.mkdir(parents=True, exist_ok=True)
    layout = Layout(per_interchange=1, first_set=first + 1, first_isa13=first + 1)
    for i, chunk in enumerate(iter_chunks("214", n, layout), start=first):
        tmp = inbox / f".f{i:06d}.tmp"
        tmp.write_bytes(chunk)
        os.rename(tmp, inbox / f"f{i:06d}.x12")


class Processes:
    def __init__(self, home: Path, url: str, lease: float) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "GATEWAY_HOME": str(home),
            "GATEWAY_DATABASE_URL": url,
            "GATEWAY_HTTP_PORT": "0",
            "GATEWAY_STABLE_SECONDS": "0",
            "GATEWAY_RESCAN_SECONDS": "1",
            "GATEWAY_LEASE_SECONDS": str(lease),
        }
        self.env.pop("GATEWAY_CRASHPOINT", None)
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, IO[bytes]] = {}
        self.started: dict[str, float] = {}
        self.offsets: dict[str, int] = {}

    def up(self, name: str) -> bool:
        """Started and working (its start-up line logged since the last start)."""
        log = self.home / f"{name}.log"
        with log.open("rb") as fh:
            fh.seek(self.offsets[name])
            return b" running on " in fh.read()

    def start(self, name: str, command: str) -> None:
        log = self.logs.get(name) or (self.home / f"{name}.log").open("ab")
        self.logs[name] = log
        self.started[name] = time.monotonic()
        self.offsets[name] = (self.home / f"{name}.log").stat().st_size
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", command],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop_all(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                os.kill(p.pid, signal.SIGCONT)
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in self.logs.values():
            log.close()


def _progress(engine: object) -> tuple[int, int, int]:
    """(messages still received, deliveries not yet made, deliveries made)."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        waiting = conn.exec_driver_sql(
            "SELECT count(*) FROM received_message WHERE status = 'received'"
        ).scalar_one()
        left = conn.exec_driver_sql(
            "SELECT count(*) FROM outbox WHERE status IN ('pending', 'in_flight', 'held')"
        ).scalar_one()
        done = conn.exec_driver_sql(
            "SELECT count(*) FROM outbox WHERE status = 'delivered'"
        ).scalar_one()
    return waiting, left, done


def _note_restarts(engine: object, seen: dict[int, int]) -> None:
    """Remember the most starts seen per message begun more than once (lease rows go at the
    end of a message, so they are sampled while the run goes on)."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        for message_id, claims in conn.exec_driver_sql(
            "SELECT message_id, claims FROM queue_lease WHERE claims >= 2"
        ):
            seen[message_id] = max(claims, seen.get(message_id, 0))


def _report(engine: object, elapsed: float, result: Soak) -> None:
    """One progress line on stderr: messages parsed, deliveries made, kills so far."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        parsed = conn.exec_driver_sql(
            "SELECT count(*) FROM received_message WHERE status = 'parsed'"
        ).scalar_one()
    _waiting, left, done = _progress(engine)
    line = {
        "elapsed_s": round(elapsed),
        "parsed": parsed,
        "deliveries_made": done,
        "deliveries_left": left,
        "kills": result.kills,
        "pauses": result.pauses,
        "loadavg": Path("/proc/loadavg").read_text().split()[0],
    }
    print(json.dumps(line), file=sys.stderr, flush=True)


def check(url: str, home: Path, n: int) -> list[str]:
    """Every message once, control numbers gap-free, order per destination, nothing stuck."""
    problems: list[str] = []
    engine = make_engine(url)
    with engine.connect() as conn:

        def one(sql: str) -> object:
            return conn.exec_driver_sql(sql).scalar_one()

        statuses: dict[str, int] = dict(
            conn.exec_driver_sql("SELECT status, count(*) FROM received_message GROUP BY 1").all()
        )
        if statuses != {"parsed": n}:
            problems.append(f"message statuses {statuses}, expected {{'parsed': {n}}}")
        # a message whose worker died after its interchange took effect records a second,
        # "resumed" row when another worker finishes it: count the effective ones
        effective = "direction = 'in' AND outcome IN ('accepted', 'accepted_with_errors')"
        inbound = one(f"SELECT count(*) FROM interchange WHERE {effective}")
        twice = one(
            f"SELECT count(*) FROM (SELECT message_id FROM interchange WHERE {effective}"
            " GROUP BY message_id HAVING count(*) > 1) t"
        )
        docs = one("SELECT count(*) FROM canonical_document")
        if (inbound, twice, docs) != (n, 0, n):
            problems.append(f"interchanges {inbound} (applied twice: {twice}), documents {docs}")
        rows = conn.exec_driver_sql(
            "SELECT destination, status, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2"
        ).all()
        by = {(d, s): c for d, s, c in rows}
        # each message's deliveries: a 997, an IDoc, a TMS update, a portal update per status
        uncovered = one(
            "SELECT count(*) FROM received_message m WHERE (SELECT count(DISTINCT destination)"
            " FROM outbox o WHERE o.source_message_id = m.id) <> 4"
        )
        if uncovered:
            problems.append(f"{uncovered} messages without a delivery to each destination")
        for d in DESTINATIONS:
            if by.get((d, "delivered"), 0) < n:
                problems.append(f"{d}: {by.get((d, 'delivered'), 0)} delivered, expected >= {n}")
        stuck = {k: v for k, v in by.items() if k[1] != "delivered"}
        if stuck:
            problems.append(f"outbox rows not delivered: {stuck}")
        # rows of finished messages are inert (claims take received messages only)
        leases = one(
            "SELECT count(*) FROM queue_lease l JOIN received_message m ON m.id = l.message_id"
            " WHERE m.status = 'received'"
        )
        if leases:
            problems.append(f"{leases} message leases left")
        payloads = conn.exec_driver_sql(
            "SELECT payload FROM outbox WHERE destination = 'demo-carrier' ORDER BY id"
        ).all()
        numbers = sorted(int(bytes(p[0]).split(b"*")[13]) for p in payloads)
        if numbers != list(range(1, len(numbers) + 1)):
            dupes = len(numbers) - len(set(numbers))
            problems.append(f"997 ISA13 not 1..{len(numbers)}: {dupes} reused, some skipped")
        last = conn.exec_driver_sql(
            "SELECT last_value FROM control_number_counter"
            " WHERE partner_id = 'demo-carrier' AND kind = 'interchange'"
        ).scalar_one_or_none()
        if last != len(numbers):
            problems.append(f"interchange counter at {last}, {len(numbers)} 997s sent")
        # the carrier gets its interchanges in control number order (messages processed at
        # once by several workers have no order among them, so only this stream is checked)
        sent = conn.exec_driver_sql(
            "SELECT payload, delivered_at FROM outbox WHERE destination = 'demo-carrier'"
        ).all()
        times = [at for _, at in sorted((int(bytes(p).split(b"*")[13]), at) for p, at in sent)]
        if any(b < a for a, b in itertools.pairwise(times)):
            problems.append("demo-carrier: 997s delivered out of control number order")
    engine.dispose()
    portal = home / "outbox" / "portal"
    files = sum(1 for p in portal.iterdir() if not p.name.startswith(".")) if portal.exists() else 0
    if files != by.get(("portal", "delivered")):
        problems.append(f"{files} portal files for {by.get(('portal', 'delivered'))} deliveries")
    return problems


def soak(
    url: str,
    home: Path,
    *,
    messages: int,
    workers: int,
    lease: float = 4.0,
    kill_every: float = 3.0,
    timeout: float = 600.0,
    calm: bool = False,
    report_every: float = 0.0,
    outages: Sequence[tuple[float, Callable[[], None]]] = (),
    min_kills: int = 1,
) -> Soak:
    """`outages`: (seconds after the drop, action) run once each, e.g. a database restart;
    the checks then say whether the processes rode it out.

    Faults are meant to strike work in hand: should the machine finish the `messages` before
    `min_kills` kills, the pause and every outage have happened, another wave of as many new
    messages is dropped (so `Soak.messages` can end up a multiple of `messages`)."""
    result = Soak(messages, workers)
    restarts: dict[int, int] = {}  # message id -> most starts seen (2 or more)
    shutil.copytree(REPO / "partners", home / "partners", dirs_exist_ok=True)
    procs = Processes(home, url, lease)
    procs.start("run", "run")
    names = [f"worker{i}" for i in range(1, workers)]
    for name in names:
        procs.start(name, "worker")
    engine = make_engine(url)
    try:
        # the first start migrates; wait for the schema before dropping files
        deadline = time.monotonic() + 120
        while True:
            try:
                _progress(engine)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        start = time.monotonic()
        inbox = home / "inbox" / "demo-carrier"
        write_files(inbox, messages)
        written = messages
        victim = 0
        planned = sorted(outages, key=lambda o: o[0])
        next_kill = start + kill_every
        next_report = start + report_every if report_every else float("inf")
        paused: str | None = None
        pause_at = start + 2.0
        resume_at = 0.0
        while True:
            now = time.monotonic()
            if now - start > timeout:
                result.problems.append(f"not done after {timeout:.0f} s")
                break
            if planned and now - start >= planned[0][0]:
                planned.pop(0)[1]()
                result.outages += 1
                continue
            if now >= next_report:  # how far a long run got, should it not finish
                with contextlib.suppress(OperationalError):
                    _report(engine, now - start, result)
                next_report = now + report_every
            # kill a worker that has been up for a while (a start takes seconds here)
            ripe = [
                w
                for w in names
                if w != paused and now - procs.started[w] >= kill_every and procs.up(w)
            ]
            if ripe and now >= next_kill and not calm:
                name = ripe[victim % len(ripe)]
                victim += 1
                procs.procs[name].kill()
                procs.procs[name].wait()
                procs.start(name, "worker")
                result.kills += 1
                next_kill = now + kill_every
            if (
                len(names) > 1
                and not calm
                and paused is None
                and not result.pauses
                and now >= pause_at
            ):
                paused = names[-1]
                os.kill(procs.procs[paused].pid, signal.SIGSTOP)
                resume_at = now + 2.5 * lease
                result.pauses += 1
            if paused is not None and now >= resume_at:
                os.kill(procs.procs[paused].pid, signal.SIGCONT)
                paused = None
            if not inbox.exists() or any(p.suffix == ".x12" for p in inbox.iterdir()):
                time.sleep(0.2)
                continue
            try:
                waiting, left, done = _progress(engine)
                _note_restarts(engine, restarts)
            except OperationalError:  # the database is restarting (an outage of the run)
                time.sleep(0.2)
                continue
            faults_due = bool(planned) or (
                not calm and (result.kills < min_kills or not result.pauses or paused is not None)
            )
            if faults_due and waiting == 0 and written < 50 * messages:
                write_files(inbox, messages, first=written)  # more work for the faults to hit
                written += messages
                continue
            if planned:  # not done before every planned outage happened
                time.sleep(0.2)
                continue
            if waiting == 0 and left == 0 and done >= 4 * messages and paused is None:
                break
            time.sleep(0.2)
        result.seconds = time.monotonic() - start
        result.messages = written
        # a process that ended by itself (not one the soak killed: those start again at once)
        for name, proc in procs.procs.items():
            if proc.poll() is not None:
                result.problems.append(f"{name} exited by itself with {proc.returncode}")
    finally:
        engine.dispose()
        procs.stop_all()
    result.problems.extend(check(url, home, result.messages))
    n = result.messages
    result.figures = {
        # how many messages were seen started 2, 3, ... times (sampled every 0.2 s: a start
        # that ended between two samples is missed), set-aside ones included
        "messages_by_starts_seen": {
            k: sum(1 for v in restarts.values() if v == k) for k in sorted(set(restarts.values()))
        },
        "messages_per_s": round(n / result.seconds, 1) if result.seconds else 0,
        "deliveries_per_s": round(4 * n / result.seconds, 1) if result.seconds else 0,
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4, help="processes, `gateway run` included")
    parser.add_argument("--lease", type=float, default=4.0)
    parser.add_argument("--kill-every", type=float, default=3.0)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--calm", action="store_true", help="no kills, no pause: throughput")
    parser.add_argument(
        "--report-every", type=float, default=60.0, help="seconds between progress lines (stderr)"
    )
    args = parser.parse_args(argv)

    def _interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # stop the gateway processes on the way out

    signal.signal(signal.SIGTERM, _interrupt)
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        r = soak(
            args.url,
            Path(tmp),
            messages=args.messages,
            workers=args.workers,
            lease=args.lease,
            kill_every=args.kill_every,
            timeout=args.timeout,
            calm=args.calm,
            report_every=args.report_every,
        )
    print(
        json.dumps(
            {
                "messages": r.messages,
                "processes": r.workers,
                "seconds": round(r.seconds, 1),
                "kills": r.kills,
                "pauses": r.pauses,
                **r.figures,
                "problems": r.problems,
                "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            },
            indent=2,
        )
    )
    return 1 if r.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
