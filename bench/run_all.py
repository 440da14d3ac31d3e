"""`make bench`: every benchmark in one run, each in its own process, and a verdict per target.

Runs bench_validate.py, bench_214_path.py, bench_rss.py, bench_floor.py (what the parts of the
214 path cost alone) and profile_214.py (a stage profile of the 214 path) as child processes,
prints their tables with the command that made them, checks the issue's targets against the
measured figures, and writes bench/out/results.md and .json.

    .venv/bin/python bench/run_all.py [--quick] [--no-profile]

Full run: about ten minutes on two cores (a 1 GB file is generated, validated and deleted);
--quick: about a minute, small sizes, for a smoke check.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import time
from typing import Any

from rich.console import Console
from rich.progress import Progress

from bench.common import OUT, REPO, command_line, machine, run_child

TARGET_SEGMENTS_PER_S = 500_000
TARGET_214_PER_S = 10_000
TARGET_RSS_MB = 200
_HERE = Path(__file__).resolve().parent


def _script(name: str, args: list[str]) -> tuple[dict[str, Any], str, float]:
    """Run bench/<name> with `args` + --json; returns its JSON, its stdout and its seconds."""
    out = OUT / f"run_all-{name.removesuffix('.py')}.json"
    child = run_child([sys.executable, str(_HERE / name), *args, "--json", str(out)], cwd=REPO)
    if child.returncode != 0:
        raise RuntimeError(f"{name} {' '.join(args)} failed:\n{child.stdout}\n{child.stderr}")
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    doc["command"] = doc["command"].rsplit(" --json ", 1)[0]  # how to repeat it by hand
    return doc, child.stdout, child.seconds


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def targets(validate: dict[str, Any], path: dict[str, Any], rss: dict[str, Any]) -> list[str]:
    """One line per target, with the figures it was judged on."""
    lines = []
    in_process = [
        r for r in validate["rows"] if r["what"].startswith("gateway validate, in-process")
    ]
    command = [r for r in rss["rows"] if r["what"].startswith("`gateway validate")]
    big = command[0]
    slowest = min(in_process, key=lambda r: r["segments_per_s"])
    ok = big["segments_per_s"] >= TARGET_SEGMENTS_PER_S and (
        slowest["segments_per_s"] >= TARGET_SEGMENTS_PER_S
    )
    lines.append(
        f"- Validation + acknowledgement >= {TARGET_SEGMENTS_PER_S:,} segments/s: {_verdict(ok)}."
        f" `gateway validate` on {big['file']}: {big['segments_per_s']:,} segments/s; slowest "
        f"in-process run: {slowest['segments_per_s']:,} segments/s ({slowest['file']})."
    )
    for r in path["rows"]:
        if r["what"].startswith("214 path: receive + process"):
            ok = r["sets_per_s"] >= TARGET_214_PER_S
            lines.append(
                f"- 214 path >= {TARGET_214_PER_S:,} transactions/s, {r['file']}: {_verdict(ok)}."
                f" Archive, validate, 997, canonical, store and outbox rows: "
                f"{r['sets_per_s']:,} sets/s."
            )
        elif r["what"].startswith("214 path: deliver"):
            lines.append(f"  Delivery of the outbox rows to files, measured apart: {r['note']}.")
    one_gb = big["extra"].get("bytes", 0) >= 1 << 30
    ok = one_gb and big["peak_rss_mb"] is not None and big["peak_rss_mb"] < TARGET_RSS_MB
    lines.append(
        f"- Peak RSS < {TARGET_RSS_MB} MB for a 1 GB interchange: {_verdict(ok)}. "
        f"`gateway validate` on {big['file']}: {big['peak_rss_mb']:.0f} MB."
        + ("" if one_gb else " (not a 1 GB file: a --quick run cannot judge this target)")
    )
    return lines


def _rows_table(doc: dict[str, Any]) -> str:
    lines = [
        "| measured | on | seconds | segments/s | sets/s | peak RSS MB | note |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in doc["rows"]:
        rss = f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] is not None else "-"
        seg = f"{r['segments_per_s']:,}" if r["segments_per_s"] else "-"
        sets = f"{r['sets_per_s']:,}" if r["sets_per_s"] else "-"
        lines.append(
            f"| {r['what']} | {r['file']} | {r['seconds']:.2f} | {seg} | {sets} | {rss} | "
            f"{r['note']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke check)")
    p.add_argument("--no-profile", action="store_true", help="skip the stage profile")
    a = p.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    quick = ["--quick"] if a.quick else []
    facts = machine()
    start = time.perf_counter()
    sections: list[tuple[str, dict[str, Any], str]] = []
    profile = ""
    profile_cmd = ""
    steps = 5 if not a.no_profile else 4
    # a progress bar on stderr (a terminal only; stdout stays the report)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("benchmarks", total=steps)

        def step(label: str) -> None:
            progress.update(task, description=label)

        step("validation + acknowledgement")
        validate, _, _ = _script("bench_validate.py", quick)
        sections.append(("Validation + acknowledgement", validate, validate["command"]))
        progress.advance(task)
        step("the 214 path")
        path, _, _ = _script("bench_214_path.py", quick)
        sections.append(("The 214 path end to end", path, path["command"]))
        progress.advance(task)
        step("peak RSS on one huge interchange")
        rss, _, _ = _script("bench_rss.py", quick)
        sections.append(("Peak RSS on one huge interchange", rss, rss["command"]))
        progress.advance(task)
        step("the floor of the 214 path")
        floor, _, _ = _script("bench_floor.py", quick)
        progress.advance(task)
        if not a.no_profile:
            step("stage profile")
            args = ["--sets", "1000" if a.quick else "5000"]
            child = run_child([sys.executable, str(_HERE / "profile_214.py"), *args], cwd=REPO)
            if child.returncode != 0:
                raise RuntimeError(f"profile_214.py failed:\n{child.stderr}")
            profile = child.stdout.rsplit("\ncommand:", 1)[0].strip()
            profile_cmd = f".venv/bin/python bench/profile_214.py {' '.join(args)}"
            progress.advance(task)
    elapsed = time.perf_counter() - start

    out: list[str] = [
        f"# Benchmark run {facts['date']}" + (" (--quick)" if a.quick else ""),
        "",
        f"- machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['platform']}",
        f"- Python {facts['python']} ({facts['implementation']}), commit {facts['commit']}",
        f"- load average (1 min) at the start: {facts['loadavg_1m']} (the machine is shared)",
        f"- command: `{command_line(sys.argv[1:] if argv is None else argv)}`, "
        f"{elapsed / 60:.1f} minutes",
        "",
        "## Targets",
        "",
        *targets(validate, path, rss),
    ]
    for title, doc, cmd in sections:
        out += ["", f"## {title}", "", f"`{cmd}`", "", _rows_table(doc)]
    out += ["", "## The floor of the 214 path", "", f"`{floor['command']}`", "", floor["table"]]
    if profile:
        out += ["", "## Where the 214 path's time goes", "", f"`{profile_cmd}`", "", profile]
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    doc = {"machine": facts, "validate": validate, "path_214": path, "rss": rss, "floor": floor}
    (OUT / "results.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
