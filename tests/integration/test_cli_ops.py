"""Operations CLI on a real gateway home: acks, search, deadletters, replay (dry run and real)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.store import MessageStatus, OutboxStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    return tmp_path


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def test_acks_search_and_deadletters(home: Path) -> None:
    settings = make_home(home)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "s.edi", demo_214("000000801"))
    gw.tick()
    code, text = cli("acks", "--json")
    assert code == 0
    assert [(a["direction"], a["kind"], a["status"], a["delivery"]) for a in json.loads(text)] == [
        ("sent", "997", "accepted", "delivered")
    ]
    code, text = cli("search", "PRO1", "--json")
    # both sets of the demo file share BOL123, so the thread reaches both
    assert code == 0
    assert [d["type"] for d in json.loads(text)["documents"]] == ["shipment_status"] * 2
    code, text = cli("deadletters")
    assert code == 0 and text.strip() == "dead letters: none"
    code, text = cli("search", "NO-SUCH-KEY")
    assert code == 1 and "nothing found" in text

    # a delivery that gave up becomes a dead letter, and can be requeued
    row = gw.store.list_outbox(destination="portal")[0]
    gw.store.replay_outbox(row.id)
    (claimed,) = [r for r in gw.store.claim_outbox(100, 60, datetime.now(UTC)) if r.id == row.id]
    gw.store.fail_outbox(row.id, claimed.lease_token or "", "peer down", datetime.now(UTC), True)
    code, text = cli("deadletters", "--json")
    assert code == 0 and [d["id"] for d in json.loads(text)] == [row.id]
    code, text = cli("replay", "--deadletter", str(row.id))
    assert code == 0
    assert gw.store.get_outbox(row.id).status is OutboxStatus.PENDING  # type: ignore[union-attr]


def test_a_piped_table_keeps_every_value_whole_on_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rich fits a table into 80 columns off a terminal: `gateway acks | grep` saw "0000…"
    monkeypatch.delenv("COLUMNS", raising=False)
    settings = make_home(home)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "s.edi", demo_214("000000801"))
    gw.tick()
    code, text = cli("acks")
    assert code == 0 and "…" not in text
    (row,) = [line for line in text.splitlines() if "000000801" in line]
    for value in ("sent", "997", "accepted", "demo-carrier", "delivered"):
        assert f" {value} " in row


def test_quarantined_message_replays_once_the_profile_is_fixed(home: Path) -> None:
    settings = make_home(home)
    profile = settings.partners_dir / "demo-carrier.yaml"
    good = profile.read_text()
    profile.write_text(good.replace("isa_id: DEMOCARRIER", "isa_id: DEMOTYPO"))
    gw = gateway(settings)
    drop(settings, "demo-carrier", "s.edi", demo_214("000000901"))
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED

    profile.write_text(good)  # onboarding fixes the ISA id
    code, text = cli("replay", str(msg.id), "--dry-run")
    assert code == 0 and "changed" in text  # nothing was stored before: all new
    assert gw.store.get_message(msg.id).status is MessageStatus.QUARANTINED  # type: ignore[union-attr]
    code, text = cli("replay", str(msg.id))
    assert code == 0, text
    gw2 = gateway(settings)  # the running gateway picks up the fixed profiles on restart
    gw2.tick()
    assert gw2.store.get_message(msg.id).status is MessageStatus.PARSED  # type: ignore[union-attr]
    acks = sorted(p.name for p in (settings.outbox_dir / "demo-carrier").iterdir())
    assert len(acks) == 1 and acks[0].startswith("997")


def test_replay_of_a_parsed_message_is_refused_but_dry_run_shows_no_change(home: Path) -> None:
    settings = make_home(home)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "s.edi", demo_214("000000902"))
    gw.tick()
    (msg,) = gw.store.list_messages()
    code, text = cli("replay", str(msg.id), "--dry-run")
    assert code == 0
    assert text.count("unchanged") == 2 and "changed" not in text.replace("unchanged", "")
    code, text = cli("replay", str(msg.id))
    assert code == 1 and "only quarantined or failed" in text


def test_search_follows_the_shipment_thread_from_the_erp_order(home: Path) -> None:
    from tests.integration.test_outbound_204 import tender_json

    settings = make_home(home)
    gw = gateway(settings)
    drop(settings, "erp", "order.json", tender_json("ERP-77"))  # shipment id 12345678
    gw.tick()
    status = demo_214("000000903", sets=1).replace(
        b"B10*PRO1*SHIP1*DEMO", b"B10*PRO1*12345678*DEMO"
    )
    drop(settings, "demo-carrier", "s.edi", status)
    gw.tick()
    code, text = cli("search", "ERP-77", "--json")
    thread = json.loads(text)
    assert code == 0
    assert [d["type"] for d in thread["documents"]] == ["load_tender", "shipment_status"]
    assert {"ERP-77", "12345678", "PRO1"} <= set(thread["keys"])
    kinds = {(d["destination"], d["kind"]) for d in thread["deliveries"]}
    assert ("demo-carrier", "204") in kinds and ("portal", "portal_update") in kinds
    acks = {(a["direction"], a["kind"]) for a in thread["acks"]}
    assert {("expected", "997"), ("expected", "990"), ("sent", "997")} <= acks
    assert thread["statuses"] and thread["statuses"][0]["status"] == "delivered"
    code, text = cli("search", "ERP-77")
    assert code == 0 and "shipment thread of ERP-77" in text


def test_an_applied_message_is_re_sent_after_a_mapping_fix(home: Path) -> None:
    settings = make_home(home)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "s.edi", demo_214("000000904", sets=1))
    gw.tick()
    (msg,) = gw.store.list_messages()
    tms_before = sorted(p.name for p in (settings.outbox_dir / "tms").iterdir())
    portal_before = {p.name for p in (settings.outbox_dir / "portal").iterdir()}
    # onboarding learns the carrier sends X3 when it means "loading"
    profile = settings.partners_dir / "demo-carrier.yaml"
    profile.write_text(
        profile.read_text().replace("  at7_status:\n", "  at7_status:\n    X3: loading\n")
    )
    code, text = cli("replay", str(msg.id), "--dry-run")
    assert code == 0 and '"loading"' in text and '"arrived_at_pickup"' in text
    code, text = cli("replay", str(msg.id), "--resend")
    assert code == 0, text
    gw2 = gateway(settings)
    gw2.tick()
    tms_after = sorted(p.name for p in (settings.outbox_dir / "tms").iterdir())
    assert len(tms_after) == len(tms_before) + 1  # a new TMS message with the fixed status
    new_portal = {p.name for p in (settings.outbox_dir / "portal").iterdir()} - portal_before
    statuses = [
        json.loads((settings.outbox_dir / "portal" / n).read_text())["status"] for n in new_portal
    ]
    assert statuses == ["loading"]  # only the changed event is new to the portal
    kinds = [e.kind for e in gw2.store.list_events(message_id=msg.id)]
    assert kinds.count("replayed") == 1
