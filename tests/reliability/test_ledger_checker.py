"""The ledger checker on hand-made store states: it must see a lost artifact, a doubled effect,
a stuck delivery, a missing acknowledgement and a file left at its source (a checker that
cannot fail proves nothing)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gateway.store import MessageStatus, NewOutbox, OutboxStatus, create_store
from tests.integration.gateway_env import demo_214
from tests.reliability.ledger import (
    REQUIRED,
    Artifact,
    FolderPeer,
    Ledger,
    business_fingerprint,
    x12_ids,
)


def _home(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    store = create_store(url)
    store.migrate()
    store.close()
    return url, tmp_path / "archive"


def _receive(url: str, archive: Path, a: Artifact) -> int:
    archive.mkdir(parents=True, exist_ok=True)
    path = archive / a.sha256
    path.write_bytes(a.data)
    store = create_store(url)
    try:
        r = store.record_receipt(
            sha256=a.sha256,
            channel=a.channel,
            partner_id=a.partner,
            original_name=a.name,
            size=len(a.data),
            archive_path=str(path),
        )
        store.mark_message(r.message_id, MessageStatus.PARSED)
        return int(r.message_id)
    finally:
        store.close()


def _deliver(url: str, message_id: int, key: str, name: str) -> None:
    store = create_store(url)
    try:
        store.add_outbox(
            [NewOutbox("erp", "folder", "idoc", key, b"<x/>", payload_path=name)],
            source_message_id=message_id,
        )
        (row,) = store.claim_outbox(10, 60)
        assert store.complete_outbox(row.id, row.lease_token or "")
    finally:
        store.close()


def _artifact(name: str, isa13: str, tmp_path: Path) -> Artifact:
    data = demo_214(isa13)
    isa, gs, st = x12_ids(data)
    return Artifact(
        channel="folder",
        partner="demo-carrier",
        data=data,
        name=name,
        isa13=isa,
        gs06=gs,
        st02=st,
        business_keys=(f"KEY-{isa13}",),
        source=tmp_path / "inbox" / "demo-carrier" / name,
    )


def test_a_clean_state_meets_every_required_value(tmp_path: Path) -> None:
    url, archive = _home(tmp_path)
    ledger = Ledger()
    a = ledger.record(_artifact("a.edi", "000000001", tmp_path))
    m = _receive(url, archive, a)
    erp = FolderPeer("erp", tmp_path / "erp")
    erp.directory.mkdir()
    (erp.directory / "a.xml").write_bytes(b"<IDOC><E1>KEY-000000001</E1></IDOC>")
    _deliver(url, m, "k-a", "a.xml")
    ledger.artifacts[0] = replace(a, expect=("erp",))
    figures = ledger.check(url, tmp_path, [erp])
    assert figures.failures() == {}, (figures.as_dict(), figures.detail)
    assert figures.as_dict()["BYTES_EQ_PCT"] == REQUIRED["BYTES_EQ_PCT"]


def test_lost_and_doubled_and_missing_are_counted(tmp_path: Path) -> None:
    url, archive = _home(tmp_path)
    ledger = Ledger()
    a = ledger.record(_artifact("a.edi", "000000001", tmp_path))
    ledger.record(_artifact("b.edi", "000000002", tmp_path))  # sent, never received: LOST
    m = _receive(url, archive, a)
    erp = FolderPeer("erp", tmp_path / "erp", consume=True)
    erp.directory.mkdir()
    _deliver(url, m, "k-a", "a.xml")
    # the ERP took the file, then the same delivery was written again: a second effect
    (erp.directory / "a.xml").write_bytes(b"<IDOC><E1>KEY-000000001</E1></IDOC>")
    erp.take()
    (erp.directory / "a.xml").write_bytes(b"<IDOC><E1>KEY-000000001</E1></IDOC>")
    # one more delivered row whose file never arrived: MISSING_EFFECT
    _deliver(url, m, "k-gone", "gone.xml")
    figures = ledger.check(url, tmp_path, [erp])
    got = figures.as_dict()
    assert (got["LOST"], got["DUP_EFFECT"], got["MISSING_EFFECT"]) == (1, 1, 1), figures.detail
    assert set(figures.failures()) == {"LOST", "DUP_EFFECT", "MISSING_EFFECT", "BYTES_EQ_PCT"}
    assert got["BYTES_EQ_PCT"] == 50.0  # b has no archived copy at all


def test_same_content_under_two_keys_is_a_second_effect(tmp_path: Path) -> None:
    one = b'{"idempotency_key": "k1", "shipment": "S-1", "status": "delivered"}'
    two = b'{"idempotency_key": "k2", "shipment": "S-1", "status": "delivered"}'
    other = b'{"idempotency_key": "k3", "shipment": "S-2", "status": "delivered"}'
    assert business_fingerprint(one) == business_fingerprint(two)
    assert business_fingerprint(one) != business_fingerprint(other)
    x1, x2 = demo_214("000000001"), demo_214("000000002")  # same sets, new ISA13
    assert business_fingerprint(x1) == business_fingerprint(x2)
    url, _ = _home(tmp_path)
    tms = FolderPeer("tms", tmp_path / "tms")
    tms.directory.mkdir()
    for n, body in enumerate((one, two, other)):
        (tms.directory / f"m{n}.json").write_bytes(body)
    figures = Ledger().check(url, tmp_path, [tms])
    assert figures.DUP_EFFECT == 1, figures.detail


def test_stuck_delivery_and_source_left(tmp_path: Path) -> None:
    url, archive = _home(tmp_path)
    ledger = Ledger()
    a = ledger.record(_artifact("a.edi", "000000001", tmp_path))
    a.source.parent.mkdir(parents=True)  # type: ignore[union-attr]
    a.source.write_bytes(b"half a file")  # type: ignore[union-attr]
    m = _receive(url, archive, a)
    store = create_store(url)
    try:
        store.add_outbox([NewOutbox("erp", "folder", "idoc", "k-stuck", b"x")], source_message_id=m)
        store.claim_outbox(10, 3600)  # claimed by a worker that never came back
        assert store.list_outbox(status=OutboxStatus.IN_FLIGHT)
    finally:
        store.close()
    figures = ledger.check(url, tmp_path, [])
    assert figures.STUCK == 1 and figures.SRC_LEFT == 1, figures.detail
    assert figures.UNEXPECTED == 0 and figures.LOST == 0


def test_a_real_tick_passes_then_an_unacknowledged_group_and_a_stray_receipt_are_seen(
    tmp_path: Path,
) -> None:
    from gateway.service import Gateway
    from gateway.store import Direction, NewGroup, NewInterchange
    from tests.integration.gateway_env import drop, make_home

    settings = make_home(tmp_path)
    gw = Gateway(settings)
    try:
        ledger = Ledger()
        data = demo_214("000000401")
        ledger.record(
            Artifact(
                channel="folder",
                partner="demo-carrier",
                data=data,
                name="s.edi",
                business_keys=("PRO1",),
                expect=("erp", "tms", "portal"),
                source=drop(settings, "demo-carrier", "s.edi", data),
            )
        )
        for _ in range(3):
            gw.tick()
        url = gw.store.url
        peers = [
            FolderPeer(who, settings.outbox_dir / who)
            for who in ("erp", "tms", "portal", "demo-carrier")
        ]
        clean = ledger.check(url, tmp_path, peers)
        assert clean.failures() == {}, (clean.as_dict(), clean.detail)
        assert clean.groups_in == 1 and clean.effects >= 4
        # an accepted inbound group that got no 997, and bytes nobody sent
        stray = create_store(url)
        try:
            r = stray.record_receipt(
                sha256="0" * 64,
                channel="folder",
                partner_id="demo-carrier",
                original_name="stray.edi",
                size=1,
                archive_path=str(tmp_path / "nowhere"),
            )
            stray.record_interchange_batch(
                r.message_id,
                NewInterchange(
                    partner_id="demo-carrier",
                    direction=Direction.IN,
                    sender_qualifier="02",
                    sender_id="DEMOCARRIER",
                    receiver_qualifier="ZZ",
                    receiver_id="LOGIGATEWAY",
                    control_number="000000999",
                    version="00401",
                    usage="P",
                    outcome="accepted",
                    groups=[NewGroup("QM", "999", "004010", 0)],
                ),
            )
        finally:
            stray.close()
        broken = ledger.check(url, tmp_path, peers)
        assert (broken.ACK_GAP, broken.UNEXPECTED) == (1, 1), broken.detail
    finally:
        gw.store.close()


def test_an_effect_of_a_refused_artifact_is_counted(tmp_path: Path) -> None:
    url, archive = _home(tmp_path)
    ledger = Ledger()
    a = ledger.record(replace(_artifact("c.edi", "000000005", tmp_path), refused=True))
    _receive(url, archive, a)
    erp = FolderPeer("erp", tmp_path / "erp")
    erp.directory.mkdir()
    (erp.directory / "c.xml").write_bytes(b"<IDOC><E1>KEY-000000005</E1></IDOC>")
    figures = ledger.check(url, tmp_path, [erp])
    assert figures.REFUSED_EFFECT == 1 and "REFUSED_EFFECT" in figures.failures()
    (erp.directory / "c.xml").unlink()
    assert ledger.check(url, tmp_path, [erp]).failures() == {}
