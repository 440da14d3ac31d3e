"""SFTP pieces without a server: the profile section, names, the read lock, the breaker, the
interchange completeness check, the pinned key and the `partners check` messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.adapters.pickup import ReadLock, is_candidate_name, name_problem
from gateway.adapters.sftp import CircuitBreaker, pinned_key
from gateway.cli import app
from gateway.registry import SftpTransport, parse_profile
from gateway.x12.complete import ends_with_iea, file_complete

PARTNERS = Path(__file__).resolve().parents[2] / "partners"
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

PROFILE = """\
id: acme
name: ACME
role: carrier
x12: {{isa_qualifier: "02", isa_id: ACME}}
documents: {{inbound: [214, 997], outbound: [204]}}
transport:
  kind: sftp
  host: sftp.acme.example
  port: 2222
  username: gateway
  host_key: "{host_key}"
  inbound_dir: /outgoing
  outbound_dir: /incoming
{extra}
"""


def profile_text(extra: str = "  key_file: ${ACME_KEY}", host_key: str = HOST_KEY) -> str:
    return PROFILE.format(extra=extra, host_key=host_key)


def test_a_full_sftp_section_is_accepted() -> None:
    extra = (
        "  key_file: ${ACME_KEY}\n  after_pickup: archive\n  archive_dir: /outgoing/done\n"
        "  poll_seconds: 30\n  temp_suffixes: ['.uploading']"
    )
    profile, problems = parse_profile(profile_text(extra), "acme.yaml")
    assert problems == [] and profile is not None
    t = profile.transport
    assert isinstance(t, SftpTransport)
    assert (t.port, t.after_pickup, t.archive_dir, t.poll_seconds) == (
        2222,
        "archive",
        "/outgoing/done",
        30,
    )
    assert t.temp_suffixes == [".uploading"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("", "acme.yaml: transport: give key_file (or password) as a ${ENV_VAR} reference"),
        (
            "  key_file: ${K}\n  after_pickup: archive",
            "acme.yaml: transport: after_pickup: archive needs archive_dir",
        ),
        ("  password: hunter2", "acme.yaml: transport.password: inline secret"),
        (
            "  key_file: ${K}\n  after_pickup: keep",
            "acme.yaml: transport.after_pickup: Input should",
        ),
        ("  key_file: ${K}\n  poll_seconds: 0", "acme.yaml: transport.poll_seconds: Input should"),
    ],
)
def test_broken_sftp_sections_get_one_clear_line(extra: str, message: str) -> None:
    profile, problems = parse_profile(profile_text(extra), "acme.yaml")
    assert profile is None
    assert any(str(p).startswith(message) for p in problems), problems


def test_password_by_reference_is_enough() -> None:
    profile, problems = parse_profile(profile_text("  password: ${ACME_PW}"), "acme.yaml")
    assert problems == [] and profile is not None


def test_partners_check_reports_an_unpinned_host_key_and_a_missing_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(PARTNERS / "our-company.yaml", tmp_path / "our-company.yaml")
    (tmp_path / "acme.yaml").write_text(profile_text(host_key="ssh-dss AAAA"))
    result = CliRunner().invoke(app, ["partners", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert "acme.yaml: transport.host_key: pin the server key as" in result.output
    (tmp_path / "acme.yaml").write_text(profile_text())
    monkeypatch.delenv("ACME_KEY", raising=False)
    result = CliRunner().invoke(app, ["partners", "check", "--env", str(tmp_path)])
    assert "acme.yaml: transport.key_file: environment variable ACME_KEY is not set" in (
        result.output
    )
    assert "Traceback" not in result.output
    monkeypatch.setenv("ACME_KEY", "/keys/acme")
    result = CliRunner().invoke(app, ["partners", "check", "--env", str(tmp_path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("214_0001.edi", ""),
        ("ÄÖ 214 (copy).x12", ""),
        ("../etc/passwd", "name with a path separator refused"),
        ("..", "empty or dot name refused"),
        ("a\\b", "name with a path separator refused"),
        ("new\nline", "name with a control character refused"),
        ("nul\x00", "name with a control character refused"),
        ("bidi\u202etxt.exe", "name with a control character refused"),
        ("x" * 256, "name longer than 255 characters refused"),
    ],
)
def test_partner_supplied_names(name: str, problem: str) -> None:
    assert name_problem(name) == problem


def test_temporary_and_hidden_names_are_not_candidates() -> None:
    assert is_candidate_name("a.edi")
    assert not is_candidate_name(".a.edi")
    assert not is_candidate_name("a.edi.PART")
    assert not is_candidate_name("a.edi.uploading", [".uploading"])


def test_read_lock_needs_a_second_unchanged_look() -> None:
    lock = ReadLock(stable_seconds=0.0, second_look=True)
    assert not lock.ready("a", 10, 1.0, now=0)
    assert not lock.ready("a", 20, 2.0, now=1)  # grew
    assert lock.ready("a", 20, 2.0, now=2)
    timed = ReadLock(stable_seconds=5.0)
    assert not timed.ready("b", 1, 1.0, now=0)
    assert not timed.ready("b", 1, 1.0, now=4)
    assert timed.ready("b", 1, 1.0, now=5)
    assert timed.ready("c", 1, 1.0, now=0, closed=True)  # a closed-write event


def test_breaker_opens_doubles_and_closes() -> None:
    now = [0.0]
    breaker = CircuitBreaker(base_seconds=2, max_seconds=5, clock=lambda: now[0])
    assert breaker.allow()
    assert breaker.failure("down") == 2
    assert not breaker.allow()
    now[0] = 2.0
    assert breaker.allow()  # half-open: one try
    assert breaker.failure("still down") == 4
    assert breaker.failure("still down") == 5  # capped
    breaker.success()
    assert breaker.allow() and breaker.failures == 0


def test_pinned_key_types() -> None:
    assert pinned_key(HOST_KEY).get_name() == "ssh-ed25519"
    with pytest.raises(Exception, match="key"):
        pinned_key("ssh-ed25519 AAAA")


ISA = b"ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    *240105*0900*U*00401*000000101*0*P*>~"


@pytest.mark.parametrize(
    ("data", "whole"),
    [
        (ISA + b"GS*QM~ST*214*0001~SE*2*0001~GE*1*1~IEA*1*000000101~", True),
        (ISA + b"GS*QM~GE*1*1~IEA*1*000000101~\r\n\r\n", True),
        (b"\xef\xbb\xbf\n" + ISA + b"IEA*1*000000101~", True),
        (ISA + b"GS*QM~ST*214*0001~SE*2*0001~GE*1*1~IE", False),
        (ISA + b"GS*QM~ST*214*0001~SE*2*0001~GE*1*1~", False),
        (ISA[:80], False),
        (b"<IDOC/>", True),  # not X12: not this check's business
    ],
)
def test_interchange_completeness(tmp_path: Path, data: bytes, whole: bool) -> None:
    path = tmp_path / "f"
    path.write_bytes(data)
    assert file_complete(path) is whole


def test_newline_terminated_interchange_is_complete() -> None:
    assert ends_with_iea(b"GE*1*1\nIEA*1*000000101\n", b"*", b"\n")
    assert not ends_with_iea(b"GE*1*1\nIEA*1*0000", b"*", b"\n")  # cut inside the IEA


def test_the_shipped_example_profile_is_valid() -> None:
    example = PARTNERS.parent / "deploy" / "sftp" / "carrier-sftp.example.yaml"
    profile, problems = parse_profile(example.read_text(), "acme-freight.yaml")
    assert problems == [] and profile is not None
    assert isinstance(profile.transport, SftpTransport)
    assert profile.transport.after_pickup == "archive"
