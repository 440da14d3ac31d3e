"""`gateway validate --partner ID` applies that partner's validation levels and encoding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from gateway.cli import app
from tests.conftest import REPO

runner = CliRunner()
ISA = (
    "ISA*00*          *00*          *02*DEMOCARRIER    *ZZ*LOGIGATEWAY    "
    "*240105*0900*U*00401*000000101*0*P*>~"
)
FILE = (
    ISA + "GS*QM*DEMOCARRIER*LOGIGATEWAY*20240105*0900*501*X*004010~"
    "ST*214*0001~B10*PRO1*SHIP1*DEMO~L11**BM~N1*CN*ENTREP\xc9T~LX*1~"
    "AT7*X1*NS***20240105*0800*CT~SE*7*0001~GE*1*501~IEA*1*000000101~"
)


def _validate(tmp_path: Path, validation: str | None, *extra: str) -> tuple[int, dict[str, object]]:
    partners = tmp_path / "partners"
    shutil.copytree(REPO / "partners", partners)
    if validation is not None:
        profile = partners / "demo-carrier.yaml"
        profile.write_text(profile.read_text() + "validation:\n" + validation)
    path = tmp_path / "in.edi"
    path.write_bytes(FILE.encode("latin-1"))
    result = runner.invoke(
        app,
        ["validate", str(path), "--json", *extra],
        env={"GATEWAY_PARTNERS_DIR": str(partners)},
    )
    return result.exit_code, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def test_default_is_the_standard_reject(tmp_path: Path) -> None:
    code, report = _validate(tmp_path, None)
    assert code == 1
    sets = report["sets"]
    assert isinstance(sets, dict)
    assert (sets["accepted"], sets["accepted_with_errors"], sets["rejected"]) == (0, 0, 1)


def test_partner_levels_and_encoding_apply(tmp_path: Path) -> None:
    code, report = _validate(
        tmp_path, "  syntax_note: note\n  encoding: latin-1\n", "--partner", "demo-carrier"
    )
    sets = report["sets"]
    assert sets["accepted_with_errors"] == 1 and sets["rejected"] == 0  # type: ignore[index]
    (problem,) = sets["with_issues"]  # type: ignore[index]
    assert [(i["code"], i["severity"]) for i in problem["issues"] if i["level"] == "element"] == [
        ("2", "warning")
    ]
    assert code == 1  # accepted with errors still exits 1


def test_unknown_partner_is_one_line(tmp_path: Path) -> None:
    partners = tmp_path / "partners"
    shutil.copytree(REPO / "partners", partners)
    path = tmp_path / "in.edi"
    path.write_bytes(FILE.encode("latin-1"))
    result = runner.invoke(
        app,
        ["validate", str(path), "--partner", "nobody"],
        env={"GATEWAY_PARTNERS_DIR": str(partners)},
    )
    assert result.exit_code == 2
    assert "no partner profile 'nobody'" in result.stderr
    assert "Traceback" not in result.stderr
