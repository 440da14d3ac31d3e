"""X12 210 (Motor Carrier Freight Details and Invoice) -> canonical FreightInvoice.

004010 (N9 references, SPO loops) and 005010 (L11, OID) are both read; either tag is accepted in
either version because senders mix them. Every L1 becomes a ChargeLine (negative N2 amounts are
allowances such as DSC); an LX loop's L0 lines become LadingLines, its L5 text describes the
charges that carry no L1-12. The sum of the lines is checked against B3-07 and L3-05: a mismatch
is a warning on the document, never an exception. N1 loops inside an LX join the invoice's
parties (the canonical charge line has no party). B3-12 (a date with no standard meaning) is not
carried.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.canonical import (
    ChargeKind,
    ChargeLine,
    DateKind,
    DateTimeValue,
    Equipment,
    FreightInvoice,
    LadingLine,
    Money,
    Note,
    Party,
    PartyRole,
    Reference,
    ReferenceKind,
    SourceMetadata,
    Stop,
    TimeZoneSource,
    WarningCode,
    Weight,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from transforms import codes
from transforms import x12_common as x
from transforms.values import ValueParseError, parse_date, parse_equipment_length

# Profile `code_maps` key holding the partner's L1-08 charge codes -> ChargeKind values.
CHARGE_CODE_MAP = "charge_codes"

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CHARGE_KINDS = frozenset(k.value for k in ChargeKind)

# Segments the canonical invoice does not carry; recorded so nothing disappears silently.
_IGNORED = frozenset(
    {"C2", "ITD", "R3", "H1", "H2", "L4", "POD", "SPO", "SDQ", "CD3", "H6", "L9", "M7"}
)

_PICKUP_KINDS = frozenset(
    {
        DateKind.ACTUAL_PICKUP,
        DateKind.SHIPPED,
        DateKind.REQUESTED_PICKUP,
        DateKind.PICKUP_NOT_BEFORE,
        DateKind.PICKUP_NOT_AFTER,
        DateKind.SCHEDULED_PICKUP,
    }
)
_DELIVERY_KINDS = frozenset(
    {
        DateKind.DELIVERED,
        DateKind.ESTIMATED_DELIVERY,
        DateKind.REQUESTED_DELIVERY,
        DateKind.DELIVERY_NOT_BEFORE,
        DateKind.DELIVERY_NOT_AFTER,
        DateKind.SCHEDULED_DELIVERY,
    }
)
_PICKUP_ROLES = (PartyRole.SHIPPER, PartyRole.SHIP_FROM, PartyRole.PICKUP_ADDRESS)
_DELIVERY_ROLES = (PartyRole.CONSIGNEE, PartyRole.SHIP_TO, PartyRole.DELIVERY_ADDRESS)


@dataclass(slots=True)
class _Line:
    """One LX loop: its charges (L1), lading (L0), descriptions (L5) and tariff (L7)."""

    number: int | None
    l5: list[Segment] = field(default_factory=list)
    l0: list[Segment] = field(default_factory=list)
    l1: list[Segment] = field(default_factory=list)
    l7: list[Segment] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass(slots=True)
class _StopDraft:
    s5: Segment
    references: list[Reference] = field(default_factory=list)
    dates: list[Segment] = field(default_factory=list)
    parties: list[x.PartyBuilder] = field(default_factory=list)
    equipment: list[Equipment] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    sink: x.WarningSink
    b3: Segment | None = None
    c3: Segment | None = None
    l3: Segment | None = None
    references: list[Reference] = field(default_factory=list)
    date_segments: list[Segment] = field(default_factory=list)
    parties: list[x.PartyBuilder] = field(default_factory=list)
    equipment: list[Equipment] = field(default_factory=list)
    stops: list[_StopDraft] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    stop: _StopDraft | None = None  # the open S5 loop
    line: _Line | None = None  # the open LX loop
    party: x.PartyBuilder | None = None  # the open N1 loop
    n7: Equipment | None = None  # the open N7 loop (M7 seals attach to it)
    n7_owner: list[Equipment] | None = None  # where the open N7 was appended


def freight_invoice_from_x12(
    ts: TransactionSet,
    *,
    delimiters: Delimiters,
    envelope: SourceMetadata,
    profile_code_maps: Mapping[str, Mapping[str, str]] | None = None,
    default_tz: str | None = None,
) -> FreightInvoice:
    """Map one 210 transaction set to a FreightInvoice.

    `delimiters` are the interchange's (no 210 element this mapping reads is a composite, so they
    are not used); `envelope` is the source metadata (`transforms.x12_common.source_metadata`);
    `profile_code_maps` are the partner profile's code maps, of which `charge_codes` (L1-08 code ->
    ChargeKind value) is read; `default_tz` is the partner's IANA zone for local times.
    Raises ValueError when the set is not a 210 or has no B3.
    """
    if ts.set_id != "210":
        raise ValueError(f"freight_invoice_from_x12 needs a 210, got {ts.set_id!r}")
    del delimiters  # see the docstring: no composite element is read
    state = _State(sink=x.WarningSink())
    for segment in ts.segments:
        _consume(state, segment)
    if state.b3 is None:
        raise ValueError("the 210 has no B3 segment")
    charge_map = (profile_code_maps or {}).get(CHARGE_CODE_MAP, {})
    return _build(state, state.b3, envelope, charge_map, default_tz)


def _consume(state: _State, segment: Segment) -> None:
    tag = segment.tag
    sink = state.sink
    if tag in ("ST", "SE"):
        return
    if state.n7 is not None and tag == "M7":
        seals = [v for v in (x.text(segment, n) for n in range(1, 5)) if v]
        _add_seals(state, seals)
        return
    state.n7 = None
    if state.party is not None and state.party.add(segment, sink):
        return
    state.party = None

    if tag == "B3":
        state.b3 = segment
    elif tag == "C3":
        state.c3 = segment
    elif tag in ("N9", "L11"):
        ref = (x.reference_from_n9 if tag == "N9" else x.reference_from_l11)(segment, sink)
        if ref is not None:
            _references_of(state).append(ref)
    elif tag == "G62":
        (state.stop.dates if state.stop and not state.line else state.date_segments).append(segment)
    elif tag == "N1":
        state.party = x.PartyBuilder(n1=segment)
        (state.stop.parties if state.stop and not state.line else state.parties).append(state.party)
    elif tag == "N7":
        owner = state.stop.equipment if state.stop and not state.line else state.equipment
        state.n7 = _n7(segment, sink)
        state.n7_owner = owner
        owner.append(state.n7)
    elif tag == "S5":
        state.stop = _StopDraft(s5=segment)
        state.stops.append(state.stop)
        state.line = None
    elif tag == "LX":
        state.line = _Line(number=x.integer(segment, 1, sink))
        state.lines.append(state.line)
    elif tag in ("L5", "L0", "L1", "L7") and state.line is not None:
        getattr(state.line, tag.lower()).append(segment)
    elif tag in ("L5", "L0", "L1", "L7"):
        sink.add(WarningCode.UNEXPECTED_SEGMENT, f"{tag} outside an LX loop", segment)
    elif tag == "L3":
        state.l3 = segment
        state.line = None
    elif tag in ("K1", "H3"):
        code = x.text(segment, 1) if tag == "H3" else None
        state.notes.extend(Note(text=v, code=code) for v in _note_texts(segment))
    elif tag == "OID" and x.text(segment, 2):
        # OID-02 is the purchase order the loop bills for (005010)
        _references_of(state).append(
            Reference(qualifier="PO", kind=ReferenceKind.PO, value=x.text(segment, 2) or "")
        )
    elif tag in _IGNORED or tag == "OID":
        sink.add(WarningCode.IGNORED_SEGMENT, f"{tag} is not carried by FreightInvoice", segment)
    else:
        sink.add(WarningCode.UNEXPECTED_SEGMENT, f"{tag} is not expected here in a 210", segment)


def _references_of(state: _State) -> list[Reference]:
    if state.line is not None:
        return state.line.references
    if state.stop is not None:
        return state.stop.references
    return state.references


def _note_texts(segment: Segment) -> list[str]:
    """K1-01/02 are free text; H3-02 is the special handling description (H3-01 the code)."""
    positions = (2,) if segment.tag == "H3" else (1, 2)
    texts = [v for v in (x.text(segment, n) for n in positions) if v]
    if segment.tag == "H3" and not texts and x.text(segment, 1):
        texts = [x.text(segment, 1) or ""]
    return texts


def _add_seals(state: _State, seals: list[str]) -> None:
    if state.n7 is None or state.n7_owner is None or not seals:
        return
    updated = state.n7.model_copy(update={"seal_numbers": state.n7.seal_numbers + tuple(seals)})
    state.n7_owner[state.n7_owner.index(state.n7)] = updated
    state.n7 = updated


def _n7(segment: Segment, sink: x.WarningSink) -> Equipment:
    """N7: 01 equipment initial, 02 number, 11 equipment description code, 12 owner SCAC,
    15 length (FFII), 18 check digit."""
    length = None
    try:
        length = parse_equipment_length(segment.el(15))
    except ValueParseError as exc:
        sink.parse_error(exc, segment, 15)
    return Equipment(
        owner_scac=x.text(segment, 1) or x.text(segment, 12),
        number=x.text(segment, 2),
        type_code=x.text(segment, 11),
        length_feet=length or None,  # "0000" is sent for "not stated"
        check_digit=x.text(segment, 18),
    )


def _build(
    state: _State,
    b3: Segment,
    envelope: SourceMetadata,
    charge_map: Mapping[str, str],
    default_tz: str | None,
) -> FreightInvoice:
    sink = state.sink
    currency = _currency(state.c3, sink)
    invoice_number = x.text(b3, 2)
    if invoice_number is None:
        sink.add(WarningCode.MISSING_VALUE, "B3-02 invoice number is empty", b3, 2)
    total_due = x.n2(b3, 7, sink)
    if total_due is None and not b3.el(7).strip():
        sink.add(WarningCode.MISSING_VALUE, "B3-07 net amount due is empty; 0 assumed", b3, 7)
    weight_unit = x.text(b3, 5)

    parties = [p.build(sink, default_zone=default_tz) for p in state.parties]
    charges = [c for line in state.lines for c in _charges(line, currency, charge_map, sink)]
    lading = [item for line in state.lines for item in _lading(line, weight_unit, sink)]
    line_refs = [r for line in state.lines for r in line.references]
    stops = [_stop(s, sink, default_tz) for s in state.stops]
    dates = _invoice_dates(state, parties, default_tz)

    payment_code = x.text(b3, 4)
    l3 = state.l3
    total_charge = x.n2(l3, 5, sink) if l3 is not None else None
    _check_totals(charges, total_due, total_charge, b3, l3, sink)

    references = state.references + line_refs
    all_refs = references + [r for p in parties for r in p.references]
    scac, shipment_id = x.text(b3, 11), x.text(b3, 3)
    bill_date, delivery_date = _date(b3, 6, sink), _date(b3, 9, sink)
    total_weight = _l3_weight(l3, weight_unit, sink) if l3 is not None else None
    total_quantity = x.decimal(l3, 11, sink) if l3 is not None else None
    # every value is parsed above: the warnings tuple is taken last
    return FreightInvoice(
        source=envelope,
        correlation=x.correlation(all_refs, scac=scac, shipment_id=shipment_id),
        warnings=tuple(sink.items),
        invoice_number=invoice_number or "",
        scac=scac,
        shipment_id=shipment_id,
        bill_date=bill_date,
        delivery_date=delivery_date,
        payment_method=codes.payment_method(payment_code) if payment_code else None,
        payment_method_code=payment_code,
        correction_indicator=x.text(b3, 8),
        currency=currency,
        total_due=Money(amount=total_due or Decimal(0), currency=currency),
        total_charge=None
        if total_charge is None
        else Money(amount=total_charge, currency=currency),
        total_weight=total_weight,
        total_quantity=total_quantity,
        charges=tuple(charges),
        lading=tuple(lading),
        parties=tuple(parties),
        references=tuple(references),
        dates=tuple(dates),
        stops=tuple(stops),
        equipment=tuple(state.equipment),
        notes=tuple(state.notes),
    )


def _currency(c3: Segment | None, sink: x.WarningSink) -> str:
    """C3-01, the currency of every amount; USD when the invoice names none."""
    if c3 is None:
        return "USD"
    raw = (x.text(c3, 1) or "").upper()
    if _CURRENCY.match(raw):
        return raw
    sink.add(
        WarningCode.UNMAPPED_CODE, f"C3-01 {raw!r} is not a currency code; USD assumed", c3, 1, raw
    )
    return "USD"


def _date(segment: Segment, n: int, sink: x.WarningSink) -> dt.date | None:
    try:
        return parse_date(segment.el(n))
    except ValueParseError as exc:
        sink.parse_error(exc, segment, n)
        return None


def _charges(
    line: _Line, currency: str, charge_map: Mapping[str, str], sink: x.WarningSink
) -> list[ChargeLine]:
    """L1: 01 line number, 02 rate, 03 rate qualifier, 04 charge (N2), 08 special charge code,
    12 description, 17/18 billed or rated-as quantity and qualifier."""
    first_l0 = line.l0[0] if line.l0 else None
    weight = None
    if first_l0 is not None:
        weight = _weight(first_l0, value=4, unit=11, qualifier=5, fallback_unit=None, sink=sink)
    result = []
    for l1 in line.l1:
        amount = x.n2(l1, 4, sink)
        if amount is None:
            sink.add(WarningCode.MISSING_VALUE, "L1-04 charge is empty; no line billed", l1, 4)
            continue
        code = x.text(l1, 8)
        quantity, quantity_qualifier = x.decimal(l1, 17, sink), x.text(l1, 18)
        if quantity is None and first_l0 is not None:
            quantity, quantity_qualifier = x.decimal(first_l0, 2, sink), x.text(first_l0, 3)
        result.append(
            ChargeLine(
                line_number=x.integer(l1, 1, sink) or line.number,
                code=code,
                kind=_charge_kind(code, l1, charge_map, sink),
                description=x.text(l1, 12) or _l5_text(line),
                rate=x.decimal(l1, 2, sink),
                rate_qualifier=x.text(l1, 3),
                amount=Money(amount=amount, currency=currency),
                quantity=quantity,
                quantity_qualifier=quantity_qualifier,
                weight=weight,
            )
        )
    return result


def _charge_kind(
    code: str | None, l1: Segment, charge_map: Mapping[str, str], sink: x.WarningSink
) -> ChargeKind:
    """The partner's map first, then the standard table; an unknown code is kept raw as OTHER.

    An L1 with no L1-08 is OTHER without a warning: carriers commonly leave the base charge
    uncoded, and the gateway does not guess that it is the freight charge.
    """
    if code is None:
        return ChargeKind.OTHER
    key = code.upper()
    if key in charge_map:
        value = charge_map[key].strip().lower()
        if value in _CHARGE_KINDS:
            return ChargeKind(value)
        sink.add(
            WarningCode.INVALID_PROFILE_MAPPING,
            f"partner map gives {charge_map[key]!r} for charge code {code!r}, "
            "which is not a canonical charge kind",
            l1,
            8,
            code,
        )
    kind = codes.CHARGE_KINDS.get(key)
    if kind is None:
        sink.add(
            WarningCode.UNMAPPED_CODE,
            f"charge code {code!r} has no canonical kind; kept raw",
            l1,
            8,
            code,
        )
        return ChargeKind.OTHER
    return kind


def _l5_text(line: _Line) -> str | None:
    """The LX's L5-02 descriptions, joined: senders continue one text over several L5."""
    texts = [t for t in (x.text(s, 2) for s in line.l5) if t]
    return " ".join(texts) or None


