"""Generate `dictionary.json` (segment, element and code list definitions for 004010 and 005010)
from a complete public machine-readable X12 dictionary.

Source (recorded in the output and in SOURCES.md beside this module): the EdiFabric X12 templates
as published in github.com/RichardFeich/EdiTemplateResolver at commit 0efa2864 (2025-08-19),
`Templates/CPDI.EdiFabric.Templates.Archive/X12/<version>/Common/EF_X12_<version>_Segments.cs`,
`..._ComplexElements.cs` and `..._Codes.cs`. For every segment they give the elements in order
with data element number, type (AN, ID, DT, TM, N0..N4, R), min/max length, requirement, the
segment's syntax notes as attributes on its first element (Paired = P, RequiredAny = R,
Conditional = C, ConditionalAny = L, Exclusion = E) and, per ID element, its complete code list.
pyx12's own `dataele.xml`/`codes.xml` were checked first: they hold 348 HIPAA elements and no
transport segment (no element 150, no L0), so they cannot be the source.

Only the segments the transaction set maps (`transaction_sets.json`) use, per version, are
written, with the code lists of their ID elements; `--excerpt DIR` also writes the source text
of exactly those segment and composite classes, which the tests compare the dictionary with.

    python -m gateway.x12.schema.generate --source /path/to/EdiTemplateResolver \
        [--excerpt tests/data/x12_dictionary]
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
VERSIONS = ("004010", "005010")
SOURCE = {
    "project": "EdiFabric X12 templates, as published in RichardFeich/EdiTemplateResolver",
    "url": "https://github.com/RichardFeich/EdiTemplateResolver",
    "commit": "0efa2864b076b8e63773489b1b6c63b8c155402a",
    "paths": "Templates/CPDI.EdiFabric.Templates.Archive/X12/{004010,005010}/Common/"
    "EF_X12_<version>_{Segments,ComplexElements,Codes}.cs",
    "licence": "no licence file in that repository; only facts of the X12 dictionary (element "
    "numbers, types, lengths, requirements, syntax notes, code values) are taken, no code",
}
_NOTE_KIND = {
    "Paired": "P",
    "RequiredAny": "R",
    "Conditional": "C",
    "ConditionalAny": "L",
    "Exclusion": "E",
}
_CLASS = re.compile(r'\[(Segment|Composite)\("(\w+)"\)\]\s*public class (\w+)')
_ATTR = re.compile(r"\[(\w+)(?:\((.*)\))?\]")  # one attribute per line in these files
_PROPERTY = re.compile(r"public (?:virtual )?([\w<>]+) (\w+) \{ get; set; \}")


@dataclass
class Field:
    pos: int
    required: bool
    ref: str = ""
    type: str = ""
    code_class: str = ""
    min_len: int = 0
    max_len: int = 0
    composite: str = ""  # the composite's id when this field is a composite
    repeat: int = 1
    notes: list[tuple[str, list[int]]] = field(default_factory=list)


def _class_bodies(text: str) -> dict[str, tuple[str, str]]:
    """id -> (kind, source text of the class) for every [Segment]/[Composite] class."""
    out: dict[str, tuple[str, str]] = {}
    matches = list(_CLASS.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.start() : end]
        # cut at the class's closing brace (the next class's attributes follow it)
        close = body.find("\n    }")
        out[m.group(2)] = (m.group(1), body[: close + 6] if close > 0 else body)
    return out


def parse_fields(body: str) -> list[Field]:
    """The positioned properties of one class, with their attributes, in position order."""
    fields: list[Field] = []
    attrs: list[tuple[str, str]] = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("["):
            m = _ATTR.fullmatch(line)
            if m is not None:
                attrs.append((m.group(1), m.group(2) or ""))
            continue
        prop = _PROPERTY.search(line)
        if prop is None:
            continue
        found = dict(attrs)
        kinds = [a for a, _ in attrs]
        args = attrs
        attrs = []
        if "Pos" not in found:
            continue
        f = Field(pos=int(found["Pos"]), required="Required" in kinds)
        if "DataElement" in found:
            ref, typ = re.fullmatch(r'"(\w+)", typeof\((\w+)\)', found["DataElement"]).groups()  # type: ignore[union-attr]
            f.ref = ref
            if typ.startswith("X12_ID_"):
                f.type, f.code_class = "ID", typ
            else:
                f.type = typ.removeprefix("X12_")
        else:
            ptype = prop.group(1)
            inner = re.fullmatch(r"List<(\w+)>", ptype)
            f.composite = inner.group(1) if inner else ptype
            f.ref = f.composite
            f.repeat = int(found.get("ListCount", "1") or 1)
        if "StringLength" in found:
            lo, hi = (int(x) for x in found["StringLength"].split(","))
            f.min_len, f.max_len = lo, hi
        for name, arg in args:
            if name in _NOTE_KIND:
                others = [int(x) for x in arg.split(",") if x.strip()]
                f.notes.append((_NOTE_KIND[name], [f.pos, *others]))
        fields.append(f)
    fields.sort(key=lambda x: x.pos)
    return fields


def parse_code_lists(text: str) -> dict[str, tuple[str, list[str]]]:
    """X12_ID_<n> class -> (name, codes) from a Codes.cs file."""
    out: dict[str, tuple[str, list[str]]] = {}
    pattern = re.compile(
        r"/// <summary>\s*/// (.*?)\s*/// </summary>\s*\[Serializable\(\)\]\s*\[DataContract\(\)\]"
        r"\s*\[EdiCodes\((.*?)\)\]\s*public class (X12_ID_\w+)",
        re.S,
    )
    for m in pattern.finditer(text):
        joined = "".join(re.findall(r'"([^"]*)"', m.group(2)))
        out[m.group(3)] = (m.group(1).strip(), [c for c in joined.split(",") if c])
    return out


def _tags(members: list[Any]) -> set[str]:
    out: set[str] = set()
    for m in members:
        out |= {m[0]} if isinstance(m, list) else _tags(m["members"])
    return out


def needed_segments() -> dict[str, list[str]]:
    """Segment ids each version's transaction set maps use (envelope segments are not here)."""
    sets = json.loads((HERE / "transaction_sets.json").read_text(encoding="utf-8"))["sets"]
    out: dict[str, set[str]] = {v: set() for v in VERSIONS}
    for key, members in sets.items():
        out[key.split("/")[1]] |= _tags(members)
    return {v: sorted(tags) for v, tags in out.items()}


