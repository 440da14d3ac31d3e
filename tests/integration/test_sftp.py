"""SFTP pickup and upload against a real OpenSSH sshd on loopback (tests/peers/sshd.py).

The carrier's server is this machine's sshd, so its folders are temp folders the test can
also see directly: it drops files as a carrier would and checks what is left on the server.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest

from gateway.adapters.base import Delivery, PermanentDeliveryError, TransientDeliveryError
from gateway.adapters.pickup import PickupClaim
from gateway.adapters.sftp import Connection, SftpSink, SftpSource, connect
from gateway.ops.page import read_status, render_status_page
from gateway.pipeline import inbound as inbound_module
from gateway.registry.profile import SftpTransport
from gateway.service import Gateway
from gateway.settings import Settings
from gateway.store import MessageStatus, create_store
from gateway.x12.complete import file_complete
from tests.integration.gateway_env import demo_214, make_home
from tests.peers.sshd import BlackHole, Relay, Sshd, keygen, sshd_server

__all__ = ["sshd_server"]

pytestmark = pytest.mark.integration

KEY_VAR = "SFTP_TEST_KEY"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    root = tmp_path / "carrier-server"
    for sub in ("in", "out", "archive"):
        (root / sub).mkdir(parents=True)
    return root


@pytest.fixture
def key_env(sshd_server: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, str(sshd_server.user_key))


def transport(server: Sshd, remote: Path, **changes: object) -> SftpTransport:
    fields: dict[str, object] = {
        "kind": "sftp",
        "host": "127.0.0.1",
        "port": server.port,
        "username": "root",
        "key_file": "${" + KEY_VAR + "}",
        "host_key": server.host_key,
        "inbound_dir": str(remote / "in"),
        "outbound_dir": str(remote / "out"),
        "after_pickup": "archive",
        "archive_dir": str(remote / "archive"),
        "poll_seconds": 1,
        "timeout_seconds": 5,
    }
    fields.update(changes)
    return SftpTransport.model_validate(fields)


def source(t: SftpTransport, staging: Path, clock: Clock | None = None) -> SftpSource:
    return SftpSource(
        "demo-carrier", "demo-carrier", t, staging, complete=file_complete, clock=clock or Clock()
    )


def sftp_home(tmp_path: Path, server: Sshd, remote: Path) -> Settings:
    """A gateway home whose demo carrier talks SFTP to the test sshd."""
    settings = make_home(tmp_path / "home")
    profile = settings.partners_dir / "demo-carrier.yaml"
    text = profile.read_text()
    folder = (
        "transport:\n  kind: folder\n  inbound_dir: inbox/demo-carrier\n"
        "  outbound_dir: outbox/demo-carrier\n"
    )
    assert folder in text
    sftp = f"""transport:
  kind: sftp
  host: 127.0.0.1
  port: {server.port}
  username: root
  key_file: ${{{KEY_VAR}}}
  host_key: "{server.host_key}"
  inbound_dir: {remote / "in"}
  outbound_dir: {remote / "out"}
  after_pickup: archive
  archive_dir: {remote / "archive"}
  poll_seconds: 1
  timeout_seconds: 5
