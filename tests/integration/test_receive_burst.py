"""A burst of ready files is recorded in one transaction after each is archived: every file is
a message (the same bytes twice are one message and a duplicate receipt), the inbox empties only
after the commit, and a failed commit leaves every file for the next scan (the database
failure is simulated by patching `record_receipts`: a real outage cannot be timed between the
archive and the commit from a test)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event

from gateway.store import MessageStatus, StoreError
from tests.integration.gateway_env import demo_214, drop, gateway, make_home


def test_a_burst_is_recorded_in_one_commit_and_the_inbox_empties(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a slow machine may take longer than the default wait to archive six files
    monkeypatch.setattr("gateway.service.RECEIVE_WAIT", 60.0)
    settings = make_home(tmp_path)
    gw = gateway(settings)
    for n in range(5):
        drop(settings, "demo-carrier", f"f{n}.x12", demo_214(f"00000070{n}"))
    drop(settings, "demo-carrier", "again.x12", demo_214("000000700"))
    commits: list[int] = []
    event.listen(gw.store._engine, "commit", lambda conn: commits.append(1))
    assert gw.receive_ready() == 6
    assert len(commits) == 1
    messages = gw.store.list_messages()
    assert len(messages) == 5 and {m.status for m in messages} == {MessageStatus.RECEIVED}
    first = min(m.id for m in messages)
    kinds = [e.kind for e in gw.store.list_events(message_id=first)]
    assert kinds == ["received", "duplicate_receipt"]
    assert list((settings.inbox_dir / "demo-carrier").iterdir()) == []
    gw.store.close()


def test_a_failed_receipt_commit_leaves_every_file_in_the_inbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    for n in range(3):
        drop(settings, "demo-carrier", f"f{n}.x12", demo_214(f"00000080{n}"))

    def down(*_args: object, **_kwargs: object) -> None:
        raise StoreError("database unavailable: test")

    monkeypatch.setattr(gw.store, "record_receipts", down)
    with pytest.raises(StoreError):
        gw.receive_ready()
    assert sorted(p.name for p in (settings.inbox_dir / "demo-carrier").iterdir()) == [
        "f0.x12",
        "f1.x12",
        "f2.x12",
    ]
    monkeypatch.undo()
    assert gw.receive_ready() == 3
    gw.store.close()
