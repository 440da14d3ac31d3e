"""Test helper: the transaction sets of a sample file with the envelopes around them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from gateway.x12.envelope import enveloped_sets
from gateway.x12.model import GroupHeader, InterchangeHeader, TransactionSet


def sets_of(
    path: Path, set_id: str
) -> Iterator[tuple[TransactionSet, InterchangeHeader, GroupHeader | None]]:
    """Every `set_id` set in `path`, read with the gateway's own reader."""
    with path.open("rb") as stream:
        for item in enveloped_sets(stream):
            if item.ts.set_id == set_id:
                yield item.ts, item.interchange, item.group