"""
    profile.write_text(text.replace(folder, sftp))
    return settings


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def gateway_over_sftp(
    tmp_path: Path, sshd_server: Sshd, remote: Path, key_env: None
) -> Iterator[Gateway]:
    gw = Gateway(sftp_home(tmp_path, sshd_server, remote))
    try:
        yield gw
    finally:
        for s in gw.sources:
            s.close()
        gw.store.close()


def test_pickup_of_many_files_end_to_end_and_997s_uploaded(
    gateway_over_sftp: Gateway, remote: Path
) -> None:
    gw = gateway_over_sftp
    sent = {}
    for n in range(40):
        data = demo_214(f"{700000000 + n:09d}", sets=1)
        (remote / "in" / f"214_{n:03d}.edi").write_bytes(data)
        sent[hashlib.sha256(data).hexdigest()] = data
    assert gw.tick().received == 0  # first look: the read lock waits for a second one
    report = gw.tick()
    assert report.received == 40 and report.processed == 40
    messages = gw.store.list_messages(limit=100)
    assert {m.sha256 for m in messages} == set(sent)
    assert {m.status for m in messages} == {MessageStatus.PARSED}
    assert all(m.channel == "sftp" and m.partner_id == "demo-carrier" for m in messages)
    for m in messages:  # BYTES_EQ: the archived copy is what the carrier put there
        assert gw.archive.path_for(m.sha256).read_bytes() == sent[m.sha256]
    # SRC_LEFT 0: nothing in inbound or processing; every file archived on the server
    assert files(remote / "in") == [".processing"]
    assert files(remote / "in" / ".processing") == []
    archived = files(remote / "archive")
    assert len(archived) == 40 and all(n.startswith("214_") for n in archived)
    # the 997s went back over SFTP: final names only, no .part left, one per interchange
    out = files(remote / "out")
    assert len(out) == 40 and all(n.startswith("997-") and n.endswith(".x12") for n in out)
    assert all(file_complete(remote / "out" / n) for n in out)
    assert files(gw.settings.var_dir / "sftp" / "demo-carrier") == []  # staging cleaned


def test_upload_part_then_rename_and_a_retry_has_no_second_effect(
    sshd_server: Sshd, remote: Path, key_env: None
) -> None:
    sink = SftpSink("demo-carrier", transport(sshd_server, remote))
    payload = demo_214("000000777", sets=2)
    # a crash mid-upload left a truncated .part behind
    (remote / "out" / "204-000000777.x12.part").write_bytes(payload[:50])
    delivery = Delivery("demo-carrier", "204-000000777.x12", payload, "idem-777")
    sink.deliver(delivery)
    sink.deliver(delivery)  # a retry after a crash before the outbox row was completed
    sink.flush()
    assert files(remote / "out") == ["204-000000777.x12"]
    assert (remote / "out" / "204-000000777.x12").read_bytes() == payload
    other = Delivery("demo-carrier", "204-000000777.x12", b"ISA*other", "idem-other")
    with pytest.raises(PermanentDeliveryError, match="already exists with other content"):
        sink.deliver(other)
    with pytest.raises(PermanentDeliveryError, match="path separator"):
        sink.deliver(Delivery("demo-carrier", "../escape.x12", payload, "k"))
    sink.close()


def test_wrong_host_key_is_refused_before_auth_nothing_read(
    gateway_over_sftp: Gateway, sshd_server: Sshd, remote: Path, tmp_path: Path
) -> None:
    gw = gateway_over_sftp
    impostor = keygen(tmp_path / "impostor")
    (src,) = [s for s in gw.sources if isinstance(s, SftpSource)]
    src.transport = src.transport.model_copy(update={"host_key": impostor})
    src.connector = lambda: connect(src.transport, src.label)
    (remote / "in" / "214.edi").write_bytes(demo_214())
    before = len(sshd_server.log())
    gw.tick()
    time.sleep(0.3)  # sshd writes its log lines asynchronously
    log = sshd_server.log()[before:]
    assert "Connection from 127.0.0.1" in log
    assert "publickey" not in log and "Accepted" not in log and "Failed" not in log
    assert files(remote / "in") == ["214.edi"]  # not claimed, not read
    assert gw.store.list_messages() == []
    alerts = [e for e in gw.store.list_events() if e.kind == "alert"]
    detail = alerts[0].detail or {}
    assert len(alerts) == 1 and detail["kind"] == "sftp_host_key_refused"
    assert "refused before authentication" in str(detail["error"])
    page = render_status_page(read_status(gw.store))
    assert "Transport alerts" in page and "sftp_host_key_refused" in page
    assert "refused before authentication" in page
    assert not src.breaker.allow()  # backs off; the next tick does not even connect
    gw.tick()
    assert len([e for e in gw.store.list_events() if e.kind == "alert"]) == 1


def test_wrong_user_key_is_a_clear_error_and_retried_later(
    sshd_server: Sshd,
    remote: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = tmp_path / "wrong_key"
    wrong_public = keygen(wrong)
    monkeypatch.setenv(KEY_VAR, str(wrong))
    clock = Clock()
    alerts: list[tuple[str, dict[str, object]]] = []
    src = SftpSource(
        "demo-carrier",
        "demo-carrier",
        transport(sshd_server, remote),
        tmp_path / "staging",
        complete=file_complete,
        clock=clock,
        alert=lambda kind, detail: alerts.append((kind, detail)),
    )
    (remote / "in" / "214.edi").write_bytes(demo_214())
    with caplog.at_level(logging.ERROR):
        assert list(src.poll()) == []
    assert "authentication refused for root@127.0.0.1" in caplog.text
    assert "Traceback" not in caplog.text
    assert [kind for kind, _ in alerts] == ["sftp_auth_failed"]
    assert files(remote / "in") == ["214.edi"]
    # the carrier installs our key; nothing is tried before the backoff is over
    original = (sshd_server.directory / "authorized_keys").read_text()
    try:
        sshd_server.authorize(original.strip(), wrong_public)
        assert list(src.poll()) == [] and src.breaker.failures == 1
        clock.t += src.breaker.base_seconds + 0.1
        assert list(src.poll()) == []  # connected; first look at the file
        clock.t += 1
        (claim,) = list(src.poll())
        assert claim.facts.original_name == "214.edi"
        claim.rollback("test")
    finally:
        (sshd_server.directory / "authorized_keys").write_text(original)
        src.close()


def test_a_file_still_growing_or_temp_named_is_not_taken(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    clock = Clock()
    src = source(transport(sshd_server, remote), tmp_path / "staging", clock)
    whole = demo_214("000000301", sets=3)
    growing = remote / "in" / "growing.edi"
    growing.write_bytes(whole[:200])
    (remote / "in" / "upload.edi.part").write_bytes(whole)  # the partner's temp name
    assert list(src.poll()) == []
    with growing.open("ab") as fh:
        fh.write(whole[200:400])
    clock.t += 1
    assert list(src.poll()) == []  # changed since the last look
    with growing.open("ab") as fh:
        fh.write(whole[400:])
    clock.t += 1
    assert list(src.poll()) == []
    clock.t += 1
    (claim,) = list(src.poll())
    assert claim.facts.original_name == "growing.edi" and claim.facts.size == len(whole)
    with claim.open() as fh:
        assert fh.read() == whole
    claim.commit()
    assert files(remote / "in") == [".processing", "upload.edi.part"]
    assert len(files(remote / "archive")) == 1
    src.close()


def test_a_stable_but_incomplete_interchange_waits_then_is_taken_after_grace(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    clock = Clock()
    src = source(transport(sshd_server, remote), tmp_path / "staging", clock)
    cut = demo_214("000000302")[:-20]  # no IEA: the writer stopped mid-file
    (remote / "in" / "cut.edi").write_bytes(cut)
    for _ in range(4):
        assert list(src.poll()) == []
        clock.t += 1
    assert files(remote / "in" / ".processing") == ["cut.edi"]  # claimed, held, not handed out
    clock.t += 600
    (claim,) = list(src.poll())  # after the grace: taken, processing will quarantine it
    with claim.open() as fh:
        assert fh.read() == cut
    claim.commit()
    assert files(remote / "in" / ".processing") == []
    src.close()


def test_connection_dropped_mid_transfer_then_restart_stores_once(
    gateway_over_sftp: Gateway, sshd_server: Sshd, remote: Path
) -> None:
    gw = gateway_over_sftp
    (src,) = [s for s in gw.sources if isinstance(s, SftpSource)]
    big = demo_214("000000401", sets=300)  # about 70 KB
    (remote / "in" / "big.edi").write_bytes(big)
    assert len(big) > 60_000
    relay = Relay(sshd_server.port, cut_after=40_000)  # the handshake takes a few KB
    try:
        via_relay = src.transport.model_copy(update={"port": relay.port})
        pinned = src.transport.host_key
        assert via_relay.host_key == pinned
        src.connector = lambda: connect(via_relay, src.label)
        gw.tick()  # first look
        gw.tick()  # claimed, copy cut off
        assert relay.cuts >= 1
    finally:
        relay.close()
    assert gw.store.list_messages() == []
    assert files(remote / "in" / ".processing") == ["big.edi"]  # still on the server
    assert files(gw.settings.var_dir / "sftp" / "demo-carrier") == []  # no half copy kept
    # restart: a new gateway on the same home finishes the claimed file
    for s in gw.sources:
        s.close()
    gw.store.close()
    gw2 = Gateway(gw.settings)
    try:
        for _ in range(3):
            gw2.tick()
        messages = gw2.store.list_messages()
        assert len(messages) == 1 and messages[0].sha256 == hashlib.sha256(big).hexdigest()
        assert files(remote / "in" / ".processing") == []
        assert len(files(remote / "archive")) == 1
    finally:
        for s in gw2.sources:
            s.close()
        gw2.store.close()


class Crash(BaseException):
    """Stands for kill -9 at the crash point (the process dies there; nothing else runs)."""


def test_crash_between_receipt_commit_and_remote_archive_has_no_second_effect(
    gateway_over_sftp: Gateway, remote: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = gateway_over_sftp
    data = demo_214("000000501")
    (remote / "in" / "214.edi").write_bytes(data)

    def crash(name: str) -> None:
        if name == "after_receipt_commit":
            raise Crash

    original = inbound_module.crashpoint  # type: ignore[attr-defined]
    monkeypatch.setattr(inbound_module, "crashpoint", crash)
    gw.tick()
    with pytest.raises(Crash):
        gw.tick()
    monkeypatch.setattr(inbound_module, "crashpoint", original)
    assert len(gw.store.list_messages()) == 1  # the receipt is committed
    assert files(remote / "in" / ".processing") == ["214.edi"]  # the remote step never ran
    settings = gw.settings
    for s in gw.sources:
        s.close()
    gw.store.close()
    gw2 = Gateway(settings)  # the restart
    try:
        for _ in range(3):
            gw2.tick()
        messages = gw2.store.list_messages()
        assert len(messages) == 1 and messages[0].status is MessageStatus.PARSED
        kinds = [e.kind for e in gw2.store.list_events(message_id=messages[0].id)]
        assert kinds.count("received") == 1 and kinds.count("duplicate_receipt") == 1
        assert files(remote / "in" / ".processing") == []
        assert len(files(remote / "archive")) == 1
        assert len(files(remote / "out")) == 1  # one 997, not two
    finally:
        for s in gw2.sources:
            s.close()
        gw2.store.close()


def test_remote_names_with_control_characters_are_refused(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    clock = Clock()
    alerts: list[str] = []
    src = SftpSource(
        "demo-carrier",
        "demo-carrier",
        transport(sshd_server, remote),
        tmp_path / "staging",
        complete=file_complete,
        clock=clock,
        alert=lambda kind, detail: alerts.append(kind),
    )
    bad = ["new\nline.edi", "cr\rname.edi", "esc\x1b[2J.edi", "nul\x01.edi"]
    for name in bad:
        (remote / "in" / name).write_bytes(demo_214())
    (remote / "in" / "link.edi").symlink_to("/etc/passwd")
    for _ in range(3):
        assert list(src.poll()) == []
        clock.t += 1
    reasons = sorted(r for _, r in src.refusals.found)
    assert reasons.count("name with a control character refused") == 4
    assert "not a regular file (symbolic link, FIFO or device) refused" in reasons
    assert len(src.refusals.found) == 5 and alerts.count("sftp_name_refused") == 5  # once each
    assert sorted(files(remote / "in")) == sorted([".processing", "link.edi", *bad])
    src.close()


def test_names_with_slashes_or_dotdot_from_a_hostile_server_are_refused(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    """OpenSSH never lists a name with '/': a hostile server would. Simulated by adding such
    entries to the real server's listing (the one place this test does not use the real peer)."""
    clock = Clock()
    t = transport(sshd_server, remote)

    def hostile() -> Connection:
        conn = connect(t, "hostile")
        real = conn.sftp.listdir_attr

        def listdir_attr(path: str = ".") -> list[paramiko.SFTPAttributes]:
            entries = real(path)
            if not path.endswith("/in"):
                return entries
            for name in ("../../etc/passwd", "a/b.edi", "..", "..\\x.edi"):
                attrs = paramiko.SFTPAttributes()
                attrs.filename, attrs.st_size, attrs.st_mode, attrs.st_mtime = (
                    name,
                    10,
                    0o100644,
                    1,
                )
                entries.append(attrs)
            return entries

        conn.sftp.listdir_attr = listdir_attr  # type: ignore[method-assign]
        return conn

    src = SftpSource("demo-carrier", "demo-carrier", t, tmp_path / "staging", clock=clock)
    src.connector = hostile
    for _ in range(3):
        assert list(src.poll()) == []
        clock.t += 1
    reasons = sorted(reason for _, reason in src.refusals.found)
    assert reasons == [
        "empty or dot name refused",
        "name with a path separator refused",
        "name with a path separator refused",
        "name with a path separator refused",
    ]
    # and nothing was renamed or copied
    assert files(tmp_path / "staging") == [] and files(remote / "in" / ".processing") == []
    src.close()


