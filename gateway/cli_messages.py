"""`gateway messages`: received messages with the ids `gateway replay` takes, and the inbox
entries the gateway would not take (with why). Registered in gateway/cli.py."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from gateway.cli_choices import MessageListChoice


def messages(
    status: Annotated[
        MessageListChoice | None,
        typer.Option("--status", help="A message status, or refused (inbox entries not taken)."),
    ] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="A partner id.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Messages newest first, with the ids `gateway replay` takes (quarantined and failed ones
    with their reason), then inbox entries that were not taken (symlinks, FIFOs, hard links,
    sub-directories, dot-names, stale uploads, files over the size cap)."""
    from gateway.cli import _store, out
    from gateway.ops.lookup import message_dict, refusal_dict, refusals
    from gateway.store import MessageStatus

    store = _store()
    rows: list[dict[str, Any]] = []
    if status is not MessageListChoice.REFUSED:
        wanted = MessageStatus(status.value) if status is not None else None
        found = store.list_messages(status=wanted, partner_id=partner, limit=limit)
        rows = [message_dict(m) for m in found]
    refused: list[dict[str, Any]] = []
    if status is None or status is MessageListChoice.REFUSED:
        account = _account(partner)
        refused = [refusal_dict(e) for e in refusals(store, account=account, limit=limit)]
    if as_json:
        sys.stdout.write(json.dumps({"messages": rows, "refused": refused}, indent=2) + "\n")
        return
    # one line per entry (no table): ids and file names stay whole and easy to copy
    if status is not MessageListChoice.REFUSED:
        for m in rows:
            reason = f"  {m['reason']}" if m["reason"] else ""
            line = f"{m['id']}  {m['received_at']}  {m['partner']}  {m['file']}  {m['status']}"
            out.print(line + reason, markup=False, highlight=False)
    if refused:
        out.print(
            "inbox entries not taken (fix it and drop the file again; nothing to replay):",
            markup=False,
        )
        for r in refused:
            entry = f"{r['account']}/{r['name']}" if r["account"] else r["name"]
            moved = f" (moved to {r['moved_to']})" if r["moved_to"] else ""
            line = f"  {r['at']}  {entry}  {r['kind']}: {r['reason']}{moved}"
            out.print(line, markup=False, highlight=False)
    if not rows and not refused:
        out.print("no messages", markup=False)


def _account(partner: str | None) -> str | None:
    """The inbox folder of `partner` (its channel account; the id when it has none)."""
    if partner is None:
        return None
    from gateway.registry import Registry, RegistryError
    from gateway.settings import Settings

    try:
        profile = Registry.load(Settings.from_env().partners_dir).find(partner)
    except RegistryError:
        profile = None
    return profile.account if profile is not None else partner
