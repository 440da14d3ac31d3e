"""Canonical shipment documents <-> SAP shipment IDocs: status, tender response and load tender
rendered as SHPMNT05 into SAP; DELVRY/SHPMNT IDocs from SAP read as a LoadTender.

Why SHPMNT05 and not TPSSHT01 (reference/idoc.md sections 3, 4 and 7):
- SHPMNT05 is attested by real data: a real extended shipment IDoc (the xml2csharp classes) and
  public inbound-to-SAP SHPMNT mappings that update an existing shipment with E1EDT18 QUALF CHA
  and E1EDT10 deadlines (QUALF + ISDD/ISDZ). TPSSHT01 is known only from the SAP 4.6C help page;
  no file and no mapping was found.
- TPSSHT01 is the interface of an external transportation *planning* system: SAP must be set up
  with a TPS (transportation planning point linked to the external system), and it carries plans,
  not a carrier's milestones. The gateway reports what happened to a shipment SAP already owns.
- One basic type for all three documents (status, tender response, load tender) means one
  project XSD, one WE20 partner profile entry (SHPMNT) and one inbound process on the SAP side.
- A status lands where SAP keeps it: the shipment deadlines (E1EDT10: 002 check-in, 003 loading,
  005 shipment start/end, begin and end, planned and actual), the overall status STTRG derived
  from them, and delivery deadlines (E1EDT13 006 goods issue, 007 delivery) when an event names a
  delivery. TRXSTA could not be verified in any public source.
Every event is also written as a line of the shipment text (E1TXTH6), so statuses with no SAP
deadline (in transit, delayed, exception ...) still reach the ERP. The qualifier tables are
defaults: pass `ShipmentIdocCodes` to match the customer's deadline configuration (WE60).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from gateway.canonical import (
    Correlation,
    DateKind,
    DateTimeValue,
    Equipment,
    LadingLine,
    LoadTender,
    Location,
    MappingWarning,
    Note,
    Party,
    PartyIdentifier,
    PartyRole,
    Purpose,
    Reference,
    ReferenceKind,
    ShipmentStatus,
    SourceFormat,
    SourceMetadata,
    StatusKind,
    Stop,
    StopKind,
    TenderAction,
    TenderResponse,
    TimeZoneSource,
    Totals,
    TrackingEvent,
    Volume,
    VolumeUnit,
    WarningCode,
    Weight,
    WeightUnit,
)
from gateway.idoc import (
    DraftSegment,
    Idoc,
    IdocBuilder,
    IdocFieldError,
    IdocMappingError,
    IdocPartnerConfig,
    IdocSegment,
    RenderedIdoc,
    control_record,
)
from gateway.idoc.fields import FieldValue, fit_or_drop, postal_code, wrap_text
from transforms.countries import normalise_country
from transforms.erp_keys import BY_SHIPMENT_NUMBER, ErpKeys

IDOCTYP = "SHPMNT05"
MESTYP = "SHPMNT"


@dataclass(frozen=True, slots=True)
class Deadline:
    """Where an event lands: a deadline qualifier and which end of the activity it marks."""

    qualifier: str
    end: bool = False  # False: begin (NTANF/ISDD), True: end (NTEND/IEDD)


# SAP shipment deadlines (VTTK): 002 check-in, 003 loading, 004 shipment completion,
# 005 shipment (start = departure, end = arrival). Estimates land in the planned fields.
DEFAULT_SHIPMENT_DEADLINES: Mapping[StatusKind, Deadline] = {
    StatusKind.ARRIVED_AT_PICKUP: Deadline("002"),
    StatusKind.LOADING: Deadline("003"),
    StatusKind.LOADED: Deadline("003", end=True),
    StatusKind.ESTIMATED_PICKUP: Deadline("005"),
    StatusKind.PICKED_UP: Deadline("005"),
    StatusKind.ESTIMATED_DELIVERY: Deadline("005", end=True),
    StatusKind.DELIVERED: Deadline("005", end=True),
}

# Delivery deadlines (E1EDT13): 006 goods issue, 007 delivery date.
DEFAULT_DELIVERY_DEADLINES: Mapping[StatusKind, Deadline] = {
    StatusKind.PICKED_UP: Deadline("006"),
    StatusKind.ESTIMATED_DELIVERY: Deadline("007"),
    StatusKind.DELIVERED: Deadline("007"),
}

# Overall transportation status VTTK-STTRG reached when a deadline has an actual date.
DEFAULT_STTRG: Mapping[Deadline, str] = {
    Deadline("002"): "2",  # check-in
    Deadline("003"): "3",  # loading start
    Deadline("003", end=True): "4",  # loading end
    Deadline("005"): "6",  # shipment start
    Deadline("005", end=True): "7",  # shipment end
}

_PURPOSE_ACTION = {
    Purpose.ORIGINAL: "ORI",
    Purpose.CHANGE: "CHA",
    Purpose.REPLACE: "CHA",
    Purpose.CANCEL: "DEL",
}
_ACTION_PURPOSE = {"ORI": Purpose.ORIGINAL, "CHA": Purpose.CHANGE, "CHG": Purpose.CHANGE}
_ACTION_PURPOSE |= {"DEL": Purpose.CANCEL}


@dataclass(frozen=True, slots=True)
class ShipmentIdocCodes:
    """Customer-specific SAP codes; the defaults follow reference/idoc.md (verify in WE60)."""

    shipment_deadlines: Mapping[StatusKind, Deadline] = field(
        default_factory=lambda: dict(DEFAULT_SHIPMENT_DEADLINES)
    )
    delivery_deadlines: Mapping[StatusKind, Deadline] = field(
        default_factory=lambda: dict(DEFAULT_DELIVERY_DEADLINES)
    )
    sttrg: Mapping[Deadline, str] = field(default_factory=lambda: dict(DEFAULT_STTRG))
    shipment_type: str | None = None  # E1EDT20-SHTYP for shipments SAP is to create
    text_id: str = "0001"  # E1TXTH6-TDID of the shipment text the gateway writes
    text_language: str = "E"  # TDSPRAS (SAP one-letter language key)
    text_language_iso: str = "EN"


# Canonical party role <-> SAP partner function (PARTNER_Q / PARVW, SAP internal codes).
SAP_PARTNER_FUNCTIONS: Mapping[PartyRole, str] = {
    PartyRole.CARRIER: "SP",  # forwarding agent
    PartyRole.CONSIGNEE: "WE",  # ship-to
    PartyRole.SHIP_TO: "WE",
    PartyRole.DELIVERY_ADDRESS: "WE",
    PartyRole.SHIPPER: "OSP",  # shipping point address, what the shipper is in SAP
    PartyRole.SHIP_FROM: "OSP",
    PartyRole.PICKUP_ADDRESS: "OSP",
    PartyRole.SOLD_TO: "AG",
    PartyRole.BILL_TO: "RE",
    PartyRole.PAYER: "RG",
    PartyRole.VENDOR: "LF",
    PartyRole.SUPPLIER: "LF",
}
# Inbound: partner function -> canonical role and the X12 N1-01 code a 204 would carry.
_PARTNER_ROLES: Mapping[str, tuple[PartyRole, str]] = {
    "SP": (PartyRole.CARRIER, "CA"),
    "WE": (PartyRole.SHIP_TO, "ST"),
    "OSP": (PartyRole.SHIP_FROM, "SF"),
    "AG": (PartyRole.SOLD_TO, "SO"),
    "RE": (PartyRole.BILL_TO, "BT"),
    "RG": (PartyRole.PAYER, "PR"),
    "LF": (PartyRole.VENDOR, "VN"),
}

# Units as SAP IDocs carry them (ISO codes, converted by SAP on arrival).
ISO_WEIGHT_UNITS: Mapping[WeightUnit, str] = {
    WeightUnit.POUNDS: "LBR",
    WeightUnit.KILOGRAMS: "KGM",
    WeightUnit.GRAMS: "GRM",
    WeightUnit.OUNCES: "ONZ",
    WeightUnit.METRIC_TON: "TNE",
    WeightUnit.SHORT_TON: "STN",
    WeightUnit.LONG_TON: "LTN",
}
ISO_VOLUME_UNITS: Mapping[VolumeUnit, str] = {
    VolumeUnit.CUBIC_FEET: "FTQ",
    VolumeUnit.CUBIC_METERS: "MTQ",
    VolumeUnit.CUBIC_INCHES: "INQ",
    VolumeUnit.CUBIC_CENTIMETERS: "CMQ",
    VolumeUnit.LITERS: "LTR",
    VolumeUnit.GALLONS: "GLL",
}
_WEIGHT_FROM_ISO = {code: unit for unit, code in ISO_WEIGHT_UNITS.items()} | {
    "KG": WeightUnit.KILOGRAMS,
    "LB": WeightUnit.POUNDS,
    "G": WeightUnit.GRAMS,
    "TO": WeightUnit.METRIC_TON,
}
_VOLUME_FROM_ISO = {code: unit for unit, code in ISO_VOLUME_UNITS.items()} | {
    "M3": VolumeUnit.CUBIC_METERS,
    "FT3": VolumeUnit.CUBIC_FEET,
    "L": VolumeUnit.LITERS,
}
# X12 packaging codes (element 103) -> UN/ECE rec. 20 units for delivery item quantities.
ISO_PACKAGING_UNITS: Mapping[str, str] = {
    "PLT": "PF",
    "CTN": "CT",
    "BOX": "BX",
    "PCS": "PCE",
    "PKG": "PK",
    "DRM": "DR",
    "BAG": "BG",
    "CAS": "CS",
    "EA": "EA",
}

_TEXT_WIDTH = 70  # TDLINE
_PICKUP_KINDS = frozenset({StopKind.PICKUP, StopKind.PICKUP_PRELOADED, StopKind.SPOT_FOR_LOAD})
_DELIVERY_KINDS = frozenset({StopKind.DELIVERY, StopKind.SPOT_FOR_UNLOAD, StopKind.DROP_TRAILER})


# --- rendering -------------------------------------------------------------------------------


def render_shipment_status(
    status: ShipmentStatus,
    config: IdocPartnerConfig,
    *,
    created: dt.datetime,
    docnum: int | None = None,
    cimtyp: str | None = None,
    codes: ShipmentIdocCodes | None = None,
    keys: ErpKeys | None = None,
) -> RenderedIdoc:
    """A carrier status as a SHPMNT05 change to the SAP shipment it is about.

    With `keys` (the ERP's order found in the shipment thread) TKNUM is the ERP's shipment
    number, or, where the ERP profile says SAP resolves the carrier's reference, EXTI1 is that
    reference and E1EDT18 PID names EXTI1. Without keys the SAP shipment number is
    `correlation.erp_order`, else `shipment_id` (B10-02, which echoes the B2-04 the gateway
    sent); without one SAP cannot find the shipment and IdocFieldError is raised.
    """
    codes = codes or ShipmentIdocCodes()
    shipment_slots: dict[str, dict[str, FieldValue]] = {}
    delivery_slots: dict[str, dict[str, dict[str, FieldValue]]] = {}
    reached: set[str] = set()
    for event in status.events:
        deliveries = _delivery_numbers(event.references)
        if deliveries:
            # an event about a named delivery is that delivery's deadline, not the shipment's
            deadline = codes.delivery_deadlines.get(event.status)
            if deadline is not None:
                for vbeln in deliveries:
                    slots = delivery_slots.setdefault(vbeln, {})
                    _fill(slots, deadline, event, config, zone_code=config.sap_time_zone)
            continue
        deadline = codes.shipment_deadlines.get(event.status)
        if deadline is not None and _fill(shipment_slots, deadline, event, config, zone_code=None):
            sttrg = codes.sttrg.get(deadline)
            if sttrg is not None:
                reached.add(sttrg)
    equipment = (*status.equipment, *(e for event in status.events for e in event.equipment))
    builder = _builder(config, created, docnum, cimtyp)
    tknum, exti1 = _identity(
        keys, status.correlation, status.shipment_id, status.pro_number or status.correlation.pro
    )
    header = builder.add(
        builder.idoc,
        "E1EDT20",
        {
            "TKNUM": tknum,
            "SIGNI": _equipment_id(equipment),
            "EXTI1": exti1,
            "EXTI2": status.correlation.bol or _reference(status.references, ReferenceKind.BOL),
            "STTRG": max(reached) if reached else None,
        },
    )
    lines = [_event_line(e, config) for e in status.events]
    lines += [n.text for n in status.notes]
    changed = ["STTRG"] if reached else []
    changed += ["E1EDT10"] if shipment_slots else []
    changed += ["E1EDT13"] if any(delivery_slots.values()) else []
    changed += ["E1TXTH6"] if lines else []
    _add_control(builder, header, keys, changed)
    if status.scac:
        carrier = _party(status.parties, PartyRole.CARRIER)
        builder.add(
            header, "E1ADRM4", _address("SP", carrier, partner_id=_carrier_id(keys, status.scac))
        )
    for qualifier in sorted(shipment_slots):
        builder.add(header, "E1EDT10", shipment_slots[qualifier])
    _add_text(builder, header, lines, codes)
    for vbeln, slots in delivery_slots.items():
        delivery = builder.add(header, "E1EDL20", {"VBELN": vbeln})
        for fields in slots.values():
            builder.add(delivery, "E1EDT13", fields)
    return builder.finish()


def _identity(
    keys: ErpKeys | None, correlation: Correlation, shipment_id: str | None, reference: str | None
) -> tuple[str | None, str | None]:
    """(TKNUM, EXTI1): the ERP's shipment number, or the carrier's reference where SAP is set
    up to resolve it (E1EDT18 PID EXTI1)."""
    if keys is None:
        return _shipment_number(correlation, shipment_id), reference
    if keys.by_reference:
        if not keys.carrier_reference:
            raise IdocFieldError(
                "no carrier reference to identify the shipment by", "E1EDT20", "EXTI1"
            )
        return None, keys.carrier_reference
    if not keys.shipment:
        raise IdocFieldError(
            f"the ERP order {keys.order or '?'} has no SAP shipment number", "E1EDT20", "TKNUM"
        )
    return keys.shipment, reference


def _carrier_id(keys: ErpKeys | None, scac: str | None) -> str | None:
    """The forwarding agent as SAP knows it: its vendor number when the profile maps it."""
    return keys.vendor.number if keys is not None and keys.vendor is not None else scac


def _add_control(
    builder: IdocBuilder, header: DraftSegment, keys: ErpKeys | None, changed: Sequence[str]
) -> None:
    """E1EDT18: PID names the E1EDT20 field SAP finds its shipment by (TKNUM or EXTI1), then
    one CHA per part of the shipment this IDoc changes, PARAM naming it."""
    identified_by = keys.identified_by if keys is not None else BY_SHIPMENT_NUMBER
    builder.add(header, "E1EDT18", {"QUALF": "PID", "PARAM": identified_by})
    for name in changed or ["E1EDT20"]:
        builder.add(header, "E1EDT18", {"QUALF": "CHA", "PARAM": name})


def render_tender_response(
    response: TenderResponse,
    config: IdocPartnerConfig,
    *,
    created: dt.datetime,
    docnum: int | None = None,
    cimtyp: str | None = None,
    codes: ShipmentIdocCodes | None = None,
    keys: ErpKeys | None = None,
) -> RenderedIdoc:
    """A carrier's 990 as a SHPMNT05 change to the tendered SAP shipment (keys: as for
    `render_shipment_status`).

    SAP's shipment IDoc has no verified field for a tender decision, so: the carrier is assigned
    (E1ADRM4 SP) only when it accepted, and the decision is the first line of the shipment text,
    `TENDER <ACTION> <B1-04> <SCAC>`, for a person or an inbound user exit to act on.
    """
    codes = codes or ShipmentIdocCodes()
    builder = _builder(config, created, docnum, cimtyp)
    tknum, exti1 = _identity(
        keys,
        response.correlation,
        response.shipment_id,
        response.correlation.pro or _reference(response.references, ReferenceKind.PRO),
    )
    header = builder.add(builder.idoc, "E1EDT20", {"TKNUM": tknum, "EXTI1": exti1})
    accepted = response.action in (TenderAction.ACCEPTED, TenderAction.CONDITIONALLY_ACCEPTED)
    changed = ["E1ADRM4"] if accepted and response.scac else []
    _add_control(builder, header, keys, [*changed, "E1TXTH6"])
    if accepted and response.scac:
        partner_id = _carrier_id(keys, response.scac)
        builder.add(header, "E1ADRM4", _address("SP", None, partner_id=partner_id))
    decision = f"TENDER {response.action.value.upper()} {response.action_code}"
    lines = [f"{decision} {response.scac or ''}".strip()]
    if response.responded_at is not None:
        day, time = config.local(response.responded_at)
        lines.append(f"RESPONDED {day.isoformat()} {time.isoformat()} {config.time_zone}")
    elif response.date is not None:
        lines.append(f"RESPONDED {response.date.isoformat()}")
    if response.decline_reason_code:
        lines.append(f"DECLINE REASON {response.decline_reason_code}")
    if response.condition_code:
        lines.append(f"CONDITION {response.condition_code}")
    lines += [n.text for n in response.notes]
    _add_text(builder, header, lines, codes)
    return builder.finish()


def render_load_tender(
    tender: LoadTender,
    config: IdocPartnerConfig,
    *,
    created: dt.datetime,
    docnum: int | None = None,
    cimtyp: str | None = None,
    codes: ShipmentIdocCodes | None = None,
) -> RenderedIdoc:
    """A load tender (e.g. planned by the TMS) as a SHPMNT05 for SAP to create, change or
    delete a shipment (E1EDT18 ORI/CHA/DEL).

    SAP deliveries (E1EDL20) come from DO references at delivery stops or their orders; a stop
    without one contributes its party as a shipment partner only. A change or cancellation
    needs the SAP shipment number (`correlation.erp_order`).
    """
    codes = codes or ShipmentIdocCodes()
    action = _PURPOSE_ACTION.get(tender.purpose)
    if action is None:
        raise IdocFieldError(
            f"load tender purpose {tender.purpose_code or tender.purpose.value!r} has no SAP "
            "action (ORI/CHA/DEL)",
            "E1EDT18",
            "QUALF",
        )
    tknum = tender.correlation.erp_order
    if action != "ORI" and not tknum:
        raise IdocFieldError(
            f"a {tender.purpose.value} tender needs the SAP shipment number", "E1EDT20", "TKNUM"
        )
    builder = _builder(config, created, docnum, cimtyp)
    header = builder.add(
        builder.idoc,
        "E1EDT20",
        {
            "TKNUM": tknum,
            "SHTYP": codes.shipment_type,
            "SIGNI": _equipment_id(tender.equipment),
            "EXTI1": tender.shipment_id,
            "EXTI2": tender.correlation.bol or _reference(tender.references, ReferenceKind.BOL),
        },
    )
    builder.add(header, "E1EDT18", {"QUALF": action})
    carrier = _party(tender.parties, PartyRole.CARRIER)
    if tender.scac or carrier is not None:
        builder.add(header, "E1ADRM4", _address("SP", carrier, partner_id=tender.scac))
    for party in tender.parties:
        function = SAP_PARTNER_FUNCTIONS.get(party.role)
        if function is not None and function != "SP":
            builder.add(header, "E1ADRM4", _address(function, party))
    deliveries = _tender_deliveries(tender)
    for stop in tender.stops:
        if stop.party is not None and not _stop_deliveries(stop):
            function = "OSP" if stop.kind in _PICKUP_KINDS else "WE"
            builder.add(header, "E1ADRM4", _address(function, stop.party))
    pickup = _planned(_first(s for s in tender.stops if s.kind in _PICKUP_KINDS), tender, True)
    drop = _planned(_last(s for s in tender.stops if s.kind in _DELIVERY_KINDS), tender, False)
    planned: dict[str, FieldValue] = {"QUALF": "005"}
    if pickup is not None:
        planned["NTANF"], planned["NTANZ"] = _local_parts(pickup, config)
    if drop is not None:
        planned["NTEND"], planned["NTENZ"] = _local_parts(drop, config)
    if len(planned) > 1:
        builder.add(header, "E1EDT10", planned)
    _add_text(builder, header, [n.text for n in tender.notes], codes)
    for vbeln, plan in deliveries.items():
        _add_delivery(builder, header, vbeln, plan, config)
    return builder.finish()


# --- reading ---------------------------------------------------------------------------------


def load_tender_from_idoc(idoc: Idoc, *, time_zone: str | None = None) -> LoadTender:
    """A delivery (DELVRY0x: SHPCON, DESADV, WHSCON, SHPORD) or shipment (SHPMNT0x) IDoc from
    SAP as the load tender the gateway offers a carrier.

    `time_zone` is the IANA zone SAP writes times in when a segment names none (TZONE_*);
    without it such times are read as UTC with an ASSUMED_TIME_ZONE warning.
    """
    reader = _IdocReading(idoc, time_zone)
    if idoc.idoctyp.startswith("DELVRY"):
        return reader.from_delivery()
    if idoc.idoctyp.startswith("SHPMNT"):
        return reader.from_shipment()
    raise IdocMappingError(
        f"IDoc {idoc.docnum or '(no DOCNUM)'} of type {idoc.idoctyp or '?'} / {idoc.mestyp or '?'}"
        " is not a delivery or shipment IDoc"
    )


class _IdocReading:
    """One inbound IDoc being mapped; collects warnings as it goes."""

    def __init__(self, idoc: Idoc, time_zone: str | None) -> None:
        self.idoc = idoc
        if time_zone is not None:
            try:  # an unknown zone fails here, not at the first time value
                ZoneInfo(time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {time_zone!r}") from None
        self.zone_name = time_zone
        self.warnings: list[MappingWarning] = []

    def from_delivery(self) -> LoadTender:
        delivery = self.idoc.find("E1EDL20")
        if delivery is None or not delivery.get("VBELN"):
            raise IdocMappingError(f"{self.idoc.idoctyp} without E1EDL20-VBELN")
        vbeln = delivery.get("VBELN")
        purpose = self._purpose(q.get("QUALF") for q in delivery.find_all("E1EDL18"))
        pickup, drop = self._delivery_stops(delivery, sequence=1)
        references = [Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value=vbeln)]
        bol = delivery.get("BOLNR")
        if bol:
            references.append(Reference(qualifier="BM", kind=ReferenceKind.BOL, value=bol))
        traid = delivery.get("TRAID")
        return LoadTender(
            source=SourceMetadata(format=SourceFormat.IDOC_XML),
            correlation=Correlation(erp_order=vbeln, shipment_id=vbeln, bol=bol or None),
            shipment_id=vbeln,
            purpose=purpose,
            references=tuple(references),
            parties=tuple(self._parties(delivery.find_all("E1ADRM1"))),
            equipment=(Equipment(number=traid),) if traid else (),
            stops=(pickup, drop),
            totals=self._totals(delivery),
            warnings=tuple(self.warnings),
        )

    def from_shipment(self) -> LoadTender:
        header = self.idoc.find("E1EDT20")
        if header is None or not header.get("TKNUM"):
            raise IdocMappingError(f"{self.idoc.idoctyp} without E1EDT20-TKNUM")
        tknum = header.get("TKNUM")
        purpose = self._purpose(q.get("QUALF") for q in header.find_all("E1EDT18"))
        parties = self._parties(header.find_all("E1ADRM4"))
        dates = [
            value
            for deadline in header.find_all("E1EDT10")
            for value in self._deadline_dates(deadline, _SHIPMENT_DATE_KINDS)
        ]
        stops = self._shipment_stops(header, parties)
        references = [Reference(qualifier="SI", kind=ReferenceKind.SHIPMENT_ID, value=tknum)]
        for name in ("EXTI1", "EXTI2"):
            if header.get(name):
                references.append(
                    Reference(
                        qualifier="ZZ",
                        kind=ReferenceKind.MUTUALLY_DEFINED,
                        value=header.get(name),
                        description=name,
                    )
                )
        signi = header.get("SIGNI")
        scac = _carrier_scac(header.find_all("E1ADRM4"))
        return LoadTender(
            source=SourceMetadata(format=SourceFormat.IDOC_XML),
            correlation=Correlation(erp_order=tknum, shipment_id=tknum, scac=scac),
            shipment_id=tknum,
            scac=scac,
            purpose=purpose,
            dates=tuple(dates),
            parties=tuple(parties),
            references=tuple(references),
            equipment=(Equipment(number=signi),) if signi else (),
            stops=tuple(stops),
            notes=tuple(self._texts(header.find_all("E1TXTH6"), "E1TXTP6")),
            warnings=tuple(self.warnings),
        )

    def _purpose(self, qualifiers: Iterable[str]) -> Purpose:
        for qualifier in qualifiers:
            if qualifier in _ACTION_PURPOSE:
                return _ACTION_PURPOSE[qualifier]
        return Purpose.ORIGINAL

    def _shipment_stops(self, header: IdocSegment, parties: Sequence[Party]) -> tuple[Stop, ...]:
        """One pick-up (the shipping point) and one delivery stop per SAP delivery."""
        drops: list[Stop] = []
        origin: Stop | None = None
        for delivery in header.find_all("E1EDL20"):
            pickup, drop = self._delivery_stops(delivery, sequence=0)
            if origin is None:
                origin = pickup
            else:
                origin = origin.model_copy(
                    update={"references": (*origin.references, *pickup.references)}
                )
            drops.append(drop.model_copy(update={"sequence": len(drops) + 2}))
        if origin is None:
            return ()
        if origin.party is None:
            origin = origin.model_copy(update={"party": _party(parties, PartyRole.SHIP_FROM)})
        return (origin.model_copy(update={"sequence": 1}), *drops)

    def _delivery_stops(self, delivery: IdocSegment, sequence: int) -> tuple[Stop, Stop]:
        vbeln = delivery.get("VBELN")
        partners = {p.get("PARTNER_Q"): p for p in delivery.find_all("E1ADRM1")}
        dates = [
            value
            for deadline in delivery.find_all("E1EDT13")
            for value in self._deadline_dates(deadline, _DELIVERY_DATE_KINDS)
        ]
        reference = Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value=vbeln)
        ship_from = partners.get("OSP")
        ship_to = partners.get("WE")
        pickup = Stop(
            sequence=sequence,
            reason_code="LD",
            kind=StopKind.PICKUP,
            party=self._party(ship_from) if ship_from else None,
            dates=tuple(d for d in dates if d.qualifier not in _DESTINATION_DEADLINES),
            references=(reference,),
        )
        drop = Stop(
            sequence=sequence + 1,
            reason_code="UL",
            kind=StopKind.DELIVERY,
            party=self._party(ship_to) if ship_to else None,
            dates=tuple(d for d in dates if d.qualifier in _DESTINATION_DEADLINES),
            references=(reference,),
            weight=self._weight(delivery, "BTGEW", "G"),
            lading=tuple(self._lading(item) for item in delivery.find_all("E1EDL24")),
        )
        return pickup, drop

    def _parties(self, segments: Iterable[IdocSegment]) -> list[Party]:
        return [self._party(segment) for segment in segments]

    def _party(self, segment: IdocSegment) -> Party:
        function = segment.get("PARTNER_Q")
        role, entity = _PARTNER_ROLES.get(function, (PartyRole.OTHER, function))
        if role is PartyRole.OTHER:
            self._warn(WarningCode.UNMAPPED_CODE, f"partner function {function!r}", segment)
        name = " ".join(n for n in (segment.get("NAME1"), segment.get("NAME2")) if n)
        country_code = segment.get("COUNTRY1")
        country = normalise_country(country_code) if country_code else None
        if country_code and country is None:
            self._warn(WarningCode.UNKNOWN_COUNTRY, f"country {country_code!r}", segment)
        lines = tuple(s for s in (segment.get("STREET1"), segment.get("STREET2")) if s)
        location = Location(
            address_lines=lines,
            city=segment.get("CITY1") or None,
            state=segment.get("REGION") or None,
            postal_code=segment.get("POSTL_COD1") or None,
            country=country,
        )
        partner_id = segment.get("PARTNER_ID")
        return Party(
            role=role,
            entity_code=entity,
            name=name or None,
            # 93: code assigned by the originator of the document, here SAP's partner number
            identifiers=(PartyIdentifier(qualifier="93", value=partner_id),) if partner_id else (),
            location=location if location != Location() else None,
        )

    def _deadline_dates(
        self, segment: IdocSegment, kinds: Mapping[str, tuple[DateKind, DateKind]]
    ) -> list[DateTimeValue]:
        qualifier = segment.get("QUALF")
        begin_kind, end_kind = kinds.get(qualifier, (DateKind.OTHER, DateKind.OTHER))
        values = []
        for date_field, time_field, zone_field, kind in (
            ("NTANF", "NTANZ", "TZONE_BEG", begin_kind),
            ("NTEND", "NTENZ", "TZONE_END", end_kind),
            ("ISDD", "ISDZ", "TZONE_BEG", _actual(begin_kind)),
            ("IEDD", "IEDZ", "TZONE_END", _actual(end_kind)),
        ):
            day, time = segment.get(date_field), segment.get(time_field)
            value = self._date_time(segment, qualifier, kind, day, time, segment.get(zone_field))
            if value is not None:
                values.append(value)
        return values

    def _date_time(
        self,
        segment: IdocSegment,
        qualifier: str,
        kind: DateKind,
        day: str,
        time: str,
        sap_zone: str,
    ) -> DateTimeValue | None:
        if not day or day.strip("0") == "":
            return None
        try:
            date = dt.datetime.strptime(day, "%Y%m%d").date()
        except ValueError:
            self._warn(WarningCode.INVALID_DATE, f"{qualifier} date {day!r}", segment)
            return None
        # SAP writes 000000 for "no time" (the initial value of a TIMS field).
        if not time or time == "000000":
            return DateTimeValue(qualifier=qualifier, kind=kind, date=date)
        try:
            clock = dt.datetime.strptime(time, "%H%M%S").time()
        except ValueError:
            self._warn(WarningCode.INVALID_TIME, f"{qualifier} time {time!r}", segment)
            return DateTimeValue(qualifier=qualifier, kind=kind, date=date)
        naive = dt.datetime.combine(date, clock)
        stated = SAP_TIME_ZONES.get(sap_zone)
        if stated is not None:
            zone, source = stated, TimeZoneSource.STATED
        elif self.zone_name is not None:
            zone, source = self.zone_name, TimeZoneSource.PARTNER_DEFAULT
        else:
            zone, source = "UTC", TimeZoneSource.ASSUMED_UTC
            self._warn(WarningCode.ASSUMED_TIME_ZONE, f"{qualifier} time read as UTC", segment)
        if sap_zone and stated is None:
            self._warn(WarningCode.UNMAPPED_CODE, f"SAP time zone {sap_zone!r}", segment)
        instant = naive.replace(tzinfo=ZoneInfo(zone))
        return DateTimeValue(
            qualifier=qualifier,
            kind=kind,
            date=date,
            time=time,
            instant=instant,
            zone=zone,
            zone_source=source,
        )

    def _lading(self, item: IdocSegment) -> LadingLine:
        material = item.get("MATNR")
        return LadingLine(
            line_number=int(item.get("POSNR")) if item.get("POSNR").isdigit() else None,
            description=item.get("ARKTX") or (f"material {material}" if material else None),
            quantity=self._decimal(item, "LFIMG"),
            packaging_code=item.get("VRKME") or None,
            weight=self._weight(item, "BRGEW", "G") or self._weight(item, "NTGEW", "N"),
            volume=self._volume(item),
        )

    def _totals(self, delivery: IdocSegment) -> Totals | None:
        weight = self._weight(delivery, "BTGEW", "G") or self._weight(delivery, "NTGEW", "N")
        volume = self._volume(delivery)
        quantity = self._decimal(delivery, "ANZPK")
        if weight is None and volume is None and quantity is None:
            return None
        return Totals(weight=weight, volume=volume, lading_quantity=quantity)

    def _weight(self, segment: IdocSegment, name: str, qualifier: str) -> Weight | None:
        value = self._decimal(segment, name)
        if value is None:
            return None
        unit_code = segment.get("GEWEI")
        unit = _WEIGHT_FROM_ISO.get(unit_code, WeightUnit.OTHER)
        if unit is WeightUnit.OTHER:
            self._warn(WarningCode.UNMAPPED_CODE, f"weight unit {unit_code!r}", segment)
        return Weight(value=value, unit=unit, unit_code=unit_code or None, qualifier=qualifier)

    def _volume(self, segment: IdocSegment) -> Volume | None:
        value = self._decimal(segment, "VOLUM")
        if value is None:
            return None
        unit_code = segment.get("VOLEH")
        unit = _VOLUME_FROM_ISO.get(unit_code, VolumeUnit.OTHER)
        if unit is VolumeUnit.OTHER:
            self._warn(WarningCode.UNMAPPED_CODE, f"volume unit {unit_code!r}", segment)
        return Volume(value=value, unit=unit, unit_code=unit_code or None)

    def _decimal(self, segment: IdocSegment, name: str) -> Decimal | None:
        text = segment.get(name).strip()
        if not text:
            return None
        # SAP may write the sign last ("12.50-") in CHAR fields converted from packed numbers.
        if text.endswith("-"):
            text = "-" + text[:-1]
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self._warn(WarningCode.INVALID_NUMBER, f"{name} {text!r}", segment)
            return None
        return number

    def _texts(self, headers: Iterable[IdocSegment], line_segment: str) -> list[Note]:
        notes = []
        for header in headers:
            text = " ".join(line.get("TDLINE") for line in header.find_all(line_segment))
            if text.strip():
                notes.append(Note(text=text.strip(), code=header.get("TDID") or None))
        return notes

    def _warn(self, code: WarningCode, message: str, segment: IdocSegment) -> None:
        warning = MappingWarning(
            code=code, message=message, segment_id=segment.name, segment_index=segment.line or 0
        )
        # a field read twice (a delivery's weight is the stop's and the total's) warns once
        if warning not in self.warnings:
            self.warnings.append(warning)


# SAP time zone codes (table TTZZ, standard entries) that name one IANA zone. Others are
# customer settings: their times fall back to the profile's zone, with a warning.
SAP_TIME_ZONES: Mapping[str, str] = {
    "UTC": "UTC",
    "CET": "Europe/Berlin",
    "GMTUK": "Europe/London",
    "EST": "America/New_York",
    "CST": "America/Chicago",
    "MST": "America/Denver",
    "PST": "America/Los_Angeles",
}

# Deadline qualifier -> (kind of the planned begin, kind of the planned end).
_SHIPMENT_DATE_KINDS: Mapping[str, tuple[DateKind, DateKind]] = {
    "005": (DateKind.REQUESTED_PICKUP, DateKind.REQUESTED_DELIVERY),
}
_DELIVERY_DATE_KINDS: Mapping[str, tuple[DateKind, DateKind]] = {
    "006": (DateKind.REQUESTED_PICKUP, DateKind.REQUESTED_PICKUP),  # goods issue
    "007": (DateKind.REQUESTED_DELIVERY, DateKind.REQUESTED_DELIVERY),  # delivery date
}
# Delivery deadlines that happen at the consignee; the others (goods issue, picking, loading,
# transport planning, ...) happen at the shipping point and go to the pick-up stop.
_DESTINATION_DEADLINES = frozenset({"007"})


def _carrier_scac(partners: Iterable[IdocSegment]) -> str | None:
    """The forwarding agent's (PARTNER_Q SP) partner id when it is a SCAC (2-4 letters): the
    carrier SAP assigned, which routing needs to choose the 204's recipient."""
    for partner in partners:
        if partner.get("PARTNER_Q") == "SP":
            value = (partner.get("PARTNER_ID") or "").strip().upper()
            if 2 <= len(value) <= 4 and value.isalpha():
                return value
    return None


