"""The 214 mapping alone: `shipment_status_from_x12` per set, on generated sets read in advance.

Sets come from `bench/generate.py` (the same 214s the path benches use), read with the gateway's
own reader and envelope checker before timing; then every set is mapped, `--repeat` times, and
the best run counts. The cyclic GC is set up as `gateway run` does it (gateway/service.py):
collect, freeze what start-up allocated, thresholds (50,000, 20, 100).

The transforms memoise pure lookups (places, parties, dates, zones: functools caches); a repeated
run over the same sets finds them filled. `--cold` empties every cache of the `transforms`
modules before each run, so each run reads its sets as new ones (the worst case for the caches).

    .venv/bin/python bench/bench_map_214.py [--sets 5000] [--repeat 7] [--profile portal|shipped]
        [--cold] [--gc tuned|default] [--cprofile N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import cProfile
import gc
import io
import pstats
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bench.bench_214_path import BENCH_CARRIER
from bench.generate import DEMO_CARRIER, Layout, iter_chunks
from gateway.canonical import SourceMetadata
from gateway.x12.envelope import enveloped_sets
from gateway.x12.model import Delimiters, TransactionSet
from transforms.x12_214 import shipment_status_from_x12
from transforms.x12_common import source_metadata

# What the two bench partners pass to the mapping: the portal-only bench carrier has no code map
# (bench/bench_214_path.py), the shipped demo carrier the map of partners/demo-carrier.yaml.
PROFILES: dict[str, tuple[Mapping[str, str] | None, str | None]] = {
    "portal": (None, "America/Chicago"),
    "shipped": (
        {"X1": "arrived_at_delivery", "D1": "delivered", "AG": "estimated_delivery"},
        "America/Chicago",
    ),
}


@dataclass(frozen=True, slots=True)
class Job:
    ts: TransactionSet
    delimiters: Delimiters
    envelope: SourceMetadata


def load(sets: int, profile: str) -> list[Job]:
    """`sets` generated 214s with their delimiters and source metadata, ready to map."""
    sender = BENCH_CARRIER if profile == "portal" else DEMO_CARRIER
    data = b"".join(iter_chunks("214", sets, Layout(per_interchange=1000, sender=sender)))
    jobs: list[Job] = []
    for item in enveloped_sets(io.BytesIO(data)):
        envelope = source_metadata(item.ts, item.interchange, item.group, partner_id=profile)
        jobs.append(Job(item.ts, item.interchange.delimiters, envelope))
    return jobs


def clear_caches() -> int:
    """Empty the functools caches of every loaded `transforms` module; returns how many."""
    cleared = 0
    for name, module in list(sys.modules.items()):
        if name == "transforms" or name.startswith("transforms."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
                    cleared += 1
    return cleared


def map_all(jobs: list[Job], code_map: Mapping[str, str] | None, zone: str | None) -> float:
    """Seconds to map every job once."""
    start = time.perf_counter()
    for job in jobs:
        shipment_status_from_x12(
            job.ts,
            delimiters=job.delimiters,
            envelope=job.envelope,
            profile_code_map=code_map,
            default_tz=zone,
        )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sets", type=int, default=5000)
    p.add_argument("--repeat", type=int, default=7, help="runs over all sets; the best counts")
    p.add_argument("--profile", choices=sorted(PROFILES), default="portal")
    p.add_argument(
        "--gc",
        choices=("tuned", "default"),
        default="tuned",
        help="tuned: the collector as gateway/service.py sets it (default); default: untouched",
    )
    p.add_argument(
        "--cold", action="store_true", help="empty the transforms' caches before each run"
    )
    p.add_argument("--cprofile", type=int, default=0, help="then print the N top own-time rows")
    a = p.parse_args(argv)
    code_map, zone = PROFILES[a.profile]
    jobs = load(a.sets, a.profile)
    map_all(jobs[:200], code_map, zone)  # warm: imports, zone files, lazy pydantic work
    if a.gc == "tuned":
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
    runs = []
    for _ in range(a.repeat):
        if a.cold:
            clear_caches()
        runs.append(map_all(jobs, code_map, zone))
    per_set = sorted(r / len(jobs) * 1e6 for r in runs)
    print(
        f"map 214 -> canonical ({a.profile}{', cold caches' if a.cold else ''}): "
        f"{len(jobs)} sets x {a.repeat} runs; "
        f"us per set best {per_set[0]:.1f}, median {per_set[len(per_set) // 2]:.1f}, "
        f"worst {per_set[-1]:.1f}"
    )
    if a.cprofile:
        prof = cProfile.Profile()
        prof.enable()
        map_all(jobs, code_map, zone)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime").print_stats(a.cprofile)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
