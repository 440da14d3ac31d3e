"""Canonical ShipmentStatus -> X12 214, 004010 and 005010, for partners that want status by EDI.

The inverse of `transforms.x12_214`: events that share an LX number form one LX loop (its L11, Q7,
K1, AT8 and, in 005010, N1 loops come from the loop's first event); each event is one AT7 loop
with MS1/MS2 (and M7, K1 in 005010). AT7 dates and codes are written as received when the event
came from X12, and derived from the canonical values otherwise. 005010 has no heading L11, K1 or
N1: the first heading reference goes to B10-05/06 and the heading parties into every LX loop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gateway.canonical import (
    Location,
    MappingWarning,
    Note,
    Party,
    ReasonKind,
    Reference,
    ReferenceKind,
    ShipmentStatus,
    StatusKind,
    TrackingEvent,
    WarningCode,
)
from transforms import x12_common as x
from transforms import x12_out_common as o
from transforms.status_taxonomy import APPOINTMENT_KINDS, STANDARD_REASONS, STANDARD_STATUS

STATUSES: o.CodeTable[StatusKind] = o.CodeTable(o.AT7_STATUS, STANDARD_STATUS, StatusKind.UNMAPPED)
_PARTY_4010 = {"N2": 1, "N3": 2, "N4": 1, "G61": 1, "G62": 1, "L11": 10}
_PARTY_5010 = {"N2": 1, "N3": 2, "N4": 1, "G62": 1, "L11": 10}


def _dddmmss(degrees: float, width: int) -> str:
    """Decimal degrees as the standard's DDDMMSS (MS1-04/05), sign dropped (see direction)."""
    total = round(abs(degrees) * 3600)
    whole, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{whole:0{width}d}{minutes:02d}{seconds:02d}"


def _ms1(location: Location, is_5010: bool) -> o.Row:
    """MS1: 01 city, 02 state, 03 country, 04 longitude, 05 latitude, 06 E/W, 07 N/S, 08 postal."""
    lon, lat = location.longitude, location.latitude
    return o.row(
        "MS1",
        location.city,
        location.state,
        location.country,
        _dddmmss(lon, 3) if lon is not None else None,
        _dddmmss(lat, 3) if lat is not None else None,
        ("W" if lon < 0 else "E") if lon is not None else None,
        ("S" if lat < 0 else "N") if lat is not None else None,
        location.postal_code if is_5010 else None,
    )


def _common_suffix(lists: Sequence[Sequence[object]]) -> int:
    """Length of the longest common suffix of the sequences."""
    if not lists:
        return 0
    n = min(len(items) for items in lists)
    size = 0
    while size < n and all(
        items[len(items) - 1 - size] == lists[0][len(lists[0]) - 1 - size] for items in lists
    ):
        size += 1
    return size


