"""Crash-point sweep: a real `gateway run` killed by SIGKILL at every named point of the pipeline
and of every adapter (gateway/faults.POINTS), restarted, and checked with the ledger; on SQLite
and on PostgreSQL.

Each run has a home of its own (its own PostgreSQL database, `crash_<hex>`, dropped after) and
drives the channels its point needs: watch folders for the pipeline points, the carrier on a
real sshd for the SFTP points, zeep (as the ERP's SOAP client) and httpx (REST ingest) for the
HTTP points. The first process must die by SIGKILL (a point never reached fails the run); the
second runs without a crash point until the system is quiet, then stops. The receiving peers
are real: folders for the ERP and the portal, the carrier's folder or SFTP server, an HTTP
server for the TMS that counts effects per Idempotency-Key.

The runs are independent and mostly wait, so they run side by side (CRASH_SWEEP_PARALLEL,
default 9). `CRASH_SWEEP_REPORT=<file>` writes the figures of every run as a Markdown table.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import requests
import zeep
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from gateway.faults import ADAPTER_POINTS, PIPELINE_POINTS
from gateway.ops import API_KEY_HEADER
from gateway.store import AckDirection, AckKind, Direction, MessageStatus, OutboxStatus
from tests.integration.gateway_env import demo_214
from tests.integration.soap_env import shipment
from tests.integration.test_outbound_204 import tender_json
from tests.peers.http_peer import HttpPeer
from tests.peers.sshd import Sshd, sshd_server
from tests.reliability.gateway_proc import (
    CARRIER_KEY,
    SOAP_PASSWORD,
    SOAP_USER,
    GatewayProcess,
    Home,
    new_home,
    pg_database,
    postgres_reachable,
)

__all__ = ["sshd_server"]

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STORES = ("sqlite", "postgresql")
POINTS = (*PIPELINE_POINTS, *ADAPTER_POINTS)
CASES = [f"{store}-{point}" for store in STORES for point in POINTS]

REQUIRED = {
    "LOST": 0,
    "DUP_EFFECT": 0,
    "MISSING_EFFECT": 0,
    "UNEXPECTED": 0,
    "STUCK": 0,
    "ACK_GAP": 0,
    "SRC_LEFT": 0,
    "BYTES_EQ_PCT": 100,
}
# What one run of the workload below delivers when nothing crashes, per destination: the
# carrier gets a 997 per 214 interchange and one 204; the ERP an IDoc per 214 interchange; the
# portal an update per set; the TMS a status per interchange and the tender
EXPECTED_EFFECTS = {"demo-carrier": 3, "erp": 2, "portal": 4, "tms": 3}
MESSAGES = 3  # two 214 interchanges and one released order
DOCNUM, TKNUM = "4799000001", "0000479001"
IDEMPOTENCY_KEY = "sweep-214-1"


def channel_of(point: str) -> str:
    for prefix in ("sftp", "soap", "rest"):
        if point.startswith(prefix + "_"):
            return prefix
    return "folder"


@dataclass
class Sent:
    """One artifact of the workload: its bytes (None: a SOAP call, known by its DOCNUM)."""

    label: str
    data: bytes | None = None
    docnum: str | None = None

    @property
    def sha256(self) -> str | None:
        return hashlib.sha256(self.data).hexdigest() if self.data is not None else None


@dataclass
class RunResult:
    case: str
    first_exit: int | None = None
    figures: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    skipped: str | None = None
    home: Path | None = None


# ------------------------------------------------------------------ workload and channels


def place_workload(home: Home, channel: str) -> list[Sent]:
    """Two 214s from the carrier and one released order from the ERP, on the run's channels
    (the posted or called ones are sent by `drive`)."""
    first, second = demo_214("000001000", sets=2), demo_214("000002000", sets=2)
    order = tender_json("LOAD-SWEEP-1")
    sent = [Sent("214-1", first), Sent("214-2", second)]
    sent.append(Sent("soap", docnum=DOCNUM) if channel == "soap" else Sent("order", order))
    carrier_in = home.root / "inbox" / "demo-carrier"
    carrier_in.mkdir(parents=True, exist_ok=True)
    if channel == "sftp":
        assert home.remote is not None
        (home.remote.inbound / "214-1.edi").write_bytes(first)
        (home.remote.inbound / "214-2.edi").write_bytes(second)
    else:
        if channel != "rest":  # REST posts the first one
            (carrier_in / "214-1.edi").write_bytes(first)
        (carrier_in / "214-2.edi").write_bytes(second)
    if channel != "soap":
        erp_in = home.root / "inbox" / "erp"
        erp_in.mkdir(parents=True, exist_ok=True)
        (erp_in / "order-1.json").write_bytes(order)
    return sent


def soap_release(url: str) -> object:
    """ReleaseOrder as the ERP's zeep client sends it (WS-Security, hardened settings)."""
    transport = Transport(session=requests.Session(), timeout=15, operation_timeout=15)
    settings = zeep.Settings(forbid_dtd=True, forbid_entities=True, strict=True)
    client = zeep.Client(
        f"{url}/soap?wsdl",
        transport=transport,
        settings=settings,
        wsse=UsernameToken(SOAP_USER, SOAP_PASSWORD),
    )
    return client.service.ReleaseOrder(DOCNUM=DOCNUM, Shipment=shipment(TKNUM))


