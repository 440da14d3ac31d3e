"""X12 214 (Transportation Carrier Shipment Status) -> canonical ShipmentStatus.

Handles 004010/004030 (N1 loops in the heading; LX > AT7 loop, then L11/AT8/CD3 ...) and 005010
(N1 loops moved into the LX loop, after the AT7 loops). Each AT7 becomes one TrackingEvent; the
L11, N1, AT8, Q7 and K1 of an LX loop attach to every event of that LX (a CD3 package loop adds its
own on top), MS1/MS2/M7 to the AT7 they follow. An unknown code is kept raw with status UNMAPPED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from gateway.canonical import (
    Equipment,
    InterlineCarrier,
    LadingException,
    Location,
    Note,
    Party,
    PartyRole,
    ReasonKind,
    Reference,
    ReferenceKind,
    ShipmentStatus,
    SourceMetadata,
    StatusKind,
    TimeZoneSource,
    TrackingEvent,
    Volume,
    WarningCode,
    Weight,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from transforms import x12_common as x
from transforms.codes import reference_kind
from transforms.status_taxonomy import classify_reason, classify_status
from transforms.timecodes import is_local_time_code, resolve, zone_for_region
from transforms.values import ValueParseError, parse_decimal

# Where a local time (LT) was most likely read, when the AT7 carries no MS1: the stop parties.
_DELIVERY_SIDE = frozenset(
    {
        StatusKind.ESTIMATED_DELIVERY,
        StatusKind.ARRIVED_AT_DELIVERY,
        StatusKind.DELIVERED,
        StatusKind.DEPARTED_DELIVERY,
        StatusKind.DELIVERY_ATTEMPTED,
    }
)
_PICKUP_SIDE = frozenset(
    {
        StatusKind.ESTIMATED_PICKUP,
        StatusKind.AVAILABLE_FOR_PICKUP,
        StatusKind.ARRIVED_AT_PICKUP,
        StatusKind.LOADING,
        StatusKind.LOADED,
        StatusKind.PICKED_UP,
    }
)
_DELIVERY_ROLES = (PartyRole.CONSIGNEE, PartyRole.SHIP_TO, PartyRole.DELIVERY_ADDRESS)
# enum members read per event, bound once (a class attribute lookup each time otherwise)
_EVENT_LOCATION = TimeZoneSource.EVENT_LOCATION
_PARTY_LOCATION = TimeZoneSource.PARTY_LOCATION
_REASON_UNMAPPED = ReasonKind.UNMAPPED

# The models built per 214 from values this module types itself (strings of elements the X12
# validator checked, enum members, aware datetimes, built models): constructed without
# validating them again (see x12_common.constructor_of and its property test).
_new_event = x.constructor_of(TrackingEvent)
_new_status = x.constructor_of(ShipmentStatus)
_new_equipment = x.constructor_of(Equipment)
_PICKUP_ROLES = (PartyRole.SHIPPER, PartyRole.SHIP_FROM, PartyRole.PICKUP_ADDRESS)

_EVENT_TAGS = frozenset({"MS1", "MS2", "M7"})

# Segments the canonical model does not carry; recorded so nothing disappears silently.
_IGNORED = frozenset({"MAN", "AT5", "NM1", "SPO", "SDQ", "EFI", "BIN"})


@dataclass(slots=True)
class _EventDraft:
    at7: Segment
    ms1: Segment | None = None
    ms2: list[Segment] = field(default_factory=list)
    seals: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(slots=True)
class _Group:
    """An LX loop, or a CD3 package loop inside one (then `parent` is the LX)."""

    assigned_number: int | None
    parent: _Group | None = None
    events: list[_EventDraft] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    parties: list[x.PartyBuilder] = field(default_factory=list)
    at8: list[Segment] = field(default_factory=list)
    exceptions: list[LadingException] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    children: list[_Group] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    is_5010: bool
    sink: x.WarningSink
    b10: Segment | None = None
    references: list[Reference] = field(default_factory=list)
    parties: list[x.PartyBuilder] = field(default_factory=list)
    interline: list[InterlineCarrier] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)


def shipment_status_from_x12(
    ts: TransactionSet,
    *,
    delimiters: Delimiters,
    envelope: SourceMetadata,
    profile_code_map: Mapping[str, str] | None = None,
    default_tz: str | None = None,
) -> ShipmentStatus:
    """Map one 214 transaction set to a ShipmentStatus.

    `delimiters` are the interchange's; they are part of every X12 transform's signature, but no
    element this 214 mapping reads is a composite, so it does not use them; `envelope` is the source
    metadata
    (see `transforms.x12_common.source_metadata`); `profile_code_map` is the partner's AT7 code
    map (code -> StatusKind value); `default_tz` the partner's IANA zone for local times.
    Raises ValueError when the set is not a 214.
    """
    if ts.set_id != "214":
        raise ValueError(f"shipment_status_from_x12 needs a 214, got {ts.set_id!r}")
    del delimiters  # see the docstring: no composite element is read
    state = _State(is_5010=(envelope.version or "")[:6] >= "005010", sink=x.WarningSink())
    _read(state, ts.segments)
    return _build(state, envelope, profile_code_map, default_tz)


def _read(state: _State, segments: list[Segment]) -> None:
    """Sort the segments into the loops they belong to: one pass, the open loops kept in locals
    (this runs for every segment of every 214)."""
    sink = state.sink
    group: _Group | None = None  # the open LX or CD3 loop
    party: x.PartyBuilder | None = None  # the open N1 loop
    event: _EventDraft | None = None  # the open AT7 loop
    for segment in segments:
        tag = segment[0][0]  # Segment.tag without the property call
        if tag == "ST" or tag == "SE":
            continue
        # MS1/MS2/M7 (and K1 in 5010) belong to the AT7 loop they follow; anything else closes it.
        if event is not None:
            if tag in _EVENT_TAGS or (tag == "K1" and state.is_5010):
                _add_to_event(event, segment)
                continue
            event = None
        if party is not None:
            if party.add(segment, sink):
                continue
            party = None

        if tag == "B10":
            state.b10 = segment
        elif tag == "LX":
            group = _Group(assigned_number=x.integer(segment, 1, sink))
            state.groups.append(group)
        elif tag == "AT7":
            if group is None:
                sink.add(WarningCode.UNEXPECTED_SEGMENT, "AT7 outside an LX loop", segment)
                group = _Group(assigned_number=None)
                state.groups.append(group)
            event = _EventDraft(at7=segment)
            group.events.append(event)
        elif tag == "N1":
            party = x.PartyBuilder(n1=segment)
            (group.parties if group is not None else state.parties).append(party)
        elif tag == "L11":
            ref = x.reference_from_l11(segment, sink)
            if ref is not None:
                (group.references if group is not None else state.references).append(ref)
        elif tag == "MS3" and group is None:
            state.interline.append(_interline(segment))
        elif tag == "AT8" and group is not None:
            group.at8.append(segment)
        elif tag == "Q7" and group is not None:
            group.exceptions.append(
                LadingException(
                    code=x.text(segment, 1) or "",
                    packaging_code=x.text(segment, 2),
                    quantity=x.decimal(segment, 3, sink),
                )
            )
        elif tag == "K1":
            (group.notes if group is not None else state.notes).extend(_k1(segment))
        elif tag == "CD3" and group is not None:
            lx = group.parent or group
            package = _Group(assigned_number=lx.assigned_number, parent=lx)
            lx.children.append(package)
            group = package
        elif tag in ("PRF", "OID") and group is not None:
            # PRF-01 / OID-02 carry the purchase order the loop reports on
            po = x.text(segment, 1 if tag == "PRF" else 2)
            if po is not None:
                group.references.append(Reference(qualifier="PO", kind=ReferenceKind.PO, value=po))
        elif tag in _IGNORED:
            sink.add(
                WarningCode.IGNORED_SEGMENT, f"{tag} is not carried by ShipmentStatus", segment
            )
        else:
            sink.add(
                WarningCode.UNEXPECTED_SEGMENT, f"{tag} is not expected here in a 214", segment
            )


def _add_to_event(event: _EventDraft, segment: Segment) -> None:
    tag = segment[0][0]
    if tag == "MS1":
        event.ms1 = segment
    elif tag == "MS2":
        event.ms2.append(segment)
    elif tag == "M7":
        event.seals.extend(v for v in (x.text(segment, n) for n in range(1, 5)) if v)
    else:
        event.notes.extend(_k1(segment))


def _k1(segment: Segment) -> list[Note]:
    return [Note(text=v) for v in (x.text(segment, 1), x.text(segment, 2)) if v]


def _interline(segment: Segment) -> InterlineCarrier:
    return InterlineCarrier(
        scac=x.text(segment, 1) or "",
        routing_sequence_code=x.text(segment, 2),
        city=x.text(segment, 3),
        mode_code=x.text(segment, 4),
        state=x.text(segment, 5),
    )


def _build(
    state: _State,
    envelope: SourceMetadata,
    profile_code_map: Mapping[str, str] | None,
    default_tz: str | None,
) -> ShipmentStatus:
    sink = state.sink
    b10 = state.b10
    references = list(state.references)
    pro = shipment_id = scac = None
    if b10 is None:
        sink.add(WarningCode.MISSING_VALUE, "the 214 has no B10 segment")
    else:
        elements = x.padded(b10, 6)
        pro = elements[1].strip() or None
        shipment_id = elements[2].strip() or None
        scac = elements[3].strip() or None
        if scac is None:
            sink.add(WarningCode.MISSING_VALUE, "B10-03 SCAC is empty", b10, 3)
        # B10-05/06: a reference the carrier was asked about (e.g. AW air waybill)
        qualifier, value = elements[5].strip() or None, elements[6].strip() or None
        if value is not None:
            references.insert(
                0,
                Reference(
                    qualifier=qualifier or "", kind=reference_kind(qualifier or ""), value=value
                ),
            )
    heading_parties = [p.build(sink, default_zone=default_tz) for p in state.parties]

    events: list[TrackingEvent] = []
    for group in state.groups:
        lx_parties = [p.build(sink, default_zone=default_tz) for p in group.parties]
        for scope, parties in _scopes(group, lx_parties, sink, default_tz):
            for draft in scope.events:
                events.append(
                    _event(
                        draft,
                        scope,
                        parties,
                        heading_parties,
                        sink=sink,
                        profile_code_map=profile_code_map,
                        default_tz=default_tz,
                    )
                )

    all_refs = references + [r for e in events for r in e.references]
    return _new_status(
        {
            "source": envelope,
            "correlation": x.correlation(all_refs, scac=scac, shipment_id=shipment_id, pro=pro),
            "warnings": tuple(sink.items),
            "scac": scac,
            "pro_number": pro,
            "shipment_id": shipment_id,
            "references": tuple(references),
            "parties": tuple(heading_parties),
            "equipment": tuple(_distinct_equipment(events)),
            "interline": tuple(state.interline),
            "events": tuple(events),
            "notes": tuple(state.notes),
        }
    )


def _scopes(
    group: _Group, lx_parties: list[Party], sink: x.WarningSink, default_tz: str | None
) -> list[tuple[_Group, list[Party]]]:
    """The LX loop and each CD3 loop inside it, with the parties their events carry."""
    scopes = [(group, lx_parties)]
    for child in group.children:
        child_parties = [p.build(sink, default_zone=default_tz) for p in child.parties]
        scopes.append((child, lx_parties + child_parties))
    return scopes


def _event(
    draft: _EventDraft,
    scope: _Group,
    parties: list[Party],
    heading_parties: list[Party],
    *,
    sink: x.WarningSink,
    profile_code_map: Mapping[str, str] | None,
    default_tz: str | None,
) -> TrackingEvent:
    at7 = draft.at7
    lx = scope.parent or scope
    elements = x.padded(at7, 7)
    status_code = elements[1].strip() or None
    reason_code = elements[2].strip() or None
    appointment_code = elements[3].strip() or None
    appointment_reason = elements[4].strip() or None
    raw_date = elements[5].strip() or None
    raw_time = elements[6].strip() or None
    raw_time_code = elements[7].strip() or None

    mapping = classify_status(status_code or "", appointment_code or "", profile_code_map)
    code_element = 1 if status_code else 3
    if mapping.invalid_profile_value is not None:
        sink.add(
            WarningCode.INVALID_PROFILE_MAPPING,
            f"partner map gives {mapping.invalid_profile_value!r} for "
            f"{status_code or appointment_code!r}, which is not a canonical status",
            at7,
            code_element,
            status_code or appointment_code or "",
        )
    if not mapping.is_mapped:
        if status_code or appointment_code:
            raw = status_code or appointment_code or ""
            sink.add(
                WarningCode.UNMAPPED_CODE,
                f"AT7 code {raw!r} has no canonical status; kept raw",
                at7,
                code_element,
                raw,
            )
        else:
            sink.add(WarningCode.MISSING_VALUE, "AT7 has neither AT7-01 nor AT7-03", at7)

    reason_raw = reason_code or appointment_reason
    reason = classify_reason(reason_raw or "")
    if reason is _REASON_UNMAPPED:
        sink.add(
            WarningCode.UNMAPPED_CODE,
            f"AT7 reason code {reason_raw!r} has no canonical reason; kept raw",
            at7,
            2 if reason_code else 4,
            reason_raw or "",
        )

    location = _ms1_location(draft.ms1, sink) if draft.ms1 is not None else None
    local_zones: list[tuple[str, TimeZoneSource]] = []
    if is_local_time_code(elements[7]):  # a stated zone or offset needs no candidates
        local_zones = _local_zones(location, parties, heading_parties, mapping.status)
    resolved = resolve(
        elements[5], elements[6], elements[7], local_zones=local_zones, default_zone=default_tz
    )
    if resolved.notes:
        sink.time_notes(resolved.notes, at7, date=5, time=6, code=7)
    if raw_date is None:
        sink.add(WarningCode.MISSING_VALUE, "AT7 has no date (AT7-05)", at7, 5)

    references = tuple(lx.references if scope is lx else lx.references + scope.references)
    at8 = scope.at8 or lx.at8
    weights: list[Weight] = []
    quantities: list[int] = []
    volumes: list[Volume] = []
    # three passes, not one: the warnings of all weights come first, then quantities, volumes
    for s in at8:
        w = _at8_weight(s, sink)
        if w is not None:
            weights.append(w)
    for s in at8:
        q = _at8_quantity(s, sink)
        if q is not None:
            quantities.append(q)
    for s in at8:
        v = x.volume(s, value=7, unit=6, sink=sink)
        if v:
            volumes.append(v)

    return _new_event(
        {
            "status": mapping.status,
            "is_mapped": mapping.is_mapped,
            "is_estimate": mapping.is_estimate,
            "status_code": status_code,
            "reason_code": reason_code,
            "reason": reason,
            "appointment_code": appointment_code,
            "appointment_kind": mapping.appointment_kind,
            "appointment_reason_code": appointment_reason,
            "event_time": resolved.instant,
            "event_date": resolved.date,
            "raw_date": raw_date,
            "raw_time": raw_time,
            "raw_time_code": raw_time_code,
            "time_zone": resolved.zone,
            "time_zone_source": resolved.zone_source,
            "location": location,
            "equipment": tuple(_equipment(draft)) if draft.ms2 or draft.seals else (),
            "assigned_number": lx.assigned_number,
            "stop_sequence": _stop_sequence(references),
            "references": references,
            "parties": tuple(parties),
            "weight": _primary_weight(weights),
            "weights": tuple(weights),
            "lading_quantity": quantities[0] if quantities else None,
            "volume": volumes[0] if volumes else None,
            "lading_exceptions": tuple(scope.exceptions or lx.exceptions),
            "notes": tuple(draft.notes + lx.notes + (scope.notes if scope is not lx else [])),
            "package_id": _package_id(scope) if scope is not lx else None,
            "segment_index": at7.index,
        }
    )


def _local_zones(
    location: Location | None,
    parties: list[Party],
    heading_parties: list[Party],
    status: StatusKind,
) -> list[tuple[str, TimeZoneSource]]:
    """Candidate zones for a local time: the MS1 place, the LX's parties, then the stop party."""
    zones: list[tuple[str, TimeZoneSource]] = []
    if location is not None and location.timezone:
        zones.append((location.timezone, _EVENT_LOCATION))
    for p in parties:
        if p.location is not None and p.location.timezone:
            zones.append((p.location.timezone, _PARTY_LOCATION))
    roles = (
        _DELIVERY_ROLES
        if status in _DELIVERY_SIDE
        else _PICKUP_ROLES
        if status in _PICKUP_SIDE
        else ()
    )
    for role in roles:
        for p in heading_parties:
            if p.role is role and p.location is not None and p.location.timezone:
                zones.append((p.location.timezone, _PARTY_LOCATION))
    return zones


