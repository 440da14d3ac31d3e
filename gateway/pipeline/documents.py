"""Reading document files from systems: IDoc XML (hardened parser) and canonical / TMS JSON."""

from __future__ import annotations

import json

from gateway.canonical import AnyDocument, parse_document
from gateway.idoc.reader import read_idocs
from transforms.idoc_shipment import load_tender_from_idoc
from transforms.tms_json import from_tms_message

# IDoc message types the ERP releases orders with
_ORDER_MESSAGES = frozenset({"SHPMNT", "DELVRY", "SHPCON", "DESADV", "TPSDLS"})


def read_documents(kind: bytes, data: bytes, time_zone: str | None) -> list[AnyDocument]:
    """Canonical documents in a file: every IDoc of an XML batch, or one JSON document.

    JSON is either a canonical document (`document_type`) or a TMS v1 message. Raises
    IdocError or ValueError with a clear message; never returns a partial list silently.
    """
    if kind == b"<":
        docs: list[AnyDocument] = []
        for idoc in read_idocs(data):
            if (idoc.mestyp or "") not in _ORDER_MESSAGES:
                raise ValueError(f"IDoc {idoc.docnum} message type {idoc.mestyp!r} is not an order")
            docs.append(load_tender_from_idoc(idoc, time_zone=time_zone))
        if not docs:
            raise ValueError("the XML holds no IDoc")
        return docs
    try:
        payload = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    items = payload if isinstance(payload, list) else [payload]
    out: list[AnyDocument] = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("a JSON document must be an object")
        if "document_type" in item:
            out.append(parse_document(item))
        else:
            out.append(from_tms_message(item))
    return out