def _lading(line: _Line, weight_unit: str | None, sink: x.WarningSink) -> list[LadingLine]:
    """One LadingLine per L0 that carries a weight, quantity or volume (an LX whose L0 is empty
    describes a charge, not freight). L0: 04 weight, 05 qualifier, 06/07 volume, 08 lading
    quantity, 09 packaging, 11 weight unit; L5: 03/04 commodity; L7-07 freight class."""
    l5 = line.l5[0] if line.l5 else None
    commodity = x.text(l5, 3) if l5 is not None else None
    common = {
        "description": _l5_text(line),
        "commodity_code": commodity,
        "commodity_qualifier": x.text(l5, 4) if l5 is not None else None,
        "freight_class": next((v for v in (x.text(s, 7) for s in line.l7) if v), None),
        "references": tuple(line.references),
    }
    result = []
    for l0 in line.l0:
        weight = _weight(l0, value=4, unit=11, qualifier=5, fallback_unit=weight_unit, sink=sink)
        quantity = x.decimal(l0, 8, sink)
        volume = x.volume(l0, value=6, unit=7, sink=sink)
        if weight is None and quantity is None and volume is None:
            continue
        result.append(
            LadingLine(
                line_number=x.integer(l0, 1, sink) or line.number,
                quantity=quantity,
                packaging_code=x.text(l0, 9),
                weight=weight,
                volume=volume,
                **common,
            )
        )
    if not result and commodity is not None:
        result.append(LadingLine(line_number=line.number, **common))
    return result


