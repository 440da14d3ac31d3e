"""`make bench`: every benchmark in one run, each in its own process, and a verdict per target.

Runs bench_validate.py, bench_214_path.py, bench_rss.py, bench_floor.py (what the parts of the
214 path cost alone) and profile_214.py (a stage profile of the 214 path, three runs per
routing) as child processes, prints their tables with the command that made them, checks the
issues' targets against the measured figures, and writes bench/out/results.md and .json.

The scale-out targets (issue 16) are judged here too, each on the median of three runs:
the 214 path per core (profile_214.py, portal-only and shipped routing), many small files
(bench_small_files.py: bursts of 10,000 one-214 files and a sustained 200 files/s) and
PostgreSQL workers (bench_pg_workers.py: one worker and two, on the server of `--pg-admin`;
reported as not measured when no server answers there).

    .venv/bin/python bench/run_all.py [--quick] [--no-profile] [--no-scale] [--pg-admin URL]

Full run: about twelve minutes on two cores (a 1 GB file is generated, validated and deleted;
the small files take about five); --quick: about a minute, small sizes, for a smoke check, and
its figures judge no target that needs the full sizes.
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
# issue 16: per core (SQLite, 1,000-set interchanges), many small files, PostgreSQL workers
TARGET_PORTAL_PER_CORE = 5_000
TARGET_SHIPPED_PER_CORE = 2_500
TARGET_FILES_PER_S = 1_000
TARGET_FIRST_PORTAL_S = 1.0
TARGET_P99_S = 1.0
TARGET_PG_PER_WORKER = 2_500
TARGET_PG_TWO_WORKERS = 1.6
BURST_FILES = 10_000
SUSTAINED_RATE = 200
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
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


def _median(figures: dict[str, Any], mode: str, key: str) -> float | None:
    found = figures.get(mode, {}).get(key)
    return float(found["median"]) if isinstance(found, dict) else None


def scale_targets(
    per_core: dict[str, Any] | None,
    small: dict[str, Any] | None,
    pg: dict[str, Any] | None,
    pg_missing: str = "",
) -> list[str]:
    """One line per issue-16 target: `per_core` from profile_214.py --json, `small` from
    bench_small_files.py --json, `pg` from bench_pg_workers.py --json (None: not run, with
    `pg_missing` saying why). A run below the sizes a target names reports, not judges."""
    lines: list[str] = []
    if per_core is None:
        lines.append("- 214 path per core: not measured (--no-profile).")
    else:
        full = per_core["sets"] >= 5_000 and per_core["per_interchange"] == 1_000
        for routing, target in (
            ("portal", TARGET_PORTAL_PER_CORE),
            ("shipped", TARGET_SHIPPED_PER_CORE),
        ):
            got = per_core.get(routing)
            if got is None:
                continue
            each = ", ".join(f"{n:,}" for n in got["each"])
            verdict = _verdict(got["sets_per_s"] >= target) if full else "not judged (--quick)"
            lines.append(
                f"- 214 path, one core, {routing} routing >= {target:,} sets per CPU-second: "
                f"{verdict}. {got['sets_per_s']:,} (median of {each}; "
                f"{per_core['sets']:,} sets in interchanges of {per_core['per_interchange']:,})."
            )
    if small is None:
        lines.append("- Many small files: not measured (--no-scale).")
    else:
        figures = small["medians"]
        burst = figures.get("burst", {})
        full = str(burst.get("mode", "")).startswith(f"burst of {BURST_FILES} ")
        rate = _median(figures, "burst", "files_per_s_drop_to_997_and_portal")
        first = _median(figures, "burst", "first_portal_after_drop_s")
        runs = burst.get("runs", 0)
        if rate is not None:
            verdict = _verdict(rate >= TARGET_FILES_PER_S) if full else "not judged (--quick)"
            lines.append(
                f"- {BURST_FILES:,} one-214 files >= {TARGET_FILES_PER_S:,} files/s, drop to 997 "
                f"and portal delivered: {verdict}. {rate:,.1f} files/s (median of {runs}; "
                f"{burst['mode']})."
            )
        if first is not None:
            verdict = _verdict(first <= TARGET_FIRST_PORTAL_S) if full else "not judged (--quick)"
            lines.append(
                f"- First portal file within {TARGET_FIRST_PORTAL_S:g} s of the drop: {verdict}. "
                f"{first:.2f} s (median of {runs})."
            )
        steady = figures.get("sustained", {})
        p99 = _median(figures, "sustained", "latency_p99_s")
        if p99 is not None:
            judged = str(steady.get("mode", "")).startswith(f"sustained {SUSTAINED_RATE} ")
            verdict = _verdict(p99 < TARGET_P99_S) if judged else "not judged (--quick)"
            each = ", ".join(f"{v:g}" for v in steady["latency_p99_s"]["each"])
            lines.append(
                f"- p99 drop to portal file < {TARGET_P99_S:g} s at a sustained "
                f"{SUSTAINED_RATE} files/s: {verdict}. p99 {p99:.2f} s (median of {each} s; "
                f"{steady['p99_under_1s']} of {steady['runs']} runs under 1 s; "
                f"{steady['mode']})."
            )
    if pg is None:
        lines.append(f"- PostgreSQL workers: not measured ({pg_missing or '--no-scale'}).")
    else:
        one, two = pg.get("workers_1"), pg.get("workers_2")
        full = pg["files"] >= 8 and pg["repeat"] >= 3
        if one is not None:
            per_worker = one["sets_per_worker_cpu_s"]
            verdict = (
                _verdict(per_worker >= TARGET_PG_PER_WORKER) if full else "not judged (--quick)"
            )
            lines.append(
                f"- PostgreSQL >= {TARGET_PG_PER_WORKER:,} sets per worker (CPU-second), "
                f"portal-only: {verdict}. {per_worker:,} (median of {pg['repeat']}; one worker "
                f"{one['sets_per_s']:,} sets/s of wall time beside the server on this machine)."
            )
        if one is not None and two is not None:
            speedup = two["speedup"]
            verdict = _verdict(speedup >= TARGET_PG_TWO_WORKERS) if full else "not judged (--quick)"
            lines.append(
                f"- PostgreSQL, 2 workers >= {TARGET_PG_TWO_WORKERS:g}x one: {verdict}. "
                f"{speedup:.2f}x ({one['sets_per_s']:,} -> {two['sets_per_s']:,} sets/s)."
            )
    return lines


def _postgres_missing(admin: str) -> str:
    """Why the PostgreSQL benchmark cannot run against `admin` ("" when it can)."""
    try:
        import psycopg

        with psycopg.connect(admin, connect_timeout=3):
            return ""
    except Exception as exc:  # any failure to connect means: not measured, and why
        return f"no PostgreSQL at {admin}: {type(exc).__name__}"


def _table(header: dict[str, str], rows: list[list[str]]) -> str:
    """A Markdown table: `header` maps each column's title to its alignment ("---" or "---:")."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(header.values()) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _small_files_table(doc: dict[str, Any]) -> str:
    def cell(m: dict[str, Any], key: str) -> str:
        v = m.get(key)
        return "-" if v is None else f"{v['median']:g} ({v['min']:g}-{v['max']:g})"

    rows = [
        [
            m["mode"],
            str(m["runs"]),
            cell(m, "files_per_s_drop_to_997_and_portal"),
            cell(m, "first_portal_after_drop_s"),
            cell(m, "latency_p99_s"),
            cell(m, "gateway_cpu_ms_per_file"),
        ]
        for kind in ("burst", "sustained")
        if (m := doc["medians"].get(kind)) is not None
    ]
    header = {"mode": "---", "runs": "---:", "files/s": "---", "first portal s": "---"}
    header |= {"p99 s": "---", "gateway CPU ms/file": "---"}
    return _table(header, rows)


