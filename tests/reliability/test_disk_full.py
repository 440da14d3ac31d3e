"""Disk full while archiving and while delivering, on a real small file system.

The archive (var/archive) and the carrier's outbox folder are each a 2 MB tmpfs, filled up
before a real `gateway run` starts. Required: nothing received is lost (the files stay in the
watch folders while the archive is full), the error is said clearly (a warning naming
"No space left on device", an `archive_failed` alert, the delivery's last error; never a stack
trace), and work resumes by itself when space returns; then the ledger's figures are at their
required values.

tmpfs needs root (CI runs as root); where `mount` is refused the test is skipped locally and
fails under CI=true.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.store import OutboxStatus
from tests.peers.http_peer import HttpPeer
from tests.reliability.gateway_proc import GatewayProcess, Home, new_home
from tests.reliability.sweep_env import (
    EXTRA_REQUIRED,
    MESSAGES,
    REQUIRED,
    figures,
    place_workload,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ENOSPC_TEXT = os.strerror(errno.ENOSPC)  # "No space left on device"


@contextlib.contextmanager
def small_filesystem(path: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `path` (unmounted afterwards)."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        why = f"cannot mount a tmpfs: {mounted.stderr.strip() or mounted.returncode}"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Write one file until the file system is full; returns it (delete it to free space)."""
    filler = folder / ".filler"
    with filler.open("wb", buffering=0) as fh, contextlib.suppress(OSError):
        size = 65536
        while size:  # unbuffered: every byte that fits is written, then ENOSPC
            if not fh.write(b"\0" * size):
                size //= 2
    return filler


def wait_for(what: str, check: Callable[[], bool], proc: GatewayProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert proc.proc.poll() is None, f"gateway exited: {proc.log()[-2000:]}"
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s\n{proc.log()[-3000:]}"
        time.sleep(0.2)


def test_disk_full_while_archiving_and_delivering_keeps_the_sources_and_resumes(
    tmp_path: Path,
) -> None:
    with HttpPeer() as tms:
        home: Home = new_home(tmp_path / "home", tms)
        archive = home.root / "var" / "archive"
        carrier_out = home.root / "outbox" / "demo-carrier"
        with small_filesystem(archive), small_filesystem(carrier_out):
            archive_filler, out_filler = fill(archive), fill(carrier_out)
            ledger, _ = place_workload(home, "folder")
            sources = sorted(p.name for p in home.source_files())
            proc = home.start()
            try:
                # 1. the archive is full: nothing is received, every file stays where it is
                wait_for("the archive error", lambda: "cannot archive" in proc.log(), proc, 90)
                time.sleep(1.5)  # a few more scans
                assert sorted(p.name for p in home.source_files()) == sources
                store = home.open_store()
                try:
                    assert store.list_messages() == []
                    alerts = store.list_events(kinds=["alert"])
                    assert [e.detail["kind"] for e in alerts] == ["archive_failed"]
                    assert ENOSPC_TEXT in str(alerts[0].detail["error"])
                finally:
                    store.close()
                # 2. space returns to the archive: received and processed; the carrier's
                # folder is still full, so its 997s and 204 wait with the reason
                archive_filler.unlink()
                wait_for(
                    "a failed delivery to the carrier",
                    lambda: _carrier_errors(home) > 0,
                    proc,
                    60,
                )
                assert not home.source_files()
                assert not [p for p in carrier_out.iterdir() if p.name != ".filler"]
                # 3. space returns to the carrier's folder: the deliveries go out by themselves
                out_filler.unlink()
                home.wait_quiet(MESSAGES, timeout=90)
            finally:
                proc.stop()
            log = proc.log()
            result = figures(home, ledger, tms)
            leftovers = [p.name for p in carrier_out.iterdir() if p.name.startswith(".")]
    assert "Traceback" not in log, log[-3000:]
    assert f"cannot archive 214-1.edi: cannot archive payload: {ENOSPC_TEXT}" in log or (
        f"cannot archive 214-2.edi: cannot archive payload: {ENOSPC_TEXT}" in log
    ), log[-3000:]
    said = [line for line in log.splitlines() if "cannot archive" in line]
    assert len(said) == 1, said  # once per outage, not once per file and scan
    assert "archiving works again" in log
    assert leftovers == []  # no partial temp file left by a failed write
    required = {**REQUIRED, **EXTRA_REQUIRED}
    measured = {k: result[k] for k in required}
    assert measured == required, f"{measured}\n{result.get('detail')}"


def _carrier_errors(home: Home) -> int:
    store = home.open_store()
    try:
        rows = store.list_outbox(destination="demo-carrier", limit=100)
        return sum(
            1
            for o in rows
            if o.status is OutboxStatus.PENDING and ENOSPC_TEXT in (o.last_error or "")
        )
    finally:
        store.close()
