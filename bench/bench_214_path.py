"""The 214 path end to end on the embedded default: files dropped in a fresh gateway home.

Measured phases, as `Gateway.tick()` runs them (gateway/service.py), timed apart:
  receive   FolderSource.poll + InboundPipeline.receive: archive (sha256, fsync) + receipt row
  process   InboundPipeline.process per message: validate, 997, canonical, routing/rendering,
            store rows and outbox rows
  deliver   DeliveryWorker.run_once until done or out of time: outbox rows written to files
Two routings: the shipped demo carrier (shipment_status -> erp, tms, portal) and a bench carrier
written into the bench home whose 214s go to the portal only, each in a child process of its own.
Files carry several interchanges of `--per-interchange` sets, each file other shipments.

    .venv/bin/python bench/bench_214_path.py [--quick] [--files F] [--interchanges I]
        [--per-interchange N] [--routing shipped|portal|both] [--deliver-seconds S]
        [--gc default|tuned|off] [--json OUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import gc
import json
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass

from bench.common import OUT, REPO, Row, command_line, machine, run_child, table
from bench.generate import DEMO_CARRIER, Layout, Party, generate

QUICK = {"files": 2, "interchanges": 2, "per_interchange": 1000, "deliver_seconds": 10}
FULL = {"files": 10, "interchanges": 5, "per_interchange": 1000, "deliver_seconds": 60}

BENCH_CARRIER = Party("ZZ", "BENCHCARRIER", "BENCHCARRIER")
_BENCH_PROFILE = """\
# Written by bench/bench_214_path.py into a throw-away home: a carrier whose 214s go to the
# portal only, to measure the 214 path without the ERP and TMS renderers.
id: bench-carrier
name: Bench Carrier (portal only)
role: carrier
scac: BNCH
timezone: America/Chicago
x12:
  isa_qualifier: ZZ
  isa_id: BENCHCARRIER
  gs_id: BENCHCARRIER
  version: "004010"
  delimiters: {element: "*", segment: "~", component: ">"}
  usage: P
documents:
  inbound: [214, 997]
  outbound: [997]
acks:
  kind: "997"
  send: true
  send_ta1: on-request
transport:
  kind: folder
  inbound_dir: inbox/bench-carrier
  outbound_dir: outbox/bench-carrier
routing:
  - document: shipment_status
    destinations: [portal]
"""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str  # "shipped" or "portal"
    account: str
    sender: Party
    scac: str
    destinations: str


SCENARIOS = {
    "shipped": Scenario("shipped", "demo-carrier", DEMO_CARRIER, "DEMO", "erp, tms, portal"),
    "portal": Scenario("portal", "bench-carrier", BENCH_CARRIER, "BNCH", "portal"),
}


def make_home(root: Path) -> Path:
    """A gateway home like tests/integration/gateway_env.py's: shipped partners + the bench one."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=root))
    shutil.copytree(REPO / "partners", home / "partners")
    (home / "partners" / "bench-carrier.yaml").write_text(_BENCH_PROFILE, encoding="utf-8")
    return home


GC_MODES = ("default", "tuned", "off")


def _tune_gc(mode: str) -> None:
    """What a long-running service could do about the cyclic GC, to measure it (not done by the
    gateway today): `tuned` freezes what start-up allocated and collects young objects less
    often; `off` is the bound (never for production)."""
    if mode == "default":
        return
    gc.collect()
    gc.freeze()
    if mode == "tuned":
        gc.set_threshold(50_000, 20, 100)
    elif mode == "off":
        gc.disable()
    else:
        raise ValueError(mode)


