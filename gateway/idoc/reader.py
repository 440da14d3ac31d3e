"""Reading IDoc XML from the ERP into generic records: control record fields plus a segment tree.

Any basic type or extension is read (the root may be INVOIC02, an extension like ZINV_ARDO, or
IDOC itself; several IDOCs may share a root). Meaning is given later, by transforms.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lxml import etree

from gateway.idoc.errors import IdocStructureError
from gateway.idoc.safe_xml import DEFAULT_MAX_BYTES, parse_untrusted_xml

CONTROL_SEGMENT = "EDI_DC40"


@dataclass(frozen=True, slots=True)
class IdocSegment:
    """One segment: its fields (text, blanks as sent but trimmed) and its child segments."""

    name: str
    fields: Mapping[str, str]
    children: tuple[IdocSegment, ...] = ()
    line: int | None = None  # source line of the segment's start tag

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def find(self, name: str) -> IdocSegment | None:
        """The first direct child segment called `name`."""
        return next((c for c in self.children if c.name == name), None)

    def find_all(self, name: str) -> tuple[IdocSegment, ...]:
        """Direct child segments called `name`, in order."""
        return tuple(c for c in self.children if c.name == name)

    def iter(self, name: str | None = None) -> Iterator[IdocSegment]:
        """This segment and all descendants (depth first, document order), optionally by name."""
        if name is None or self.name == name:
            yield self
        for child in self.children:
            yield from child.iter(name)


@dataclass(frozen=True, slots=True)
class Idoc:
    """One <IDOC>: the EDI_DC40 fields and the top-level data segments."""

    root_tag: str  # the XML root: the basic type, the extension (CIMTYP), or IDOC
    control: Mapping[str, str]
    segments: tuple[IdocSegment, ...]
    warnings: tuple[str, ...] = field(default=())  # stray text and the like, kept for humans

    @property
    def docnum(self) -> str:
        return self.control.get("DOCNUM", "")

    @property
    def mestyp(self) -> str:
        return self.control.get("MESTYP", "")

    @property
    def idoctyp(self) -> str:
        return self.control.get("IDOCTYP", "")

    @property
    def cimtyp(self) -> str:
        return self.control.get("CIMTYP", "")

    @property
    def direct(self) -> str:
        return self.control.get("DIRECT", "")

    def find(self, name: str) -> IdocSegment | None:
        return next((s for s in self.segments if s.name == name), None)

    def find_all(self, name: str) -> tuple[IdocSegment, ...]:
        return tuple(s for s in self.segments if s.name == name)

    def iter(self, name: str | None = None) -> Iterator[IdocSegment]:
        """Every data segment at any depth (document order), optionally only those called `name`."""
        for segment in self.segments:
            yield from segment.iter(name)

    @property
    def segment_count(self) -> int:
        """Data segments at every level, EDI_DC40 excluded (what SAP counts in WE02)."""
        return sum(1 for _ in self.iter())


def read_idocs(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Idoc]:
    """Every IDoc in an IDoc XML file, through the hardened parser.

    Raises UnsafeXmlError / XmlSyntaxError from parsing and IdocStructureError when the XML is
    not IDoc XML (no IDOC element, an IDOC without EDI_DC40).
    """
    root = parse_untrusted_xml(data, max_bytes=max_bytes)
    root_tag = _local(root)
    warnings: list[str] = []
    if root_tag == "IDOC":
        idoc_elements = [root]
    else:
        _note_stray_text(root, warnings)
        idoc_elements = [child for child in root if _is_element(child) and _local(child) == "IDOC"]
        others = sorted({_local(c) for c in root if _is_element(c) and _local(c) != "IDOC"})
        if others:
            warnings.append(f"ignored non-IDOC elements under <{root_tag}>: {', '.join(others)}")
    if not idoc_elements:
        raise IdocStructureError(f"<{root_tag}> holds no <IDOC> element: not IDoc XML")
    return [_read_idoc(root_tag, element, list(warnings)) for element in idoc_elements]


def _read_idoc(root_tag: str, element: etree._Element, warnings: list[str]) -> Idoc:
    _note_stray_text(element, warnings)
    control: Mapping[str, str] | None = None
    segments: list[IdocSegment] = []
    for child in element:
        if not _is_element(child):
            continue
        name = _local(child)
        if name == CONTROL_SEGMENT:
            if control is not None:
                raise IdocStructureError(f"IDOC at line {_line(element)} has two EDI_DC40")
            control = _read_segment(child, warnings).fields
        else:
            segments.append(_read_segment(child, warnings))
    if control is None:
        raise IdocStructureError(f"IDOC at line {_line(element)} has no EDI_DC40")
    return Idoc(root_tag, control, tuple(segments), tuple(warnings))


def _read_segment(element: etree._Element, warnings: list[str]) -> IdocSegment:
    name = _local(element)
    fields: dict[str, str] = {}
    children: list[IdocSegment] = []
    _note_stray_text(element, warnings)
    for child in element:
        if not _is_element(child):
            continue
        if _is_segment(child):
            children.append(_read_segment(child, warnings))
            continue
        field_name = _local(child)
        if field_name in fields:
            warnings.append(f"{name}-{field_name} repeated at line {_line(child)}; first kept")
            continue
        fields[field_name] = (child.text or "").strip()
    return IdocSegment(name, MappingProxyType(fields), tuple(children), _line(element))


def _line(element: etree._Element) -> int | None:
    line: Any = element.sourceline  # lxml-stubs declare it as an untyped ellipsis
    return line if isinstance(line, int) else None


def _is_segment(element: etree._Element) -> bool:
    # SAP marks every segment with SEGMENT="1"; a field never has element children.
    return element.get("SEGMENT") is not None or any(_is_element(c) for c in element)


def _is_element(node: etree._Element) -> bool:
    # Comments and processing instructions are nodes too; their tag is not a string.
    return isinstance(node.tag, str)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _note_stray_text(element: etree._Element, warnings: list[str]) -> None:
    """Text between segments is not IDoc data (e.g. a stray character after the root tag)."""
    texts = [element.text, *(child.tail for child in element)]
    for text in texts:
        if text and text.strip():
            warnings.append(
                f"stray text {text.strip()[:20]!r} in <{_local(element)}> "
                f"at line {_line(element)}; ignored"
            )