def rest_post(url: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/partners/demo-carrier/x12",
        content=demo_214("000001000", sets=2),
        headers={
            "Content-Type": "application/edi-x12",
            API_KEY_HEADER: CARRIER_KEY,
            "Idempotency-Key": IDEMPOTENCY_KEY,
        },
        timeout=15,
    )


def drive(proc: GatewayProcess, channel: str, *, crashing: bool) -> None:
    """The SOAP or REST call of the run. Into the crashing process it must fail (the process
    dies before it answers); into the restarted one, the client's retry must succeed."""
    if channel not in ("soap", "rest"):
        return
    url = proc.url()
    if crashing:
        with pytest.raises((requests.RequestException, httpx.TransportError)):
            soap_release(url) if channel == "soap" else rest_post(url)
        return
    if channel == "soap":
        response = soap_release(url)
        tenders = response.Tender  # type: ignore[attr-defined]
        assert [t.PARTNER for t in tenders] == ["demo-carrier"], response
    else:
        answer = rest_post(url)
        assert answer.status_code in (200, 202), answer.text


# ------------------------------------------------------------------ the ledger


def ledger(home: Home, sent: list[Sent], tms: HttpPeer) -> dict[str, int]:
    """The figures of tests/reliability once the system is quiet (see REQUIRED)."""
    store = home.open_store()
    try:
        messages = store.list_messages(limit=100_000)
        by_sha = {m.sha256: m for m in messages}
        with_bytes = [s for s in sent if s.data is not None]
        lost = sum(1 for s in with_bytes if s.sha256 not in by_sha)
        for s in sent:
            if s.docnum is not None:
                request = store.get_soap_request("erp", s.docnum)
                lost += request is None or request.message_id is None or request.state != "done"
        left = home.source_files()
        lost = max(0, lost - len(left))  # still at the source: not lost (SRC_LEFT says it)
        bytes_eq = sum(
            1
            for s in with_bytes
            if s.sha256 in by_sha
            and hashlib.sha256(Path(by_sha[s.sha256].archive_path).read_bytes()).hexdigest()
            == s.sha256
        )
        rows = store.list_outbox(limit=100_000)
        live = [o for o in rows if o.status is not OutboxStatus.VOID]
        ids = {m.id for m in messages}
        unexpected = sum(1 for o in rows if o.source_message_id not in ids)
        unexpected += sum(1 for d in store.list_documents(limit=100_000) if d.message_id not in ids)
        # effects at the receiving peers
        folders = {
            "demo-carrier": home.carrier_out(),
            "erp": home.root / "outbox" / "erp",
            "portal": home.root / "outbox" / "portal",
        }
        files = {
            who: {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}
            if folder.exists()
            else {}
            for who, folder in folders.items()
        }
        missing = dup = 0
        named = {who: set[str]() for who in folders}
        for o in live:
            if o.destination == "tms":
                missing += tms.state.effects[o.idempotency_key] != 1
                continue
            name = o.payload_path or ""
            named.setdefault(o.destination, set()).add(name)
            if files.get(o.destination, {}).get(name) != o.payload:
                missing += 1  # absent, or other bytes than the row's
        for who, present in files.items():
            unexpected += len(set(present) - named[who])  # incl. a `.part` left on the server
        keys = {o.idempotency_key for o in live if o.destination == "tms"}
        unexpected += len(set(tms.state.effects) - keys)
        dup += sum(1 for n in tms.state.effects.values() if n > 1)
        per_destination = Counter(o.destination for o in live)
        for who, count in EXPECTED_EFFECTS.items():
            dup += max(0, per_destination[who] - count)  # a business event sent twice
            missing += max(0, count - per_destination[who])
        carrier = files["demo-carrier"]
        answered = Counter(n.split("-")[1] for n in carrier if n.startswith("997-"))
        dup += sum(n - 1 for n in answered.values() if n > 1)
        tenders = Counter(
            m.group(1)
            for data in carrier.values()
            if (m := re.search(rb"~B2\*[^~]*?\*([^*~]+)\*(?:[^*~]*\*){0,2}[^*~]*~", data))
            and b"ST*204*" in data
        )
        dup += sum(n - 1 for n in tenders.values() if n > 1)
        stuck = sum(
            len(store.list_outbox(status=s, limit=100_000))
            for s in (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT, OutboxStatus.HELD)
        )
        stuck += len(store.list_messages(status=MessageStatus.RECEIVED, limit=100_000))
        interchanges = store.list_interchanges(limit=100_000)
        stuck += sum(1 for i in interchanges if i.outcome == "processing")
        stuck += sum(1 for r in store.list_soap_requests() if r.state == "processing")
        # every accepted inbound group: exactly one 997 recorded and one at the carrier;
        # every outbound group: exactly one expected 997 (reconciled, pending or overdue)
        sent_acks = Counter(
            (a.interchange_control_number, a.group_control_number)
            for a in store.list_acks(direction=AckDirection.SENT, limit=100_000)
        )
        expected_acks = Counter(
            (a.interchange_control_number, a.group_control_number)
            for a in store.list_acks(direction=AckDirection.EXPECTED, limit=100_000)
            if a.kind in (AckKind.FA997, AckKind.FA999)
        )
        ack_gap = 0
        for ic in interchanges:
            accepted = ic.outcome in ("accepted", "accepted_with_errors")
            if not accepted:
                continue
            for g in store.list_groups(ic.id):
                pair = (ic.control_number, g.control_number)
                if ic.direction is Direction.IN:
                    ack_gap += sent_acks[pair] != 1
                else:
                    ack_gap += expected_acks[pair] != 1
            if ic.direction is Direction.IN:
                ack_gap += answered[ic.control_number] != 1
        return {
            "LOST": lost,
            "DUP_EFFECT": dup,
            "MISSING_EFFECT": missing,
            "UNEXPECTED": unexpected,
            "STUCK": stuck,
            "ACK_GAP": ack_gap,
            "SRC_LEFT": len(left),
            "BYTES_EQ_PCT": round(100 * bytes_eq / len(with_bytes)),
            "NOT_PARSED": sum(1 for m in messages if m.status is not MessageStatus.PARSED),
        }
    finally:
        store.close()


