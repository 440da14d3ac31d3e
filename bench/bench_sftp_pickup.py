"""SFTP pickup of a directory of many small files, against a real OpenSSH sshd on loopback.

A carrier's outbound folder holds N small 214 files (one set each, distinct ISA13). The gateway
(`Gateway` with the demo carrier on SFTP) picks them all up (claim by rename, copy, fsync,
size + IEA check, archive + receipt commit, remote archive), then processes them (validate, map,
route to ERP/TMS/portal, 997 queued), then delivers (folders + the 997s uploaded over SFTP).
Each phase is timed on its own; files/s = N / seconds.

    .venv/bin/python bench/bench_sftp_pickup.py [--files 10000] [--json out.json]

Needs root and /usr/sbin/sshd (tests/peers/sshd.py starts it, as the tests do).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import logging
import os
import tempfile
import time

from bench.common import command_line, machine


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    from gateway.adapters.sftp import SftpSource
    from gateway.service import Gateway
    from gateway.store import MessageStatus
    from tests.integration.gateway_env import demo_214, make_home
    from tests.peers.sshd import running_sshd

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-sftp-") as tmp:
        base = Path(tmp)
        remote = base / "carrier-server"
        for sub in ("in", "out", "archive"):
            (remote / sub).mkdir(parents=True)
        with running_sshd(base / "sshd") as server:
            os.environ["BENCH_SFTP_KEY"] = str(server.user_key)
            settings = make_home(base / "home")
            profile = settings.partners_dir / "demo-carrier.yaml"
            text = profile.read_text()
            folder = (
                "transport:\n  kind: folder\n  inbound_dir: inbox/demo-carrier\n"
                "  outbound_dir: outbox/demo-carrier\n"
            )
            profile.write_text(
                text.replace(
                    folder,
                    "transport:\n  kind: sftp\n  host: 127.0.0.1\n"
                    f"  port: {server.port}\n  username: root\n"
                    "  key_file: ${BENCH_SFTP_KEY}\n"
                    f'  host_key: "{server.host_key}"\n'
                    f"  inbound_dir: {remote / 'in'}\n  outbound_dir: {remote / 'out'}\n"
                    f"  after_pickup: archive\n  archive_dir: {remote / 'archive'}\n"
                    "  poll_seconds: 1\n  timeout_seconds: 30\n",
                )
            )
            total_bytes = 0
            for n in range(args.files):
                data = demo_214(f"{100000000 + n:09d}", sets=1)
                (remote / "in" / f"214_{n:05d}.edi").write_bytes(data)
                total_bytes += len(data)
            gw = Gateway(settings)
            (src,) = [s for s in gw.sources if isinstance(s, SftpSource)]
            try:
                load_before = Path("/proc/loadavg").read_text().split()[:3]
                t0, c0 = time.perf_counter(), time.process_time()
                src.sync_once()  # the first look (the read lock takes files on the second)
                received = 0
                while received < args.files:
                    claims = list(src.poll())
                    if not claims and not any((remote / "in").glob("214_*")):
                        break
                    for claim in claims:
                        if gw.pipeline.receive(claim) is not None:
                            received += 1
                src.sync_once()  # the remote archive of the last batch
                t1, c1 = time.perf_counter(), time.process_time()
                processed = 0
                while pending := gw.store.list_messages(
                    status=MessageStatus.RECEIVED, oldest_first=True, limit=500
                ):
                    for msg in pending:
                        gw.pipeline.process(msg.id)
                        processed += 1
                t2 = time.perf_counter()
                delivered = gw.delivery.drain()
                t3 = time.perf_counter()
                uploaded = len(list((remote / "out").iterdir()))
                archived = len(list((remote / "archive").iterdir()))
            finally:
                src.close()
                gw.store.close()
    pickup, process, deliver = t1 - t0, t2 - t1, t3 - t2
    result: dict[str, object] = {
        "command": command_line(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
        "files": args.files,
        "bytes": total_bytes,
        "received": received,
        "processed": processed,
        "deliveries": delivered,
        "uploaded_997": uploaded,
        "archived_remote": archived,
        "pickup_s": round(pickup, 2),
        "pickup_cpu_s": round(c1 - c0, 2),  # this process; the rest is waiting (disk, sshd)
        "process_s": round(process, 2),
        "deliver_s": round(deliver, 2),
        "pickup_files_per_s": round(received / pickup) if pickup else 0,
        "pickup_and_process_files_per_s": round(processed / (pickup + process))
        if pickup + process
        else 0,
        "end_to_end_files_per_s": round(processed / (pickup + process + deliver))
        if pickup + process + deliver
        else 0,
    }
    print(json.dumps(result, indent=2))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
