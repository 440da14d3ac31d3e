"""A gateway home with console demo data made by real ticks: accepted, rejected, overdue and
pending acknowledgements, a 214 with element errors, a quarantined file, dead letters, users.

Used by the console tests and to regenerate docs/console-acks.png
(`GATEWAY_UPDATE_DOCS=1 pytest tests/integration/test_console_chromium.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.console.auth import hash_password
from gateway.service import Gateway
from gateway.store import AckDirection, AckKind, NewOutbox, OutboxStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home
from tests.integration.test_outbound_204 import demo_997, tender_json

PASSWORD = "correct horse battery"
HOSTILE_NAME = '<img src=x onerror="alert(1)">.edi'


def bad_214(isa13: str) -> bytes:
    """A 214 with two element errors: N405 too long, AT705 not a date."""
    return (
        demo_214(isa13)
        .replace(b"AT7*D1*NS***20240106*1430*CT", b"AT7*D1*NS***20241345*1430*CT")
        .replace(b"N4*DALLAS*TX*75201*US", b"N4*DALLAS*TX*75201*USA*EXTRA")
    )


@dataclass
class ConsoleDemo:
    gw: Gateway
    bad_id: int  # the quarantined 214 with findings
    good_id: int  # an accepted 214
    hostile_id: int
    dead_ids: list[int]


def build(home: Path) -> ConsoleDemo:
    settings = make_home(home)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "status-101.edi", demo_214("000000101"))
    drop(settings, "demo-carrier", "status-202.edi", bad_214("000000202"))
    drop(settings, "demo-carrier", HOSTILE_NAME, b"this is not EDI")
    for n in range(1, 5):
        drop(settings, "erp", f"order-{n}.json", tender_json(f"LOAD-{n}"))
    gw.tick()
    # the carrier answers two tenders: one accepted, one rejected
    expected = gw.store.list_acks(direction=AckDirection.EXPECTED, kind=AckKind.FA997)
    first, second = sorted(expected, key=lambda a: a.id)[:2]
    drop(
        settings,
        "demo-carrier",
        "997-1.edi",
        demo_997(first.group_control_number or "", "A", "000000701"),
    )
    drop(
        settings,
        "demo-carrier",
        "997-2.edi",
        demo_997(second.group_control_number or "", "R", "000000702"),
    )
    gw.tick()
    # nothing came for the others within the window: overdue
    gw.store.mark_overdue_acks(datetime.now(UTC) + timedelta(hours=5))
    # later tenders still within their window: pending
    for n in range(5, 7):
        drop(settings, "erp", f"order-{n}.json", tender_json(f"LOAD-{n}"))
    gw.tick()
    # a customer profile has no transport, so the delivery worker dead-letters these at once
    for key in ("console-dead-1", "console-dead-2"):
        gw.store.add_outbox([NewOutbox("acme-retail", "folder", "portal_update", key, b"{}")])
    gw.tick()
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        gw.store.add_console_user(name, hash_password(PASSWORD), role)
    by_name = {m.original_name: m.id for m in gw.store.list_messages()}
    dead = [o.id for o in gw.store.list_outbox(status=OutboxStatus.DEAD)]
    return ConsoleDemo(
        gw, by_name["status-202.edi"], by_name["status-101.edi"], by_name[HOSTILE_NAME], dead
    )
