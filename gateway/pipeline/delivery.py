"""Delivery workers: claim outbox rows, send them through the destination's adapter, record.

Every send carries the row's idempotency key; a failure backs off per the destination's
policy and becomes a dead letter after its limit. A lease that expires (a crashed worker)
returns the row to the queue, and a stale worker's completion is fenced off by the store.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.adapters.base import (
    Delivery,
    PermanentDeliveryError,
    Sink,
    TransientDeliveryError,
)
from gateway.adapters.folder import FolderSink
from gateway.adapters.http import HttpSink
from gateway.faults import crashpoint
from gateway.ops.logs import correlation
from gateway.registry import PartnerProfile, Registry
from gateway.registry.profile import AmqpTransport, DeliveryPolicy, HttpTransport, SftpTransport
from gateway.registry.secrets import SecretMissingError, resolve_secret
from gateway.store import OutboxRow, Store
from gateway.store.queue import claim_deliveries, release_deliveries

log = logging.getLogger(__name__)

SinkFactory = Callable[[PartnerProfile, Path], Sink]


def _folder_sink(profile: PartnerProfile, base_dir: Path) -> Sink:
    transport = profile.delivery_transport
    out_dir = getattr(transport, "outbound_dir", None) or f"outbox/{profile.id}"
    return FolderSink(base_dir / out_dir)


def _http_sink(profile: PartnerProfile, base_dir: Path) -> Sink:
    transport = profile.delivery_transport
    if not isinstance(transport, HttpTransport) or transport.url is None:
        raise PermanentDeliveryError(f"{profile.id}: http transport without url")
    env = dict(os.environ)
    token = resolve_secret(transport.bearer_token, env) if transport.bearer_token else None
    secret = resolve_secret(transport.signing_secret, env) if transport.signing_secret else None
    return HttpSink(str(transport.url), transport.timeout_seconds, token, secret)


def _sftp_sink(profile: PartnerProfile, base_dir: Path) -> Sink:
    from gateway.adapters.sftp import sftp_sink

    transport = profile.delivery_transport
    if not isinstance(transport, SftpTransport):
        raise PermanentDeliveryError(f"{profile.id}: not an sftp transport")
    return sftp_sink(profile.id, transport)


def _amqp_sink(profile: PartnerProfile, base_dir: Path) -> Sink:
    from gateway.adapters.amqp import AmqpSink

    transport = profile.delivery_transport
    if not isinstance(transport, AmqpTransport):
        raise PermanentDeliveryError(f"{profile.id}: not an amqp transport")
    url = resolve_secret(transport.url, dict(os.environ))
    return AmqpSink(url, transport.exchange, transport.routing_prefix, transport.timeout_seconds)


# One line per transport kind: a new transport registers its sink factory here.
SINKS: dict[str, SinkFactory] = {
    "folder": _folder_sink,
    "http": _http_sink,
    "sftp": _sftp_sink,
    "amqp": _amqp_sink,
}


@dataclass
class DeliveryWorker:
    store: Store
    registry: Registry
    base_dir: Path
    lease_seconds: float = 60.0
    batch: int = 500  # rows per claim (all its destinations together)
    # destinations per round: a burst's 997s, IDocs, TMS and portal files go out in one round
    # (one claim, one completing transaction), not in one round per destination
    destinations: int = 8
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    # set by a stop: the batch in hand ends after the row being sent, the rest goes back
    stopping: threading.Event = field(default_factory=threading.Event)
    _sinks: dict[str, Sink] = field(default_factory=dict)

    def sink_for(self, destination: str) -> Sink:
        if destination not in self._sinks:
            profile = self.registry.get(destination)
            transport = profile.delivery_transport
            kind = transport.kind if transport is not None else "none"
            factory = SINKS.get(kind)
            if factory is None:
                raise PermanentDeliveryError(f"no sink for transport {kind!r} of {destination}")
            try:
                self._sinks[destination] = factory(profile, self.base_dir)
            except SecretMissingError as exc:
                # names the variable only, never a value; retried once the secret is set
                raise TransientDeliveryError(f"{destination}: {exc}") from None
        return self._sinks[destination]

    def run_once(self) -> int:
        """Deliver what is due now; returns the number of rows handled.

        The batch is sent, then made durable (each sink's flush), then recorded in one
        transaction: a crash in between repeats deliveries under the same idempotency keys.
        One claim takes rows of one destination no other worker is sending to, so each
        partner gets its files in order with any number of workers. A stop mid-batch records
        what was sent and returns the rest to the queue at once (not after the lease).
        """
        if self.stopping.is_set():
            return 0
        rows = claim_deliveries(
            self.store,
            self.batch,
            self.lease_seconds,
            self.clock(),
            destinations=self.destinations,
        )
        if not rows:
            return 0
        sent: dict[str, list[OutboxRow]] = {}
        unsent: list[int] = []
        leases = _ClaimLeases(self.store, rows, self.lease_seconds)
        for row in rows:
            if unsent or self.stopping.is_set():
                unsent.append(row.id)
                continue
            if not leases.still_held(row):
                continue  # another worker took the rest of this claim: it sends them, in order
            if self._deliver(row):
                sent.setdefault(row.destination, []).append(row)
            else:
                leases.failed(row)
        done: dict[str, list[int]] = {}  # lease token -> rows sent and flushed
        for destination, delivered in sent.items():
            try:
                self.sink_for(destination).flush()
            except (TransientDeliveryError, OSError) as exc:
                for row in delivered:
                    self._failed(row, row.lease_token or "", str(exc), dead=False)
                continue
            for row in delivered:
                done.setdefault(row.lease_token or "", []).append(row.id)
        crashpoint("after_delivery_sent")
        for destination in sent:  # a kill after one destination's batch (claims are per one)
            crashpoint(f"after_delivery_sent:{destination}")
        if done:
            with self.store.batch():  # every destination of the round: one transaction
                recorded = sum(
                    len(self.store.complete_outbox_many(ids, token)) for token, ids in done.items()
                )
            crashpoint("after_delivery_recorded")
            expected = sum(len(ids) for ids in done.values())
            if recorded < expected:
                log.warning("%d deliveries: lease lost before completion", expected - recorded)
        if unsent:
            tokens: dict[int, str] = {row.id: row.lease_token or "" for row in rows}
            back: dict[str, list[int]] = {}
            for outbox_id in unsent:
                back.setdefault(tokens[outbox_id], []).append(outbox_id)
            for token, ids in back.items():
                release_deliveries(self.store, ids, token)
        return len(rows) - len(unsent)

    def close(self) -> None:
        """Close the sinks that hold connections (HTTP clients, AMQP channels)."""
        sinks, self._sinks = self._sinks, {}
        for sink in sinks.values():
            close = getattr(sink, "close", None)
            if callable(close):
                close()

    def drain(self, max_rounds: int = 1000) -> int:
        """Deliver until nothing is due, a stop is asked for, or `max_rounds` batches."""
        total = 0
        for _ in range(max_rounds):
            if self.stopping.is_set():
                break
            n = self.run_once()
            total += n
            if n == 0:
                break
        return total

    def _deliver(self, row: OutboxRow) -> bool:
        with _correlated(row):  # the log lines of a delivery carry its message's id
            return self._deliver_one(row)

    def _deliver_one(self, row: OutboxRow) -> bool:
        token = row.lease_token or ""
        try:
            payload = row.payload if row.payload is not None else b""
            name = row.payload_path or f"{row.kind}-{row.idempotency_key}"
            self.sink_for(row.destination).deliver(
                Delivery(row.destination, name, payload, row.idempotency_key, attempt=row.attempts)
            )
        except PermanentDeliveryError as exc:
            self._failed(row, token, str(exc), dead=True)
            return False
        except (TransientDeliveryError, OSError) as exc:
            self._failed(row, token, str(exc), dead=False)
            return False
        return True

    def _failed(self, row: OutboxRow, token: str, error: str, *, dead: bool) -> None:
        with _correlated(row):
            self._record_failure(row, token, error, dead=dead)

    def _record_failure(self, row: OutboxRow, token: str, error: str, *, dead: bool) -> None:
        policy = self._policy(row.destination)
        attempts = row.attempts
        if policy is not None and attempts >= policy.max_attempts:
            dead = True
        base = policy.backoff_seconds if policy else 30.0
        cap = policy.max_backoff_seconds if policy else 3600.0
        delay = min(cap, base * (2 ** max(0, attempts - 1)))
        when = self.clock() + timedelta(seconds=delay)
        self.store.fail_outbox(row.id, token, error, when, dead)
        log.warning("outbox %s to %s failed (%s): %s", row.id, row.destination, attempts, error)

    def _policy(self, destination: str) -> DeliveryPolicy | None:
        profile = self.registry.find(destination)
        return profile.delivery if profile is not None else None


class _ClaimLeases:
    """The leases of one claim while it is sent: pushed out every third of a lease, so a live
    worker keeps its rows however long the batch takes (a slow peer, a slow sync); and once a
    token's rows are found taken by another worker (this one stalled past the lease), none of
    its remaining rows is sent: the other worker sends them from its own claim, in order,
    instead of both sending at once and the later rows passing the earlier ones."""

    def __init__(self, store: Store, rows: list[OutboxRow], lease_seconds: float) -> None:
        self.store = store
        self.lease_seconds = lease_seconds
        self.every = lease_seconds / 3
        self.renewed = time.monotonic()
        self.ids: dict[str, list[int]] = {}
        self.destination: dict[str, str] = {}
        for row in rows:
            self.ids.setdefault(row.lease_token or "", []).append(row.id)
            self.destination[row.lease_token or ""] = row.destination
        self.lost: set[str] = set()

    def failed(self, row: OutboxRow) -> None:
        """A row whose failure was recorded is no longer in flight under its token."""
        ids = self.ids.get(row.lease_token or "")
        if ids is not None and row.id in ids:
            ids.remove(row.id)

    def still_held(self, row: OutboxRow) -> bool:
        if time.monotonic() - self.renewed >= self.every:
            self.renewed = time.monotonic()
            for token, ids in self.ids.items():
                if token in self.lost or not ids:
                    continue
                held = self.store.extend_outbox_leases(ids, token, self.lease_seconds)
                if held < len(ids):
                    self.lost.add(token)
                    log.warning(
                        "%d of %d deliveries to %s were taken by another worker after their "
                        "lease ran out: this worker sends no more of them",
                        len(ids) - held,
                        len(ids),
                        self.destination[token],
                    )
        return (row.lease_token or "") not in self.lost


def _correlated(row: OutboxRow) -> AbstractContextManager[None]:
    """The correlation id of the message this delivery came from (none for our own acks)."""
    if row.source_message_id is None:
        return nullcontext()
    return correlation(f"msg-{row.source_message_id}")
