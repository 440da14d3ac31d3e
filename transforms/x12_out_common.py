"""Shared by the 204/990 mappings (both ways) and the outbound 214: partner code maps applied on
the way in and reversed on the way out, outbound value formatting (R, N2, dates, lengths, dates
with times), segment rows and the ST..SE frame with its computed SE01."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from gateway.canonical import (
    Contact,
    DateTimeValue,
    Location,
    MappingWarning,
    Party,
    PaymentMethod,
    Purpose,
    Reference,
    ReferenceKind,
    StopKind,
    TenderAction,
    Volume,
    WarningCode,
    Weight,
)
from gateway.x12 import schema
from gateway.x12.model import Segment
from transforms import codes
from transforms.x12_common import WarningSink, text

Row = list[str]
CodeMaps = Mapping[str, Mapping[str, str]]

# Categories of a partner profile's `code_maps` these mappings read. Values are canonical enum
# values (e.g. stop_reason {"XL": "pickup"}), except equipment_type, which maps the partner's
# code to the standard element 40 code the gateway keeps (e.g. {"53": "TL"}).
AT7_STATUS = "at7_status"
REFERENCE_QUALIFIER = "reference_qualifier"
STOP_REASON = "stop_reason"
EQUIPMENT_TYPE = "equipment_type"
TENDER_ACTION = "tender_action"
PAYMENT_METHOD = "payment_method"
PURPOSE = "purpose"

E = TypeVar("E", bound=StrEnum)


class UnrepresentableError(ValueError):
    """The canonical document holds (or lacks) something the X12 standard cannot carry in this
    segment: a mandatory element with no value, a required syntax note with none of its elements,
    a value longer or shorter than its element allows. Nothing is written (a ValueError, so the
    pipeline reports it like any refused document)."""


def base_version(version: str) -> str:
    """The base layout, 004010 or 005010, of a GS08 version (004010VICS, 004030, 005010X231A1)."""
    head = version.strip()[:6]
    if head.startswith("0040"):
        return "004010"
    if head.startswith("0050"):
        return "005010"
    raise ValueError(f"unsupported X12 version {version!r}: expected 0040xx or 0050xx")


def row(tag: str, *elements: str | None) -> Row:
    """A segment as [tag, element 1, ...]: None is an empty element; trailing empties dropped."""
    values = [tag, *("" if e is None else e for e in elements)]
    while len(values) > 1 and not values[-1]:
        values.pop()
    return values


def frame(set_id: str, control_number: str, body: Sequence[Row], reference: str = "") -> list[Row]:
    """ST + body + SE, with SE01 counted (ST and SE included) and SE02 = ST02."""
    if not 4 <= len(control_number) <= 9 or control_number.strip() != control_number:
        raise ValueError(f"ST02 {control_number!r} must be 4 to 9 characters")
    rows = [row("ST", set_id, control_number, reference), *body]
    rows.append(row("SE", str(len(rows) + 1), control_number))
    return rows


def fmt_r(value: Decimal | None) -> str | None:
    """An R value as written by the sender's Decimal: "5472.0" stays "5472.0", no exponent."""
    if value is None:
        return None
    return format(value, "f")


def fmt_n2(value: Decimal | None, min_len: int = 1) -> str | None:
    """N2 (two implied decimals): 557.21 -> "55721", -3017.91 -> "-301791"; zero-padded to the
    element's minimum length (L3-14 is N2 2/12: 0 -> "00")."""
    if value is None:
        return None
    cents = int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    digits = str(abs(cents)).zfill(min_len)
    return f"-{digits}" if cents < 0 else digits


