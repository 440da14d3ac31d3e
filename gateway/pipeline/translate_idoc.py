"""`gateway translate --to idoc`: the IDocs the ERP would receive, as SAP's file port reads them.

Several IDocs go into ONE XML document (one root, one `<IDOC BEGIN="1">` per IDoc: the batch
form of reference/idoc.md section 1), or one file per IDoc with `--out DIR` (what delivery
writes). The ERP's own keys come from the gateway's store when there is one (the same lookup
as the running gateway); without the ERP's order a document the gateway would hold is shown
with the carrier's keys and a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from lxml import etree

from gateway.canonical import AnyDocument
from gateway.idoc import read_idocs
from gateway.idoc.builder import XML_DECLARATION
from gateway.pipeline.erp_thread import KEYED_DOCUMENTS, ErpThread, posting_of
from gateway.registry import PartnerProfile, Registry
from gateway.routing.rules import RenderedDelivery, render_erp
from gateway.settings import Settings
from gateway.store import Store


class IdocBatchError(ValueError):
    """The IDocs cannot share one XML document (different basic types)."""


def _existing_store() -> Store | None:
    """The gateway's store when one exists here; translate never creates one."""
    from gateway.store import StoreError, create_store

    settings = Settings.from_env()
    database = settings.var_dir / "gateway.db"
    if settings.database_url is None and not database.exists():
        return None
    try:
        return create_store(settings.database_url or f"sqlite:///{database}")
    except (StoreError, OSError, ValueError):
        return None


def render_idocs(
    docs: Iterable[AnyDocument],
    dest: PartnerProfile,
    registry: Registry,
    now: datetime,
    name: str,
    warn: Any,
    store: Store | None = None,
) -> list[RenderedDelivery]:
    thread = ErpThread(store if store is not None else _existing_store(), registry)
    rendered: list[RenderedDelivery] = []
    for n, doc in enumerate(docs):
        keys = thread.keys_for(doc, dest) if isinstance(doc, KEYED_DOCUMENTS) else None
        if keys is None and isinstance(doc, KEYED_DOCUMENTS) and posting_of(dest) is not None:
            warn.print(
                f"warning: no order of {dest.id} for {doc.document_type.value} "
                f"{doc.correlation.shipment_id or doc.correlation.pro or ''}: the gateway holds "
                "it until the ERP's order is known; shown with the carrier's keys",
                markup=False,
            )
        rendered.extend(render_erp(doc, dest, f"{name}:{n}", now, keys))
    return rendered


def batch_document(payloads: Iterable[bytes]) -> bytes:
    """Several single-IDoc files as one document: the first file's root, every IDOC inside."""
    root: etree._Element | None = None
    for payload in payloads:
        # parsed by the hardened reader first: only what it accepts is merged
        read_idocs(payload)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
        other = etree.fromstring(payload, parser)
        if root is None:
            root = other
            continue
        if other.tag != root.tag:
            raise IdocBatchError(
                f"IDocs of types {root.tag} and {other.tag} cannot share one document: "
                "use --out DIR for one file per IDoc"
            )
        root.extend(other.findall("IDOC"))
    if root is None:
        return b""
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return XML_DECLARATION + body


def write_idocs(rendered: list[RenderedDelivery], out: TextIO, out_dir: Path | None) -> None:
    if out_dir is None:
        data = batch_document(r.payload for r in rendered)
        if data:
            out.write(data.decode())
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for r in rendered:
        path = out_dir / r.name
        path.write_bytes(r.payload)
        out.write(f"{path}\n")
