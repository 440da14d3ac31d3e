"""The whole gateway on a real PostgreSQL: the same pipeline as the embedded default."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from gateway.store import AckDirection, AckKind, AckStatus, MessageStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home
from tests.integration.test_outbound_204 import demo_997, tender_json

pytestmark = pytest.mark.integration


def files(folder: Path) -> list[Path]:
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def test_214_path_and_outbound_204_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    settings = dataclasses.replace(make_home(tmp_path), database_url=pg_url)
    gw = gateway(settings)
    assert gw.store.dialect == "postgresql"
    drop(settings, "demo-carrier", "s.edi", demo_214("000004001"))
    drop(settings, "erp", "order.json", tender_json("PG-1"))
    gw.tick()
    assert sorted(m.status for m in gw.store.list_messages()) == [MessageStatus.PARSED] * 2
    updates = [json.loads(p.read_text()) for p in files(settings.outbox_dir / "portal")]
    assert len(updates) == 4 and {u["customer_id"] for u in updates} == {"ACME-RETAIL"}
    names = [p.name for p in files(settings.outbox_dir / "demo-carrier")]
    assert len([n for n in names if n.startswith("997")]) == 1
    (sent_204,) = [n for n in names if n.startswith("204")]
    # the carrier acknowledges our 204: reconciled on PostgreSQL too
    gs06 = next(
        a.group_control_number
        for a in gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    )
    drop(settings, "demo-carrier", "997.edi", demo_997(gs06 or "", "A", "000004999"))
    gw.tick()
    (fa,) = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    assert fa.status is AckStatus.ACCEPTED
    assert sent_204.startswith("204-")
    # the same file again is a duplicate with no second effect
    drop(settings, "demo-carrier", "again.edi", demo_214("000004001"))
    gw.tick()
    assert len(files(settings.outbox_dir / "portal")) == 4
    gw.store.close()
