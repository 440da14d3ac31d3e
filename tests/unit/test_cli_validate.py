"""`gateway validate` and `gateway translate`: exit codes, ack files, JSON output, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.x12.pyx12_check import pyx12_errors
from tests.conftest import SAMPLES, x12_samples

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_accepted_file_exits_0_and_writes_a_997_pyx12_accepts(tmp_path: Path) -> None:
    ack = tmp_path / "ack.x12"
    code, stdout, _ = run(
        "validate",
        str(SAMPLES / "nick-manasys__edi-parser__214-line-ending.edi"),
        "--ack-out",
        str(ack),
    )
    assert code == 0, stdout
    text = ack.read_text()
    assert "AK1*QM*4278049" in text and "AK9*A*1*1*1" in text
    # the ack's envelope is the inbound one with sender and receiver swapped
    assert text.startswith("ISA*00*          *00*          *ZZ*KATEST         *ZZ*KNTEST ")
    assert pyx12_errors(text) == []


def test_rejected_set_exits_1_with_ak5_code_4(tmp_path: Path) -> None:
    ack = tmp_path / "ack.x12"
    code, stdout, _ = run(
        "validate",
        str(SAMPLES / "indice-co__EDI.Net__204-MGCTLYST-SAMPLE.EDI"),
        "--ack-out",
        str(ack),
    )
    assert code == 1
    assert "SE01 41 but 38 segments" in stdout
    assert "AK5*R*4" in ack.read_text() and "AK9*R*1*1*0" in ack.read_text()


def test_broken_interchange_gets_ta1_r_001_and_no_997(tmp_path: Path) -> None:
    ack = tmp_path / "ack.x12"
    code, _, _ = run(
        "validate",
        str(SAMPLES / "extra" / "apimeister__x12-types__214_test1_embedded.edi"),
        "--ack-out",
        str(ack),
    )
    assert code == 1
    text = ack.read_text()
    assert "TA1*000003438*" in text and "*R*001~" in text
    assert "ST*997" not in text


def test_999_on_request(tmp_path: Path) -> None:
    ack = tmp_path / "ack.x12"
    code, _, _ = run(
        "validate",
        str(SAMPLES / "kputnam__stupidedi__204_SM204_case_1.edi"),
        "--ack",
        "999",
        "--ack-out",
        str(ack),
    )
    text = ack.read_text()
    assert "ST*999*0001*005010X231A1" in text
    assert code in (0, 1)


def test_json_report(tmp_path: Path) -> None:
    code, stdout, _ = run(
        "validate", str(SAMPLES / "apimeister__x12-types__214_test2_embedded.edi"), "--json"
    )
    report = json.loads(stdout)
    assert code == 1
    assert report["sets"]["rejected"] == 1
    assert report["interchanges"][0]["groups"][0]["ack_code"] in ("P", "R", "E")


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"hello world", "does not start with an ISA"), (b"", "empty")],
)
def test_not_x12_exits_2_with_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    f = tmp_path / "f.edi"
    f.write_bytes(content)
    code, _, stderr = run("validate", str(f))
    assert code == 2
    assert reason in stderr and len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run("validate", str(tmp_path / "missing.edi"))
    assert code == 2 and "No such file" in stderr


@pytest.mark.parametrize("path", x12_samples(), ids=lambda p: p.name[:50])
def test_every_sample_validates_and_translates_without_traceback(path: Path) -> None:
    code, _, stderr = run("validate", str(path), "--json")
    assert code in (0, 1), stderr
    assert "Traceback" not in stderr
    code, stdout, stderr = run("translate", str(path), "--to", "canonical")
    assert "Traceback" not in stderr
    docs = json.loads(stdout)
    assert isinstance(docs, list)


def test_translate_214_gives_one_document_per_set() -> None:
    code, stdout, _ = run(
        "translate",
        str(SAMPLES / "apimeister__x12-types__214_test2_embedded.edi"),
        "--to",
        "canonical",
    )
    docs = json.loads(stdout)
    assert code == 0
    assert [d["source"]["set_control_number"] for d in docs] == ["001", "002"]
    assert all(d["document_type"] == "shipment_status" for d in docs)


def test_installed_console_script() -> None:
    exe = Path(sys.executable).parent / "gateway"
    proc = subprocess.run(
        [str(exe), "validate", str(SAMPLES / "bots-edi__bots-plugins__997-004010VICS-01.x12")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode in (0, 1), proc.stderr