def _actual(kind: DateKind) -> DateKind:
    return {
        DateKind.REQUESTED_PICKUP: DateKind.SHIPPED,
        DateKind.REQUESTED_DELIVERY: DateKind.DELIVERED,
    }.get(kind, DateKind.OTHER)


# --- rendering helpers -----------------------------------------------------------------------


def _builder(
    config: IdocPartnerConfig, created: dt.datetime, docnum: int | None, cimtyp: str | None
) -> IdocBuilder:
    fields = control_record(
        config, idoctyp=IDOCTYP, mestyp=MESTYP, created=created, docnum=docnum, cimtyp=cimtyp
    )
    return IdocBuilder(IDOCTYP, fields, root_name=cimtyp)


def _shipment_number(correlation: Correlation, shipment_id: str | None) -> str:
    number = correlation.erp_order or shipment_id
    if not number:
        raise IdocFieldError(
            "no SAP shipment number: correlation.erp_order and shipment_id are empty",
            "E1EDT20",
            "TKNUM",
        )
    return number


def _reference(references: Sequence[Reference], kind: ReferenceKind) -> str | None:
    return next((r.value for r in references if r.kind is kind), None)


def _delivery_numbers(references: Sequence[Reference]) -> list[str]:
    numbers: list[str] = []
    for reference in references:
        if reference.kind is ReferenceKind.DELIVERY_ORDER and reference.value not in numbers:
            numbers.append(reference.value)
    return numbers


