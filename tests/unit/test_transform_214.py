"""The 214 -> ShipmentStatus transform on every public 214 sample (golden files) and on
synthetic sets for what the samples lack: 5010 loops, partner code maps, CD3, bad values.

Golden files hold a readable projection of each document (codes, statuses, UTC instants,
places, keys, warnings), checked by hand against the sample bytes. To regenerate after a
deliberate change: GATEWAY_UPDATE_GOLDEN=1 pytest tests/unit/test_transform_214.py, then
review the diff line by line before committing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.canonical import (
    AppointmentKind,
    PartyRole,
    ReasonKind,
    ShipmentStatus,
    SourceMetadata,
    StatusKind,
    TimeZoneSource,
    WarningCode,
    parse_document,
)
from gateway.x12.model import Delimiters, Segment, TransactionSet
from tests.conftest import SAMPLES
from tests.x12_sets import sets_of
from transforms.status_taxonomy import STANDARD_STATUS
from transforms.x12_214 import shipment_status_from_x12
from transforms.x12_common import source_metadata

TZ_UTC = dt.UTC
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "214"

SAMPLES_214 = {
    "TraxTechnologies__scala-x12__example214": SAMPLES
    / "TraxTechnologies__scala-x12__example214.x12",
    "apimeister__x12-types__214_test2_embedded": SAMPLES
    / "apimeister__x12-types__214_test2_embedded.edi",
    "apimeister__x12-types__214_test1_embedded": SAMPLES
    / "extra"
    / "apimeister__x12-types__214_test1_embedded.edi",
    "ballerina-platform__module-ballerina-edi__214_edi-214_output": SAMPLES
    / "ballerina-platform__module-ballerina-edi__214_edi-214_output.edi",
    "indice-co__EDI.Net__214-MGCTLYST-SAMPLE": SAMPLES
    / "indice-co__EDI.Net__214-MGCTLYST-SAMPLE.EDI",
    "indice-co__EDI.Net__x12.214": SAMPLES / "indice-co__EDI.Net__x12.214.edi",
    "nick-manasys__edi-parser__214-line-ending": SAMPLES
    / "nick-manasys__edi-parser__214-line-ending.edi",
    "xlate__staedi__214_issue109_ts214_ellipses_segterm": SAMPLES
    / "xlate__staedi__214_issue109_ts214_ellipses_segterm.edi",
}


def transform_file(path: Path, **options: Any) -> list[ShipmentStatus]:
    """Read a sample with the gateway's reader and transform every 214 in it."""
    return [
        shipment_status_from_x12(
            ts,
            delimiters=interchange.delimiters,
            envelope=source_metadata(ts, interchange, group),
            **options,
        )
        for ts, interchange, group in sets_of(path, "214")
    ]


