"""SFTP transport: poll a carrier's server for its files (Source) and upload ours (Sink).

Connection (paramiko): `RejectPolicy` with the host key pinned in the profile and nothing else
(no known_hosts, no agent, no ~/.ssh keys), so an unknown or changed key is refused after the
key exchange and before any credential is sent; timeouts on connect, banner, auth and channel.

Pickup, with the strategy of `gateway.adapters.pickup`:

    read lock   size and mtime stable across two polls; temp names and dot names never taken
    claim       rename <inbound>/<name> -> <processing>/<name> on the server (atomic there)
    copy        stream to a local file named by the gateway, size check against the server's,
                interchange completeness (the caller's check: ends with IEA); the durable
                copy is the archive's (fsynced before the receipt commit), not this one
    commit      after the receipt commit: <processing>/<name> -> <archive>/ (or delete)
    rollback    the file stays in <processing>; the next poll copies it again

A crash at any step leaves the file on the server (inbound or processing) or stored; files
found in <processing> are copied again and stored again, which the store's sha256 dedup turns
into a `duplicate_receipt` with no second effect, and then the remote step finishes.

Upload: `<name>.part` with `putfo(confirm=True)` (size checked), then renamed to the final
name, which the gateway derives from the control numbers and idempotency key: a retry finds
the final file and stops (no duplicate), a crash leaves only a `.part` (no truncated file).

Each partner has its own connection, backoff and circuit breaker; in `gateway run` each SFTP
source polls in its own thread, so a hanging carrier never delays the others.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import os
import posixpath
import socket
import stat
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import paramiko

from gateway.adapters.base import (
    AdapterError,
    Delivery,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from gateway.adapters.pickup import (
    ClaimStrategy,
    PickupClaim,
    ReadLock,
    Refusals,
    facts,
    is_candidate_name,
    name_problem,
)
from gateway.faults import crashpoint
from gateway.registry.profile import SftpTransport
from gateway.registry.secrets import SecretMissingError, resolve_secret

log = logging.getLogger(__name__)

Alert = Callable[[str, dict[str, Any]], None]
Clock = Callable[[], float]
CompletenessCheck = Callable[[Path], bool]


class SftpError(AdapterError):
    """The carrier's server cannot be used now (connection, auth, remote error)."""


class HostKeyRefusedError(SftpError):
    """The server presented a key other than the one pinned in the profile; no auth was tried."""


class SftpAuthError(SftpError):
    """The server refused our credentials."""


# ---------------------------------------------------------------- breaker


@dataclass
class CircuitBreaker:
    """Per-partner backoff: closed until a failure, then open for a doubling delay.

    While open, work for this partner is skipped at once (no connect, no timeout); after the
    delay one attempt goes through (half-open): success closes it, failure doubles the delay.
    """

    base_seconds: float = 5.0
    max_seconds: float = 900.0
    clock: Clock = time.monotonic
    failures: int = 0
    open_until: float = 0.0
    last_error: str = ""

    def allow(self) -> bool:
        return self.failures == 0 or self.clock() >= self.open_until

    def success(self) -> None:
        self.failures = 0
        self.open_until = 0.0
        self.last_error = ""

    def failure(self, error: str) -> float:
        self.failures += 1
        delay = min(self.max_seconds, self.base_seconds * 2.0 ** (self.failures - 1))
        self.open_until = self.clock() + delay
        self.last_error = error
        return delay


# ---------------------------------------------------------------- connection


class _PinnedKeyPolicy(paramiko.RejectPolicy):
    """RejectPolicy that remembers what the server presented, for the alert."""

    def __init__(self) -> None:
        self.presented: paramiko.PKey | None = None

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> NoReturn:
        self.presented = key
        super().missing_host_key(client, hostname, key)


def pinned_key(host_key: str) -> paramiko.PKey:
    """The profile's `<type> <base64>` as a paramiko public key."""
    key_type, blob = host_key.split()[:2]
    if key_type.startswith("rsa-sha2-"):
        key_type = "ssh-rsa"  # a signature algorithm name; the key itself is ssh-rsa
    return paramiko.PKey.from_type_string(key_type, base64.b64decode(blob))