def _ms1_location(segment: Segment, sink: x.WarningSink) -> Location:
    """MS1: 01 city, 02 state, 03 country, 04 longitude, 05 latitude, 06 E/W, 07 N/S, 08 postal."""
    location = _clean_ms1_location(tuple(x.padded(segment, 8)[1:9]))
    return location if location is not None else _read_ms1(segment, sink)


@lru_cache(maxsize=4096)
def _clean_ms1_location(elements: tuple[str, ...]) -> Location | None:
    """The Location of MS1 elements 1..8 when reading them warns of nothing, else None (then the
    caller reads the segment itself, warnings and all). A pure function of the elements, and the
    places carriers report from repeat (terminals, cities): one immutable instance serves them."""
    sink = x.WarningSink()
    location = _read_ms1(Segment(["MS1", *elements]), sink)
    return None if sink.items else location


def _read_ms1(segment: Segment, sink: x.WarningSink) -> Location:
    elements = x.padded(segment, 8)
    state = elements[2].strip() or None
    country = x.country(segment, 3, sink)
    longitude = latitude = None
    if elements[4].strip():
        longitude = _coordinate(segment, 4, elements[6].strip() or None, "W", sink)
    if elements[5].strip():
        latitude = _coordinate(segment, 5, elements[7].strip() or None, "S", sink)
    return x.new_location(
        {
            "city": elements[1].strip() or None,
            "state": state,
            "country": country,
            "postal_code": elements[8].strip() or None,
            "longitude": longitude,
            "latitude": latitude,
            "timezone": zone_for_region(country, state),
        }
    )


