"""One conformance suite for every Source and Sink (as Benthos runs against every connector).

Each transport brings a small harness (how to put a file at the source, what is still there,
how to read a peer's effects); the cases are the seam's promises from gateway/adapters/base.py:

Sources: a complete file is offered once, with its exact bytes and name; not again while in
flight; commit removes it at the source; rollback loses nothing and it comes back; temporary
and unsafe names are never offered.
Sinks: a delivery retried with the same idempotency key has exactly one effect, with the exact
bytes; distinct deliveries have distinct effects; a dead peer is a TransientDeliveryError.

Real peers: the folder is a folder, SFTP is OpenSSH's sshd, HTTP is a loopback server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gateway.adapters.base import (
    Delivery,
    InboundClaim,
    Sink,
    Source,
    TransientDeliveryError,
)
from gateway.adapters.folder import FolderSink, FolderSource
from gateway.adapters.http import HttpSink
from gateway.adapters.sftp import SftpSink, SftpSource
from gateway.registry.profile import SftpTransport
from gateway.x12.complete import file_complete
from tests.integration.gateway_env import demo_214
from tests.peers.http_peer import HttpPeer
from tests.peers.sshd import Sshd, free_port, sshd_server

__all__ = ["sshd_server"]

KEY_VAR = "CONTRACT_SFTP_KEY"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class SourceHarness:
    source: Source
    put: Callable[[str, bytes], object]
    remaining: Callable[[], list[str]]  # names still at the source, wherever they wait there
    clock: Clock
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def ready(self, polls: int = 4) -> list[InboundClaim]:
        for _ in range(polls):
            claims = list(self.source.poll())
            if claims:
                return claims
            self.clock.t += 1.5
        return []


def _folder_source(tmp_path: Path, request: pytest.FixtureRequest) -> SourceHarness:
    clock = Clock()
    root = tmp_path / "inbox"
    (root / "acme").mkdir(parents=True)
    src = FolderSource(root, stable_seconds=1.0, clock=clock)
    return SourceHarness(
        src,
        lambda name, data: (root / "acme" / name).write_bytes(data),
        lambda: sorted(p.name for p in (root / "acme").iterdir()),
        clock,
    )


def _sftp_transport(server: Sshd, remote: Path, port: int | None = None) -> SftpTransport:
    return SftpTransport.model_validate(
        {
            "kind": "sftp",
            "host": "127.0.0.1",
            "port": port or server.port,
            "username": "root",
            "key_file": "${" + KEY_VAR + "}",
            "host_key": server.host_key,
            "inbound_dir": str(remote / "in"),
            "outbound_dir": str(remote / "out"),
            "timeout_seconds": 3,
        }
    )


def _sftp_source(tmp_path: Path, request: pytest.FixtureRequest) -> SourceHarness:
    server: Sshd = request.getfixturevalue("sshd_server")
    request.getfixturevalue("monkeypatch").setenv(KEY_VAR, str(server.user_key))
    remote = tmp_path / "remote"
    (remote / "in").mkdir(parents=True)
    clock = Clock()
    src = SftpSource(
        "acme",
        "acme",
        _sftp_transport(server, remote),
        tmp_path / "staging",
        complete=file_complete,
        clock=clock,
    )

    def remaining() -> list[str]:
        names = [p.name for p in (remote / "in").iterdir() if p.name != ".processing"]
        processing = remote / "in" / ".processing"
        if processing.exists():
            names += [p.name for p in processing.iterdir()]
        return sorted(names)

    return SourceHarness(
        src, lambda n, d: (remote / "in" / n).write_bytes(d), remaining, clock, [src.close]
    )


SOURCES: dict[str, Callable[[Path, pytest.FixtureRequest], SourceHarness]] = {
    "folder": _folder_source,
    "sftp": _sftp_source,
}


@pytest.fixture(params=sorted(SOURCES))
def source_harness(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SourceHarness]:
    harness = SOURCES[request.param](tmp_path, request)
    yield harness
    for step in harness.cleanup:
        step()
    harness.source.close()


PAYLOAD = demo_214("000000901")


def test_source_offers_a_complete_file_once_with_its_bytes(source_harness: SourceHarness) -> None:
    source_harness.put("214.edi", PAYLOAD)
    (claim,) = source_harness.ready()
    assert claim.facts.original_name == "214.edi" and claim.facts.size == len(PAYLOAD)
    with claim.open() as fh:
        assert fh.read() == PAYLOAD
    source_harness.clock.t += 5
    assert list(source_harness.source.poll()) == []  # in flight: not offered twice
    claim.commit()
    assert source_harness.remaining() == []  # committed: gone from the source
    assert source_harness.ready() == []


def test_source_rollback_loses_nothing_and_offers_again(source_harness: SourceHarness) -> None:
    source_harness.put("214.edi", PAYLOAD)
    (claim,) = source_harness.ready()
    claim.rollback("the store is down")
    assert source_harness.remaining() == ["214.edi"]
    (again,) = source_harness.ready()
    with again.open() as fh:
        assert fh.read() == PAYLOAD
    again.commit()
    assert source_harness.remaining() == []


def test_source_never_offers_temporary_or_unsafe_names(source_harness: SourceHarness) -> None:
    for name in ("upload.edi.part", ".hidden.edi", "ctl\x07.edi", "line\nbreak.edi"):
        source_harness.put(name, PAYLOAD)
    assert source_harness.ready(polls=4) == []
    assert len(source_harness.remaining()) == 4  # left alone, not lost


# ---------------------------------------------------------------- sinks


@dataclass
class SinkHarness:
    sink: Sink
    effects: Callable[[], dict[str, bytes]]  # what the peer took: name or key -> bytes
    dead: Callable[[], Sink]  # the same sink kind aimed at a peer that is not there
    cleanup: list[Callable[[], None]] = field(default_factory=list)


def _folder_sink(tmp_path: Path, request: pytest.FixtureRequest) -> SinkHarness:
    out = tmp_path / "out"
    blocked = tmp_path / "not-a-folder"
    blocked.write_bytes(b"")
    return SinkHarness(
        FolderSink(out),
        lambda: {p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else {},
        lambda: FolderSink(blocked / "sub"),
    )


def _sftp_sink(tmp_path: Path, request: pytest.FixtureRequest) -> SinkHarness:
    server: Sshd = request.getfixturevalue("sshd_server")
    request.getfixturevalue("monkeypatch").setenv(KEY_VAR, str(server.user_key))
    remote = tmp_path / "remote"
    (remote / "out").mkdir(parents=True)
    sink = SftpSink("acme", _sftp_transport(server, remote))
    return SinkHarness(
        sink,
        lambda: {p.name: p.read_bytes() for p in (remote / "out").iterdir()},
        lambda: SftpSink("acme", _sftp_transport(server, remote, port=free_port())),
        [sink.close],
    )


def _http_sink(tmp_path: Path, request: pytest.FixtureRequest) -> SinkHarness:
    peer = HttpPeer().__enter__()
    sink = HttpSink(peer.url)

    def effects() -> dict[str, bytes]:
        assert all(n == 1 for n in peer.state.effects.values())  # the peer counts per key
        return dict(peer.state.bodies)

    return SinkHarness(
        sink,
        effects,
        lambda: HttpSink(f"http://127.0.0.1:{free_port()}/x", timeout_seconds=2),
        [sink.close, lambda: peer.__exit__(None, None, None)],
    )


SINKS: dict[str, Callable[[Path, pytest.FixtureRequest], SinkHarness]] = {
    "folder": _folder_sink,
    "sftp": _sftp_sink,
    "http": _http_sink,
}


@pytest.fixture(params=sorted(SINKS))
def sink_harness(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SinkHarness]:
    harness = SINKS[request.param](tmp_path, request)
    yield harness
    for step in harness.cleanup:
        step()


def test_sink_retry_has_one_effect_with_the_exact_bytes(sink_harness: SinkHarness) -> None:
    delivery = Delivery("acme", "997-000000901.x12", PAYLOAD, "idem-901")
    sink_harness.sink.deliver(delivery)
    sink_harness.sink.deliver(delivery)  # a retry after a crash before it was recorded
    sink_harness.sink.flush()
    assert list(sink_harness.effects().values()) == [PAYLOAD]


def test_sink_distinct_deliveries_have_distinct_effects(sink_harness: SinkHarness) -> None:
    for n in range(3):
        payload = demo_214(f"00000091{n}")
        sink_harness.sink.deliver(Delivery("acme", f"214-{n}.x12", payload, f"idem-{n}"))
    sink_harness.sink.flush()
    assert len(sink_harness.effects()) == 3


def test_sink_dead_peer_is_transient(sink_harness: SinkHarness) -> None:
    dead = sink_harness.dead()
    with pytest.raises(TransientDeliveryError):
        dead.deliver(Delivery("acme", "x.x12", PAYLOAD, "idem-dead"))
        dead.flush()
    close: Any = getattr(dead, "close", None)
    if close is not None:
        close()
