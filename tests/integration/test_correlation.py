"""Business-event dedup, the hold queue, 210-vs-tender checks and forward-only shipment status."""

from __future__ import annotations

import json
from pathlib import Path

from gateway.store import WaitState
from tests.integration.gateway_env import DEMO_ISA, demo_214, drop, gateway, make_home
from tests.integration.test_outbound_204 import tender_json


def files(folder: Path) -> list[Path]:
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def demo_210(
    isa13: str, amount_n2: str, *, shipment: str = "12345678", invoice: str = "INV001"
) -> bytes:
    segs = [
        "ST*210*0001",
        f"B3**{invoice}*{shipment}*PP**20240110*{amount_n2}****DEMO",
        "N1*SH*ACME RETAIL",
        "LX*1",
        f"L1*1***{amount_n2}****400",
        f"L3*****{amount_n2}",
    ]
    segs.append(f"SE*{len(segs) + 1}*0001")
    return (
        DEMO_ISA
        + f"240110*0900*U*00401*{isa13}*0*P*>~GS*IM*DEMOCARRIER*LOGIGATEWAY*20240110*0900*7{isa13[-2:]}*X*004010~"
        + "~".join(segs)
        + f"~GE*1*7{isa13[-2:]}~IEA*1*{isa13}~"
    ).encode()


def test_new_isa13_with_the_same_events_is_a_business_duplicate(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "a.edi", demo_214("000001001"))
    gw.tick()
    portal = files(settings.outbox_dir / "portal")
    drop(settings, "demo-carrier", "b.edi", demo_214("000001002"))  # resent under a new ISA13
    gw.tick()
    assert files(settings.outbox_dir / "portal") == portal  # no second effect
    assert len(files(settings.outbox_dir / "demo-carrier")) == 2  # but each interchange is acked
    kinds = [
        e.kind for m in gw.store.list_messages() for e in gw.store.list_events(message_id=m.id)
    ]
    assert kinds.count("duplicate_business_event") == 4  # 2 sets x 2 tracking events


def test_invoice_waits_for_its_tender_then_is_checked_and_posted(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "inv.edi", demo_210("000002001", "215267"))
    gw.tick()
    (waiting,) = gw.store.list_waiting()
    assert waiting.document.doc_type == "freight_invoice" and "12345678" in waiting.wait_for
    assert files(settings.outbox_dir / "erp") == []
    drop(settings, "erp", "order.json", tender_json("LOAD-9"))  # the shipment becomes known
    gw.tick()
    assert gw.store.list_waiting() == []
    assert gw.store.list_waiting(state=WaitState.RELEASED) == []
    posted = [p.name for p in files(settings.outbox_dir / "erp")]
    assert any(name.startswith("INVOIC02") for name in posted)


def test_invoice_over_the_tender_is_held_with_an_exception(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "erp", "order.json", tender_json("LOAD-9"))
    gw.tick()
    drop(settings, "demo-carrier", "inv.edi", demo_210("000002002", "315267"))  # 1000 over
    gw.tick()
    assert not [p for p in files(settings.outbox_dir / "erp") if p.name.startswith("INVOIC02")]
    events = [e for m in gw.store.list_messages() for e in gw.store.list_events(message_id=m.id)]
    findings = [e.detail for e in events if e.kind == "invoice_exception"]
    assert findings and findings[0] is not None
    codes = [f["code"] for f in findings[0]["findings"]]
    assert "over_tender" in codes
    assert any(e.kind == "alert" and (e.detail or {}).get("kind") == "invoice_held" for e in events)


def test_a_late_older_event_never_moves_status_backwards(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    newer = demo_214("000003001", sets=1)  # X3 at 08:00 then D1 (delivered) at 14:30 next day
    older = (
        newer.replace(b"AT7*D1*NS***20240106*1430*CT", b"AT7*X6*NS***20240105*1200*CT")
        .replace(b"AT7*X3*NS***20240105*0800*CT", b"AT7*AF*NS***20240105*1000*CT")
        .replace(b"000003001", b"000003002")
    )
    drop(settings, "demo-carrier", "new.edi", newer)
    gw.tick()
    drop(settings, "demo-carrier", "old.edi", older)
    gw.tick()
    status = gw.store.get_shipment_status("DEMO:SHIP1")  # SCAC + shipment id (B10-02)
    assert status is not None and status.status == "delivered"
    # the older events are still history: the portal got them
    updates = [json.loads(p.read_text())["status"] for p in files(settings.outbox_dir / "portal")]
    assert sorted(updates) == sorted(["arrived_at_pickup", "delivered", "picked_up", "in_transit"])


def test_a_status_can_wait_for_its_shipment_when_the_profile_says_so(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    profile = settings.partners_dir / "demo-carrier.yaml"
    profile.write_text(
        profile.read_text() + "correlation:\n  hold_unmatched: [shipment_status, freight_invoice]\n"
    )
    gw = gateway(settings)
    status = demo_214("000005001", sets=1).replace(
        b"B10*PRO1*SHIP1*DEMO", b"B10*PRO1*12345678*DEMO"
    )
    drop(settings, "demo-carrier", "s.edi", status)
    gw.tick()
    assert files(settings.outbox_dir / "portal") == []  # held: the shipment is not known yet
    assert [w.document.doc_type for w in gw.store.list_waiting()] == ["shipment_status"]
    assert len(files(settings.outbox_dir / "demo-carrier")) == 1  # the 997 is not held
    drop(settings, "erp", "order.json", tender_json("LOAD-5"))  # shipment id 12345678
    gw.tick()
    assert gw.store.list_waiting() == []
    assert len(files(settings.outbox_dir / "portal")) == 2  # matched and replayed
