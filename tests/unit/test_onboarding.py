"""Onboarding: `gateway partners new | test | schema` and the generated reference page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import Result
from typer.testing import CliRunner

from gateway.cli import app
from gateway.onboarding import cli as onboarding_cli
from gateway.onboarding.reference import json_schema, markdown
from gateway.registry import Registry
from tests.conftest import REPO
from tests.integration.console_env import bad_214
from tests.integration.gateway_env import demo_214

runner = CliRunner()


def gateway(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


@pytest.fixture
def partners(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "partners", tmp_path / "partners")
    return tmp_path / "partners"


def test_the_reference_page_is_generated_from_the_models_and_current() -> None:
    page = (REPO / "docs" / "partner-profile.md").read_text(encoding="utf-8")
    assert page == markdown(), (
        "run: gateway partners schema --markdown --out docs/partner-profile.md"
    )
    # every section of the profile has its table, with the notes written beside the fields
    for heading in ("## PartnerProfile", "## X12Settings", "## AckPolicy", "## SftpTransport"):
        assert heading in page
    assert "| `expect_990_within_minutes` | integer (>= 1, <= 10080) (or null) | `240` |" in page
    assert "a 204 we send expects the carrier's 990" in page


def test_the_schema_accepts_every_shipped_profile_and_refuses_typos() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((REPO / "partners").glob("*.yaml")):
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path.name
    typo = {"id": "x", "name": "X", "role": "carrier", "acks": {"kinds": "997"}}
    assert any("kinds" in e.message for e in validator.iter_errors(typo))
    wrong = {"id": "x", "name": "X", "role": "carrier", "transport": {"kind": "ftp"}}
    assert list(validator.iter_errors(wrong))
    result = gateway("partners", "schema")
    assert result.exit_code == 0 and json.loads(result.stdout)["title"] == "PartnerProfile"


def test_new_carrier_from_flags_is_valid_and_loads(partners: Path) -> None:
    result = gateway(
        "partners", "new", "acme-freight", "--role", "carrier", "--name", "Acme Freight",
        "--scac", "ACMF", "--dir", str(partners),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (partners / "acme-freight.yaml").read_text()
    assert "environment: test" in text and "usage: T" in text  # a new partner starts in test
    profile = Registry.load(partners).get("acme-freight")
    assert profile.x12 is not None and (profile.x12.isa_qualifier, profile.x12.isa_id) == (
        "02",
        "ACMF",
    )
    assert list(profile.documents.outbound) == ["204", "997"]
    assert profile.transport is not None and profile.transport.kind == "folder"
    again = gateway(
        "partners",
        "new",
        "acme-freight",
        "--role",
        "carrier",
        "--scac",
        "ACMX",
        "--dir",
        str(partners),
    )
    assert again.exit_code == 1 and "exists" in again.stderr


def test_new_refuses_clashes_and_missing_answers_without_a_terminal(partners: Path) -> None:
    clash = gateway(
        "partners", "new", "x2", "--role", "carrier", "--scac", "DEMO", "--dir", str(partners)
    )
    assert clash.exit_code == 1 and "SCAC DEMO is already used by demo-carrier.yaml" in clash.stderr
    missing = gateway("partners", "new", "x3", "--role", "carrier", "--dir", str(partners))
    assert missing.exit_code == 2 and "--scac" in missing.stderr
    bad = gateway("partners", "new", "Bad_Id", "--role", "customer", "--dir", str(partners))
    assert bad.exit_code == 1 and "lower-case letters" in bad.stderr
    assert not (partners / "x2.yaml").exists() and not (partners / "Bad_Id.yaml").exists()
    assert gateway("partners", "new", "x4", "--dir", str(partners)).exit_code == 2


def test_new_asks_for_what_is_missing_in_a_terminal(
    partners: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onboarding_cli, "_interactive", lambda: True)
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    answers = (
        "\n".join(
            ["carrier", "Blue Line", "BLUE", "02", "BLUELINE", "sftp.blue.example", "edi", key]
        )
        + "\n"
    )
    result = gateway(
        "partners", "new", "blue-line", "--transport", "sftp", "--dir", str(partners), input=answers
    )
    assert result.exit_code == 0, result.output
    profile = Registry.load(partners).get("blue-line")
    assert profile.name == "Blue Line" and profile.scac == "BLUE"
    assert profile.transport is not None and profile.transport.kind == "sftp"
    assert "${BLUE_LINE_SFTP_KEY}" in (partners / "blue-line.yaml").read_text()


def test_partners_test_dry_runs_and_prints_what_would_be_sent_where(
    partners: Path, tmp_path: Path
) -> None:
    good, bad, junk = tmp_path / "good.edi", tmp_path / "bad.edi", tmp_path / "junk.txt"
    good.write_bytes(demo_214("000000101"))
    bad.write_bytes(bad_214("000000202"))
    junk.write_bytes(b"hello")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = gateway("partners", "test", "demo-carrier", str(good), "--dir", str(partners))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "good.edi: parsed" in out and "ST 214 0001: A" in out
    assert "would send to" in out
    for destination in ("erp", "tms", "portal", "demo-carrier"):
        assert f"\n{destination} " in out or f" {destination} " in out, destination
    assert "we acknowledge: 997 accepted for ISA13 000000101" in out
    result = gateway(
        "partners", "test", "demo-carrier", str(bad), str(junk), "--dir", str(partners)
    )
    assert result.exit_code == 1
    out = result.stdout
    assert "bad.edi: quarantined" in out and "AT7@11 e05 8: AT705" in out
    assert "Send CCYYMMDD" in out  # the likely fix beside the finding
    assert "junk.txt: quarantined" in out and "not X12" in out
    assert "997 rejected" in out
    # nothing stored or sent: no var/, no outbox, no new file anywhere
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    unknown = gateway("partners", "test", "nope", str(good), "--dir", str(partners))
    assert unknown.exit_code == 2 and "no partner profile with id 'nope'" in unknown.stderr
    missing = gateway(
        "partners", "test", "demo-carrier", str(tmp_path / "none.edi"), "--dir", str(partners)
    )
    assert missing.exit_code == 2 and "unreadable" in missing.stdout
