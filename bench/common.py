"""Shared by the bench scripts: machine facts, timing, child processes with peak RSS, tables."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"  # git-ignored
BIN = Path(sys.executable).parent  # the venv's bin: python and the `gateway` script

T = TypeVar("T")


@dataclass(slots=True)
class Row:
    """One measured figure and how it was obtained."""

    what: str
    file: str  # what was measured on, in words (kind, sets, size)
    seconds: float
    segments: int = 0
    sets: int = 0
    peak_rss_mb: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def segments_per_s(self) -> float:
        return self.segments / self.seconds if self.seconds and self.segments else 0.0

    @property
    def sets_per_s(self) -> float:
        return self.sets / self.seconds if self.seconds and self.sets else 0.0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["segments_per_s"] = round(self.segments_per_s)
        d["sets_per_s"] = round(self.sets_per_s)
        return d


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy the machine was at the start."""
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "commit": commit,
    }


def best_of(repeat: int, fn: Callable[[], T]) -> tuple[float, T]:
    """The fastest of `repeat` runs (others share this machine: the minimum is the least noisy)."""
    start = time.perf_counter()
    result = fn()
    best = time.perf_counter() - start
    for _ in range(repeat - 1):
        start = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, result = elapsed, value
    return best, result


@dataclass(frozen=True, slots=True)
class ChildRun:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(cmd: Sequence[str], *, cwd: Path | None = None) -> ChildRun:
    """Run `cmd` and read its own peak RSS from wait4 (not the sum over every child ever run)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            elapsed,
            usage.ru_maxrss / 1024,  # kilobytes on Linux
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def command_line(args: Sequence[str]) -> str:
    """How to repeat a run, from the repository root."""
    script = Path(sys.argv[0]).resolve()
    try:
        shown = str(script.relative_to(REPO))
    except ValueError:
        shown = str(script)
    return " ".join([".venv/bin/python", shown, *args])


def fmt_int(value: float) -> str:
    return f"{value:,.0f}" if value else "-"


def table(rows: Sequence[Row]) -> str:
    """A markdown table of the rows."""
    lines = [
        "| measured | on | seconds | segments/s | sets/s | peak RSS MB | note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        rss = f"{r.peak_rss_mb:.0f}" if r.peak_rss_mb is not None else "-"
        lines.append(
            f"| {r.what} | {r.file} | {r.seconds:.2f} | {fmt_int(r.segments_per_s)} | "
            f"{fmt_int(r.sets_per_s)} | {rss} | {r.note} |"
        )
    return "\n".join(lines)


def mb(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB"
