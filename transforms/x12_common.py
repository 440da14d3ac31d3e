"""Building blocks shared by the X12 -> canonical transforms: warnings, element access, N1 loops,
L11/N9 references, N4 locations, G62 dates, weights, source metadata and correlation keys."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from gateway.canonical import (
    Contact,
    Correlation,
    DateTimeValue,
    Location,
    MappingWarning,
    Party,
    PartyIdentifier,
    Reference,
    ReferenceKind,
    SourceFormat,
    SourceMetadata,
    TimeZoneSource,
    Volume,
    WarningCode,
    Weight,
)
from gateway.x12.model import GroupHeader, InterchangeHeader, Segment, TransactionSet
from transforms import codes
from transforms.countries import normalise_country
from transforms.timecodes import TimeNote, resolve, zone_for_region
from transforms.values import ValueParseError, parse_decimal, parse_int, parse_n2

M = TypeVar("M", bound=BaseModel)


def validator_of(model: type[M]) -> Callable[[dict[str, Any]], M]:
    """`model.model_validate` of a dict of field values without its Python frames: the model's
    own pydantic-core validator, so the same validation and the same fields set, about 0.5 us
    less per instance (a 214 builds some twenty)."""
    return cast(Callable[[dict[str, Any]], M], model.__pydantic_validator__.validate_python)


def constructor_of(model: type[M]) -> Callable[[dict[str, Any]], M]:
    """The instance `validator_of(model)` gives for a dict of field values, built without
    validating them (`model_construct` without its Python loop over every field): for models
    whose values a transform builds from what the X12 validator already checked, with the types
    the model declares. Defaults fill what the dict leaves out and the fields set are the dict's
    keys, as validation gives; a key that is not a field goes to the validator, which refuses
    it. tests/unit/test_x12_214_construct.py proves the result equals the validated one, type
    for type, on generated and sample 214s (for the models of transforms/x12_214.py)."""
    fields = model.model_fields
    names = tuple(fields)
    validate = validator_of(model)
    new = model.__new__
    set_attribute = object.__setattr__
    has_private = bool(model.__private_attributes__)
    required = frozenset(name for name, info in fields.items() if info.is_required())
    # defaults as validation fills them: a plain default as it is (the canonical models' are
    # immutable: None, (), enum members, numbers), a factory called per instance
    plain = {
        n: i.default for n, i in fields.items() if not i.is_required() and not i.default_factory
    }
    factories = {n: i.default_factory for n, i in fields.items() if i.default_factory is not None}
    if has_private or not all(isinstance(d, Hashable) for d in plain.values()):
        return validate  # a private attribute or a mutable default: validation handles them

    # every field in order, plain defaults filled: a copy updated with the given values keeps
    # the field order (required fields and factories are always overwritten), in C, where a
    # comprehension over the names cost more than validating a small model
    template: dict[str, Any] = {name: plain.get(name) for name in names}
    field_names = frozenset(names)

    def construct(values: dict[str, Any]) -> M:
        given = set(values)
        if tuple(values) != names:  # the usual call passes every field, in order
            if not given <= field_names or not required <= given:
                return validate(values)  # which refuses it
            full = template.copy()
            full.update(values)
            for name, factory in factories.items():
                if name not in given:
                    full[name] = factory()  # type: ignore[call-arg]
            values = full
        instance = new(model)
        set_attribute(instance, "__dict__", values)
        set_attribute(instance, "__pydantic_fields_set__", given)
        set_attribute(instance, "__pydantic_extra__", None)
        set_attribute(instance, "__pydantic_private__", None)
        return instance

    return construct


new_weight = validator_of(Weight)
new_reference = validator_of(Reference)
new_location = validator_of(Location)
new_party = validator_of(Party)
new_date_time_value = validator_of(DateTimeValue)
new_correlation = validator_of(Correlation)
new_warning = validator_of(MappingWarning)


@dataclass(slots=True)
class WarningSink:
    """Collects the warnings of one transform call (local to the call: transforms stay pure)."""

    items: list[MappingWarning] = field(default_factory=list)

    def add(
        self,
        code: WarningCode,
        message: str,
        segment: Segment | None = None,
        element: int = 0,
        value: str = "",
    ) -> None:
        self.items.append(
            new_warning(
                {
                    "code": code,
                    "message": message,
                    "segment_id": segment.tag if segment is not None else "",
                    "segment_index": segment.index if segment is not None else 0,
                    "element": element,
                    "value": value,
                }
            )
        )

    def parse_error(self, exc: ValueParseError, segment: Segment, element: int) -> None:
        self.add(exc.code, str(exc), segment, element, exc.value)

    def time_notes(
        self, notes: Iterable[TimeNote], segment: Segment, *, date: int, time: int, code: int
    ) -> None:
        """Record date/time notes against the element each one is about."""
        for note in notes:
            if note.code in (WarningCode.PLACEHOLDER_DATE, WarningCode.INVALID_DATE):
                element = date
            elif note.code in (
                WarningCode.INVALID_TIME,
                WarningCode.AMBIGUOUS_LOCAL_TIME,
                WarningCode.NONEXISTENT_LOCAL_TIME,
            ):
                element = time
            else:
                element = code
            self.add(note.code, note.message, segment, element, note.value)


def text(segment: Segment, n: int) -> str | None:
    """Element n stripped of padding; None when absent or blank (FedEx sends `L11* *77`)."""
    elements = segment[0]  # the hottest helper of every transform: no method call per value
    if n < len(elements):
        return elements[n].strip() or None
    return None


def padded(segment: Segment, last: int) -> list[str]:
    """The segment's elements, at least 0..last with "" for the absent ones: one bounds check for
    many reads (`padded(s, 5)[3].strip() or None == text(s, 3)`). Read it, never change it: it is
    the segment's own list when that is long enough."""
    elements = segment[0]
    missing = last + 1 - len(elements)
    return elements + [""] * missing if missing > 0 else elements


