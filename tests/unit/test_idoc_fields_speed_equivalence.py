"""The fast IDoc field rules give what the per-character ones gave: the old format_field and
wrap_text are kept here as the reference and compared on arbitrary values, errors included."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from gateway.idoc import (
    DraftSegment,
    IdocBuilder,
    IdocFieldError,
    IdocPartnerConfig,
    control_record,
)
from gateway.idoc.builder import XML_DECLARATION
from gateway.idoc.fields import (
    _BAD_CHARS,
    FieldKind,
    FieldSpec,
    FieldValue,
    Formatted,
    field_text,
    format_field,
    wrap_text,
)
from gateway.idoc.schema import SegmentSpec, load_schema

SEGMENT = "E1TEST"

# ---------------------------------------------------------------------------------------------
# Reference: gateway/idoc/fields.py as it was before the speed-up (one unicodedata lookup per
# character), kept verbatim apart from the names.

_OLD_DIGITS = re.compile(r"[0-9]+")
_OLD_WHITESPACE_CONTROLS = str.maketrans({"\t": " ", "\r": " ", "\n": " "})


def old_format_field(spec: FieldSpec, value: FieldValue, segment: str) -> Formatted | None:
    if value is None:
        return None
    kind = spec.kind
    if kind is FieldKind.DATS:
        return Formatted(_old_dats(value, spec))
    if kind is FieldKind.TIMS:
        return Formatted(_old_tims(value, spec))
    if kind is FieldKind.DEC:
        text = _old_dec(value, spec, segment)
    elif kind is FieldKind.NUMC:
        text = _old_numc(value, spec, segment)
    else:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise TypeError(f"{segment}-{spec.name} takes str, not {type(value).__name__}")
        if kind is FieldKind.TEXT:
            return _old_text(str(value), spec)
        text = _old_clean_code(str(value), spec, segment)
        if not text:
            return None
        if kind is FieldKind.ALPHA and _OLD_DIGITS.fullmatch(text) and len(text) <= spec.length:
            text = text.zfill(spec.length)
    if len(text) > spec.length:
        raise IdocFieldError(
            f"{segment}-{spec.name} holds at most {spec.length} characters, got {len(text)}: "
            f"{text[:40]!r}",
            segment,
            spec.name,
        )
    return Formatted(text)


def old_is_bad_char(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff"


def _old_clean_code(value: str, spec: FieldSpec, segment: str) -> str:
    text = value.strip()
    if any(old_is_bad_char(ch) for ch in text):
        raise IdocFieldError(
            f"{segment}-{spec.name} contains a control character: {text[:40]!r}",
            segment,
            spec.name,
        )
    return text


def _old_text(value: str, spec: FieldSpec) -> Formatted | None:
    text = value.translate(_OLD_WHITESPACE_CONTROLS)
    text = "".join(" " if old_is_bad_char(ch) else ch for ch in text)
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > spec.length:
        return Formatted(text[: spec.length].rstrip(), truncated=True)
    return Formatted(text)


def _old_numc(value: FieldValue, spec: FieldSpec, segment: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{segment}-{spec.name} takes int or digits, not {type(value).__name__}")
    text = str(value).strip()
    if not _OLD_DIGITS.fullmatch(text):
        raise IdocFieldError(
            f"{segment}-{spec.name} takes digits only, got {text[:40]!r}", segment, spec.name
        )
    return text.zfill(spec.length)


def _old_dec(value: FieldValue, spec: FieldSpec, segment: str) -> str:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{segment}-{spec.name} takes Decimal or int, not {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise IdocFieldError(
            f"{segment}-{spec.name} must be a finite number, got {number}", segment, spec.name
        )
    if number == 0:
        number = abs(number)
    return format(number, "f")


def _old_dats(value: FieldValue, spec: FieldSpec) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{spec.name} takes datetime.date, not {type(value).__name__}")
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _old_tims(value: FieldValue, spec: FieldSpec) -> str:
    if not isinstance(value, dt.time):
        raise TypeError(f"{spec.name} takes datetime.time, not {type(value).__name__}")
    return f"{value.hour:02d}{value.minute:02d}{value.second:02d}"


def old_wrap_text(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


# ---------------------------------------------------------------------------------------------


def _outcome(formatter: Callable[..., object], *args: object) -> tuple[object, ...]:
    """What a call gives back or raises, in a form two implementations can be compared by."""
    try:
        return ("returned", formatter(*args))
    except IdocFieldError as exc:
        return ("IdocFieldError", str(exc), exc.segment, exc.field)
    except Exception as exc:  # any other exception must match too
        return (type(exc).__name__, str(exc))


def _field_text_as_formatted(spec: FieldSpec, value: FieldValue, segment: str) -> object:
    """field_text (what the builder calls) in format_field's shape, to compare with the old."""
    result = field_text(spec, value, segment)
    return None if result is None else Formatted(*result)