def _private_key(value: str, passphrase: str | None) -> paramiko.PKey:
    """`value` is a key file's path, or the key itself (a secret mounted as a variable)."""
    if "-----BEGIN" in value:
        for cls in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
            with contextlib.suppress(paramiko.SSHException, ValueError):
                return cls.from_private_key(io.StringIO(value), password=passphrase)
        raise SftpAuthError("the private key in key_file cannot be read")
    try:
        return paramiko.PKey.from_path(value, password=passphrase)
    except FileNotFoundError:
        raise SftpAuthError("key_file names a file that does not exist") from None
    except (OSError, ValueError, paramiko.SSHException) as exc:
        raise SftpAuthError(f"key_file cannot be read: {type(exc).__name__}") from None


@dataclass
class Connection:
    client: paramiko.SSHClient
    sftp: paramiko.SFTPClient

    def alive(self) -> bool:
        """False once the server closed an idle session (paramiko's reader saw the EOF)."""
        transport = self.client.get_transport()
        return transport is not None and transport.is_active()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.sftp.close()
        with contextlib.suppress(Exception):
            self.client.close()


def connect(
    transport: SftpTransport, label: str, env: Mapping[str, str] | None = None
) -> Connection:
    """Open an SFTP session with the pinned host key; every failure is an `SftpError`."""
    env = os.environ if env is None else env
    try:
        passphrase = (
            resolve_secret(transport.key_passphrase, env) if transport.key_passphrase else None
        )
        pkey = (
            _private_key(resolve_secret(transport.key_file, env), passphrase)
            if (transport.key_file)
            else None
        )
        password = resolve_secret(transport.password, env) if transport.password else None
    except SecretMissingError as exc:
        raise SftpAuthError(f"{label}: {exc}") from None
    expected = pinned_key(transport.host_key)
    client = paramiko.SSHClient()
    policy = _PinnedKeyPolicy()
    client.set_missing_host_key_policy(policy)  # never AutoAddPolicy / WarningPolicy
    name = transport.host if transport.port == 22 else f"[{transport.host}]:{transport.port}"
    client.get_host_keys().add(name, expected.get_name(), expected)
    timeout = transport.timeout_seconds
    where = f"{transport.username}@{transport.host}:{transport.port}"
    try:
        client.connect(
            transport.host,
            port=transport.port,
            username=transport.username,
            pkey=pkey,
            password=password,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
            channel_timeout=timeout,
            allow_agent=False,
            look_for_keys=False,
        )
        sftp = client.open_sftp()
        sftp.get_channel().settimeout(timeout)  # type: ignore[union-attr]
        transport_ = client.get_transport()
        if transport_ is not None:
            transport_.set_keepalive(30)  # NAT and firewalls drop silent sessions
    except paramiko.BadHostKeyException as exc:
        client.close()
        raise HostKeyRefusedError(
            f"{label}: host key of {transport.host}:{transport.port} CHANGED: it presented "
            f"{_fingerprint(exc.key)}, the profile pins {_fingerprint(expected)}; refused "
            "before authentication"
        ) from None
    except paramiko.AuthenticationException:
        client.close()
        raise SftpAuthError(
            f"{label}: authentication refused for {where} (check key_file / password)"
        ) from None
    except paramiko.SSHException as exc:
        client.close()
        if policy.presented is not None:
            raise HostKeyRefusedError(
                f"{label}: unknown host key from {transport.host}:{transport.port}: "
                f"{_fingerprint(policy.presented)} (type {policy.presented.get_name()}), the "
                f"profile pins {_fingerprint(expected)}; refused before authentication"
            ) from None
        if "host key" in str(exc):
            raise HostKeyRefusedError(
                f"{label}: {transport.host}:{transport.port} offers no host key of the pinned "
                f"type {expected.get_name()} ({exc}); refused before authentication"
            ) from None
        raise SftpError(f"{label}: SSH failure with {where}: {exc}") from None
    except (OSError, EOFError) as exc:
        client.close()
        reason = "timed out" if isinstance(exc, socket.timeout | TimeoutError) else str(exc)
        raise SftpError(f"{label}: cannot reach {where}: {reason or type(exc).__name__}") from None
    return Connection(client, sftp)


def _fingerprint(key: paramiko.PKey) -> str:
    return key.fingerprint  # SHA256:<base64>, as ssh-keygen -l prints it


Connector = Callable[[], Connection]


# ---------------------------------------------------------------- source


@dataclass(slots=True)
class _Staged:
    name: str  # the remote name in <processing>
    local: Path
    size: int


