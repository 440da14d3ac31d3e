"""The raw X12 of a message as numbered segments, with each finding placed on its segment.

A finding (a stored set issue) names its set by the group and set control numbers and its
segment by the position inside the set (ST = 1); this walks the raw bytes, tracks the same
positions and attaches every finding to the segment and element it points at. Only the first
`max_segments` segments are laid out: a 1 GB interchange must not become a 1 GB page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.console.explain import Explanation, explain

MAX_SEGMENTS = 2000
MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Finding:
    level: str
    severity: str
    code: str
    message: str
    segment: str
    position: int
    element: int
    value: str
    explanation: Explanation | None

    @classmethod
    def of(cls, issue: Mapping[str, Any]) -> Finding:
        level = str(issue.get("level") or "")
        code = str(issue.get("code") or "")
        return cls(
            level=level,
            severity=str(issue.get("severity") or "error"),
            code=code,
            message=str(issue.get("message") or ""),
            segment=str(issue.get("segment") or ""),
            position=int(issue.get("position") or 0),
            element=int(issue.get("element") or 0),
            value=str(issue.get("value") or ""),
            explanation=explain(level, code),
        )


@dataclass(slots=True)
class Line:
    number: int  # 1-based ordinal in the file
    set_position: int | None  # position inside its ST..SE (ST = 1), None outside a set
    segment_id: str
    elements: list[str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def bad_elements(self) -> set[int]:
        return {f.element for f in self.findings if f.element}


@dataclass(frozen=True, slots=True)
class Layout:
    lines: list[Line]
    element_separator: str
    truncated: bool
    unplaced: list[Finding]  # findings whose segment was not in the laid-out part


SetKey = tuple[str, str]  # (GS06, ST02)


def layout(
    data: bytes,
    findings: Mapping[SetKey, Sequence[Mapping[str, Any]]],
    *,
    max_segments: int = MAX_SEGMENTS,
) -> Layout:
    """Numbered segments of `data` with `findings` (by set) attached where they point."""
    text = data[:MAX_BYTES].decode("latin-1")
    wanted: dict[SetKey, list[Finding]] = {
        k: [Finding.of(i) for i in v] for k, v in findings.items()
    }
    lines: list[Line] = []
    sep, term = "*", "~"
    gs06 = ""
    set_key: SetKey | None = None
    position = 0
    i = 0
    truncated = len(data) > MAX_BYTES
    while i < len(text):
        while i < len(text) and text[i] in "\r\n \t":
            i += 1
        if i >= len(text):
            break
        if text.startswith("ISA", i) and len(text) >= i + 106:
            sep, term = text[i + 3], text[i + 105]
        end = text.find(term, i)
        raw = text[i:] if end < 0 else text[i:end]
        i = len(text) if end < 0 else end + 1
        elements = raw.split(sep)
        seg_id = elements[0].strip()
        if seg_id == "GS" and len(elements) > 6:
            gs06 = elements[6].strip()
        if seg_id == "ST":
            set_key = (gs06, elements[2].strip() if len(elements) > 2 else "")
            position = 0
        pos: int | None = None
        if set_key is not None:
            position += 1
            pos = position
        line = Line(len(lines) + 1, pos, seg_id, elements[1:])
        if set_key is not None and set_key in wanted:
            keep = []
            for f in wanted[set_key]:
                if f.position == pos or (f.position == 0 and seg_id == "ST"):
                    line.findings.append(f)
                else:
                    keep.append(f)
            wanted[set_key] = keep
        if seg_id == "SE":
            set_key = None
        lines.append(line)
        if len(lines) >= max_segments:
            truncated = truncated or i < len(text)
            break
    unplaced = [f for rest in wanted.values() for f in rest]
    return Layout(lines, sep, truncated, unplaced)
