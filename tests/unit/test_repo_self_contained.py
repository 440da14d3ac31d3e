"""The repository stands alone: no code, test, benchmark or build file names a path outside it.

A user clones the repository and nothing else, so a test that reads the development machines'
shared folder beside the checkout (or any parent of it) fails for them at collection. This
static check keeps such a path from coming back.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHECKED_DIRS = ("tests", "bench", "gateway", "transforms")
CHECKED_FILES = ("Makefile", "pyproject.toml", ".ci/run", "docker-compose.yml", "Dockerfile")
SUFFIXES = {".py", ".sh", ".toml", ".yml", ".yaml", ".ini", ".cfg", ".txt", ".json", ""}

# the shared folder beside the checkout (as a relative path or as `parent / "<name>"`),
# `parents[2].parent`, or an absolute path of this workplace.
SHARED = "sha" + "red"
OUTSIDE = re.compile(
    r"""\.\./shared|parent\s*/\s*["']shared["']|parents\[\d+\]\.parent\b"""
    r"""|["']/work/|["']/tmp/bash_jobs"""
)


def _files() -> list[Path]:
    found = [REPO / f for f in CHECKED_FILES if (REPO / f).is_file()]
    for d in CHECKED_DIRS:
        for p in (REPO / d).rglob("*"):
            if (
                p.is_file()
                and p.suffix in SUFFIXES
                and "__pycache__" not in p.parts
                and "data" not in p.relative_to(REPO).parts[:2]
                and p.resolve() != Path(__file__).resolve()
            ):
                found.append(p)
    return found


def test_no_file_names_a_path_outside_the_repository() -> None:
    offenders = []
    for path in _files():
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == [], "paths outside the repository:\n" + "\n".join(offenders)


def test_the_check_catches_what_it_is_for() -> None:
    # The pattern itself must match the forms that broke a fresh clone.
    for bad in (
        # written in pieces so this file does not itself name the folder it forbids
        f'SAMPLES = REPO.parent / "{SHARED}" / "samples"',
        f'Path(__file__).resolve().parents[2].parent / "{SHARED}"',
        f"open('../{SHARED}/samples/x.edi')",
    ):
        assert OUTSIDE.search(bad), bad


def test_samples_travel_with_the_repository() -> None:
    samples = REPO / "tests" / "data" / "samples"
    assert (samples / "MANIFEST.md").is_file()
    manifest = (samples / "MANIFEST.md").read_text()
    for p in samples.rglob("*"):
        if p.is_file() and p.name != "MANIFEST.md":
            assert p.name in manifest, f"{p.name} has no provenance row in MANIFEST.md"