def decimal(segment: Segment, n: int, sink: WarningSink) -> Decimal | None:
    elements = segment[0]
    try:
        return parse_decimal(elements[n] if n < len(elements) else "")
    except ValueParseError as exc:
        sink.parse_error(exc, segment, n)
        return None


def n2(segment: Segment, n: int, sink: WarningSink) -> Decimal | None:
    try:
        return parse_n2(segment.el(n))
    except ValueParseError as exc:
        sink.parse_error(exc, segment, n)
        return None


def integer(segment: Segment, n: int, sink: WarningSink) -> int | None:
    elements = segment[0]
    try:
        return parse_int(elements[n] if n < len(elements) else "")
    except ValueParseError as exc:
        sink.parse_error(exc, segment, n)
        return None


def country(segment: Segment, n: int, sink: WarningSink) -> str | None:
    """Element n as an ISO alpha-2 country ("USA" -> "US"); an unknown code is kept as sent."""
    raw = text(segment, n)
    if raw is None:
        return None
    iso = normalise_country(raw)
    if iso is None:
        sink.add(WarningCode.UNKNOWN_COUNTRY, f"unknown country code {raw!r}", segment, n, raw)
        return raw.upper()
    return iso


def weight(
    segment: Segment,
    *,
    value: int,
    unit: int,
    qualifier: int | None,
    sink: WarningSink,
) -> Weight | None:
    """A Weight from the given element positions (None when the weight value is absent)."""
    amount = decimal(segment, value, sink)
    if amount is None:
        return None
    unit_code = text(segment, unit)
    return new_weight(
        {
            "value": amount,
            "unit": codes.weight_unit(unit_code or ""),
            "unit_code": unit_code,
            "qualifier": text(segment, qualifier) if qualifier else None,
        }
    )


