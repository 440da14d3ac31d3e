"""X12 204 (Motor Carrier Load Tender) <-> canonical LoadTender, 004010 and 005010.

In: a loop-aware walk (heading N1/N7, S5 stops with their N1, L5 lading with G61/LH1 hazmat, OID
orders, N7 equipment; L3 totals) builds the tender. Codes are kept raw beside their canonical kind;
partner code maps apply first. Whatever the model cannot hold is reported as a warning naming the
segment and element (IGNORED_SEGMENT), so a reader of the warnings knows exactly what was dropped.
Out: the same tree is written back in the order of the version's segment table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.canonical import (
    DateKind,
    DateTimeValue,
    Equipment,
    Hazmat,
    LadingLine,
    LoadTender,
    MappingWarning,
    Money,
    Note,
    OrderDetail,
    Party,
    Purpose,
    Reference,
    SourceMetadata,
    Stop,
    TimeWindow,
    TimeZoneSource,
    Totals,
    WarningCode,
    Weight,
    WindowKind,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from transforms import x12_common as x
from transforms import x12_out_common as o
from transforms.values import ValueParseError, parse_equipment_length

# Loop tree of the 204 (both versions; 005010 additions tolerated in 004010): the member
# segments of each loop, and the segments that open a child loop.
_MEMBERS: dict[str, frozenset[str]] = {
    "root": frozenset({"B2", "B2A", "C3", "L11", "G62", "MS3", "PLD", "LH6", "NTE", "L3"}),
    "party": frozenset({"N2", "N3", "N4", "L11", "G61"}),
    "equipment": frozenset({"N7A", "N7B", "MEA", "M7"}),
    "at5": frozenset({"RTT", "C3"}),
    "stop": frozenset({"L11", "G62", "AT8", "LAD", "PLD", "NTE"}),
    "stop_party": frozenset({"N2", "N3", "N4", "G61"}),
    "lading": frozenset({"AT8", "L11", "MEA", "PER", "L4"}),
    "contact": frozenset({"L11", "LH6"}),
    "hazmat": frozenset({"LH2", "LH3", "LFH", "LEP", "LH4", "LHT"}),
    "order": frozenset({"G62", "LAD"}),
    "summary": frozenset({"L4"}),
}
_CHILDREN: dict[str, dict[str, str]] = {
    "root": {"N1": "party", "N7": "equipment", "AT5": "at5", "S5": "stop", "LX": "summary"},
    "stop": {"N1": "stop_party", "L5": "lading", "OID": "order", "N7": "equipment", "AT5": "at5"},
    "lading": {"G61": "contact", "AT5": "at5"},
    "contact": {"LH1": "hazmat"},
    "order": {"L5": "lading"},
}
# Segments the canonical model has no place for (their loops are still walked).
_IGNORED = frozenset(
    {"PLD", "LH6", "LAD", "MEA", "PER", "L4", "N7A", "N7B", "AT5", "RTT", "LEP", "LH4", "LHT"}
)

# Elements each segment's mapping carries; any other non-empty element is reported.
_CARRIED: dict[str, frozenset[int]] = {
    "B2": frozenset({1, 2, 4, 6}),
    "B2A": frozenset({1, 2}),
    "C3": frozenset({1}),
    "L11": frozenset({1, 2, 3}),
    "G62": frozenset({1, 2, 3, 4, 5}),
    "MS3": frozenset({4}),
    "NTE": frozenset({1, 2}),
    "N1": frozenset({1, 2, 3, 4}),
    "N2": frozenset({1, 2}),
    "N3": frozenset({1, 2}),
    "N4": frozenset({1, 2, 3, 4, 5, 6}),
    "N7": frozenset({1, 2, 11, 15, 18}),
    "M7": frozenset({1, 2, 3, 4}),
    "S5": frozenset({1, 2, 3, 4, 5, 11}),
    "L5": frozenset({1, 2, 3, 4, 5}),
    "OID": frozenset(range(1, 10)),
    "LH1": frozenset({1, 2, 3, 10}),  # LH1-10 packing group (254); LH1-09 is the residue indicator
    "LH2": frozenset({1}),
    "LH3": frozenset({1, 2}),
    "LFH": frozenset({1, 2}),
    "L3": frozenset({1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14}),
}
_STOP_AT8 = frozenset({1, 2, 3, 5})
_LADING_AT8 = frozenset({1, 2, 3, 5, 6, 7})
_CONTACT_QUALIFIERS = frozenset({"TE", "EM", "FX"})
# Hazmat emergency contact: G61-01 function and G61-03 number qualifier as written out.
_HAZMAT_FUNCTION = "HM"
_PHONE = "TE"

_WINDOW_ENDS: dict[DateKind, tuple[WindowKind, bool]] = {
    DateKind.PICKUP_NOT_BEFORE: (WindowKind.PICKUP, True),
    DateKind.PICKUP_NOT_AFTER: (WindowKind.PICKUP, False),
    DateKind.DELIVERY_NOT_BEFORE: (WindowKind.DELIVERY, True),
    DateKind.DELIVERY_NOT_AFTER: (WindowKind.DELIVERY, False),
}
_WINDOW_QUALIFIERS: dict[tuple[WindowKind, bool], str] = {
    (WindowKind.PICKUP, True): "37",
    (WindowKind.PICKUP, False): "38",
    (WindowKind.DELIVERY, True): "53",
    (WindowKind.DELIVERY, False): "54",
}


def windows_from_dates(dates: Sequence[DateTimeValue]) -> tuple[TimeWindow, ...]:
    """Pick-up and delivery windows from not-before/not-after dates (37/38, 53/54).

    The dates stay in `Stop.dates` in the order received (that is what is written back); the
    windows are a view of them for consumers that think in windows. The first of each end wins.
    """
    ends: dict[WindowKind, dict[bool, DateTimeValue]] = {}
    for value in dates:
        place = _WINDOW_ENDS.get(value.kind)
        if place is not None:
            ends.setdefault(place[0], {}).setdefault(place[1], value)
    return tuple(
        TimeWindow(kind=kind, start=sides.get(True), end=sides.get(False))
        for kind, sides in ends.items()
    )


# ---------------------------------------------------------------------------------------------
# X12 -> LoadTender


@dataclass(slots=True)
class _Hazmat:
    lh1: Segment
    lh2: Segment | None = None
    lh3: Segment | None = None
    technical: Segment | None = None


@dataclass(slots=True)
class _Contact:
    g61: Segment
    hazmat: list[_Hazmat] = field(default_factory=list)


@dataclass(slots=True)
class _Lading:
    l5: Segment
    at8: Segment | None = None
    references: list[Reference] = field(default_factory=list)
    contacts: list[_Contact] = field(default_factory=list)


@dataclass(slots=True)
class _Order:
    oid: Segment
    lading: list[_Lading] = field(default_factory=list)


@dataclass(slots=True)
class _Equipment:
    n7: Segment
    seals: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Party:
    builder: x.PartyBuilder
    references: list[Reference] = field(default_factory=list)


@dataclass(slots=True)
class _Stop:
    s5: Segment
    references: list[Reference] = field(default_factory=list)
    dates: list[Segment] = field(default_factory=list)
    at8: Segment | None = None
    notes: list[Note] = field(default_factory=list)
    party: _Party | None = None
    lading: list[_Lading] = field(default_factory=list)
    orders: list[_Order] = field(default_factory=list)
    equipment: list[_Equipment] = field(default_factory=list)


_Draft = _Party | _Equipment | _Stop | _Lading | _Contact | _Hazmat | _Order | None


@dataclass(slots=True)
class _Frame:
    kind: str
    draft: _Draft = None


@dataclass(slots=True)
class _Reader:
    maps: o.CodeMaps | None
    sink: x.WarningSink = field(default_factory=x.WarningSink)
    b2: Segment | None = None
    b2a: Segment | None = None
    currency: str = "USD"
    references: list[Reference] = field(default_factory=list)
    dates: list[Segment] = field(default_factory=list)
    mode_code: str | None = None
    notes: list[Note] = field(default_factory=list)
    parties: list[_Party] = field(default_factory=list)
    equipment: list[_Equipment] = field(default_factory=list)
    stops: list[_Stop] = field(default_factory=list)
    l3: Segment | None = None
    stack: list[_Frame] = field(default_factory=lambda: [_Frame("root")])

    def check(self, segment: Segment, carried: frozenset[int] | None = None) -> None:
        """Report every non-empty element the mapping does not carry."""
        keep = _CARRIED.get(segment.tag, frozenset()) if carried is None else carried
        for n in range(1, len(segment.elements)):
            if n not in keep and x.text(segment, n) is not None:
                self.sink.add(
                    WarningCode.IGNORED_SEGMENT,
                    f"{segment.tag}-{n:02d} is not carried by LoadTender",
                    segment,
                    n,
                    segment.el(n),
                )

    def ignore(self, segment: Segment, why: str = "is not carried by LoadTender") -> None:
        self.sink.add(WarningCode.IGNORED_SEGMENT, f"{segment.tag} {why}", segment)

    def reference(self, segment: Segment) -> Reference | None:
        self.check(segment)
        return o.reference_in(
            segment, value=1, qualifier=2, description=3, maps=self.maps, sink=self.sink
        )

    def note(self, segment: Segment) -> Note | None:
        self.check(segment)
        body = x.text(segment, 2)
        if body is None:
            self.sink.add(WarningCode.MISSING_VALUE, "NTE has no text", segment, 2)
            return None
        return Note(text=body, code=x.text(segment, 1))

    def feed(self, segment: Segment) -> None:
        tag = segment.tag
        if tag in ("ST", "SE"):
            return
        for depth in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[depth]
            if tag in _MEMBERS[frame.kind]:
                del self.stack[depth + 1 :]
                self.member(frame, segment)
                return
            child = _CHILDREN.get(frame.kind, {}).get(tag)
            if child is not None:
                del self.stack[depth + 1 :]
                self.stack.append(_Frame(child, self.open(child, frame, segment)))
                return
        self.sink.add(WarningCode.UNEXPECTED_SEGMENT, f"{tag} is not expected in a 204", segment)

    def open(self, kind: str, parent: _Frame, segment: Segment) -> _Draft:
        """Start a loop; returns the draft the loop's members fill."""
        if kind in ("party", "stop_party"):
            self.check(segment)
            party = _Party(x.PartyBuilder(n1=segment))
            if kind == "party":
                self.parties.append(party)
            elif isinstance(parent.draft, _Stop) and parent.draft.party is None:
                parent.draft.party = party
            else:
                self.ignore(segment, "is a second N1 loop in one stop (the model keeps one)")
                return None  # its members are reported with it
            return party
        if kind == "equipment":
            self.check(segment)
            item = _Equipment(segment)
            (parent.draft.equipment if isinstance(parent.draft, _Stop) else self.equipment).append(
                item
            )
            return item
        if kind == "stop":
            stop = _Stop(segment)
            self.stops.append(stop)
            return stop
        if kind == "lading":
            self.check(segment)
            lading = _Lading(segment)
            if isinstance(parent.draft, _Stop | _Order):
                parent.draft.lading.append(lading)
            return lading
        if kind == "contact":
            contact = _Contact(segment)
            if isinstance(parent.draft, _Lading):
                parent.draft.contacts.append(contact)
            return contact
        if kind == "hazmat":
            self.check(segment)
            hazmat = _Hazmat(segment)
            if isinstance(parent.draft, _Contact):
                parent.draft.hazmat.append(hazmat)
            return hazmat
        if kind == "order":
            self.check(segment)
            order = _Order(segment)
            if isinstance(parent.draft, _Stop):
                parent.draft.orders.append(order)
            return order
        # at5, summary: loops the model does not carry
        self.ignore(segment)
        return None

    def member(self, frame: _Frame, segment: Segment) -> None:
        tag, draft = segment.tag, frame.draft
        if (
            tag in _IGNORED
            or (draft is None and frame.kind != "root")  # a loop the model does not carry
            or (frame.kind == "order" and tag == "G62")
        ):
            self.ignore(segment)
        elif isinstance(draft, _Party):
            self.party_member(draft, segment)
        elif isinstance(draft, _Equipment):  # M7
            self.check(segment)
            draft.seals.extend(v for v in (x.text(segment, n) for n in range(1, 5)) if v)
        elif isinstance(draft, _Stop):
            self.stop_member(draft, segment)
        elif isinstance(draft, _Lading):
            if tag == "AT8":
                if draft.at8 is not None:
                    self.ignore(segment, "is a second AT8 in one L5 loop")
                else:
                    draft.at8 = segment
                    self.check(segment, _LADING_AT8)
            else:  # L11 (005010)
                ref = self.reference(segment)
                if ref is not None:
                    draft.references.append(ref)
        elif isinstance(draft, _Contact):  # L11 of the G61 loop: a reference of the lading line
            ref = self.reference(segment)
            lading = self.stack[-2].draft if len(self.stack) >= 2 else None
            if ref is not None and isinstance(lading, _Lading):
                lading.references.append(ref)
        elif isinstance(draft, _Hazmat):
            self.hazmat_member(draft, segment)
        else:
            self.heading_member(segment)

    def heading_member(self, segment: Segment) -> None:
        tag = segment.tag
        if tag == "B2":
            self.b2 = segment
        elif tag == "B2A":
            self.b2a = segment
        elif tag == "C3":
            currency = (x.text(segment, 1) or "").upper()
            if len(currency) == 3 and currency.isalpha():
                self.currency = currency
            else:
                self.sink.add(WarningCode.MISSING_VALUE, "C3-01 is not a currency code", segment, 1)
        elif tag == "L11":
            ref = self.reference(segment)  # reports its own dropped elements
            if ref is not None:
                self.references.append(ref)
            return
        elif tag == "G62":
            self.dates.append(segment)
        elif tag == "MS3":
            self.mode_code = x.text(segment, 4)
        elif tag == "NTE":
            note = self.note(segment)  # reports its own dropped elements
            if note is not None:
                self.notes.append(note)
            return
        elif tag == "L3":
            self.l3 = segment
        self.check(segment)

    def party_member(self, party: _Party, segment: Segment) -> None:
        if segment.tag == "L11":
            ref = self.reference(segment)
            if ref is not None:
                party.references.append(ref)
            return
        if segment.tag == "G61":
            carried = {1, 2, 4}
            if (x.text(segment, 3) or "").upper() in _CONTACT_QUALIFIERS:
                carried.add(3)
            self.check(segment, frozenset(carried))
        else:
            self.check(segment)
        party.builder.add(segment, self.sink)

    def stop_member(self, stop: _Stop, segment: Segment) -> None:
        tag = segment.tag
        if tag == "L11":
            ref = self.reference(segment)
            if ref is not None:
                stop.references.append(ref)
        elif tag == "G62":
            self.check(segment)
            stop.dates.append(segment)
        elif tag == "AT8":
            if stop.at8 is not None:
                self.ignore(segment, "is a second AT8 in one stop")
            else:
                stop.at8 = segment
        elif tag == "NTE":
            note = self.note(segment)
            if note is not None:
                stop.notes.append(note)

    def hazmat_member(self, hazmat: _Hazmat, segment: Segment) -> None:
        tag = segment.tag
        if tag == "LH2" and hazmat.lh2 is None:
            hazmat.lh2 = segment
        elif tag == "LH3" and hazmat.lh3 is None:
            hazmat.lh3 = segment
        elif tag == "LFH" and x.text(segment, 1) == "TEC" and hazmat.technical is None:
            hazmat.technical = segment
        else:
            self.ignore(segment, "(a further one in this LH1 loop) is not carried")
            return
        self.check(segment)

    # -- build ----------------------------------------------------------------------------

    def build(self, envelope: SourceMetadata, default_tz: str | None) -> LoadTender:
        sink = self.sink
        b2, b2a = self.b2, self.b2a
        if b2 is None:
            sink.add(WarningCode.MISSING_VALUE, "the 204 has no B2 segment")
        shipment_id = x.text(b2, 4) if b2 is not None else None
        if b2 is not None and shipment_id is None:
            sink.add(WarningCode.MISSING_VALUE, "B2-04 shipment id is empty", b2, 4)
        scac = x.text(b2, 2) if b2 is not None else None
        payment_code = x.text(b2, 6) if b2 is not None else None
        purpose_code = x.text(b2a, 1) if b2a is not None else None
        if b2a is None:
            sink.add(WarningCode.MISSING_VALUE, "the 204 has no B2A segment")

        respond_by: DateTimeValue | None = None
        dates: list[DateTimeValue] = []
        for segment in self.dates:
            value = x.g62(segment, sink, default_zone=default_tz)
            if value.kind is DateKind.RESPOND_BY and respond_by is None:
                respond_by = value
            else:
                dates.append(value)

        stops = [self.stop(s, default_tz) for s in self.stops]
        parties = [self.party(p, default_tz) for p in self.parties]
        equipment = [self.equipment_item(e) for e in self.equipment]
        totals = self.totals(self.l3) if self.l3 is not None else None
        purpose = Purpose.ORIGINAL
        if purpose_code:
            purpose = o.PURPOSES.classify(purpose_code, self.maps, sink, b2a, 1)
        payment = None
        if payment_code:
            payment = o.PAYMENT_METHODS.classify(payment_code, self.maps, sink, b2, 6)
        references = list(self.references)
        all_refs = references + [r for s in stops for r in s.references]
        correlation = x.correlation(all_refs, scac=scac, shipment_id=shipment_id)
        po = list(correlation.po)
        po.extend(
            order.po_number
            for s in stops
            for order in s.orders
            if order.po_number and order.po_number not in po
        )
        # every value is built before the warnings are frozen into the document
        return LoadTender(
            source=envelope,
            correlation=correlation.model_copy(update={"po": tuple(dict.fromkeys(po))}),
            warnings=tuple(sink.items),
            shipment_id=shipment_id or "",
            scac=scac,
            purpose=purpose,
            purpose_code=purpose_code,
            application_type=x.text(b2a, 2) if b2a is not None else None,
            payment_method=payment,
            payment_method_code=payment_code,
            tariff_service_code=x.text(b2, 1) if b2 is not None else None,
            mode_code=self.mode_code,
            currency=self.currency,
            respond_by=respond_by,
            dates=tuple(dates),
            parties=tuple(parties),
            references=tuple(references),
            equipment=tuple(equipment),
            stops=tuple(stops),
            totals=totals,
            notes=tuple(self.notes),
        )

    def party(self, party: _Party, default_tz: str | None) -> Party:
        built = party.builder.build(self.sink, default_zone=default_tz)
        return built.model_copy(update={"references": built.references + tuple(party.references)})

    def stop(self, draft: _Stop, default_tz: str | None) -> Stop:
        sink, s5 = self.sink, draft.s5
        sequence = x.integer(s5, 1, sink)
        if sequence is None:
            sequence = self.stops.index(draft) + 1
            sink.add(
                WarningCode.MISSING_VALUE, f"S5-01 has no stop number; numbered {sequence}", s5, 1
            )
        reason = x.text(s5, 2) or ""
        party = self.party(draft.party, default_tz) if draft.party is not None else None
        zones: list[tuple[str, TimeZoneSource]] = []
        if party is not None and party.location is not None and party.location.timezone:
            zones.append((party.location.timezone, TimeZoneSource.PARTY_LOCATION))
        dates = [x.g62(s, sink, local_zones=zones, default_zone=default_tz) for s in draft.dates]

        weight: Weight | None
        quantity: int | None
        at8 = draft.at8
        if at8 is not None and x.text(at8, 3) is not None:
            # the AT8 is the stop's weight; S5-03/04/05 would be a second copy the model lacks
            self.check(at8, _STOP_AT8)
            self.check(s5, _CARRIED["S5"] - {3, 4, 5})
            weight = x.weight(at8, value=3, unit=2, qualifier=1, sink=sink)
            quantity = x.integer(at8, 5, sink)
        else:
            self.check(s5)
            weight = x.weight(s5, value=3, unit=4, qualifier=None, sink=sink)
            quantity = x.integer(s5, 5, sink)
            if at8 is not None and quantity is None and x.text(at8, 5) is not None:
                # the gateway's own rendering: AT8-05 lading quantity needs no unit, S5-05 does
                self.check(at8, frozenset({5}))
                quantity = x.integer(at8, 5, sink)
            elif at8 is not None:
                self.ignore(at8, "without a weight is not carried (S5-03/04/05 are)")
        return Stop(
            sequence=sequence,
            reason_code=reason,
            kind=o.STOP_REASONS.classify(reason, self.maps, sink, s5, 2),
            party=party,
            dates=tuple(dates),
            windows=windows_from_dates(dates),
            references=tuple(draft.references),
            weight=weight,
            lading_quantity=quantity,
            lading=tuple(self.lading_line(item) for item in draft.lading),
            orders=tuple(self.order(item) for item in draft.orders),
            equipment=tuple(self.equipment_item(e) for e in draft.equipment),
            notes=tuple(draft.notes),
            accomplish_code=x.text(s5, 11),
        )

    def lading_line(self, draft: _Lading) -> LadingLine:
        sink, l5, at8 = self.sink, draft.l5, draft.at8
        hazmat: list[Hazmat] = []
        for contact in draft.contacts:
            if not contact.hazmat:
                self.ignore(contact.g61, "in an L5 loop with no LH1 is not carried")
                continue
            g61 = contact.g61
            carried = {2, 4}
            if x.text(g61, 1) == _HAZMAT_FUNCTION:
                carried.add(1)
            if x.text(g61, 3) == _PHONE:
                carried.add(3)
            self.check(g61, frozenset(carried))
            hazmat.extend(self.hazmat(h, g61) for h in contact.hazmat)
        return LadingLine(
            line_number=x.integer(l5, 1, sink),
            description=x.text(l5, 2),
            commodity_code=x.text(l5, 3),
            commodity_qualifier=x.text(l5, 4),
            packaging_code=x.text(l5, 5),
            quantity=x.decimal(at8, 5, sink) if at8 is not None else None,
            weight=x.weight(at8, value=3, unit=2, qualifier=1, sink=sink) if at8 else None,
            volume=x.volume(at8, value=7, unit=6, sink=sink) if at8 else None,
            hazmat=tuple(hazmat),
            references=tuple(draft.references),
        )

    def hazmat(self, draft: _Hazmat, g61: Segment) -> Hazmat:
        return Hazmat(
            packaging_unit=x.text(draft.lh1, 1),
            quantity=x.decimal(draft.lh1, 2, self.sink),
            un_na_number=x.text(draft.lh1, 3),
            packing_group=x.text(draft.lh1, 10),
            hazard_class=x.text(draft.lh2, 1) if draft.lh2 is not None else None,
            proper_shipping_name=x.text(draft.lh3, 1) if draft.lh3 is not None else None,
            shipping_name_qualifier=x.text(draft.lh3, 2) if draft.lh3 is not None else None,
            technical_name=x.text(draft.technical, 2) if draft.technical is not None else None,
            emergency_contact=x.text(g61, 2),
            emergency_phone=x.text(g61, 4),
        )

    def order(self, draft: _Order) -> OrderDetail:
        sink, oid = self.sink, draft.oid
        return OrderDetail(
            reference_id=x.text(oid, 1),
            po_number=x.text(oid, 2),
            release_number=x.text(oid, 3),
            packaging_code=x.text(oid, 4),
            quantity=x.decimal(oid, 5, sink),
            weight=x.weight(oid, value=7, unit=6, qualifier=None, sink=sink),
            volume=x.volume(oid, value=9, unit=8, sink=sink),
            lading=tuple(self.lading_line(item) for item in draft.lading),
        )

    def equipment_item(self, draft: _Equipment) -> Equipment:
        n7 = draft.n7
        try:
            length = parse_equipment_length(n7.el(15))
        except ValueParseError as exc:
            self.sink.parse_error(exc, n7, 15)
            length = None
        raw_type = x.text(n7, 11)
        if o.unknown_translation(raw_type, self.maps, o.EQUIPMENT_TYPE):
            self.sink.add(
                WarningCode.UNMAPPED_CODE,
                f"equipment type {raw_type!r} is not in the partner's map; kept raw",
                n7,
                11,
                raw_type or "",
            )
        return Equipment(
            owner_scac=x.text(n7, 1),
            number=x.text(n7, 2),
            type_code=o.translate_in(raw_type, self.maps, o.EQUIPMENT_TYPE),
            length_feet=length,
            check_digit=x.text(n7, 18),
            seal_numbers=tuple(draft.seals),
        )

    def totals(self, l3: Segment) -> Totals:
        sink = self.sink

        def money(n: int) -> Money | None:
            amount = x.n2(l3, n, sink)
            return None if amount is None else Money(amount=amount, currency=self.currency)

        return Totals(
            weight=x.weight(l3, value=1, unit=12, qualifier=2, sink=sink),
            volume=x.volume(l3, value=9, unit=10, sink=sink),
            lading_quantity=x.decimal(l3, 11, sink),
            charge=money(5),
            freight_rate=x.decimal(l3, 3, sink),
            rate_qualifier=x.text(l3, 4),
            advances=money(6),
            prepaid_amount=money(7),
            declared_value=money(14),
        )