def _party(parties: Sequence[Party], role: PartyRole) -> Party | None:
    return next((p for p in parties if p.role is role), None)


def _equipment_id(equipment: Iterable[Equipment]) -> str | None:
    """SIGNI, the container/trailer id: owner prefix (equipment initial) + number, as X12 N7."""
    for item in equipment:
        if item.number:
            return f"{item.owner_scac or ''}{item.number}"
    return None


def _address(
    function: str, party: Party | None, partner_id: str | None = None
) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {"PARTNER_Q": function}
    if partner_id is None and party is not None and party.identifiers:
        partner_id = party.identifiers[0].value
    fields["PARTNER_ID"] = fit_or_drop(partner_id, 17)
    if party is None:
        return fields
    fields["NAME1"], fields["NAME2"] = split_name(party.name, 40)
    location = party.location
    if location is not None:
        lines = location.address_lines
        fields["STREET1"] = lines[0] if lines else None
        fields["STREET2"] = " ".join(lines[1:]) or None
        fields["POSTL_COD1"] = postal_code(location.postal_code, 10)
        fields["CITY1"] = location.city
        fields["COUNTRY1"] = fit_or_drop(location.country, 3)
        fields["REGION"] = fit_or_drop(location.state, 3)
    contact = party.contacts[0] if party.contacts else None
    if contact is not None:
        fields["TELEPHONE1"] = contact.phone
        fields["TELEFAX"] = contact.fax
        fields["E_MAIL"] = fit_or_drop(contact.email, 70)
    return fields


