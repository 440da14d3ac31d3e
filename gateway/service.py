"""`gateway run` and `gateway worker`: wire registry, store, archive, adapters, pipeline and
delivery, and run them as overlapping stages.

Three threads, each woken by events: receive (watchdog and rescans take ready files), process
(claims received messages from the work queue, `gateway.store.queue`) and deliver (bounded
batches of the outbox). A claim's messages are processed as one group commit (one transaction,
a savepoint per message). Deliveries start while a burst is still being received; a stop ends
each stage after the item in hand and returns what it had claimed at once. On PostgreSQL any
number of `gateway worker` processes (process + deliver, no HTTP) run beside `gateway run`;
periodic jobs run once per slot across all of them. SQLite has one writer: one process.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from apscheduler.schedulers.background import BackgroundScheduler

from gateway.adapters.base import InboundClaim, Source
from gateway.adapters.folder import FolderSource
from gateway.adapters.sources import SourceContext, partner_sources
from gateway.console.app import ConsoleConfig
from gateway.faults import crashpoint
from gateway.ops import create_app, serve_in_thread
from gateway.ops.auth import AuthConfig
from gateway.ops.logs import correlation
from gateway.ops.rest import rest_routers
from gateway.pipeline.archive import Archive
from gateway.pipeline.delivery import DeliveryWorker
from gateway.pipeline.inbound import InboundPipeline, ProcessOutcome
from gateway.registry import Registry
from gateway.settings import Settings
from gateway.soap.operations import ErpOperations
from gateway.soap.server import SoapDispatcher
from gateway.store import MessageStatus, NewEvent, Store, StoreError, create_store
from gateway.store.queue import Lease, LeaseLostError, WorkQueue, holding
from gateway.store.reconnect import Outage, StageRetry
from gateway.upkeep import Upkeep

log = logging.getLogger(__name__)


class HomeBusyError(Exception):
    """Another `gateway run` already works on this gateway home (its lock file is held)."""


def lock_home(var_dir: Path) -> TextIO:
    """Hold `var/gateway.lock` for the life of the process: one running gateway per home on the
    embedded SQLite default (PostgreSQL deployments run several, each with its own home)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "gateway.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise HomeBusyError(
            f"another gateway is already running on {var_dir.parent} (pid {holder}); "
            "stop it first, or set GATEWAY_HOME to another folder"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


@dataclass
class TickReport:
    received: int = 0
    processed: int = 0
    delivered: int = 0


RECEIVE_BATCH = 64  # files recorded per receipt transaction, at most
RECEIVE_FIRST = 8  # files in a drop's first receipt transaction
RECEIVE_WAIT = 0.1  # seconds the first file of a burst waits for others, at most
CLAIM_BATCH = 16  # messages per queue claim: small, so other workers share a burst
# SQLite has one worker, nobody to share with: larger claims, fewer claim commits per file
# (GROUP_SECONDS still bounds what one group commit holds)
SQLITE_CLAIM_BATCH = 64
# bytes per queue claim (beyond its first message): one worker claiming sixteen files of a
# thousand sets each would leave the others idle (a 1,000-set 214 file is ~500 KB)
CLAIM_BYTES = 256 * 1024
GROUP_SECONDS = 0.25  # a group commit stops taking messages after this (writer lock, latency)
DELIVER_GATHER = 0.05  # a woken delivery stage waits this long for the next groups' rows
# The stages share one interpreter lock. A stage that gives it up for every small I/O call
# (delivery: open, write, rename per file; SQLite: per statement) waits up to the switch
# interval to get it back while another stage computes: 5 ms by default, so the first 16 files
# of a burst took ~0.4 s to deliver. Measured with 0.5 ms: the first portal file of a 10,000-
# file drop 0.55-0.98 s after it against 0.97-1.34 s, throughput unchanged (BENCHMARKS.md).
STAGE_SWITCH_SECONDS = 0.0005
STOP_GRACE_SECONDS = 3.5  # a stop waits this long for the stages' items in hand


