"""`gateway validate` throughput of the gateway package at another commit against the working tree.

The other commit's `gateway/` is extracted with `git archive` into a temporary folder and put first
on PYTHONPATH of a child process; both sides validate the same generated files (in-process, best
of `--repeat`), taking turns so that a busy neighbour slows both alike.

    .venv/bin/python bench/compare_commits.py COMMIT [--sets N] [--repeat R] [--rounds K]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import subprocess
import tempfile

from bench.common import OUT, REPO, command_line
from bench.generate import KINDS, generate

# Runs in the child: the `gateway` imported is whichever PYTHONPATH puts first.
_TIMER = """
import contextlib, io, sys, time
from pathlib import Path
import typer
from gateway.cli import validate
path, ack, repeat = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
clock = time.process_time if sys.argv[4] == "cpu" else time.perf_counter
best = float("inf")
for _ in range(repeat):
    start = clock()
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            validate(path, ack_out=ack, ack=None, as_json=False)
        except typer.Exit:
            pass
    best = min(best, clock() - start)
print(best)
"""


def _time(path: Path, repeat: int, pythonpath: str | None, clock: str = "wall") -> float:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)
    ack = path.with_suffix(".ack")
    done = subprocess.run(
        [sys.executable, "-c", _TIMER, str(path), str(ack), str(repeat), clock],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),  # not the repository: its gateway/ must not shadow the other
        check=True,
    )
    ack.unlink(missing_ok=True)
    return float(done.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("commit", help="the commit to compare with, e.g. HEAD~5 or a hash")
    p.add_argument("--sets", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    p.add_argument("--rounds", type=int, default=2, help="turns each side takes per kind")
    p.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: the child's process time, steadier than wall time on a loaded machine",
    )
    a = p.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    lines = [
        f"| set | segments | {a.commit} seg/s | working tree seg/s | change |",
        "|---|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="gateway-at-") as old:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", a.commit, "gateway"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        for kind in KINDS:
            g = generate(OUT / f"compare-{kind}.x12", kind, a.sets)
            path = Path(g.path)
            try:
                then = now = float("inf")
                for _ in range(a.rounds):
                    then = min(then, _time(path, a.repeat, old, a.clock))
                    now = min(now, _time(path, a.repeat, None, a.clock))
            finally:
                path.unlink(missing_ok=True)
            lines.append(
                f"| {kind} | {g.segments:,} | {g.segments / then:,.0f} | {g.segments / now:,.0f} "
                f"| {then / now - 1:+.0%} |"
            )
    cmd = command_line(sys.argv[1:] if argv is None else argv)
    sys.stdout.write("\n".join(lines) + f"\n\ncommand: {cmd}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