def split_name(name: str | None, width: int) -> tuple[str | None, str | None]:
    """A name over NAME1 and NAME2, broken at a space; what does not fit NAME2 is cut there."""
    lines = wrap_text(name or "", width)
    return (lines[0] if lines else None), (" ".join(lines[1:]) or None)


def _fill(
    slots: dict[str, dict[str, FieldValue]],
    deadline: Deadline,
    event: TrackingEvent,
    config: IdocPartnerConfig,
    zone_code: str | None,
) -> bool:
    """Put the event's date/time into the deadline's begin or end; True when an actual date
    (a fact, not an estimate) was written. Later events overwrite earlier ones of the same slot."""
    if event.event_time is not None:
        date, time = config.local(event.event_time)
        clock: dt.time | None = time
    elif event.event_date is not None:
        date, clock = event.event_date, None
    else:
        return False
    if event.is_estimate:
        date_field, time_field = ("NTEND", "NTENZ") if deadline.end else ("NTANF", "NTANZ")
    else:
        date_field, time_field = ("IEDD", "IEDZ") if deadline.end else ("ISDD", "ISDZ")
    slot = slots.setdefault(deadline.qualifier, {"QUALF": deadline.qualifier})
    slot[date_field] = date
    slot[time_field] = clock
    if zone_code and clock is not None:
        slot["TZONE_END" if deadline.end else "TZONE_BEG"] = zone_code
    return not event.is_estimate


