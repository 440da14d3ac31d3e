"""Replay: run an archived message through today's profiles and maps again.

`preview` re-translates without writing anything and diffs old against new canonical output;
`replay` requeues a quarantined or failed message for processing (its earlier rejected
records stay as history). Dead letters are requeued with their own idempotency keys, so a
delivery that did arrive after all is not repeated by the peer.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from gateway.pipeline.archive import Archive
from gateway.registry import Registry
from gateway.store import MessageStatus, NewEvent, Store
from gateway.x12.envelope import GroupStart, InterchangeStart, read_events
from gateway.x12.errors import X12Error
from gateway.x12.model import GroupHeader, InterchangeHeader, TransactionSet
from transforms.registry import MappingContext, inbound_x12, transform_code_maps
from transforms.x12_common import source_metadata

REPLAYABLE = (MessageStatus.QUARANTINED, MessageStatus.FAILED)


class ReplayError(Exception):
    """The message cannot be replayed (unknown id, wrong state, unreadable archive)."""


@dataclass(frozen=True, slots=True)
class SetDiff:
    set_id: str
    control_number: str
    diff: str  # unified diff of the canonical JSON; "" when unchanged


def _volatile(doc: dict[str, object]) -> dict[str, object]:
    """Drop what differs between runs by construction (the store's message id)."""
    source = dict(doc.get("source") or {})  # type: ignore[call-overload]
    source.pop("message_id", None)
    return {**doc, "source": source}


def preview(store: Store, archive: Archive, registry: Registry, message_id: int) -> list[SetDiff]:
    """Old vs new canonical JSON per transaction set; writes nothing."""
    msg = store.get_message(message_id)
    if msg is None:
        raise ReplayError(f"no message {message_id}")
    partner = registry.find(msg.partner_id)
    maps = (
        transform_code_maps(
            {k: v for k, v in partner.code_maps.model_dump(mode="json").items() if v}
        )
        if partner
        else {}
    )
    old = {
        (
            d.payload.get("source", {}).get("set_control_number"),
            d.payload.get("source", {}).get("interchange_control_number"),
        ): d.payload
        for d in store.list_documents(message_id=message_id, limit=100_000)
    }
    out: list[SetDiff] = []
    interchange: InterchangeHeader | None = None
    group: GroupHeader | None = None
    try:
        with archive.open(msg.sha256) as fh:
            for event in read_events(fh):
                if isinstance(event, InterchangeStart):
                    interchange = event.header
                elif isinstance(event, GroupStart):
                    group = event.header
                elif isinstance(event, TransactionSet) and interchange is not None:
                    mapping = inbound_x12(event.set_id)
                    if mapping is None:
                        continue
                    ctx = MappingContext(
                        interchange.delimiters,
                        source_metadata(
                            event,
                            interchange,
                            group,
                            partner_id=msg.partner_id,
                            message_id=str(msg.id),
                        ),
                        maps,
                        partner.timezone if partner else None,
                    )
                    try:
                        new = mapping.to_canonical(event, ctx).model_dump(mode="json")
                    except ValueError as exc:
                        new = {"error": str(exc)}
                    before = old.get((event.control_number, interchange.control_number))
                    a = json.dumps(_volatile(before), indent=2, sort_keys=True) if before else ""
                    b = json.dumps(_volatile(new), indent=2, sort_keys=True)
                    diff = "".join(
                        difflib.unified_diff(
                            a.splitlines(keepends=True),
                            b.splitlines(keepends=True),
                            "stored",
                            "replayed",
                        )
                    )
                    out.append(SetDiff(event.set_id, event.control_number, diff))
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