class SftpSource(ClaimStrategy):
    """Pickup from one partner's server (see the module doc for the steps)."""

    def __init__(
        self,
        partner_id: str,
        account: str,
        transport: SftpTransport,
        staging_dir: Path,
        *,
        complete: CompletenessCheck | None = None,
        alert: Alert | None = None,
        connector: Connector | None = None,
        clock: Clock = time.monotonic,
        max_staged: int = 1000,
        incomplete_grace_seconds: float = 600.0,
    ) -> None:
        if transport.inbound_dir is None:
            raise ValueError(f"{partner_id}: sftp transport without inbound_dir")
        self.partner_id = partner_id
        self.account = account
        self.transport = transport
        self.inbound = transport.inbound_dir
        self.processing = transport.processing_dir or posixpath.join(self.inbound, ".processing")
        self.label = f"sftp {partner_id}"
        self.staging = staging_dir
        self.complete = complete
        self.alert = alert
        self.connector = connector or (lambda: connect(transport, self.label))
        self.clock = clock
        self.max_staged = max_staged
        self.incomplete_grace = incomplete_grace_seconds
        self.breaker = CircuitBreaker(base_seconds=transport.poll_seconds, clock=clock)
        self.refusals = Refusals(self.label)
        self._read_lock = ReadLock(stable_seconds=0.0, second_look=True)
        self._conn: Connection | None = None
        self._conn_lock = threading.RLock()  # one SFTP conversation at a time
        self._lock = threading.Lock()  # ready/in-flight/pending bookkeeping
        self._ready: deque[PickupClaim] = deque()
        self._in_flight: dict[str, _Staged] = {}
        self._to_finish: deque[_Staged] = deque()
        self._incomplete: dict[str, tuple[int, float]] = {}
        self._processing_names: set[str] = set()  # as listed by the last recovery
        self._alerted: set[str] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.staging.mkdir(parents=True, exist_ok=True)
        # whatever a previous run left here is still on the server (inbound or processing)
        # or already stored: never needed again
        for leftover in self.staging.iterdir():
            leftover.unlink(missing_ok=True)

    # ------------------------------------------------------------ Source

    def poll(self) -> Iterator[PickupClaim]:
        """Claims copied and checked so far; without a thread, one remote round first."""
        if self._thread is None:
            self.sync_once()
        while True:
            with self._lock:
                if not self._ready:
                    return
                claim = self._ready.popleft()
            yield claim

    def watch(self, on_ready: Callable[[], None] | None = None) -> None:
        """Poll the server in a thread of this partner's own (`gateway run`)."""
        if self._thread is not None:
            return

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    found = self.sync_once()
                except Exception:  # never let the partner's thread die
                    log.exception("%s: poll failed", self.label)
                    found = 0
                if found and on_ready is not None:
                    on_ready()
                delay = self.transport.poll_seconds
                if not self.breaker.allow():
                    delay = max(0.5, self.breaker.open_until - self.clock())
                self._wake.wait(timeout=delay)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name=f"sftp-{self.partner_id}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.transport.timeout_seconds + 5)
            self._thread = None
        with self._lock:
            pending = bool(self._to_finish)
        if pending and self.breaker.allow():
            # finish what is stored before leaving (else the next start copies it again)
            with contextlib.suppress(SftpError):
                self._round(self._finish)
        with self._conn_lock:
            self._disconnect()

    # ------------------------------------------------------------ claim strategy

    def commit(self, claim: PickupClaim) -> None:
        """Stored: archive or delete on the server (now without a thread, else by the thread)."""
        with self._lock:
            staged = self._in_flight.get(claim.key)
            if staged is None:
                return
            self._to_finish.append(staged)
        if self._thread is None:
            with contextlib.suppress(SftpError):
                self._round(lambda conn: self._finish(conn))
        else:
            self._wake.set()

    def rollback(self, claim: PickupClaim, reason: str) -> None:
        """Not stored: the file stays in <processing> and is copied again on a later poll."""
        with self._lock:
            staged = self._in_flight.pop(claim.key, None)
        if staged is not None:
            staged.local.unlink(missing_ok=True)
        log.info("%s: %s left on the server for a later attempt: %s", self.label, claim.key, reason)

    # ------------------------------------------------------------ the remote round

    def sync_once(self) -> int:
        """One round: finish remote steps, recover claimed files, claim new ones; new claims."""
        if not self.breaker.allow():
            return 0
        try:
            return self._round(self._pickup)
        except SftpError:
            return 0

    def _round(self, work: Callable[[Connection], int]) -> int:
        with self._conn_lock:
            try:
                if self._conn is not None and not self._conn.alive():
                    self._disconnect()  # closed by the server while idle: a new session
                if self._conn is None:
                    self._conn = self.connector()
                found = work(self._conn)
            except SftpError as exc:
                self._failed(exc)
                raise
            except (OSError, EOFError, paramiko.SSHException) as exc:
                error = SftpError(f"{self.label}: {_describe(exc)}")
                self._failed(error)
                raise error from None
            self.breaker.success()
            self._alerted.clear()  # a later failure is news again
            return found

    def _failed(self, exc: SftpError) -> None:
        self._disconnect()
        delay = self.breaker.failure(str(exc))
        if isinstance(exc, HostKeyRefusedError):
            log.error("%s (next try in %.0f s)", exc, delay)
            self._alert_once("sftp_host_key_refused", str(exc))
        elif isinstance(exc, SftpAuthError):
            log.error("%s (next try in %.0f s)", exc, delay)
            self._alert_once("sftp_auth_failed", str(exc))
        else:
            log.warning("%s (next try in %.0f s)", exc, delay)

    def _alert_once(self, kind: str, message: str) -> None:
        if message in self._alerted:
            return
        self._alerted.add(message)
        if self.alert is not None:
            try:
                self.alert(kind, {"partner": self.partner_id, "error": message})
            except Exception:  # an alert that cannot be recorded must not stop pickup
                log.exception("%s: cannot record alert", self.label)

    def _disconnect(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _pickup(self, conn: Connection) -> int:
        self._finish(conn)
        found = self._recover(conn)
        found += self._claim_new(conn)
        return found

    def _finish(self, conn: Connection) -> int:
        """The remote step of committed claims: archive (unique name) or delete."""
        done = 0
        while True:
            with self._lock:
                if not self._to_finish:
                    return done
                staged = self._to_finish[0]
            remote = posixpath.join(self.processing, staged.name)
            if self.transport.after_pickup == "delete":
                with _missing_ok():
                    conn.sftp.remove(remote)
            else:
                assert self.transport.archive_dir is not None  # checked by the profile
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
                target = posixpath.join(self.transport.archive_dir, f"{staged.name}.{stamp}")
                with _missing_ok():
                    conn.sftp.rename(remote, target)
            crashpoint("sftp_after_remote_archive")
            with self._lock:
                self._to_finish.popleft()
                self._in_flight.pop(staged.name, None)
            staged.local.unlink(missing_ok=True)
            done += 1

    def _listing(self, conn: Connection, directory: str) -> list[paramiko.SFTPAttributes]:
        try:
            return sorted(conn.sftp.listdir_attr(directory), key=lambda a: a.filename)
        except FileNotFoundError:
            if directory == self.processing:
                conn.sftp.mkdir(directory, 0o700)
                return []
            raise SftpError(f"{self.label}: remote folder {directory} does not exist") from None

    def _acceptable(self, where: str, attrs: paramiko.SFTPAttributes) -> bool:
        name = attrs.filename
        problem = name_problem(name)
        if not problem and not is_candidate_name(name, self.transport.temp_suffixes):
            return False  # still being written by the partner's convention, or hidden
        mode = attrs.st_mode or 0
        if not problem and not stat.S_ISREG(mode):
            if stat.S_ISDIR(mode):
                return False
            problem = "not a regular file (symbolic link, FIFO or device) refused"
        if problem:
            if self.refusals.report(f"{where}/{name}", problem):
                self._alert_once("sftp_name_refused", f"{self.label}: {name!r}: {problem}")
            return False
        return True

    def _recover(self, conn: Connection) -> int:
        """Files claimed earlier (a crash, a dropped connection, a rollback): copy them again."""
        found = 0
        now = self.clock()
        present: set[object] = set()
        self._processing_names = set()
        for attrs in self._listing(conn, self.processing):
            name = attrs.filename
            self._processing_names.add(name)
            if not self._acceptable(self.processing, attrs):
                continue
            present.add(("p", name))
            with self._lock:
                if name in self._in_flight:
                    continue
            size = attrs.st_size or 0
            waiting = self._incomplete.get(name)
            if waiting is not None and waiting[0] == size:
                if now - waiting[1] < self.incomplete_grace:
                    continue  # unchanged and not whole: no need to copy it again yet
            elif not self._read_lock.ready(("p", name), size, attrs.st_mtime or 0, now):
                continue
            if self._staged_full():
                break
            found += self._copy(conn, name, size, now)
        self._read_lock.forget_except(present, lambda k: isinstance(k, tuple) and k[0] == "p")
        for gone in [n for n in self._incomplete if ("p", n) not in present]:
            del self._incomplete[gone]
        return found

    def _claim_new(self, conn: Connection) -> int:
        found = 0
        now = self.clock()
        present: set[object] = set()
        for attrs in self._listing(conn, self.inbound):
            name = attrs.filename
            if not self._acceptable(self.inbound, attrs):
                continue
            present.add(("i", name))
            if name in self._processing_names:
                continue  # the same name is still being processed: never rename over it
            size = attrs.st_size or 0
            if not self._read_lock.ready(("i", name), size, attrs.st_mtime or 0, now):
                continue
            if self._staged_full():
                break
            try:
                # the claim: atomic on the server; OpenSSH refuses to replace an existing name
                conn.sftp.rename(
                    posixpath.join(self.inbound, name), posixpath.join(self.processing, name)
                )
            except FileNotFoundError:
                continue  # gone meanwhile (another consumer)
            except PermissionError as exc:
                raise SftpError(f"{self.label}: cannot claim {name!r}: {exc}") from None
            except OSError:
                log.info("%s: %r is already being processed; later", self.label, name)
                continue
            crashpoint("sftp_after_claim")
            found += self._copy(conn, name, size, now)
        self._read_lock.forget_except(present, lambda k: isinstance(k, tuple) and k[0] == "i")
        return found

    def _staged_full(self) -> bool:
        with self._lock:
            return len(self._in_flight) >= self.max_staged

    def _copy(self, conn: Connection, name: str, listed_size: int, now: float) -> int:
        """Stream <processing>/<name> to a gateway-named file; hand it out when whole."""
        remote = posixpath.join(self.processing, name)
        size = conn.sftp.stat(remote).st_size or 0
        local = self.staging / f"{uuid.uuid4().hex}.part"
        try:
            with local.open("wb") as out:
                conn.sftp.getfo(remote, out, prefetch=True)
            # No fsync here: this copy is never the durable one. The archive fsyncs its own
            # copy before the receipt commit, and a crash before that discards this file at
            # start-up while the original waits in <processing> (measured: two fsyncs of five
            # per file on a busy disk).
            got = local.stat().st_size
            if got != size:
                raise SftpError(f"{self.label}: {name!r}: copied {got} of {size} bytes")
            if not self._whole(name, size, local, now):
                local.unlink()
                return 0
            ready = local.with_suffix(".ready")
            os.replace(local, ready)
        except BaseException:
            local.unlink(missing_ok=True)
            raise
        staged = _Staged(name, ready, size)
        claim = PickupClaim(
            facts("sftp", self.account, name, size, datetime.now(UTC)),
            name,
            lambda: ready.open("rb"),
            self,
        )
        with self._lock:
            self._in_flight[name] = staged
            self._ready.append(claim)
        crashpoint("sftp_after_local_copy")
        return 1

    def _whole(self, name: str, size: int, local: Path, now: float) -> bool:
        """The completeness check; a file that stays incomplete is taken after the grace."""
        if self.complete is None or self.complete(local):
            self._incomplete.pop(name, None)
            return True
        first = self._incomplete.get(name)
        if first is None or first[0] != size:
            self._incomplete[name] = (size, now)
            log.info("%s: %r is not a whole interchange yet; waiting", self.label, name)
            return False
        if now - first[1] < self.incomplete_grace:
            return False
        # stable and incomplete for the whole grace: take it; processing will quarantine it
        log.warning("%s: %r stayed incomplete; taken to be quarantined", self.label, name)
        self._incomplete.pop(name, None)
        return True


@contextlib.contextmanager
def _missing_ok() -> Iterator[None]:
    # a remote step finished before a crash or reconnect: done is done
    with contextlib.suppress(FileNotFoundError):
        yield


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "the server stopped answering (timed out)"
    text = str(exc) or type(exc).__name__
    return f"connection or remote error: {text}"


# ---------------------------------------------------------------- sink


@dataclass
class SftpSink:
    """Upload to the partner's outbound folder: `.part`, size confirmed, then the final name."""

    partner_id: str
    transport: SftpTransport
    connector: Connector | None = None
    clock: Clock = time.monotonic
    breaker: CircuitBreaker = field(init=False)
    _conn: Connection | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.transport.outbound_dir is None:
            raise PermanentDeliveryError(f"{self.partner_id}: sftp transport without outbound_dir")
        self.label = f"sftp {self.partner_id}"
        if self.connector is None:
            transport = self.transport
            self.connector = lambda: connect(transport, self.label)
        self.breaker = CircuitBreaker(base_seconds=5.0, clock=self.clock)

    def deliver(self, delivery: Delivery) -> None:
        name = delivery.name
        problem = name_problem(name) or ("hidden name refused" if name.startswith(".") else "")
        if problem:
            raise PermanentDeliveryError(f"{self.label}: output name {name!r}: {problem}")
        if not self.breaker.allow():
            # the carrier failed a moment ago: do not wait on it again yet
            raise TransientDeliveryError(
                f"{self.label}: circuit open after: {self.breaker.last_error}"
            )
        with self._lock:
            try:
                if self._conn is not None and not self._conn.alive():
                    self._conn.close()  # closed by the server while idle: a new session
                    self._conn = None
                if self._conn is None:
                    assert self.connector is not None
                    self._conn = self.connector()
                self._upload(self._conn.sftp, name, delivery.payload)
            except PermanentDeliveryError:
                raise
            except SftpError as exc:
                self._failed(str(exc))
                raise TransientDeliveryError(str(exc)) from None
            except (OSError, EOFError, paramiko.SSHException) as exc:
                message = f"{self.label}: upload of {name!r}: {_describe(exc)}"
                self._failed(message)
                raise TransientDeliveryError(message) from None
            self.breaker.success()

    def _failed(self, message: str) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        delay = self.breaker.failure(message)
        log.warning("%s (deliveries to it wait %.0f s)", message, delay)

    def _upload(self, sftp: paramiko.SFTPClient, name: str, payload: bytes) -> None:
        assert self.transport.outbound_dir is not None
        final = posixpath.join(self.transport.outbound_dir, name)
        if self._already_there(sftp, final, payload):
            return  # a retry after a crash: the effect already happened
        part = f"{final}.part"
        # confirm=True stats the uploaded file and fails on a size mismatch
        sftp.putfo(io.BytesIO(payload), part, file_size=len(payload), confirm=True)
        crashpoint("sftp_upload_part_written")
        try:
            sftp.posix_rename(part, final)
        except OSError:
            sftp.rename(part, final)  # servers without posix-rename@openssh.com
        crashpoint("sftp_upload_renamed")

    def _already_there(self, sftp: paramiko.SFTPClient, final: str, payload: bytes) -> bool:
        try:
            size = sftp.stat(final).st_size
        except FileNotFoundError:
            return False
        if size == len(payload):
            with sftp.open(final, "rb") as fh:
                if fh.read(len(payload) + 1) == payload:
                    return True
        raise PermanentDeliveryError(
            f"{self.label}: {final} already exists with other content; not overwritten"
        )

    def flush(self) -> None:
        """Each upload was confirmed and renamed in `deliver`: nothing is pending."""

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# ---------------------------------------------------------------- factories


def sftp_source(
    partner_id: str,
    account: str,
    transport: SftpTransport,
    var_dir: Path,
    *,
    complete: CompletenessCheck | None,
    alert: Alert | None,
) -> SftpSource:
    return SftpSource(
        partner_id,
        account,
        transport,
        var_dir / "sftp" / partner_id,
        complete=complete,
        alert=alert,
    )


def sftp_sink(partner_id: str, transport: SftpTransport) -> SftpSink:
    return SftpSink(partner_id, transport)


__all__ = [
    "CircuitBreaker",
    "Connection",
    "HostKeyRefusedError",
    "SftpAuthError",
    "SftpError",
    "SftpSink",
    "SftpSource",
    "connect",
    "pinned_key",
    "sftp_sink",
    "sftp_source",
]
