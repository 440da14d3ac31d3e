"""kill -9 at each pipeline step, restart, and check the ledger: nothing lost, no second effect.

A real `gateway run` process is started with GATEWAY_CRASHPOINT set; it SIGKILLs itself at that
step. A second process without the crash point then runs until the system is quiet. The
receiving peers are real: folders for the carrier, ERP and portal, and an HTTP server for the
TMS that counts effects per Idempotency-Key (no mock).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from gateway.faults import POINTS
from gateway.store import AckDirection, MessageStatus, OutboxStatus, create_store
from tests.integration.gateway_env import demo_214, make_home
from tests.integration.test_outbound_204 import tender_json
from tests.peers.http_peer import HttpPeer

GATEWAY = [sys.executable, "-m", "gateway.cli", "run"]


def start(home: Path, crashpoint: str | None) -> subprocess.Popen[bytes]:
    log = (home / f"gateway-{crashpoint or 'restart'}.log").open("ab")
    env = {
        **os.environ,
        "GATEWAY_HOME": str(home),
        "GATEWAY_STABLE_SECONDS": "0",
        "GATEWAY_RESCAN_SECONDS": "0.5",
        "GATEWAY_LEASE_SECONDS": "1",
        "GATEWAY_HTTP_PORT": "0",
    }
    env.pop("GATEWAY_CRASHPOINT", None)
    if crashpoint:
        env["GATEWAY_CRASHPOINT"] = crashpoint
    with log:
        return subprocess.Popen(GATEWAY, env=env, stdout=log, stderr=subprocess.STDOUT)


def workload(home: Path) -> dict[str, bytes]:
    """Files dropped into partner folders, by path: every artifact is known in advance."""
    files: dict[str, bytes] = {}
    for n in range(4):
        files[f"inbox/demo-carrier/status-{n}.edi"] = demo_214(f"00000{n + 1}000", sets=3)
    files["inbox/erp/order-1.json"] = tender_json("LOAD-CRASH-1")
    for rel, data in files.items():
        path = home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def quiet(home: Path, deadline: float) -> None:
    store = create_store(f"sqlite:///{home / 'var' / 'gateway.db'}")
    try:
        while time.monotonic() < deadline:
            left = [p for p in (home / "inbox").rglob("*") if p.is_file()]
            received = store.list_messages(status=MessageStatus.RECEIVED)
            busy = store.list_outbox(status=OutboxStatus.PENDING) + store.list_outbox(
                status=OutboxStatus.IN_FLIGHT
            )
            if not left and not received and not busy and store.list_messages():
                return
            time.sleep(0.3)
        raise AssertionError("the gateway did not become quiet in time")
    finally:
        store.close()


def ledger(home: Path, files: dict[str, bytes], peer: HttpPeer) -> dict[str, int]:
    store = create_store(f"sqlite:///{home / 'var' / 'gateway.db'}")
    try:
        messages = store.list_messages(limit=10_000)
        by_sha = {m.sha256: m for m in messages}
        shas = {hashlib.sha256(d).hexdigest() for d in files.values()}
        lost = len(shas - set(by_sha))
        bytes_eq = sum(
            1
            for s in shas
            if s in by_sha
            and hashlib.sha256(Path(by_sha[s].archive_path).read_bytes()).hexdigest() == s
        )
        outbox = store.list_outbox(limit=100_000)
        stuck = sum(1 for o in outbox if o.status in (OutboxStatus.IN_FLIGHT, OutboxStatus.PENDING))
        # effects at the receiving peers, per idempotency key
        http_dup = sum(1 for n in peer.state.effects.values() if n > 1)
        names = Counter(
            p.name
            for d in ("demo-carrier", "erp", "portal")
            for p in (home / "outbox" / d).glob("*")
            if not p.name.startswith(".")
        )
        folder_rows = {o.payload_path for o in outbox if o.channel == "folder"}
        folder_dup = sum(1 for n in names.values() if n > 1) + len(set(names) - folder_rows)
        missing_effects = sum(
            1
            for o in outbox
            if (o.channel == "http" and peer.state.effects[o.idempotency_key] != 1)
            or (o.channel == "folder" and o.payload_path not in names)
        )
        # every accepted inbound group has exactly one 997 sent, and it was delivered
        sent = Counter(
            (a.interchange_control_number, a.group_control_number)
            for a in store.list_acks(direction=AckDirection.SENT, limit=10_000)
        )
        groups = [
            (ic.control_number, g.control_number)
            for m in messages
            for ic in store.list_interchanges(message_id=m.id)
            if ic.direction.value == "in" and ic.outcome in ("accepted", "accepted_with_errors")
            for g in store.list_groups(ic.id)
        ]
        ack_gap = sum(1 for g in groups if sent[g] != 1)
        ack_files = [n for n in names if n.startswith("997")]
        ack_gap += abs(len(ack_files) - len(groups))
        unexpected = sum(
            1
            for d in store.list_documents(limit=100_000)
            if d.message_id not in {m.id for m in messages}
        )
        return {
            "LOST": lost,
            "DUP_EFFECT": http_dup + folder_dup,
            "MISSING_EFFECT": missing_effects,
            "UNEXPECTED": unexpected,
            "STUCK": stuck,
            "ACK_GAP": ack_gap,
            "SRC_LEFT": sum(1 for p in (home / "inbox").rglob("*") if p.is_file()),
            "BYTES_EQ_PCT": round(100 * bytes_eq / len(shas)),
            "GROUPS": len(groups),
        }
    finally:
        store.close()


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_at_each_step_loses_nothing_and_repeats_nothing(tmp_path: Path, point: str) -> None:
    settings = make_home(tmp_path)
    with HttpPeer() as peer:
        tms = settings.partners_dir / "tms.yaml"
        tms.write_text(
            tms.read_text().replace(
                "transport:\n  kind: folder\n  outbound_dir: outbox/tms",
                f"transport:\n  kind: http\n  url: {peer.url}",
            )
        )
        files = workload(tmp_path)
        first = start(tmp_path, point)
        try:
            assert first.wait(timeout=60) == -signal.SIGKILL, (
                first.stderr.read().decode()[-2000:] if first.stderr else ""
            )
        finally:
            if first.poll() is None:
                first.kill()
        second = start(tmp_path, None)
        try:
            quiet(tmp_path, time.monotonic() + 60)
        finally:
            second.send_signal(signal.SIGINT)
            second.wait(timeout=30)
        result = ledger(tmp_path, files, peer)
    print(point, json.dumps(result))
    assert result == {
        "LOST": 0,
        "DUP_EFFECT": 0,
        "MISSING_EFFECT": 0,
        "UNEXPECTED": 0,
        "STUCK": 0,
        "ACK_GAP": 0,
        "SRC_LEFT": 0,
        "BYTES_EQ_PCT": 100,
        "GROUPS": 4,
    }
