"""`gateway translate`: one file through the mappings and renderers, no database.

The output for a target is exactly what that destination gets from the running gateway: the
same routing renderers (portal, TMS, ERP IDoc) and the same outbound X12 transforms.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from gateway.canonical import AnyDocument, LoadTender, ShipmentStatus, TenderResponse
from gateway.pipeline.dispatch import code_maps_for
from gateway.registry import PartnerProfile, Registry, RegistryError
from gateway.registry.profile import Role
from gateway.routing.rules import RENDERERS
from gateway.settings import Settings
from gateway.x12.acks import CountingControlNumbers
from gateway.x12.envelope import enveloped_sets
from gateway.x12.model import Delimiters, GroupHeader, InterchangeHeader, TransactionSet
from gateway.x12.writer import X12Writer
from transforms import x12_204, x12_214_out, x12_990
from transforms.registry import MappingContext, inbound_x12
from transforms.x12_common import source_metadata


class TranslateError(Exception):
    def __init__(self, message: str, *, partial: bool = False) -> None:
        super().__init__(message)
        self.partial = partial  # some sets translated, some failed


def _registry() -> Registry | None:
    try:
        return Registry.load(Settings.from_env().partners_dir)
    except (RegistryError, OSError):
        return None


Mapped = tuple[TransactionSet, InterchangeHeader, AnyDocument | Exception | None]


def map_sets(
    path: Path, profile: PartnerProfile | None, *, message_id: str | None = None
) -> Iterator[Mapped]:
    """Every transaction set of an X12 file with its canonical document (None: no mapping for
    its set id; an exception: the mapping refused it). Streams; writes nothing."""
    maps = code_maps_for(profile)
    with path.open("rb") as stream:
        for item in enveloped_sets(stream):
            ts, interchange = item.ts, item.interchange
            mapping = inbound_x12(ts.set_id)
            if mapping is None:
                yield ts, interchange, None
                continue
            source = source_metadata(
                ts,
                interchange,
                item.group,
                partner_id=profile.id if profile else None,
                message_id=message_id,
            )
            ctx = MappingContext(
                interchange.delimiters, source, maps, profile.timezone if profile else None
            )
            try:
                yield ts, interchange, mapping.to_canonical(ts, ctx)
            except (ValueError, KeyError, IndexError) as exc:
                yield ts, interchange, exc


def documents(path: Path, profile: PartnerProfile | None, warn: Any) -> Iterator[AnyDocument]:
    failures = 0
    for ts, _, doc in map_sets(path, profile):
        if doc is None:
            warn.print(f"warning: no mapping for set {ts.set_id} {ts.control_number}", markup=False)
        elif isinstance(doc, Exception):
            failures += 1
            warn.print(f"error: set {ts.set_id} {ts.control_number}: {doc}", markup=False)
        else:
            yield doc
    if failures:
        raise TranslateError(f"{failures} transaction set(s) could not be translated", partial=True)


def translate_file(
    path: Path,
    target: str,
    partner_id: str | None,
    out: TextIO,
    warn: Any,
    out_dir: Path | None = None,
) -> None:
    registry = _registry()
    profile = None
    if partner_id is not None:
        if registry is None or registry.find(partner_id) is None:
            raise TranslateError(f"no partner profile {partner_id!r} in partners/")
        profile = registry.get(partner_id)
    if out_dir is not None and target != "idoc":
        raise TranslateError("--out DIR is for --to idoc (one file per IDoc)")
    if target == "canonical":
        _json_array(out, (d.model_dump(mode="json") for d in documents(path, profile, warn)))
        return
    if registry is None:
        raise TranslateError(f"--to {target} needs the partner profiles in partners/")
    now = datetime.now(UTC)
    if target == "x12":
        if profile is None or profile.x12 is None:
            raise TranslateError("--to x12 needs --partner naming an X12 trading partner")
        _x12(out, documents(path, profile, warn), profile, registry, now)
        return
    role = {"idoc": Role.ERP, "tms": Role.TMS, "portal": Role.PORTAL}[target]
    dest = next((p for p in registry if p.role is role), None)
    if dest is None:
        raise TranslateError(f"no {role.value} profile in partners/")
    if target == "idoc":
        from gateway.pipeline.translate_idoc import IdocBatchError, render_idocs, write_idocs

        docs = documents(path, profile, warn)
        try:
            write_idocs(render_idocs(docs, dest, registry, now, path.name, warn), out, out_dir)
        except IdocBatchError as exc:
            raise TranslateError(str(exc)) from None
        return
    render = RENDERERS[role]
    rendered = [
        r
        for n, doc in enumerate(documents(path, profile, warn))
        for r in render(doc, dest, f"{path.name}:{n}", now, registry)
    ]
    _json_array(out, (json.loads(r.payload) for r in rendered))


def _json_array(out: TextIO, items: Iterator[Any]) -> None:
    out.write("[")
    first = True
    for item in items:
        out.write(("\n" if first else ",\n") + json.dumps(item, indent=2))
        first = False
    out.write("\n]\n" if not first else "]\n")


def _x12(
    out: TextIO,
    docs: Iterator[AnyDocument],
    partner: PartnerProfile,
    registry: Registry,
    now: datetime,
) -> None:
    x12 = partner.x12
    assert x12 is not None
    qualifier, our_id, our_gs = registry.our_isa_identity(partner)
    d = x12.delimiters
    delimiters = Delimiters(d.element, d.component, d.segment, d.repetition)
    numbers = CountingControlNumbers()
    maps = code_maps_for(partner)
    buf = io.BytesIO()
    writer = X12Writer(buf, delimiters)
    header = InterchangeHeader(
        "00",
        "",
        "00",
        "",
        qualifier,
        our_id,
        x12.isa_qualifier,
        x12.isa_id,
        now.strftime("%y%m%d"),
        now.strftime("%H%M"),
        delimiters.repetition or "U",
        x12.isa_version,
        f"{numbers.next_interchange():09d}",
        False,
        x12.usage,
        delimiters,
    )
    sets: dict[str, list[list[list[str]]]] = {}
    for n, doc in enumerate(docs, start=1):
        st02 = f"{n:04d}"
        if isinstance(doc, LoadTender):
            rows = x12_204.x12_from_load_tender(
                doc,
                version=x12.version,
                control_number=st02,
                profile_code_maps=maps,
                default_payment_method=x12.payment_method,
            )
        elif isinstance(doc, TenderResponse):
            rows = x12_990.x12_from_tender_response(
                doc, version=x12.version, control_number=st02, profile_code_maps=maps
            )
        elif isinstance(doc, ShipmentStatus):
            rows = x12_214_out.x12_from_shipment_status(
                doc, version=x12.version, control_number=st02, profile_code_maps=maps
            )
        else:
            raise TranslateError(f"{doc.document_type.value} has no outbound X12 form")
        sets.setdefault(rows[0][1], []).append(rows)
    with writer.interchange(header):
        for set_id, members in sets.items():
            functional = {"204": "SM", "990": "GF", "214": "QM"}[set_id]
            group = GroupHeader(
                functional,
                our_gs,
                x12.group_id,
                now.strftime("%Y%m%d"),
                now.strftime("%H%M"),
                str(numbers.next_group()),
                "X",
                x12.version,
            )
            with writer.group(group):
                for rows in members:
                    with writer.transaction_set(set_id, rows[0][2]):
                        for row in rows[1:-1]:
                            writer.write_segment(row)
    writer.flush()
    out.write(buf.getvalue().decode())
