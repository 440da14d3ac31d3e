"""Envelope layer: turns the segment stream into interchange/group/transaction-set events.

Checks ISA/IEA, GS/GE and ST/SE pairing, counts and control numbers; the findings are
`Issue` values on the closing events (TA1 note codes, AK9 group codes, AK5 set codes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from gateway.x12.model import GroupHeader, InterchangeHeader, Issue, Segment, TransactionSet


@dataclass(slots=True)
class InterchangeStart:
    header: InterchangeHeader
    segment: Segment


@dataclass(slots=True)
class GroupStart:
    header: GroupHeader
    segment: Segment


@dataclass(slots=True)
class GroupEnd:
    header: GroupHeader
    trailer: Segment | None  # None when GE is missing
    set_count: int  # sets actually received
    issues: list[Issue] = field(default_factory=list)  # Level.GROUP, AK905 codes (716)


@dataclass(slots=True)
class TechnicalAck:
    """A TA1 segment found inside an interchange (an inbound TA1)."""

    header: InterchangeHeader
    segment: Segment


@dataclass(slots=True)
class InterchangeEnd:
    header: InterchangeHeader
    trailer: Segment | None  # None when IEA is missing
    group_count: int
    issues: list[Issue] = field(default_factory=list)  # Level.INTERCHANGE, TA105 codes


Event = InterchangeStart | GroupStart | TransactionSet | GroupEnd | TechnicalAck | InterchangeEnd


def read_events(stream: BinaryIO, *, chunk_size: int = 1 << 16) -> Iterator[Event]:
    """Stream events from a binary X12 stream (one or many interchanges)."""
    raise NotImplementedError  # implemented in the next commit
