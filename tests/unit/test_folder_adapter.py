"""Folder transport: readiness, refusals, commit semantics and atomic output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gateway.adapters.base import Delivery, PermanentDeliveryError
from gateway.adapters.folder import FolderSink, FolderSource


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_file_is_taken_only_once_stable(tmp_path: Path) -> None:
    clock = FakeClock()
    src = FolderSource(tmp_path / "inbox", stable_seconds=2.0, clock=clock)
    (tmp_path / "inbox" / "acme").mkdir()
    f = tmp_path / "inbox" / "acme" / "a.edi"
    f.write_bytes(b"ISA*partial")
    assert list(src.poll()) == []  # first sight
    clock.t += 1
    f.write_bytes(b"ISA*partial-and-growing")
    assert list(src.poll()) == []  # changed: the clock restarts
    clock.t += 1
    assert list(src.poll()) == []  # stable for 1 s only
    clock.t += 1.5
    claims = list(src.poll())
    assert [c.facts.original_name for c in claims] == ["a.edi"]
    assert claims[0].facts.account == "acme" and claims[0].facts.size == 23
    assert list(src.poll()) == []  # in flight: not offered twice
    with claims[0].open() as fh:
        assert fh.read() == b"ISA*partial-and-growing"
    claims[0].commit()
    assert not f.exists()


def test_rollback_leaves_the_file_for_a_later_attempt(tmp_path: Path) -> None:
    clock = FakeClock()
    src = FolderSource(tmp_path, stable_seconds=0.5, clock=clock)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.edi").write_bytes(b"data")
    list(src.poll())
    clock.t += 1
    (claim,) = list(src.poll())
    claim.rollback("store unavailable")
    assert (tmp_path / "p" / "x.edi").exists()
    list(src.poll())
    clock.t += 1
    assert [c.facts.original_name for c in src.poll()] == ["x.edi"]


def test_symlinks_fifos_hardlinks_and_temp_names_are_refused(tmp_path: Path) -> None:
    clock = FakeClock()
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    root = tmp_path / "inbox"
    src = FolderSource(root, stable_seconds=0.0, clock=clock)
    d = root / "acme"
    d.mkdir()
    (d / "link.edi").symlink_to(outside)
    os.mkfifo(d / "pipe.edi")
    os.link(outside, d / "hard.edi")
    (d / "upload.edi.part").write_bytes(b"x")
    (d / ".hidden").write_bytes(b"x")
    for _ in range(2):
        clock.t += 1
        assert list(src.poll()) == []
    reasons = sorted(reason for _, reason in src.refused)
    assert reasons == [
        "hard-linked file refused",
        "not a regular file (FIFO, device or socket) refused",
        "symbolic link refused",
    ]


def test_sink_writes_atomically_and_is_idempotent(tmp_path: Path) -> None:
    sink = FolderSink(tmp_path / "outbox" / "acme")
    d = Delivery("acme", "997_000000001.x12", b"ISA...", "ack-1")
    sink.deliver(d)
    sink.deliver(d)  # retry: same effect, no error, no second file
    files = sorted(p.name for p in (tmp_path / "outbox" / "acme").iterdir())
    assert files == ["997_000000001.x12"]
    assert (tmp_path / "outbox" / "acme" / "997_000000001.x12").read_bytes() == b"ISA..."


@pytest.mark.parametrize("name", ["../escape", ".hidden", "a/b"])
def test_sink_refuses_unsafe_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(PermanentDeliveryError):
        FolderSink(tmp_path / "acme").deliver(Delivery("acme", name, b"x", "k"))


def test_watchdog_closed_write_makes_a_file_ready_at_once(tmp_path: Path) -> None:
    import threading

    ready = threading.Event()
    src = FolderSource(tmp_path, stable_seconds=3600)
    (tmp_path / "acme").mkdir()
    src.watch(on_ready=ready.set)
    try:
        (tmp_path / "acme" / "now.edi").write_bytes(b"ISA")
        assert ready.wait(10), "no closed-write event from watchdog"
        assert [c.facts.original_name for c in src.poll()] == ["now.edi"]
    finally:
        src.close()