def fmt_int(value: int | Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def fmt_date(value: dt.date | None) -> str | None:
    return value.strftime("%Y%m%d") if value is not None else None


def fmt_length(value: Decimal | None) -> str | None:
    """Element 567 equipment length in feet and inches, FFII: 53 -> "5300", 48.5 -> "4806"."""
    if value is None:
        return None
    feet = int(value)
    inches = int(((value - feet) * 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if inches == 12:
        feet, inches = feet + 1, 0
    return f"{feet:02d}{inches:02d}"


# G62-03 time qualifier (element 176) for a G62-01 date qualifier (element 432) when a time is
# sent without one (syntax note P0304: a time needs its qualifier). The pairs are those of the
# public 204 samples (tests/data/samples: lynnco and indice G62*37..*I, 38 K, 53 G, 54 L; fedex
# and stupidedi G62*64..*1) and of the element 176 meanings (I Ship Not Before Time, K Ship Not
# Later Than Time, G Deliver Not Before Time, L Deliver Not Later Than Time, 1 Must Respond By).
# For any other date qualifier the time is not sent (reported): no meaning is invented.
TIME_QUALIFIER_FOR_DATE = {"37": "I", "38": "K", "53": "G", "54": "L", "64": "1"}


def time_code_for(instant: dt.datetime) -> str:
    """The element 623 code of an aware instant's offset: UT, or 01-24 for whole hours."""
    offset = instant.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if minutes == 0:
        return "UT"
    hours, rest = divmod(minutes, 60)
    if rest or not -12 <= hours <= 12:
        return ""  # not expressible as a code: the caller writes the instant in UTC
    return f"{hours:02d}" if hours > 0 else f"{25 + hours:02d}"


def date_time_elements(value: DateTimeValue) -> tuple[str, str | None, str | None] | None:
    """(date, time, time code) for a G62-like segment, or None when there is no date to write.

    The raw values received win (they round-trip exactly); a value built from an instant only
    (a TMS or ERP document) is written in the instant's own offset.
    """
    if value.date is not None and (value.time is not None or value.instant is None):
        return fmt_date(value.date) or "", value.time, value.time_code
    if value.instant is None:
        return None
    instant = value.instant
    code = time_code_for(instant)
    if not code:
        instant, code = instant.astimezone(dt.UTC), "UT"
    return instant.strftime("%Y%m%d"), instant.strftime("%H%M"), code


def out_warning(
    sink: WarningSink, code: WarningCode, message: str, tag: str, element: int = 0, value: str = ""
) -> None:
    """A warning about an outbound segment (no input segment, so no segment index)."""
    sink.items.append(
        MappingWarning(code=code, message=message, segment_id=tag, element=element, value=value)
    )


def deliver(sink: WarningSink, warnings: list[MappingWarning] | None) -> None:
    if warnings is not None:
        warnings.extend(sink.items)


def partner_map(maps: CodeMaps | None, category: str) -> dict[str, str]:
    """One category of a partner's code maps, keys upper-cased and stripped."""
    if not maps:
        return {}
    return {k.strip().upper(): v for k, v in (maps.get(category) or {}).items()}


@dataclass(frozen=True, slots=True)
class CodeTable(Generic[E]):
    """A code list with a canonical enum: the standard table, overridden by a partner's map.

    In: a partner code wins over the standard one; a map value that is not a member of the enum
    is reported and the standard table applies; an unknown code maps to `other`, is kept raw by
    the caller and is reported. Out: the partner's code for the kind wins (the raw code when it
    is one of them), then the raw code when it means the same kind, then the standard code.
    """

    category: str
    standard: Mapping[str, E]
    other: E

    def _values(self) -> frozenset[str]:
        return frozenset(m.value for m in type(self.other))

    def classify(
        self,
        raw: str | None,
        maps: CodeMaps | None,
        sink: WarningSink,
        segment: Segment | None,
        element: int,
    ) -> E:
        code = (raw or "").strip().upper()
        if not code:
            return self.other
        partner = partner_map(maps, self.category)
        if code in partner:
            value = partner[code].strip().lower()
            if value in self._values():
                return type(self.other)(value)
            sink.add(
                WarningCode.INVALID_PROFILE_MAPPING,
                f"partner {self.category} map gives {partner[code]!r} for {code!r}, "
                f"which is not a canonical {type(self.other).__name__}",
                segment,
                element,
                code,
            )
        kind = self.standard.get(code)
        if kind is None:
            sink.add(
                WarningCode.UNMAPPED_CODE,
                f"{self.category} code {code!r} has no canonical meaning; kept raw",
                segment,
                element,
                code,
            )
            return self.other
        return kind

    def _meaning(self, code: str, partner: Mapping[str, str]) -> E | None:
        value = partner.get(code, "").strip().lower()
        if value in self._values():
            return type(self.other)(value)
        return self.standard.get(code)

    def code_for(
        self, kind: E, raw: str | None, maps: CodeMaps | None, sink: WarningSink, tag: str, n: int
    ) -> str:
        """The code to send for `kind` (raw as received when it still means `kind`)."""
        code = (raw or "").strip()
        partner = partner_map(maps, self.category)
        partner_codes = [c for c, v in partner.items() if v.strip().lower() == kind.value]
        if partner_codes:
            return code if code.upper() in partner_codes else partner_codes[0]
        if code and (kind is self.other or self._meaning(code.upper(), partner) is kind):
            if kind is self.other and self._meaning(code.upper(), partner) is None:
                out_warning(
                    sink,
                    WarningCode.UNMAPPED_CODE,
                    f"{self.category} code {code!r} has no canonical meaning; sent raw",
                    tag,
                    n,
                    code,
                )
            return code
        standard = [c for c, v in self.standard.items() if v is kind]
        if standard:
            return standard[0]
        if code:
            out_warning(
                sink,
                WarningCode.UNMAPPED_CODE,
                f"no standard {self.category} code means {kind.value!r}; {code!r} sent raw",
                tag,
                n,
                code,
            )
            return code
        out_warning(
            sink,
            WarningCode.MISSING_VALUE,
            f"no {self.category} code for {kind.value!r}",
            tag,
            n,
        )
        return ""


def translate_in(raw: str | None, maps: CodeMaps | None, category: str) -> str | None:
    """A code-to-code map (equipment types): the partner's code -> the code the gateway keeps."""
    if raw is None:
        return None
    return partner_map(maps, category).get(raw.strip().upper(), raw)


def translate_out(code: str | None, maps: CodeMaps | None, category: str) -> str | None:
    """The reverse of `translate_in`: the gateway's code -> the partner's (first match)."""
    if code is None:
        return None
    for partner_code, value in partner_map(maps, category).items():
        if value.strip().upper() == code.strip().upper():
            return partner_code
    return code


def unknown_translation(raw: str | None, maps: CodeMaps | None, category: str) -> bool:
    """True when the partner declared this category and `raw` is neither its code nor its value."""
    partner = partner_map(maps, category)
    if not partner or raw is None:
        return False
    code = raw.strip().upper()
    return code not in partner and code not in {v.strip().upper() for v in partner.values()}


def pack_pairs(values: Iterable[str]) -> list[tuple[str, str | None]]:
    """Free-form texts two per segment (K1-01/02): [a, b, c] -> [(a, b), (c, None)]."""
    items = list(values)
    return [
        (items[i], items[i + 1] if i + 1 < len(items) else None) for i in range(0, len(items), 2)
    ]


# Code tables shared by the 204, 990 and outbound 214 mappings.
REFERENCES: CodeTable[ReferenceKind] = CodeTable(
    REFERENCE_QUALIFIER, codes.REFERENCE_KINDS, ReferenceKind.OTHER
)
STOP_REASONS: CodeTable[StopKind] = CodeTable(STOP_REASON, codes.STOP_KINDS, StopKind.OTHER)
PAYMENT_METHODS: CodeTable[PaymentMethod] = CodeTable(
    PAYMENT_METHOD, codes.PAYMENT_METHODS, PaymentMethod.OTHER
)
PURPOSES: CodeTable[Purpose] = CodeTable(PURPOSE, codes.PURPOSES, Purpose.OTHER)
TENDER_ACTIONS: CodeTable[TenderAction] = CodeTable(
    TENDER_ACTION, codes.TENDER_ACTIONS, TenderAction.OTHER
)


def reference_in(
    segment: Segment,
    *,
    value: int,
    qualifier: int,
    description: int,
    maps: CodeMaps | None,
    sink: WarningSink,
) -> Reference | None:
    """L11 (value 1, qualifier 2, description 3) or N9 (2, 1, 3) with the partner's qualifiers.

    Like `x12_common.reference_from_l11`, a blank value is reported and not kept.
    """
    ref_value = text(segment, value)
    raw = text(segment, qualifier) or ""
    if ref_value is None:
        sink.add(
            WarningCode.MISSING_VALUE,
            f"{segment.tag} with qualifier {raw!r} has no value",
            segment,
            value,
        )
        return None
    return Reference(
        qualifier=raw,
        kind=REFERENCES.classify(raw, maps, sink, segment, qualifier),
        value=ref_value,
        description=text(segment, description),
    )


def reference_row(tag: str, ref: Reference, maps: CodeMaps | None, sink: WarningSink) -> Row:
    """L11 (value, qualifier, description) or N9 (qualifier, value, description)."""
    code = REFERENCES.code_for(ref.kind, ref.qualifier, maps, sink, tag, 2 if tag == "L11" else 1)
    if tag == "N9":
        return row("N9", code, ref.value, ref.description)
    return row("L11", ref.value, code, ref.description)


def date_qualifier(value: DateTimeValue) -> str:
    if value.qualifier:
        return value.qualifier
    for code, kind in codes.DATE_KINDS.items():
        if kind is value.kind:
            return code
    return ""


def g62_row(value: DateTimeValue, sink: WarningSink, qualifier: str | None = None) -> Row | None:
    """G62 (01 qualifier, 02 date, 03 time qualifier, 04 time, 05 time code), or None (and a
    warning) when the value has no date: G62-02 may not be empty when G62-01 is sent."""
    parts = date_time_elements(value)
    code = qualifier or date_qualifier(value)
    if parts is None:
        out_warning(
            sink, WarningCode.MISSING_VALUE, f"G62 {code!r} has no date; not sent", "G62", 2
        )
        return None
    if code and len(code) != 2:
        # element 432 is ID 2/2: a foreign qualifier (an ERP's "005") gives way to the standard
        # code of the date's kind
        standard = date_qualifier(value.model_copy(update={"qualifier": None}))
        out_warning(
            sink,
            WarningCode.UNMAPPED_CODE,
            f"G62-01 {code!r} is not an X12 date qualifier; "
            + (f"sent as {standard!r} ({value.kind.value})" if standard else "G62 not sent"),
            "G62",
            1,
            code,
        )
        code = standard
    if not code:
        out_warning(sink, WarningCode.MISSING_VALUE, "G62 has no date qualifier; not sent", "G62")
        return None
    date, time, time_code = parts
    time_qualifier = value.time_qualifier
    if time and not time_qualifier:
        time_qualifier = TIME_QUALIFIER_FOR_DATE.get(code)
        if time_qualifier is None:
            out_warning(
                sink,
                WarningCode.MISSING_VALUE,
                f"G62 {code!r}: time {time} has no time qualifier (G62-03, syntax note P0304);"
                " time not sent",
                "G62",
                4,
                time,
            )
            time = time_code = None
    elif time_qualifier and not time:
        out_warning(
            sink,
            WarningCode.MISSING_VALUE,
            f"G62 {code!r}: time qualifier {time_qualifier!r} without a time (syntax note P0304);"
            " not sent",
            "G62",
            3,
            time_qualifier,
        )
        time_qualifier = None
    if time_code and not time:
        time_code = None  # element 623 says in which zone a time is; alone it says nothing
    return row("G62", code, date, time_qualifier, time, time_code)


def contact_row(contact: Contact, sink: WarningSink, function: str = "") -> Row:
    """G61: 01 function, 02 name, 03 qualifier (TE, EM, FX), 04 number."""
    qualifier, number = "", None
    for code, value in (("TE", contact.phone), ("EM", contact.email), ("FX", contact.fax)):
        if value:
            if number is None:
                qualifier, number = code, value
            else:
                out_warning(
                    sink,
                    WarningCode.IGNORED_SEGMENT,
                    f"G61 carries one number; {code} {value!r} not sent",
                    "G61",
                    4,
                    value,
                )
    return row("G61", contact.function_code or function, contact.name, qualifier, number)


def location_row(location: Location) -> Row | None:
    """N4: 01 city, 02 state, 03 postal code, 04 country, 05 location qualifier, 06 location id."""
    values = (
        location.city,
        location.state,
        location.postal_code,
        location.country,
        location.location_qualifier,
        location.location_code,
    )
    return row("N4", *values) if any(values) else None


def party_rows(
    party: Party,
    *,
    layout: Mapping[str, int],
    maps: CodeMaps | None,
    sink: WarningSink,
) -> list[Row]:
    """One N1 loop. `layout` maps each member tag the loop allows (in order) to its max use;
    what the loop cannot hold is reported, not sent."""
    entity = party.entity_code or next(
        (c for c, r in codes.PARTY_ROLES.items() if r is party.role), ""
    )
    ident = party.identifiers[0] if party.identifiers else None
    rows = [
        row(
            "N1",
            entity,
            party.name,
            ident.qualifier if ident else None,
            ident.value if ident else None,
        )
    ]
    for extra in party.identifiers[1:]:
        out_warning(
            sink, WarningCode.IGNORED_SEGMENT, "N1 carries one identifier", "N1", 4, extra.value
        )
    members: dict[str, list[Row]] = {
        "N2": [row("N2", a, b) for a, b in pack_pairs(party.additional_names)],
        "N3": [],
        "N4": [],
        "G61": [contact_row(c, sink) for c in party.contacts],
        "L11": [reference_row("L11", r, maps, sink) for r in party.references],
        "G62": [],
    }
    if party.location is not None:
        members["N3"] = [row("N3", a, b) for a, b in pack_pairs(party.location.address_lines)]
        n4 = location_row(party.location)
        members["N4"] = [n4] if n4 is not None else []
    for value in party.dates:
        g62 = g62_row(value, sink)
        if g62 is not None:
            members["G62"].append(g62)
    for tag in members:
        if tag not in layout and members[tag]:
            out_warning(
                sink,
                WarningCode.IGNORED_SEGMENT,
                f"this N1 loop has no {tag}; {len(members[tag])} not sent",
                tag,
            )
    for tag, max_use in layout.items():
        found = members.get(tag, [])
        if len(found) > max_use:
            out_warning(
                sink,
                WarningCode.IGNORED_SEGMENT,
                f"this N1 loop allows {max_use} {tag}; {len(found) - max_use} not sent",
                tag,
            )
        rows.extend(found[:max_use])
    return rows


def weight_unit_code(weight: Weight) -> str | None:
    """Element 188: the raw code when it is one (X12 sources), else the unit's code (an ERP's
    ISO "KGM" is sent as K), else the raw value (reported by `conform` if it cannot be one)."""
    if weight.unit_code in codes.WEIGHT_UNITS:
        return weight.unit_code
    found = next((c for c, u in codes.WEIGHT_UNITS.items() if u is weight.unit), None)
    return found or weight.unit_code


def volume_unit_code(volume: Volume) -> str | None:
    """Element 184, as `weight_unit_code`."""
    if volume.unit_code in codes.VOLUME_UNITS:
        return volume.unit_code
    found = next((c for c, u in codes.VOLUME_UNITS.items() if u is volume.unit), None)
    return found or volume.unit_code


# ---------------------------------------------------------------------------------------------
# Conformance of outbound rows to the generated X12 dictionary (gateway/x12/schema)

_NOTE_TEXT = {
    "P": "all or none of",
    "C": "if the first, all of",
    "L": "if the first, one of",
    "E": "at most one of",
}


def _length(kind: str, value: str) -> int:
    """An element's length as X12 counts it: numbers count digits only (no sign, no point)."""
    if kind == "AN" or kind == "ID" or kind in ("DT", "TM"):
        return len(value)
    return sum(c.isdigit() for c in value)


# Elements the dictionary types AN that are codes all the same: 103 Packaging Code is a packaging
# form (3) plus a material (2), so an ERP's unit "EA" in it is a wrong code, not a long text
_CODES_TYPED_AN = frozenset({"103"})


def conform(r: Row, version: str, sink: WarningSink) -> Row:
    """`r` as the version's dictionary allows it, or UnrepresentableError.

    An optional code (ID element) of a length its element cannot have is not sent (reported).
    Syntax notes: an element a P (paired), C (conditional), L (list conditional) or E
    (exclusion) note forbids without its partners is not sent, and reported naming the element
    and the note; a note broken that way is repaired by blanking, never by inventing a value.
    What blanking cannot repair is an error: a mandatory element with no value, an R (required)
    note with none of its elements, a value longer or shorter than its element allows (no silent
    truncation of an identifier or a number).
    """
    defn = schema.segment_dictionary(version).get(r[0])
    if defn is None or defn.elements is None:
        return r
    tag, elements = r[0], defn.elements
    values = list(r[1:]) + [""] * max(0, len(elements) - len(r) + 1)

    def has(p: int) -> bool:
        return p <= len(values) and values[p - 1] != ""

    for p, element in enumerate(elements, start=1):
        # an optional code that cannot be one of its element (an ERP's "0001" in NTE-01, ID
        # 3/3) is not sent, and reported; the segment's data still goes
        value = values[p - 1] if p <= len(values) else ""
        if (
            value
            and (element.type == "ID" or element.ref in _CODES_TYPED_AN)
            and not element.required
            and not element.min_len <= len(value) <= element.max_len
        ):
            out_warning(
                sink,
                WarningCode.UNMAPPED_CODE,
                f"{tag}-{p:02d} {value!r} is not a code of element {element.ref}"
                f" ({element.min_len}-{element.max_len} characters); not sent",
                tag,
                p,
                value,
            )
            values[p - 1] = ""

    changed = True
    while changed:  # blanking one element can break another note (L3 C1201 after P0102)
        changed = False
        for note in defn.notes:
            first, *rest = note.positions
            present = [p for p in note.positions if has(p)]
            drop: list[int] = []
            if note.kind == "P" and present and len(present) != len(note.positions):
                drop = present
            elif (note.kind == "C" and has(first) and not all(has(p) for p in rest)) or (
                note.kind == "L" and has(first) and not any(has(p) for p in rest)
            ):
                drop = [first]
            elif note.kind == "E" and len(present) > 1:
                drop = present[1:]
            elif note.kind == "R" and not present:
                raise UnrepresentableError(
                    f"{tag}: syntax note {note.label} needs one of elements "
                    + ", ".join(f"{p:02d}" for p in note.positions)
                    + " and the document has none"
                )
            for p in drop:
                out_warning(
                    sink,
                    WarningCode.IGNORED_SEGMENT,
                    f"{tag}-{p:02d} {values[p - 1]!r} not sent: syntax note {note.label} allows"
                    f" {_NOTE_TEXT[note.kind]} elements "
                    + ", ".join(f"{q:02d}" for q in note.positions),
                    tag,
                    p,
                    values[p - 1],
                )
                values[p - 1] = ""
                changed = True
    for p, element in enumerate(elements, start=1):
        if not has(p):
            if element.required:
                raise UnrepresentableError(
                    f"{tag}-{p:02d} (element {element.ref}) is mandatory and has no value"
                )
            continue
        if element.is_composite:
            continue
        size = _length(element.type, values[p - 1])
        if not element.min_len <= size <= element.max_len:
            raise UnrepresentableError(
                f"{tag}-{p:02d} {values[p - 1]!r} does not fit element {element.ref}"
                f" ({element.min_len}-{element.max_len} characters)"
            )
    return row(tag, *values)


def conform_rows(rows: Iterable[Row], version: str, sink: WarningSink) -> list[Row]:
    """`conform` each row; a row left with no element (all reported) is not sent."""
    out = []
    for r in rows:
        done = conform(r, version, sink)
        if len(done) > 1 or len(r) == 1:
            out.append(done)
        else:
            out_warning(sink, WarningCode.IGNORED_SEGMENT, f"{r[0]} left empty; not sent", r[0])
    return out


def code_in_list(version: str, tag: str, position: int, code: str) -> bool:
    """Whether `code` is in the code list of element `position` of `tag` in `version` (True
    when the element has no list: any value may be sent)."""
    defn = schema.segment_dictionary(version).get(tag)
    if defn is None or defn.elements is None or position > len(defn.elements):
        return True
    listed = defn.elements[position - 1].code_list
    return not listed or code in schema.code_lists()[listed].codes
