"""Content-addressed archive: bytes kept exactly, streamed, capped."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest

from gateway.pipeline.archive import Archive, OversizeError


def test_store_keeps_bytes_under_their_sha256(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    data = b"ISA*00*" + bytes(range(256)) * 10_000
    stored = archive.store(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.path.read_bytes() == data
    again = archive.store(io.BytesIO(data))  # same content: same place, no second copy
    assert again.path == stored.path
    assert list((tmp_path / "tmp").iterdir()) == []


def test_oversize_is_refused_while_copying(tmp_path: Path) -> None:
    archive = Archive(tmp_path, max_bytes=1000)
    with pytest.raises(OversizeError):
        archive.store(io.BytesIO(b"x" * 5000))
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_folder_is_made_once_and_again_when_it_went(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    stored = archive.store(io.BytesIO(b"first"))
    archive.store(io.BytesIO(b"first"))  # known folder: no mkdir, the copy is there already
    shutil.rmtree(stored.path.parent.parent)  # removed by hand while the gateway runs
    again = archive.store(io.BytesIO(b"first"))
    assert again.path == stored.path and again.path.read_bytes() == b"first"
    assert list((tmp_path / "tmp").iterdir()) == []