def load_tender_from_x12(
    ts: TransactionSet,
    *,
    delimiters: Delimiters,
    envelope: SourceMetadata,
    profile_code_maps: o.CodeMaps | None = None,
    default_tz: str | None = None,
) -> LoadTender:
    """Map one 204 transaction set (004010 or 005010) to a LoadTender.

    `envelope` is the source metadata (`x12_common.source_metadata`); `profile_code_maps` the
    partner's code maps by category (`x12_out_common`: stop_reason, reference_qualifier,
    equipment_type, payment_method, purpose); `default_tz` the partner's IANA zone for local
    times at places whose zone is unknown. `delimiters` are accepted for the common transform
    signature; no element read here is a composite. Raises ValueError when the set is not a 204.
    """
    if ts.set_id != "204":
        raise ValueError(f"load_tender_from_x12 needs a 204, got {ts.set_id!r}")
    del delimiters
    reader = _Reader(maps=profile_code_maps)
    for segment in ts.segments:
        reader.feed(segment)
    return reader.build(envelope, default_tz)


# ---------------------------------------------------------------------------------------------
# LoadTender -> X12

_HEADING_PARTY = {"N2": 1, "N3": 2, "N4": 1, "L11": 1, "G61": 3}
_STOP_PARTY = {"N2": 1, "N3": 2, "N4": 1, "G61": 3}