def project(doc: ShipmentStatus) -> dict[str, Any]:
    """The values a reviewer checks against the sample, in plain JSON."""
    return {
        "set_control_number": doc.source.set_control_number,
        "version": doc.source.version,
        "scac": doc.scac,
        "pro_number": doc.pro_number,
        "shipment_id": doc.shipment_id,
        "correlation": doc.correlation.keys(),
        "references": [[r.qualifier, r.kind.value, r.value] for r in doc.references],
        "parties": [
            {
                "role": p.role.value,
                "entity_code": p.entity_code,
                "name": p.name,
                "city": p.location.city if p.location else None,
                "state": p.location.state if p.location else None,
                "postal_code": p.location.postal_code if p.location else None,
                "country": p.location.country if p.location else None,
            }
            for p in doc.parties
        ],
        "interline": [i.scac for i in doc.interline],
        "events": [
            {
                "lx": e.assigned_number,
                "status_code": e.status_code,
                "reason_code": e.reason_code,
                "appointment_code": e.appointment_code,
                "status": e.status.value,
                "is_mapped": e.is_mapped,
                "is_estimate": e.is_estimate,
                "reason": e.reason.value if e.reason else None,
                "appointment_kind": e.appointment_kind.value if e.appointment_kind else None,
                "at_utc": e.event_time.astimezone(TZ_UTC).isoformat() if e.event_time else None,
                "at_local": e.event_time.isoformat() if e.event_time else None,
                "zone": e.time_zone,
                "zone_source": e.time_zone_source.value if e.time_zone_source else None,
                "city": e.location.city if e.location else None,
                "state": e.location.state if e.location else None,
                "stop_sequence": e.stop_sequence,
                "equipment": [[q.owner_scac, q.number] for q in e.equipment],
                "weight": [str(e.weight.value), e.weight.unit.value, e.weight.qualifier]
                if e.weight
                else None,
                "lading_quantity": e.lading_quantity,
                "references": [[r.qualifier, r.value] for r in e.references],
            }
            for e in doc.events
        ],
        "warnings": [[w.code.value, w.segment_id, w.element, w.value] for w in doc.warnings],
    }


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_sample_matches_golden(name: str) -> None:
    documents = transform_file(SAMPLES_214[name])
    actual = json.loads(json.dumps([project(d) for d in documents]))
    golden_path = GOLDEN / f"{name}.json"
    if os.environ.get("GATEWAY_UPDATE_GOLDEN"):
        golden_path.parent.mkdir(parents=True, exist_ok=True)
        golden_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(golden_path.read_text())


@pytest.mark.parametrize("name", sorted(SAMPLES_214))
def test_sample_json_round_trips(name: str) -> None:
    for doc in transform_file(SAMPLES_214[name]):
        dumped = doc.model_dump(mode="json")
        assert parse_document(dumped) == doc
        assert parse_document(json.dumps(dumped)) == doc


# Spot checks written straight from the sample bytes, independent of the golden files.


def test_trax_tilde_separated_sample() -> None:
    (doc,) = transform_file(SAMPLES_214["TraxTechnologies__scala-x12__example214"])
    assert (doc.scac, doc.pro_number, doc.shipment_id) == ("DNZA", None, "5ZJ3896")
    (event,) = doc.events
    assert (event.status_code, event.status) == ("AF", StatusKind.PICKED_UP)
    # AT7~AF~NS~~~20150327~0931~LT at MS1~KANSAS CITY~MO: Missouri is Central, CDT in March
    assert event.event_time is not None
    assert event.event_time.isoformat() == "2015-03-27T09:31:00-05:00"
    assert event.time_zone_source is TimeZoneSource.EVENT_LOCATION
    assert event.weight is not None and event.weight.value == Decimal("92.9")
    assert event.lading_quantity == 11
    assert doc.correlation.bol == "5ZJ3896"
    assert doc.correlation.po == ("5043705_00010_0001", "5043706_00010_0001")
    shipper = doc.parties[0]
    assert shipper.role is PartyRole.SHIPPER and shipper.additional_names == (
        "ONE TECHNOLOGY CENTER",
    )
    assert doc.parties[1].location is not None and doc.parties[1].location.country == "FR"


def test_appointment_form_and_many_at7_per_lx() -> None:
    (doc,) = transform_file(SAMPLES_214["apimeister__x12-types__214_test1_embedded"])
    assert len(doc.events) == 18
    first = doc.events[0]  # AT7***AA*NA*20111217*0830*PS
    assert first.status is StatusKind.APPOINTMENT_SET
    assert first.appointment_kind is AppointmentKind.PICKUP
    assert (first.status_code, first.appointment_code) == (None, "AA")
    assert first.event_time is not None
    assert first.event_time.astimezone(TZ_UTC).isoformat() == "2011-12-17T16:30:00+00:00"
    assert doc.events[3].appointment_kind is AppointmentKind.DELIVERY
    assert doc.events[4].reason is ReasonKind.CUSTOMER_RELATED  # X1*AD
    # the L11*DO after each LX's AT7s attaches to that LX's six events only
    assert {e.references[0].value for e in doc.events[:6]} == {"99997666"}
    assert {e.references[0].value for e in doc.events[12:]} == {"99991280"}