class Gateway:
    def __init__(
        self, settings: Settings, *, store: Store | None = None, receive: bool = True
    ) -> None:
        self.settings = settings
        self.registry = Registry.load(settings.partners_dir)
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        url = settings.database_url or f"sqlite:///{settings.var_dir / 'gateway.db'}"
        # a worker paused mid-transaction past its lease loses its locks with it (PostgreSQL)
        self.store = store or create_store(
            url, idle_in_transaction_seconds=max(5.0, settings.lease_seconds)
        )
        self.store.migrate()
        self.archive = Archive(settings.archive_dir, max_bytes=settings.max_payload_bytes)
        self.pipeline = InboundPipeline(self.store, self.archive, self.registry)
        self._wake = threading.Event()  # receive stage (watchdog, rescans)
        self._wake_process = threading.Event()
        self._wake_deliver = threading.Event()
        self._stop = threading.Event()
        self.outage = Outage()  # a database restart: one log line, stages retry with backoff
        self.outage.watch(self.store)
        self.delivery = DeliveryWorker(
            self.store,
            self.registry,
            settings.base_dir,
            lease_seconds=settings.lease_seconds,
            stopping=self._stop,
        )
        self.queue = WorkQueue(self.store, lease_seconds=settings.lease_seconds)
        self.group_commit = True  # messages of a claim share one transaction (`_process_group`)
        self.receives = receive
        accounts = self._folder_accounts()
        for account in accounts:
            (settings.inbox_dir / account).mkdir(parents=True, exist_ok=True)
        self.source = FolderSource(
            settings.inbox_dir, stable_seconds=settings.stable_seconds, accounts=None
        )
        # polled partner servers (SFTP), each in a thread of its own once `run` starts
        self.sources: list[Source] = [self.source, *partner_sources(self.registry, self._ctx())]
        # Start-up objects (profiles, schemas, compiled validators) never die: keep them out of
        # the collector's way, and collect less often on the hot path (measured +8-15% on the
        # 214 path, bench/bench_214_path.py --gc tuned).
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
        # the latest outcomes only (logs, tests): a long run must not grow with its history
        self.outcomes: deque[ProcessOutcome] = deque(maxlen=1000)
        self.http_url: str | None = None
        self._registered = False
        self.upkeep = Upkeep(self)  # profile reloads, inbox refusals
        # API keys and allowed hosts; a wrong entry stops the start with its reason
        self.auth = AuthConfig.from_env(registry=self.registry, bind_host=settings.http_host)
        if not self.auth.loopback and not self.auth.keys:
            log.warning("HTTP on %s without API keys: every API route refuses", settings.http_host)

    def _ctx(self) -> SourceContext:
        from gateway.x12.complete import file_complete

        def alert(kind: str, detail: dict[str, object]) -> None:
            self.store.add_event("alert", {"kind": kind, **detail})

        return SourceContext(self.settings.var_dir, alert=alert, complete=file_complete)

    def _folder_accounts(self) -> list[str]:
        accounts = []
        for p in self.registry:
            if p.transport is not None and p.transport.kind == "folder":
                inbound = getattr(p.transport, "inbound_dir", None)
                if inbound:
                    accounts.append(Path(inbound).name)
        return accounts

    def _register(self) -> None:
        if not self._registered:
            self.queue.register()
            self._registered = True

    # ------------------------------------------------------------ stages (one step each)

    def receive_ready(self) -> int:
        """Take the files ready in the inboxes (archive each, then one commit records a
        burst's receipts); returns how many were received."""
        received = 0
        burst: list[InboundClaim] = []
        started = 0.0
        # the first receipts of a drop commit in a small group, so processing (and the first
        # deliveries) start at once; the groups then double up to RECEIVE_BATCH
        limit = RECEIVE_FIRST
        self.upkeep.reload_partners_if_changed()
        claims = (claim for source in self.sources for claim in source.poll())
        for claim in claims:
            if self._stop.is_set():
                claim.rollback("gateway stopping")
                continue
            if not burst:
                started = time.monotonic()
            burst.append(claim)
            # commit when the burst is large or has waited long enough: the first files of
            # a big drop reach processing quickly, the rest share commits
            if len(burst) >= limit or time.monotonic() - started >= RECEIVE_WAIT:
                received += len(self.pipeline.receive_many(burst))
                burst = []
                limit = min(2 * limit, RECEIVE_BATCH)
                self._wake_process.set()
        if burst:
            received += len(self.pipeline.receive_many(burst))
        self.upkeep.report_inbox_refusals()
        if received:
            self._wake_process.set()
        return received

    def process_claimed(self, limit: int | None = None) -> int:
        """Claim up to `limit` received messages from the queue (default CLAIM_BATCH, on SQLite
        SQLITE_CLAIM_BATCH) and process them; returns how many were claimed (0: nothing to
        do). Messages never begun before are processed as one group commit
        (`_process_group`); a message begun before and never finished (its worker died) is
        processed alone, with its own start counted first."""
        self._register()
        if limit is None:
            limit = CLAIM_BATCH if self.store.dialect == "postgresql" else SQLITE_CLAIM_BATCH
        leases = self.queue.claim_messages(limit, begin=self.group_commit, max_bytes=CLAIM_BYTES)
        group = [lease for lease in leases if lease.begun]
        alone = [lease for lease in leases if not lease.begun]
        if group:
            self._process_group(group)  # drops its leases and sweeps in its own commit
        if alone:
            self.queue.done(*self._process_each(alone))
            # held documents whose shipment became known meanwhile
            self.pipeline.dispatcher.sweep()
        if leases:
            self._wake_deliver.set()
        return len(leases)

    def _process_each(self, leases: list[Lease]) -> list[Lease]:
        """One transaction (or more) per message; the leases whose processing ended."""
        finished: list[Lease] = []
        for n, lease in enumerate(leases):
            if self._stop.is_set():
                self.queue.release(leases[n:])
                break
            try:
                if self._process_one(lease):
                    finished.append(lease)
            except StoreError:
                # the store is down: stop this round, try again later; the leases expire
                # if they cannot be given back now
                with contextlib.suppress(StoreError):
                    self.queue.release(leases[n:])
                raise
        return finished

    def _process_group(self, leases: list[Lease]) -> list[Lease]:
        """Group commit: the messages (their starts counted by the claim), the drop of their
        leases and the hold sweep in ONE transaction, so one fsync instead of ~10 per file.
        Each message runs in a savepoint: an internal error undoes that message's writes only
        and marks it failed, as alone. A store error or a lost lease rolls the whole group
        back (nothing of it happened) and its messages are processed one by one instead. A
        crash before the commit leaves every message received and claimable, with its start
        counted: the next claim gives each one its own transaction."""
        finished: list[Lease] = []
        rest = leases
        while rest:
            done, rest = self._commit_group(rest)
            finished.extend(done)
        return finished

    def _commit_group(self, leases: list[Lease]) -> tuple[list[Lease], list[Lease]]:
        """One transaction for the leases, or as many of them as GROUP_SECONDS allow (the
        writer lock is not held longer, and the first deliveries are not delayed); returns
        (finished, not yet processed)."""
        finished: list[Lease] = []
        outcomes: list[ProcessOutcome] = []
        started = time.monotonic()
        rest: list[Lease] = []
        try:
            with self.store.batch():
                for n, lease in enumerate(leases):
                    if self._stop.is_set():
                        self.queue.release(leases[n:])
                        break
                    if finished and time.monotonic() - started >= GROUP_SECONDS:
                        rest = leases[n:]
                        break
                    with holding(lease):
                        outcome = self._run(lease)
                    finished.append(lease)
                    if outcome is not None:
                        outcomes.append(outcome)
                self.queue.done(*finished)
                with self.store.savepoint():
                    self.pipeline.dispatcher.sweep()
                crashpoint("before_group_commit")
        except (StoreError, LeaseLostError) as exc:
            log.info("group of %d messages rolled back (%s): one by one", len(leases), exc)
            self.queue.held.update((x.message_id, x.token) for x in leases)
            finished = self._process_each(leases)
            self.queue.done(*finished)
            self.pipeline.dispatcher.sweep()
            return finished, []
        self.outcomes.extend(outcomes)
        if finished:
            self._wake_deliver.set()  # the delivery stage starts on this group meanwhile
        return finished, rest

    def _run(self, lease: Lease) -> ProcessOutcome | None:
        """Process a message under its lease; an internal error fails it with its reason."""
        try:
            # in a group, the savepoint undoes this message's own writes on an error
            with correlation(f"msg-{lease.message_id}"), self.store.savepoint():
                return self.pipeline.process(lease.message_id)
        except (StoreError, LeaseLostError):
            raise
        except Exception as exc:
            # a poison message must not loop: it fails once, with its reason, and
            # waits for `gateway replay` after a fix (the bytes stay archived)
            log.exception("message %s failed", lease.message_id)
            self.store.mark_message(
                lease.message_id,
                MessageStatus.FAILED,
                quarantine_reason=f"internal error: {type(exc).__name__}: {exc}",
                event=NewEvent("failed", {"error": f"{type(exc).__name__}: {exc}"}),
            )
            return None

    def _process_one(self, lease: Lease) -> bool:
        """Process one claimed message; False when its lease was lost to another worker."""
        try:
            self.queue.begin(lease)  # counted before any work: a message that kills its worker
            with holding(lease):
                outcome = self._run(lease)
        except LeaseLostError as exc:
            self.queue.held.pop(lease.message_id, None)
            log.warning("%s", exc)
            return False
        if outcome is not None:
            self.outcomes.append(outcome)
        return True

    def tick(self) -> TickReport:
        """One round of work: take ready files, process what is received, deliver what is due."""
        report = TickReport()
        if self.receives:
            report.received = self.receive_ready()
        # everything received but not processed, including what a crash left behind
        while not self._stop.is_set() and (n := self.process_claimed()):
            report.processed += n
        # held documents whose shipment became known meanwhile (or before a crash)
        self.pipeline.dispatcher.sweep()
        report.delivered = self.delivery.drain()
        return report

    def flag_overdue_acks(self) -> int:
        try:
            flagged = self.pipeline.reconciler.flag_overdue()
        except Exception:  # the next run tries again; never kill the scheduler thread
            log.exception("overdue acknowledgement check failed")
            return 0
        for ack in flagged:
            log.warning(
                "acknowledgement overdue: %s %s from %s (ISA13 %s GS06 %s)",
                ack.kind.value,
                ack.id,
                ack.partner_id,
                ack.interchange_control_number,
                ack.group_control_number,
            )
        return len(flagged)

    def soap_dispatcher(self) -> SoapDispatcher:
        """The ERP's SOAP service (POST /soap) over this gateway's store and pipeline."""
        return ErpOperations(self.store, self.registry, self.pipeline, self.archive).dispatcher()

    def run_alerts(self) -> None:
        from gateway.alerts.engine import AlertEngine

        host, port = self.settings.http_host, self.settings.http_port
        engine = AlertEngine(self.store, self.registry, console_url=f"http://{host}:{port}/console")
        try:
            engine.run()
        except StoreError as exc:  # the store is down: the next round tries again
            log.warning("alerts: %s", exc)

    def _periodic(self, name: str, every: float, job: Callable[[], object]) -> Callable[[], None]:
        """`job` once per `every`-second slot across all workers of this database."""

        def run_in_slot() -> None:
            if self.queue.run_once_per_slot(name, every):
                job()

        return lambda: self._guarded(f"periodic job {name}", run_in_slot)

    def _heartbeat(self) -> None:
        def beat() -> None:
            if self._registered and self.queue.heartbeat():
                self._wake_process.set()  # a dead worker's messages came back

        self._guarded("worker heartbeat", beat)

    def _guarded(self, name: str, job: Callable[[], object]) -> None:
        """A scheduler job: the next run tries again, so never kill the scheduler thread; an
        outage is logged once per process (gateway.store.reconnect), anything else in full."""
        try:
            self.outage.attempt(name, job)
        except Exception:
            log.exception("%s failed", name)

    def wake(self) -> None:
        self._wake.set()
        self._wake_process.set()
        self._wake_deliver.set()

    def stop(self) -> None:
        self._stop.set()
        self.wake()

    # ------------------------------------------------------------ running

    def _loop(
        self, name: str, event: threading.Event, poll: float, step: Callable[[], object]
    ) -> None:
        retry = StageRetry(name, self.outage)
        while not self._stop.is_set():
            # a failure waits (the database may be restarting: jittered backoff, workers
            # apart, one log line per outage), then the step runs again
            if wait := retry.run(step):
                self._stop.wait(wait)
                continue
            event.wait(timeout=poll)
            event.clear()

    def _deliver_due(self) -> None:
        # rows of the groups committed in the next moment join this round: fewer claims and
        # commits per delivered file while a burst is processed
        self._stop.wait(DELIVER_GATHER)
        self.delivery.drain()

    def _process_all(self) -> None:
        while not self._stop.is_set() and self.process_claimed():
            pass

    def run(self, *, http: bool = True) -> None:
        """Work until `stop()` (Ctrl-C in the CLI): the stages in their threads, watchdog,
        periodic rescans, deliveries, overdue-ack checks and hold sweeps."""
        settings = self.settings
        self._register()
        scheduler = BackgroundScheduler(timezone="UTC")
        if self.receives:
            scheduler.add_job(
                self._wake.set, "interval", seconds=settings.rescan_seconds, id="rescan"
            )
        scheduler.add_job(
            self._wake_deliver.set,
            "interval",
            seconds=settings.deliver_every_seconds,
            id="deliver",
        )
        if not self.receives:
            # the receive stage reloads changed profiles before it polls: without one, this
            scheduler.add_job(
                lambda: self._guarded("partner reload", self.upkeep.reload_partners_if_changed),
                "interval",
                seconds=settings.rescan_seconds,
                id="partners",
            )
        heartbeat = max(0.5, settings.lease_seconds / 4)
        scheduler.add_job(self._heartbeat, "interval", seconds=heartbeat, id="heartbeat")
        periodic = {
            # one check flags overdue acknowledgements (each exactly once; a late ack clears it)
            "acks-overdue": (settings.overdue_check_seconds, self.flag_overdue_acks),
            # held documents released by other workers' messages
            "hold-sweep": (settings.rescan_seconds, self.pipeline.dispatcher.sweep),
            # overdue/rejected acks, dead letters, silent partners, host keys (gateway/alerts)
            "alerts": (60.0, self.run_alerts),
        }
        for name, (every, job) in periodic.items():
            scheduler.add_job(
                self._periodic(name, every, job),
                "interval",
                seconds=every,
                id=name,
                max_instances=1,
                coalesce=True,
            )
        scheduler.start()
        server = None
        if http:
            server = serve_in_thread(
                create_app(
                    self.store,
                    self.registry,
                    auth=self.auth,
                    soap=self.soap_dispatcher(),
                    console=ConsoleConfig(archive=self.archive),
                    routers=rest_routers(self.store, self.registry, self.pipeline, self.wake),
                ),
                settings.http_host,
                settings.http_port,
            )
            self.http_url = server.url
            log.info("operations API and status page on %s", server.url)
        # other processes' receipts reach this one by polling on PostgreSQL
        process_poll = 0.25 if self.store.dialect == "postgresql" else settings.rescan_seconds
        stages: list[tuple[str, threading.Event, float, Callable[[], object]]] = [
            ("process", self._wake_process, process_poll, self._process_all),
            ("deliver", self._wake_deliver, settings.deliver_every_seconds, self._deliver_due),
        ]
        if self.receives:
            for source in self.sources:
                watch = getattr(source, "watch", None)
                if watch is not None:
                    watch(on_ready=self._wake.set)
            stages.insert(
                0, ("receive", self._wake, max(settings.stable_seconds, 0.05), self.receive_ready)
            )
        threads = [
            threading.Thread(target=self._loop, args=stage, name=f"gateway-{stage[0]}", daemon=True)
            for stage in stages
        ]
        switch = sys.getswitchinterval()
        sys.setswitchinterval(STAGE_SWITCH_SECONDS)  # while the stages run (see the constant)
        try:
            for thread in threads:
                thread.start()
            try:
                self._stop.wait()
            finally:
                self._stop.set()
                self.wake()
                deadline = STOP_GRACE_SECONDS
                for thread in threads:
                    started = time.monotonic()
                    thread.join(timeout=max(0.0, deadline))
                    deadline -= time.monotonic() - started
                busy = [t.name for t in threads if t.is_alive()]
                if server is not None:
                    server.stop()
                scheduler.shutdown(wait=False)
                for source in self.sources:
                    source.close()
                self.delivery.close()
                if busy:
                    # its transaction rolls back with the process; its lease expires or, on
                    # SQLite, the next start takes it back
                    log.warning("stopping with %s still busy", ", ".join(busy))
                else:
                    try:
                        self.queue.unregister()  # this worker's claims go back at once
                    except Exception:
                        log.exception("could not return this worker's claims")
                    self.store.close()
        finally:
            sys.setswitchinterval(switch)
