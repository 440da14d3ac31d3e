"""Real `gateway run` processes over throw-away homes, for the fault tests of tests/reliability.

A `Home` is a gateway home (partners copied from the repository, inbox, outbox, var) with its
store (SQLite under var/, or a PostgreSQL database of its own named `crash_<hex>`, dropped
afterwards), a TMS that is a real HTTP peer counting effects per Idempotency-Key, and optionally
the demo carrier on SFTP (a real sshd, tests/peers/sshd.py). `Home.start(crashpoint)` runs the
gateway as a child process with short poll intervals; with a crash point it SIGKILLs itself
there (gateway/faults.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from gateway.store import MessageStatus, OutboxStatus, Store, create_store
from tests.integration.gateway_env import make_home
from tests.peers.http_peer import HttpPeer
from tests.peers.sshd import Sshd

GATEWAY = [sys.executable, "-m", "gateway.cli", "run"]
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
SFTP_KEY_VAR = "SFTP_TEST_KEY"
SOAP_USER, SOAP_PASSWORD = "erp-soap", "sweep-soap-secret-4e1d"
CARRIER_KEY = "sweep-carrier-key-90ab"
URL_MARKER = "operations API and status page on "

# short intervals: the processes mostly wait, so many homes share two cores
PROCESS_ENV = {
    "GATEWAY_STABLE_SECONDS": "0.2",  # also the receive loop's idle wait: no busy loop
    "GATEWAY_RESCAN_SECONDS": "0.5",
    "GATEWAY_LEASE_SECONDS": "2",
    "GATEWAY_HTTP_PORT": "0",
    "ERP_SOAP_PASSWORD": SOAP_PASSWORD,
    "GATEWAY_API_KEYS": f"carrier|ingest:demo-carrier|{CARRIER_KEY}",
}


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers; else why not (a failure under CI=true, else a skip)."""
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True):
            return None
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        return f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}"


@contextlib.contextmanager
def pg_database(prefix: str = "crash_") -> Iterator[str]:
    """A database of its own on the shared cluster, dropped (WITH FORCE) afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Remote:
    """The demo carrier's SFTP server folders (the sshd serves this machine's files)."""

    root: Path

    @property
    def inbound(self) -> Path:
        return self.root / "in"

    @property
    def processing(self) -> Path:
        return self.root / "in" / ".processing"

    @property
    def outbound(self) -> Path:
        return self.root / "out"

    @property
    def archive(self) -> Path:
        return self.root / "archive"


@dataclass
class GatewayProcess:
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def url(self, timeout: float = 180.0) -> str:
        """The HTTP address it serves on (port 0: the one it chose), once it is up."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log()
            if URL_MARKER in text:
                return text.split(URL_MARKER)[1].split()[0]
            if self.proc.poll() is not None:
                raise AssertionError(f"gateway exited {self.proc.returncode}: {text[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"gateway not serving after {timeout} s: {text[-2000:]}")
            time.sleep(0.1)

    def wait_killed(self, timeout: float) -> int | None:
        """The exit status once it has exited (-9 when a crash point fired), or None."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            return None

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=10)


@dataclass
class Home:
    root: Path
    database_url: str | None  # None: SQLite under var/
    tms: HttpPeer
    remote: Remote | None = None
    sshd: Sshd | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.root / 'var' / 'gateway.db'}"

    @property
    def store_kind(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def carrier_out(self) -> Path:
        """Where the demo carrier finds what the gateway sends it."""
        return self.remote.outbound if self.remote else self.root / "outbox" / "demo-carrier"

    def open_store(self) -> Store:
        return create_store(self.store_url)

    def start(self, crashpoint: str | None = None) -> GatewayProcess:
        log_path = self.root / f"gateway-{(crashpoint or 'restart').replace(':', '_')}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        env.update(PROCESS_ENV)
        env["GATEWAY_HOME"] = str(self.root)
        if self.database_url:
            env["GATEWAY_DATABASE_URL"] = self.database_url
        if self.sshd is not None:
            env[SFTP_KEY_VAR] = str(self.sshd.user_key)
        if crashpoint:
            env["GATEWAY_CRASHPOINT"] = crashpoint
        env.update(self.env)
        with log_path.open("ab") as log:
            proc = subprocess.Popen(GATEWAY, env=env, stdout=log, stderr=subprocess.STDOUT)
        return GatewayProcess(proc, log_path)

    def source_files(self) -> list[Path]:
        """Files still waiting at a source: watch folders, the carrier's SFTP in/ and
        in/.processing."""
        left = [p for p in (self.root / "inbox").rglob("*") if p.is_file()]
        if self.remote is not None:
            left += [p for p in self.remote.inbound.rglob("*") if p.is_file()]
        return left

    def wait_quiet(self, messages: int, timeout: float = 180.0, settle: float = 0.6) -> None:
        """Until every source is empty, `messages` messages are recorded, none is waiting to
        be processed, no delivery is due or in flight, and the SFTP remote steps are done;
        the same for `settle` seconds (a delivery's retry may be just around the corner)."""
        store = self.open_store()
        since: float | None = None
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self._quiet(store, messages):
                    since = since or time.monotonic()
                    if time.monotonic() - since >= settle:
                        return
                else:
                    since = None
                time.sleep(0.25)
        finally:
            store.close()
        raise AssertionError(f"{self.root.name}: not quiet after {timeout} s")

    def _quiet(self, store: Store, messages: int) -> bool:
        if self.source_files():
            return False
        if len(store.list_messages(limit=messages + 1)) < messages:
            return False
        if store.list_messages(status=MessageStatus.RECEIVED, limit=1):
            return False
        busy = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT, OutboxStatus.HELD)
        return not any(store.list_outbox(status=s, limit=1) for s in busy)


def new_home(
    root: Path,
    tms: HttpPeer,
    *,
    database_url: str | None = None,
    sshd: Sshd | None = None,
    fast_retries: bool = True,
) -> Home:
    """A gateway home: the TMS on HTTP (the peer), with `sshd` the demo carrier on SFTP."""
    settings = make_home(root)
    partners = settings.partners_dir
    replace_in(
        partners / "tms.yaml",
        "transport:\n  kind: folder\n  outbound_dir: outbox/tms",
        f"transport:\n  kind: http\n  url: {tms.url}",
    )
    if fast_retries:  # a failed delivery is tried again within the test's patience
        replace_in(partners / "demo-carrier.yaml", "backoff_seconds: 30", "backoff_seconds: 1")
    remote = None
    if sshd is not None:
        remote = Remote(root / "carrier-server")
        for sub in ("in", "out", "archive"):
            (remote.root / sub).mkdir(parents=True)
        replace_in(
            partners / "demo-carrier.yaml",
            "transport:\n  kind: folder\n  inbound_dir: inbox/demo-carrier\n"
            "  outbound_dir: outbox/demo-carrier\n",
            f"""transport:
  kind: sftp
  host: 127.0.0.1
  port: {sshd.port}
  username: root
  key_file: ${{{SFTP_KEY_VAR}}}
  host_key: "{sshd.host_key}"
  inbound_dir: {remote.inbound}
  outbound_dir: {remote.outbound}
  after_pickup: archive
  archive_dir: {remote.archive}
  poll_seconds: 1
  timeout_seconds: 5
""",
        )
    return Home(root, database_url, tms, remote, sshd)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer has {old!r}"
    path.write_text(text.replace(old, new))
