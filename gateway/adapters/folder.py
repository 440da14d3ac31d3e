"""Folder transport: watch `inbox/<partner>/` (watchdog + full rescans), write `outbox/<partner>/`.

A file is taken only when complete: a closed-write event from watchdog, or size and mtime
unchanged across rescans for `stable_seconds` (the read lock and claim/commit/rollback of
`gateway.adapters.pickup`, shared with the SFTP source). Symlinks, FIFOs, hard links,
sub-directories, dot-names, names with control characters, files over the size cap and anything
outside the root are refused, each reported once (`take_refusals`) until it changes or goes; a
temporary name unchanged for `stale_seconds` is reported as stale. Output is written under a
temporary name, fsynced and renamed.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from gateway.adapters.base import (
    Delivery,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from gateway.adapters.pickup import (
    TEMP_SUFFIXES,
    ClaimStrategy,
    PickupClaim,
    ReadLock,
    facts,
    name_problem,
)
from gateway.fsutil import fsync_dir, synced_after, syncfs, write_all

_MAX_KNOWN = 100_000
# the repository ships inbox/.gitkeep: not a drop, so not refused (only in the inbox root)
_PLACEHOLDER = ".gitkeep"
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def _is_temporary_name(name: str) -> bool:
    """An upload in progress by convention: `*.part`, `.name.tmp` and the like."""
    return name.lower().endswith(TEMP_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Refusal:
    """An inbox entry the gateway will not take, reported once while it stays as it is."""

    account: str  # the partner folder ("" for the inbox root)
    name: str
    path: Path
    reason: str
    kind: str  # refused | oversize | stale
    key: str  # what makes it "the same entry" across rescans and restarts

    @classmethod
    def of(cls, path: Path, account: str, st: os.stat_result, reason: str, kind: str) -> Refusal:
        # a file still growing past the cap is the same refusal, not one per rescan
        change = "" if kind == "oversize" else f"|{st.st_size}|{st.st_mtime_ns}"
        key = f"{path}|{kind}|{st.st_ino}{change}"
        return cls(account, path.name, path, reason, kind, key)


class _FolderStrategy(ClaimStrategy):
    """Claim: held in flight (the file stays put). Commit: unlink. Rollback: release."""

    def __init__(self, release: Callable[..., None]) -> None:
        self._release = release

    def commit(self, claim: PickupClaim) -> None:
        self.commit_many([claim])

    def commit_many(self, claims: Sequence[PickupClaim]) -> None:
        """Unlink the files, then one fsync per folder makes the removals durable (a removal
        lost to a power cut would only offer a file again: received twice, never lost)."""
        paths = [Path(claim.key) for claim in claims]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        for folder in dict.fromkeys(path.parent for path in paths):
            fsync_dir(folder)
        for path in paths:
            self._release(path)

    def rollback(self, claim: PickupClaim, reason: str) -> None:
        # leave the file where it is; the next rescan offers it again
        self._release(Path(claim.key))

    def refuse(self, claim: PickupClaim, reason: str) -> None:
        self._release(Path(claim.key), reason)


@dataclass(eq=False)
class FolderClaim(PickupClaim):
    """A complete file in a watch folder; removed only on `commit()`."""

    def refuse(self, reason: str) -> None:
        """Never offer this file again while it stays unchanged (e.g. over the size cap)."""
        if self._finish():
            assert isinstance(self.strategy, _FolderStrategy)
            self.strategy.refuse(self, reason)


def _open_nofollow(path: Path) -> BinaryIO:
    # O_NOFOLLOW: the file may have been swapped for a symlink since the scan
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    # unbuffered: `open` would add fstat, ioctl and lseek calls (see `write_all`)
    return cast(BinaryIO, io.FileIO(fd, "rb"))


@dataclass(slots=True)
class _Seen:
    size: int
    mtime_ns: int
    since: float


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
    max_bytes: int | None = None  # a larger file is refused before it is archived
    stale_seconds: float = 3600.0  # a temporary name unchanged this long is reported
    _reported: dict[Path, str] = field(default_factory=dict)  # path -> key of its refusal
    _known: dict[str, None] = field(default_factory=dict)  # keys reported (ordered, bounded)
    _new: list[Refusal] = field(default_factory=list)
    _temps: dict[Path, _Seen] = field(default_factory=dict)
    _held: dict[Path, tuple[int, int, int]] = field(default_factory=dict)  # refused claims

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_files = ReadLock(self.stable_seconds)
        self._strategy = _FolderStrategy(self._done)

    def watch(self, on_ready: Callable[[], None] | None = None) -> None:
        """Start watchdog so that files become ready without waiting for a rescan: a file
        closed after writing, or renamed into its folder (the upload convention: write under
        a temporary name, rename when complete), is taken at the next poll with no stability
        wait. Only those two kinds of event are asked of inotify: a burst of ten thousand
        files would otherwise bring ~10 events each (every write, the gateway's own reads
        and removals), all handled in Python beside the stages."""
        from watchdog.events import (
            FileClosedEvent,
            FileMovedEvent,
            FileSystemEvent,
            FileSystemEventHandler,
        )
        from watchdog.observers import Observer

        source = self

        def complete(raw: bytes | str) -> None:
            path = Path(os.fsdecode(raw))
            with source._lock:
                source._closed_write.add(path)
            if on_ready is not None:
                on_ready()

        class _Handler(FileSystemEventHandler):
            def on_closed(self, event: FileClosedEvent) -> None:
                complete(event.src_path)

            def on_moved(self, event: FileSystemEvent) -> None:
                if not event.is_directory and event.dest_path:
                    complete(event.dest_path)

        observer = Observer()
        observer.schedule(
            _Handler(),
            str(self.root),
            recursive=True,
            event_filter=[FileClosedEvent, FileMovedEvent],
        )
        observer.daemon = True
        observer.start()
        self._observer = observer

    def close(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None

    def _account_dirs(self, present: set[Path]) -> Iterator[Path]:
        with os.scandir(self.root) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                if self.accounts is not None and entry.name not in self.accounts:
                    continue
                yield path
                continue
            if entry.name == _PLACEHOLDER and entry.is_file(follow_symlinks=False):
                continue  # the checkout's own: git keeps an empty inbox/ through this file
            # nothing in the root itself is taken: files go into a partner's folder
            present.add(path)
            st = os.lstat(path)
            if entry.name.startswith("."):
                why = "hidden (dot) name refused"
            elif stat.S_ISLNK(st.st_mode):
                why = "symbolic link refused"
            else:
                why = "not inside a partner folder"
            self._refuse(path, "", st, f"{why} (inbox root)", "refused")

    def known(self, keys: set[str]) -> None:
        """Refusals reported before (by an earlier run): not reported again."""
        self._known.update(dict.fromkeys(keys))

    def take_refusals(self) -> list[Refusal]:
        """Refusals found since the last call, each entry once."""
        with self._lock:
            found, self._new = self._new, []
        return found

    def _refuse(self, path: Path, account: str, st: os.stat_result, reason: str, kind: str) -> None:
        refusal = Refusal.of(path, account, st, reason, kind)
        if self._reported.get(path) == refusal.key:
            return
        self._reported[path] = refusal.key
        if refusal.key in self._known:
            return
        self._known[refusal.key] = None
        if len(self._known) > _MAX_KNOWN:  # forget the oldest: at worst reported once more
            del self._known[next(iter(self._known))]
        with self._lock:
            self._new.append(refusal)

    def _admitted(self, path: Path, account: str, name: str, now: float) -> os.stat_result | None:
        """The entry's lstat when the gateway may take it; None when it is skipped (reported
        once when refused). One lstat per entry and poll: each system call gives up the
        interpreter lock (`gateway.fsutil.write_all`)."""
        st = os.lstat(path)
        if _is_temporary_name(name) and stat.S_ISREG(st.st_mode):
            prev = self._temps.get(path)
            if prev is None or prev.size != st.st_size or prev.mtime_ns != st.st_mtime_ns:
                self._temps[path] = _Seen(st.st_size, st.st_mtime_ns, now)
            elif now - prev.since >= self.stale_seconds:
                minutes = int((now - prev.since) // 60)
                reason = (
                    f"temporary name unchanged for {minutes} min: an upload that never finished"
                    " (rename it when complete, or remove it)"
                )
                self._refuse(path, account, st, reason, "stale")
            return None
        problem = _refusal(st) or name_problem(name)
        if not problem and name.startswith("."):
            problem = "hidden (dot) name refused: rename it without the leading dot"
        if problem:
            self._refuse(path, account, st, problem, "refused")
            return None
        held = self._held.get(path)
        if held is not None:
            if held == (st.st_ino, st.st_size, st.st_mtime_ns):
                return None  # refused when claimed, and unchanged since
            del self._held[path]
        if self.max_bytes is not None and st.st_size > self.max_bytes:
            reason = f"{st.st_size} bytes is over the size cap of {self.max_bytes} bytes"
            self._refuse(path, account, st, reason, "oversize")
            return None
        self._reported.pop(path, None)  # a refused entry that was fixed (e.g. renamed over)
        return st

    def poll(self) -> Iterator[FolderClaim]:
        now = self.clock()
        present: set[Path] = set()
        with self._lock:
            flagged = set(self._closed_write)  # flags of files gone before this listing go
        for account_dir in self._account_dirs(present):
            with os.scandir(account_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
            for entry in entries:
                path = Path(entry.path)
                present.add(path)
                with self._lock:
                    if path in self._in_flight:  # being received: no need to look at it
                        continue
                try:
                    st = self._admitted(path, account_dir.name, entry.name, now)
                except FileNotFoundError:
                    continue  # gone since the listing
                if st is None:
                    continue
                with self._lock:
                    closed = path in self._closed_write
                if not self._lock_files.ready(path, st.st_size, st.st_mtime_ns, now, closed=closed):
                    continue
                with self._lock:
                    self._in_flight.add(path)
                    self._closed_write.discard(path)
                yield FolderClaim(
                    facts("folder", account_dir.name, entry.name, st.st_size, datetime.now(UTC)),
                    str(path),
                    functools.partial(_open_nofollow, path),
                    self._strategy,
                )
        self._lock_files.forget_except(set(present), lambda _key: True)
        for gone in set(self._temps) - present:
            del self._temps[gone]
        for gone in set(self._held) - present:
            del self._held[gone]
        for gone in set(self._reported) - present:
            del self._reported[gone]  # it went (or was set aside): a new one is news again
        with self._lock:  # e.g. a temporary name closed, then renamed: never taken itself
            self._closed_write -= flagged - present

    def _done(self, path: Path, refused: str | None = None) -> None:
        with self._lock:
            self._in_flight.discard(path)
        if refused is not None:
            with contextlib.suppress(FileNotFoundError):
                st = os.lstat(path)
                self._held[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
                self._refuse(path, path.parent.name, st, refused, "oversize")


def _refusal(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return "symbolic link refused"
    if stat.S_ISDIR(st.st_mode):
        return "sub-directory refused: files go directly into the partner folder"
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
    _made: bool = field(default=False, init=False, repr=False)  # the folder was there
    # the folder's file system and when its last file was renamed in (`time.monotonic_ns`):
    # a sync of that file system begun later (another sink's, the archive's) covers it
    _device: int = field(default=-1, init=False, repr=False)
    _written_ns: int = field(default=0, init=False, repr=False)

    def deliver(self, delivery: Delivery) -> None:
        name = delivery.name
        if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            raise PermanentDeliveryError(f"unsafe output name {name!r}")
        folder = self.directory
        final = folder / name
        temp = folder / f".{name}.{os.getpid()}.tmp"
        try:
            if not self._made:  # once per sink, not per file (a removed folder: see below)
                folder.mkdir(parents=True, exist_ok=True)
                self._made = True
            # a retry after a crash: the effect may have happened (a first attempt has none)
            if delivery.attempt != 1 and final.exists() and final.read_bytes() == delivery.payload:
                return
            try:
                fd = os.open(temp, _WRITE_FLAGS, 0o644)
            except FileNotFoundError:  # the folder went since: made again, as before
                folder.mkdir(parents=True, exist_ok=True)
                fd = os.open(temp, _WRITE_FLAGS, 0o644)
            try:
                write_all(fd, delivery.payload)
            finally:
                os.close(fd)
            os.replace(temp, final)
            if not self._pending:
                self._device = os.stat(folder).st_dev
            self._written_ns = time.monotonic_ns()
            self._pending = True
        except OSError as exc:
            # a partial temp file (disk full) would hold the space the retry needs
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            raise TransientDeliveryError(f"cannot write {final}: {exc.strerror}") from exc

    def flush(self) -> None:
        if not self._pending:
            return
        if synced_after(self._device, self._written_ns):
            self._pending = False  # a round's other sinks share a file system: one sync
            return
        try:
            syncfs(self.directory)
        except OSError as exc:
            raise TransientDeliveryError(f"cannot sync {self.directory}: {exc.strerror}") from exc
        self._pending = False