def _element(
    f: Field, codes: dict[str, tuple[str, list[str]]], used: dict[str, tuple[str, list[str]]]
) -> list[Any]:
    req = "M" if f.required else "C"
    if f.type == "ID":
        name, values = codes[f.code_class]
        key = f.code_class.removeprefix("X12_ID_")
        used[key] = (name, values)
        lo = min((len(v) for v in values), default=1)
        hi = max((len(v) for v in values), default=99)
        return [f.ref, req, "ID", f.min_len or lo, f.max_len or hi, key]
    return [f.ref, req, f.type, f.min_len or 1, f.max_len or 99999]


def generate(source: Path, excerpt: Path | None = None) -> dict[str, Any]:
    needed = needed_segments()
    out: dict[str, Any] = {
        "_about": "GENERATED by gateway/x12/schema/generate.py from the source below; do not "
        "edit. Per version: segments (elements [ref, M|C, type, min, max(, code list)] or a "
        "composite {ref, req, repeat, components}; notes [kind, [positions]] with kind P R C L "
        "E, the first position carrying the note) and the complete code lists of their ID "
        "elements. The project's implementation rules (segments.json, codes.json, "
        "transaction_sets.json) are the layer above.",
        "source": SOURCE,
        "versions": {},
    }
    base = source / "Templates/CPDI.EdiFabric.Templates.Archive/X12"
    for version in VERSIONS:
        common = base / version / "Common"
        seg_text = (common / f"EF_X12_{version}_Segments.cs").read_text(encoding="utf-8-sig")
        comp_text = (common / f"EF_X12_{version}_ComplexElements.cs").read_text(
            encoding="utf-8-sig"
        )
        codes = parse_code_lists(
            (common / f"EF_X12_{version}_Codes.cs").read_text(encoding="utf-8-sig")
        )
        classes = _class_bodies(seg_text)
        composites = _class_bodies(comp_text)
        used: dict[str, tuple[str, list[str]]] = {}
        segments: dict[str, Any] = {}
        excerpt_parts: list[str] = []
        composite_ids: set[str] = set()
        missing: list[str] = []
        for tag in needed[version]:
            if tag not in classes:
                missing.append(tag)  # ST/SE live in the EdiFabric library, not the templates
                continue
            _, body = classes[tag]
            excerpt_parts.append(body)
            elements: list[Any] = []
            notes: list[list[Any]] = []
            for f in parse_fields(body):
                if len(elements) != f.pos - 1:
                    raise ValueError(f"{version} {tag}: position {f.pos} out of order")
                notes.extend([kind, pos] for kind, pos in f.notes)
                if f.composite:
                    composite_ids.add(f.composite)
                    comps = parse_fields(composites[f.composite][1])
                    entry: dict[str, Any] = {
                        "ref": f.composite,
                        "req": "M" if f.required else "C",
                        "components": [_element(c, codes, used) for c in comps],
                    }
                    if f.repeat > 1:
                        entry["repeat"] = f.repeat
                    elements.append(entry)
                else:
                    elements.append(_element(f, codes, used))
            segments[tag] = {"elements": elements, "notes": notes}
        excerpt_parts.extend(composites[c][1] for c in sorted(composite_ids))
        out["versions"][version] = {
            "segments": segments,
            "codes": {k: {"name": n, "codes": v} for k, (n, v) in sorted(used.items())},
            "not_in_source": missing,
        }
        if excerpt is not None:
            excerpt.mkdir(parents=True, exist_ok=True)
            header = (
                f"// Excerpt of {SOURCE['url']} @ {SOURCE['commit']}\n"
                f"// {base.name}/{version}/Common/EF_X12_{version}_Segments.cs and "
                "_ComplexElements.cs: the classes of the segments the transport maps use.\n"
                "// Written by gateway/x12/schema/generate.py --excerpt; read by "
                "tests/unit/test_x12_dictionary.py.\n"
            )
            (excerpt / f"EF_X12_{version}_transport.cs").write_text(
                header + "\n".join(excerpt_parts) + "\n", encoding="utf-8"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--source", type=Path, required=True, help="EdiTemplateResolver checkout")
    parser.add_argument("--out", type=Path, default=HERE / "dictionary.json")
    parser.add_argument("--excerpt", type=Path, default=None)
    args = parser.parse_args(argv)
    data = generate(args.source, args.excerpt)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
