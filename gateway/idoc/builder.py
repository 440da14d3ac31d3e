"""Building one IDoc as SAP writes it: root > IDOC BEGIN="1" > EDI_DC40 + segments, SEGMENT="1".

Segments and fields go where the project XSD puts them, whatever order a renderer adds them in;
`finish` validates against the XSD and refuses to return an IDoc that does not pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from gateway.idoc.errors import IdocError, IdocFieldError
from gateway.idoc.fields import FieldValue, format_field
from gateway.idoc.schema import IdocSchema, SegmentSpec, load_schema

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True, slots=True)
class RenderedIdoc:
    """A schema-valid IDoc file ready to deliver, and what a log line needs to say about it."""

    data: bytes  # UTF-8 XML with declaration
    idoctyp: str
    mestyp: str
    docnum: str | None
    truncated: tuple[str, ...] = ()  # "SEGMENT-FIELD" of every free-text value that was cut


class IdocBuilder:
    """Accumulates the segments of one IDoc of a basic type the gateway writes."""

    def __init__(
        self, idoctyp: str, control: Mapping[str, FieldValue], root_name: str | None = None
    ) -> None:
        self.schema: IdocSchema = load_schema(idoctyp)
        # With an extension (CIMTYP) SAP names the root after the extension.
        self.root = etree.Element(root_name or idoctyp)
        self.idoc = etree.SubElement(self.root, "IDOC", BEGIN="1")
        self._truncated: list[str] = []
        self._control = self.add(self.idoc, "EDI_DC40", control)

    def add(
        self, parent: etree._Element, name: str, fields: Mapping[str, FieldValue]
    ) -> etree._Element:
        """Add segment `name` under `parent` (the builder's `idoc` for a top-level segment) at
        its schema position, with `fields` formatted by their SAP rules; empty values omitted."""
        siblings = self._children_of(parent)
        if name not in siblings:
            raise IdocError(f"{name} is not a child of {parent.tag} in {self.schema.idoctyp}")
        spec = self.schema.segment(name)
        segment = etree.Element(name, SEGMENT="1")
        for field_name, text in self._format(spec, fields):
            etree.SubElement(segment, field_name).text = text
        rank = siblings.index(name)
        position = len(parent)
        for index, child in enumerate(parent):
            if child.get("SEGMENT") is not None and siblings.index(child.tag) > rank:
                position = index
                break
        parent.insert(position, segment)
        return segment

    def finish(self) -> RenderedIdoc:
        """Validate against the XSD (IdocSchemaError if not valid) and serialise."""
        self.schema.validate(self.root)
        # The declaration is written by hand: lxml's uses single quotes, SAP's double quotes.
        body = etree.tostring(self.root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
        data = XML_DECLARATION + body
        docnum = self._control.findtext("DOCNUM")
        return RenderedIdoc(
            data=data,
            idoctyp=self.schema.idoctyp,
            mestyp=self._control.findtext("MESTYP") or "",
            docnum=docnum,
            truncated=tuple(self._truncated),
        )

    def _children_of(self, parent: etree._Element) -> tuple[str, ...]:
        if parent is self.idoc:
            return self.schema.top_level
        return self.schema.segment(str(parent.tag)).children

    def _format(self, spec: SegmentSpec, fields: Mapping[str, FieldValue]) -> list[tuple[str, str]]:
        unknown = set(fields) - set(spec.fields)
        if unknown:
            raise IdocError(f"{spec.name} has no field {', '.join(sorted(unknown))} in the XSD")
        out: list[tuple[str, str]] = []
        for field in spec.fields.values():
            formatted = format_field(field, fields.get(field.name), spec.name)
            if formatted is None:
                if field.required:
                    raise IdocFieldError(
                        f"{spec.name}-{field.name} is required", spec.name, field.name
                    )
                continue
            if formatted.truncated:
                self._truncated.append(f"{spec.name}-{field.name}")
            out.append((field.name, formatted.text))
        return out
