"""REST ingest throughput: distinct 214 interchanges POSTed over loopback HTTP to a real
uvicorn server (API key, Idempotency-Key, archive + receipt per request), then processed.

    .venv/bin/python bench/bench_rest_ingest.py [--n 300]

Prints requests/s for the receipt (the HTTP answer) and 214 sets/s for the processing that
follows; one client, sequential requests, so this is latency-bound, not a capacity figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import shutil
import tempfile
import time

import httpx

from gateway.ops import create_app, serve_in_thread
from gateway.ops.auth import AuthConfig
from gateway.ops.rest import rest_routers
from gateway.service import Gateway
from gateway.settings import Settings

REPO = Path(__file__).resolve().parents[1]
KEY = "bench-carrier-key"
ISA = "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *"


def interchange(n: int) -> bytes:
    isa13 = f"{n:09d}"
    sets = []
    for s in (1, 2):
        st = f"{s:04d}"
        segs = [
            f"ST*214*{st}",
            f"B10*BP{n}-{s}*BS{n}-{s}*DEMO",
            "N1*SH*ACME RETAIL*93*ACME-RETAIL",
            "LX*1",
            "AT7*X3*NS***20240105*0800*CT",
            "MS1*DALLAS*TX*US",
        ]
        segs.append(f"SE*{len(segs) + 1}*{st}")
        sets.extend(segs)
    return (
        f"{ISA}240105*0900*U*00401*{isa13}*0*P*>~GS*QM*DEMOCARRIER*LOGIGATEWAY*20240105*0900*"
        f"{n}*X*004010~" + "~".join(sets) + f"~GE*2*{n}~IEA*1*{isa13}~"
    ).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300)
    n = parser.parse_args().n
    home = Path(tempfile.mkdtemp(prefix="bench-rest-"))
    try:
        shutil.copytree(REPO / "partners", home / "partners")
        settings = Settings(
            base_dir=home,
            partners_dir=home / "partners",
            inbox_dir=home / "inbox",
            outbox_dir=home / "outbox",
            var_dir=home / "var",
            database_url=None,
            stable_seconds=0.0,
        )
        gw = Gateway(settings)
        env = {"GATEWAY_API_KEYS": f"carrier|ingest:demo-carrier|{KEY}", "GATEWAY_API_RATE": "1e6"}
        auth = AuthConfig.from_env(env, gw.registry)
        routers = rest_routers(gw.store, gw.registry, gw.pipeline, lambda: None)
        server = serve_in_thread(
            create_app(gw.store, gw.registry, auth=auth, routers=routers), port=0
        )
        bodies = [interchange(i) for i in range(1, n + 1)]
        headers = {"X-API-Key": KEY, "Content-Type": "application/edi-x12"}
        with httpx.Client(base_url=server.url, timeout=30) as client:
            start = time.perf_counter()
            for i, body in enumerate(bodies):
                r = client.post(
                    "/api/v1/partners/demo-carrier/x12",
                    content=body,
                    headers=headers | {"Idempotency-Key": f"b-{i}"},
                )
                assert r.status_code == 202, r.text
            received = time.perf_counter() - start
        start = time.perf_counter()
        gw.tick()
        processed = time.perf_counter() - start
        server.stop()
        gw.store.close()
        loadavg = Path("/proc/loadavg")
        load = loadavg.read_text().split()[:3] if loadavg.exists() else []
        print(f"REST ingest, {n} interchanges of 2 x 214 (load average {' '.join(load)})")
        each = received * 1000 / n
        print(f"  receipt over HTTP: {n / received:8.1f} requests/s ({each:.1f} ms each)")
        print(f"  processing + delivery after: {2 * n / processed:8.1f} 214 sets/s")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
