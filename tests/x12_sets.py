"""Test helper: the transaction sets of a sample file with the envelopes around them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from gateway.x12.envelope import GroupStart, InterchangeStart, read_events
from gateway.x12.model import GroupHeader, InterchangeHeader, TransactionSet


def sets_of(
    path: Path, set_id: str
) -> Iterator[tuple[TransactionSet, InterchangeHeader, GroupHeader | None]]:
    """Every `set_id` set in `path`, read with the gateway's own reader."""
    with path.open("rb") as stream:
        interchange: InterchangeHeader | None = None
        group: GroupHeader | None = None
        for event in read_events(stream):
            if isinstance(event, InterchangeStart):
                interchange = event.header
            elif isinstance(event, GroupStart):
                group = event.header
            elif isinstance(event, TransactionSet) and event.set_id == set_id:
                assert interchange is not None
                yield event, interchange, group
