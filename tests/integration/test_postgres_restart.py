"""PostgreSQL restarted mid-run (a clean fast restart, then a crash and a start a moment later)
under `gateway run` and a `gateway worker`: both ride it out, reconnecting with jittered
backoff, and nothing is lost: every message takes effect once, the 997 control numbers run
1..N, nothing is left claimed or pending, both processes are still running, and each logs the
outage in a line or two, never a stack trace.

Runs on a private cluster (tests/peers/postgres_cluster.py): the machine's shared server is
never restarted.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.soak_workers import soak
from tests.peers.postgres_cluster import PostgresCluster, pg_cluster

__all__ = ["pg_cluster"]

MESSAGES = 40


@pytest.mark.slow
def test_run_and_worker_ride_out_a_restart_and_a_crash_of_postgres(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database("gateway")

    def crash_then_start() -> None:
        pg_cluster.stop("immediate")  # no shutdown: the next start recovers from the WAL
        time.sleep(1.5)  # down long enough that every process notices
        pg_cluster.start()

    result = soak(
        url,
        tmp_path,
        messages=MESSAGES,
        workers=2,
        lease=6.0,
        calm=True,
        outages=[(1.0, lambda: pg_cluster.restart("fast")), (5.0, crash_then_start)],
    )
    assert result.problems == []
    assert result.outages == 2
    for name in ("run", "worker1"):
        log = (tmp_path / f"{name}.log").read_text()
        assert "Traceback" not in log, f"{name}: a stack trace\n{log}"
        lost = [line for line in log.splitlines() if "retrying with backoff" in line]
        back = [line for line in log.splitlines() if "database reachable again" in line]
        # the crash is seen by every process; one line each way per outage, at most
        assert 1 <= len(lost) <= 2, f"{name}: {lost}"
        assert len(back) == len(lost), f"{name}: {back}"