NEW_FORMATTERS = [
    pytest.param(format_field, id="format_field"),
    pytest.param(_field_text_as_formatted, id="field_text"),
]


class _Str(str):
    """A str subclass: accepted like str by isinstance, but not `type(value) is str`."""


# Characters at the edges of what is refused or blanked, so they show up often, not by luck:
# C0/C1 controls, Unicode whitespace that is not a control, format characters, the
# non-characters XML forbids, both kinds of lone surrogate, digits and number punctuation.
_EDGE_CHARS = (
    "\x00\x07\t\n\x0b\x0c\r\x1c\x1f \x7f\x80\x85\x9f\xa0\xad\u1680\u2000\u200b\u2028\u2029"
    "\u202f\u3000\ufeff\ufffd\ufffe\uffff\ud800\udbff\udc00\udfff0123456789-+.eE"
)
_CHARS = st.one_of(
    st.characters(exclude_categories=()),  # every code point, lone surrogates included
    st.sampled_from(_EDGE_CHARS),
)
UNICODE_TEXT = st.text(_CHARS, max_size=80)
LENGTHS = st.integers(min_value=0, max_value=25)
ANY_VALUE: st.SearchStrategy[object] = st.one_of(
    UNICODE_TEXT,
    UNICODE_TEXT.map(_Str),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.none(),
    st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False),
    st.sampled_from(
        [Decimal("NaN"), Decimal("-Infinity"), Decimal("-0.00"), Decimal("1E+3"), Decimal("-0")]
    ),
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.binary(max_size=5),
)


def test_bad_character_class_equals_the_unicodedata_rule_for_every_code_point() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    by_regex = set(_BAD_CHARS.findall(every))
    by_category = {ch for ch in every if old_is_bad_char(ch)}
    assert by_regex == by_category
    assert len(by_regex) == 65 + 2048 + 2  # Cc, Cs, U+FFFE/U+FFFF
    # the fast path skips the regex for printable text, so no refused character may be printable
    assert not any(ch.isprintable() for ch in by_regex)


@pytest.mark.parametrize("new", NEW_FORMATTERS)
@pytest.mark.parametrize("kind", list(FieldKind))
@settings(max_examples=300, deadline=None)
@given(text=UNICODE_TEXT, length=LENGTHS)
def test_unicode_strings_format_as_before(
    new: Callable[..., object], kind: FieldKind, text: str, length: int
) -> None:
    spec = FieldSpec("F", kind, length)
    assert _outcome(new, spec, text, SEGMENT) == _outcome(old_format_field, spec, text, SEGMENT)


@pytest.mark.parametrize("new", NEW_FORMATTERS)
@pytest.mark.parametrize("kind", list(FieldKind))
@settings(max_examples=200, deadline=None)
@given(value=ANY_VALUE, length=LENGTHS)
def test_any_value_formats_or_fails_as_before(
    new: Callable[..., object], kind: FieldKind, value: object, length: int
) -> None:
    spec = FieldSpec("F", kind, length)
    assert _outcome(new, spec, value, SEGMENT) == _outcome(old_format_field, spec, value, SEGMENT)


