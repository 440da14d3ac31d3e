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


def test_a_burst_syncs_the_archive_once_before_its_receipts_and_the_inbox_once_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Durability in the order one by one had, with fewer syncs: every archived copy (contents,
    rename, new directories) is durable, by one syncfs of the archive's file system, before
    the receipts commit; the inbox's removals follow the commit, made durable by one fsync of
    the folder instead of one per file."""
    monkeypatch.setattr("gateway.service.RECEIVE_WAIT", 60.0)
    settings = make_home(tmp_path)
    gw = gateway(settings)
    for n in range(4):
        drop(settings, "demo-carrier", f"f{n}.x12", demo_214(f"00000071{n}"))
    inbox = settings.inbox_dir / "demo-carrier"
    steps: list[str] = []

    def seen_syncfs(path: Path) -> None:
        left = sorted(p.name for p in inbox.iterdir())
        steps.append(f"syncfs {Path(path) == gw.archive.root} inbox={len(left)}")

    def seen_fsync_dir(path: Path) -> None:
        left = sorted(p.name for p in inbox.iterdir())
        steps.append(f"fsync_dir {Path(path).name} inbox={len(left)}")

    def seen_fsync(fd: int) -> None:
        steps.append("fsync")

    monkeypatch.setattr("gateway.pipeline.archive.syncfs", seen_syncfs)
    monkeypatch.setattr("gateway.pipeline.archive.fsync_dir", seen_fsync_dir)
    monkeypatch.setattr("gateway.adapters.folder.fsync_dir", seen_fsync_dir)
    monkeypatch.setattr("gateway.pipeline.archive.os.fsync", seen_fsync)
    event.listen(gw.store._engine, "commit", lambda conn: steps.append("commit"))
    assert gw.receive_ready() == 4
    assert steps == [
        "syncfs True inbox=4",  # every copy durable, nothing removed yet
        "commit",  # then the receipts
        "fsync_dir demo-carrier inbox=0",  # then the removals, one fsync for the folder
    ]
    assert len(gw.store.list_messages()) == 4
    gw.store.close()


def test_a_failed_archive_sync_records_nothing_and_leaves_the_inbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    for n in range(3):
        drop(settings, "demo-carrier", f"f{n}.x12", demo_214(f"00000072{n}"))

    def fails(path: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("gateway.pipeline.archive.syncfs", fails)
    assert gw.receive_ready() == 0
    assert gw.store.list_messages() == []
    assert len(list((settings.inbox_dir / "demo-carrier").iterdir())) == 3
    monkeypatch.undo()
    # the next scan takes them (the archive is synced then, copies and all)
    assert gw.receive_ready() == 3
    assert list((settings.inbox_dir / "demo-carrier").iterdir()) == []
    gw.store.close()