def volume(segment: Segment, *, value: int, unit: int, sink: WarningSink) -> Volume | None:
    amount = decimal(segment, value, sink)
    if amount is None:
        return None
    unit_code = text(segment, unit)
    return Volume(value=amount, unit=codes.volume_unit(unit_code or ""), unit_code=unit_code)


def reference_from_l11(segment: Segment, sink: WarningSink) -> Reference | None:
    """L11: 01 value, 02 qualifier, 03 description. A blank value is reported, not kept."""
    return _reference(segment, value=1, qualifier=2, description=3, sink=sink)


def reference_from_n9(segment: Segment, sink: WarningSink) -> Reference | None:
    """N9 (4010 210/990): 01 qualifier, 02 value, 03 free-form description."""
    return _reference(segment, value=2, qualifier=1, description=3, sink=sink)


def _reference(
    segment: Segment, *, value: int, qualifier: int, description: int, sink: WarningSink
) -> Reference | None:
    elements = padded(segment, 3)
    ref_value = elements[value].strip() or None
    ref_qualifier = elements[qualifier].strip()
    if ref_value is None:
        sink.add(
            WarningCode.MISSING_VALUE,
            f"{segment.tag} with qualifier {ref_qualifier!r} has no value",
            segment,
            value,
        )
        return None
    return new_reference(
        {
            "qualifier": ref_qualifier,
            "kind": codes.reference_kind(ref_qualifier),
            "value": ref_value,
            "description": elements[description].strip() or None,
        }
    )


def location_from_n4(segment: Segment, address_lines: Sequence[str], sink: WarningSink) -> Location:
    """N4: 01 city, 02 state, 03 postal code, 04 country, 05 location qualifier, 06 location id."""
    location = _clean_n4_location(tuple(padded(segment, 6)[1:7]), tuple(address_lines))
    return location if location is not None else _read_n4(segment, address_lines, sink)


@lru_cache(maxsize=4096)
def _clean_n4_location(
    elements: tuple[str, ...], address_lines: tuple[str, ...]
) -> Location | None:
    """The Location of N4 elements 1..6 and the N3 lines when reading them warns of nothing, else
    None (the caller then reads the segment itself, warnings and all). A pure function of its
    arguments, and a partner's stops repeat from one message to the next: one immutable instance
    serves them all."""
    sink = WarningSink()
    location = _read_n4(Segment(["N4", *elements]), address_lines, sink)
    return None if sink.items else location


def _read_n4(segment: Segment, address_lines: Sequence[str], sink: WarningSink) -> Location:
    elements = padded(segment, 6)
    state = elements[2].strip() or None
    iso = country(segment, 4, sink)
    return new_location(
        {
            "address_lines": tuple(address_lines),
            "city": elements[1].strip() or None,
            "state": state,
            "postal_code": elements[3].strip() or None,
            "country": iso,
            "timezone": zone_for_region(iso, state),
            "location_qualifier": elements[5].strip() or None,
            "location_code": elements[6].strip() or None,
        }
    )


def date_time_value(
    segment: Segment,
    *,
    qualifier: int,
    date: int,
    time_qualifier: int | None,
    time: int,
    time_code: int,
    sink: WarningSink,
    local_zones: Sequence[tuple[str, TimeZoneSource]] = (),
    default_zone: str | None = None,
) -> DateTimeValue:
    """A qualified date/time (G62 is qualifier=1, date=2, time_qualifier=3, time=4, code=5)."""
    elements = padded(segment, max(qualifier, date, time_qualifier or 0, time, time_code))
    resolved = resolve(
        elements[date],
        elements[time],
        elements[time_code],
        local_zones=local_zones,
        default_zone=default_zone,
    )
    if resolved.notes:
        sink.time_notes(resolved.notes, segment, date=date, time=time, code=time_code)
    raw_qualifier = elements[qualifier].strip() or None
    return new_date_time_value(
        {
            "qualifier": raw_qualifier,
            "kind": codes.date_kind(raw_qualifier or ""),
            "date": resolved.date,
            "time": elements[time].strip() or None,
            "time_qualifier": elements[time_qualifier].strip() or None if time_qualifier else None,
            "time_code": elements[time_code].strip() or None,
            "instant": resolved.instant,
            "zone": resolved.zone,
            "zone_source": resolved.zone_source,
        }
    )