@dataclass(slots=True)
class _Writer:
    version: str
    maps: o.CodeMaps | None
    sink: x.WarningSink = field(default_factory=x.WarningSink)

    @property
    def is_5010(self) -> bool:
        return self.version == "005010"

    def drop(self, tag: str, message: str, element: int = 0, value: str = "") -> None:
        o.out_warning(self.sink, WarningCode.IGNORED_SEGMENT, message, tag, element, value)

    def tender(self, tender: LoadTender) -> list[o.Row]:
        sink, maps = self.sink, self.maps
        payment = tender.payment_method_code
        if tender.payment_method is not None:
            payment = o.PAYMENT_METHODS.code_for(
                tender.payment_method, payment, maps, sink, "B2", 6
            )
        rows = [
            o.row(
                "B2",
                tender.tariff_service_code,
                tender.scac,
                None,
                tender.shipment_id,
                None,
                payment,
            ),
            o.row(
                "B2A",
                o.PURPOSES.code_for(tender.purpose, tender.purpose_code, maps, sink, "B2A", 1),
                tender.application_type,
            ),
        ]
        if tender.currency != "USD":
            if self.is_5010:
                rows.append(o.row("C3", tender.currency))
            else:
                self.drop("C3", f"004010 204 has no C3; currency {tender.currency} not sent")
        rows.extend(o.reference_row("L11", r, maps, sink) for r in tender.references)
        heading_dates = [tender.respond_by] if tender.respond_by is not None else []
        heading_dates.extend(tender.dates)
        rows.extend(self.dates(heading_dates, max_use=1))
        if tender.mode_code:
            # MS3-02 routing sequence is mandatory: B, origin/delivery carrier (a single carrier)
            rows.append(o.row("MS3", tender.scac, "B", None, tender.mode_code))
        rows.extend(self.notes(tender.notes, max_use=10))
        if len(tender.parties) > 5:
            self.drop("N1", f"a 204 heading has 5 N1 loops; {len(tender.parties) - 5} not sent")
        for party in tender.parties[:5]:
            rows.extend(o.party_rows(party, layout=_HEADING_PARTY, maps=maps, sink=sink))
        for item in tender.equipment:
            rows.extend(self.equipment(item))
        for stop in tender.stops:
            rows.extend(self.stop(stop))
        if not tender.stops:
            raise o.UnrepresentableError("a 204 needs at least one stop (S5 loop is mandatory)")
        if tender.lading:
            self.drop("L5", "tender-level lading has no place in a 204 (lading is per stop)")
        if tender.totals is not None:
            rows.append(self.totals(tender.totals))
        return rows

    def dates(self, values: Sequence[DateTimeValue], *, max_use: int) -> list[o.Row]:
        rows = [r for r in (o.g62_row(v, self.sink) for v in values) if r is not None]
        if len(rows) > max_use:
            self.drop("G62", f"this loop allows {max_use} G62; {len(rows) - max_use} not sent")
        return rows[:max_use]

    def notes(self, notes: Sequence[Note], *, max_use: int) -> list[o.Row]:
        if len(notes) > max_use:
            self.drop("NTE", f"this loop allows {max_use} NTE; {len(notes) - max_use} not sent")
        return [o.row("NTE", n.code, n.text) for n in notes[:max_use]]

    def stop(self, stop: Stop) -> list[o.Row]:
        sink, maps = self.sink, self.maps
        weight = stop.weight
        on_at8 = weight is not None and weight.qualifier is not None
        s5_weight = None if on_at8 else weight
        # The lading quantity goes to AT8-05 (element 80, no unit): S5-05 would need its unit of
        # measure in S5-06 (syntax note P0506), which Stop does not carry.
        rows = [
            o.row(
                "S5",
                str(stop.sequence),
                o.STOP_REASONS.code_for(stop.kind, stop.reason_code, maps, sink, "S5", 2),
                o.fmt_r(s5_weight.value) if s5_weight else None,
                o.weight_unit_code(s5_weight) if s5_weight else None,
                None,
                None,
                None,
                None,
                None,
                None,
                stop.accomplish_code,
            )
        ]
        rows.extend(o.reference_row("L11", r, maps, sink) for r in stop.references)
        dates = list(stop.dates)
        for window in stop.windows:  # a window end not already among the dates (TMS tenders)
            for end, is_start in ((window.start, True), (window.end, False)):
                if end is not None and end not in dates:
                    qualifier = _WINDOW_QUALIFIERS.get((window.kind, is_start))
                    dates.append(
                        end
                        if end.qualifier or qualifier is None
                        else end.model_copy(update={"qualifier": qualifier})
                    )
        rows.extend(self.dates(dates, max_use=3 if self.is_5010 else 2))
        at8_weight = weight if on_at8 else None
        if at8_weight is not None or stop.lading_quantity is not None:
            rows.append(
                o.row(
                    "AT8",
                    at8_weight.qualifier if at8_weight else None,
                    o.weight_unit_code(at8_weight) if at8_weight else None,
                    o.fmt_r(at8_weight.value) if at8_weight else None,
                    None,
                    o.fmt_int(stop.lading_quantity),
                )
            )
        rows.extend(self.notes(stop.notes, max_use=20))
        if stop.party is not None:
            rows.extend(o.party_rows(stop.party, layout=_STOP_PARTY, maps=maps, sink=sink))
        for line in stop.lading:
            rows.extend(self.lading(line))
        for order in stop.orders:
            rows.extend(self.order(order))
        for item in stop.equipment:
            rows.extend(self.equipment(item))
        return rows

    def lading(self, line: LadingLine, *, in_order: bool = False) -> list[o.Row]:
        rows = [
            o.row(
                "L5",
                o.fmt_int(line.line_number),
                line.description,
                line.commodity_code,
                line.commodity_qualifier,
                line.packaging_code,
            )
        ]
        if line.weight is not None or line.volume is not None or line.quantity is not None:
            w, v = line.weight, line.volume
            rows.append(
                o.row(
                    "AT8",
                    w.qualifier if w else None,
                    o.weight_unit_code(w) if w else None,
                    o.fmt_r(w.value) if w else None,
                    None,
                    o.fmt_int(line.quantity),
                    o.volume_unit_code(v) if v else None,
                    o.fmt_r(v.value) if v else None,
                )
            )
        references = [o.reference_row("L11", r, self.maps, self.sink) for r in line.references]
        if self.is_5010 and not in_order:
            rows.extend(references)  # 005010 gave the L5 loop its own L11
            references = []
        for field_name in ("freight_class", "declared_value"):
            if getattr(line, field_name) is not None:
                self.drop("L5", f"a 204 lading line has no {field_name}; not sent")
        if line.notes:
            self.drop("L5", "a 204 lading line has no notes; not sent")
        # hazmat items of one emergency contact share its G61 loop (the LH1 loop nests in it)
        groups: list[tuple[tuple[str | None, str | None], list[Hazmat]]] = []
        for item in line.hazmat:
            key = (item.emergency_contact, item.emergency_phone)
            if groups and groups[-1][0] == key:
                groups[-1][1].append(item)
            else:
                groups.append((key, [item]))
        for index, ((contact, phone), items) in enumerate(groups):
            rows.append(o.row("G61", _HAZMAT_FUNCTION, contact, _PHONE if phone else None, phone))
            if index == 0:
                rows.extend(references)  # the G61 loop's L11 (004010, and OID lading in 005010)
                references = []
            for item in items:
                rows.extend(self.hazmat(item))
        if references:
            self.drop(
                "L11",
                f"{len(references)} lading reference(s) need a G61 hazmat contact loop here",
            )
        return rows

    def hazmat(self, item: Hazmat) -> list[o.Row]:
        """One LH1 loop: LH1, then LH2 class, LH3 shipping name, LFH*TEC technical name.

        LH1-01 (unit, 355) and LH1-02 (lading quantity, 80) are mandatory and LH3-02 (name
        qualifier, 984) goes with the name (P0102): Hazmat carries all three, and a tender that
        lacks one is refused by `conform` rather than sent with an LH1 the carrier's 997 rejects
        (or without its hazardous-material details)."""
        rows = [
            o.row(
                "LH1",
                item.packaging_unit,
                o.fmt_int(item.quantity),
                item.un_na_number,
                *([None] * 6),
                item.packing_group,
            )
        ]
        if item.hazard_class:
            rows.append(o.row("LH2", item.hazard_class))
        if item.proper_shipping_name or item.shipping_name_qualifier:
            name, qualifier = item.proper_shipping_name, item.shipping_name_qualifier
            if not (name and qualifier):
                raise o.UnrepresentableError(
                    f"hazmat {item.un_na_number or ''!r}: LH3 needs both the proper shipping name"
                    " and its qualifier (LH3-02, e.g. D for DOT; syntax note P0102)"
                )
            rows.append(o.row("LH3", name, qualifier))
        if item.technical_name:
            rows.append(o.row("LFH", "TEC", item.technical_name))
        return rows

    def order(self, order: OrderDetail) -> list[o.Row]:
        w, v = order.weight, order.volume
        packaging = order.packaging_code
        # OID-04 is element 355 (unit of measurement, 2 characters) in 004010 but 211 (packaging
        # form, 3 characters) in 005010 (generated dictionary): a code of the other list is not
        # sent (and OID-05, its pair under P0405, with it), never translated by guesswork
        if packaging and not o.code_in_list(self.version, "OID", 4, packaging):
            self.drop(
                "OID",
                f"OID-04 {packaging!r} is not a code of this version's element; not sent",
                4,
                packaging,
            )
            packaging = None
        rows = [
            o.row(
                "OID",
                order.reference_id,
                order.po_number,
                order.release_number,
                packaging,
                o.fmt_r(order.quantity),
                o.weight_unit_code(w) if w else None,
                o.fmt_r(w.value) if w else None,
                o.volume_unit_code(v) if v else None,
                o.fmt_r(v.value) if v else None,
            )
        ]
        if order.references:
            self.drop("OID", "an OID loop has no L11; order references not sent")
        for line in order.lading:
            rows.extend(self.lading(line, in_order=True))
        return rows

    def equipment(self, item: Equipment) -> list[o.Row]:
        if not item.number:
            o.out_warning(
                self.sink, WarningCode.MISSING_VALUE, "N7-02 equipment number is empty", "N7", 2
            )
        values: list[str | None] = [None] * 18
        values[0], values[1] = item.owner_scac, item.number
        values[10] = o.translate_out(item.type_code, self.maps, o.EQUIPMENT_TYPE)
        values[14] = o.fmt_length(item.length_feet)
        values[17] = item.check_digit
        rows = [o.row("N7", *values)]
        seals = list(item.seal_numbers)
        if len(seals) > 8:
            self.drop("M7", f"two M7 hold 8 seals; {len(seals) - 8} not sent")
        rows.extend(o.row("M7", *seals[i : i + 4]) for i in range(0, min(len(seals), 8), 4))
        if item.description:
            self.drop("N7", "N7 has no equipment description text; not sent")
        return rows

    def totals(self, totals: Totals) -> o.Row:
        w, v = totals.weight, totals.volume

        def amount(money: Money | None, min_len: int = 1) -> str | None:
            return o.fmt_n2(money.amount, min_len) if money is not None else None

        values: list[str | None] = [None] * 14
        values[0] = o.fmt_r(w.value) if w else None
        values[1] = w.qualifier if w else None
        values[2] = o.fmt_r(totals.freight_rate)
        values[3] = totals.rate_qualifier
        values[4] = amount(totals.charge)
        values[5] = amount(totals.advances)
        values[6] = amount(totals.prepaid_amount)
        values[8] = o.fmt_r(v.value) if v else None
        values[9] = o.volume_unit_code(v) if v else None
        values[10] = o.fmt_int(totals.lading_quantity)
        values[11] = o.weight_unit_code(w) if w else None
        values[13] = amount(totals.declared_value, 2)  # L3-14 is N2 2/12
        return o.row("L3", *values)