# ------------------------------------------------------------------ one run


def run_case(case: str, root: Path, sshd: Sshd | None) -> RunResult:
    store_kind, point = case.split("-", 1)
    channel = channel_of(point)
    result = RunResult(case, home=root)
    started = time.monotonic()
    try:
        with HttpPeer() as tms, _database(store_kind) as url:
            home = new_home(root, tms, database_url=url, sshd=sshd if channel == "sftp" else None)
            sent = place_workload(home, channel)
            first = home.start(point)
            try:
                drive(first, channel, crashing=True)
                result.first_exit = first.wait_killed(timeout=90)
            finally:
                if first.proc.poll() is None:
                    first.proc.kill()
                    first.proc.wait(10)
            if result.first_exit != -signal.SIGKILL:
                result.error = f"{point} did not fire: exit {result.first_exit}"
                return result
            second = home.start(None)
            try:
                drive(second, channel, crashing=False)
                home.wait_quiet(MESSAGES)
            finally:
                second.stop()
            result.figures = ledger(home, sent, tms)
    except Exception:
        result.error = traceback.format_exc(limit=8)
    finally:
        result.seconds = time.monotonic() - started
    return result


@contextlib.contextmanager
def _database(store_kind: str) -> Iterator[str | None]:
    if store_kind == "sqlite":
        yield None
    else:
        with pg_database("crash_") as url:
            yield url


