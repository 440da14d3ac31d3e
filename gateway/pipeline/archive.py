"""Content-addressed archive: every received payload is kept, byte for byte, under its sha256.

The copy is streamed (constant memory), fsynced and renamed into place before anything else
happens to the payload, so a crash can lose at most a temp file, never a received file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gateway.fsutil import fsync_dir

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

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def store(self, stream: BinaryIO) -> ArchivedFile:
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=self.root / "tmp", prefix="in-")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(COPY_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise OversizeError(f"payload exceeds {self.max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                temp.unlink()
            else:
                os.replace(temp, final)
                fsync_dir(final.parent)
            return ArchivedFile(sha, size, final)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise ArchiveError(f"cannot archive payload: {exc.strerror or exc}") from exc
        except BaseException:
            temp.unlink(missing_ok=True)
            raise

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")