def x12_from_load_tender(
    tender: LoadTender,
    *,
    version: str,
    control_number: str = "0001",
    profile_code_maps: o.CodeMaps | None = None,
    warnings: list[MappingWarning] | None = None,
    default_payment_method: str | None = None,
) -> list[list[str]]:
    """Render a LoadTender as the ST..SE segments of a 204 (tag first, raw element values).

    `default_payment_method` is the partner profile's B2-06 code (`x12.payment_method`) for a
    tender that carries none: B2-06 is mandatory, so without either the 204 is refused.

    `version` is "004010" or "005010" (a GS08 such as "004010VICS" picks its base layout);
    `control_number` is ST02/SE02, allocated by the caller; `profile_code_maps` are the partner's
    code maps (reversed here); what the 204 cannot hold is appended to `warnings`, and every row
    is conformed to the version's dictionary (`x12_out_common.conform`: an element a syntax note
    forbids is not sent, and reported). What no valid 204 can carry raises UnrepresentableError
    (a ValueError): no stop, hazmat (see `_Writer.hazmat`), a mandatory element with no value, a
    value that does not fit its element. Values are not escaped: the writer refuses any value
    containing a delimiter.
    """
    writer = _Writer(version=o.base_version(version), maps=profile_code_maps)
    if default_payment_method and tender.payment_method is None and not tender.payment_method_code:
        tender = tender.model_copy(update={"payment_method_code": default_payment_method})
    try:
        body = o.conform_rows(writer.tender(tender), writer.version, writer.sink)
    except o.UnrepresentableError as exc:
        if "B2-06" in str(exc):
            raise o.UnrepresentableError(
                f"{exc}: the tender has no method of payment; set x12.payment_method in the"
                " carrier's profile (the terms agreed with it, e.g. PP)"
            ) from exc
        raise
    o.deliver(writer.sink, warnings)
    return o.frame("204", control_number, body)


__all__ = ["load_tender_from_x12", "windows_from_dates", "x12_from_load_tender"]
