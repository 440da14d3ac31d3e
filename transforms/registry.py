"""Which pure mapping turns an inbound X12 transaction set into which canonical document.

A new message type is one transform module plus one line in `X12_INBOUND`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gateway.canonical import CanonicalDocument, DocumentType, SourceMetadata
from gateway.x12.model import Delimiters, TransactionSet
from transforms import x12_214


@dataclass(frozen=True, slots=True)
class MappingContext:
    """Everything a mapping may use besides the set itself: envelope facts and the profile."""

    delimiters: Delimiters
    envelope: SourceMetadata
    code_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    default_tz: str | None = None


X12Mapping = Callable[[TransactionSet, MappingContext], CanonicalDocument]


@dataclass(frozen=True, slots=True)
class InboundX12:
    set_id: str
    doc_type: DocumentType
    to_canonical: X12Mapping


def _214(ts: TransactionSet, ctx: MappingContext) -> CanonicalDocument:
    return x12_214.shipment_status_from_x12(
        ts,
        delimiters=ctx.delimiters,
        envelope=ctx.envelope,
        profile_code_map=ctx.code_maps.get("at7_status"),
        default_tz=ctx.default_tz,
    )


X12_INBOUND: dict[str, InboundX12] = {
    "214": InboundX12("214", DocumentType.SHIPMENT_STATUS, _214),
}


def inbound_x12(set_id: str) -> InboundX12 | None:
    return X12_INBOUND.get(set_id)
