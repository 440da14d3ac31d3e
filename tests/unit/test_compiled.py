"""The optional compiled hot path (gateway/compiled.py, `make compiled` / `make pure`)."""

from __future__ import annotations

import importlib
import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from gateway import compiled


def _tree(root: Path) -> tuple[Path, Path]:
    source = root / "gateway" / "x12" / "reader.py"
    source.parent.mkdir(parents=True)
    source.write_text("# source\n")
    built = source.with_name("reader" + EXTENSION_SUFFIXES[0])
    built.write_bytes(b"\x7fELF")
    return source, built


def test_a_compiled_module_older_than_its_source_is_refused(tmp_path: Path) -> None:
    source, built = _tree(tmp_path)
    os.utime(built, (1_000_000, 1_000_000))
    os.utime(source, (2_000_000, 2_000_000))  # edited (or checked out) after the build
    assert compiled.stale(tmp_path) == ["gateway/x12/reader.py"]
    with pytest.raises(compiled.StaleCompiledModule, match="make compiled"):
        compiled.check(tmp_path)


def test_a_fresh_build_and_a_pure_tree_are_accepted(tmp_path: Path) -> None:
    source, built = _tree(tmp_path)
    os.utime(source, (1_000_000, 1_000_000))
    os.utime(built, (2_000_000, 2_000_000))
    assert compiled.stale(tmp_path) == []
    compiled.check(tmp_path)
    assert compiled.compiled_files(tmp_path) == [built]
    built.unlink()
    compiled.check(tmp_path)
    assert compiled.compiled_files(tmp_path) == []


def test_the_modules_run_compiled_exactly_when_they_were_built() -> None:
    # CI's run of the tests on the compiled build sets GATEWAY_EXPECT_COMPILED, so that run
    # cannot pass on the sources by mistake; elsewhere what is loaded matches what is built
    expected = os.environ.get("GATEWAY_EXPECT_COMPILED") == "1" or bool(compiled.compiled_files())
    for path in compiled.MODULES:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert str(module.__file__).endswith(".so") is expected, module.__file__


def test_the_patterns_written_raw_for_mypyc_match_the_same_characters() -> None:
    # mypyc refuses surrogate code points in string literals, so these are raw strings whose
    # escapes `re` reads: the same sets as the literals they replaced
    from gateway.x12 import acks, reader, validator

    undecoded = {chr(c) for c in range(0xDC80, 0xDD00)}
    control = {chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20))}
    probe = [chr(c) for c in range(0x110000) if c < 0x300 or 0xDC00 <= c < 0xDE00]
    for pattern in (acks._UNDECODED, validator._UNDECODED):
        assert {ch for ch in probe if pattern.match(ch)} == undecoded
    assert {ch for ch in probe if reader._NOT_TEXT.match(ch)} == undecoded | control
