"""Content-addressed archive: every received payload is kept, byte for byte, under its sha256.

The copy is streamed (constant memory), fsynced and renamed into place before anything else
happens to the payload, so a crash can lose at most a temp file, never a received file. A burst
(`store(..., durable=False)` for each, then `flush()`) is made durable by one `syncfs` of the
archive's file system instead of two fsyncs per file (the copy, its directory): the caller
records none of the burst before `flush` returns.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gateway.fsutil import fsync_dir, syncfs, write_all

COPY_CHUNK = 1 << 20


class ArchiveError(Exception):
    """The payload could not be archived; the source must be left untouched."""


class OversizeError(ArchiveError):
    """The payload is larger than the configured cap (checked while copying, not after)."""


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    sha256: str
    size: int
    path: Path


class Archive:
    def __init__(self, root: Path, *, max_bytes: int = 2 * 1024**3) -> None:
        self.root = root
        self.max_bytes = max_bytes
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        self._unsynced = False  # a copy stored with durable=False and not flushed yet
        # folders made (or found) by this process, as "ab/cd": one mkdir each, not one per
        # file (at most 65,536 short strings)
        self._folders: set[str] = set()

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def store(self, stream: BinaryIO, *, durable: bool = True) -> ArchivedFile:
        """Copy `stream` into the archive. With `durable=False` the copy and its rename are
        durable only after the next `flush()` (one syncfs for a burst)."""
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=self.root / "tmp", prefix="in-")
        temp = Path(temp_name)
        try:
            try:
                while chunk := stream.read(COPY_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise OversizeError(f"payload exceeds {self.max_bytes} bytes")
                    digest.update(chunk)
                    write_all(fd, chunk)
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)
            sha = digest.hexdigest()
            final = self.path_for(sha)
            folder = f"{sha[:2]}/{sha[2:4]}"
            if folder not in self._folders:
                final.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(folder)
            if final.exists():
                temp.unlink()
            else:
                try:
                    os.replace(temp, final)
                except FileNotFoundError:  # its folder was removed since: made again
                    final.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(temp, final)
                if durable:
                    fsync_dir(final.parent)
            if not durable:
                # an existing copy may be one of this burst's, not yet synced either
                self._unsynced = True
            return ArchivedFile(sha, size, final)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise ArchiveError(f"cannot archive payload: {exc.strerror or exc}") from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def flush(self) -> None:
        """Make every copy stored with `durable=False` since the last flush durable: contents,
        renames and new directories, by one syncfs of the archive's file system."""
        if not self._unsynced:
            return
        try:
            syncfs(self.root)
        except OSError as exc:
            raise ArchiveError(f"cannot sync the archive: {exc.strerror or exc}") from exc
        self._unsynced = False

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")
