"""Views of the ops API and the status page: what they show, what they hide, how they escape."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.ops.page import StatusData, render_status_page
from gateway.ops.views import Outbox, Partner, TransactionSetView, summarise_issue
from gateway.registry import parse_profile
from gateway.store import (
    AckDirection,
    AckKind,
    AckRow,
    AckStatus,
    MessageId,
    MessageRow,
    MessageStatus,
    OutboxId,
    OutboxRow,
    OutboxStatus,
    SetRow,
)

AT = datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
XSS = '<script>alert("x")</script>'

SFTP_PROFILE = """
id: canary
name: Canary & Sons <Freight>
role: carrier
x12: {isa_qualifier: ZZ, isa_id: CANARY, gs_id: CANARYGS, version: "005010", usage: T}
documents: {inbound: [214, 999], outbound: [204]}
acks: {kind: "999", send_ta1: always, expect_ack_within_minutes: 30}
transport:
  kind: sftp
  host: sftp.canary.example
  username: canary-user
  key_file: ${CANARY_KEY}
  key_passphrase: ${CANARY_PASSPHRASE}
  host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
  inbound_dir: /out
  outbound_dir: /in
"""


def message(**changes: object) -> MessageRow:
    values: dict[str, object] = {
        "id": MessageId(7),
        "sha256": "ab" * 32,
        "channel": "folder",
        "account": "demo-carrier",
        "partner_id": "demo-carrier",
        "original_name": "status.edi",
        "size": 10,
        "received_at": AT,
        "archive_path": "/var/archive/ab",
        "status": MessageStatus.PARSED,
        "quarantine_reason": None,
        "duplicate_of": None,
    }
    values.update(changes)
    return MessageRow(**values)  # type: ignore[arg-type]


def outbox(**changes: object) -> OutboxRow:
    values: dict[str, object] = {
        "id": OutboxId(3),
        "destination": "erp",
        "channel": "folder",
        "kind": "idoc",
        "idempotency_key": "k1",
        "payload": b"<IDOC/>",
        "payload_path": None,
        "status": OutboxStatus.DEAD,
        "attempts": 8,
        "next_attempt_at": AT,
        "last_error": "disk full",
        "lease_token": "secret-lease",
        "lease_until": AT,
        "created_at": AT,
        "delivered_at": None,
        "source_message_id": 7,
        "document_id": None,
    }
    values.update(changes)
    return OutboxRow(**values)  # type: ignore[arg-type]


def test_partner_view_has_identity_and_policy_but_no_transport_details() -> None:
    profile, problems = parse_profile(SFTP_PROFILE, "canary.yaml")
    assert problems == [] and profile is not None
    view = Partner.of(profile)
    assert (view.id, view.name, view.role, view.transport_kind) == (
        "canary",
        "Canary & Sons <Freight>",
        "carrier",
        "sftp",
    )
    assert (view.isa_qualifier, view.isa_id, view.gs_id, view.x12_version, view.usage) == (
        "ZZ",
        "CANARY",
        "CANARYGS",
        "005010",
        "T",
    )
    assert (view.documents_inbound, view.documents_outbound) == (["214", "999"], ["204"])
    assert view.ack_policy.model_dump() == {
        "kind": "999",
        "send": True,
        "send_ta1": "always",
        "request_ta1": False,
        "expect_ack_within_minutes": 30,
    }
    dumped = view.model_dump_json()
    for hidden in ("CANARY_KEY", "CANARY_PASSPHRASE", "sftp.canary.example", "canary-user", "/out"):
        assert hidden not in dumped


def test_outbox_view_hides_payload_bytes_and_lease_token() -> None:
    view = Outbox.of(outbox())
    dumped = view.model_dump()
    assert dumped["payload_size"] == len(b"<IDOC/>")
    assert "payload" not in dumped and "lease_token" not in dumped
    assert "secret-lease" not in view.model_dump_json()
    assert Outbox.of(outbox(payload=None, payload_path="x.xml")).payload_size is None


def test_set_view_summarises_each_issue_on_one_line() -> None:
    issue = {
        "level": "segment",
        "severity": "error",
        "code": "8",
        "message": "segment has data element errors",
        "segment": "N4",
        "position": 6,
        "element": 2,
    }
    row = SetRow(7, 1, "214", "0001", "R", [issue, {"message": "mapping failed"}], 12)
    view = TransactionSetView.of(row)
    assert view.error_count == 2
    assert view.error_summary == [
        "error 8 at N4 #6: segment has data element errors",
        "issue: mapping failed",
    ]
    assert summarise_issue({"severity": "warning", "message": "odd", "segment": "B10"}) == (
        "warning at B10: odd"
    )
    assert TransactionSetView.of(SetRow(8, 1, "214", "0002", "A", None, 3)).errors == []


def test_status_page_escapes_every_partner_supplied_cell() -> None:
    ack = AckRow(
        id=4,
        direction=AckDirection.EXPECTED,
        kind=AckKind.FA997,
        status=AckStatus.OVERDUE,
        partner_id="demo-carrier",
        interchange_id=1,
        group_id=1,
        interchange_control_number="000000001",
        group_control_number="1",
        functional_id="SM",
        due_at=AT,
        ack_message_id=None,
        outbox_id=None,
        detail=None,
        created_at=AT,
        updated_at=AT,
    )
    data = StatusData(
        counts={"messages": {"quarantined": 1, XSS: 2}, "outbox": {"dead": 1}},
        messages=[
            message(
                original_name=XSS,
                status=MessageStatus.QUARANTINED,
                quarantine_reason=f"bad ISA from {XSS}",
            )
        ],
        acks=[ack],
        dead_letters=[outbox(destination=f"d{XSS}", kind=f"k{XSS}", last_error=f"e{XSS}")],
    )
    page = render_status_page(data)
    assert "<script" not in page and "</script" not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 6
    assert '<td class="quarantined">quarantined</td>' in page
    assert '<td class="overdue">overdue</td>' in page
    assert "<td>2024-01-05T09:00:00+00:00</td>" in page


def test_status_page_says_none_for_empty_sections() -> None:
    page = render_status_page(StatusData(counts={}, messages=[], acks=[], dead_letters=[]))
    assert page.count('<td colspan="6">none</td>') == 2  # messages, dead letters
    assert '<td colspan="8">none</td>' in page  # acknowledgements
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>")
