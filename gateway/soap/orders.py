"""An order from the SOAP service (a validated `Shipment` element) as the load tender it releases.

The `Shipment` element carries SHPMNT05 field names, so it is read as that IDoc (E1EDT20 with
E1ADRM4 partners, E1EDT10 deadlines, E1EDL20 deliveries > E1ADRM1 / E1EDT13 / E1EDL24) and
mapped by the same transform as an IDoc file dropped by the ERP: one mapping, two channels.
"""

from __future__ import annotations

from types import MappingProxyType

from lxml import etree

from gateway.canonical import LoadTender, SourceFormat, SourceMetadata
from gateway.canonical.parties import Note
from gateway.canonical.tender import Purpose
from gateway.idoc.reader import Idoc, IdocSegment
from transforms.idoc_shipment import load_tender_from_idoc

NS = "urn:logigateway:erp:soap:v1"

# E1EDT18-QUALF: the action SAP puts on an outbound shipment IDoc
_ACTION = {Purpose.ORIGINAL: "ORI", Purpose.CHANGE: "CHA", Purpose.CANCEL: "DEL"}
# request group element -> IDoc segment, at the shipment level and inside a delivery
_HEADER_GROUPS = {"Partner": "E1ADRM4", "Deadline": "E1EDT10", "Delivery": "E1EDL20"}
_DELIVERY_GROUPS = {"Partner": "E1ADRM1", "Deadline": "E1EDT13", "Item": "E1EDL24"}


def text(parent: etree._Element, name: str) -> str:
    """The trimmed text of the child `name` (in the service namespace), "" when absent."""
    child = parent.find(f"{{{NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def shipment_tender(
    shipment: etree._Element,
    *,
    docnum: str,
    purpose: Purpose,
    partner_id: str,
    time_zone: str | None,
) -> LoadTender:
    """The load tender of a schema-valid `Shipment` element (raises IdocError / ValueError
    when the order cannot be a tender, e.g. no delivery)."""
    header = _segment(shipment, "E1EDT20", _HEADER_GROUPS)
    action = IdocSegment("E1EDT18", MappingProxyType({"QUALF": _ACTION[purpose]}))
    texts = [line for line in _texts(shipment)]
    children = (action, *header.children)
    if texts:
        lines = tuple(IdocSegment("E1TXTP6", MappingProxyType({"TDLINE": t})) for t in texts)
        children += (IdocSegment("E1TXTH6", MappingProxyType({"TDID": "0001"}), lines),)
    header = IdocSegment(header.name, header.fields, children)
    control = MappingProxyType({"IDOCTYP": "SHPMNT05", "MESTYP": "SHPMNT", "DOCNUM": docnum})
    tender = load_tender_from_idoc(Idoc("SHPMNT05", control, (header,)), time_zone=time_zone)
    return tender.model_copy(
        update={
            "source": SourceMetadata(format=SourceFormat.SOAP, partner_id=partner_id),
            "purpose": purpose,
        }
    )


def cancellation(previous: LoadTender, reasons: list[str]) -> LoadTender:
    """The cancellation (204 B2A 01) of the tender last sent for the order."""
    notes = (*previous.notes, *(Note(text=r) for r in reasons))
    return previous.model_copy(
        update={"purpose": Purpose.CANCEL, "purpose_code": None, "notes": notes}
    )


def _segment(element: etree._Element, name: str, groups: dict[str, str]) -> IdocSegment:
    fields: dict[str, str] = {}
    children: list[IdocSegment] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        local = etree.QName(child).localname
        if local in groups:
            inner = _DELIVERY_GROUPS if groups[local] == "E1EDL20" else {}
            children.append(_segment(child, groups[local], inner))
        elif local != "TDLINE":
            fields[local] = (child.text or "").strip()
    return IdocSegment(name, MappingProxyType(fields), tuple(children))


def _texts(shipment: etree._Element) -> list[str]:
    return [(t.text or "").strip() for t in shipment.findall(f"{{{NS}}}TDLINE") if t.text]
