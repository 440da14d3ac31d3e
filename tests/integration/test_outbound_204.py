"""ERP order -> LoadTender -> 204 to the carrier (control numbers, expected 997) and the ack lifecycle."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.store import AckDirection, AckKind, AckStatus, MessageStatus
from gateway.x12.checker import CheckedSet, check_stream
from gateway.x12.envelope import GroupStart, InterchangeStart, read_events
from gateway.x12.model import TransactionSet
from tests.conftest import SAMPLES
from tests.integration.gateway_env import drop, gateway, make_home
from transforms.registry import MappingContext, inbound_x12
from transforms.x12_common import source_metadata


def tender_json(load: str = "LOAD-1") -> bytes:
    """A canonical LoadTender as the ERP would release it (built from a real 204 sample)."""
    with (SAMPLES / "kputnam__stupidedi__204_SM204_case_1.edi").open("rb") as fh:
        events = list(read_events(fh))
    isa = next(e for e in events if isinstance(e, InterchangeStart)).header
    gs = next(e for e in events if isinstance(e, GroupStart)).header
    ts = next(e for e in events if isinstance(e, TransactionSet))
    mapping = inbound_x12("204")
    assert mapping is not None
    doc = mapping.to_canonical(ts, MappingContext(isa.delimiters, source_metadata(ts, isa, gs)))
    data = doc.model_dump(mode="json")
    data["correlation"]["scac"] = "DEMO"
    data["correlation"]["erp_order"] = load
    data["scac"] = "DEMO"
    data["source"] = {"format": "internal"}
    return json.dumps(data).encode()


def outbox(settings_dir: Path, who: str) -> list[Path]:
    d = settings_dir / "outbox" / who
    return sorted(p for p in d.iterdir() if not p.name.startswith(".")) if d.exists() else []


def demo_997(gs06: str, code: str = "A", isa13: str = "000000777") -> bytes:
    return (
        "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *240105*0900*U*00401*"
        f"{isa13}*0*P*>~GS*FA*DEMOCARRIER*LOGIGATEWAY*20240105*0900*9{isa13[-3:]}*X*004010~"
        f"ST*997*0001~AK1*SM*{gs06}~AK2*204*0001~AK5*{code}~AK9*{code}*1*1*{1 if code == 'A' else 0}~"
        f"SE*6*0001~GE*1*9{isa13[-3:]}~IEA*1*{isa13}~"
    ).encode()


def test_erp_order_becomes_a_204_with_control_numbers_and_a_tms_copy(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order-1.json", tender_json("LOAD-1"))
    drop(settings, "erp", "order-2.json", tender_json("LOAD-2"))
    gw.tick()
    assert [m.status for m in gw.store.list_messages()] == [MessageStatus.PARSED] * 2
    sent = outbox(tmp_path, "demo-carrier")
    assert [p.name for p in sent] == ["204-000000001.x12", "204-000000002.x12"]
    first = sent[0].read_text()
    isa = first.split("~")[0].split("*")
    assert isa[6].strip() == "LOGIGATEWAY" and isa[8].strip() == "DEMOCARRIER"
    assert isa[13] == "000000001" and isa[15] == "P"
    assert "GS*SM*LOGIGATEWAY*DEMOCARRIER*" in first and "ST*204*0001" in first
    assert "SE*" in first and "IEA*1*000000001" in first
    # every 204 we send passes our own validator (pyx12 ships no 204 map); the sample's S5-05
    # without S5-06 and L3-14 without L3-15 are carried as they came (syntax notes P0506,
    # P1415: RENDERING_NOTE_GAPS in tests/unit/test_transform_204.py), so that class is noted
    with sent[1].open("rb") as fh:
        checked = [
            e
            for e in check_stream(
                fh, ack_kind_for=lambda *_: None, noted=frozenset({"syntax_note"})
            )
            if isinstance(e, CheckedSet)
        ]
    assert [c.ts.control_number for c in checked] == ["0002"]
    assert [c.result.code.value for c in checked] in (["A"], ["E"]), checked[0].result.issues
    assert len(outbox(tmp_path, "tms")) == 2
    expected = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    assert sorted((a.group_control_number, a.status.value) for a in expected) == [
        ("1", "pending"),
        ("2", "pending"),
    ]


def test_997_reconciles_late_997_clears_overdue_unknown_and_duplicate_recorded(
    tmp_path: Path,
) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order-1.json", tender_json("LOAD-1"))
    drop(settings, "erp", "order-2.json", tender_json("LOAD-2"))
    gw.tick()
    # no 997 for GS06 2 within the window: overdue exactly once
    later = datetime.now(UTC) + timedelta(hours=2)
    gw.pipeline.reconciler.clock = lambda: later
    flagged = gw.pipeline.reconciler.flag_overdue()
    assert sorted(a.group_control_number or "" for a in flagged if a.kind is AckKind.FA997) == [
        "1",
        "2",
    ]
    assert gw.pipeline.reconciler.flag_overdue() == []  # exactly once

    drop(settings, "demo-carrier", "997-a.edi", demo_997("1", "A", "000000701"))
    drop(settings, "demo-carrier", "997-b.edi", demo_997("2", "R", "000000702"))
    drop(settings, "demo-carrier", "997-c.edi", demo_997("99", "A", "000000703"))  # unknown GS06
    gw.tick()
    drop(settings, "demo-carrier", "997-d.edi", demo_997("1", "A", "000000704"))  # duplicate
    gw.tick()
    by_group = {
        a.group_control_number: a.status
        for a in gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    }
    assert by_group == {"1": AckStatus.ACCEPTED, "2": AckStatus.REJECTED}
    kinds = [
        e.kind for m in gw.store.list_messages() for e in gw.store.list_events(message_id=m.id)
    ]
    assert kinds.count("overdue_cleared") == 2
    assert kinds.count("unknown_ack") == 1
    assert kinds.count("duplicate_ack") == 1
    # acknowledgements are never acknowledged
    assert not [p for p in outbox(tmp_path, "demo-carrier") if p.name.startswith("997")]


def test_order_for_an_unknown_carrier_is_an_exception_not_a_drop(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    data = json.loads(tender_json())
    data["correlation"]["scac"] = "NOPE"
    drop(settings, "erp", "order.json", json.dumps(data).encode())
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED
    assert "NOPE" in (msg.quarantine_reason or "")


def test_idoc_from_the_erp_is_read_with_the_hardened_parser(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    drop(settings, "erp", "evil.xml", evil)
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED
    assert "DOCTYPE" in (msg.quarantine_reason or "")
    assert io.BytesIO(b"").read() == b""


def test_ta1_rejecting_our_interchange_settles_its_expected_997(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order-1.json", tender_json("LOAD-1"))
    gw.tick()
    ta1_only = (
        b"ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *240105*0900*U*00401*"
        b"000000800*0*P*>~TA1*000000001*240105*0900*R*006~IEA*0*000000800~"
    )
    drop(settings, "demo-carrier", "ta1.edi", ta1_only)
    gw.tick()
    (expected,) = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    assert expected.status is AckStatus.REJECTED
    received = gw.store.list_acks(direction=AckDirection.RECEIVED)
    assert [(a.kind.value, a.status.value) for a in received] == [("TA1", "rejected")]
    kinds = [
        e.kind for m in gw.store.list_messages() for e in gw.store.list_events(message_id=m.id)
    ]
    assert "alert" in kinds


def demo_990(isa13: str, action: str, shipment: str = "12345678") -> bytes:
    return (
        "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *240105*0900*U*00401*"
        f"{isa13}*0*P*>~GS*GF*DEMOCARRIER*LOGIGATEWAY*20240105*0900*8{isa13[-3:]}*X*004010~"
        f"ST*990*0001~B1*DEMO*{shipment}*20240105*{action}~SE*3*0001~GE*1*8{isa13[-3:]}~"
        f"IEA*1*{isa13}~"
    ).encode()


def test_990_tracking_accept_decline_and_no_answer(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order-1.json", tender_json("LOAD-1"))
    gw.tick()
    (tender,) = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.TENDER_RESPONSE)
    assert tender.status is AckStatus.PENDING and tender.due_at is not None
    drop(settings, "demo-carrier", "990.edi", demo_990("000000901", "A"))
    gw.tick()
    (tender,) = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.TENDER_RESPONSE)
    assert tender.status is AckStatus.ACCEPTED
    # the carrier's 997 for our 204 is separate and still pending
    (fa,) = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    assert fa.status is AckStatus.PENDING
    # the response reaches the ERP and the TMS
    assert any(p.name.startswith("SHPMNT05") for p in outbox(tmp_path, "erp"))


def test_declined_tender_alerts_and_unanswered_goes_overdue(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order-1.json", tender_json("LOAD-1"))
    gw.tick()
    drop(settings, "demo-carrier", "990.edi", demo_990("000000902", "D"))
    gw.tick()
    (tender,) = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.TENDER_RESPONSE)
    assert tender.status is AckStatus.REJECTED
    events = [e for m in gw.store.list_messages() for e in gw.store.list_events(message_id=m.id)]
    assert any(
        e.kind == "alert" and (e.detail or {}).get("kind") == "tender_declined" for e in events
    )

    drop(settings, "erp", "order-2.json", tender_json("LOAD-2").replace(b"12345678", b"87654321"))
    gw.tick()
    (waiting,) = [
        a
        for a in gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.TENDER_RESPONSE)
        if a.status is AckStatus.PENDING
    ]
    later = datetime.now(UTC) + timedelta(hours=5)
    gw.pipeline.reconciler.clock = lambda: later
    overdue = [
        a for a in gw.pipeline.reconciler.flag_overdue() if a.kind is AckKind.TENDER_RESPONSE
    ]
    assert [a.id for a in overdue] == [waiting.id]


def test_idoc_order_from_the_erp_becomes_a_204(tmp_path: Path) -> None:
    """The ERP releases the order as SHPMNT05 IDoc XML (here: one the gateway's own emitter
    wrote for a tender, as SAP would send it back); it is read with the hardened parser."""
    from gateway.canonical import LoadTender, Reference, ReferenceKind, parse_document
    from gateway.registry import Registry
    from transforms.idoc_shipment import render_load_tender

    settings = make_home(tmp_path)
    gw = gateway(settings)
    tender = parse_document(json.loads(tender_json("4500000123")))
    assert isinstance(tender, LoadTender)
    # a SAP shipment carries its deliveries (DO references), from which its stops come back: a
    # 204 needs at least one stop (S5 loop mandatory), so a shipment without one is refused
    *before, last = tender.stops
    delivery = Reference(qualifier="DO", kind=ReferenceKind.DELIVERY_ORDER, value="80001234")
    last = last.model_copy(update={"references": (*last.references, delivery)})
    tender = tender.model_copy(update={"stops": (*before, last)})
    erp = Registry.load(settings.partners_dir).get("erp")
    assert erp.idoc is not None
    idoc = render_load_tender(
        tender, erp.idoc.partner_config(tender.document_type), created=datetime.now(UTC)
    )
    drop(settings, "erp", "order.xml", idoc.data)
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED, msg.quarantine_reason
    sent = [p.name for p in outbox(tmp_path, "demo-carrier")]
    assert sent == ["204-000000001.x12"]
    text = (tmp_path / "outbox" / "demo-carrier" / sent[0]).read_text()
    assert "B2A*00" in text and "*DEMO*" in text
