"""An install without the dev extras runs: `pip install .` into a new venv, then `gateway run`.

Every module the running gateway imports must be a runtime dependency; the Dockerfile installs
the project exactly this way. The venv is built from the package registry as a user's would be.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import venv
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _copy_source(dest: Path) -> Path:
    src = dest / "src"
    ignore = shutil.ignore_patterns(".venv", "var", "*.egg-info", "__pycache__", ".git", "build")
    for name in ("pyproject.toml", "README.md", "gateway", "transforms"):
        s = REPO / name
        if s.is_dir():
            shutil.copytree(s, src / name, ignore=ignore)
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, src / name)
    return src


def test_pip_install_without_extras_serves_health(tmp_path: Path) -> None:
    src = _copy_source(tmp_path)
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(src)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]

    home = tmp_path / "home"
    shutil.copytree(REPO / "partners", home / "partners")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))} | {
        "GATEWAY_HOME": str(home),
        "GATEWAY_HTTP_PORT": "0",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(env_dir / "bin" / "gateway"), "run"],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        marker = "operations API and status page on "
        deadline = time.monotonic() + 60
        text = ""
        while marker not in text:
            assert proc.poll() is None, f"gateway exited {proc.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, text[-2000:]
            time.sleep(0.2)
            text = log.read_text()
        url = text.split(marker)[1].split()[0]
        response = httpx.get(f"{url}/health", timeout=10)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert "No module named" not in log.read_text()