def _weight(
    segment: Segment,
    *,
    value: int,
    unit: int,
    qualifier: int,
    fallback_unit: str | None,
    sink: x.WarningSink,
) -> Weight | None:
    """A weight whose unit falls back to the invoice's B3-05 when the segment names none."""
    amount = x.decimal(segment, value, sink)
    if amount is None:
        return None
    unit_code = x.text(segment, unit) or fallback_unit
    return Weight(
        value=amount,
        unit=codes.weight_unit(unit_code or ""),
        unit_code=unit_code,
        qualifier=x.text(segment, qualifier),
    )


def _l3_weight(l3: Segment, weight_unit: str | None, sink: x.WarningSink) -> Weight | None:
    """L3: 01 weight, 02 weight qualifier, 12 weight unit."""
    return _weight(l3, value=1, unit=12, qualifier=2, fallback_unit=weight_unit, sink=sink)


def _stop(draft: _StopDraft, sink: x.WarningSink, default_tz: str | None) -> Stop:
    """S5: 01 stop sequence, 02 reason, 03/04 weight and unit, 05 units; its N1 is the place."""
    s5 = draft.s5
    parties = [p.build(sink, default_zone=default_tz) for p in draft.parties]
    for extra in draft.parties[1:]:
        sink.add(WarningCode.IGNORED_SEGMENT, "a stop carries one party; N1 not kept", extra.n1)
    party = parties[0] if parties else None
    zones = _zones([party] if party else [])
    sequence = x.integer(s5, 1, sink)
    if sequence is None:
        sink.add(WarningCode.MISSING_VALUE, "S5-01 stop sequence is empty; 0 assumed", s5, 1)
    reason = x.text(s5, 2) or ""
    return Stop(
        sequence=sequence or 0,
        reason_code=reason,
        kind=codes.stop_kind(reason),
        party=party,
        dates=tuple(
            x.g62(s, sink, local_zones=zones, default_zone=default_tz) for s in draft.dates
        ),
        references=tuple(draft.references),
        weight=x.weight(s5, value=3, unit=4, qualifier=None, sink=sink),
        lading_quantity=x.integer(s5, 5, sink),
        equipment=tuple(draft.equipment),
    )