def _event_line(event: TrackingEvent, config: IdocPartnerConfig) -> str:
    if event.event_time is not None:
        # the offset, not the zone name: short, and exact for the reader of a 70-character line
        local = event.event_time.astimezone(ZoneInfo(config.time_zone))
        when = local.strftime("%Y-%m-%d %H:%M %z")
    elif event.event_date is not None:
        when = event.event_date.isoformat()
    else:
        when = "no date"
    parts = [when, event.status_code or "", event.status.value]
    if event.is_estimate:
        parts.append("(estimate)")
    if event.reason_code:
        parts.append(f"reason {event.reason_code}")
    location = event.location
    if location is not None:
        parts += [p for p in (location.city, location.state, location.country) if p]
    return " ".join(p for p in parts if p)


def _add_text(
    builder: IdocBuilder, header: DraftSegment, lines: Sequence[str], codes: ShipmentIdocCodes
) -> None:
    if not lines:
        return
    tknum = header.findtext("TKNUM")
    text = builder.add(
        header,
        "E1TXTH6",
        {
            "TDOBJECT": "VTTK",
            "TDOBNAME": tknum,
            "TDID": codes.text_id,
            "TDSPRAS": codes.text_language,
            "LANGUA_ISO": codes.text_language_iso,
        },
    )
    for line in lines:
        for part in wrap_text(line, _TEXT_WIDTH):
            builder.add(text, "E1TXTP6", {"TDFORMAT": "*", "TDLINE": part})