@dataclass(slots=True)
class _Writer:
    is_5010: bool
    maps: o.CodeMaps | None
    sink: x.WarningSink = field(default_factory=x.WarningSink)

    def drop(self, tag: str, message: str, element: int = 0) -> None:
        o.out_warning(self.sink, WarningCode.IGNORED_SEGMENT, message, tag, element)

    def status(self, status: ShipmentStatus) -> list[o.Row]:
        maps, sink = self.maps, self.sink
        heading_refs = list(status.references)
        b10_ref: Reference | None = None
        # B10 (generated dictionary): R0106 needs B10-01 (PRO) or B10-06 (reference), E0105
        # allows B10-01 or B10-05. The first heading reference goes to B10-05/06 only when
        # there is no PRO; otherwise it stays with the others (004010 L11, 005010 LX loops).
        # No SCAC (B10-03 mandatory) or neither: UnrepresentableError (`conform`).
        if heading_refs and not status.pro_number:
            b10_ref = heading_refs.pop(0)
        rows = [
            o.row(
                "B10",
                status.pro_number,
                status.shipment_id,
                status.scac,
                None,
                o.REFERENCES.code_for(b10_ref.kind, b10_ref.qualifier, maps, sink, "B10", 5)
                if b10_ref
                else None,
                b10_ref.value if b10_ref else None,
            )
        ]
        interline = [
            o.row("MS3", i.scac, i.routing_sequence_code, i.city, i.mode_code, i.state)
            for i in status.interline
        ]
        if self.is_5010:
            rows.extend(interline[:12])
            if status.notes:
                self.drop("K1", f"a 005010 214 has no heading K1; {len(status.notes)} not sent")
        else:
            refs = [o.reference_row("L11", r, maps, sink) for r in heading_refs]
            if len(refs) > 300:
                self.drop("L11", f"a 214 heading allows 300 L11; {len(refs) - 300} not sent")
            rows.extend(refs[:300])
            notes = self.k1(n.text for n in status.notes)
            if len(notes) > 10:
                self.drop("K1", f"a 214 heading allows 10 K1; {len(notes) - 10} not sent")
            rows.extend(notes[:10])
            for party in status.parties[:10]:
                rows.extend(o.party_rows(party, layout=_PARTY_4010, maps=maps, sink=sink))
            if len(status.parties) > 10:
                self.drop("N1", f"a 214 heading allows 10 N1; {len(status.parties) - 10} not sent")
            rows.extend(interline[:12])
        if len(interline) > 12:
            self.drop("MS3", f"a 214 allows 12 MS3; {len(interline) - 12} not sent")
        extra_refs = heading_refs if self.is_5010 else []
        extra_parties = list(status.parties) if self.is_5010 else []
        for number, events in self.groups(status.events):
            rows.extend(self.lx(number, events, extra_refs, extra_parties))
        if not status.events:
            o.out_warning(sink, WarningCode.MISSING_VALUE, "a 214 without events has no LX", "LX")
        return rows

    @staticmethod
    def k1(texts: Iterable[str]) -> list[o.Row]:
        return [o.row("K1", a, b) for a, b in o.pack_pairs(texts)]

    @staticmethod
    def groups(events: Sequence[TrackingEvent]) -> list[tuple[int, list[TrackingEvent]]]:
        """Consecutive events with the same LX number; an unnumbered event gets its own LX."""
        groups: list[tuple[int, list[TrackingEvent]]] = []
        last = 0
        previous: int | None = None  # the LX number the previous event carried itself
        for event in events:
            number = event.assigned_number
            if number is not None and number == previous:
                groups[-1][1].append(event)
                continue
            last = number if number is not None else last + 1
            previous = number
            groups.append((last, [event]))
        return groups

    def lx(
        self,
        number: int,
        events: list[TrackingEvent],
        extra_refs: list[Reference],
        extra_parties: list[Party],
    ) -> list[o.Row]:
        maps, sink = self.maps, self.sink
        first = events[0]
        for event in events[1:]:
            if (event.references, event.weights, event.lading_exceptions, event.parties) != (
                first.references,
                first.weights,
                first.lading_exceptions,
                first.parties,
            ):
                self.drop(
                    "LX",
                    f"events of LX {number} differ in references, weights, exceptions or "
                    "parties; the LX loop carries the first event's",
                )
                break
        if any(e.package_id for e in events):
            self.drop("CD3", f"CD3 package loops are not written; LX {number} events kept flat")
        references = list(first.references)
        if first.stop_sequence is not None and not any(
            r.kind is ReferenceKind.STOP_SEQUENCE for r in references
        ):
            references.append(
                Reference(
                    qualifier="QN", kind=ReferenceKind.STOP_SEQUENCE, value=str(first.stop_sequence)
                )
            )
        references.extend(r for r in extra_refs if r not in references)
        l11 = [o.reference_row("L11", r, maps, sink) for r in references]
        q7 = [
            o.row("Q7", q.code, q.packaging_code, o.fmt_r(q.quantity))
            for q in first.lading_exceptions
        ]
        suffix = _common_suffix([e.notes for e in events])
        lx_notes = self.k1([n.text for n in first.notes[len(first.notes) - suffix :]])
        at8 = self.at8(first)
        at7_loops = [self.at7(e, e.notes[: len(e.notes) - suffix]) for e in events]
        if len(at7_loops) > 10:
            self.drop("AT7", f"an LX loop allows 10 AT7 loops; {len(at7_loops) - 10} not sent")
        at7_rows = [r for loop in at7_loops[:10] for r in loop]

        rows = [o.row("LX", str(number))]
        if self.is_5010:
            rows.extend(l11 + q7 + lx_notes[:10] + at8 + at7_rows)
            parties = list(first.parties) + [p for p in extra_parties if p not in first.parties]
            if len(parties) > 5:
                self.drop("N1", f"an LX loop allows 5 N1; {len(parties) - 5} not sent")
            for party in parties[:5]:
                rows.extend(o.party_rows(party, layout=_PARTY_5010, maps=maps, sink=sink))
        else:
            rows.extend(at7_rows + l11[:10] + q7 + lx_notes[:10] + at8)
            if len(l11) > 10:
                self.drop("L11", f"a 004010 LX loop allows 10 L11; {len(l11) - 10} not sent")
            if first.parties:
                self.drop("N1", "a 004010 LX loop has no N1 (heading parties only); not sent")
        return rows

    def at8(self, event: TrackingEvent) -> list[o.Row]:
        """One AT8 per weight; the lading quantity (AT8-04) on each, the volume on the first."""
        volume = event.volume
        quantity = o.fmt_int(event.lading_quantity)
        rows = []
        for index, weight in enumerate(event.weights or [None]):
            if weight is None and quantity is None and volume is None:
                break
            vol = volume if index == 0 else None
            rows.append(
                o.row(
                    "AT8",
                    weight.qualifier if weight else None,
                    o.weight_unit_code(weight) if weight else None,
                    o.fmt_r(weight.value) if weight else None,
                    quantity,
                    None,
                    o.volume_unit_code(vol) if vol else None,
                    o.fmt_r(vol.value) if vol else None,
                )
            )
        if len(rows) > 10:
            self.drop("AT8", f"an LX loop allows 10 AT8; {len(rows) - 10} not sent")
        return rows[:10]

    def at7(self, event: TrackingEvent, own_notes: Sequence[Note]) -> list[o.Row]:
        sink = self.sink
        status_code = appointment_code = None
        if event.status_code:
            status_code = STATUSES.code_for(
                event.status, event.status_code, self.maps, sink, "AT7", 1
            )
        elif event.appointment_code:
            appointment_code = event.appointment_code
        elif event.status is StatusKind.APPOINTMENT_SET and event.appointment_kind is not None:
            appointment_code = next(
                c for c, k in APPOINTMENT_KINDS.items() if k is event.appointment_kind
            )
        else:
            status_code = STATUSES.code_for(event.status, None, self.maps, sink, "AT7", 1) or None
        reason_code = event.reason_code
        appointment_reason = event.appointment_reason_code
        if reason_code is None and appointment_reason is None and event.reason is not None:
            derived = _reason_code(event.reason)
            if appointment_code:
                appointment_reason = derived
            else:
                reason_code = derived
        if not self.is_5010:
            # 004010 AT7 pairs a status with its reason (P0102) and an appointment status with
            # its reason (P0304); with none given, the list's own "nothing to report" codes
            # (element 1651: NS Normal Status, NA Normal Appointment; gateway/x12/schema/codes.json)
            if status_code and not reason_code:
                reason_code = "NS"
            if appointment_code and not appointment_reason:
                appointment_reason = "NA"
        date, time, time_code = self.when(event)
        rows = [
            o.row(
                "AT7",
                status_code,
                reason_code,
                appointment_code,
                appointment_reason,
                date,
                time,
                time_code,
            )
        ]
        if event.location is not None:
            rows.append(_ms1(event.location, self.is_5010))
        equipment = list(event.equipment)
        max_ms2 = 2 if self.is_5010 else 1
        if len(equipment) > max_ms2:
            self.drop(
                "MS2", f"an AT7 loop allows {max_ms2} MS2; {len(equipment) - max_ms2} not sent"
            )
        rows.extend(
            o.row("MS2", q.owner_scac, q.number, q.type_code, q.check_digit)
            for q in equipment[:max_ms2]
        )
        seals = [s for q in equipment for s in q.seal_numbers]
        if self.is_5010:
            notes = self.k1(n.text for n in own_notes)
            if len(notes) > 1:
                self.drop("K1", "an AT7 loop allows one K1 (two notes); the rest not sent")
            rows.extend(notes[:1])
            if len(seals) > 4:
                self.drop("M7", f"an AT7 loop's M7 holds 4 seals; {len(seals) - 4} not sent")
            if seals:
                rows.append(o.row("M7", *seals[:4]))
        else:
            if own_notes:
                self.drop("K1", "a 004010 AT7 loop has no K1; event-specific notes not sent")
            if seals:
                self.drop("M7", "a 004010 214 has no M7; seal numbers not sent")
        return rows

    def when(self, event: TrackingEvent) -> tuple[str | None, str | None, str | None]:
        """AT7-05/06/07: as received, else from the instant (in its own offset), else the date."""
        if event.raw_date is not None:
            return event.raw_date, event.raw_time, event.raw_time_code
        if event.event_time is not None:
            instant = event.event_time
            code = o.time_code_for(instant)
            if not code:
                instant, code = instant.astimezone(dt.UTC), "UT"
            return instant.strftime("%Y%m%d"), instant.strftime("%H%M"), code
        if event.event_date is not None:
            return o.fmt_date(event.event_date), None, None
        o.out_warning(self.sink, WarningCode.MISSING_VALUE, "the event has no date", "AT7", 5)
        return None, None, None


def _reason_code(reason: ReasonKind) -> str | None:
    return next((c for c, k in STANDARD_REASONS.items() if k is reason), None)


def x12_from_shipment_status(
    status: ShipmentStatus,
    *,
    version: str,
    control_number: str = "0001",
    profile_code_maps: o.CodeMaps | None = None,
    warnings: list[MappingWarning] | None = None,
) -> list[list[str]]:
    """Render a ShipmentStatus as the ST..SE segments of a 214 (tag first, raw values).

    `profile_code_maps["at7_status"]` (partner code -> StatusKind value, as on the way in) is
    reversed here: a status the partner has a code for is sent with the partner's code.
    What the version cannot hold is appended to `warnings`; every row is conformed to the
    version's dictionary (`x12_out_common.conform`), and what no valid 214 can carry (no SCAC,
    neither a PRO nor a reference for B10) raises UnrepresentableError.
    """
    base = o.base_version(version)
    writer = _Writer(is_5010=base == "005010", maps=profile_code_maps)
    body = o.conform_rows(writer.status(status), base, writer.sink)
    o.deliver(writer.sink, warnings)
    return o.frame("214", control_number, body)


__all__ = ["x12_from_shipment_status"]
