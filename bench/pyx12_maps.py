"""pyx12 maps for 204/210/214 (004010), generated from the gateway's own schemas, for the benchmark.

pyx12 ships no transport maps and its dictionary lacks the transport data elements (1650, 1651,
...), so it cannot validate a 214 out of the box. This builds a private map folder: pyx12's
installed files (the gateway's widened copy, see gateway/x12/pyx12_check.py), plus one map per set
written from gateway/x12/schema (same loops, requirements, repeats, element types, lengths and
complete code lists) inside the envelope of pyx12's own 997 map, plus the missing data elements.
pyx12 then checks the same rules with its own engine, which is what the comparison needs.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from gateway.x12 import schema
from gateway.x12.pyx12_check import map_folder
from gateway.x12.schema import ElementDef, LoopDef, SegmentDef, SegmentUse

SETS = {"214": "QM", "204": "SM", "210": "IM"}
_VERSION = "004010"


def _sub(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, attrs)
    node.text = text
    return node


def _codes(parent: ET.Element, codes: list[str]) -> None:
    valid = ET.SubElement(parent, "valid_codes")
    for code in codes:
        _sub(valid, "code", code)


def _element(parent: ET.Element, xid: str, seq: int, e: ElementDef) -> None:
    node = ET.SubElement(parent, "element", {"xid": xid})
    _sub(node, "data_ele", e.ref)
    _sub(node, "name", f"element {e.ref}")
    _sub(node, "usage", "R" if e.required else "S")
    _sub(node, "seq", f"{seq:02d}")
    if e.code_list:
        code_list = schema.code_lists()[e.code_list]
        if code_list.complete:  # the gateway only warns on partial lists: pyx12 cannot
            _codes(node, sorted(code_list.codes))


def _segment(parent: ET.Element, use: SegmentUse, defn: SegmentDef, pos: int) -> None:
    node = ET.SubElement(parent, "segment", {"xid": use.tag})
    _sub(node, "name", use.tag)
    _sub(node, "usage", "R" if use.required else "S")
    _sub(node, "pos", f"{pos:03d}")
    _sub(node, "max_use", str(use.max_use))
    for i, e in enumerate(defn.elements or (), start=1):
        xid = f"{use.tag}{i:02d}"
        if not e.is_composite:
            _element(node, xid, i, e)
            continue
        comp = ET.SubElement(node, "composite")
        _sub(comp, "data_ele", e.ref)
        _sub(comp, "name", f"composite {e.ref}")
        _sub(comp, "usage", "R" if e.required else "S")
        _sub(comp, "seq", f"{i:02d}")
        if e.repeat > 1:
            _sub(comp, "repeat", str(e.repeat))
        for j, c in enumerate(e.components, start=1):
            _element(comp, f"{xid}-{j:02d}", j, c)


class _Writer:
    def __init__(self, dictionary: dict[str, SegmentDef]) -> None:
        self.dictionary = dictionary
        self.pos = 10
        self.unnamed = 0
        self.refs: dict[str, ElementDef] = {}

    def members(self, parent: ET.Element, members: tuple[SegmentUse | LoopDef, ...]) -> None:
        for m in members:
            self.pos += 10
            if isinstance(m, SegmentUse):
                if m.tag in ("ST", "SE"):
                    continue
                defn = self.dictionary[m.tag]
                for e in defn.elements or ():
                    for leaf in e.components or (e,):
                        self.refs.setdefault(leaf.ref, leaf)
                _segment(parent, m, defn, self.pos)
                continue
            self.unnamed += 1
            loop = ET.SubElement(parent, "loop", {"xid": m.loop_id or f"L{self.unnamed:04d}"})
            _sub(loop, "name", m.loop_id or m.trigger.tag)
            _sub(loop, "usage", "R" if m.required else "S")
            _sub(loop, "pos", f"{self.pos:03d}")
            _sub(loop, "repeat", str(m.max_repeat))
            self.members(loop, m.members)


def _find(root: ET.Element, xid: str) -> ET.Element:
    found = root.find(f".//*[@xid='{xid}']")
    if found is None:
        raise LookupError(xid)
    return found


def _widen(element: ET.Element, codes: list[str]) -> None:
    valid = element.find("valid_codes")
    if valid is None:
        return
    present = {c.text for c in valid}
    for code in codes:
        if code not in present:
            _sub(valid, "code", code)


def _set_map(template: Path, set_id: str, refs: dict[str, ElementDef]) -> ET.Element:
    tree = ET.parse(template)  # pyx12's own 997 map, from the installed package
    root = tree.getroot()
    root.set("xid", set_id)
    name = root.find("name")
    if name is not None:
        name.text = f"{set_id} {_VERSION} (generated from gateway/x12/schema for the benchmark)"
    _widen(_find(root, "GS01"), list(SETS.values()))
    _widen(_find(root, "GS08"), [_VERSION])
    st01 = _find(root, "ST01").find("valid_codes")
    if st01 is not None:
        for code in st01:
            code.text = set_id
    st_loop = _find(root, "ST_LOOP")
    for wrapper in ("HEADER", "DETAIL", "FOOTER"):
        st_loop.remove(_find(st_loop, wrapper))
    s = schema.load_set(set_id, _VERSION)
    if s is None:
        raise LookupError(f"{set_id}/{_VERSION}")
    header = ET.Element("loop", {"xid": "HEADER", "type": "wrapper"})
    _sub(header, "name", "Table 1")
    _sub(header, "usage", "R")
    _sub(header, "pos", "010")
    _sub(header, "repeat", "1")
    writer = _Writer(dict(s.segments))
    writer.members(header, s.root.members)
    refs.update({k: v for k, v in writer.refs.items() if k not in refs})
    se = _find(st_loop, "SE")
    st_loop.insert(list(st_loop).index(se), header)
    return root


_PYX12_TYPES = {"AN": "AN", "ID": "ID", "DT": "DT", "TM": "TM", "N": "N0", "R": "R"}  # Nn as is


def build_map_folder(target: Path) -> Path:
    """Write the folder (replacing an older one) and return it; pass it as pyx12's map_path."""
    source = map_folder()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    refs: dict[str, ElementDef] = {}
    maps_index = ET.parse(target / "maps.xml")
    version = maps_index.getroot().find("version[@icvn='00401']")
    if version is None:
        raise LookupError("maps.xml has no 00401 version")
    for set_id, fid in SETS.items():
        root = _set_map(target / "997.4010.xml", set_id, refs)
        file_name = f"{set_id}.4010.gateway.xml"
        ET.ElementTree(root).write(target / file_name, encoding="utf-8", xml_declaration=True)
        entry = ET.Element("map", {"vriic": _VERSION, "fic": fid, "abbr": set_id})
        entry.text = file_name
        version.insert(0, entry)
    maps_index.write(target / "maps.xml", encoding="utf-8", xml_declaration=True)
    control = ET.parse(target / "x12.control.00401.xml")
    _widen(_find(control.getroot(), "GS01"), list(SETS.values()))
    control.write(target / "x12.control.00401.xml", encoding="utf-8", xml_declaration=True)
    # the transport elements pyx12's dictionary lacks, typed as the gateway's schema types them
    dataele = ET.parse(target / "dataele.xml")
    known = {d.get("ele_num") for d in dataele.getroot()}
    for ref, e in sorted(refs.items()):
        if ref in known or not e.type:
            continue
        ET.SubElement(
            dataele.getroot(),
            "data_ele",
            {
                "ele_num": ref,
                "data_type": _PYX12_TYPES.get(e.type, e.type),
                "min_len": str(e.min_len),
                "max_len": str(e.max_len),
                "name": f"element {ref}",
            },
        )
    dataele.write(target / "dataele.xml", encoding="utf-8", xml_declaration=True)
    return target