def test_a_hanging_carrier_does_not_delay_a_working_one(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    hole = BlackHole()
    try:
        hanging_t = transport(sshd_server, remote, port=hole.port, timeout_seconds=1.5)
        working_t = transport(sshd_server, remote)
        # upload: the hanging carrier costs one timeout, then its breaker answers at once
        hanging = SftpSink("hanging", hanging_t)
        working = SftpSink("working", working_t)
        started = time.monotonic()
        errors = 0
        for n in range(5):
            try:
                hanging.deliver(Delivery("hanging", f"997-{n}.x12", b"ISA", f"h{n}"))
            except TransientDeliveryError:
                errors += 1
            working.deliver(Delivery("working", f"997-{n}.x12", b"ISA", f"w{n}"))
        elapsed = time.monotonic() - started
        assert errors == 5 and files(remote / "out") == [f"997-{n}.x12" for n in range(5)]
        assert elapsed < 4.0, elapsed  # one 1.5 s timeout, not five
        assert "circuit open" in str(_last_error(hanging))
        # pickup: each carrier polls in its own thread; the working one is not held up
        (remote / "in" / "214.edi").write_bytes(demo_214())
        stuck = source(hanging_t, tmp_path / "h")
        fine = SftpSource("working", "working", working_t, tmp_path / "w", complete=file_complete)
        stuck.watch()
        fine.watch()
        try:
            deadline = time.monotonic() + 8
            got: list[PickupClaim] = []
            while not got and time.monotonic() < deadline:
                got = list(fine.poll())
                time.sleep(0.1)
            assert [c.facts.original_name for c in got] == ["214.edi"]
            assert time.monotonic() - started - elapsed < 6
            got[0].commit()
        finally:
            stuck.close()
            fine.close()
        hanging.close()
        working.close()
    finally:
        hole.close()


def _last_error(sink: SftpSink) -> str:
    try:
        sink.deliver(Delivery("hanging", "x.x12", b"ISA", "x"))
    except TransientDeliveryError as exc:
        return str(exc)
    return ""


def test_a_session_the_server_closed_while_idle_is_replaced_without_a_failure(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    relay = Relay(sshd_server.port)
    clock = Clock()
    t = transport(sshd_server, remote, port=relay.port)
    src = source(t, tmp_path / "staging", clock)
    sink = SftpSink("demo-carrier", t)
    try:
        assert list(src.poll()) == []
        sink.deliver(Delivery("demo-carrier", "997-1.x12", b"ISA1", "k1"))
        relay.drop_all()  # an idle timeout on the carrier's side
        time.sleep(0.5)  # paramiko's reader thread sees the EOF
        (remote / "in" / "214.edi").write_bytes(demo_214())
        clock.t += 1
        assert list(src.poll()) == []  # first look, on a new session
        clock.t += 1
        (claim,) = list(src.poll())
        claim.commit()
        sink.deliver(Delivery("demo-carrier", "997-2.x12", b"ISA2", "k2"))
        assert src.breaker.failures == 0 and sink.breaker.failures == 0
        assert files(remote / "out") == ["997-1.x12", "997-2.x12"]
    finally:
        src.close()
        sink.close()
        relay.close()


def _gateway_process(home: Path, crashpoint: str | None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GATEWAY_HOME": str(home),
        "GATEWAY_STABLE_SECONDS": "0.3",  # also the main loop's idle wait: no busy loop
        "GATEWAY_RESCAN_SECONDS": "0.5",
        "GATEWAY_HTTP_PORT": "0",
    }
    env.pop("GATEWAY_CRASHPOINT", None)
    if crashpoint:
        env["GATEWAY_CRASHPOINT"] = crashpoint
    with (home / f"gateway-{crashpoint or 'restart'}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.slow
def test_kill_9_after_the_receipt_commit_then_restart_finishes_the_remote_step(
    tmp_path: Path, sshd_server: Sshd, remote: Path, key_env: None
) -> None:
    """The classic window, with a real `gateway run` killed by SIGKILL (gateway/faults.py)."""
    settings = sftp_home(tmp_path, sshd_server, remote)
    sent = {}
    for n in range(3):
        data = demo_214(f"{800000000 + n:09d}", sets=1)
        (remote / "in" / f"214_{n}.edi").write_bytes(data)
        sent[hashlib.sha256(data).hexdigest()] = data
    crashed = _gateway_process(settings.base_dir, "after_receipt_commit")
    assert crashed.wait(timeout=60) == -signal.SIGKILL
    assert len(files(remote / "in" / ".processing")) >= 1  # stored, not yet archived remotely
    restarted = _gateway_process(settings.base_dir, None)
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            done = len(files(remote / "archive")) == 3 and len(files(remote / "out")) == 3
            if done and files(remote / "in") == [".processing"]:
                break
            time.sleep(0.3)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
    store = create_store(f"sqlite:///{settings.var_dir / 'gateway.db'}")
    try:
        messages = store.list_messages()
        assert sorted(m.sha256 for m in messages) == sorted(sent)  # LOST 0, each once
        assert {m.status for m in messages} == {MessageStatus.PARSED}
    finally:
        store.close()
    assert files(remote / "in" / ".processing") == [] and len(files(remote / "archive")) == 3
    out = files(remote / "out")
    assert len(out) == 3 and not any(n.endswith(".part") for n in out)  # one 997 each


def test_a_name_reused_while_the_first_file_is_processed_waits_its_turn(
    sshd_server: Sshd, remote: Path, tmp_path: Path, key_env: None
) -> None:
    clock = Clock()
    src = source(transport(sshd_server, remote), tmp_path / "staging", clock)
    first, second = demo_214("000000621"), demo_214("000000622")
    (remote / "in" / "214.edi").write_bytes(first)
    list(src.poll())
    clock.t += 1
    (claim,) = list(src.poll())
    (remote / "in" / "214.edi").write_bytes(second)  # the carrier reuses the name
    for _ in range(2):
        clock.t += 1
        assert list(src.poll()) == []  # never renamed over the file being processed
    assert (remote / "in" / ".processing" / "214.edi").read_bytes() == first
    claim.commit()
    clock.t += 1
    assert list(src.poll()) == []  # its first look of its own
    clock.t += 1
    (again,) = list(src.poll())
    with again.open() as fh:
        assert fh.read() == second
    again.commit()
    archived = sorted((remote / "archive").iterdir())
    assert sorted(p.read_bytes() for p in archived) == sorted([first, second])
    src.close()


@pytest.mark.slow
def test_the_pickup_bench_runs_and_counts(sshd_server: Sshd) -> None:
    """bench/bench_sftp_pickup.py on 3 files (no timing asserted), so it cannot rot."""
    from bench import bench_sftp_pickup

    result = bench_sftp_pickup.main(["--files", "3"])
    assert (result["received"], result["processed"], result["uploaded_997"]) == (3, 3, 3)
    assert result["archived_remote"] == 3
