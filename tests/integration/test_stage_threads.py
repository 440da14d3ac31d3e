"""The stage threads of a running gateway share one interpreter lock: while they run, a short
switch interval lets a stage that waits on small I/O calls (delivery, SQLite) take the lock
back quickly (`STAGE_SWITCH_SECONDS`; the figures are in BENCHMARKS.md); it is restored when
the gateway stops, so an embedding program keeps its own."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from gateway.service import STAGE_SWITCH_SECONDS, Gateway
from tests.integration.gateway_env import make_home


def test_the_stages_run_with_a_short_switch_interval_restored_at_stop(tmp_path: Path) -> None:
    before = sys.getswitchinterval()
    assert before != STAGE_SWITCH_SECONDS
    gw = Gateway(make_home(tmp_path))
    runner = threading.Thread(target=gw.run, kwargs={"http": False}, daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + 30
        names: set[str] = set()
        while not {"gateway-receive", "gateway-process", "gateway-deliver"} <= names:
            assert time.monotonic() < deadline, f"stage threads never started: {names}"
            time.sleep(0.05)
            names = {t.name for t in threading.enumerate()}
        assert sys.getswitchinterval() == STAGE_SWITCH_SECONDS
    finally:
        gw.stop()
        runner.join(timeout=30)
    assert not runner.is_alive()
    assert sys.getswitchinterval() == before