# ------------------------------------------------------------------ the sweep


@pytest.fixture(scope="module")
def sweep(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, RunResult]:
    """Every selected run, side by side; the tests below then judge one run each."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
    ]
    results: dict[str, RunResult] = {}
    if any(c.startswith("postgresql-") for c in selected):
        reason = postgres_reachable()
        if reason is not None:
            for c in selected:
                if c.startswith("postgresql-"):
                    results[c] = RunResult(c, skipped=reason)
    todo = [c for c in selected if c not in results]
    sshd = None
    if any(channel_of(c.split("-", 1)[1]) == "sftp" for c in todo):
        sshd = request.getfixturevalue("sshd_server")
    base = tmp_path_factory.mktemp("sweep")
    parallel = int(os.environ.get("CRASH_SWEEP_PARALLEL", "9"))
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        runs = {c: pool.submit(run_case, c, base / c, sshd) for c in todo}
        results.update({c: f.result() for c, f in runs.items()})
    report = os.environ.get("CRASH_SWEEP_REPORT")
    if report:
        Path(report).write_text(table(results))
    return results


def table(results: dict[str, RunResult]) -> str:
    columns = [*REQUIRED, "NOT_PARSED"]
    lines = [
        "| point | store | first exit | " + " | ".join(columns) + " | s |",
        "|---|---|---|" + "---|" * len(columns) + "---|",
    ]
    for case in CASES:
        r = results.get(case)
        if r is None:
            continue
        store_kind, point = case.split("-", 1)
        exit_text = "SIGKILL" if r.first_exit == -signal.SIGKILL else str(r.first_exit)
        figures = [str(r.figures.get(c, "-")) for c in columns]
        problem = r.skipped or (r.error or "").strip().splitlines()[-1:]
        note = f" {problem if isinstance(problem, str) else problem[0]}" if problem else ""
        lines.append(
            f"| {point} | {store_kind} | {exit_text} | "
            + " | ".join(figures)
            + f" | {r.seconds:.0f} |{note}"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_kill_9_at_the_point_then_restart_loses_nothing_and_repeats_nothing(
    case: str, sweep: dict[str, RunResult]
) -> None:
    result = sweep[case]
    if result.skipped:
        pytest.skip(result.skipped)
    assert result.error is None, f"{case} (home {result.home}):\n{result.error}"
    assert result.first_exit == -signal.SIGKILL, f"{case}: the point was never reached"
    assert {k: result.figures[k] for k in REQUIRED} == REQUIRED, (case, result.figures)
    assert result.figures["NOT_PARSED"] == 0, (case, result.figures)
