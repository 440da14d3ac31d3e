"""Fuzzing in `make test`: each target runs under atheris (libFuzzer, coverage-guided) for a short
budget, seeded with the repository's samples; `make fuzz` runs the same targets for longer.

Every input must finish within 1 s and the process stay under 200 MB, and only the gateway's
own error types may escape. Crashers kept in tests/fuzz/crashers/<target>/ are replayed here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fuzz.targets import call, targets

pytestmark = pytest.mark.slow

# make fuzz: FUZZ_SECONDS of random exploration per target. make test: a fixed seed and a fixed
# number of inputs, so the same commit always runs the same inputs (a red CI is reproducible).
FUZZ_SECONDS = os.environ.get("FUZZ_SECONDS")
BUDGET = [f"-max_total_time={FUZZ_SECONDS}"] if FUZZ_SECONDS else ["-seed=1", "-runs=3000"]
BUDGET_SECONDS = int(FUZZ_SECONDS or "60")
CRASHERS = Path(__file__).parent / "crashers"


@pytest.mark.parametrize("name", sorted(targets()))
def test_target_survives_a_fuzzing_budget(name: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz.run_atheris",
            name,
            *BUDGET,
            "-timeout=1",
            f"-artifact_prefix={tmp_path}/",
            "-print_final_stats=1",
        ],
        cwd=REPO,
        env={**os.environ, "FUZZ_INPUT_MB": "200"},
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS + 120,
    )
    found = sorted(p.name for p in tmp_path.iterdir())
    assert proc.returncode == 0, (
        f"{name}: libFuzzer exit {proc.returncode}, artifacts {found}:\n{proc.stderr[-4000:]}"
    )
    runs = [
        line
        for line in proc.stderr.splitlines()
        if line.startswith("stat::number_of_executed_units")
    ]
    assert runs and int(runs[0].split(":")[-1]) > 100, proc.stderr[-2000:]


def _crashers() -> list[tuple[str, Path]]:
    return sorted(
        (d.name, f) for d in CRASHERS.iterdir() if d.is_dir() for f in d.iterdir() if f.is_file()
    )


@pytest.mark.parametrize(("name", "path"), _crashers(), ids=lambda v: str(getattr(v, "name", v)))
def test_kept_crashers_raise_only_gateway_errors(name: str, path: Path) -> None:
    call(targets()[name], path.read_bytes())


def test_seeds_pass_every_target() -> None:
    for target in targets().values():
        seeds = target.seeds()
        assert seeds
        for seed in seeds:
            call(target, seed)
