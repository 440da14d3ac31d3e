"""Building one IDoc as SAP writes it: root > IDOC BEGIN="1" > EDI_DC40 + segments, SEGMENT="1".

Segments and fields go where the project XSD puts them, whatever order a renderer adds them in;
`finish` validates against the XSD and refuses to return an IDoc that does not pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from gateway.idoc.errors import IdocError, IdocFieldError
from gateway.idoc.fields import FieldValue, field_text
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
        ranks = self._ranks_under(parent)
        rank = ranks.get(name)
        if rank is None:
            raise IdocError(f"{name} is not a child of {parent.tag} in {self.schema.idoctyp}")
        formatted = self._format(self.schema.segment(name), fields)  # raises before any change
        position = _position(parent, ranks, rank)
        if position is None:
            # made in place: a detached element would get a document of its own, then be moved
            segment = etree.SubElement(parent, name, SEGMENT="1")
        else:
            segment = etree.Element(name, SEGMENT="1")
            parent.insert(position, segment)
        for field_name, text in formatted:
            etree.SubElement(segment, field_name).text = text
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

    def _ranks_under(self, parent: etree._Element) -> Mapping[str, int]:
        if parent is self.idoc:
            return self.schema.top_level_ranks
        return self.schema.segment(str(parent.tag)).child_ranks

    def _format(self, spec: SegmentSpec, fields: Mapping[str, FieldValue]) -> list[tuple[str, str]]:
        """The fields' (name, text) in XSD order. The usual case (known fields, every required
        one present, no value refused) walks only the fields given; anything else goes the
        way that walks every field of the segment, which raises what it always raised."""
        specs, ranks, required = spec.fields, spec.field_ranks, spec.required
        out: list[tuple[str, str]] = []
        truncated: list[str] = []
        try:
            for name in required:
                if fields.get(name) is None:
                    return self._format_all(spec, fields)
            for name in sorted(fields, key=ranks.__getitem__):  # KeyError: an unknown field
                value = fields[name]
                if value is None:
                    continue
                formatted = field_text(specs[name], value, spec.name)
                if formatted is None:
                    if name in required:
                        return self._format_all(spec, fields)
                    continue
                text, cut = formatted
                if cut:
                    truncated.append(f"{spec.name}-{name}")
                out.append((name, text))
        except Exception:  # the full walk raises the error the caller gets
            return self._format_all(spec, fields)
        self._truncated.extend(truncated)
        return out

    def _format_all(
        self, spec: SegmentSpec, fields: Mapping[str, FieldValue]
    ) -> list[tuple[str, str]]:
        if not fields.keys() <= spec.fields.keys():
            unknown = set(fields) - set(spec.fields)
            raise IdocError(f"{spec.name} has no field {', '.join(sorted(unknown))} in the XSD")
        out: list[tuple[str, str]] = []
        for field in spec.fields.values():
            value = fields.get(field.name)
            # field_text omits None too; not calling it for the many absent fields saves time
            formatted = None if value is None else field_text(field, value, spec.name)
            if formatted is None:
                if field.required:
                    raise IdocFieldError(
                        f"{spec.name}-{field.name} is required", spec.name, field.name
                    )
                continue
            text, truncated = formatted
            if truncated:
                self._truncated.append(f"{spec.name}-{field.name}")
            out.append((field.name, text))
        return out


def _position(parent: etree._Element, ranks: Mapping[str, int], rank: int) -> int | None:
    """The index of the first segment under `parent` that the schema puts after `rank`, or None
    when there is none (the new segment goes last).

    Searched from the end: segments only ever enter through `IdocBuilder.add`, which keeps them
    in schema order, so those ranked after `rank` are a run at the end, usually empty.
    """
    position = None
    index = len(parent)
    for child in reversed(parent):
        index -= 1
        if child.get("SEGMENT") is None:
            continue  # a field of `parent`, not a segment
        if ranks[child.tag] <= rank:
            break
        position = index
    return position
