"""SQLite has one writer: a second process on the same database file gets one clear line (from
another home through GATEWAY_DATABASE_URL too), and `gateway worker` says it needs PostgreSQL;
never a raw "database is locked" or a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.integration.gateway_env import make_home
from tests.integration.test_run_process import env_for, wait_for

CLI = [sys.executable, "-m", "gateway.cli"]


def test_gateway_worker_on_sqlite_is_one_clear_line(tmp_path: Path) -> None:
    make_home(tmp_path)
    done = subprocess.run(
        [*CLI, "worker"], env=env_for(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "gateway worker needs PostgreSQL" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_second_gateway_on_the_same_sqlite_file_from_another_home_is_refused(
    tmp_path: Path,
) -> None:
    first_home, second_home = tmp_path / "a", tmp_path / "b"
    make_home(first_home)
    make_home(second_home)
    db = first_home / "var" / "gateway.db"
    log = tmp_path / "first.log"
    with log.open("wb") as out:
        first = subprocess.Popen(
            [*CLI, "run"], env=env_for(first_home), stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for(log, "operations API and status page on ", timeout=120)
        env = {**env_for(second_home), "GATEWAY_DATABASE_URL": f"sqlite:///{db}"}
        second = subprocess.run([*CLI, "run"], env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert "another gateway is already running" in second.stderr
        assert second.stderr.strip().count("\n") == 0
        assert "locked" not in second.stderr and "Traceback" not in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
