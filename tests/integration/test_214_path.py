"""The 214 path end to end on the embedded default: folder in, 997 and portal updates out."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from gateway.store import MessageStatus
from gateway.x12.pyx12_check import pyx12_errors
from tests.integration.gateway_env import demo_214, drop, gateway, make_home


def files(folder: Path) -> list[Path]:
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def test_dropped_214_gives_997_portal_updates_archive_and_rows(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    data = demo_214()
    src = drop(settings, "demo-carrier", "status.edi", data)
    gw.tick()
    gw.tick()

    assert not src.exists(), "the original stays in the inbox"
    sha = hashlib.sha256(data).hexdigest()
    archived = settings.archive_dir / sha[:2] / sha[2:4] / sha
    assert archived.read_bytes() == data

    acks = files(settings.outbox_dir / "demo-carrier")
    assert len(acks) == 1
    ack = acks[0].read_text()
    assert "AK1*QM*501" in ack and "AK9*A*2*2*2" in ack
    assert "*ZZ*LOGIGATEWAY    *02*DEMOCARRIER    *" in ack
    assert pyx12_errors(ack) == []

    updates = [json.loads(p.read_text()) for p in files(settings.outbox_dir / "portal")]
    assert len(updates) == 4  # two sets x two tracking events
    assert {u["status"] for u in updates} >= {"arrived_at_pickup", "delivered"}
    assert all(u["customer_id"] == "ACME-RETAIL" for u in updates)
    assert all("AT7" not in json.dumps(u) for u in updates)

    msgs = gw.store.list_messages()
    assert [m.status for m in msgs] == [MessageStatus.PARSED]
    (ic,) = gw.store.list_interchanges(message_id=msgs[0].id)
    assert ic.outcome == "accepted" and ic.control_number == "000000101"
    (grp,) = gw.store.list_groups(ic.id)
    assert grp.ack_code == "A"
    assert [s.outcome for s in gw.store.list_sets(grp.id)] == ["A", "A"]
    assert len(gw.store.search("PRO1")) == 1
    sent = gw.store.list_acks()
    assert [(a.kind.value, a.status.value) for a in sent] == [("997", "accepted")]


def test_same_file_twice_is_a_duplicate_with_no_second_effects(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    data = demo_214("000000201")
    drop(settings, "demo-carrier", "a.edi", data)
    gw.tick()
    before = (files(settings.outbox_dir / "demo-carrier"), files(settings.outbox_dir / "portal"))
    drop(settings, "demo-carrier", "a-again.edi", data)  # same bytes, other name
    gw.tick()
    after = (files(settings.outbox_dir / "demo-carrier"), files(settings.outbox_dir / "portal"))
    assert before == after
    assert len(gw.store.list_messages()) == 1
    kinds = [e.kind for e in gw.store.list_events(message_id=gw.store.list_messages()[0].id)]
    assert "duplicate_receipt" in kinds


def test_same_isa13_other_bytes_is_an_envelope_duplicate(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "a.edi", demo_214("000000301", sets=2))
    gw.tick()
    portal_before = files(settings.outbox_dir / "portal")
    drop(settings, "demo-carrier", "b.edi", demo_214("000000301", sets=1))
    gw.tick()
    assert files(settings.outbox_dir / "portal") == portal_before
    second = gw.store.list_messages()[0]
    assert second.status is MessageStatus.QUARANTINED
    assert "other content" in (second.quarantine_reason or "")


def test_malformed_interchange_gets_ta1_r_is_quarantined_and_has_no_effects(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "bad.edi", demo_214("000000401", bad_iea=True))
    gw.tick()
    (ack,) = files(settings.outbox_dir / "demo-carrier")
    text = ack.read_text()
    assert "TA1*000000401*240105*0900*R*001~" in text
    assert "ST*997" not in text
    assert files(settings.outbox_dir / "portal") == []
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED
    assert "TA1 001" in (msg.quarantine_reason or "")
    # streamed sets were written held and voided at the IEA: none took effect
    assert {d.status.value for d in gw.store.list_documents()} == {"void"}
    assert gw.store.search("PRO1") == []


def test_not_x12_is_quarantined_not_lost(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "junk.txt", b"hello, this is not EDI")
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED
    assert Path(msg.archive_path).read_bytes() == b"hello, this is not EDI"


def test_impersonation_is_rejected_with_zero_effects(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    (settings.inbox_dir / "northwind-5010").mkdir(parents=True, exist_ok=True)
    drop(settings, "northwind-5010", "x.edi", demo_214("000000501"))
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED
    assert "not northwind-5010" in (msg.quarantine_reason or "")
    assert gw.store.list_documents() == []  # a blocked interchange is never even mapped
    assert files(settings.outbox_dir / "portal") == []


def test_test_mode_data_never_reaches_production_destinations(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "t.edi", demo_214("000000601", usage="T"))
    gw.tick()
    # the carrier still gets its 997 (in test mode); ERP, TMS and portal (production) get nothing
    (ack,) = files(settings.outbox_dir / "demo-carrier")
    assert ack.read_text().split("*")[15] == "T"  # ISA15 of the 997 echoes test mode
    for system in ("erp", "tms", "portal"):
        assert files(settings.outbox_dir / system) == []
    (doc,) = gw.store.list_documents()[:1]
    assert doc.payload["source"]["usage_indicator"] == "T"


def test_a_destination_that_refuses_a_document_does_not_stop_the_others(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    # the ERP profile lets SAP find this carrier's shipments by its reference (EXTI1, 20
    # characters): a PRO of 29 cannot go to the ERP
    data = demo_214("000000701", sets=1).replace(b"PRO1", b"PRO-0123456789-0123456789-012")
    drop(settings, "demo-carrier", "long.edi", data)
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED
    assert files(settings.outbox_dir / "erp") == []
    assert len(files(settings.outbox_dir / "portal")) == 2
    assert len(files(settings.outbox_dir / "tms")) == 1
    events = gw.store.list_events(message_id=msg.id)
    (failure,) = [e.detail for e in events if e.kind == "exception"]
    assert failure is not None and failure["destination"] == "erp" and "EXTI1" in failure["error"]


def test_a_poison_message_fails_once_and_does_not_loop(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = make_home(tmp_path)
    gw = gateway(settings)

    def boom(*_args: object, **_kw: object) -> None:
        raise RuntimeError("mapping bug")

    monkeypatch.setattr(gw.pipeline.x12, "process", boom)  # a bug, not bad input
    drop(settings, "demo-carrier", "x.edi", demo_214("000000702"))
    gw.tick()
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.FAILED
    assert "mapping bug" in (msg.quarantine_reason or "")
    assert [e.kind for e in gw.store.list_events(message_id=msg.id)].count("failed") == 1


def test_ack_control_numbers_are_never_skipped_even_when_a_commit_fails(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from gateway.pipeline import x12_inbound
    from gateway.pipeline.replay import requeue

    settings = make_home(tmp_path)
    gw = gateway(settings)
    real_build = x12_inbound.build_ack_interchange
    failing = {"000007201"}  # the second interchange's transactions fail until it is fixed

    def flaky(inbound, *args, **kwargs):  # type: ignore[no-untyped-def]
        built = real_build(inbound, *args, **kwargs)  # its ISA13 and GS06 are drawn: then
        if inbound.control_number in failing:  # the commit fails (in its group, then alone)
            raise RuntimeError("disk hiccup")
        return built

    monkeypatch.setattr(x12_inbound, "build_ack_interchange", flaky)
    for n in range(3):
        drop(
            settings,
            "demo-carrier",
            f"s{n}.edi",
            demo_214(f"00000720{n}", sets=1).replace(b"SHIP1", f"S{n}".encode()),
        )
        gw.tick()
    failed = [m for m in gw.store.list_messages() if m.status is MessageStatus.FAILED]
    assert len(failed) == 1
    failing.clear()
    requeue(gw.store, failed[0].id)
    gw.tick()
    isa13s = sorted(
        p.read_text().split("*")[13] for p in files(settings.outbox_dir / "demo-carrier")
    )
    assert isa13s == ["000000001", "000000002", "000000003"]  # no gap from the failed commit


def test_undecodable_bytes_are_reported_at_their_element_not_quarantined(tmp_path: Path) -> None:
    # issue 10: X12 is bytes; the carrier is told where (AK4 6) instead of the whole file being
    # quarantined as "not valid UTF-8" with no acknowledgement at all
    settings = make_home(tmp_path)
    gw = gateway(settings)
    data = demo_214("000000801")
    bad = data.replace(b"CONSIGNEE CO", b"CONSIGNEE \xff\xfe", 1)  # in the first set only
    drop(settings, "demo-carrier", "latin.edi", bad)
    gw.tick()
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED, msg.quarantine_reason
    assert Path(msg.archive_path).read_bytes() == bad
    (ack,) = files(settings.outbox_dir / "demo-carrier")
    text = ack.read_text()
    assert "AK4*2*93*6*CONSIGNEE ??" in text
    assert "AK9*P*2*2*1" in text


def test_archive_failure_leaves_the_source_and_work_resumes(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    src = drop(settings, "demo-carrier", "s.edi", demo_214("000000802"))
    spool = settings.archive_dir / "tmp"
    spool.rmdir()
    spool.write_text("")  # the archive cannot write: as good as a full disk
    gw.tick()
    assert src.exists(), "the source must stay until its bytes are archived"
    assert gw.store.list_messages() == []
    spool.unlink()
    spool.mkdir()  # space is back
    gw.tick()
    assert not src.exists()
    assert [m.status for m in gw.store.list_messages()] == [MessageStatus.PARSED]
