"""File-system durability helpers shared by the archive and the folder transport."""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path
from typing import Any


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in `path` durable (the directory entry itself is synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write `data` to the open file `fd`, however many writes it takes.

    Plain `os.write` rather than `open()`: a buffered file object adds fstat, ioctl and lseek
    calls, and each system call gives up the interpreter lock, which a stage thread then waits
    up to the switch interval to get back while processing computes (BENCHMARKS.md, "Eleventh
    pass")."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def syncfs(path: Path) -> None:
    """Flush every dirty file of the file system holding `path` in one call (Linux syncfs);
    elsewhere, a full `sync`. One call per delivery batch instead of an fsync per file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        device = os.fstat(fd).st_dev
        began = time.monotonic_ns()
        _sync_fd(fd)
        # every write that ended before `began` is durable now
        if _synced_from.get(device, -1) < began:
            _synced_from[device] = began
    finally:
        os.close(fd)


def synced_after(device: int, written_ns: int) -> bool:
    """True when a `syncfs` of file system `device` began after `written_ns` (a
    `time.monotonic_ns()` taken once a write had returned) and succeeded: that write is
    durable already, and another sync for it would only cost time."""
    return _synced_from.get(device, -1) > written_ns


def _sync_fd(fd: int) -> None:
    if _LIBC is not None and _LIBC.syncfs(fd) == 0:
        return
    os.sync()


# file system (st_dev) -> monotonic_ns at which the latest successful syncfs of it began
_synced_from: dict[int, int] = {}


def _libc() -> Any:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syncfs.argtypes = [ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _libc()
