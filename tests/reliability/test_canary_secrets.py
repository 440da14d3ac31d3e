"""Canary secrets never leak: a real `gateway run` is given secret values it must use (the ERP's
SOAP password, an API key) and is sent wrong ones too; afterwards none of those values appears in
its log, in any HTTP answer, in the database file or in the archive, in plain text.

The secrets are used for real (a SOAP call that authenticates, an API read with the key), so the
test also fails if a secret is simply never read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.gateway_env import demo_214, drop, make_home

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:logigateway:erp:soap:v1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SOAP_PASSWORD = "canary-soap-7f3a9c51e2"
API_KEY = "canary-key-5d8e2b90c4aa"
WRONG = ("canary-wrong-pass-11aa22", "canary-wrong-key-33bb44")
CANARIES = (SOAP_PASSWORD, API_KEY, *WRONG)


def soap_call(password: str) -> bytes:
    return f"""<soap:Envelope xmlns:soap="{SOAP11}" xmlns:wsse="{WSSE}">
  <soap:Header><wsse:Security><wsse:UsernameToken>
    <wsse:Username>erp-soap</wsse:Username><wsse:Password>{password}</wsse:Password>
  </wsse:UsernameToken></wsse:Security></soap:Header>
  <soap:Body><GetShipmentStatus xmlns="{NS}"><KEY>0000470010</KEY></GetShipmentStatus></soap:Body>
</soap:Envelope>""".encode()


def test_secrets_appear_nowhere_in_plain_text(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if k != "GATEWAY_CRASHPOINT"},
        "GATEWAY_HOME": str(tmp_path),
        "GATEWAY_HTTP_PORT": "0",
        "GATEWAY_STABLE_SECONDS": "0",
        "ERP_SOAP_PASSWORD": SOAP_PASSWORD,
        "GATEWAY_API_KEYS": f"ops|read,operate|{API_KEY}",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "run"], env=env, stdout=out, stderr=out
        )
    answers: list[bytes] = []
    try:
        marker = "operations API and status page on "
        deadline = time.monotonic() + 60
        while marker not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        url = log.read_text().split(marker)[1].split()[0]
        drop(settings, "demo-carrier", "s.edi", demo_214("000000881"))
        xml = {"Content-Type": "text/xml; charset=utf-8"}
        with httpx.Client(base_url=url, timeout=10) as client:
            good = client.post("/soap", content=soap_call(SOAP_PASSWORD), headers=xml)
            assert good.status_code == 200, good.text  # the secret was read and used
            bad = client.post("/soap", content=soap_call(WRONG[0]), headers=xml)
            assert bad.status_code == 500 and b"authentication failed" in bad.content
            deadline = time.monotonic() + 30
            while True:  # the dropped file processed: its rows are in the database
                read = client.get("/api/messages", headers={"X-API-Key": API_KEY})
                assert read.status_code == 200, read.text
                if any(m["status"] != "received" for m in read.json()):
                    break
                assert time.monotonic() < deadline, read.text
                time.sleep(0.2)
            refused = client.get("/api/messages", headers={"X-API-Key": WRONG[1]})
            assert refused.status_code == 401
            answers += [good.content, bad.content, read.content, refused.content]
            answers += [client.get("/metrics").content, client.get("/health").content]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    places: dict[str, bytes] = {"log": log.read_bytes(), "answers": b"\n".join(answers)}
    for path in (tmp_path / "var").rglob("*"):  # the database (and its WAL) and the archive
        if path.is_file():
            places[str(path.relative_to(tmp_path))] = path.read_bytes()
    assert any("gateway.db" in name for name in places)
    assert any("archive" in name for name in places)
    leaks = [
        (canary, where)
        for canary in CANARIES
        for where, data in places.items()
        if canary.encode() in data
    ]
    assert leaks == []