@pytest.mark.parametrize(
    ("kind", "length", "value", "outcome"),
    [
        (FieldKind.CHAR, 4, " AB ", ("returned", Formatted("AB"))),
        (FieldKind.CHAR, 4, "A\x85B", ("IdocFieldError", "contains a control character")),
        (FieldKind.CHAR, 4, "A\udc00", ("IdocFieldError", "contains a control character")),
        (FieldKind.CHAR, 4, "A\uffff", ("IdocFieldError", "contains a control character")),
        (FieldKind.CHAR, 4, "A\u200bB", ("returned", Formatted("A\u200bB"))),  # Cf is kept
        (FieldKind.CHAR, 2, "ABC", ("IdocFieldError", "holds at most 2 characters, got 3")),
        (FieldKind.CODE, 3, "\t\n", ("returned", None)),  # stripped to nothing: omitted
        (FieldKind.ALPHA, 6, _Str("42"), ("returned", Formatted("000042"))),
        (FieldKind.TEXT, 9, "a\x00b\ud800c\ufffe d", ("returned", Formatted("a b c d"))),
        (FieldKind.TEXT, 5, "abcd efgh", ("returned", Formatted("abcd", truncated=True))),
        (FieldKind.TEXT, 5, "\x1c\x9f\u3000", ("returned", None)),
    ],
)
def test_known_values(
    kind: FieldKind, length: int, value: str, outcome: tuple[object, ...]
) -> None:
    got = _outcome(format_field, FieldSpec("F", kind, length), value, SEGMENT)
    assert got == _outcome(old_format_field, FieldSpec("F", kind, length), value, SEGMENT)
    if outcome[0] == "IdocFieldError":
        assert got[0] == "IdocFieldError" and str(outcome[1]) in str(got[1])
    else:
        assert got == outcome


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(
        UNICODE_TEXT, st.lists(st.sampled_from(["ab", "cdefgh", " ", "\n"])).map("".join)
    ),
    width=st.integers(min_value=1, max_value=30),
)
def test_wrap_text_wraps_as_before(text: str, width: int) -> None:
    assert wrap_text(text, width) == old_wrap_text(text, width)


PROFILE = IdocPartnerConfig(
    sndpor="GATEWAY",
    sndprt="LS",
    sndprn="EDIGW",
    rcvpor="SAPPRD",
    rcvprt="LS",
    rcvprn="PRDCLNT100",
    mandt="100",
)
CREATED = dt.datetime(2024, 3, 5, 14, 7, 9, tzinfo=dt.UTC)
# children of E1EDT20 in SHPMNT05.xsd order, each with the fields it needs to be added
_HEADER_CHILDREN: dict[str, dict[str, FieldValue]] = {
    "E1EDT18": {"QUALF": "CHA"},
    "E1ADRM4": {"PARTNER_Q": "SP"},
    "E1EDT10": {"QUALF": "005"},
    "E1TXTH6": {"TDID": "0001"},
    "E1EDL20": {"VBELN": "80001"},
}


@settings(max_examples=200, deadline=None)
@given(order=st.lists(st.sampled_from(sorted(_HEADER_CHILDREN)), max_size=12))
def test_builder_places_segments_in_schema_order_whatever_the_adding_order(
    order: list[str],
) -> None:
    control = control_record(PROFILE, idoctyp="SHPMNT05", mestyp="SHPMNT", created=CREATED)
    builder = IdocBuilder("SHPMNT05", control)
    header = builder.add(builder.idoc, "E1EDT20", {"TKNUM": "1"})
    added = [builder.add(header, name, _HEADER_CHILDREN[name]) for name in order]
    # The scan from the first child that the builder used to do inserts before the first
    # segment ranked later, which is a stable sort by schema rank of the adding order.
    rank = list(_HEADER_CHILDREN).index
    expected = sorted(added, key=lambda segment: rank(str(segment.tag)))
    order_by_rank = sorted(order, key=rank)
    assert [id(s) for s in header.children] == [id(s) for s in expected]
    assert header.fields == [("TKNUM", "0000000001")]
    # and the IDoc, with its segments in that order, passes the XSD
    rendered = etree.fromstring(builder.finish().data)
    assert [c.tag for c in rendered.iterfind("IDOC/E1EDT20/*")] == ["TKNUM", *order_by_rank]


# ---------------------------------------------------------------------------------------------
# IdocBuilder._format (the fields given, in XSD order) against _format_all (every field of the
# segment, the way it always worked): same texts, same truncations, same error.

