"""`gateway partners check` catches what onboarding got wrong, and blames the file just added."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.adapters import kinds
from gateway.cli import app

PARTNERS = Path(__file__).resolve().parents[2] / "partners"
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

CARRIER = """\
id: {id}
name: Test Carrier
role: carrier
x12: {{isa_qualifier: "02", isa_id: {isa}}}
documents: {{inbound: [214, 997], outbound: [204]}}
transport: {{kind: folder, inbound_dir: {inbox}, outbound_dir: outbox/{id}}}
"""

SFTP = f"""\
id: {{id}}
name: SFTP carrier
role: carrier
x12: {{{{isa_qualifier: "02", isa_id: SFTPCARRIER}}}}
documents: {{{{inbound: [214, 997], outbound: [204]}}}}
transport:
  kind: sftp
  host: sftp.example.com
  username: gw
  key_file: ${{{{SFTP_KEY}}}}
  host_key: "{HOST_KEY}"
  inbound_dir: /out
  outbound_dir: /in
"""

runner = CliRunner()


def carrier(profile_id: str, isa: str, inbox: str | None = None) -> str:
    return CARRIER.format(id=profile_id, isa=isa, inbox=inbox or f"inbox/{profile_id}")


def partners(tmp_path: Path, *files: tuple[str, str]) -> Path:
    """The shipped profiles, then `files` added one after the other (later mtimes)."""
    folder = tmp_path / "partners"
    shutil.copytree(PARTNERS, folder)
    for f in folder.iterdir():
        os.utime(f, ns=(1, 1_000_000_000))
    for n, (name, text) in enumerate(files, start=2):
        (folder / name).write_text(text)
        os.utime(folder / name, ns=(1, n * 1_000_000_000))
    return folder


def check(folder: Path) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["partners", "check", str(folder)])
    return result.exit_code, result.stdout.splitlines()


def test_the_shipped_profiles_pass(tmp_path: Path) -> None:
    code, lines = check(partners(tmp_path))
    assert code == 0 and lines[-1].endswith("profiles OK")


def test_two_profiles_sharing_an_inbox_folder_blame_the_new_file(tmp_path: Path) -> None:
    # `zz-new` shares demo-carrier's inbox: each would take the other's files
    folder = partners(tmp_path, ("zz-new.yaml", carrier("zz-new", "ZZNEW", "inbox/demo-carrier")))
    code, lines = check(folder)
    assert code == 1
    assert lines == [
        "zz-new.yaml: transport.inbound_dir: folder 'inbox/demo-carrier' is already used by "
        "demo-carrier.yaml"
    ]


def test_sharing_an_outbox_folder_too(tmp_path: Path) -> None:
    text = carrier("acme", "ACME").replace("outbound_dir: outbox/acme", "outbound_dir: outbox/erp/")
    code, lines = check(partners(tmp_path, ("acme.yaml", text)))
    assert code == 1
    assert lines == [
        "acme.yaml: transport.outbound_dir: folder 'outbox/erp' is already used by erp.yaml"
    ]


def test_a_duplicate_isa_id_blames_the_file_added_later_not_the_first_by_name(
    tmp_path: Path,
) -> None:
    # "aaa-new" sorts before "demo-carrier" but was added after it: it is the wrong one
    folder = partners(tmp_path, ("aaa-new.yaml", carrier("aaa-new", "DEMOCARRIER")))
    code, lines = check(folder)
    assert code == 1
    assert lines == [
        "aaa-new.yaml: x12.isa_id: ISA id 02/DEMOCARRIER is already used by demo-carrier.yaml"
    ]


def test_a_transport_the_gateway_cannot_run_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a gateway installed without the sftp adapter (kinds without one are refused)
    monkeypatch.setattr(kinds, "RUNNABLE_TRANSPORT_KINDS", {"folder", "http"})
    code, lines = check(partners(tmp_path, ("sftp-carrier.yaml", SFTP.format(id="sftp-carrier"))))
    assert code == 1
    assert lines == [
        "sftp-carrier.yaml: transport.kind: transport 'sftp' cannot run in this gateway "
        "(available: folder, http)"
    ]


def test_a_kind_registered_by_its_adapter_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kinds, "RUNNABLE_TRANSPORT_KINDS", {"folder", "http"})
    kinds.register_transport_kind("sftp")
    code, lines = check(partners(tmp_path, ("sftp-carrier.yaml", SFTP.format(id="sftp-carrier"))))
    assert code == 0, lines


def test_partners_check_reads_the_folder_gateway_run_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = partners(tmp_path, ("aaa-new.yaml", carrier("aaa-new", "DEMOCARRIER")))
    monkeypatch.chdir(tmp_path / "partners")  # no ./partners here
    monkeypatch.setenv("GATEWAY_PARTNERS_DIR", str(folder))
    result = runner.invoke(app, ["partners", "check"])
    assert result.exit_code == 1
    assert "aaa-new.yaml: x12.isa_id" in result.stdout
    monkeypatch.delenv("GATEWAY_PARTNERS_DIR")
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))  # $GATEWAY_HOME/partners, like `run`
    result = runner.invoke(app, ["partners", "check"])
    assert result.exit_code == 1 and "aaa-new.yaml" in result.stdout


def test_every_runnable_kind_has_an_adapter() -> None:
    # the set partners check trusts is the set of kinds with a sink, a source or a service
    from gateway.adapters.sources import SOURCES
    from gateway.pipeline.delivery import SINKS

    assert set(SINKS) | set(SOURCES) | {"soap"} == kinds.RUNNABLE_TRANSPORT_KINDS
