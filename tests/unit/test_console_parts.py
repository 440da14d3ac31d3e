"""The console's pure parts: code explanations, the X12 layout with findings, passwords, roles,
the login limiter and the redirect guard."""

from __future__ import annotations

import pytest

from gateway.console import auth
from gateway.console.app import _safe_next
from gateway.console.explain import EXPLANATIONS, explain
from gateway.console.pages import BoardFilter, FilterError, human
from gateway.console.x12view import layout
from tests.integration.console_env import bad_214


def test_every_ack_level_has_its_codes_explained_with_a_fix() -> None:
    for level, code in (
        ("segment", "8"),
        ("segment", "I4"),
        ("element", "7"),
        ("element", "I12"),
        ("transaction", "5"),
        ("group", "2"),
        ("interchange", "025"),
    ):
        found = explain(level, code)
        assert found is not None, (level, code)
        assert found.meaning and found.fix
    assert explain("interchange", "6") == explain("interchange", "006")
    assert explain("element", "08") == explain("element", "8")
    assert explain("element", "99") is None and explain("element", None) is None
    assert explain("mapping", None) is not None
    # every standard AK4/IK4 element code 1-10, 12, 13 and TA1 000-027 is in the table
    assert {str(n) for n in (*range(1, 11), 12, 13)} <= {
        c for (lvl, c) in EXPLANATIONS if lvl == "element"
    }
    assert {f"{n:03d}" for n in range(28)} <= {
        c for (lvl, c) in EXPLANATIONS if lvl == "interchange"
    }


def test_layout_places_each_finding_on_its_segment_and_element() -> None:
    data = bad_214("000000202")
    issues = [
        {"level": "transaction", "code": "5", "message": "segments in error", "position": 0},
        {"level": "element", "code": "5", "segment": "N4", "position": 6, "element": 5},
        {"level": "element", "code": "8", "segment": "AT7", "position": 11, "element": 5},
        {"level": "element", "code": "8", "segment": "AT7", "position": 99, "element": 5},
    ]
    view = layout(data, {("501", "0002"): issues})
    by_number = {line.number: line for line in view.lines}
    assert [line.segment_id for line in view.lines[:3]] == ["ISA", "GS", "ST"]
    # set 0001 is 13 segments (ST..SE); set 0002 starts at segment 16
    st2 = next(
        line for line in view.lines if line.segment_id == "ST" and line.elements[1] == "0002"
    )
    assert st2.set_position == 1 and [f.code for f in st2.findings] == ["5"]
    n4 = by_number[st2.number + 5]
    assert n4.segment_id == "N4" and n4.set_position == 6 and n4.bad_elements == {5}
    assert n4.elements[4] == "EXTRA" and n4.findings[0].explanation is not None
    at7 = by_number[st2.number + 10]
    assert at7.segment_id == "AT7" and at7.bad_elements == {5} and at7.elements[4] == "20241345"
    # the first set's segments carry nothing: findings are matched by GS06 + ST02
    assert not any(line.findings for line in view.lines if line.number < st2.number)
    assert [f.position for f in view.unplaced] == [99]
    assert not view.truncated and view.element_separator == "*"
    short = layout(data, {}, max_segments=5)
    assert len(short.lines) == 5 and short.truncated


def test_passwords_are_argon2_and_verified_in_constant_shape() -> None:
    hashed = auth.hash_password("a long enough secret")
    assert hashed.startswith("$argon2id$") and "a long enough" not in hashed
    with pytest.raises(auth.PasswordPolicyError):
        auth.hash_password("short")
    from datetime import UTC, datetime

    from gateway.store import ConsoleUserRow

    user = ConsoleUserRow(1, "ada", hashed, "admin", False, datetime.now(UTC), None)
    assert auth.verify_password(user, "a long enough secret")
    assert not auth.verify_password(user, "a long enough secreT")
    assert not auth.verify_password(None, "a long enough secret")
    disabled = ConsoleUserRow(1, "ada", hashed, "admin", True, datetime.now(UTC), None)
    assert not auth.verify_password(disabled, "a long enough secret")


def test_roles_are_ordered() -> None:
    assert auth.role_allows("admin", auth.Role.OPERATOR)
    assert auth.role_allows("operator", auth.Role.OPERATOR)
    assert not auth.role_allows("viewer", auth.Role.OPERATOR)
    assert not auth.role_allows("operator", auth.Role.ADMIN)
    assert not auth.role_allows("root", auth.Role.VIEWER)


def test_login_limiter_blocks_a_name_and_an_address_then_forgets() -> None:
    now = [1000.0]
    limiter = auth.LoginLimiter(per_name=3, per_client=5, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("ada", "10.0.0.1") == 0
        limiter.failed("ada", "10.0.0.1")
    assert 0 < limiter.retry_after("ADA", "10.0.0.9") <= 61  # the name, from anywhere
    assert limiter.retry_after("bob", "10.0.0.2") == 0
    limiter.failed("bob", "10.0.0.1")
    limiter.failed("cy", "10.0.0.1")
    assert limiter.retry_after("dan", "10.0.0.1") > 0  # the address, for any name
    now[0] += 61
    assert limiter.retry_after("ada", "10.0.0.1") == 0
    limiter.failed("eve", "10.0.0.3")
    limiter.succeeded("eve")
    assert limiter._fails.get("n:eve") is None


def test_login_redirects_only_inside_the_console() -> None:
    assert _safe_next("/console/acks?status=overdue") == "/console/acks?status=overdue"
    assert _safe_next("/") == "/"
    for bad in ("https://evil.example/", "//evil.example", "/console\\..\\x", "/api/x", ""):
        assert _safe_next(bad) == ""
    assert auth.is_loopback("127.0.0.1") and auth.is_loopback("::1")
    assert auth.is_loopback("localhost") and not auth.is_loopback("10.1.2.3")
    assert not auth.is_loopback(None) and not auth.is_loopback("gateway.example")


def test_board_filter_parses_and_refuses_bad_values() -> None:
    f = BoardFilter.parse({"side": "received", "status": "overdue", "since": "2026-01-02"})
    assert f.side == "received" and f.status is not None and f.since is not None
    assert "status=rejected" in f.query(status="rejected") and "side=received" in f.query()
    for bad in ({"side": "x"}, {"status": "lost"}, {"since": "yesterday"}, {"doc_type": "ZZ"}):
        with pytest.raises(FilterError):
            BoardFilter.parse(bad)
    from datetime import timedelta

    assert human(timedelta(days=2, hours=3)) == "2d 3h"
    assert human(timedelta(minutes=5, seconds=2)) == "5m 2s"
    assert human(None) == ""
