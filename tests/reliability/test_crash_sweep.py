"""Crash-point sweep: a real `gateway run` killed by SIGKILL at every named point of the pipeline
and of every adapter (gateway/faults.POINTS), restarted, and checked with the ledger; on SQLite
and on PostgreSQL.

Each run has a home of its own (its own PostgreSQL database, `crash_<hex>`, dropped after) and
drives the channels its point needs: watch folders for the pipeline points, the carrier on a
real sshd for the SFTP points, zeep (as the ERP's SOAP client) and httpx (REST ingest) for the
HTTP points. The first process must die by SIGKILL (a point never reached fails the run); the
second runs without a crash point until the system is quiet, then stops. The receiving peers
are real: folders for the ERP and the portal, the carrier's folder or SFTP server, an HTTP
server for the TMS that counts effects per Idempotency-Key.

The runs are independent and mostly wait, so they run side by side (CRASH_SWEEP_PARALLEL,
default 9). `CRASH_SWEEP_REPORT=<file>` writes the figures of every run as a Markdown table.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage
from typing import Any

import pytest

from gateway.faults import ADAPTER_POINTS, PIPELINE_POINTS
from tests.peers.http_peer import HttpPeer
from tests.peers.sshd import Sshd, sshd_server
from tests.reliability.gateway_proc import new_home, pg_database, postgres_reachable
from tests.reliability.sweep_env import (
    EXTRA_REQUIRED,
    MESSAGES,
    REQUIRED,
    channel_of,
    drive,
    figures,
    place_workload,
)

__all__ = ["sshd_server"]

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STORES = ("sqlite", "postgresql")
# and the delivery point for the one HTTP peer's batch alone (it answers a repeat with 409)
POINTS = (*PIPELINE_POINTS, "after_delivery_sent:tms", *ADAPTER_POINTS)
CASES = [f"{store}-{point}" for store in STORES for point in POINTS]


@dataclass
class RunResult:
    case: str
    first_exit: int | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    skipped: str | None = None
    home: Path | None = None


# ------------------------------------------------------------------ one run


def run_case(case: str, root: Path, sshd: Sshd | None) -> RunResult:
    store_kind, point = case.split("-", 1)
    channel = channel_of(point)
    result = RunResult(case, home=root)
    started = time.monotonic()
    try:
        with HttpPeer() as tms, _database(store_kind) as url:
            home = new_home(root, tms, database_url=url, sshd=sshd if channel == "sftp" else None)
            ledger, posted = place_workload(home, channel)
            first = home.start(point)
            try:
                drive(first, channel, ledger, posted, crashing=True)
                result.first_exit = first.wait_killed(timeout=180)
            finally:
                if first.proc.poll() is None:
                    first.proc.kill()
                    first.proc.wait(10)
            if result.first_exit != -signal.SIGKILL:
                result.error = f"{point} did not fire: exit {result.first_exit}"
                return result
            second = home.start(None)
            try:
                drive(second, channel, ledger, posted, crashing=False)
                home.wait_quiet(MESSAGES)
            finally:
                second.stop()
            result.figures = figures(home, ledger, tms)
    except Exception:
        result.error = traceback.format_exc(limit=8)
    finally:
        result.seconds = time.monotonic() - started
    return result


@contextlib.contextmanager
def _database(store_kind: str) -> Iterator[str | None]:
    if store_kind == "sqlite":
        yield None
    else:
        with pg_database("crash_") as url:
            yield url


# ------------------------------------------------------------------ the sweep


@pytest.fixture(scope="module")
def sweep(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, RunResult]:
    """Every selected run, side by side; the tests below then judge one run each."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
    ]
    results: dict[str, RunResult] = {}
    if any(c.startswith("postgresql-") for c in selected):
        reason = postgres_reachable()
        if reason is not None:
            for c in selected:
                if c.startswith("postgresql-"):
                    results[c] = RunResult(c, skipped=reason)
    todo = [c for c in selected if c not in results]
    sshd = None
    if any(channel_of(c.split("-", 1)[1]) == "sftp" for c in todo):
        sshd = request.getfixturevalue("sshd_server")
    base = tmp_path_factory.mktemp("sweep")
    parallel = int(os.environ.get("CRASH_SWEEP_PARALLEL", "9"))
    started, children, me = time.monotonic(), _cpu(RUSAGE_CHILDREN), _cpu(RUSAGE_SELF)
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        runs = {c: pool.submit(run_case, c, base / c, sshd) for c in todo}
        results.update({c: f.result() for c, f in runs.items()})
    summary = (
        f"{len(todo)} runs, {parallel} side by side: {time.monotonic() - started:.0f} s wall, "
        f"CPU {_cpu(RUSAGE_CHILDREN) - children:.0f} s in the gateways + "
        f"{_cpu(RUSAGE_SELF) - me:.0f} s in pytest, load average {os.getloadavg()[0]:.1f}"
    )
    report = os.environ.get("CRASH_SWEEP_REPORT")
    if report:
        Path(report).write_text(table(results) + f"\n{summary}\n")
    return results


def _cpu(who: int) -> float:
    usage = getrusage(who)
    return usage.ru_utime + usage.ru_stime


def table(results: dict[str, RunResult]) -> str:
    columns = [*REQUIRED, *EXTRA_REQUIRED]
    lines = [
        "| point | store | first exit | " + " | ".join(columns) + " | s |",
        "|---|---|---|" + "---|" * len(columns) + "---|",
    ]
    for case in CASES:
        r = results.get(case)
        if r is None:
            continue
        store_kind, point = case.split("-", 1)
        exit_text = "SIGKILL" if r.first_exit == -signal.SIGKILL else str(r.first_exit)
        figures = [str(r.figures.get(c, "-")) for c in columns]
        problem = r.skipped or ((r.error or "").strip().splitlines() or [""])[-1]
        note = f" {problem}" if problem else ""
        lines.append(
            f"| {point} | {store_kind} | {exit_text} | "
            + " | ".join(figures)
            + f" | {r.seconds:.0f} |{note}"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_kill_9_at_the_point_then_restart_loses_nothing_and_repeats_nothing(
    case: str, sweep: dict[str, RunResult]
) -> None:
    result = sweep[case]
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.error is None, f"{case} (home {result.home}):\n{result.error}"
    assert result.first_exit == -signal.SIGKILL, f"{case}: the point was never reached"
    required = {**REQUIRED, **EXTRA_REQUIRED}
    measured = {k: result.figures[k] for k in required}
    assert measured == required, f"{case}: {measured}\n{result.figures.get('detail')}"
