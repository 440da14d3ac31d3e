"""`make bench`'s verdicts on the scale-out targets (issue 16), from the scripts' JSON.

The figures here are made up on purpose: these tests check how a verdict is reached (which
figure, which median, which sizes may judge a target), not what the machine measures.
"""

from __future__ import annotations

from typing import Any

from bench.bench_small_files import medians
from bench.run_all import scale_targets


def _burst(files_per_s: float, first: float, files: int = 10_000) -> dict[str, Any]:
    return {
        "mode": f"burst of {files} files (one 214 each)",
        "files_per_s_drop_to_997_and_portal": files_per_s,
        "first_portal_after_drop_s": first,
        "latency_p99_s": 40.0,
        "gateway_cpu_ms_per_file": 4.7,
    }


def _sustained(p99: float, rate: int = 200) -> dict[str, Any]:
    return {
        "mode": f"sustained {rate} files/s for 15 s ({rate * 15} files)",
        "latency_p50_s": 0.3,
        "latency_p99_s": p99,
    }


def test_medians_take_the_middle_run_of_each_mode_and_count_p99s_under_a_second() -> None:
    results = [
        _burst(224.0, 0.78),
        _sustained(1.57),
        _burst(229.1, 0.51),
        _sustained(0.64),
        _burst(223.2, 0.76),
        _sustained(0.85),
    ]
    got = medians(results)
    assert got["burst"]["runs"] == 3
    assert got["burst"]["files_per_s_drop_to_997_and_portal"]["median"] == 224.0
    assert got["burst"]["first_portal_after_drop_s"]["median"] == 0.76
    assert got["sustained"]["latency_p99_s"] == {
        "median": 0.85,
        "min": 0.64,
        "max": 1.57,
        "each": [1.57, 0.64, 0.85],
    }
    assert got["sustained"]["p99_under_1s"] == 2
    assert "files_per_s_drop_to_997_and_portal" not in got["sustained"]


def _per_core(portal: int, shipped: int, sets: int = 5_000) -> dict[str, Any]:
    return {
        "sets": sets,
        "per_interchange": 1_000,
        "portal": {"sets_per_s": portal, "each": [portal - 50, portal, portal + 80]},
        "shipped": {"sets_per_s": shipped, "each": [shipped, shipped + 10, shipped + 20]},
    }


def _pg(per_worker: int, speedup: float, files: int = 8, repeat: int = 3) -> dict[str, Any]:
    return {
        "files": files,
        "repeat": repeat,
        "workers_1": {"sets_per_s": 1_375, "sets_per_worker_cpu_s": per_worker},
        "workers_2": {"sets_per_s": round(1_375 * speedup), "speedup": speedup},
    }


def _line(lines: list[str], start: str) -> str:
    (found,) = [x for x in lines if x.startswith(start)]
    return found


def test_each_target_is_judged_on_its_own_figure() -> None:
    small = {"medians": medians([_burst(1_200.0, 0.5), _sustained(0.8)])}
    lines = scale_targets(_per_core(5_100, 2_400), small, _pg(2_948, 1.85))
    assert "**met**" in _line(lines, "- 214 path, one core, portal routing")
    assert "**not met**" in _line(lines, "- 214 path, one core, shipped routing")
    assert "**met**" in _line(lines, "- 10,000 one-214 files >= 1,000 files/s")
    assert "**met**" in _line(lines, "- First portal file within 1 s")
    assert "**met**" in _line(lines, "- p99 drop to portal file < 1 s")
    assert "**met**" in _line(lines, "- PostgreSQL >= 2,500 sets per worker")
    assert "**met**" in _line(lines, "- PostgreSQL, 2 workers >= 1.6x")

    small = {"medians": medians([_burst(224.0, 1.2), _sustained(1.0)])}
    lines = scale_targets(_per_core(2_700, 1_300), small, _pg(2_400, 1.5))
    assert "**not met**" in _line(lines, "- 214 path, one core, portal routing")
    assert "**not met**" in _line(lines, "- 10,000 one-214 files")
    assert "**not met**" in _line(lines, "- First portal file")
    assert "**not met**" in _line(lines, "- p99 drop to portal file")  # 1.0 s is not under 1 s
    assert "**not met**" in _line(lines, "- PostgreSQL >= 2,500")
    assert "**not met**" in _line(lines, "- PostgreSQL, 2 workers")


def test_a_quick_run_reports_its_figures_but_judges_nothing() -> None:
    small = {"medians": medians([_burst(5_000.0, 0.1, files=200), _sustained(0.1, rate=50)])}
    lines = scale_targets(
        _per_core(9_000, 9_000, sets=1_000), small, _pg(9_000, 2.0, files=1, repeat=1)
    )
    judged = [x for x in lines if "**met**" in x or "**not met**" in x]
    assert judged == []
    assert any("5,000.0 files/s" in x for x in lines)


def test_what_was_not_measured_says_why() -> None:
    lines = scale_targets(None, None, None, "no PostgreSQL at postgresql://x: OperationalError")
    assert lines == [
        "- 214 path per core: not measured (--no-profile).",
        "- Many small files: not measured (--no-scale).",
        "- PostgreSQL workers: not measured (no PostgreSQL at postgresql://x: OperationalError).",
    ]


def test_the_report_tables_put_each_figure_under_its_column() -> None:
    from bench.run_all import _pg_table, _small_files_table

    small = _small_files_table({"medians": medians([_burst(224.0, 0.78), _sustained(0.85)])})
    assert small.splitlines()[2] == (
        "| burst of 10000 files (one 214 each) | 1 | 224 (224-224) | 0.78 (0.78-0.78) | "
        "40 (40-40) | 4.7 (4.7-4.7) |"
    )
    pg = _pg_table(
        {
            "files": 8,
            "workers_1": {
                "sets_per_s": 1_412,
                "speedup": 1.0,
                "sets_per_worker_cpu_s": 3_086,
                "worker_cpu_ms_per_1000_sets": 324,
                "server_cpu_ms_per_1000_sets": 372,
                "session_states": "on CPU 54%",
            },
        }
    )
    assert pg.splitlines()[0].count("|") == pg.splitlines()[2].count("|") == 7
    assert pg.splitlines()[2] == "| 1 | 1,412 | 1.00x | 3,086 | 324 + 372 | on CPU 54% |"