def test_unknown_code_is_kept_not_dropped() -> None:
    (doc,) = transform_file(
        SAMPLES_214["ballerina-platform__module-ballerina-edi__214_edi-214_output"]
    )
    codes = [e.status_code for e in doc.events]
    assert codes == ["X3", "AF", "K2", "CD"]
    k2 = doc.events[2]
    assert k2.status is StatusKind.UNMAPPED and k2.is_mapped is False
    assert k2.stop_sequence == 99
    assert [w.code for w in doc.warnings] == [WarningCode.UNMAPPED_CODE]


def test_partner_code_map_overrides_and_maps_unknown_codes() -> None:
    path = SAMPLES_214["ballerina-platform__module-ballerina-edi__214_edi-214_output"]
    (doc,) = transform_file(
        path, profile_code_map={"K2": "arrived_at_delivery", "X3": "ARRIVED_AT_STOP"}
    )
    assert [e.status for e in doc.events] == [
        StatusKind.ARRIVED_AT_STOP,
        StatusKind.PICKED_UP,
        StatusKind.ARRIVED_AT_DELIVERY,
        StatusKind.DEPARTED_DELIVERY,
    ]
    assert all(e.is_mapped for e in doc.events)
    assert doc.warnings == ()


def test_partner_map_with_invalid_value_falls_back_and_warns() -> None:
    path = SAMPLES_214["ballerina-platform__module-ballerina-edi__214_edi-214_output"]
    (doc,) = transform_file(path, profile_code_map={"AF": "left_the_building"})
    assert doc.events[1].status is StatusKind.PICKED_UP
    assert WarningCode.INVALID_PROFILE_MAPPING in [w.code for w in doc.warnings]


def test_local_time_uses_partner_default_zone_when_place_unknown() -> None:
    path = SAMPLES_214["apimeister__x12-types__214_test2_embedded"]
    first, second = transform_file(path, default_tz="America/Los_Angeles")
    event = first.events[0]  # AT7*AF*NS***20060301*0800*LT, no MS1, origin terminal SFO
    assert event.time_zone_source is TimeZoneSource.PARTNER_DEFAULT
    assert event.event_time is not None
    assert event.event_time.isoformat() == "2006-03-01T08:00:00-08:00"
    assert WarningCode.ASSUMED_TIME_ZONE not in [w.code for w in first.warnings]
    assert second.events[0].status is StatusKind.DELIVERED


def test_local_time_without_any_zone_is_flagged_utc() -> None:
    first, _ = transform_file(SAMPLES_214["apimeister__x12-types__214_test2_embedded"])
    event = first.events[0]
    assert event.time_zone_source is TimeZoneSource.ASSUMED_UTC
    assert event.event_time is not None and event.event_time.utcoffset() is not None
    assert event.event_time.isoformat() == "2006-03-01T08:00:00+00:00"
    assumed = [w for w in first.warnings if w.code is WarningCode.ASSUMED_TIME_ZONE]
    assert [(w.segment_id, w.element) for w in assumed] == [("G62", 5), ("AT7", 7)]


# Synthetic sets for what no public sample carries.


def segments(text: str) -> TransactionSet:
    """A transaction set from `~`-terminated, `*`-separated text (one segment per line)."""
    parsed = [
        Segment(line.strip().rstrip("~").split("*"), index)
        for index, line in enumerate(text.strip().splitlines(), start=1)
    ]
    return TransactionSet(set_id=parsed[0].el(1), control_number=parsed[0].el(2), segments=parsed)


def transform(text: str, version: str = "004010", **options: Any) -> ShipmentStatus:
    ts = segments(text)
    envelope = SourceMetadata(version=version, set_control_number=ts.control_number, set_id="214")
    return shipment_status_from_x12(ts, delimiters=Delimiters(), envelope=envelope, **options)


