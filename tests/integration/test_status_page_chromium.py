"""The status page as a person sees it: rendered by a real headless Chromium (Debian's).

Skipped only outside CI when no chromium is installed; `.ci/run` installs it, and under CI=true
a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gateway.ops import create_app, serve_in_thread
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

pytestmark = pytest.mark.integration

HOSTILE = '<img src=x onerror="alert(1)">.edi'


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed")
    return found


def browse(browser: str, url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_status_page_renders_in_chromium_and_escapes_partner_text(tmp_path: Path) -> None:
    browser = chromium()
    settings = make_home(tmp_path / "home")
    gw = gateway(settings)
    drop(settings, "demo-carrier", "status.edi", demo_214("000006001"))
    drop(settings, "demo-carrier", HOSTILE, b"not EDI at all")
    gw.tick()
    server = serve_in_thread(create_app(gw.store, gw.registry), port=0)
    try:
        dom = browse(browser, f"{server.url}/", tmp_path / "profile", "--dump-dom")
        assert dom.returncode == 0, dom.stderr[-2000:]
        page = dom.stdout
        assert "parsed" in page and "quarantined" in page
        assert "status.edi" in page
        # the hostile file name is text on the page, never an element
        assert "<img" not in page
        assert "&lt;img src=x onerror=" in page
        shot = tmp_path / "status.png"
        run = browse(
            browser,
            f"{server.url}/",
            tmp_path / "profile2",
            f"--screenshot={shot}",
            "--window-size=1280,900",
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    finally:
        server.stop()
        gw.store.close()