def _pg_table(doc: dict[str, Any]) -> str:
    rows = [
        [
            key.removeprefix("workers_"),
            f"{w['sets_per_s']:,}",
            f"{w['speedup']:.2f}x",
            f"{w['sets_per_worker_cpu_s']:,}",
            f"{w['worker_cpu_ms_per_1000_sets']} + {w['server_cpu_ms_per_1000_sets']}",
            str(w["session_states"]),
        ]
        for key, w in doc.items()
        if key.startswith("workers_")
    ]
    header = {"workers": "---:", "sets/s": "---:", "speedup": "---:"}
    header |= {"sets per worker CPU-s": "---:", "CPU ms per 1,000 sets: workers + server": "---"}
    header |= {"where the sessions were": "---"}
    return _table(header, rows)


def _rows_table(doc: dict[str, Any]) -> str:
    rows = [
        [
            r["what"],
            r["file"],
            f"{r['seconds']:.2f}",
            f"{r['segments_per_s']:,}" if r["segments_per_s"] else "-",
            f"{r['sets_per_s']:,}" if r["sets_per_s"] else "-",
            f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] is not None else "-",
            r["note"],
        ]
        for r in doc["rows"]
    ]
    header = {"measured": "---", "on": "---", "seconds": "---:", "segments/s": "---:"}
    header |= {"sets/s": "---:", "peak RSS MB": "---:", "note": "---"}
    return _table(header, rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke check)")
    p.add_argument("--no-profile", action="store_true", help="skip the stage profile")
    p.add_argument(
        "--no-scale", action="store_true", help="skip the small files and PostgreSQL workers"
    )
    p.add_argument("--pg-admin", default=DEFAULT_PG_ADMIN, help="PostgreSQL for the workers")
    a = p.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    quick = ["--quick"] if a.quick else []
    facts = machine()
    start = time.perf_counter()
    sections: list[tuple[str, dict[str, Any], str]] = []
    profile = ""
    profile_cmd = ""
    per_core: dict[str, Any] | None = None
    small: dict[str, Any] | None = None
    pg: dict[str, Any] | None = None
    pg_missing = ""
    steps = 4 + (0 if a.no_profile else 1) + (0 if a.no_scale else 2)
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
            step("stage profile, three runs per routing")
            args = ["--sets", "1000" if a.quick else "5000", "--runs", "1" if a.quick else "3"]
            per_core, stdout, _ = _script("profile_214.py", args)
            profile = stdout.rsplit("\ncommand:", 1)[0].strip()
            profile_cmd = per_core["command"]
            progress.advance(task)
        if not a.no_scale:
            step("many small files (a running gateway)")
            full = ["--burst", str(BURST_FILES), "--rate", str(SUSTAINED_RATE), "--seconds", "15"]
            sizes = (
                ["--burst", "200", "--rate", "50", "--seconds", "2"]
                if a.quick
                else [*full, "--repeat", "3"]
            )
            small, _, _ = _script("bench_small_files.py", sizes)
            progress.advance(task)
            step("PostgreSQL workers")
            pg_missing = _postgres_missing(a.pg_admin)
            if not pg_missing:
                sizes = ["--files", "1", "--repeat", "1"] if a.quick else ["--files", "8"]
                pg, _, _ = _script("bench_pg_workers.py", [*sizes, "--admin", a.pg_admin])
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
        "",
        "## Scale-out targets (issue 16)",
        "",
        *scale_targets(per_core, small, pg, pg_missing),
    ]
    for title, doc, cmd in sections:
        out += ["", f"## {title}", "", f"`{cmd}`", "", _rows_table(doc)]
    out += ["", "## The floor of the 214 path", "", f"`{floor['command']}`", "", floor["table"]]
    if profile:
        out += ["", "## Where the 214 path's time goes", "", f"`{profile_cmd}`", "", profile]
    if small is not None:
        out += ["", "## Many small files", "", f"`{small['command']}`", ""]
        out += [_small_files_table(small)]
    if pg is not None:
        out += ["", "## PostgreSQL workers", "", f"`{pg['command']}`", ""]
        out += [_pg_table(pg)]
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    (OUT / "results.md").write_text(text, encoding="utf-8")
    doc = {
        "machine": facts,
        "validate": validate,
        "path_214": path,
        "rss": rss,
        "floor": floor,
        "per_core": per_core,
        "small_files": small,
        "pg_workers": pg,
    }
    (OUT / "results.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
