"""`gateway partners new | test | schema`: onboarding a partner as a guided, testable job."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"error: {message}", markup=False, highlight=False)
    return typer.Exit(code)


def _interactive() -> bool:
    return sys.stdin.isatty()


def register(partners_app: typer.Typer) -> None:
    """Add the onboarding commands to `gateway partners`."""
    partners_app.command("new")(new)
    partners_app.command("test")(test)
    partners_app.command("schema")(schema)


_PROMPTS = {
    "scac": "SCAC (2-4 capital letters)",
    "isa_qualifier": "ISA id qualifier (02 = SCAC, ZZ = mutually defined)",
    "isa_id": "ISA id (as the partner sends it in ISA06)",
    "sftp_host": "SFTP host",
    "sftp_username": "SFTP user name",
    "sftp_host_key": "SFTP host key ('ssh-ed25519 AAAA...')",
}


def new(
    partner_id: Annotated[str, typer.Argument(metavar="ID", help="Profile id (file name).")],
    role: Annotated[
        str | None, typer.Option("--role", help="carrier, customer, erp, tms, portal")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    scac: Annotated[str | None, typer.Option("--scac")] = None,
    isa_qualifier: Annotated[str | None, typer.Option("--isa-qualifier")] = None,
    isa_id: Annotated[str | None, typer.Option("--isa-id")] = None,
    version: Annotated[str, typer.Option("--x12-version")] = "004010",
    transport: Annotated[str, typer.Option("--transport", help="folder, sftp or http")] = "folder",
    sftp_host: Annotated[str | None, typer.Option("--sftp-host")] = None,
    sftp_username: Annotated[str | None, typer.Option("--sftp-username")] = None,
    sftp_host_key: Annotated[str | None, typer.Option("--sftp-host-key")] = None,
    http_url: Annotated[str | None, typer.Option("--http-url")] = None,
    production: Annotated[
        bool, typer.Option("--production", help="Start in production (default: test).")
    ] = False,
    directory: Annotated[Path, typer.Option("--dir", help="Profiles folder.")] = Path("partners"),
    stdout: Annotated[bool, typer.Option("--stdout", help="Print; write nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Scaffold a valid profile from flags; asks for what is missing when run in a terminal."""
    from gateway.onboarding.scaffold import Answers, ScaffoldError, render, validate
    from gateway.registry import Role

    interactive = _interactive()
    if role is None:
        if not interactive:
            raise _fail("--role is required (carrier, customer, erp, tms, portal)")
        role = str(typer.prompt("role (carrier, customer, erp, tms, portal)", default="carrier"))
    try:
        chosen = Role(role)
    except ValueError:
        raise _fail(f"unknown role {role!r}") from None
    answers = Answers(
        id=partner_id,
        role=chosen,
        name=name or partner_id,
        environment="production" if production else "test",
        scac=scac,
        isa_qualifier=isa_qualifier,
        isa_id=isa_id,
        version=version,
        transport=transport,
        sftp_host=sftp_host,
        sftp_username=sftp_username,
        sftp_host_key=sftp_host_key,
        http_url=http_url,
    )
    if name is None and interactive:
        answers.name = str(typer.prompt("name", default=partner_id))
    if scac and isa_qualifier is None and isa_id is None:  # carriers' usual ISA id: 02 + SCAC
        answers.isa_qualifier, answers.isa_id = "02", scac
    missing = answers.missing()
    if missing and not interactive:
        flags = ", ".join("--" + m.replace("_", "-") for m in missing)
        raise _fail(f"missing {flags} (or run in a terminal to be asked)")
    for item in missing:
        setattr(answers, item, str(typer.prompt(_PROMPTS.get(item, item))))
    try:
        text = render(answers)
    except ScaffoldError as exc:
        raise _fail(str(exc)) from None
    file_name = f"{partner_id}.yaml"
    problems = validate(text, directory, file_name)
    if problems:
        for p in problems:
            err.print(f"error: {p}", markup=False, highlight=False)
        raise typer.Exit(1)
    if stdout:
        sys.stdout.write(text)
        return
    target = directory / file_name
    if target.exists() and not force:
        raise _fail(f"{target} exists (use --force to overwrite)", 1)
    directory.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    out.print(f"wrote {target}; next: gateway partners test {partner_id} FILE...", markup=False)


def _progress(files: list[Path]) -> Iterable[Path]:
    """A progress bar on stderr when many files are tried (stdout stays the report)."""
    if len(files) < 5:
        return files
    from rich.progress import track

    return track(files, description="dry run", console=err, transient=True)


def test(
    partner_id: Annotated[str, typer.Argument(metavar="ID", help="The partner sending the files.")],
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Files it would send.")],
    directory: Annotated[Path, typer.Option("--dir", help="Profiles folder.")] = Path("partners"),
) -> None:
    """Dry run: validate, translate and route FILEs as if ID sent them; print, per file, what
    would be sent where. Nothing is stored or sent (a temporary store is used and removed).

    Exit 0 when every file is accepted, 1 when any is rejected or quarantined, 2 on bad input.
    """
    import logging

    from gateway.onboarding.dryrun import dry_run
    from gateway.registry import Registry, RegistryError, UnknownPartnerError

    # the pipeline logs each quarantine as a warning; here the report says it once
    logging.getLogger("gateway").setLevel(logging.ERROR)

    try:
        registry = Registry.load(directory)
    except RegistryError as exc:
        for p in exc.problems:
            err.print(f"error: {p}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    try:
        results = dry_run(registry, partner_id, _progress(files))
    except UnknownPartnerError as exc:
        raise _fail(str(exc)) from None
    worst = 0
    for r in results:
        style = "green" if r.ok else "red"
        out.print(f"[bold]{r.file}[/]: [{style}]{r.status}[/]", highlight=False)
        if r.reason:
            out.print(f"  reason: {r.reason}", markup=False)
        for s in r.sets:
            out.print(f"  ST {s.set_id} {s.control_number}: {s.outcome}", markup=False)
            for f in s.findings:
                fix = f" -> {f.fix}" if f.fix else ""
                out.print(f"    {f.where} {f.code}: {f.message}{fix}", markup=False)
        for doc in r.documents:
            out.print(f"  canonical: {doc}", markup=False)
        for a in r.acks_sent:
            out.print(f"  we acknowledge: {a}", markup=False)
        if r.deliveries:
            table = Table(title=None, show_edge=False, pad_edge=False)
            for c in ("would send to", "channel", "kind", "bytes", "name"):
                table.add_column(c)
            for d in r.deliveries:
                size = str(d.size) if d.size is not None else "rendered at delivery"
                table.add_row(d.destination, d.channel, d.kind, size, d.name or "")
            out.print(table)
        elif r.status == "parsed":
            out.print("  nothing would be sent (no route for these documents)")
        if not r.ok:
            worst = 2 if r.status == "unreadable" and worst < 2 else max(worst, 1)
    out.print("dry run: nothing was stored or sent")
    raise typer.Exit(worst)


def schema(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The reference page instead of the schema.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--out", help="Write here, not stdout.")] = None,
) -> None:
    """The JSON Schema of a partner profile (editors complete and check YAML with it)."""
    from gateway.onboarding.reference import markdown as reference_page
    from gateway.onboarding.reference import schema_text

    text = reference_page() if markdown else schema_text()
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {output}", markup=False)
