"""The project XSDs (package data in xsd/): loaded once, validated against, read for field specs.

The XSD is the one source of truth for segment order, field order, field lengths and field rules;
the builder reads them from here, so a renderer cannot disagree with the schema it is checked by.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from gateway.idoc.errors import IdocError, IdocSchemaError
from gateway.idoc.fields import FieldKind, FieldSpec
from gateway.idoc.safe_xml import hardened_parser

XS = "{http://www.w3.org/2001/XMLSchema}"
IDOC_TYPES = ("SHPMNT05", "INVOIC02")
"""The basic types the gateway writes; each has xsd/<type>.xsd."""

_TYPE_NAME = re.compile(r"(CHAR|TEXT|ALPHA|NUMC|DEC)([0-9]+)|(DATS|TIMS)")
_FIXED_LENGTH = {"DATS": 8, "TIMS": 6}


@dataclass(frozen=True, slots=True)
class SegmentSpec:
    """A segment as the XSD declares it: its fields and its child segments, both in SAP order."""

    name: str
    fields: Mapping[str, FieldSpec]
    children: tuple[str, ...]
    # child name -> its position in `children`, so the builder places a segment by dict lookup
    child_ranks: Mapping[str, int] = field(init=False, repr=False, compare=False)
    # field name -> its position in `fields`, and the required fields: the builder formats the
    # fields it is given in XSD order without walking every field the segment could have
    field_ranks: Mapping[str, int] = field(init=False, repr=False, compare=False)
    required: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "child_ranks", _ranks(self.children))
        object.__setattr__(self, "field_ranks", _ranks(tuple(self.fields)))
        required = tuple(f.name for f in self.fields.values() if f.required)
        object.__setattr__(self, "required", required)

    def child_rank(self, child: str) -> int:
        return self.children.index(child)


@dataclass(frozen=True)
class IdocSchema:
    """One IDoc basic type: its compiled XSD and the segment specs read from it."""

    idoctyp: str
    segments: Mapping[str, SegmentSpec]
    top_level: tuple[str, ...]  # children of <IDOC>, EDI_DC40 first
    xmlschema: etree.XMLSchema
    top_level_ranks: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "top_level_ranks", _ranks(self.top_level))

    def segment(self, name: str) -> SegmentSpec:
        try:
            return self.segments[name]
        except KeyError:
            raise IdocError(f"{self.idoctyp} has no segment {name} in the project XSD") from None

    def validate(self, root: etree._Element) -> None:
        """Raise IdocSchemaError unless `root` is valid. A root named after an extension
        (CIMTYP) is checked as the basic type: the gateway writes no extension segments."""
        if root.tag != self.idoctyp:
            root = copy.deepcopy(root)
            root.tag = self.idoctyp
        if not self.xmlschema.validate(root):
            log: Any = self.xmlschema.error_log  # iterable at run time; lxml-stubs disagree
            problems = tuple(f"line {error.line}: {error.message}" for error in log)
            first = problems[0] if problems else "unknown error"
            raise IdocSchemaError(f"{self.idoctyp} fails its XSD: {first}", problems)


def _ranks(names: tuple[str, ...]) -> Mapping[str, int]:
    ranks: dict[str, int] = {}
    for rank, name in enumerate(names):
        ranks.setdefault(name, rank)  # the first position, as tuple.index gives
    return ranks


def xsd_dir() -> resources.abc.Traversable:
    return resources.files("gateway.idoc").joinpath("xsd")


@cache
def load_schema(idoctyp: str) -> IdocSchema:
    """The schema of a basic type the gateway writes (cached; schemas are immutable)."""
    if idoctyp not in IDOC_TYPES:
        raise IdocError(f"no project XSD for IDoc type {idoctyp!r}; known: {', '.join(IDOC_TYPES)}")
    with resources.as_file(xsd_dir().joinpath(f"{idoctyp}.xsd")) as path:
        documents = _read_with_includes(path)
        # Compiled inside the context: libxml2 resolves xs:include from the file's location.
        xmlschema = etree.XMLSchema(documents[0].getroottree())
    return _specs(idoctyp, documents, xmlschema)


def _read_with_includes(path: Path) -> list[etree._Element]:
    documents: list[etree._Element] = []
    pending = [path]
    seen: set[Path] = set()
    while pending:
        current = pending.pop(0).resolve()
        if current in seen:
            continue
        seen.add(current)
        root = etree.parse(str(current), hardened_parser()).getroot()
        documents.append(root)
        for include in root.iterchildren(f"{XS}include"):
            pending.append(current.parent / include.get("schemaLocation", ""))
    return documents


def _specs(idoctyp: str, documents: list[etree._Element], xmlschema: etree.XMLSchema) -> IdocSchema:
    simple = {t.get("name", ""): t for d in documents for t in d.iterchildren(f"{XS}simpleType")}
    complex_ = {t.get("name", ""): t for d in documents for t in d.iterchildren(f"{XS}complexType")}
    root_decl = next(
        (e for e in documents[0].iterchildren(f"{XS}element") if e.get("name") == idoctyp), None
    )
    if root_decl is None:
        raise IdocError(f"{idoctyp}.xsd declares no root element {idoctyp}")
    idoc_decl = _sequence(root_decl.find(f"{XS}complexType"))[0]
    idoc_type = complex_[idoc_decl.get("type", "")]
    segments: dict[str, SegmentSpec] = {}
    top_level: list[str] = []
    for decl in _sequence(idoc_type):
        name = decl.get("name", "")
        top_level.append(name)
        _collect(name, complex_[decl.get("type", "")], simple, complex_, segments)
    return IdocSchema(idoctyp, segments, tuple(top_level), xmlschema)


def _collect(
    name: str,
    type_el: etree._Element,
    simple: Mapping[str, etree._Element],
    complex_: Mapping[str, etree._Element],
    out: dict[str, SegmentSpec],
) -> None:
    fields: dict[str, FieldSpec] = {}
    children: list[str] = []
    for decl in _sequence(type_el):
        child_name, type_name = decl.get("name", ""), decl.get("type", "")
        if type_name in complex_:
            children.append(child_name)
            _collect(child_name, complex_[type_name], simple, complex_, out)
        elif type_name in simple:
            required = decl.get("minOccurs", "1") != "0"
            fields[child_name] = _field_spec(child_name, type_name, simple[type_name], required)
        else:
            raise IdocError(f"{name}-{child_name}: type {type_name!r} is not declared")
    spec = SegmentSpec(name, fields, tuple(children))
    if out.setdefault(name, spec) != spec:
        raise IdocError(f"segment {name} is declared twice with different content")


def _field_spec(name: str, type_name: str, type_el: etree._Element, required: bool) -> FieldSpec:
    facets = type_el.find(f"{XS}restriction")
    max_length = None
    values: list[str] = []
    if facets is not None:
        for facet in facets:
            if facet.tag == f"{XS}maxLength":
                max_length = int(facet.get("value", "0"))
            elif facet.tag == f"{XS}enumeration":
                values.append(facet.get("value", ""))
    match = _TYPE_NAME.fullmatch(type_name)
    if match is None:
        length = max_length or max((len(v) for v in values), default=0)
        if not length:
            raise IdocError(f"type {type_name} of {name} states no length")
        return FieldSpec(name, FieldKind.CODE, length, required)
    if match.group(3):
        return FieldSpec(name, FieldKind(match.group(3)), _FIXED_LENGTH[match.group(3)], required)
    length = int(match.group(2))
    if max_length is not None and max_length != length:
        raise IdocError(f"type {type_name} says maxLength {max_length}")
    return FieldSpec(name, FieldKind(match.group(1)), length, required)


def _sequence(type_el: etree._Element | None) -> list[etree._Element]:
    if type_el is None:
        return []
    sequence = type_el.find(f"{XS}sequence")
    return [] if sequence is None else list(sequence.iterchildren(f"{XS}element"))
