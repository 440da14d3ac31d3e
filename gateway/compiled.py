"""The optional compiled hot path: the X12 layer and the 214 mapping built with mypyc.

`make compiled` compiles `MODULES` in place: an extension module beside each source, which
Python imports before the `.py`, plus their shared library `gateway/_hotpath__mypyc*.so`.
`make pure` removes them again. Both builds run the same source and pass the same tests (CI
runs the X12, mapping and golden tests on the compiled build too); BENCHMARKS.md has what the
compiled build gains. Nothing else changes: no option, no other code path.

A source edited (or checked out) after the build would be shadowed by its older compiled
module, silently running the old code; importing the gateway refuses that (`check`).
"""

from __future__ import annotations

import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# pure Python modules that define no pydantic model (mypyc compiles neither those nor lambdas
# typed Any well); the rest of the per-set work is in pydantic-core, lxml and SQLite already
MODULES = (
    "gateway/x12/model.py",
    "gateway/x12/reader.py",
    "gateway/x12/envelope.py",
    "gateway/x12/validator.py",
    "gateway/x12/checker.py",
    "gateway/x12/acks.py",
    "gateway/x12/writer.py",
    "transforms/codes.py",
    "transforms/values.py",
    "transforms/status_taxonomy.py",
    "transforms/timecodes.py",
    "transforms/x12_common.py",
    "transforms/x12_214.py",
)
GROUP = "gateway._hotpath"  # the shared library's module name (+ "__mypyc")


class StaleCompiledModule(ImportError):
    """A compiled module is older than its source."""


def _built(source: Path) -> list[Path]:
    """The extension modules built from `source` (one, or none in a pure checkout)."""
    candidates = (source.with_name(source.stem + suffix) for suffix in EXTENSION_SUFFIXES)
    return [p for p in candidates if p.exists()]


def compiled_files(root: Path = ROOT) -> list[Path]:
    """The extension modules `make compiled` left here, their shared library included."""
    found = [built for module in MODULES for built in _built(root / module)]
    found.extend((root / "gateway").glob(f"{GROUP.rpartition('.')[2]}__mypyc.*"))
    return found


def stale(root: Path = ROOT) -> list[str]:
    """Sources changed after their compiled module was built."""
    return [
        module
        for module in MODULES
        for built in _built(root / module)
        if (root / module).stat().st_mtime > built.stat().st_mtime
    ]


def check(root: Path = ROOT) -> None:
    """Refuse to run a compiled module older than its source (see the module docstring)."""
    changed = stale(root)
    if changed:
        raise StaleCompiledModule(
            f"{', '.join(changed)} changed after `make compiled` built it: run `make compiled` "
            "again, or `make pure` to run the sources"
        )


def build(root: Path = ROOT) -> None:
    """Compile `MODULES` in place (mypyc and setuptools: the dev dependencies)."""
    # build-time dependencies only: imported here, not when the gateway starts
    from mypyc.build import mypycify
    from setuptools import setup  # type: ignore[import-untyped]

    os.chdir(root)  # module names come from the paths, and --inplace writes beside them
    work = Path("build") / "mypyc"  # generated C and objects (ignored by git)
    setup(
        name="gateway-hotpath",
        ext_modules=mypycify(list(MODULES), group_name=GROUP, target_dir=str(work)),
        script_args=["build_ext", "--inplace", "--build-temp", str(work / "temp")],
    )
