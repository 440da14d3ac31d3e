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