def _files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def run_scenario(
    scenario: Scenario,
    files: int,
    interchanges: int,
    per_interchange: int,
    *,
    deliver_seconds: float = 60.0,
    gc_mode: str = "default",
    keep: bool = False,
) -> list[Row]:
    from gateway.service import Gateway
    from gateway.settings import Settings
    from gateway.store import MessageStatus

    OUT.mkdir(parents=True, exist_ok=True)
    home = make_home(OUT)
    try:
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
        _tune_gc(gc_mode)
        per_file = interchanges * per_interchange
        staging = home / "staging"
        segments = 0
        size = 0
        for i in range(files):
            layout = Layout(
                per_interchange=per_interchange,
                sender=scenario.sender,
                scac=scenario.scac,
                first_isa13=1 + i * interchanges,
                first_set=1 + i * per_file,  # other shipments: not business duplicates
            )
            g = generate(staging / f"status-{i:04d}.x12", "214", per_file, layout)
            segments += g.segments
            size += g.bytes
        inbox = settings.inbox_dir / scenario.account
        inbox.mkdir(parents=True, exist_ok=True)
        for p in sorted(staging.iterdir()):
            os.rename(p, inbox / p.name)  # complete files appear at once, as a partner's would

        received = processed = sets = accepted = deliveries = 0
        t_receive = t_process = 0.0
        start, cpu_start = time.perf_counter(), time.process_time()
        while True:
            t0 = time.perf_counter()
            claims = 0
            for claim in gw.source.poll():
                claims += 1
                if gw.pipeline.receive(claim) is not None:
                    received += 1
            t1 = time.perf_counter()
            pending = gw.store.list_messages(
                status=MessageStatus.RECEIVED, oldest_first=True, limit=100
            )
            for msg in pending:
                outcome = gw.pipeline.process(msg.id)
                if outcome.status is not MessageStatus.PARSED:
                    raise RuntimeError(f"message {msg.id}: {outcome.status} {outcome.reason}")
                processed += 1
                sets += outcome.sets
                accepted += outcome.accepted
                deliveries += outcome.deliveries
            t2 = time.perf_counter()
            t_receive += t1 - t0
            t_process += t2 - t1
            if not claims and not pending:
                break
        ingest = time.perf_counter() - start
        cpu_ingest = time.process_time() - cpu_start  # this process only: the machine is shared
        load = os.getloadavg()[0]
        expected = files * per_file
        if received != files or sets != expected or accepted != expected:
            raise RuntimeError(f"received {received}/{files}, sets {sets}, accepted {accepted}")

        # delivery is bound by syncing files: measured on as many rows as `deliver_seconds` allows
        acks = files * interchanges
        queued = deliveries + acks
        delivered = 0
        t0, cpu0 = time.perf_counter(), time.process_time()
        while time.perf_counter() - t0 < deliver_seconds:
            n = gw.delivery.run_once()
            if n == 0:
                break
            delivered += n
        t_deliver = time.perf_counter() - t0
        cpu_deliver = time.process_time() - cpu0
        written = _files(settings.outbox_dir)
        if written != delivered or (delivered < queued and t_deliver < deliver_seconds):
            raise RuntimeError(f"delivered {delivered} of {queued}, {written} files written")
        gw.store.close()
    finally:
        if not keep:
            shutil.rmtree(home, ignore_errors=True)

    on = (
        f"{scenario.name} routing ({scenario.destinations}): {files} files x {interchanges} ISA x "
        f"{per_interchange} 214s, {size / (1 << 20):.0f} MB"
        + ("" if gc_mode == "default" else f", gc {gc_mode}")
    )
    extra = {
        "deliveries": deliveries,
        "acks": acks,
        "segments": segments,
        "cpu_seconds": cpu_ingest,
        "cpu_sets_per_s": sets / cpu_ingest,
        "load": load,
    }
    return [
        Row("214 path: receive + process (archive .. outbox rows)", on, ingest, segments, sets,
            note=f"{deliveries:,} deliveries queued; CPU {cpu_ingest:.2f} s = "
            f"{sets / cpu_ingest:,.0f} sets/s by CPU; load {load:.1f}", extra=extra),
        Row("  of which receive (archive + receipt)", on, t_receive, 0, sets),
        Row("  of which process (validate .. store)", on, t_process, segments, sets),
        Row("214 path: deliver (outbox rows -> files, synced)", on, t_deliver, 0, 0,
            note=f"{delivered / t_deliver:,.0f} files/s ({delivered:,} of {queued:,} rows); "
            f"CPU {cpu_deliver:.2f} s",
            extra={"files_per_s": delivered / t_deliver, "delivered": delivered,
                   "cpu_seconds": cpu_deliver}),
        Row("214 path: all of it, delivery at the rate measured", on,
            ingest + t_deliver * queued / max(delivered, 1), segments, sets,
            note="receive + process + queued rows / delivery rate"),
    ]  # fmt: skip