_SEGMENTS = [
    (idoctyp, spec)
    for idoctyp in ("SHPMNT05", "INVOIC02")
    for spec in load_schema(idoctyp).segments.values()
    if spec.fields
]
_VALUES: st.SearchStrategy[FieldValue] = st.one_of(
    st.none(),
    st.text(max_size=50),
    st.text(alphabet="0123456789 ", max_size=14),
    st.integers(min_value=-5, max_value=10**12),
    st.dates(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=10**9, min_value=-1),
    st.booleans(),
)


def _formatted(
    builder: IdocBuilder, how: str, spec: SegmentSpec, fields: dict[str, FieldValue]
) -> object:
    before = list(builder._truncated)
    try:
        result: object = getattr(builder, how)(spec, fields)
    except Exception as exc:
        result = (type(exc).__name__, str(exc))
    added = builder._truncated[len(before) :]
    del builder._truncated[len(before) :]
    return result, added


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_builder_format_of_the_given_fields_equals_the_full_walk(data: st.DataObject) -> None:
    idoctyp, spec = data.draw(st.sampled_from(_SEGMENTS))
    names = data.draw(st.lists(st.sampled_from(sorted(spec.fields)), max_size=8, unique=True))
    if data.draw(st.booleans()):  # the required ones, so that most draws get past them
        names = list(dict.fromkeys([*spec.required, *names]))
    fields = {name: data.draw(_VALUES) for name in names}
    if data.draw(st.integers(0, 20)) == 0:
        fields["NOT_A_FIELD"] = "x"
    control = control_record(PROFILE, idoctyp=idoctyp, mestyp="X", created=CREATED)
    builder = IdocBuilder(idoctyp, control)
    assert _formatted(builder, "_format", spec, fields) == _formatted(
        builder, "_format_all", spec, fields
    )


# ---------------------------------------------------------------------------------------------
# IdocBuilder.text (segments written as text) against lxml's pretty-printed serialisation of the
# same tree, the way the builder wrote IDocs before: the same bytes for any XML-legal text.

_XML_TEXT = st.text(
    st.characters(
        blacklist_categories=["Cs"],
        blacklist_characters=[chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
        + ["\ufffe", "\uffff"],
    ),
    min_size=1,
    max_size=20,
)
_Tree = tuple[list[str], list[Any]]
_TREE: st.SearchStrategy[_Tree] = st.recursive(
    st.builds(lambda fields: (fields, []), st.lists(_XML_TEXT, max_size=3)),
    lambda children: st.builds(
        lambda fields, kids: (fields, kids), st.lists(_XML_TEXT, max_size=3), st.lists(children)
    ),
    max_leaves=8,
)


def _draft(tree: _Tree, depth: int = 0) -> DraftSegment:
    fields, children = tree
    return DraftSegment(
        f"S{depth}",
        [(f"F{i}", text) for i, text in enumerate(fields)],
        [_draft(child, depth + 1) for child in children],
    )


def _lxml_text(root_name: str, segments: list[DraftSegment]) -> bytes:
    root = etree.Element(root_name)
    idoc = etree.SubElement(root, "IDOC", BEGIN="1")

    def build(parent: etree._Element, segment: DraftSegment) -> None:
        element = etree.SubElement(parent, segment.tag, SEGMENT="1")
        for name, text in segment.fields:
            etree.SubElement(element, name).text = text
        for child in segment.children:
            build(element, child)

    for segment in segments:
        build(idoc, segment)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


@settings(max_examples=300, deadline=None)
@given(trees=st.lists(_TREE, min_size=1, max_size=3), root_name=st.sampled_from(["SHPMNT05", "Z1"]))
def test_builder_text_is_what_lxml_writes_for_the_same_tree(
    trees: list[_Tree], root_name: str
) -> None:
    control = control_record(PROFILE, idoctyp="SHPMNT05", mestyp="SHPMNT", created=CREATED)
    builder = IdocBuilder("SHPMNT05", control, root_name=root_name)
    builder.idoc.children.extend(_draft(tree) for tree in trees)
    assert builder.text() == _lxml_text(root_name, builder.idoc.children)
