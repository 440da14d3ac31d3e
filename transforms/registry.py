"""Which pure mapping turns an inbound X12 transaction set into which canonical document.

A new message type is one transform module plus one line in `X12_INBOUND`. Partner code maps
arrive in the profile's vocabulary (`partners/*.yaml` `code_maps`); `transform_code_maps`
names them the way the transforms read them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from gateway.canonical import AnyDocument, DocumentType, SourceMetadata
from gateway.x12.model import Delimiters, TransactionSet
from transforms import x12_204, x12_210, x12_214, x12_990, x12_acks_in
from transforms import x12_out_common as out

# profile code_maps section -> the category names the transforms read
_PROFILE_TO_TRANSFORM = {
    "at7_status": (out.AT7_STATUS,),
    "status_reasons": ("status_reasons",),
    "references": (out.REFERENCE_QUALIFIER,),
    "charges": (x12_210.CHARGE_CODE_MAP,),
    "stop_reasons": (out.STOP_REASON,),
    "equipment": (out.EQUIPMENT_TYPE,),
}


def transform_code_maps(
    profile_maps: Mapping[str, Mapping[str, str]],
) -> dict[str, Mapping[str, str]]:
    out_maps: dict[str, Mapping[str, str]] = {}
    for section, values in profile_maps.items():
        for name in _PROFILE_TO_TRANSFORM.get(section, (section,)):
            out_maps[name] = values
    return out_maps


@dataclass(frozen=True, slots=True)
class MappingContext:
    """Everything a mapping may use besides the set itself: envelope facts and the profile."""

    delimiters: Delimiters
    envelope: SourceMetadata
    code_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # transform names
    default_tz: str | None = None


X12Mapping = Callable[[TransactionSet, MappingContext], AnyDocument]


@dataclass(frozen=True, slots=True)
class InboundX12:
    set_id: str
    doc_type: DocumentType
    to_canonical: X12Mapping


def _214(ts: TransactionSet, ctx: MappingContext) -> AnyDocument:
    return x12_214.shipment_status_from_x12(
        ts,
        delimiters=ctx.delimiters,
        envelope=ctx.envelope,
        profile_code_map=ctx.code_maps.get(out.AT7_STATUS),
        default_tz=ctx.default_tz,
    )


class _CodeMapped(Protocol):
    """The shape of the 204/990/210 inbound mappings (partner code maps by category)."""

    def __call__(
        self,
        ts: TransactionSet,
        *,
        delimiters: Delimiters,
        envelope: SourceMetadata,
        profile_code_maps: Mapping[str, Mapping[str, str]] | None = ...,
        default_tz: str | None = ...,
    ) -> AnyDocument: ...


def _with_code_maps(transform: _CodeMapped) -> X12Mapping:
    def mapping(ts: TransactionSet, ctx: MappingContext) -> AnyDocument:
        return transform(
            ts,
            delimiters=ctx.delimiters,
            envelope=ctx.envelope,
            profile_code_maps=ctx.code_maps,
            default_tz=ctx.default_tz,
        )

    return mapping


def _fa(ts: TransactionSet, ctx: MappingContext) -> AnyDocument:
    return x12_acks_in.functional_ack_from_x12(ts, delimiters=ctx.delimiters, envelope=ctx.envelope)


X12_INBOUND: dict[str, InboundX12] = {
    "204": InboundX12(
        "204", DocumentType.LOAD_TENDER, _with_code_maps(x12_204.load_tender_from_x12)
    ),
    "210": InboundX12(
        "210", DocumentType.FREIGHT_INVOICE, _with_code_maps(x12_210.freight_invoice_from_x12)
    ),
    "214": InboundX12("214", DocumentType.SHIPMENT_STATUS, _214),
    "990": InboundX12(
        "990", DocumentType.TENDER_RESPONSE, _with_code_maps(x12_990.tender_response_from_x12)
    ),
    "997": InboundX12("997", DocumentType.FUNCTIONAL_ACK, _fa),
    "999": InboundX12("999", DocumentType.FUNCTIONAL_ACK, _fa),
}


def inbound_x12(set_id: str) -> InboundX12 | None:
    return X12_INBOUND.get(set_id)
