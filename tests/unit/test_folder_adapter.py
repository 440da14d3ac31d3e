"""Folder transport: readiness, refusals, commit semantics and atomic output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gateway import fsutil
from gateway.adapters.base import Delivery, PermanentDeliveryError, TransientDeliveryError
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


def test_every_entry_not_taken_is_reported_once_with_its_reason(tmp_path: Path) -> None:
    clock = FakeClock()
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    root = tmp_path / "inbox"
    src = FolderSource(root, stable_seconds=0.0, clock=clock, stale_seconds=600)
    d = root / "acme"
    d.mkdir()
    (d / "link.edi").symlink_to(outside)
    os.mkfifo(d / "pipe.edi")
    os.link(outside, d / "hard.edi")
    (d / "upload.edi.part").write_bytes(b"x")
    (d / ".hidden").write_bytes(b"x")
    (d / "sub").mkdir()
    (root / "stray.edi").write_bytes(b"x")  # not in any partner folder
    found = []
    for _ in range(3):  # rescans: nothing taken, nothing reported twice
        clock.t += 1
        assert list(src.poll()) == []
        found.extend(src.take_refusals())
    assert sorted((r.account, r.name, r.kind, r.reason) for r in found) == [
        ("", "stray.edi", "refused", "not inside a partner folder (inbox root)"),
        ("acme", ".hidden", "refused", "hidden (dot) name refused: rename it without the leading dot"),
        ("acme", "hard.edi", "refused", "hard-linked file refused"),
        ("acme", "link.edi", "refused", "symbolic link refused"),
        ("acme", "pipe.edi", "refused", "not a regular file (FIFO, device or socket) refused"),
        ("acme", "sub", "refused", "sub-directory refused: files go directly into the partner folder"),
    ]  # fmt: skip
    # the upload in progress is not refused, until its name has not changed for too long
    clock.t += 600
    assert list(src.poll()) == []
    (stale,) = src.take_refusals()
    assert (stale.name, stale.kind) == ("upload.edi.part", "stale")
    assert "temporary name unchanged for 10 min" in stale.reason
    clock.t += 600
    assert list(src.poll()) == [] and src.take_refusals() == []  # once
    # once fixed, the file is taken; a new entry under an old name is news again
    (d / "link.edi").unlink()
    (d / "link.edi").write_bytes(b"ISA")
    clock.t += 1
    assert [c.facts.original_name for c in src.poll()] == ["link.edi"]
    (d / "pipe.edi").unlink()
    clock.t += 1
    list(src.poll())
    os.mkfifo(d / "pipe.edi")
    clock.t += 1
    list(src.poll())
    assert [r.name for r in src.take_refusals()] == ["pipe.edi"]


def test_the_checkouts_placeholder_in_the_inbox_root_is_not_refused(tmp_path: Path) -> None:
    # a fresh clone's `make run` found inbox/.gitkeep and warned about it as a refused drop
    root = tmp_path / "inbox"
    root.mkdir()
    (root / ".gitkeep").write_bytes(b"")
    (root / ".other").write_bytes(b"x")
    (root / "acme").mkdir()
    (root / "acme" / ".gitkeep").write_bytes(b"")  # in a partner folder it is a drop like any
    src = FolderSource(root, stable_seconds=0.0)
    assert list(src.poll()) == []
    assert sorted((r.account, r.name) for r in src.take_refusals()) == [
        ("", ".other"),
        ("acme", ".gitkeep"),
    ]


def test_refusals_reported_by_an_earlier_run_are_not_reported_again(tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    (root / "acme").mkdir(parents=True)
    (root / "acme" / "link.edi").symlink_to(tmp_path)
    first = FolderSource(root, stable_seconds=0.0)
    list(first.poll())
    (refusal,) = first.take_refusals()
    second = FolderSource(root, stable_seconds=0.0)
    second.known({refusal.key})
    list(second.poll())
    assert second.take_refusals() == []


def test_a_payload_over_the_cap_is_refused_once_and_never_offered(tmp_path: Path) -> None:
    clock = FakeClock()
    root = tmp_path / "inbox"
    (root / "acme").mkdir(parents=True)
    big = root / "acme" / "big.edi"
    big.write_bytes(b"x" * 101)
    src = FolderSource(root, stable_seconds=0.0, clock=clock, max_bytes=100)
    for _ in range(3):
        clock.t += 1
        assert list(src.poll()) == []
    (refusal,) = src.take_refusals()
    assert (refusal.kind, refusal.reason) == (
        "oversize",
        "101 bytes is over the size cap of 100 bytes",
    )
    assert big.exists()  # left where it is (or set aside by the gateway): never deleted
    for n in range(3):  # still growing: the same refusal, not one per rescan
        with big.open("ab") as fh:
            fh.write(b"more")
        os.utime(big, ns=(1, (n + 2) * 1_000_000_000))
        clock.t += 1
        assert list(src.poll()) == []
    assert src.take_refusals() == []


def test_a_claim_refused_after_it_grew_is_not_offered_again(tmp_path: Path) -> None:
    clock = FakeClock()
    root = tmp_path / "inbox"
    (root / "acme").mkdir(parents=True)
    (root / "acme" / "a.edi").write_bytes(b"ISA")
    src = FolderSource(root, stable_seconds=0.0, clock=clock)
    (claim,) = list(src.poll())
    claim.refuse("payload exceeds 2 bytes")
    for _ in range(2):
        clock.t += 1
        assert list(src.poll()) == []
    assert [(r.kind, r.reason) for r in src.take_refusals()] == [
        ("oversize", "payload exceeds 2 bytes")
    ]


def test_sink_writes_atomically_and_is_idempotent(tmp_path: Path) -> None:
    sink = FolderSink(tmp_path / "outbox" / "acme")
    d = Delivery("acme", "997_000000001.x12", b"ISA...", "ack-1")
    sink.deliver(d)
    sink.deliver(d)  # retry: same effect, no error, no second file
    files = sorted(p.name for p in (tmp_path / "outbox" / "acme").iterdir())
    assert files == ["997_000000001.x12"]
    assert (tmp_path / "outbox" / "acme" / "997_000000001.x12").read_bytes() == b"ISA..."


def test_only_a_retry_looks_for_an_earlier_effect(tmp_path: Path) -> None:
    # attempt 1 is the row's first claim: nothing was written for it before, so the sink
    # does not read what is there (one stat and one read fewer per file); a retry does
    folder = tmp_path / "outbox" / "acme"
    sink = FolderSink(folder)
    sink.deliver(Delivery("acme", "a.json", b"{}", "k1", attempt=1))
    first = (folder / "a.json").stat().st_ino
    sink.deliver(Delivery("acme", "a.json", b"{}", "k1", attempt=2))  # after a crash
    assert (folder / "a.json").stat().st_ino == first  # found there: not written again
    sink.deliver(Delivery("acme", "a.json", b"{}", "k1"))  # attempt not known: looks too
    assert (folder / "a.json").stat().st_ino == first
    (folder / "b.json").write_bytes(b"[]")
    before = (folder / "b.json").stat().st_ino
    sink.deliver(Delivery("acme", "b.json", b"[]", "k2", attempt=1))
    assert (folder / "b.json").stat().st_ino != before  # written, without looking first
    assert (folder / "b.json").read_bytes() == b"[]"
    assert sorted(p.name for p in folder.iterdir()) == ["a.json", "b.json"]  # no temp left
    sink.flush()


def test_sink_makes_its_folder_once_and_again_when_it_went(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "outbox" / "acme"
    folder.parent.mkdir()
    sink = FolderSink(folder)
    made: list[Path] = []
    real = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    for n in range(3):
        sink.deliver(Delivery("acme", f"f{n}.json", b"{}", f"k{n}"))
    assert made == [folder]  # once, not once per file
    shutil.rmtree(folder)  # an operator removed it: the next file makes it again
    sink.deliver(Delivery("acme", "f3.json", b"{}", "k3"))
    assert made == [folder, folder]
    assert sorted(p.name for p in folder.iterdir()) == ["f3.json"]
    sink.flush()


def test_sinks_of_one_file_system_share_a_round_s_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A delivery round writes every destination's files, then flushes each sink: the first
    sync covers the other sinks' files on that file system, so they do not sync again. A file
    written after that sync is synced by its own flush."""
    synced: list[int] = []
    monkeypatch.setattr(fsutil, "_sync_fd", lambda fd: synced.append(fd))
    portal, erp = FolderSink(tmp_path / "portal"), FolderSink(tmp_path / "erp")
    portal.deliver(Delivery("portal", "a.json", b"{}", "k1"))
    erp.deliver(Delivery("erp", "a.xml", b"<a/>", "k2"))
    portal.flush()
    erp.flush()
    assert len(synced) == 1
    erp.deliver(Delivery("erp", "b.xml", b"<b/>", "k3"))  # after the sync began
    erp.flush()
    assert len(synced) == 2
    erp.flush()  # nothing written since
    assert len(synced) == 2


