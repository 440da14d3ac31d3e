"""Shipment threads, the hold (exception) queue and forward-only shipment status on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    DocumentStatus,
    NewAck,
    NewDocument,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    Store,
    WaitState,
    create_store,
)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A store clock that moves one minute per reading, so creation order is time order."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = create_store(f"sqlite:///{tmp_path / 'gw.db'}", clock=Clock())
    s.migrate()
    yield s
    s.close()


def receipt(store: Store, n: int) -> int:
    r = store.record_receipt(
        sha256=f"{n:064x}",
        channel="sftp",
        partner_id="acme-freight",
        original_name=f"in{n}.edi",
        size=n,
        archive_path=f"archive/{n}",
    )
    return int(r.message_id)


def tender(order: str = "0080001234") -> NewDocument:
    return NewDocument(
        "load_tender",
        "erp",
        order,
        {"order": order},
        keys=[("erp_order", order), ("bol", "BOL-55"), ("po", "PO-1"), ("po", "PO-2")],
        deliveries=[NewOutbox("acme-freight", "sftp", "204", f"tender:{order}")],
    )


def status_214(pro: str, bol: str | None, *, wait_for: tuple[str, ...] = ()) -> NewDocument:
    keys = [("pro", pro)] + ([("bol", bol)] if bol else [])
    return NewDocument(
        "shipment_status",
        "acme-freight",
        f"shipment_status:ACME:{pro}",
        {"pro": pro},
        keys=keys,
        deliveries=[NewOutbox("portal", "http", "portal", f"214:{pro}:{bol}")],
        wait_for=wait_for,
        wait_reason="no load tender for this shipment yet" if wait_for else None,
    )


def invoice_210(pro: str, invoice: str) -> NewDocument:
    return NewDocument(
        "freight_invoice",
        "acme-freight",
        f"freight_invoice:ACME:{invoice}",
        {"invoice": invoice},
        keys=[("pro", pro), ("invoice", invoice)],
    )


def interchange(control: str, gs06: str, docs: list[NewDocument]) -> NewInterchange:
    sets = [NewSet("214", f"{i + 1:04d}", "A", 9, documents=[d]) for i, d in enumerate(docs)]
    ack = NewAck(
        AckDirection.SENT,
        AckKind.FA997,
        AckStatus.ACCEPTED,
        "acme-freight",
        control,
        gs06,
        "QM",
        outbox_key=f"997:{control}",
    )
    group = NewGroup("QM", gs06, "004010", len(sets), "A", sets=sets, acks=[ack])
    return NewInterchange(
        "acme-freight",
        Direction.IN,
        "02",
        "ACMEFRT",
        "ZZ",
        "LOGIGATEWAY",
        control,
        "00401",
        "P",
        "accepted",
        groups=[group],
    )


def ack_outbox(control: str) -> NewOutbox:
    return NewOutbox("acme-freight", "sftp", "997", f"997:{control}", b"ISA~")


# ---------------------------------------------------------------- threads


def test_thread_follows_shared_keys_transitively_in_time_order(store: Store) -> None:
    erp_msg = receipt(store, 1)
    t = store.record_documents(erp_msg, [tender()])
    m214 = receipt(store, 2)
    b214 = store.record_interchange_batch(
        m214,
        interchange("000000101", "7", [status_214("PRO-9", "BOL-55")]),
        outbox=[ack_outbox("000000101")],
    )
    m210 = receipt(store, 3)
    b210 = store.record_interchange_batch(
        m210, interchange("000000102", "8", [invoice_210("PRO-9", "INV-1")])
    )
    store.record_documents(None, [status_214("PRO-OTHER", "BOL-OTHER")])  # unrelated

    thread = store.thread("PO-2")
    # PO-2 -> tender -> BOL-55 -> 214 -> PRO-9 -> 210
    assert [d.id for d in thread.documents] == [
        t.document_ids[0],
        b214.document_ids[0],
        b210.document_ids[0],
    ]
    assert [d.doc_type for d in thread.documents] == [
        "load_tender",
        "shipment_status",
        "freight_invoice",
    ]
    assert thread.keys == (
        "PO-2",
        "0080001234",
        "BOL-55",
        "PO-1",
        "PRO-9",
        "INV-1",
    )
    assert thread.truncated is False
    assert [o.idempotency_key for o in thread.outbox] == [
        "tender:0080001234",
        "214:PRO-9:BOL-55",
        "997:000000101",
    ]
    assert [(a.group_control_number, a.outbox_id is not None) for a in thread.acks] == [
        ("7", True),
        ("8", False),
    ]
    assert [m.id for m in thread.messages] == [erp_msg, m214, m210]

    # the same thread from the other end, and from the 214's ISA13 and GS06
    assert {d.id for d in store.thread("INV-1").documents} == {d.id for d in thread.documents}
    assert {d.id for d in store.thread("000000101").documents} == {d.id for d in thread.documents}
    assert [d.id for d in store.thread("8", max_depth=0).documents] == [b210.document_ids[0]]
    assert store.thread("NOTHING").documents == ()


def test_thread_bounds_depth_and_size(store: Store) -> None:
    # a chain: doc i carries K{i} and K{i+1}
    ids = store.record_documents(
        None,
        [
            NewDocument("x", "p", f"chain{i}", {}, keys=[("ref", f"K{i}"), ("ref", f"K{i + 1}")])
            for i in range(6)
        ],
    ).document_ids
    one = store.thread("K0", max_depth=1)
    assert [d.id for d in one.documents] == list(ids[:2])
    assert one.truncated is True
    full = store.thread("K0", max_depth=10)
    assert [d.id for d in full.documents] == list(ids)
    assert full.truncated is False
    capped = store.thread("K3", max_documents=3)
    assert len(capped.documents) == 3 and capped.truncated is True


def test_thread_shows_void_documents_but_does_not_follow_them(store: Store) -> None:
    mid = receipt(store, 1)
    iid = store.begin_interchange(mid, replace(interchange("000000201", "1", []), groups=[]))
    gid = store.begin_group(iid, NewGroup("QM", "1", "004010", 0))
    void_doc = NewDocument("x", "p", "v", {}, keys=[("pro", "PRO-V"), ("bol", "BOL-ELSEWHERE")])
    store.append_sets(gid, [NewSet("214", "0001", "A", 9, documents=[void_doc])])
    store.finish_group(gid, ack_code="R", set_count=1, void=True)
    store.finish_interchange(iid, outcome="rejected", release=True)
    other = store.record_documents(
        None, [NewDocument("y", "p", "o", {}, keys=[("bol", "BOL-ELSEWHERE")])]
    )

    thread = store.thread("PRO-V")
    assert [(d.status, d.keys) for d in thread.documents] == [
        (DocumentStatus.VOID, (("pro", "PRO-V"), ("bol", "BOL-ELSEWHERE")))
    ]
    assert other.document_ids[0] not in {d.id for d in thread.documents}


# ---------------------------------------------------------------- hold queue


def test_waiting_documents_are_released_once_when_their_shipment_arrives(store: Store) -> None:
    early = store.record_interchange_batch(
        receipt(store, 1),
        interchange(
            "000000301",
            "1",
            [
                status_214("PRO-9", None, wait_for=("PRO-9", "BOL-55")),
                invoice_210("PRO-9", "INV-1"),
            ],
        ),
    )
    store.record_documents(
        None, [replace(invoice_210("PRO-7", "INV-2"), wait_for=("PRO-7",), wait_reason="later")]
    )
    (waiting_214, waiting_210) = store.list_waiting()
    assert waiting_214.document.id == early.document_ids[0]
    assert waiting_214.state is WaitState.WAITING
    assert waiting_214.wait_for == ("PRO-9", "BOL-55")
    assert waiting_214.reason == "no load tender for this shipment yet"
    assert waiting_214.document.wait_state is WaitState.WAITING
    assert waiting_210.reason == "later"
    assert [w.document.id for w in store.list_waiting(partner_id="nobody")] == []

    assert store.release_waiting(["PO-404"]) == []
    released = store.release_waiting(["BOL-55", "0080001234"])
    assert [d.id for d in released] == [early.document_ids[0]]
    assert released[0].wait_state is WaitState.RELEASED
    assert released[0].keys == (("pro", "PRO-9"),)
    assert store.release_waiting(["BOL-55"]) == []  # each document is released once

    # the release is durable: a replay worker that crashed finds it again
    (todo,) = store.list_waiting(state=WaitState.RELEASED)
    assert todo.document.id == early.document_ids[0] and todo.released_at is not None
    assert store.finish_waiting(todo.document.id) is True
    assert store.finish_waiting(todo.document.id) is False
    assert store.list_waiting(state=WaitState.RELEASED) == []
    assert [w.document.business_key for w in store.list_waiting()] == ["freight_invoice:ACME:INV-2"]

    # still unmatched after replay: back in the queue with other keys
    assert store.wait_document(todo.document.id, ["SHIP-1"], reason="retry") is True
    assert store.wait_document(424242, ["SHIP-1"]) is False
    again = {w.document.id: w for w in store.list_waiting()}[todo.document.id]
    assert (again.wait_for, again.reason) == (("SHIP-1",), "retry")


def test_held_waiting_documents_wait_for_their_interchange_then_the_sweep(store: Store) -> None:
    mid = receipt(store, 1)
    iid = store.begin_interchange(mid, replace(interchange("000000401", "1", []), groups=[]))
    gid = store.begin_group(iid, NewGroup("QM", "1", "004010", 0))
    held = store.append_sets(
        gid,
        [
            NewSet(
                "214", "0001", "A", 9, documents=[status_214("PRO-9", None, wait_for=("BOL-55",))]
            )
        ],
    )
    # the tender arrives while the 214's interchange is still streaming
    store.record_documents(None, [tender()])
    assert store.release_waiting(["BOL-55"]) == []  # not effective yet: nothing to replay
    store.finish_group(gid, ack_code="A", set_count=1)
    store.finish_interchange(iid, outcome="accepted", release=True)

    swept = store.release_satisfied()
    assert [d.id for d in swept] == list(held.document_ids)
    assert store.release_satisfied() == []


def test_sweep_ignores_keys_only_other_waiting_documents_carry(store: Store) -> None:
    a = store.record_documents(None, [status_214("PRO-1", "BOL-1", wait_for=("BOL-1",))])
    b = store.record_documents(None, [status_214("PRO-2", "BOL-1", wait_for=("BOL-1",))])
    assert store.release_satisfied() == []  # two orphans do not vouch for each other
    store.record_documents(None, [replace(tender(), keys=[("bol", "BOL-1")])])
    assert [d.id for d in store.release_satisfied(limit=1)] == [a.document_ids[0]]
    assert [d.id for d in store.release_satisfied(limit=1)] == [b.document_ids[0]]
    assert store.release_satisfied() == []


def test_void_documents_leave_the_hold_queue(store: Store) -> None:
    mid = receipt(store, 1)
    iid = store.begin_interchange(mid, replace(interchange("000000501", "1", []), groups=[]))
    gid = store.begin_group(iid, NewGroup("QM", "1", "004010", 0))
    store.append_sets(
        gid,
        [
            NewSet(
                "214", "0001", "A", 9, documents=[status_214("PRO-9", None, wait_for=("BOL-55",))]
            )
        ],
    )
    assert len(store.list_waiting()) == 1
    store.finish_group(gid, ack_code="A", set_count=1)
    store.finish_interchange(iid, outcome="rejected", release=False)
    assert store.list_waiting() == []
    assert store.release_waiting(["BOL-55"]) == []


# ---------------------------------------------------------------- shipment status ordering


def test_apply_status_never_moves_a_shipment_backwards(store: Store) -> None:
    at = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert store.get_shipment_status("ACME:PRO-9") is None
    assert store.apply_status("ACME:PRO-9", at, "X3") is True  # picked up
    assert store.apply_status("ACME:PRO-9", at + timedelta(hours=6), "D1") is True  # delivered
    # the late X1 (in transit, 11:00) arrives after the delivery
    assert store.apply_status("ACME:PRO-9", at + timedelta(hours=2), "X1") is False
    current = store.get_shipment_status("ACME:PRO-9")
    assert current is not None
    assert (current.status, current.event_time) == ("D1", at + timedelta(hours=6))
    # same instant: applied (the store cannot order two statuses of one instant)
    assert store.apply_status("ACME:PRO-9", at + timedelta(hours=6), "D1", document_id=None)
    # times in other zones compare as instants: 10:30 at UTC-5 is after 15:00 UTC
    assert store.apply_status("ACME:PRO-10", datetime(2025, 3, 1, 15, 0, tzinfo=UTC), "X1")
    eastern = datetime(2025, 3, 1, 10, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert store.apply_status("ACME:PRO-10", eastern, "D1") is True
    assert store.apply_status("ACME:PRO-10", eastern - timedelta(minutes=31), "X1") is False
    other = store.get_shipment_status("ACME:PRO-10")
    assert other is not None and other.status == "D1"
    with pytest.raises(ValueError, match="naive datetime"):
        store.apply_status("ACME:PRO-9", datetime(2025, 3, 2), "D1")
    assert store.thread("ACME:PRO-9").statuses[0].status == "D1"
