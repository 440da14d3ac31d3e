"""`gateway run`: wires registry, store, archive, adapters, pipeline and delivery workers.

One worker thread does the work in order (receive, process, deliver), woken by watchdog
events and by APScheduler's periodic jobs (full rescans, delivery retries); SQLite has one
writer anyway, and PostgreSQL deployments scale out with more processes.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from apscheduler.schedulers.background import BackgroundScheduler

from gateway.adapters.base import Source
from gateway.adapters.folder import FolderSource
from gateway.adapters.sources import SourceContext, partner_sources
from gateway.console.app import ConsoleConfig
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


class Gateway:
    def __init__(self, settings: Settings, *, store: Store | None = None) -> None:
        self.settings = settings
        self.registry = Registry.load(settings.partners_dir)
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        url = settings.database_url or f"sqlite:///{settings.var_dir / 'gateway.db'}"
        self.store = store or create_store(url)
        self.store.migrate()
        self.archive = Archive(settings.archive_dir, max_bytes=settings.max_payload_bytes)
        self.pipeline = InboundPipeline(self.store, self.archive, self.registry)
        self.delivery = DeliveryWorker(
            self.store, self.registry, settings.base_dir, lease_seconds=settings.lease_seconds
        )
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
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.outcomes: list[ProcessOutcome] = []
        self.http_url: str | None = None
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

    def tick(self) -> TickReport:
        """One round of work: take ready files, process what is received, deliver what is due."""
        report = TickReport()
        self.upkeep.reload_partners_if_changed()
        for source in self.sources:
            for claim in source.poll():
                receipt = self.pipeline.receive(claim)
                if receipt is not None:
                    report.received += 1
        self.upkeep.report_inbox_refusals()
        # everything received but not processed, including what a crash left behind
        while pending := self.store.list_messages(
            status=MessageStatus.RECEIVED, oldest_first=True, limit=100
        ):
            for msg in pending:
                try:
                    with correlation(f"msg-{msg.id}"):  # every log line of this message
                        outcome = self.pipeline.process(msg.id)
                except StoreError:
                    raise  # the store is down: stop this tick, try again later
                except Exception as exc:
                    # a poison message must not loop: it fails once, with its reason, and
                    # waits for `gateway replay` after a fix (the bytes stay archived)
                    log.exception("message %s failed", msg.id)
                    self.store.mark_message(
                        msg.id,
                        MessageStatus.FAILED,
                        quarantine_reason=f"internal error: {type(exc).__name__}: {exc}",
                        event=NewEvent("failed", {"error": f"{type(exc).__name__}: {exc}"}),
                    )
                    continue
                self.outcomes.append(outcome)
                report.processed += 1
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

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        """Work until `stop()` (Ctrl-C in the CLI): watchdog + periodic rescans and deliveries."""
        scheduler = BackgroundScheduler(timezone="UTC")
        scheduler.add_job(self.wake, "interval", seconds=self.settings.rescan_seconds, id="rescan")
        scheduler.add_job(
            self.wake, "interval", seconds=self.settings.deliver_every_seconds, id="deliver"
        )
        # one periodic job flags overdue acknowledgements (each exactly once; a late ack clears it)
        scheduler.add_job(
            self.flag_overdue_acks,
            "interval",
            seconds=self.settings.overdue_check_seconds,
            id="acks-overdue",
            max_instances=1,
            coalesce=True,
        )
        # alerts (gateway/alerts): overdue/rejected acks, dead letters, silent partners, host keys
        scheduler.add_job(
            self.run_alerts, "interval", seconds=60, id="alerts", max_instances=1, coalesce=True
        )
        scheduler.start()
        for source in self.sources:
            watch = getattr(source, "watch", None)
            if watch is not None:
                watch(on_ready=self.wake)
        server = serve_in_thread(
            create_app(
                self.store,
                self.registry,
                auth=self.auth,
                soap=self.soap_dispatcher(),
                console=ConsoleConfig(archive=self.archive),
                routers=rest_routers(self.store, self.registry, self.pipeline, self.wake),
            ),
            self.settings.http_host,
            self.settings.http_port,
        )
        self.http_url = server.url
        log.info("operations API and status page on %s", server.url)
        try:
            self.tick()
            while not self._stop.is_set():
                self._wake.wait(timeout=self.settings.stable_seconds)
                self._wake.clear()
                if self._stop.is_set():
                    break
                try:
                    self.tick()
                except Exception:  # keep serving; the failure is logged with its cause
                    log.exception("gateway tick failed")
        finally:
            server.stop()
            scheduler.shutdown(wait=False)
            for source in self.sources:
                source.close()
            self.delivery.close()
            self.store.close()
