"""Store checks that run the same on SQLite (tests/unit) and PostgreSQL (tests/integration)."""

from __future__ import annotations

from datetime import datetime

from gateway.store import NewOutbox, Store, _batch


def check_outbox_batch_with_existing_and_repeated_keys(store: Store, now: datetime) -> None:
    """Outbox rows go in with ON CONFLICT DO NOTHING and reserved ids: an existing key and a key
    repeated inside the batch are skipped, in the order they came, and every key maps to its
    row (the existing one, or the one just written)."""
    (k1,) = store.add_outbox([NewOutbox("erp", "folder", "idoc", "k1")])
    with store._write() as conn:
        rows = [NewOutbox("erp", "folder", "idoc", k) for k in ("k0", "k1", "k0", "k2", "k1")]
        ids, written, skipped = _batch.insert_outbox(conn, [(r, None) for r in rows], now, None)
    assert skipped == ["k1", "k0", "k1"]
    assert ids["k1"] == k1 and written == [ids["k0"], ids["k2"]]
    assert sorted(o.idempotency_key for o in store.list_outbox()) == ["k0", "k1", "k2"]


def check_one_outbox_row_is_one_statement_with_the_batch_rules(store: Store, now: datetime) -> None:
    """A single outbox row (a 997, an ack) goes in with one INSERT ... ON CONFLICT DO NOTHING
    RETURNING id instead of an id reserved first: same answers, same stored row, same id order
    as the batch path (ids above every row there, a key seen before skipped)."""
    from datetime import timedelta

    from sqlalchemy import event

    (old,) = store.add_outbox([NewOutbox("erp", "folder", "idoc", "one-old")])
    later = now + timedelta(minutes=5)

    def item(key: str) -> NewOutbox:
        return NewOutbox("carrier", "folder", "997", key, b"ISA*~", "997-1.x12", later)

    sent: list[str] = []
    with store._write() as conn:
        event.listen(conn, "before_cursor_execute", lambda *a: sent.append(a[2]))
        ids, written, skipped = _batch.insert_outbox(conn, [(item("one-new"), None)], now, None)
        assert len(sent) == 1  # no max(id) / nextval first
        assert written == [ids["one-new"]] and skipped == [] and ids["one-new"] > old
        new_id = ids["one-new"]
        # the same row through the batch path (two rows: ids reserved first)
        _batch.insert_outbox(conn, [(item("two-a"), None), (item("two-b"), None)], now, None)
        # a key seen before: skipped, mapped to the existing row, nothing written
        ids, written, skipped = _batch.insert_outbox(conn, [(item("one-old"), None)] * 2, now, None)
        assert (ids, written, skipped) == ({"one-old": old}, [], ["one-old", "one-old"])
        # a key repeated inside the call: written once, the repeat skipped
        ids, written, skipped = _batch.insert_outbox(conn, [(item("one-rep"), None)] * 2, now, None)
        assert written == [ids["one-rep"]] and skipped == ["one-rep"]
        assert ids["one-rep"] > new_id
    rows = {o.idempotency_key: o for o in store.list_outbox(limit=100)}
    one, two = rows["one-new"], rows["two-a"]
    fields = ("destination", "channel", "kind", "payload", "payload_path", "status", "attempts")
    fields += ("next_attempt_at", "created_at", "source_message_id", "document_id")
    assert {f: getattr(one, f) for f in fields} == {f: getattr(two, f) for f in fields}
    assert one.next_attempt_at == later and one.created_at == now
    assert rows["one-old"].destination == "erp"  # untouched
    with store._write() as conn:  # one key looked up alone (prepared), or with others
        assert _batch.existing_outbox_ids(conn, ["one-old"]) == {"one-old": old}
        assert _batch.existing_outbox_ids(conn, ["one-old", "one-old"]) == {"one-old": old}
        assert _batch.existing_outbox_ids(conn, ["nowhere"]) == {}
        both = _batch.existing_outbox_ids(conn, ["one-old", "nowhere", "one-new"])
        assert both == {"one-old": old, "one-new": new_id}