SET_5010 = """
ST*214*0001*005010
B10*PRO123*SHIP456*ABCD***Y*20240310*0800
MS3*ABCD*B**M
LX*1
L11*BOL789*BM
L11*1*QN
AT8*G*L*1200*3*2
AT7*X3*NS***20240310*0130*LT
MS2*ABCD*TRL01
MS2*ABCD*TRL02
K1*DOCK 4
AT7*AF*NS***20240310*0330*LT
N1*SF*ACME PLANT*93*SF01
N3*1 MAIN ST
N4*CHICAGO*IL*60601*USA
L11*PU55*P8
LX*2
AT7*AG*NS***20240312*1500*CT
N1*ST*CUSTOMER DC
N4*DENVER*CO*80202*US
OID*ORD1*PO-9
SE*19*0001
"""


def test_5010_n1_inside_lx_and_attachments() -> None:
    doc = transform(SET_5010, version="005010")
    assert doc.parties == ()  # 5010 has no heading N1
    assert [i.scac for i in doc.interline] == ["ABCD"]
    x3, af, ag = doc.events
    # LX-level L11/AT8/N1 attach to both events of LX 1
    for event in (x3, af):
        assert event.stop_sequence == 1
        assert [r.value for r in event.references] == ["BOL789", "1"]
        assert event.lading_quantity == 5  # AT8-04 3 loose + AT8-05 2 unitized
        assert [p.name for p in event.parties] == ["ACME PLANT"]
    assert [(q.owner_scac, q.number) for q in x3.equipment] == [
        ("ABCD", "TRL01"),
        ("ABCD", "TRL02"),
    ]
    assert [n.text for n in x3.notes] == ["DOCK 4"]  # 5010: K1 in the AT7 loop
    assert af.equipment == () and af.notes == ()
    # LT in Chicago (party N4 IL): 2024-03-10 is the spring-forward day
    assert x3.event_time is not None and x3.event_time.isoformat() == "2024-03-10T01:30:00-06:00"
    assert af.event_time is not None and af.event_time.isoformat() == "2024-03-10T03:30:00-05:00"
    assert x3.time_zone_source is TimeZoneSource.PARTY_LOCATION
    party = af.parties[0]
    assert party.location is not None and party.location.country == "US"
    assert [r.value for r in party.references] == ["PU55"]  # L11 after N1 belongs to the party
    assert ag.is_estimate and ag.status is StatusKind.ESTIMATED_DELIVERY
    assert ag.event_time is not None and ag.event_time.isoformat() == "2024-03-12T15:00:00-05:00"
    assert [r.value for r in ag.references] == ["PO-9"]
    assert doc.correlation.bol == "BOL789" and doc.correlation.po == ("PO-9",)
    assert doc.correlation.pro == "PRO123" and doc.correlation.shipment_id == "SHIP456"
    assert [(q.owner_scac, q.number) for q in doc.equipment] == [
        ("ABCD", "TRL01"),
        ("ABCD", "TRL02"),
    ]


def test_cd3_package_loop_inherits_lx_and_adds_its_own() -> None:
    doc = transform(
        """
        ST*214*0002
        B10*PRO1*SID1*UPSN
        LX*1
        L11*PO77*PO
        CD3*G*12
        L11*1Z999*2I
        AT7*D1*NS***20240102*1015*ET
        MS1*NEW YORK*NY*US
        AT8*G*L*12*1
        SE*9*0002
        """
    )
    (event,) = doc.events
    assert event.package_id == "1Z999"
    assert [r.value for r in event.references] == ["PO77", "1Z999"]
    assert event.weight is not None and event.weight.value == Decimal("12")
    assert (
        event.event_time is not None and event.event_time.isoformat() == "2024-01-02T10:15:00-05:00"
    )


