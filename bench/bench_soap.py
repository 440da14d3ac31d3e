"""Latency of the ERP SOAP service over loopback, with zeep as the client (sequential calls).

    .venv/bin/python bench/bench_soap.py [--orders 50] [--queries 100]

Starts a gateway in a temporary home (SQLite) with its HTTP server on a free port, releases
`--orders` orders (each: parse, XSD, auth, archive, 204 with control numbers, TMS copy) and
asks `--queries` shipment statuses; prints the median and p95 per call and calls per second.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable

from tests.integration.soap_env import shipment, start


def timed(n: int, call: Callable[[int], object]) -> list[float]:
    times = []
    for i in range(n):
        started = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"{name:22} n={len(times):4}  median {statistics.median(times) * 1000:6.1f} ms  "
        f"p95 {p95 * 1000:6.1f} ms  {len(times) / sum(times):6.1f} calls/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env_iter = start(Path(tmp))
        env = next(env_iter)
        client = env.client()
        client.service.GetShipmentStatus(KEY="warm-up")
        releases = timed(
            args.orders,
            lambda i: client.service.ReleaseOrder(
                DOCNUM=f"B{i:08d}", Shipment=shipment(f"{9_000_000_000 + i:010d}")
            ),
        )
        orders = max(args.orders, 1)
        queries = timed(
            args.queries,
            lambda i: client.service.GetShipmentStatus(KEY=f"{9_000_000_000 + i % orders:010d}"),
        )
        report("ReleaseOrder", releases)
        report("GetShipmentStatus", queries)
        for _ in env_iter:
            pass


if __name__ == "__main__":
    main()