@dataclass(frozen=True, slots=True)
class _DeliveryPlan:
    """What a load tender says about one SAP delivery."""

    party: Party | None = None
    goods_issue: DateTimeValue | None = None
    delivery: DateTimeValue | None = None
    delivery_end: DateTimeValue | None = None
    weight: Weight | None = None
    lading_quantity: int | None = None
    lading: tuple[LadingLine, ...] = ()
    bol: str | None = None


def _stop_deliveries(stop: Stop) -> list[str]:
    references = [*stop.references, *(r for order in stop.orders for r in order.references)]
    return _delivery_numbers(references)


def _tender_deliveries(tender: LoadTender) -> dict[str, _DeliveryPlan]:
    plans: dict[str, _DeliveryPlan] = {}
    for stop in tender.stops:
        numbers = _stop_deliveries(stop)
        only = len(numbers) == 1
        for vbeln in numbers:
            plan = plans.get(vbeln, _DeliveryPlan())
            if stop.kind in _PICKUP_KINDS:
                plan = dataclasses.replace(plan, goods_issue=_stop_time(stop, start=True))
            elif stop.kind in _DELIVERY_KINDS:
                lading = stop.lading or tuple(line for o in stop.orders for line in o.lading)
                plan = dataclasses.replace(
                    plan,
                    party=stop.party,
                    delivery=_stop_time(stop, start=True),
                    delivery_end=_stop_time(stop, start=False),
                    # a stop's weight and lines can only be given to a delivery it does not share
                    weight=stop.weight if only else None,
                    lading_quantity=stop.lading_quantity if only else None,
                    lading=lading if only else (),
                    bol=_reference(stop.references, ReferenceKind.BOL),
                )
            plans[vbeln] = plan
    return plans