def _coordinate(
    segment: Segment, n: int, direction: str | None, negative: str, sink: x.WarningSink
) -> float | None:
    """Decimal degrees from MS1-04/05: DDDMMSS as the standard says, or decimal degrees as
    senders often write ("-100.51"); the E/W, N/S direction makes a positive value negative."""
    raw = x.text(segment, n)
    if raw is None:
        return None
    try:
        if raw.isdigit() and len(raw) == 7:
            degrees = int(raw[:3]) + int(raw[3:5]) / 60 + int(raw[5:7]) / 3600
        else:
            number = parse_decimal(raw)
            if number is None:
                return None
            degrees = float(number)
    except ValueParseError as exc:
        sink.parse_error(exc, segment, n)
        return None
    if (direction or "").upper() == negative and degrees > 0:
        degrees = -degrees
    return round(degrees, 6)


def _at8_weight(segment: Segment, sink: x.WarningSink) -> Weight | None:
    return x.weight(segment, value=3, unit=2, qualifier=1, sink=sink)


def _at8_quantity(segment: Segment, sink: x.WarningSink) -> int | None:
    """Handling units: AT8-04 (not unitized) + AT8-05 (unitized), per the AT8 notes."""
    loose, unitized = x.integer(segment, 4, sink), x.integer(segment, 5, sink)
    if loose is None and unitized is None:
        return None
    return (loose or 0) + (unitized or 0)


