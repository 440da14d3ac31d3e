"""Shared fixtures: where the public sample files live (tests/data/samples, with MANIFEST.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "data" / "samples"


def x12_samples() -> list[Path]:
    """Every X12 sample file (core and extra), IDoc XML and the manifest excluded."""
    files = [*SAMPLES.glob("*"), *(SAMPLES / "extra").glob("*")]
    return sorted(p for p in files if p.is_file() and p.suffix.lower() not in (".md", ".xml"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    assert SAMPLES.is_dir(), f"samples not found at {SAMPLES}"
    return SAMPLES
