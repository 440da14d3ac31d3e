"""Implementation schemas of the transport sets (204/210/214/990/997/999) as data, and their loader.

The data lives beside this module as JSON (shipped as package data):
  transaction_sets.json  loop trees per set and version ("204/004010"): [segment, M|O, max use]
                         or {loop, req, max, members}; a loop's first member is its trigger
  segments.json          elements per segment: [ref, M|C, type, min, max(, code list)] or a
                         composite {ref, req, components, repeat?}; 005010 overlays 004010;
                         "lenient" segments are known but not described; "short_is_warning"
                         element refs are only noted when shorter than their minimum
  codes.json             code lists by data element number, each marked complete or partial
The validator compiles these once; nothing here is consulted per segment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeAlias

SUPPORTED_SETS: tuple[str, ...] = ("204", "210", "214", "990", "997", "999")
BASE_VERSIONS: tuple[str, ...] = ("004010", "005010")
ELEMENT_TYPES = frozenset(("AN", "ID", "DT", "TM", "N0", "N2", "R"))
# The 999's own implementation conventions: its 005010 schema *is* that shape, so no warning.
_NATIVE_CONVENTIONS = {"999": frozenset(("005010X231", "005010X231A1"))}


@dataclass(frozen=True, slots=True)
class CodeList:
    """A code list; when `complete` is False a value outside it is only a warning."""

    element: str
    name: str
    complete: bool
    codes: MappingProxyType[str, str]  # code -> meaning ("" where unverified)


@dataclass(frozen=True, slots=True)
class ElementDef:
    """One simple element, component, or (with `components`) composite element."""

    ref: str
    required: bool
    type: str = "AN"
    min_len: int = 1
    max_len: int = 99999
    code_list: str = ""
    components: tuple[ElementDef, ...] = ()
    repeat: int = 1
    short_is_warning: bool = False  # below min_len is noted, not rejected (segments.json)

    @property
    def is_composite(self) -> bool:
        return bool(self.components)


@dataclass(frozen=True, slots=True)
class SegmentDef:
    """A segment's elements; `elements` is None for a lenient (known, undescribed) segment."""

    tag: str
    elements: tuple[ElementDef, ...] | None


@dataclass(frozen=True, slots=True)
class SegmentUse:
    """A segment's place in a loop: requirement and maximum use."""

    tag: str
    required: bool
    max_use: int


@dataclass(frozen=True, slots=True)
class LoopDef:
    """A loop (or the set's root); `members[0]` is the trigger segment of a real loop."""

    loop_id: str
    required: bool
    max_repeat: int
    members: tuple[SegmentUse | LoopDef, ...]

    @property
    def trigger(self) -> SegmentUse:
        first = self.members[0]
        assert isinstance(first, SegmentUse)
        return first


Member: TypeAlias = SegmentUse | LoopDef


@dataclass(frozen=True, slots=True)
class SetSchema:
    """A transaction set implementation: loop tree plus the segment dictionary of its version."""

    set_id: str
    version: str
    root: LoopDef
    segments: MappingProxyType[str, SegmentDef]


@dataclass(frozen=True, slots=True)
class VersionChoice:
    """Which map validates a GS08 version; `note` explains a fallback (empty when exact)."""

    base: str
    note: str


def _read(name: str) -> Any:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def code_lists() -> MappingProxyType[str, CodeList]:
    """All code lists by data element number (or list name) as given in codes.json."""
    raw = _read("codes.json")["lists"]
    return MappingProxyType(
        {
            key: CodeList(
                key, entry["name"], bool(entry["complete"]), MappingProxyType(entry["codes"])
            )
            for key, entry in raw.items()
        }
    )


def _element(raw: Any, short_ok: frozenset[str]) -> ElementDef:
    if isinstance(raw, dict):
        return ElementDef(
            ref=raw["ref"],
            required=raw["req"] == "M",
            type="",
            components=tuple(_element(c, short_ok) for c in raw["components"]),
            repeat=int(raw.get("repeat", 1)),
        )
    ref, req, typ, lo, hi, *rest = raw
    if typ not in ELEMENT_TYPES:
        raise ValueError(f"element {ref}: unknown type {typ!r}")
    code_list = rest[0] if rest else ""
    if code_list and code_list not in code_lists():
        raise ValueError(f"element {ref}: unknown code list {code_list!r}")
    return ElementDef(ref, req == "M", typ, int(lo), int(hi), code_list, (), 1, ref in short_ok)


@cache
def segment_dictionary(version: str) -> MappingProxyType[str, SegmentDef]:
    """Segment definitions of a base version (004010 or 005010)."""
    if version not in BASE_VERSIONS:
        raise KeyError(version)
    raw = _read("segments.json")
    merged: dict[str, Any] = dict(raw["004010"])
    if version == "005010":
        merged.update(raw["005010"])
    short_ok = frozenset(raw["short_is_warning"])
    defs = {
        tag: SegmentDef(tag, tuple(_element(e, short_ok) for e in els))
        for tag, els in merged.items()
    }
    for tag in raw["lenient"]:
        defs.setdefault(tag, SegmentDef(tag, None))
    return MappingProxyType(defs)


def _member(raw: Any) -> Member:
    if isinstance(raw, list):
        tag, req, max_use = raw
        return SegmentUse(tag, req == "M", int(max_use))
    return LoopDef(
        raw["loop"], raw["req"] == "M", int(raw["max"]), tuple(_member(m) for m in raw["members"])
    )


@cache
def _trees() -> dict[str, Any]:
    return dict(_read("transaction_sets.json")["sets"])


def available() -> tuple[tuple[str, str], ...]:
    """(set id, base version) pairs that have a schema."""
    return tuple(tuple(key.split("/")) for key in _trees())  # type: ignore[misc]


@cache
def load_set(set_id: str, version: str) -> SetSchema | None:
    """The schema of a set in a base version, or None when there is none."""
    raw = _trees().get(f"{set_id}/{version}")
    if raw is None:
        return None
    root = LoopDef("", True, 1, tuple(_member(m) for m in raw))
    dictionary = segment_dictionary(version)
    missing = sorted(_tags(root) - set(dictionary))
    if missing:
        raise ValueError(f"{set_id}/{version}: segments without a definition: {missing}")
    return SetSchema(set_id, version, root, dictionary)


def _tags(loop: LoopDef) -> set[str]:
    out: set[str] = set()
    for m in loop.members:
        out |= {m.tag} if isinstance(m, SegmentUse) else _tags(m)
    return out


def choose_version(set_id: str, version: str) -> VersionChoice:
    """Map a GS08 version to the closest base map: 0040xx and older -> 004010, 0050xx+ -> 005010.

    Industry suffixes (004010VICS, 005010X230) are validated against the base map with a note;
    the 999's own X231 conventions are exact.
    """
    v = version.strip()
    head = v[:6]
    base = "005010" if head.isdigit() and head >= "005000" else "004010"
    if load_set(set_id, base) is None:
        others = [b for b in BASE_VERSIONS if load_set(set_id, b) is not None]
        if not others:
            return VersionChoice(base, "")
        base = others[0]
    exact = v == base or v in _NATIVE_CONVENTIONS.get(set_id, frozenset())
    if exact:
        return VersionChoice(base, "")
    return VersionChoice(base, f"version {v or '(empty)'} validated against the {base} map")


@cache
def known_segment_ids() -> frozenset[str]:
    """Segment ids this package knows (any version): an unknown id in a set is AK304 code 1."""
    ids: set[str] = set()
    for version in BASE_VERSIONS:
        ids |= set(segment_dictionary(version))
    return frozenset(ids)