def _stop_time(stop: Stop, *, start: bool) -> DateTimeValue | None:
    for window in stop.windows:
        value = window.start if start else window.end
        if value is not None and value.date is not None:
            return value
    if start:
        return next((d for d in stop.dates if d.date is not None), None)
    return None


def _planned(stop: Stop | None, tender: LoadTender, pickup: bool) -> DateTimeValue | None:
    if stop is not None:
        value = _stop_time(stop, start=pickup) or _stop_time(stop, start=True)
        if value is not None:
            return value
    wanted = DateKind.REQUESTED_PICKUP if pickup else DateKind.REQUESTED_DELIVERY
    return next((d for d in tender.dates if d.kind is wanted and d.date is not None), None)


def _first(stops: Iterable[Stop]) -> Stop | None:
    return next(iter(stops), None)


def _last(stops: Iterable[Stop]) -> Stop | None:
    found = None
    for stop in stops:
        found = stop
    return found


def _local_parts(value: DateTimeValue, config: IdocPartnerConfig) -> tuple[dt.date, dt.time | None]:
    """A canonical date as SAP's date and time fields: instants in the profile's zone; a date
    with no instant stays a bare date (its time alone, in an unknown zone, would mislead)."""
    if value.instant is not None:
        return config.local(value.instant)
    assert value.date is not None  # callers pick values with a date
    return value.date, None


