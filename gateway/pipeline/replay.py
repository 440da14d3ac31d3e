"""Replay: run an archived message through today's profiles and maps again.

`preview` re-translates without writing anything and diffs old against new canonical output;
`replay` requeues a quarantined or failed message for processing (its earlier rejected
records stay as history). Dead letters are requeued with their own idempotency keys, so a
delivery that did arrive after all is not repeated by the peer.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.canonical import FunctionalAck, TechnicalAck
from gateway.pipeline.archive import Archive
from gateway.pipeline.dispatch import Dispatcher, business_key
from gateway.pipeline.inbound import partner_for
from gateway.pipeline.translate import map_sets
from gateway.registry import Registry
from gateway.store import MessageStatus, NewDocument, NewEvent, RawJson, Store
from gateway.x12.errors import X12Error

REPLAYABLE = (MessageStatus.QUARANTINED, MessageStatus.FAILED)


class ReplayError(Exception):
    """The message cannot be replayed (unknown id, wrong state, unreadable archive)."""


@dataclass(frozen=True, slots=True)
class SetDiff:
    set_id: str
    control_number: str
    diff: str  # unified diff of the canonical JSON; "" when unchanged


def _volatile(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Drop what differs between runs by construction (the store's message id)."""
    source = doc.get("source")
    cleaned = (
        {k: v for k, v in source.items() if k != "message_id"} if isinstance(source, dict) else {}
    )
    return {**doc, "source": cleaned}


def preview(store: Store, archive: Archive, registry: Registry, message_id: int) -> list[SetDiff]:
    """Old vs new canonical JSON per transaction set; writes nothing."""
    msg = store.get_message(message_id)
    if msg is None:
        raise ReplayError(f"no message {message_id}")
    partner = partner_for(registry, msg)
    old = {
        (
            d.payload.get("source", {}).get("set_control_number"),
            d.payload.get("source", {}).get("interchange_control_number"),
        ): d.payload
        for d in store.list_documents(message_id=message_id, limit=100_000)
    }
    out: list[SetDiff] = []
    try:
        for ts, interchange, mapped in map_sets(
            archive.path_for(msg.sha256), partner, message_id=str(msg.id)
        ):
            if mapped is None:
                continue
            new = (
                {"error": str(mapped)}
                if isinstance(mapped, Exception)
                else mapped.model_dump(mode="json")
            )
            before = old.get((ts.control_number, interchange.control_number))
            a = json.dumps(_volatile(before), indent=2, sort_keys=True) if before else ""
            b = json.dumps(_volatile(new), indent=2, sort_keys=True)
            diff = "".join(
                difflib.unified_diff(
                    a.splitlines(keepends=True), b.splitlines(keepends=True), "stored", "replayed"
                )
            )
            out.append(SetDiff(ts.set_id, ts.control_number, diff))
    except (X12Error, OSError) as exc:
        raise ReplayError(f"message {message_id}: {exc}") from None
    return out


def requeue(store: Store, message_id: int) -> None:
    """Put a quarantined/failed message back in line; the next tick processes it."""
    msg = store.get_message(message_id)
    if msg is None:
        raise ReplayError(f"no message {message_id}")
    if msg.status not in REPLAYABLE:
        raise ReplayError(
            f"message {message_id} is {msg.status.value}; only quarantined or failed messages "
            "are replayed (its deliveries can be requeued from the dead letters)"
        )
    store.mark_message(
        message_id,
        MessageStatus.RECEIVED,
        event=NewEvent("replay_requested", {"previous": msg.status.value}),
    )


def resend(
    store: Store, archive: Archive, registry: Registry, dispatcher: Dispatcher, message_id: int
) -> int:
    """Re-translate an applied (parsed) message with today's profiles and send the result again.

    Each replay is a generation of its own: new canonical documents recorded beside the old
    ones, deliveries under new idempotency keys (a portal update whose content did not change
    keeps its key, so the portal sees no repeat), one `replayed` event. Business-event dedup is
    not applied: a replay is a deliberate re-send. Acknowledgements are not replayed.
    Returns the number of documents re-sent.
    """
    msg = store.get_message(message_id)
    if msg is None:
        raise ReplayError(f"no message {message_id}")
    if msg.status is not MessageStatus.PARSED:
        raise ReplayError(
            f"message {message_id} is {msg.status.value}; only a parsed message is re-sent "
            "(a quarantined or failed one is replayed without --resend)"
        )
    partner = partner_for(registry, msg)
    if partner is None:
        raise ReplayError(f"no partner profile {msg.partner_id!r}")
    generation = 1 + sum(
        1 for e in store.list_events(message_id=message_id) if e.kind == "replayed"
    )
    documents: list[NewDocument] = []
    problems: list[str] = []
    try:
        for ts, interchange, mapped in map_sets(
            archive.path_for(msg.sha256), partner, message_id=str(msg.id)
        ):
            if mapped is None or isinstance(mapped, FunctionalAck | TechnicalAck):
                continue
            if isinstance(mapped, Exception):
                problems.append(f"set {ts.set_id} {ts.control_number}: {mapped}")
                continue
            key = "\x1f".join(
                (msg.sha256, f"replay{generation}", interchange.control_number, ts.control_number)
            )
            plan = dispatcher.plan(partner, mapped, key)
            documents.append(
                NewDocument(
                    mapped.document_type.value,
                    partner.id,
                    business_key(mapped),
                    RawJson(mapped.model_dump_json()),
                    mapped.correlation.keys(),
                    plan.deliveries,
                )
            )
    except (X12Error, OSError) as exc:
        raise ReplayError(f"message {message_id}: {exc}") from None
    if problems:
        raise ReplayError("; ".join(problems))
    detail = {"generation": generation, "documents": len(documents)}
    store.record_documents(
        msg.id, documents, events=[NewEvent("replayed", detail)], message_status=None
    )
    return len(documents)