def g62(
    segment: Segment,
    sink: WarningSink,
    *,
    local_zones: Sequence[tuple[str, TimeZoneSource]] = (),
    default_zone: str | None = None,
) -> DateTimeValue:
    return date_time_value(
        segment,
        qualifier=1,
        date=2,
        time_qualifier=3,
        time=4,
        time_code=5,
        sink=sink,
        local_zones=local_zones,
        default_zone=default_zone,
    )


_N1_LOOP_TAGS = frozenset({"N2", "N3", "N4", "G61", "PER", "L11", "N9", "G62"})
_PARTY_LOCATION = TimeZoneSource.PARTY_LOCATION  # a module constant: no enum class lookup per use


@dataclass(slots=True)
class PartyBuilder:
    """Accumulates one N1 loop (N1, N2, N3, N4, G61, L11/N9, G62) before it is frozen."""

    n1: Segment
    extra_names: list[str] = field(default_factory=list)
    address_lines: list[str] = field(default_factory=list)
    n4: Segment | None = None
    contacts: list[Contact] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    date_segments: list[Segment] = field(default_factory=list)

    def add(self, segment: Segment, sink: WarningSink) -> bool:
        """Take a segment of the N1 loop; False when the segment is not one of its members."""
        tag = segment[0][0]
        if tag not in _N1_LOOP_TAGS:  # most calls: the segment that closes the loop
            return False
        if tag == "N2":
            self.extra_names.extend(v for v in (text(segment, 1), text(segment, 2)) if v)
        elif tag == "N3":
            for line in segment[0][1:3]:  # N3-01/02, as text() reads them
                line = line.strip()
                if line:
                    self.address_lines.append(line)
        elif tag == "N4":
            self.n4 = segment
        elif tag in ("G61", "PER"):
            self.contacts.append(contact(segment))
        elif tag == "L11":
            ref = reference_from_l11(segment, sink)
            if ref is not None:
                self.references.append(ref)
        elif tag == "N9":
            ref = reference_from_n9(segment, sink)
            if ref is not None:
                self.references.append(ref)
        else:  # G62
            self.date_segments.append(segment)
        return True

    def location(self, sink: WarningSink) -> Location | None:
        if self.n4 is not None:
            return location_from_n4(self.n4, self.address_lines, sink)
        if self.address_lines:
            return Location(address_lines=tuple(self.address_lines))
        return None

    def build(self, sink: WarningSink, *, default_zone: str | None = None) -> Party:
        if not (self.contacts or self.references or self.date_segments):
            # the usual party: names and a place only, a pure function of those elements
            party = _plain_party(
                tuple(padded(self.n1, 4)[1:5]),
                tuple(self.extra_names),
                tuple(self.address_lines),
                None if self.n4 is None else tuple(padded(self.n4, 6)[1:7]),
            )
            if party is not None:
                return party
        return self._build(sink, default_zone)

    def _build(self, sink: WarningSink, default_zone: str | None) -> Party:
        n1 = padded(self.n1, 4)
        code = n1[1].strip()
        identifiers: tuple[PartyIdentifier, ...] = ()
        id_value = n1[4].strip() or None
        if id_value is not None:
            identifiers = (PartyIdentifier(qualifier=n1[3].strip(), value=id_value),)
        location = self.location(sink)
        dates: tuple[DateTimeValue, ...] = ()
        if self.date_segments:
            zones = []
            if location is not None and location.timezone:
                zones.append((location.timezone, _PARTY_LOCATION))
            dates = tuple(
                g62(s, sink, local_zones=zones, default_zone=default_zone)
                for s in self.date_segments
            )
        return new_party(
            {
                "role": codes.party_role(code),
                "entity_code": code,
                "name": n1[2].strip() or None,
                "additional_names": tuple(self.extra_names),
                "identifiers": identifiers,
                "location": location,
                "contacts": tuple(self.contacts),
                "references": tuple(self.references),
                "dates": dates,
            }
        )