def run(
    routing: str,
    files: int,
    interchanges: int,
    per_interchange: int,
    *,
    deliver_seconds: float = 60.0,
    gc_mode: str = "default",
    keep: bool = False,
) -> list[Row]:
    """Each routing in a child process of its own: a fresh heap, and its own peak RSS."""
    names = ("shipped", "portal") if routing == "both" else (routing,)
    rows: list[Row] = []
    for name in names:
        out = OUT / f"path-{name}.json"
        args = [
            "--routing", name, "--files", str(files), "--interchanges", str(interchanges),
            "--per-interchange", str(per_interchange), "--deliver-seconds", str(deliver_seconds),
            "--gc", gc_mode, "--in-process", "--json", str(out),
        ]  # fmt: skip
        if keep:
            args.append("--keep")
        child = run_child([sys.executable, str(Path(__file__).resolve()), *args])
        if child.returncode != 0:
            raise RuntimeError(f"214 path bench ({name}) failed:\n{child.stderr}")
        doc = json.loads(out.read_text(encoding="utf-8"))
        out.unlink()
        for i, d in enumerate(doc["rows"]):
            row = Row(
                d["what"], d["file"], d["seconds"], d["segments"], d["sets"], note=d["note"],
                extra=d["extra"],
            )  # fmt: skip
            if i == 0:
                row.peak_rss_mb = child.peak_rss_mb  # the whole child: every phase
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help=f"small sizes: {QUICK}")
    p.add_argument("--files", type=int)
    p.add_argument("--interchanges", type=int, help="interchanges per file")
    p.add_argument("--per-interchange", type=int, help="214 sets per interchange")
    p.add_argument("--routing", choices=("shipped", "portal", "both"), default="both")
    p.add_argument("--deliver-seconds", type=float, help="time budget of the delivery phase")
    p.add_argument("--keep", action="store_true", help="keep the bench home in bench/out/")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    p.add_argument("--in-process", action="store_true", help="no child process per routing")
    p.add_argument("--gc", choices=GC_MODES, default="default", help="see _tune_gc")
    a = p.parse_args(argv)
    size = QUICK if a.quick else FULL
    if a.in_process:
        if a.routing == "both":
            p.error("--in-process measures one routing")
        rows = run_scenario(
            SCENARIOS[a.routing],
            a.files or size["files"],
            a.interchanges or size["interchanges"],
            a.per_interchange or size["per_interchange"],
            deliver_seconds=a.deliver_seconds or size["deliver_seconds"],
            gc_mode=a.gc,
            keep=a.keep,
        )
    else:
        rows = run(
            a.routing,
            a.files or size["files"],
            a.interchanges or size["interchanges"],
            a.per_interchange or size["per_interchange"],
            deliver_seconds=a.deliver_seconds or size["deliver_seconds"],
            gc_mode=a.gc,
            keep=a.keep,
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cmd = command_line(sys.argv[1:] if argv is None else argv)
    sys.stdout.write(table(rows) + "\n\n")
    if a.in_process:
        sys.stdout.write(f"peak RSS of this process: {peak:.0f} MB\n")
    for row in rows:
        if row.what.startswith("214 path: receive + process") and row.extra:
            sys.stdout.write(
                f"summary: {row.file.split(':')[0]}: receive + process "
                f"{row.extra['cpu_sets_per_s']:,.0f} sets/s by CPU time "
                f"({row.sets / row.seconds:,.0f} by wall, load {row.extra['load']:.1f})\n"
            )
    sys.stdout.write(f"command: {cmd}\n")
    if a.json:
        doc = {"machine": machine(), "command": cmd, "peak_rss_mb": peak}
        doc["rows"] = [r.as_dict() for r in rows]
        a.json.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
