"""The generated X12 dictionary against its source (issue 9).

For every segment of the 204/210/214/990/997/999 maps in 004010 and 005010, the definition the
validator uses has the element count, types, lengths and requirements of the source's class
(tests/data/x12_dictionary: the source text of exactly those classes, written by
`gateway/x12/schema/generate.py --excerpt`). The parser here is written apart from the
generator's, so a generator bug does not check itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from gateway.x12 import schema
from gateway.x12.schema import ElementDef, SegmentDef
from gateway.x12.validator import Validator
from tests.unit.test_validator import check

EXCERPTS = Path(__file__).parents[1] / "data" / "x12_dictionary"
# segments whose elements the project's implementation rules replace (segments.json "notes")
OVERRIDDEN = {"004010": {"B1", "MS1"}, "005010": {"MS1", "CTX"}}
NOT_IN_SOURCE = {"ST", "SE"}  # the source's templates leave the envelope to their library


def _classes(text: str, kind: str) -> dict[str, str]:
    parts = re.split(rf'\[{kind}\("(\w+)"\)\]', text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _source(version: str) -> tuple[dict[str, str], dict[str, str]]:
    text = (EXCERPTS / f"EF_X12_{version}_transport.cs").read_text(encoding="utf-8")
    segments_part, _, _ = text.partition("[Composite(")  # segments come first, then composites
    return _classes(segments_part, "Segment"), _classes(text, "Composite")


def _props(body: str) -> list[dict[str, Any]]:
    """One dict per positioned property: its attributes' text by name."""
    out = []
    for chunk in body.split("[DataMember]")[1:]:
        attrs = dict(re.findall(r"\[(\w+)(?:\((.*)\))?\]", chunk))
        if "Pos" in attrs:
            attrs["_type"] = re.search(r"public (?:virtual )?(?:List<)?(\w+)", chunk).group(1)  # type: ignore[union-attr]
            out.append(attrs)
    return sorted(out, key=lambda a: int(a["Pos"]))


def _same(element: ElementDef, attrs: dict[str, Any], where: str) -> None:
    assert element.required == ("Required" in attrs), where
    if "DataElement" in attrs:
        ref, typ = re.fullmatch(r'"(\w+)", typeof\((\w+)\)', attrs["DataElement"]).groups()  # type: ignore[union-attr]
        assert element.ref == ref, where
        expected_type = "ID" if typ.startswith("X12_ID_") else typ.removeprefix("X12_")
        assert element.type == expected_type, where
        if expected_type == "ID":
            assert element.code_list.endswith("/" + typ.removeprefix("X12_ID_")), where
    if "StringLength" in attrs:
        lo, hi = (int(x) for x in attrs["StringLength"].split(","))
        assert (element.min_len, element.max_len) == (lo, hi), where


CASES = [
    (version, tag)
    for version in schema.BASE_VERSIONS
    for set_id in schema.SUPPORTED_SETS
    if (loaded := schema.load_set(set_id, version)) is not None
    for tag in sorted(schema._tags(loaded.root))
]


@pytest.mark.parametrize(("version", "tag"), sorted(set(CASES)))
def test_generated_segment_matches_the_source(version: str, tag: str) -> None:
    defn: SegmentDef = schema.segment_dictionary(version)[tag]
    if tag in NOT_IN_SOURCE or tag in OVERRIDDEN[version]:
        assert defn.elements is not None
        return
    segments, composites = _source(version)
    props = _props(segments[tag])
    assert defn.elements is not None
    assert len(defn.elements) == len(props), f"{version} {tag}: element count"
    for i, (element, attrs) in enumerate(zip(defn.elements, props, strict=True), start=1):
        where = f"{version} {tag}{i:02d}"
        assert int(attrs["Pos"]) == i, where
        if "DataElement" in attrs:
            _same(element, attrs, where)
            continue
        # a composite: its components one by one
        assert element.ref == attrs["_type"], where
        assert element.required == ("Required" in attrs), where
        assert element.repeat == int(attrs.get("ListCount") or 1), where
        comps = _props(composites[attrs["_type"]])
        assert len(element.components) == len(comps), where
        for j, (c, cattrs) in enumerate(zip(element.components, comps, strict=True), start=1):
            _same(c, cattrs, f"{where}-{j:02d}")
    notes = {
        (kind, (i, *(int(x) for x in args.split(",") if x.strip())))
        for kind_name, kind in (
            ("Paired", "P"),
            ("RequiredAny", "R"),
            ("Conditional", "C"),
            ("ConditionalAny", "L"),
            ("Exclusion", "E"),
        )
        for i, attrs in enumerate(props, start=1)
        for args in [attrs.get(kind_name)]
        if args is not None
    }
    assert {(n.kind, n.positions) for n in defn.notes} == notes, f"{version} {tag}: notes"


def test_every_map_segment_is_covered() -> None:
    assert len(set(CASES)) > 130
    segments_4010, _ = _source("004010")
    assert "L0" in segments_4010


def test_the_issue_examples() -> None:
    l0 = schema.segment_dictionary("004010")["L0"]
    assert l0.elements is not None and len(l0.elements) == 15
    codes = schema.code_lists()
    for version in schema.BASE_VERSIONS:
        l1 = schema.segment_dictionary(version)["L1"]
        assert l1.elements is not None
        listed = codes[l1.elements[7].code_list]
        assert listed.complete
        for code in [
            "010",
            "275",
            "295",
            "395",
            "690",
            "AAJ",
            "BKA",
            "CDF",
            "EVC",
            "LGD",
            "OAB",
            "REP",
            "RFD",
            "SAC",
            "TAX",
            "TTT",
        ]:
            assert code in listed.codes, (version, code)
    # the UPS 210 L0 that was rejected for "too many data elements"
    result = check(
        "ST*210*0001~B3**INV1**PP**20240101*100**20240101*035*UPSN~"
        "LX*1~L0*3*******1*PCS****5*PKG*Y~L1*1***500****TAX~SE*6*0001~"
    )
    assert result.issues == [], [i.message for i in result.issues]


def test_source_is_recorded() -> None:
    source = schema.dictionary_source()
    assert source["commit"] == "0efa2864b076b8e63773489b1b6c63b8c155402a"
    assert "EdiTemplateResolver" in source["url"]
    raw = json.loads((Path(schema.__file__).parent / "dictionary.json").read_text())
    assert raw["_about"].startswith("GENERATED")
    text = (Path(schema.__file__).parent / "SOURCES.md").read_text()
    assert "0efa2864" in text and "generate.py" in text


def test_generated_dictionary_compiles() -> None:
    v = Validator()
    assert v.compiled("210", "004010") is not None