@lru_cache(maxsize=4096)
def _plain_party(
    n1: tuple[str, ...],
    extra_names: tuple[str, ...],
    address_lines: tuple[str, ...],
    n4: tuple[str, ...] | None,
) -> Party | None:
    """The Party of an N1 loop with no contact, reference or date, when building it warns of
    nothing, else None (the caller then builds it itself, warnings and all). Stops and bill-to
    parties repeat from one message to the next: one immutable instance serves them all."""
    builder = PartyBuilder(
        n1=Segment(["N1", *n1]),
        extra_names=list(extra_names),
        address_lines=list(address_lines),
        n4=None if n4 is None else Segment(["N4", *n4]),
    )
    sink = WarningSink()
    party = builder._build(sink, None)
    return None if sink.items else party


def contact(segment: Segment) -> Contact:
    """G61 (01 function, 02 name, 03/04 number) or PER (01 function, 02 name, 03-08 pairs)."""
    phone = email = fax = None
    pairs = [(3, 4)] if segment.tag == "G61" else [(3, 4), (5, 6), (7, 8)]
    for q, v in pairs:
        qualifier, number = (text(segment, q) or "").upper(), text(segment, v)
        if number is None:
            continue
        if qualifier == "EM":
            email = email or number
        elif qualifier == "FX":
            fax = fax or number
        else:
            phone = phone or number
    return Contact(
        function_code=text(segment, 1), name=text(segment, 2), phone=phone, email=email, fax=fax
    )


def source_metadata(
    transaction_set: TransactionSet,
    interchange: InterchangeHeader | None = None,
    group: GroupHeader | None = None,
    *,
    partner_id: str | None = None,
    message_id: str | None = None,
) -> SourceMetadata:
    """Source metadata of one X12 transaction set, from its envelope headers."""

    def blank(value: str) -> str | None:
        return value.strip() or None

    return SourceMetadata(
        format=SourceFormat.X12,
        partner_id=partner_id,
        message_id=message_id,
        sender_qualifier=blank(interchange.sender_qualifier) if interchange else None,
        sender_id=blank(interchange.sender_id) if interchange else None,
        receiver_qualifier=blank(interchange.receiver_qualifier) if interchange else None,
        receiver_id=blank(interchange.receiver_id) if interchange else None,
        interchange_control_number=blank(interchange.control_number) if interchange else None,
        usage_indicator=blank(interchange.usage) if interchange else None,
        application_sender=blank(group.application_sender) if group else None,
        application_receiver=blank(group.application_receiver) if group else None,
        group_control_number=blank(group.control_number) if group else None,
        functional_id=blank(group.functional_id) if group else None,
        version=blank(group.version) if group else None,
        set_id=blank(transaction_set.set_id),
        set_control_number=blank(transaction_set.control_number),
        implementation_reference=blank(transaction_set.implementation_reference),
    )


def correlation(
    references: Iterable[Reference],
    *,
    scac: str | None = None,
    shipment_id: str | None = None,
    pro: str | None = None,
    bol: str | None = None,
) -> Correlation:
    """Correlation keys from a document's own values and its references (first BOL/PRO wins)."""
    po: list[str] = []
    for ref in references:
        if ref.kind is ReferenceKind.BOL and bol is None:
            bol = ref.value
        elif ref.kind is ReferenceKind.PRO and pro is None:
            pro = ref.value
        elif ref.kind is ReferenceKind.PO and ref.value not in po:
            po.append(ref.value)
    return new_correlation(
        {"scac": scac, "shipment_id": shipment_id, "pro": pro, "bol": bol, "po": tuple(po)}
    )
