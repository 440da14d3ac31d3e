"""Read-side helpers of the operations CLI: an interchange and its rejection by ISA13, the
notices around messages, the messages and inbox refusals `gateway messages` lists, and the
validation outcome `replay --dry-run` shows. Plain data (dicts), rendered by the caller."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from gateway.notices import INBOX_REFUSED, WITHHELD, notice_row
from gateway.pipeline.archive import Archive
from gateway.pipeline.inbound import partner_for
from gateway.pipeline.replay import ReplayError, preview
from gateway.registry import Registry
from gateway.store import EventRow, InterchangeRow, MessageRow, MessageStatus, Store
from gateway.x12.errors import X12Error

MAX_INTERCHANGES = 20
MAX_SET_ERRORS = 20  # per group: a 10,000-set group rejected whole must not flood the terminal


def interchanges(store: Store, isa13: str) -> list[dict[str, Any]]:
    """Every interchange with this ISA13: outcome, TA1 codes, each group's AK9 and the codes of
    its sets in error (AK5/IK5, AK3/IK3, AK4/IK4), and the acks sent or expected for it."""
    found: list[dict[str, Any]] = []
    for row in reversed(store.list_interchanges(control_number=isa13, limit=MAX_INTERCHANGES)):
        found.append(_interchange(store, row))
    return found


def _interchange(store: Store, row: InterchangeRow) -> dict[str, Any]:
    events = (
        store.list_events(message_id=row.message_id, kinds=("interchange_rejected",))
        if row.message_id is not None
        else []
    )
    ta1 = [
        code
        for e in events
        if e.kind == "interchange_rejected" and e.interchange_id == row.id
        for code in (e.detail or {}).get("ta1", [])
    ]
    groups = []
    for g in store.list_groups(row.id):
        sets = [s for s in store.list_sets(g.id) if s.outcome != "A"]
        groups.append(
            {
                "gs06": g.control_number,
                "functional_id": g.functional_id,
                "ak9": g.ack_code,
                "sets_in_error": [
                    {
                        "set": s.set_id,
                        "control_number": s.control_number,
                        "ak5": s.outcome,
                        "errors": [
                            {
                                k: e.get(k)
                                for k in ("level", "code", "segment", "element", "message")
                            }
                            for e in (s.errors or [])
                        ],
                    }
                    for s in sets[:MAX_SET_ERRORS]
                ],
                "more_sets_in_error": max(0, len(sets) - MAX_SET_ERRORS),
            }
        )
    acks = store.list_acks(
        partner_id=row.partner_id, interchange_control_number=row.control_number, limit=100
    )
    return {
        "id": row.id,
        "message_id": row.message_id,
        "partner": row.partner_id,
        "direction": row.direction.value,
        "isa13": row.control_number,
        "sender": f"{row.sender_qualifier}:{row.sender_id}",
        "usage": row.usage,
        "outcome": row.outcome,
        "ta1_status": row.ta1_status,
        "ta1": ta1,
        "groups": groups,
        "acks": [
            {"direction": a.direction.value, "kind": a.kind.value, "status": a.status.value}
            for a in reversed(acks)
            if a.interchange_id in (None, row.id)
        ],
    }


def rejection_lines(report: dict[str, Any]) -> Iterator[str]:
    """The interchange in a few lines a person reads: outcome, TA1, AK9, set errors."""
    yield (
        f"interchange {report['id']} ISA13 {report['isa13']} from {report['partner']} "
        f"({report['direction']}, message {report['message_id']}, usage {report['usage']}): "
        f"{report['outcome']}"
    )
    for t in report["ta1"]:
        yield f"  TA1 {report['ta1_status'] or 'R'} {t['code']}: {t['message']}"
    for g in report["groups"]:
        yield f"  GS06 {g['gs06']} {g['functional_id']}: AK9 {g['ak9'] or '-'}"
        for s in g["sets_in_error"]:
            yield f"    ST {s['set']} {s['control_number']}: AK5 {s['ak5']}"
            for e in s["errors"]:
                where = f" {e['segment']}" if e.get("segment") else ""
                if e.get("element"):
                    where += f"{int(e['element']):02d}"
                yield f"      {e['level']} {e['code']}{where}: {e['message']}"
        if g["more_sets_in_error"]:
            yield f"    ... and {g['more_sets_in_error']} more sets in error"
    for a in report["acks"]:
        yield f"  {a['direction']} {a['kind']}: {a['status']}"


def notices_for(store: Store, message_ids: Iterable[int]) -> list[EventRow]:
    """Withheld test data recorded on these messages (rejections show with the interchange)."""
    found: list[EventRow] = []
    for mid in sorted(set(message_ids))[:100]:  # a thread's messages, bounded
        found.extend(store.list_events(message_id=mid, kinds=(WITHHELD,)))
    return found


def notice_line(event: EventRow) -> str:
    when, what, about, why = notice_row(event)
    return f"{when} {what}: {about}: {why}" if about else f"{when} {what}: {why}"


# ------------------------------------------------------------ gateway messages


def message_dict(m: MessageRow) -> dict[str, Any]:
    return {
        "id": m.id,
        "received_at": m.received_at.isoformat(timespec="seconds"),
        "partner": m.partner_id,
        "account": m.account,
        "file": m.original_name,
        "size": m.size,
        "status": m.status.value,
        "reason": m.quarantine_reason,
        "duplicate_of": m.duplicate_of,
    }


def refusals(store: Store, *, account: str | None = None, limit: int = 1000) -> list[EventRow]:
    """Inbox entries the gateway would not take (newest first); `account` a partner folder."""
    rows = store.list_events(kinds=(INBOX_REFUSED,), newest_first=True, limit=limit)
    if account is None:
        return rows
    return [e for e in rows if (e.detail or {}).get("account") == account]


def refusal_dict(e: EventRow) -> dict[str, Any]:
    d = e.detail or {}
    return {
        "event_id": e.id,
        "at": e.at.isoformat(timespec="seconds"),
        "account": d.get("account"),
        "name": d.get("name"),
        "kind": d.get("kind"),
        "reason": d.get("reason"),
        "moved_to": d.get("moved_to"),
    }


# ------------------------------------------------------------ replay --dry-run


def dry_run(
    store: Store, archive: Archive, registry: Registry, message_id: int
) -> tuple[list[str], list[str]]:
    """(lines, diffs) of what a replay would do, validation first; never raises for one bad
    message: an undecodable file is one line and the caller goes on to the next."""
    msg = store.get_message(message_id)
    if msg is None:
        return [f"message {message_id}: no such message"], []
    head = f"message {message_id} ({msg.original_name}, {msg.status.value})"
    partner = partner_for(registry, msg)
    if partner is None:
        return [f"{head}: would be quarantined again: no partner profile for {msg.account!r}"], []
    if msg.size == 0:
        return [f"{head}: empty file"], []
    lines: list[str] = []
    verdicts: dict[tuple[str, str], str] = {}
    try:
        x12 = _validate(archive, msg, partner, lines, verdicts, head)
    except X12Error as exc:
        return [f"{head}: unreadable X12, would be quarantined: {exc}"], []
    except OSError as exc:
        return [f"{head}: archived copy unreadable: {exc.strerror or exc}"], []
    if not x12:
        return [f"{head}: not X12 (IDoc XML / JSON): processed again as it is"], []
    diffs: list[str] = []
    try:
        for d in preview(store, archive, registry, message_id):
            verdict = verdicts.get((d.set_id, d.control_number), "")
            if verdict.startswith("rejected"):
                continue  # said above; a rejected set produces nothing to compare
            change = "unchanged" if not d.diff else "changed"
            lines.append(f"{head} set {d.set_id} {d.control_number}: {verdict}, {change}")
            if d.diff:
                diffs.append(d.diff)
    except ReplayError as exc:
        lines.append(f"{head}: {exc}")
    return lines, diffs


def _validate(
    archive: Archive,
    msg: MessageRow,
    partner: Any,
    lines: list[str],
    verdicts: dict[tuple[str, str], str],
    head: str,
) -> bool:
    from gateway.x12.checker import CheckedInterchange, CheckedSet, check_stream, summarise

    with archive.open(msg.sha256) as fh:
        start = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start:
            lines.append(f"{head}: empty file (only blanks)")
            return True
        if not start.startswith(b"ISA"):
            return False
        fh.seek(0)
        for event in check_stream(fh, ta1_policy=partner.acks.send_ta1):
            if isinstance(event, CheckedSet):
                code = event.result.code.value
                verdict = {"A": "accepted", "E": "accepted with errors", "R": "rejected"}[code]
                verdicts[(event.ts.set_id, event.ts.control_number)] = verdict
                if code == "R":
                    issues = "; ".join(
                        f"{i['code']} {i['segment'] or ''} {i['message']}".replace("  ", " ")
                        for i in summarise(event.result)
                        if i["level"] != "transaction"
                    )
                    lines.append(
                        f"{head} set {event.ts.set_id} {event.ts.control_number}: "
                        f"would be rejected (AK5 R): {issues}"
                    )
            elif isinstance(event, CheckedInterchange):
                if event.rejected:
                    codes = ", ".join(f"{i.code} {i.message}" for i in event.end.issues)
                    lines.append(
                        f"{head} ISA13 {event.header.control_number}: would be rejected "
                        f"(TA1 {codes})"
                    )
                for g in event.groups:
                    if g.ack is not None:
                        g.ack.close()
    return True


def statuses() -> list[str]:
    return [s.value for s in MessageStatus]
