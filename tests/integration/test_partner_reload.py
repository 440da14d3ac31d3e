"""A profile added to partners/ while the gateway runs is used without a restart; a file that
arrived before it (quarantined as an unknown account) is processed when replayed; a broken
profile keeps the last good set in force and says why."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings import Settings
from gateway.store import MessageStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    return make_home(tmp_path)


def acme_profile(settings: Settings) -> str:
    text = (settings.partners_dir / "demo-carrier.yaml").read_text()
    return (
        text.replace("id: demo-carrier", "id: acme-freight")
        .replace("scac: DEMO", "scac: ACMF")
        .replace("DEMOCARRIER", "ACMEFREIGHT")
        .replace("inbox/demo-carrier", "inbox/acme-freight")
        .replace("outbox/demo-carrier", "outbox/acme-freight")
    )


def acme_214(isa13: str) -> bytes:
    return demo_214(isa13, sets=1).replace(b"DEMOCARRIER", b"ACMEFREIGHT")


def add_file(path: Path, text: str) -> None:
    """Write as an editor would, and make sure the change shows even on a coarse clock."""
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_profile_added_while_running_is_used_and_replay_resolves_the_partner_again(
    settings: Settings,
) -> None:
    gw = gateway(settings)
    drop(settings, "acme-freight", "early.edi", acme_214("000000701"))
    gw.tick()
    (early,) = gw.store.list_messages()
    assert early.status is MessageStatus.QUARANTINED
    assert early.quarantine_reason == "no partner profile for account 'acme-freight'"

    add_file(settings.partners_dir / "acme-freight.yaml", acme_profile(settings))
    drop(settings, "acme-freight", "later.edi", acme_214("000000702"))
    gw.tick()  # no restart
    later = next(m for m in gw.store.list_messages() if m.original_name == "later.edi")
    assert later.partner_id == "acme-freight" and later.status is MessageStatus.PARSED
    assert gw.pipeline.registry.find("acme-freight") is not None  # the pipeline's view too
    reloaded = gw.store.list_events(kinds=("partners_reloaded",))
    assert [e.detail["added"] for e in reloaded] == [["acme-freight"]]  # type: ignore[index]

    result = runner.invoke(app, ["replay", str(early.id)])
    assert result.exit_code == 0, result.output
    gw.tick()
    replayed = gw.store.get_message(early.id)
    assert replayed is not None and replayed.status is MessageStatus.PARSED
    assert replayed.partner_id == "acme-freight"  # no longer unknown:acme-freight
    acks = sorted(p.name for p in (settings.outbox_dir / "acme-freight").iterdir())
    assert len(acks) == 2 and all(a.startswith("997") for a in acks)


def test_a_broken_profile_keeps_the_last_good_set_and_says_why(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    gw = gateway(settings)
    bad = acme_profile(settings).replace("role: carrier", "role: carrier\nrole: erp")
    add_file(settings.partners_dir / "acme-freight.yaml", bad)
    with caplog.at_level(logging.ERROR, logger="gateway.upkeep"):
        gw.tick()
        gw.tick()  # the same broken state is reported once
    (event,) = gw.store.list_events(kinds=("partners_reload_refused",))
    problems = event.detail["problems"]  # type: ignore[index]
    assert problems == [
        "acme-freight.yaml: line 6, column 1: not valid YAML: key 'role' appears twice"
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "partner profiles NOT reloaded, the last good set stays in force: " + problems[0]
    ]
    # the gateway goes on with the profiles it had
    assert gw.registry.find("demo-carrier") is not None and gw.registry.find("acme-freight") is None
    drop(settings, "demo-carrier", "s.edi", demo_214("000000703", sets=1))
    gw.tick()
    assert [m.status for m in gw.store.list_messages()] == [MessageStatus.PARSED]

    add_file(settings.partners_dir / "acme-freight.yaml", acme_profile(settings))  # fixed
    gw.tick()
    assert gw.registry.find("acme-freight") is not None


def test_a_changed_transport_is_used_by_delivery_at_once(settings: Settings) -> None:
    gw = gateway(settings)
    drop(settings, "demo-carrier", "a.edi", demo_214("000000704", sets=1))
    gw.tick()
    assert len(list((settings.outbox_dir / "tms").iterdir())) == 1
    tms = settings.partners_dir / "tms.yaml"
    add_file(tms, tms.read_text().replace("outbound_dir: outbox/tms", "outbound_dir: outbox/tms2"))
    drop(
        settings, "demo-carrier", "b.edi", demo_214("000000705", sets=1).replace(b"SHIP1", b"SHIP9")
    )
    gw.tick()
    assert len(list((settings.outbox_dir / "tms2").iterdir())) == 1


def test_replay_after_a_restart_resolves_the_channel_account_again(settings: Settings) -> None:
    gw = gateway(settings)
    drop(settings, "acme-freight", "early.edi", acme_214("000000706"))
    gw.tick()
    (early,) = gw.store.list_messages()
    assert early.partner_id == "unknown:acme-freight"
    gw.store.close()
    add_file(settings.partners_dir / "acme-freight.yaml", acme_profile(settings))
    gw2 = gateway(settings)  # the profile is known from the start this time
    result = runner.invoke(app, ["replay", str(early.id), "--dry-run"])
    assert result.exit_code == 0 and "set 214 0001: accepted, changed" in result.output
    result = runner.invoke(app, ["replay", str(early.id)])
    assert result.exit_code == 0, result.output
    gw2.tick()
    replayed = gw2.store.get_message(early.id)
    assert replayed is not None and replayed.status is MessageStatus.PARSED
    assert replayed.partner_id == "acme-freight"


def test_a_transport_without_an_adapter_is_a_warning_at_start(
    settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.adapters import kinds

    # a gateway installed without the sftp adapter
    monkeypatch.setattr(kinds, "RUNNABLE_TRANSPORT_KINDS", {"folder", "http"})
    text = acme_profile(settings).replace(
        "transport:\n  kind: folder\n  inbound_dir: inbox/acme-freight\n"
        "  outbound_dir: outbox/acme-freight\n",
        "transport:\n  kind: sftp\n  host: sftp.example.com\n  username: gw\n"
        "  key_file: ${ACME_KEY}\n  inbound_dir: /out\n  outbound_dir: /in\n"
        '  host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"\n',
    )
    assert "kind: sftp" in text
    add_file(settings.partners_dir / "acme-freight.yaml", text)
    with caplog.at_level(logging.WARNING, logger="gateway.upkeep"):
        gateway(settings)
    assert [r.getMessage() for r in caplog.records] == [
        "partner acme-freight: transport 'sftp' cannot run in this gateway; nothing will reach "
        "it (see `gateway partners check`)"
    ]


def test_a_worker_without_a_receive_stage_reloads_changed_profiles_too(
    settings: Settings, pg_url: str
) -> None:
    """`gateway worker` (no inbox of its own) picks up an edited profile while it runs: here a
    new TMS folder, used for the next delivery it makes."""
    import dataclasses
    import threading
    import time

    from gateway.service import Gateway

    shared = dataclasses.replace(
        settings, database_url=pg_url, rescan_seconds=0.2, deliver_every_seconds=0.2
    )
    worker = Gateway(shared, receive=False)
    receiver = Gateway(shared)  # receives only (its process and deliver stages never run)
    thread = threading.Thread(target=worker.run, kwargs={"http": False}, daemon=True)
    thread.start()
    try:

        def delivered_to(folder: str) -> int:
            path = settings.outbox_dir / folder
            return len(list(path.iterdir())) if path.exists() else 0

        def wait_for(folder: str) -> None:
            deadline = time.monotonic() + 30
            while delivered_to(folder) < 1:
                assert time.monotonic() < deadline, f"nothing delivered to outbox/{folder}"
                time.sleep(0.1)

        drop(settings, "demo-carrier", "a.edi", demo_214("000000707", sets=1))
        assert receiver.receive_ready() == 1
        wait_for("tms")
        tms = settings.partners_dir / "tms.yaml"
        add_file(
            tms, tms.read_text().replace("outbound_dir: outbox/tms", "outbound_dir: outbox/tms2")
        )
        deadline = time.monotonic() + 30
        while not worker.store.list_events(kinds=("partners_reloaded",)):
            assert time.monotonic() < deadline, "the worker did not reload partners/"
            time.sleep(0.1)
        later = demo_214("000000708", sets=1).replace(b"SHIP1", b"SHIP9")
        drop(settings, "demo-carrier", "b.edi", later)
        assert receiver.receive_ready() == 1
        wait_for("tms2")
        assert delivered_to("tms") == 1
    finally:
        worker.stop()
        thread.join(timeout=10)
        receiver.store.close()
