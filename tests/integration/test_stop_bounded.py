"""A stop that stops (issue 10 §4): `gateway run` with 100,000 deliveries pending exits within
5 s of SIGTERM or SIGINT, records what it sent, and returns its claimed rows at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gateway.store import NewOutbox, OutboxStatus, create_store
from tests.integration.gateway_env import make_home
from tests.integration.test_run_process import env_for

PENDING = 100_000
RUN = [sys.executable, "-m", "gateway.cli", "run"]


def _queue_deliveries(home: Path, n: int) -> str:
    url = f"sqlite:///{home / 'var' / 'gateway.db'}"
    store = create_store(url)
    store.migrate()
    rows = [
        NewOutbox("portal", "folder", "portal", f"stop-{i}", f'{{"n": {i}}}'.encode(), f"s{i}.json")
        for i in range(n)
    ]
    for start in range(0, n, 20_000):
        store.add_outbox(rows[start : start + 20_000])
    store.close()
    return url


@pytest.mark.slow
@pytest.mark.parametrize(
    "signum",
    [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")],
)
def test_stop_with_a_large_backlog_exits_within_5_s_and_returns_its_claims(
    tmp_path: Path, signum: int
) -> None:
    make_home(tmp_path)
    (tmp_path / "var").mkdir()
    url = _queue_deliveries(tmp_path, PENDING)
    portal = tmp_path / "outbox" / "portal"
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(RUN, env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (portal.exists() and sum(1 for _ in portal.iterdir()) >= 600):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        asked = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=30)
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert code == 0, text
    assert took < 5.0, f"stop took {took:.1f} s"
    assert "gateway stopped" in text and "Traceback" not in text
    store = create_store(url)
    counts = store.counts()["outbox"]
    store.close()
    # nothing left claimed by the stopped gateway: the rest is due at once for the next start
    assert counts.get(OutboxStatus.IN_FLIGHT.value, 0) == 0, counts
    delivered = counts.get(OutboxStatus.DELIVERED.value, 0)
    assert 0 < delivered < PENDING
    assert delivered + counts[OutboxStatus.PENDING.value] == PENDING
    # every row recorded as delivered has its file (sent before recorded, never the reverse)
    assert sum(1 for p in portal.iterdir() if p.suffix == ".json") >= delivered