def test_bad_values_become_warnings_never_exceptions() -> None:
    doc = transform(
        """
        ST*214*0003
        B10*PRO1*SID1*
        LX*1
        AT7*ZZ*QQ***00010101*0930*LT
        AT7*X1*NS***20240230*0930*ET
        AT7*D1*NS***20240101*2561*ET
        AT7*CD*NS***20240101*1000*XY
        AT7
        MS1*SOMEWHERE*ZZ*ATLANTIS*ABC
        SE*9*0003
        """
    )
    codes = [(w.code, w.segment_id, w.element) for w in doc.warnings]
    assert (WarningCode.MISSING_VALUE, "B10", 3) in codes
    assert (WarningCode.UNMAPPED_CODE, "AT7", 1) in codes
    assert (WarningCode.UNMAPPED_CODE, "AT7", 2) in codes
    assert (WarningCode.PLACEHOLDER_DATE, "AT7", 5) in codes
    assert (WarningCode.INVALID_DATE, "AT7", 5) in codes
    assert (WarningCode.INVALID_TIME, "AT7", 6) in codes
    assert (WarningCode.UNKNOWN_TIME_CODE, "AT7", 7) in codes
    assert (WarningCode.UNKNOWN_COUNTRY, "MS1", 3) in codes
    assert (WarningCode.INVALID_NUMBER, "MS1", 4) in codes
    zz, x1, d1, cd, empty = doc.events
    assert zz.status is StatusKind.UNMAPPED and zz.status_code == "ZZ"
    assert zz.reason is ReasonKind.UNMAPPED and zz.reason_code == "QQ"
    assert zz.event_time is None and zz.event_date is None and zz.raw_date == "00010101"
    assert x1.event_time is None and x1.status is StatusKind.ARRIVED_AT_DELIVERY
    assert d1.event_date is not None and d1.event_time is None
    assert cd.event_time is not None and cd.time_zone_source is TimeZoneSource.ASSUMED_UTC
    assert empty.status is StatusKind.UNMAPPED and empty.location is not None
    assert empty.location.country == "ATLANTIS"


def test_delivery_event_without_ms1_reads_local_time_at_consignee() -> None:
    doc = transform(
        """
        ST*214*0004
        B10*PRO1*SID1*ABCD
        N1*SH*SHIPPER
        N4*DALLAS*TX*75201
        N1*CN*CONSIGNEE
        N4*PHOENIX*AZ*85001*USA
        LX*1
        AT7*X3*NS***20240701*0800*LT
        AT7*D1*NS***20240703*1400*LT
        SE*10*0004
        """,
        default_tz="America/New_York",
    )
    pickup, delivery = doc.events
    # Texas spans two zones: no inference, the partner default applies
    assert pickup.time_zone_source is TimeZoneSource.PARTNER_DEFAULT
    assert pickup.event_time is not None and pickup.event_time.isoformat().endswith("-04:00")
    # Arizona keeps MST all summer
    assert delivery.time_zone == "America/Phoenix"
    assert delivery.time_zone_source is TimeZoneSource.PARTY_LOCATION
    assert delivery.event_time is not None
    assert delivery.event_time.isoformat() == "2024-07-03T14:00:00-07:00"


def test_ms1_coordinates_dms_and_decimal() -> None:
    doc = transform(
        """
        ST*214*0005
        B10*PRO1*SID1*ABCD
        LX*1
        AT7*X6*NS***20240101*1200*UT
        MS1****0871500*0413000*W*N
        AT7*X6*NS***20240101*1300*UT
        MS1****-100.51*25.7252*W*N
        SE*7*0005
        """
    )
    dms, decimal_degrees = (e.location for e in doc.events)
    assert dms is not None and (dms.longitude, dms.latitude) == (-87.25, 41.5)
    assert decimal_degrees is not None
    assert (decimal_degrees.longitude, decimal_degrees.latitude) == (-100.51, 25.7252)


def test_not_a_214_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a 214"):
        transform("ST*210*0001\nB3**INV1*SID*PP\nSE*3*0001")


def test_every_standard_code_maps_to_a_real_status() -> None:
    assert StatusKind.UNMAPPED not in STANDARD_STATUS.values()
    for code in ("X3", "AF", "X6", "X4", "P1", "AG", "X1", "D1", "CD", "SD", "A7", "CA"):
        doc = transform(f"ST*214*1\nB10*P*S*ABCD\nLX*1\nAT7*{code}*NS***20240101*1200*UT\nSE*5*1")
        assert doc.events[0].is_mapped, code