def test_a_failed_sync_covers_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    portal, erp = FolderSink(tmp_path / "portal"), FolderSink(tmp_path / "erp")
    portal.deliver(Delivery("portal", "a.json", b"{}", "k1"))
    erp.deliver(Delivery("erp", "a.xml", b"<a/>", "k2"))
    monkeypatch.setattr(fsutil, "_sync_fd", broken)
    with pytest.raises(TransientDeliveryError):
        portal.flush()
    synced: list[int] = []
    monkeypatch.setattr(fsutil, "_sync_fd", lambda fd: synced.append(fd))
    erp.flush()  # the failed sync made nothing durable: erp syncs for itself
    assert len(synced) == 1


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


def test_watchdog_rename_into_place_makes_a_file_ready_at_once(tmp_path: Path) -> None:
    """The upload convention (write a temporary name, rename when complete): the rename is the
    signal, so the file is taken at once, with no stability wait; the temporary name's own
    closed-write flag goes once that name is gone."""
    import threading
    import time

    (tmp_path / "acme").mkdir()
    temp = tmp_path / "acme" / ".up.x12.part"
    temp.write_bytes(b"ISA")  # closed before the watch starts: no event of its own
    ready = threading.Event()
    src = FolderSource(tmp_path, stable_seconds=3600)
    src.watch(on_ready=ready.set)
    try:
        os.rename(temp, tmp_path / "acme" / "up.x12")
        assert ready.wait(10), "no moved event from watchdog"
        assert [c.facts.original_name for c in src.poll()] == ["up.x12"]
        # a temporary name written and renamed while watched: its flag goes with it
        (tmp_path / "acme" / ".two.part").write_bytes(b"ISA")
        deadline = time.monotonic() + 10
        while tmp_path / "acme" / ".two.part" not in src._closed_write:
            assert time.monotonic() < deadline, "no closed-write event for the temporary name"
            time.sleep(0.02)
        os.rename(tmp_path / "acme" / ".two.part", tmp_path / "acme" / "two.x12")
        while tmp_path / "acme" / "two.x12" not in src._closed_write:
            assert time.monotonic() < deadline, "no moved event for the renamed file"
            time.sleep(0.02)
        assert [c.facts.original_name for c in src.poll()] == ["two.x12"]
        assert src._closed_write == set()
    finally:
        src.close()


