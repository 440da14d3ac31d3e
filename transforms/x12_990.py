"""X12 990 (Response to a Load Tender) <-> canonical TenderResponse, 004010 and 005010.

004010: B1, N9 (1), G62 (6), N7, L9, V9, K1 (10), S5 loops (S5, N9, G62, K1). 005010 keeps only
B1 and one L11; B1-05 (yes/no condition) and B1-06 (decline reason) exist from 004030 on and are
read in any version. The TenderResponse has no stops or equipment: S5 loops, N7, L9 and V9 are
reported as not carried. Out: each version's own segments, with what it cannot hold reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.canonical import (
    DateTimeValue,
    MappingWarning,
    Note,
    Reference,
    SourceMetadata,
    TenderAction,
    TenderResponse,
    WarningCode,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from transforms import x12_common as x
from transforms import x12_out_common as o
from transforms.values import ValueParseError, parse_date

_IGNORED = frozenset({"N7", "L9", "V9"})
_CARRIED: dict[str, frozenset[int]] = {
    "B1": frozenset({1, 2, 3, 4, 5, 6}),
    "N9": frozenset({1, 2, 3}),
    "L11": frozenset({1, 2, 3}),
    "G62": frozenset({1, 2, 3, 4, 5}),
    "K1": frozenset({1, 2}),
}


@dataclass(slots=True)
class _Reader:
    maps: o.CodeMaps | None
    default_tz: str | None
    sink: x.WarningSink = field(default_factory=x.WarningSink)
    b1: Segment | None = None
    references: list[Reference] = field(default_factory=list)
    dates: list[DateTimeValue] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    in_stop: bool = False

    def check(self, segment: Segment) -> None:
        keep = _CARRIED.get(segment.tag, frozenset())
        for n in range(1, len(segment.elements)):
            if n not in keep and x.text(segment, n) is not None:
                self.sink.add(
                    WarningCode.IGNORED_SEGMENT,
                    f"{segment.tag}-{n:02d} is not carried by TenderResponse",
                    segment,
                    n,
                    segment.el(n),
                )

    def feed(self, segment: Segment) -> None:
        tag = segment.tag
        sink = self.sink
        if tag in ("ST", "SE"):
            return
        if tag == "S5":
            self.in_stop = True
        if self.in_stop and tag in ("S5", "N9", "L11", "G62", "K1"):
            # the model has no stops: a stop's references and dates would lose their stop
            sink.add(
                WarningCode.IGNORED_SEGMENT,
                f"{tag} of an S5 stop loop is not carried by TenderResponse",
                segment,
            )
            return
        if tag == "B1":
            self.check(segment)
            self.b1 = segment
        elif tag in ("N9", "L11"):
            self.check(segment)
            value, qualifier = (2, 1) if tag == "N9" else (1, 2)
            ref = o.reference_in(
                segment, value=value, qualifier=qualifier, description=3, maps=self.maps, sink=sink
            )
            if ref is not None:
                self.references.append(ref)
        elif tag == "G62":
            self.check(segment)
            self.dates.append(x.g62(segment, sink, default_zone=self.default_tz))
        elif tag == "K1":
            self.check(segment)
            self.notes.extend(Note(text=v) for v in (x.text(segment, 1), x.text(segment, 2)) if v)
        elif tag in _IGNORED:
            sink.add(
                WarningCode.IGNORED_SEGMENT, f"{tag} is not carried by TenderResponse", segment
            )
        else:
            sink.add(WarningCode.UNEXPECTED_SEGMENT, f"{tag} is not expected in a 990", segment)

    def build(self, envelope: SourceMetadata) -> TenderResponse:
        sink, b1 = self.sink, self.b1
        scac = shipment_id = action_code = None
        date = None
        condition = decline = None
        if b1 is None:
            sink.add(WarningCode.MISSING_VALUE, "the 990 has no B1 segment")
        else:
            scac, shipment_id = x.text(b1, 1), x.text(b1, 2)
            action_code = x.text(b1, 4)
            condition, decline = x.text(b1, 5), x.text(b1, 6)
            try:
                date = parse_date(b1.el(3))
            except ValueParseError as exc:
                sink.parse_error(exc, b1, 3)
            if action_code is None:
                sink.add(WarningCode.MISSING_VALUE, "B1-04 reservation action is empty", b1, 4)
        action = (
            o.TENDER_ACTIONS.classify(action_code, self.maps, sink, b1, 4)
            if action_code
            else TenderAction.OTHER
        )
        return TenderResponse(
            source=envelope,
            correlation=x.correlation(self.references, scac=scac, shipment_id=shipment_id),
            warnings=tuple(sink.items),
            shipment_id=shipment_id,
            scac=scac,
            action=action,
            action_code=action_code or "",
            date=date,
            condition_code=condition,
            decline_reason_code=decline,
            references=tuple(self.references),
            dates=tuple(self.dates),
            notes=tuple(self.notes),
        )


def tender_response_from_x12(
    ts: TransactionSet,
    *,
    delimiters: Delimiters,
    envelope: SourceMetadata,
    profile_code_maps: o.CodeMaps | None = None,
    default_tz: str | None = None,
) -> TenderResponse:
    """Map one 990 transaction set (004010 N9 or 005010 L11 references) to a TenderResponse.

    B1-04 gives the action (A accepted, B conditional, D and E declined ...; a partner's
    `tender_action` map wins), kept raw beside it. `delimiters` are accepted for the common
    transform signature; no composite is read. Raises ValueError when the set is not a 990.
    """
    if ts.set_id != "990":
        raise ValueError(f"tender_response_from_x12 needs a 990, got {ts.set_id!r}")
    del delimiters
    reader = _Reader(maps=profile_code_maps, default_tz=default_tz)
    for segment in ts.segments:
        reader.feed(segment)
    return reader.build(envelope)


def _limit(
    rows: Sequence[o.Row], max_use: int, tag: str, why: str, sink: x.WarningSink
) -> list[o.Row]:
    if len(rows) > max_use:
        o.out_warning(
            sink,
            WarningCode.IGNORED_SEGMENT,
            f"{why} allows {max_use} {tag}; {len(rows) - max_use} not sent",
            tag,
        )
    return list(rows[:max_use])


def x12_from_tender_response(
    response: TenderResponse,
    *,
    version: str,
    control_number: str = "0001",
    profile_code_maps: o.CodeMaps | None = None,
    warnings: list[MappingWarning] | None = None,
) -> list[list[str]]:
    """Render a TenderResponse as the ST..SE segments of a 990.

    004010: B1, N9 (one), G62 (up to 6), K1 (two notes each, up to 10); 005010: B1 and one L11.
    B1-05/06 are written when present (they exist from 004030 on; the 004010 schema of this
    gateway accepts them). What the version cannot hold is reported in `warnings`; rows are
    conformed to the dictionary (`x12_out_common.conform`): what no valid 990 can carry (e.g.
    no shipment id in 004010, where B1-02 is mandatory) raises UnrepresentableError.
    """
    base = o.base_version(version)
    sink = x.WarningSink()
    maps = profile_code_maps
    action_code = o.TENDER_ACTIONS.code_for(
        response.action, response.action_code, maps, sink, "B1", 4
    )
    date = response.date
    if date is None and response.responded_at is not None:
        date = response.responded_at.date()
    mandatory = ("B1", 2, response.shipment_id) if base == "004010" else ("B1", 1, response.scac)
    if not mandatory[2]:
        o.out_warning(
            sink,
            WarningCode.MISSING_VALUE,
            f"B1-{mandatory[1]:02d} is mandatory in a {base} 990 and empty",
            "B1",
            mandatory[1],
        )
    body = [
        o.row(
            "B1",
            response.scac,
            response.shipment_id,
            o.fmt_date(date),
            action_code,
            response.condition_code,
            response.decline_reason_code,
        )
    ]
    if base == "004010":
        refs = [o.reference_row("N9", r, maps, sink) for r in response.references]
        body.extend(_limit(refs, 1, "N9", "a 004010 990", sink))
        dates = [r for r in (o.g62_row(d, sink) for d in response.dates) if r is not None]
        body.extend(_limit(dates, 6, "G62", "a 004010 990", sink))
        notes = [o.row("K1", a, b) for a, b in o.pack_pairs(n.text for n in response.notes)]
        body.extend(_limit(notes, 10, "K1", "a 004010 990", sink))
    else:
        refs = [o.reference_row("L11", r, maps, sink) for r in response.references]
        body.extend(_limit(refs, 1, "L11", "a 005010 990", sink))
        for tag, items in (("G62", response.dates), ("K1", response.notes)):
            if items:
                o.out_warning(
                    sink,
                    WarningCode.IGNORED_SEGMENT,
                    f"a 005010 990 has no {tag}; {len(items)} not sent",
                    tag,
                )
    body = o.conform_rows(body, base, sink)  # the dictionary's syntax notes and lengths
    o.deliver(sink, warnings)
    return o.frame("990", control_number, body)


__all__ = ["tender_response_from_x12", "x12_from_tender_response"]