def _primary_weight(weights: list[Weight]) -> Weight | None:
    for w in weights:
        if w.qualifier == "G":
            return w
    return weights[0] if weights else None


def _stop_sequence(references: tuple[Reference, ...]) -> int | None:
    for ref in references:
        if ref.kind is ReferenceKind.STOP_SEQUENCE and ref.value.isdigit():
            return int(ref.value)
    return None


def _package_id(scope: _Group) -> str | None:
    for ref in scope.references:
        if ref.kind is ReferenceKind.TRACKING_NUMBER:
            return ref.value
    return scope.references[0].value if scope.references else None


def _equipment(draft: _EventDraft) -> list[Equipment]:
    """MS2: 01 owner SCAC, 02 number, 03 description code, 04 check digit; M7 seals attach."""
    items = []
    for n, s in enumerate(draft.ms2):
        elements = x.padded(s, 4)
        fields: dict[str, object] = {
            "owner_scac": elements[1].strip() or None,
            "number": elements[2].strip() or None,
            "type_code": elements[3].strip() or None,
            "check_digit": elements[4].strip() or None,
        }
        if n == 0 and draft.seals:  # the fields set are those of model_copy(update=...) after
            fields["seal_numbers"] = tuple(draft.seals)
        items.append(_new_equipment(fields))
    if draft.seals and not items:
        items.append(_new_equipment({"seal_numbers": tuple(draft.seals)}))
    return items


def _distinct_equipment(events: list[TrackingEvent]) -> list[Equipment]:
    seen: set[tuple[str | None, str | None]] = set()
    result: list[Equipment] = []
    for event in events:
        for item in event.equipment:
            key = (item.owner_scac, item.number)
            if key not in seen:
                seen.add(key)
                result.append(item)
    return result