def _zones(parties: list[Party]) -> list[tuple[str, TimeZoneSource]]:
    return [
        (p.location.timezone, TimeZoneSource.PARTY_LOCATION)
        for p in parties
        if p.location is not None and p.location.timezone
    ]


def _invoice_dates(
    state: _State, parties: list[Party], default_tz: str | None
) -> list[DateTimeValue]:
    """Heading G62s; a local time is read in the shipper's zone for pick-up dates and the
    consignee's for delivery dates (the invoice's N1 loops follow its G62s, hence at the end)."""
    result = []
    for segment in state.date_segments:
        kind = codes.date_kind(segment.el(1))
        roles = (
            _PICKUP_ROLES
            if kind in _PICKUP_KINDS
            else _DELIVERY_ROLES
            if kind in _DELIVERY_KINDS
            else ()
        )
        zones = _zones([p for p in parties if p.role in roles])
        result.append(x.g62(segment, state.sink, local_zones=zones, default_zone=default_tz))
    return result


def _check_totals(
    charges: list[ChargeLine],
    total_due: Decimal | None,
    total_charge: Decimal | None,
    b3: Segment,
    l3: Segment | None,
    sink: x.WarningSink,
) -> None:
    """The lines must add up to B3-07 and L3-05. The canonical model has no dedicated warning
    code for a totals mismatch, so INVALID_NUMBER names the total that disagrees."""
    if not charges:
        return
    lines_sum = sum((c.amount.amount for c in charges), Decimal(0))
    checks = [(b3, 7, "B3-07 net amount due", total_due)]
    if l3 is not None:
        checks.append((l3, 5, "L3-05 total charge", total_charge))
    for segment, element, name, total in checks:
        if total is not None and total != lines_sum:
            sink.add(
                WarningCode.INVALID_NUMBER,
                f"{name} {total} differs from the sum of the L1 charges {lines_sum}",
                segment,
                element,
                segment.el(element),
            )