def test_watchdog_is_not_asked_for_reads_writes_and_removals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only closes after writing and renames reach the gateway's handler: the gateway's own
    reads and removals of a burst's files, and every write of an upload, are not asked of
    inotify at all (a burst would otherwise bring some ten events per file to Python)."""
    import threading
    import time

    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    seen: list[str] = []
    plain = FileSystemEventHandler.dispatch

    def dispatch(self: FileSystemEventHandler, event: FileSystemEvent) -> None:
        seen.append(event.event_type)
        plain(self, event)

    monkeypatch.setattr(FileSystemEventHandler, "dispatch", dispatch)
    (tmp_path / "acme").mkdir()
    old = tmp_path / "acme" / "old.x12"
    old.write_bytes(b"ISA")
    woken = threading.Event()
    src = FolderSource(tmp_path, stable_seconds=3600)
    src.watch(on_ready=woken.set)
    try:
        assert old.read_bytes() == b"ISA"
        os.utime(old)
        old.unlink()
        with (tmp_path / "acme" / "new.x12").open("wb") as fh:
            for _ in range(3):
                fh.write(b"ISA")
                fh.flush()
        assert woken.wait(10)
        time.sleep(0.5)  # anything queued behind it arrives meanwhile
        assert "closed" in seen
        assert not {"opened", "closed_no_write", "modified", "deleted"} & set(seen), seen
    finally:
        src.close()
