"""`gateway partners test ID FILE...`: validation, translation and routing of files as a dry run.

Each file goes through the real inbound pipeline (the same code `gateway run` uses) against a
throw-away SQLite store and archive in a temporary folder, as if it had arrived from the
partner. No delivery worker runs, so nothing is sent; the temporary folder is removed after.
What the store then holds is the answer: the outcome of every set with its findings, and every
delivery that would be made (destination, channel, kind, size) including our acknowledgement.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gateway.console.explain import explain
from gateway.pipeline.archive import Archive, ArchiveError
from gateway.pipeline.inbound import InboundPipeline
from gateway.registry import Registry
from gateway.store import AckDirection, Store, create_store

DRY_RUN_CHANNEL = "dry-run"


@dataclass(frozen=True, slots=True)
class Finding:
    where: str
    code: str
    message: str
    fix: str | None


@dataclass(frozen=True, slots=True)
class SetOutcome:
    set_id: str
    control_number: str
    outcome: str  # A / E / R
    findings: list[Finding]


@dataclass(frozen=True, slots=True)
class Delivery:
    destination: str
    channel: str
    kind: str
    size: int | None  # None: rendered from the canonical document at delivery time
    name: str | None


@dataclass
class FileResult:
    file: Path
    status: str  # parsed / quarantined / duplicate / failed / unreadable
    reason: str | None = None
    sets: list[SetOutcome] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # "<type> <business key>"
    deliveries: list[Delivery] = field(default_factory=list)
    acks_sent: list[str] = field(default_factory=list)
    acks_expected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "parsed" and all(s.outcome == "A" for s in self.sets)


def dry_run(registry: Registry, partner_id: str, files: Iterable[Path]) -> list[FileResult]:
    """Run `files` as if `partner_id` had sent them; nothing outside a temp folder changes."""
    partner = registry.get(partner_id)
    results: list[FileResult] = []
    with tempfile.TemporaryDirectory(prefix="gateway-dry-run-") as tmp:
        store = create_store(f"sqlite:///{Path(tmp) / 'dry-run.db'}")
        try:
            store.migrate()
            archive = Archive(Path(tmp) / "archive")
            pipeline = InboundPipeline(store, archive, registry)
            for path in files:
                results.append(_one(store, archive, pipeline, partner.id, partner.account, path))
        finally:
            store.close()
    return results


def _one(
    store: Store,
    archive: Archive,
    pipeline: InboundPipeline,
    partner_id: str,
    account: str,
    path: Path,
) -> FileResult:
    try:
        with path.open("rb") as fh:
            archived = archive.store(fh)
    except (OSError, ArchiveError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return FileResult(path, "unreadable", reason)
    receipt = store.record_receipt(
        sha256=archived.sha256,
        channel=DRY_RUN_CHANNEL,
        account=account,
        partner_id=partner_id,
        original_name=path.name,
        size=archived.size,
        archive_path=str(archived.path),
        received_at=datetime.now(UTC),
    )
    if receipt.duplicate:
        return FileResult(path, "duplicate", "the same bytes were given earlier in this run")
    try:
        pipeline.process(receipt.message_id)
    except Exception as exc:  # the real gateway marks such a message failed; so does this
        return FileResult(path, "failed", f"internal error: {type(exc).__name__}: {exc}")
    msg = store.get_message(receipt.message_id)
    assert msg is not None
    result = FileResult(path, msg.status.value, msg.quarantine_reason)
    for ic in reversed(store.list_interchanges(message_id=msg.id, limit=1000)):
        for g in store.list_groups(ic.id):
            for s in store.list_sets(g.id):
                result.sets.append(
                    SetOutcome(s.set_id, s.control_number, s.outcome, _findings(s.errors or []))
                )
    for d in reversed(store.list_documents(message_id=msg.id, limit=10_000)):
        result.documents.append(f"{d.doc_type} {d.business_key.split(chr(31))[0]}")
    for o in reversed(store.list_outbox(source_message_id=msg.id, limit=10_000)):
        size = len(o.payload) if o.payload is not None else None
        result.deliveries.append(Delivery(o.destination, o.channel, o.kind, size, o.payload_path))
    for _, a in store.acks_of_messages([msg.id]):
        text = f"{a.kind.value} {a.status.value} for ISA13 {a.interchange_control_number}"
        if a.group_control_number:
            text += f" GS06 {a.group_control_number}"
        if a.direction is AckDirection.SENT:
            result.acks_sent.append(text)
        elif a.direction is AckDirection.EXPECTED:
            result.acks_expected.append(text)
    return result


def _findings(errors: list[dict[str, object]]) -> list[Finding]:
    out = []
    for e in errors:
        level = str(e.get("level") or "")
        code = str(e.get("code") or "")
        where = str(e.get("segment") or level)
        if e.get("position"):
            where += f"@{e['position']}"
        if e.get("element"):
            where += f" e{int(str(e['element'])):02d}"
        found = explain(level, code)
        out.append(Finding(where, code, str(e.get("message") or ""), found.fix if found else None))
    return out
