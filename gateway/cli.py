"""The `gateway` command line (typer). Its commands and exit codes are a contract: keep them."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from gateway.cli_choices import AckDirectionChoice, AckStatusChoice, MessageChoice
from gateway.cli_messages import messages
from gateway.console.cli import users_app
from gateway.onboarding.cli import register as register_onboarding
from gateway.worker_cli import worker
from gateway.x12.errors import X12Error

app = typer.Typer(
    name="gateway",
    help="Logistics EDI gateway: X12 with carriers, IDoc XML for the ERP, JSON for TMS and portal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
partners_app = typer.Typer(help="Partner profiles in partners/.", no_args_is_help=True)
app.add_typer(partners_app, name="partners")
app.add_typer(users_app, name="users")
register_onboarding(partners_app)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2
MAX_REPORTED_SETS = 1000


class AckChoice(StrEnum):
    FA997 = "997"
    FA999 = "999"


class TranslateTarget(StrEnum):
    CANONICAL = "canonical"
    IDOC = "idoc"
    TMS = "tms"
    PORTAL = "portal"
    X12 = "x12"


def _fail(message: str, code: int = EXIT_UNREADABLE) -> NoReturn:
    """One line on stderr, never a traceback."""
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


def _open(path: Path) -> Any:
    try:
        return path.open("rb")
    except OSError as exc:
        _fail(f"{path}: {exc.strerror or exc}")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="An X12 file (one or many interchanges).")],
    ack_out: Annotated[
        Path | None, typer.Option("--ack-out", help="Write the 997/999/TA1 it would send here.")
    ] = None,
    ack: Annotated[
        AckChoice | None, typer.Option("--ack", help="997 or 999 (default: by group version).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON report on stdout.")] = False,
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner", help="Apply this partner's validation levels and encoding (profile id)."
        ),
    ] = None,
) -> None:
    """Validate any X12 file against the standard code lists, by default without a partner
    profile (every finding at the standard's level: reject).

    Exit 0: everything accepted; 1: anything rejected or accepted with errors; 2: not X12.
    """
    from gateway.x12.acks import CountingControlNumbers, write_ack_interchange
    from gateway.x12.checker import (
        CheckedInterchange,
        CheckedSet,
        check_stream,
        fixed_ack_kind,
        standard_ack_kind,
        summarise,
    )
    from gateway.x12.model import AckCode
    from gateway.x12.reader import TrailingData

    kind_for = fixed_ack_kind(ack.value) if ack is not None else standard_ack_kind
    policy = _validation_policy(partner)
    numbers = CountingControlNumbers()
    now = datetime.now(UTC)
    report: dict[str, Any] = {"file": str(file), "interchanges": [], "sets": {}}
    counts = {"A": 0, "E": 0, "R": 0}
    problem_sets: list[dict[str, Any]] = []
    worst = EXIT_OK
    ack_stream = None
    try:
        if ack_out is not None:
            ack_stream = ack_out.open("wb")
        with _open(file) as raw, _read_progress(raw, file) as stream:
            for event in check_stream(
                stream, ack_kind_for=kind_for, noted=policy.noted(), encoding=policy.encoding
            ):
                if isinstance(event, CheckedSet):
                    code = event.result.code.value
                    counts[code] = counts.get(code, 0) + 1
                    if event.result.issues and len(problem_sets) < MAX_REPORTED_SETS:
                        # capped: a million-set file must not build a million-entry report
                        problem_sets.append(
                            {
                                "set": event.ts.set_id,
                                "control_number": event.ts.control_number,
                                "code": code,
                                "issues": summarise(event.result),
                            }
                        )
                elif isinstance(event, CheckedInterchange):
                    report["interchanges"].append(_interchange_report(event))
                    if event.rejected or any(
                        g.ack is not None and g.ack.code is not AckCode.ACCEPTED
                        for g in event.groups
                    ):
                        worst = EXIT_REJECTED
                    if ack_stream is not None:
                        _write_acks(ack_stream, event, numbers, now, write_ack_interchange)
                    for g in event.groups:
                        if g.ack is not None:
                            g.ack.close()
                elif isinstance(event, TrailingData):
                    report["trailing"] = event.describe()
                    worst = EXIT_REJECTED
    except X12Error as exc:
        _fail(f"{file}: {exc}")
    except OSError as exc:
        _fail(f"{file}: {exc.strerror or exc}")
    finally:
        if ack_stream is not None:
            ack_stream.close()
    if counts["E"] or counts["R"]:
        worst = EXIT_REJECTED
    report["sets"] = {
        "accepted": counts["A"],
        "accepted_with_errors": counts["E"],
        "rejected": counts["R"],
        "with_issues": problem_sets,
    }
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        _print_report(report)
    raise typer.Exit(worst)


def _validation_policy(partner_id: str | None) -> Any:
    """The partner's `validation` section (levels, encoding), or the standard's defaults."""
    from gateway.registry import Registry, RegistryError
    from gateway.registry.validation import ValidationPolicy
    from gateway.settings import Settings

    if partner_id is None:
        return ValidationPolicy()
    try:
        registry = Registry.load(Settings.from_env().partners_dir)
    except RegistryError as exc:
        _fail("; ".join(str(p) for p in exc.problems))
    found = registry.find(partner_id)
    if found is None:
        _fail(f"no partner profile {partner_id!r}")
    return found.validation


def _write_acks(stream: Any, event: Any, numbers: Any, now: datetime, write: Any) -> None:
    from gateway.x12.acks import technical_ack

    ta1 = technical_ack(event.header, event.end.issues, now) if event.ta1_requested else None
    acks = event.acks
    if ta1 is None and not acks:
        return
    write(stream, event.header, acks, ta1, numbers, now)


def _interchange_report(event: Any) -> dict[str, Any]:
    h = event.header
    return {
        "control_number": h.control_number,
        "sender": f"{h.sender_qualifier}:{h.sender_id}",
        "receiver": f"{h.receiver_qualifier}:{h.receiver_id}",
        "version": h.version,
        "outcome": "rejected" if event.rejected else "accepted",
        "issues": [
            {"code": i.code, "severity": i.severity.value, "message": i.message}
            for i in event.end.issues
        ],
        "groups": [
            {
                "functional_id": g.header.functional_id,
                "control_number": g.header.control_number,
                "version": g.header.version,
                "ack": g.ack.kind if g.ack is not None else None,
                "ack_code": g.ack.code.value if g.ack is not None else None,
                "received": g.ack.received if g.ack is not None else g.end.set_count,
                "accepted": g.ack.accepted if g.ack is not None else None,
                "issues": [{"code": i.code, "message": i.message} for i in g.end.issues],
            }
            for g in event.groups
        ],
    }


def _print_report(report: dict[str, Any]) -> None:
    for ic in report["interchanges"]:
        style = "red" if ic["outcome"] == "rejected" else "green"
        out.print(
            f"[bold]ISA13 {ic['control_number']}[/] {ic['sender']} -> {ic['receiver']} "
            f"{ic['version']}: [{style}]{ic['outcome']}[/]"
        )
        for i in ic["issues"]:
            out.print(f"  TA1 {i['code']} {i['severity']}: {i['message']}", markup=False)
        for g in ic["groups"]:
            out.print(
                f"  GS06 {g['control_number']} {g['functional_id']} {g['version']}: "
                f"{g['ack'] or 'no ack'} {g['ack_code'] or ''} "
                f"({g['accepted']}/{g['received']} accepted)",
                markup=False,
            )
            for i in g["issues"]:
                out.print(f"    AK9 {i['code']}: {i['message']}", markup=False)
    if report.get("trailing"):
        out.print(f"  after the last interchange: {report['trailing']}", markup=False)
    sets = report["sets"]
    for s in sets["with_issues"]:
        out.print(f"  ST {s['set']} {s['control_number']}: {s['code']}", markup=False)
        for i in s["issues"]:
            where = f"{i['segment']}@{i['position']}" if i["segment"] else ""
            if i["element"]:
                where += f" e{i['element']:02d}"
            out.print(
                f"    {i['severity']} {i['level']} {i['code']} {where}: {i['message']}",
                markup=False,
            )
    out.print(
        f"sets: {sets['accepted']} accepted, {sets['accepted_with_errors']} accepted with "
        f"errors, {sets['rejected']} rejected"
    )


@app.command()
def translate(
    file: Annotated[Path, typer.Argument(help="An X12 file.")],
    to: Annotated[TranslateTarget, typer.Option("--to", help="Output format.")] = (
        TranslateTarget.CANONICAL
    ),
    partner: Annotated[
        str | None,
        typer.Option("--partner", help="Apply this profile's code maps (and, for x12, its ids)."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="With --to idoc: one file per IDoc in this folder."),
    ] = None,
) -> None:
    """Translate every transaction set in FILE: canonical JSON (an array) on stdout, or what the
    ERP (idoc: one XML document, several IDocs under one root), TMS (tms), portal (portal) or a
    trading partner (x12) would receive."""
    from gateway.pipeline.translate import TranslateError, translate_file

    try:
        translate_file(file, to.value, partner, sys.stdout, err, out_dir=out_dir)
    except TranslateError as exc:
        _fail(str(exc), EXIT_REJECTED if exc.partial else EXIT_UNREADABLE)
    except X12Error as exc:
        _fail(f"{file}: {exc}")
    except OSError as exc:
        _fail(f"{file}: {exc.strerror or exc}")


@app.command()
def run(
    home: Annotated[
        Path | None, typer.Option("--home", help="Base folder (default: current directory).")
    ] = None,
) -> None:
    """Run the whole gateway on the embedded default (SQLite, folders); Ctrl-C stops cleanly."""
    import logging
    import os
    import signal

    from gateway.ops.auth import AuthConfigError
    from gateway.ops.logs import configure
    from gateway.registry import RegistryError
    from gateway.service import Gateway, HomeBusyError, lock_home
    from gateway.settings import Settings
    from gateway.store import StoreError

    # GATEWAY_LOG_FORMAT=json: one JSON object per line, with each message's correlation id
    configure(os.environ.get("GATEWAY_LOG_FORMAT", "text"))
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    settings = Settings.from_env(home)
    home_lock = None
    if not (settings.database_url or "").startswith("postgresql"):
        # SQLite has one writer: one process per database file (the lock sits beside it); on
        # PostgreSQL `gateway run` works beside `gateway worker`s
        from gateway.worker_cli import sqlite_lock_dir

        try:
            home_lock = lock_home(sqlite_lock_dir(settings))
        except HomeBusyError as exc:
            _fail(str(exc))
    try:
        gw = Gateway(settings)
    except RegistryError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False)
        raise typer.Exit(EXIT_UNREADABLE) from None
    except (StoreError, AuthConfigError) as exc:
        _fail(str(exc))

    def _stop(_signum: int, _frame: object) -> None:
        gw.stop()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    out.print(
        f"gateway running: inbox {settings.inbox_dir}, outbox {settings.outbox_dir}, "
        f"store {gw.store.url}. Ctrl-C stops."
    )
    try:
        gw.run()
    except OSError as exc:
        where = f"{settings.http_host}:{settings.http_port}"
        _fail(f"cannot serve HTTP on {where}: {exc.strerror or exc} (set GATEWAY_HTTP_PORT)")
    finally:
        if home_lock is not None:
            home_lock.close()
    out.print("gateway stopped")


@app.command()
def demo(
    home: Annotated[
        Path | None, typer.Option("--home", help="Base folder (default: current directory).")
    ] = None,
) -> None:
    """Drop a demo carrier 214 and an ERP order into the inbox (for a running gateway)."""
    from gateway.demo import drop_demo_with_keys
    from gateway.settings import Settings

    settings = Settings.from_env(home)
    paths, keys = drop_demo_with_keys(settings.base_dir)
    for path in paths:
        out.print(f"dropped {path.relative_to(settings.base_dir)}", markup=False)
    out.print(
        "watch outbox/demo-carrier (997 and 204), outbox/portal, outbox/tms, outbox/erp; "
        "then try `gateway acks` and, once processed:",
        markup=False,
    )
    for what, key in keys.items():
        out.print(f"  gateway search {key}    # the {what}", markup=False, highlight=False)


@partners_app.command("check")
def partners_check(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Profiles folder (default: the one `gateway run` reads).", show_default=False
        ),
    ] = None,
    env: Annotated[bool, typer.Option("--env", help="Also require ${VAR} secrets set.")] = False,
) -> None:
    """Validate every partner profile; one line per problem (file, field, message)."""
    import os

    from gateway.registry import check
    from gateway.settings import Settings

    if directory is None:  # GATEWAY_PARTNERS_DIR / GATEWAY_HOME, exactly as `gateway run`
        directory = Settings.from_env().partners_dir
    if not directory.is_dir():
        _fail(f"{directory}: not a folder")
    problems = check(directory, dict(os.environ) if env else None)
    for problem in problems:
        out.print(str(problem), markup=False, highlight=False)
    if problems:
        raise typer.Exit(EXIT_REJECTED)
    count = len(list(directory.glob("*.yaml")))
    out.print(f"{count} profiles OK")


def _store() -> Any:
    """The store of the gateway home in the current directory (or $GATEWAY_HOME)."""
    from gateway.settings import Settings
    from gateway.store import StoreError, create_store

    settings = Settings.from_env()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    url = settings.database_url or f"sqlite:///{settings.var_dir / 'gateway.db'}"
    try:
        store = create_store(url)
        store.migrate()
    except StoreError as exc:
        _fail(str(exc))
    return store


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.table import Table

    if not rows:  # an empty grid of borders reads as broken output
        out.print(f"{title}: none", markup=False)
        return
    table = Table(title=title)
    for c in columns:
        table.add_column(c, overflow="fold")  # a narrow terminal wraps a value, never cuts it
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    if out.is_terminal:
        out.print(table)
        return
    # piped or redirected: every column at its full width, one line per row (rich would fit
    # the table into 80 columns and cut ISA13s and statuses to "0000…")
    from rich.measure import Measurement

    width = Measurement.get(out, out.options.update(width=100_000), table).maximum
    Console(file=out.file, width=max(width, out.width), soft_wrap=True).print(table)


@app.command()
def acks(
    partner: Annotated[str | None, typer.Option("--partner")] = None,
    status: Annotated[AckStatusChoice | None, typer.Option("--status")] = None,
    direction: Annotated[
        AckDirectionChoice | None,
        typer.Option("--direction", help="expected (ours), sent, received"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Acknowledgements: what we expect from partners, what we sent, what we received."""
    from gateway.store import AckDirection, AckStatus

    st = AckStatus(status.value) if status else None
    dr = AckDirection(direction.value) if direction else None
    store = _store()
    rows = store.list_acks(partner_id=partner, status=st, direction=dr, limit=1000)
    delivery: dict[int, str] = {}
    for a in rows:  # the acks we sent: did their delivery to the partner succeed?
        if a.outbox_id is not None:
            row = store.get_outbox(a.outbox_id)
            delivery[a.id] = row.status.value if row is not None else "unknown"
    if as_json:
        data = [
            {
                "id": a.id,
                "direction": a.direction.value,
                "kind": a.kind.value,
                "status": a.status.value,
                "partner": a.partner_id,
                "isa13": a.interchange_control_number,
                "gs06": a.group_control_number,
                "due_at": a.due_at.isoformat() if a.due_at else None,
                "updated_at": a.updated_at.isoformat(),
                "delivery": delivery.get(a.id),
            }
            for a in rows
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    _table(
        "acknowledgements",
        [
            "id",
            "direction",
            "kind",
            "status",
            "partner",
            "ISA13",
            "GS06",
            "due",
            "updated",
            "delivery",
        ],
        [
            [
                a.id,
                a.direction.value,
                a.kind.value,
                a.status.value,
                a.partner_id,
                a.interchange_control_number,
                a.group_control_number,
                a.due_at.isoformat(timespec="minutes") if a.due_at else "",
                a.updated_at.isoformat(timespec="seconds"),
                delivery.get(a.id, ""),  # the delivery of an ack we sent
            ]
            for a in rows
        ],
    )


@app.command()
def search(
    key: Annotated[str, typer.Argument(help="BOL, PRO, PO, shipment id, ERP order or ISA13/GS06")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The shipment thread of KEY: every document linked through its correlation keys
    (ERP order -> 204 -> 990 -> 214s -> 210), with deliveries, acknowledgements and status;
    for an ISA13 also the interchange with its rejection (TA1, AK9, set errors) and notices."""
    from gateway.ops.lookup import interchanges, notice_line, notices_for

    store = _store()
    thread = store.thread(key)
    found = interchanges(store, key)  # a rejected interchange may have no document at all
    notices = notices_for(
        store,
        [m.id for m in thread.messages]
        + [i["message_id"] for i in found if i["message_id"] is not None],
    )
    if as_json:
        data = {
            "interchanges": found,
            "notices": [
                {"kind": e.kind, "message_id": e.message_id, "detail": e.detail} for e in notices
            ],
            "key": key,
            "keys": list(thread.keys),
            "truncated": thread.truncated,
            "documents": [
                {
                    "id": d.id,
                    "type": d.doc_type,
                    "partner": d.partner_id,
                    "business_key": d.business_key,
                    "status": d.status.value,
                    "message_id": d.message_id,
                    "created_at": d.created_at.isoformat(),
                    "keys": d.keys,
                }
                for d in thread.documents
            ],
            "deliveries": [
                {
                    "id": o.id,
                    "destination": o.destination,
                    "kind": o.kind,
                    "status": o.status.value,
                    "document_id": o.document_id,
                }
                for o in thread.outbox
            ],
            "acks": [
                {
                    "id": a.id,
                    "direction": a.direction.value,
                    "kind": a.kind.value,
                    "status": a.status.value,
                    "isa13": a.interchange_control_number,
                    "gs06": a.group_control_number,
                }
                for a in thread.acks
            ],
            "statuses": [
                {
                    "shipment": st.shipment_key,
                    "status": st.status,
                    "event_time": st.event_time.isoformat(),
                }
                for st in thread.statuses
            ],
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    if not thread.documents and not found:
        out.print(f"nothing found for {key!r}", markup=False)
        raise typer.Exit(EXIT_REJECTED)
    _search_extras(found, [notice_line(e) for e in notices])
    if not thread.documents:
        return
    _table(
        f"shipment thread of {key} (keys: {', '.join(thread.keys)})",
        ["doc", "type", "partner", "status", "business key", "message", "created"],
        [
            [
                d.id,
                d.doc_type,
                d.partner_id,
                d.status.value,
                d.business_key,
                d.message_id,
                d.created_at.isoformat(timespec="seconds"),
            ]
            for d in thread.documents
        ],
    )
    if thread.outbox:
        _table(
            "deliveries",
            ["id", "destination", "kind", "status", "doc"],
            [[o.id, o.destination, o.kind, o.status.value, o.document_id] for o in thread.outbox],
        )
    if thread.acks:
        _table(
            "acknowledgements",
            ["id", "direction", "kind", "status", "ISA13", "GS06"],
            [
                [
                    a.id,
                    a.direction.value,
                    a.kind.value,
                    a.status.value,
                    a.interchange_control_number,
                    a.group_control_number,
                ]
                for a in thread.acks
            ],
        )
    for st in thread.statuses:
        out.print(f"shipment {st.shipment_key}: {st.status} at {st.event_time.isoformat()}")
    if thread.truncated:
        out.print("(the thread is longer than shown)")


def _search_extras(found: list[dict[str, Any]], notices: list[str]) -> None:
    from gateway.ops.lookup import rejection_lines

    for report in found:
        for line in rejection_lines(report):
            out.print(line, markup=False, highlight=False)
    for line in notices:
        out.print(line, markup=False, highlight=False)


@app.command()
def deadletters(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Deliveries that gave up after their partner's retry limit."""
    from gateway.store import OutboxStatus

    rows = _store().list_outbox(status=OutboxStatus.DEAD, limit=1000)
    if as_json:
        data = [
            {
                "id": r.id,
                "destination": r.destination,
                "kind": r.kind,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "idempotency_key": r.idempotency_key,
                "source_message_id": r.source_message_id,
            }
            for r in rows
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    _table(
        "dead letters",
        ["id", "destination", "kind", "attempts", "last error", "message"],
        [
            [r.id, r.destination, r.kind, r.attempts, r.last_error, r.source_message_id]
            for r in rows
        ],
    )


@app.command()
def replay(
    message_id: Annotated[int | None, typer.Argument(help="A received message's id.")] = None,
    status: Annotated[
        MessageChoice | None,
        typer.Option("--filter-status", help="Replay every message in this state."),
    ] = None,
    partner: Annotated[str | None, typer.Option("--partner")] = None,
    deadletter: Annotated[
        int | None, typer.Option("--deadletter", help="Requeue one dead-letter delivery.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show old vs new canonical output; change nothing.")
    ] = False,
    resend: Annotated[
        bool,
        typer.Option(
            "--resend",
            help="For an applied (parsed) message: translate again and re-send the result.",
        ),
    ] = False,
) -> None:
    """Replay a message (or a filtered set) after a fix, or requeue a dead letter.

    A quarantined or failed message is processed again; with --resend an applied one is
    translated again with today's profiles and its deliveries are sent again (new keys).
    """
    from gateway.ops.lookup import dry_run as dry_run_report
    from gateway.pipeline.archive import Archive
    from gateway.pipeline.dispatch import Dispatcher
    from gateway.pipeline.replay import ReplayError, requeue
    from gateway.pipeline.replay import resend as resend_applied
    from gateway.registry import Registry, RegistryError
    from gateway.routing import Router
    from gateway.settings import Settings
    from gateway.store import MessageStatus

    store = _store()
    if deadletter is not None:
        if dry_run:
            row = store.get_outbox(deadletter)
            if row is None:
                _fail(f"no delivery {deadletter}")
            out.print(f"would requeue delivery {row.id} to {row.destination} ({row.kind})")
            return
        if not store.replay_outbox(deadletter):
            _fail(f"delivery {deadletter} is not a dead letter or delivered row")
        out.print(f"delivery {deadletter} requeued")
        return
    settings = Settings.from_env()
    try:
        registry = Registry.load(settings.partners_dir)
    except RegistryError as exc:
        _fail("; ".join(str(p) for p in exc.problems))
    archive = Archive(settings.archive_dir)
    dispatcher = Dispatcher(store, registry, Router(registry), lambda: datetime.now(UTC))
    if message_id is not None:
        ids = [message_id]
    elif status is not None:
        wanted = MessageStatus(status.value)
        ids = [m.id for m in store.list_messages(status=wanted, partner_id=partner, limit=10_000)]
    else:
        _fail("name a message id, --filter-status or --deadletter")
    try:
        for mid in _progress(ids, "replaying", bulk=len(ids) > 1 and not dry_run):
            if dry_run:  # the validation outcome first; one unreadable file does not stop it
                lines, diffs = dry_run_report(store, archive, registry, mid)
                for line in lines:
                    out.print(line, markup=False, highlight=False)
                for diff in diffs:
                    sys.stdout.write(diff)
            elif resend:
                count = resend_applied(store, archive, registry, dispatcher, mid)
                out.print(f"message {mid}: {count} document(s) translated again and queued")
            else:
                requeue(store, mid)
                out.print(f"message {mid} requeued; the running gateway processes it next tick")
    except ReplayError as exc:
        _fail(str(exc), EXIT_REJECTED)


PROGRESS_MIN_BYTES = 64 * 1024 * 1024


@contextmanager
def _read_progress(raw: Any, path: Path) -> Iterator[Any]:
    """A large file read with a progress bar on a terminal's stderr (else the file itself)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size < PROGRESS_MIN_BYTES or not err.is_terminal:
        yield raw
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as progress:
        task = progress.add_task(f"reading {path.name}", total=size)

        class Counting:
            def read(self, n: int = -1) -> bytes:
                data: bytes = raw.read(n)
                progress.advance(task, len(data))
                return data

        yield Counting()


def _progress(items: list[Any], label: str, *, bulk: bool) -> Any:
    """A progress bar on stderr for bulk work (stdout stays the report)."""
    if not bulk:
        return items
    from rich.progress import track

    return track(items, description=label, console=err, transient=True)


app.command("messages")(messages)

app.command()(worker)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
