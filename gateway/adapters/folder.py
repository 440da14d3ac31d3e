"""Folder transport: watch `inbox/<partner>/` (watchdog + full rescans), write `outbox/<partner>/`.

A file is taken only when complete: a closed-write event from watchdog, or size and mtime
unchanged across rescans for `stable_seconds` (the read lock and claim/commit/rollback of
`gateway.adapters.pickup`, shared with the SFTP source). Symlinks, FIFOs, hard links and
anything outside the root are refused. Output is written under a temporary name, fsynced and
renamed.
"""

from __future__ import annotations

import contextlib
import functools
import os
import stat
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from gateway.adapters.base import (
    Delivery,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from gateway.adapters.pickup import (
    ClaimStrategy,
    PickupClaim,
    ReadLock,
    facts,
    is_candidate_name,
    name_problem,
)
from gateway.fsutil import fsync_dir, syncfs


class _FolderStrategy(ClaimStrategy):
    """Claim: held in flight (the file stays put). Commit: unlink. Rollback: release."""

    def __init__(self, release: Callable[[Path], None]) -> None:
        self._release = release

    def commit(self, claim: PickupClaim) -> None:
        path = Path(claim.key)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        fsync_dir(path.parent)
        self._release(path)

    def rollback(self, claim: PickupClaim, reason: str) -> None:
        # leave the file where it is; the next rescan offers it again
        self._release(Path(claim.key))


def _open_nofollow(path: Path) -> BinaryIO:
    # O_NOFOLLOW: the file may have been swapped for a symlink since the scan
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    return os.fdopen(fd, "rb")


@dataclass
class FolderSource:
    """Consumer over `root/<account>/` folders; one account per partner."""

    root: Path
    stable_seconds: float = 1.0
    accounts: frozenset[str] | None = None  # None: every sub-folder
    clock: Callable[[], float] = time.monotonic
    _lock_files: ReadLock = field(default_factory=ReadLock)
    _closed_write: set[Path] = field(default_factory=set)
    _in_flight: set[Path] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _observer: Any = None
    refused: list[tuple[Path, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_files = ReadLock(self.stable_seconds)
        self._strategy = _FolderStrategy(self._done)

    def watch(self, on_ready: Callable[[], None] | None = None) -> None:
        """Start watchdog so closed-write events make files ready without waiting a rescan."""
        from watchdog.events import FileClosedEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        source = self

        class _Handler(FileSystemEventHandler):
            def on_closed(self, event: FileClosedEvent) -> None:
                path = Path(os.fsdecode(event.src_path))
                with source._lock:
                    source._closed_write.add(path)
                if on_ready is not None:
                    on_ready()

        observer = Observer()
        observer.schedule(_Handler(), str(self.root), recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def _account_dirs(self) -> Iterator[Path]:
        with os.scandir(self.root) as it:
            for entry in it:
                if not entry.is_dir(follow_symlinks=False) or entry.name.startswith("."):
                    continue
                if self.accounts is not None and entry.name not in self.accounts:
                    continue
                yield Path(entry.path)

    def poll(self) -> Iterator[PickupClaim]:
        now = self.clock()
        present: set[Hashable] = set()
        for account_dir in self._account_dirs():
            with os.scandir(account_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
            for entry in entries:
                if not is_candidate_name(entry.name):
                    continue
                path = Path(entry.path)
                present.add(path)
                st = os.lstat(path)
                problem = _refusal(st) or name_problem(entry.name)
                if problem:
                    if (path, problem) not in self.refused:
                        self.refused.append((path, problem))
                    continue
                with self._lock:
                    if path in self._in_flight:
                        continue
                    closed = path in self._closed_write
                if not self._lock_files.ready(path, st.st_size, st.st_mtime_ns, now, closed=closed):
                    continue
                with self._lock:
                    self._in_flight.add(path)
                    self._closed_write.discard(path)
                yield PickupClaim(
                    facts("folder", account_dir.name, entry.name, st.st_size, datetime.now(UTC)),
                    str(path),
                    functools.partial(_open_nofollow, path),
                    self._strategy,
                )
        self._lock_files.forget_except(present, lambda _key: True)

    def _done(self, path: Path) -> None:
        with self._lock:
            self._in_flight.discard(path)


def _refusal(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return "symbolic link refused"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (FIFO, device or socket) refused"
    if st.st_nlink > 1:
        return "hard-linked file refused"
    return ""


@dataclass
class FolderSink:
    """Producer writing `directory/<name>` atomically (temp name, rename).

    Durability is per batch: `deliver` writes and renames, `flush` makes every file written
    since the last flush durable with one `syncfs` (and the directory entries with it). The
    delivery worker records deliveries only after `flush`, so a crash before it just means the
    same files are written again under the same names: no second effect.
    """

    directory: Path
    _pending: bool = field(default=False, init=False, repr=False)

    def deliver(self, delivery: Delivery) -> None:
        name = delivery.name
        if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            raise PermanentDeliveryError(f"unsafe output name {name!r}")
        folder = self.directory
        final = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if final.exists() and final.read_bytes() == delivery.payload:
                return  # a retry after a crash: the effect already happened
            temp = folder / f".{name}.{os.getpid()}.tmp"
            with open(temp, "wb") as fh:
                fh.write(delivery.payload)
            os.replace(temp, final)
            self._pending = True
        except OSError as exc:
            raise TransientDeliveryError(f"cannot write {final}: {exc.strerror}") from exc

    def flush(self) -> None:
        if not self._pending:
            return
        try:
            syncfs(self.directory)
        except OSError as exc:
            raise TransientDeliveryError(f"cannot sync {self.directory}: {exc.strerror}") from exc
        self._pending = False