def _add_delivery(
    builder: IdocBuilder,
    header: DraftSegment,
    vbeln: str,
    plan: _DeliveryPlan,
    config: IdocPartnerConfig,
) -> None:
    weight = plan.weight
    gewei = ISO_WEIGHT_UNITS.get(weight.unit) if weight is not None else None
    delivery = builder.add(
        header,
        "E1EDL20",
        {
            "VBELN": vbeln,
            "BTGEW": weight.value if weight is not None and gewei else None,
            "GEWEI": gewei,
            "ANZPK": plan.lading_quantity,
            "BOLNR": plan.bol,
        },
    )
    if plan.party is not None:
        builder.add(delivery, "E1ADRM1", _address("WE", plan.party))
    zone = config.sap_time_zone
    if plan.goods_issue is not None:
        day, time = _local_parts(plan.goods_issue, config)
        fields: dict[str, FieldValue] = {"QUALF": "006", "NTANF": day, "NTANZ": time}
        fields["TZONE_BEG"] = zone if time is not None else None
        builder.add(delivery, "E1EDT13", fields)
    if plan.delivery is not None:
        day, time = _local_parts(plan.delivery, config)
        fields = {"QUALF": "007", "NTANF": day, "NTANZ": time}
        fields["TZONE_BEG"] = zone if time is not None else None
        if plan.delivery_end is not None:
            end_day, end_time = _local_parts(plan.delivery_end, config)
            fields |= {"NTEND": end_day, "NTENZ": end_time}
            fields["TZONE_END"] = zone if end_time is not None else None
        builder.add(delivery, "E1EDT13", fields)
    for index, line in enumerate(plan.lading, start=1):
        builder.add(delivery, "E1EDL24", _item(line, index))


def _item(line: LadingLine, index: int) -> dict[str, FieldValue]:
    weight = line.weight
    gewei = ISO_WEIGHT_UNITS.get(weight.unit) if weight is not None else None
    gross = weight is not None and gewei is not None and weight.qualifier != "N"
    net = weight is not None and gewei is not None and weight.qualifier == "N"
    volume = line.volume
    voleh = ISO_VOLUME_UNITS.get(volume.unit) if volume is not None else None
    packaging = ISO_PACKAGING_UNITS.get((line.packaging_code or "").upper())
    return {
        # SAP item numbers step by 10; the tender's own line number is kept when it has one
        "POSNR": (line.line_number or index) * 10,
        "ARKTX": line.description,
        # a quantity in a unit SAP cannot read would be taken in the item's base unit: left out
        "LFIMG": line.quantity if packaging else None,
        "VRKME": packaging,
        "NTGEW": weight.value if net and weight is not None else None,
        "BRGEW": weight.value if gross and weight is not None else None,
        "GEWEI": gewei,
        "VOLUM": volume.value if volume is not None and voleh else None,
        "VOLEH": voleh,
    }
