"""`gateway run` as a real process: clean stop on Ctrl-C, one gateway per home, HTTP up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.gateway_env import make_home

RUN = [sys.executable, "-m", "gateway.cli", "run"]


def env_for(home: Path) -> dict[str, str]:
    env = {**os.environ, "GATEWAY_HOME": str(home), "GATEWAY_HTTP_PORT": "0"}
    env.pop("GATEWAY_CRASHPOINT", None)
    return env


def wait_for(path: Path, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text() if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in {path}: {content[-2000:]}")


def test_ctrl_c_stops_cleanly_and_a_second_gateway_on_the_same_home_is_refused(
    tmp_path: Path,
) -> None:
    make_home(tmp_path)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        first = subprocess.Popen(RUN, env=env_for(tmp_path), stdout=out, stderr=subprocess.STDOUT)
    try:
        text = wait_for(log, "operations API and status page on ")
        url = text.split("operations API and status page on ")[1].split()[0]
        assert httpx.get(f"{url}/health", timeout=5).json() == {"status": "ok"}
        second = subprocess.run(
            RUN, env=env_for(tmp_path), capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2
        assert "another gateway is already running" in second.stderr
        assert "Traceback" not in second.stderr + second.stdout
    finally:
        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=30) == 0
    assert "gateway stopped" in log.read_text()
    assert "Traceback" not in log.read_text()
