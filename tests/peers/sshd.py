"""A real OpenSSH `sshd` on a free loopback port, for the SFTP tests (`.ci/run` installs it).

It runs `sshd -D -e -f <generated config>` with its own host key, key auth only and an
`authorized_keys` file of its own; root logs in with the test key (`PermitRootLogin
prohibit-password`), so the remote folders are plain temp folders on this machine. A TCP relay
(`Relay`) in front of it can cut a connection after N bytes, and `BlackHole` accepts and never
answers (a hanging carrier).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SSHD = Path("/usr/sbin/sshd")


def sshd_available() -> bool:
    return SSHD.exists() and shutil.which("ssh-keygen") is not None and os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def keygen(path: Path, kind: str = "ed25519") -> str:
    """A new key pair at `path` (no passphrase); returns the public line `<type> <base64>`."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "test", "-f", str(path)],
        check=True,
        capture_output=True,
    )
    kind_name, blob = path.with_suffix(".pub").read_text().split()[:2]
    return f"{kind_name} {blob}"


@dataclass
class Sshd:
    directory: Path
    port: int
    host_key: str  # the public line to pin
    user_key: Path  # private key that root's authorized_keys accepts
    log_path: Path
    proc: subprocess.Popen[bytes]
    extra_config: str = ""

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def authorize(self, *public_lines: str) -> None:
        (self.directory / "authorized_keys").write_text("".join(f"{p}\n" for p in public_lines))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def start_sshd(directory: Path, extra_config: str = "") -> Sshd:
    directory.mkdir(parents=True, exist_ok=True)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation directory
    host_key = keygen(directory / "host_key")
    user_public = keygen(directory / "user_key")
    (directory / "authorized_keys").write_text(user_public + "\n")
    port = free_port()
    config = directory / "sshd_config"
    config.write_text(
        f"""Port {port}
ListenAddress 127.0.0.1
HostKey {directory / "host_key"}
PidFile {directory / "sshd.pid"}
AuthorizedKeysFile {directory / "authorized_keys"}
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
MaxStartups 50:30:100
LogLevel VERBOSE
Subsystem sftp internal-sftp
{extra_config}
"""
    )
    return launch(directory, config, port, host_key, directory / "user_key", extra_config)


def launch(
    directory: Path,
    config: Path,
    port: int,
    host_key: str,
    user_key: Path,
    extra_config: str = "",
) -> Sshd:
    """Run `sshd -D -e -f config` and wait for its banner on `port`."""
    log_path = directory / "sshd.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
    server = Sshd(directory, port, host_key, user_key, log_path, proc, extra_config)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited: {server.log()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            if s.recv(64).startswith(b"SSH-2.0-"):
                return server
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"sshd did not start: {server.log()}")


@dataclass
class Relay:
    """TCP relay to `target`; cuts every connection once `cut_after` bytes went to the client."""

    target: int
    cut_after: int | None = None
    port: int = 0
    cuts: int = 0
    _server: socket.socket = field(init=False)
    _stop: threading.Event = field(default_factory=threading.Event)
    _open: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._open += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, self.cut_after), daemon=True
            ).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while data := src.recv(65536):
                if limit is not None and sent + len(data) > limit:
                    self.cuts += 1
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def drop_all(self) -> None:
        """Close every relayed connection (the server hung up on an idle session)."""
        for s in self._open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self._open.clear()

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self.drop_all()


@dataclass
class BlackHole:
    """Accepts connections and never says a word (a carrier that hangs)."""

    port: int = 0
    _server: socket.socket = field(init=False)
    _held: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self._server.close()
        for conn in self._held:
            conn.close()


@contextlib.contextmanager
def running_sshd(directory: Path, extra_config: str = "") -> Iterator[Sshd]:
    server = start_sshd(directory, extra_config)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sshd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    """One sshd for the session (tests use their own remote folders under tmp_path)."""
    if not sshd_available():
        if os.environ.get("CI") == "true":
            pytest.fail("OpenSSH sshd and root are required under CI (.ci/run installs it)")
        pytest.skip("OpenSSH sshd not installed or not root")
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server
