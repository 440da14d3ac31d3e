"""Onboarding and operations defects found by walking through the README (issue 8 §3) and
inbox entries skipped in silence (issue 10 §3), on a real gateway home: real files, symlinks,
FIFOs and hard links in a temporary inbox, the real CLI, the ops API and status page over a
real uvicorn server on loopback."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from gateway.cli import app
from gateway.ops import create_app, serve_in_thread
from gateway.service import Gateway
from gateway.settings import Settings
from gateway.store import MessageStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

runner = CliRunner()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("GATEWAY_HOME", str(tmp_path))
    return make_home(tmp_path)


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def http(settings: Settings) -> Iterator[tuple[Gateway, httpx.Client]]:
    gw = gateway(settings)
    server = serve_in_thread(create_app(gw.store, gw.registry), port=0)
    try:
        with httpx.Client(base_url=server.url, timeout=5.0) as client:
            yield gw, client
    finally:
        server.stop()
        gw.store.close()


# ------------------------------------------------------------ test data withheld (ISA15 T)


def test_a_test_interchange_withheld_from_production_says_why_everywhere(
    settings: Settings, http: tuple[Gateway, httpx.Client]
) -> None:
    gw, client = http
    drop(settings, "demo-carrier", "t.edi", demo_214("000000811", sets=2, usage="T"))
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED
    assert not (settings.outbox_dir / "portal").exists()  # withheld, as before
    reason = "test data (ISA15 T): acknowledged, but not delivered to production destinations"

    # one event for the interchange, not one per set
    (event,) = [e for e in gw.store.list_events(message_id=msg.id) if e.kind == "withheld"]
    assert event.detail == {
        "reason": reason,
        "destinations": ["erp", "portal", "tms"],
        "isa13": "000000811",
    }
    lineage = client.get(f"/api/messages/{msg.id}").json()
    assert any(
        e["kind"] == "withheld" and e["detail"]["reason"] == reason for e in lineage["events"]
    )
    page = client.get("/").text
    assert "test data withheld" in page and "ISA13 000000811" in page and "erp, portal, tms" in page
    code, text = cli("search", "000000811")
    assert code == 0 and "test data withheld" in text and "erp, portal, tms" in text
    code, text = cli("search", "PRO1", "--json")
    assert [n["kind"] for n in json.loads(text)["notices"]] == ["withheld"]


# ------------------------------------------------------------ search a rejected interchange


def test_search_finds_a_rejected_interchange_with_its_rejection(settings: Settings) -> None:
    gw = gateway(settings)
    bad_set = demo_214("000000821", sets=1).replace(b"AT7*X3*NS", b"AT7*ZZZ*NS")
    drop(settings, "demo-carrier", "bad.edi", bad_set)
    drop(settings, "demo-carrier", "iea.edi", demo_214("000000822", bad_iea=True))
    gw.tick()
    code, text = cli("search", "000000821")
    assert code == 0, text
    assert "ISA13 000000821 from demo-carrier" in text and ": rejected" in text
    assert "GS06 501 QM: AK9 R" in text
    assert "ST 214 0001: AK5 R" in text
    assert re.search(r"element 7 AT701: .*ZZZ", text) or "AT701" in text
    code, text = cli("search", "000000821", "--json")
    (report,) = json.loads(text)["interchanges"]
    (group,) = report["groups"]
    (st,) = group["sets_in_error"]
    assert (report["outcome"], group["ak9"], st["ak5"]) == ("rejected", "R", "R")
    assert {(e["code"], e["segment"]) for e in st["errors"]} >= {("5", ""), ("8", "AT7")}
    assert [(a["direction"], a["kind"], a["status"]) for a in report["acks"]] == [
        ("sent", "997", "rejected")
    ]
    code, text = cli("search", "000000822")
    assert code == 0
    assert "TA1 R 001: " in text  # the IEA's control number does not match the ISA's


# ------------------------------------------------------------ gateway messages, replay


def test_messages_lists_ids_for_replay_and_dry_run_goes_past_an_undecodable_file(
    settings: Settings,
) -> None:
    gw = gateway(settings)
    drop(settings, "demo-carrier", "a-good.edi", demo_214("000000831", sets=1))
    bad_set = demo_214("000000832", sets=1).replace(b"AT7*X3*NS", b"AT7*ZZZ*NS")
    drop(settings, "demo-carrier", "b-rejected.edi", bad_set)
    drop(settings, "demo-carrier", "c-garbage.edi", b"ISA*00*garbage that is no X12 at all")
    drop(settings, "demo-carrier", "d-empty.edi", b"")
    gw.tick()
    code, text = cli("messages", "--json")
    assert code == 0
    listed = {m["file"]: m for m in json.loads(text)["messages"]}
    assert {f: m["status"] for f, m in listed.items()} == {
        "a-good.edi": "parsed",
        "b-rejected.edi": "quarantined",
        "c-garbage.edi": "quarantined",
        "d-empty.edi": "quarantined",
    }
    assert listed["d-empty.edi"]["reason"] == "empty file"
    code, text = cli("messages", "--status", "quarantined", "--partner", "demo-carrier")
    assert code == 0 and "a-good.edi" not in text
    for name in ("b-rejected.edi", "c-garbage.edi", "d-empty.edi"):
        assert str(listed[name]["id"]) in text and name in text

    code, text = cli("replay", "--filter-status", "quarantined", "--dry-run")
    assert code == 0, text
    lines = text.splitlines()
    b, c, d = (listed[n]["id"] for n in ("b-rejected.edi", "c-garbage.edi", "d-empty.edi"))
    assert any(
        line.startswith(f"message {b} ") and "set 214 0001: would be rejected (AK5 R)" in line
        for line in lines
    ), text
    assert not any(line.startswith(f"message {b} ") and "changed" in line for line in lines)
    assert any(line.startswith(f"message {c} ") and "unreadable X12" in line for line in lines)
    assert any(line.startswith(f"message {d} ") and line.endswith("empty file") for line in lines)
    # nothing changed
    assert gw.store.get_message(b).status is MessageStatus.QUARANTINED  # type: ignore[union-attr]


def test_invalid_option_values_list_the_valid_ones(settings: Settings) -> None:
    code, text = cli("messages", "--status", "quarantine")
    assert code == 2 and "quarantined" in text and "refused" in text and "failed" in text
    code, text = cli("replay", "--filter-status", "broken", "--dry-run")
    assert code == 2 and "quarantined" in text and "failed" in text
    code, text = cli("acks", "--status", "late")
    assert code == 2 and "overdue" in text and "accepted_with_errors" in text
    code, text = cli("acks", "--direction", "in")
    assert code == 2 and "expected" in text and "received" in text


def test_demo_prints_keys_that_search_finds(settings: Settings) -> None:
    gw = gateway(settings)
    code, text = cli("demo")
    assert code == 0
    keys = re.findall(r"gateway search (\S+)", text)
    assert len(keys) == 4
    gw.tick()
    gw.tick()
    for key in keys:
        code, found = cli("search", key)
        assert code == 0, f"{key}: {found}"


# ------------------------------------------------------------ inbox entries not taken


def test_every_inbox_entry_not_taken_is_reported_once_everywhere(
    settings: Settings,
    http: tuple[Gateway, httpx.Client],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    gw, client = http
    inbox = settings.inbox_dir / "demo-carrier"
    outside = tmp_path / "elsewhere.edi"
    outside.write_bytes(demo_214("000000841"))
    (inbox / "link.edi").symlink_to(outside)
    os.mkfifo(inbox / "pipe.edi")
    os.link(outside, inbox / "hard.edi")
    (inbox / "nested").mkdir()
    (inbox / ".hidden.edi").write_bytes(b"x")
    with caplog.at_level(logging.WARNING, logger="gateway.upkeep"):
        for _ in range(3):  # rescans report nothing new
            gw.tick()
    expected = {
        "link.edi": "symbolic link refused",
        "pipe.edi": "not a regular file (FIFO, device or socket) refused",
        "hard.edi": "hard-linked file refused",
        "nested": "sub-directory refused: files go directly into the partner folder",
        ".hidden.edi": "hidden (dot) name refused: rename it without the leading dot",
    }
    events = gw.store.list_events(kinds=("inbox_refused",))
    assert {e.detail["name"]: e.detail["reason"] for e in events} == expected  # type: ignore[index]
    assert len(events) == 5  # once each
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 5
    assert "inbox entry demo-carrier/pipe.edi not taken: not a regular file" in " ".join(logged)
    assert gw.store.list_messages() == []  # nothing taken, everything left in place
    assert (inbox / "link.edi").is_symlink() and (inbox / "nested").is_dir()

    metrics = {
        s.labels["kind"]: s.value
        for f in text_string_to_metric_families(client.get("/metrics").text)
        if f.name == "gateway_notices"
        for s in f.samples
    }
    assert metrics["inbox_refused"] == 5
    page = client.get("/").text
    assert "demo-carrier/pipe.edi" in page and "hard-linked file refused" in page
    code, text = cli("messages", "--status", "refused", "--json")
    refused = json.loads(text)["refused"]
    assert code == 0 and {r["name"] for r in refused} == set(expected)

    # a restart does not report them again
    gw2 = gateway(settings)
    gw2.tick()
    assert len(gw2.store.list_events(kinds=("inbox_refused",))) == 5


def test_refused_entries_are_set_aside_where_the_profile_says(settings: Settings) -> None:
    profile = settings.partners_dir / "demo-carrier.yaml"
    profile.write_text(
        profile.read_text().replace(
            "  outbound_dir: outbox/demo-carrier\n",
            "  outbound_dir: outbox/demo-carrier\n  refused_dir: refused/demo-carrier\n",
        )
    )
    gw = gateway(settings)
    inbox = settings.inbox_dir / "demo-carrier"
    os.mkfifo(inbox / "pipe.edi")
    (inbox / "nested").mkdir()
    gw.tick()
    aside = settings.base_dir / "refused" / "demo-carrier"
    assert sorted(p.name for p in aside.iterdir()) == ["nested", "pipe.edi"]
    assert list(inbox.iterdir()) == []
    moved = {
        e.detail["name"]: e.detail["moved_to"]
        for e in gw.store.list_events(kinds=("inbox_refused",))
    }  # type: ignore[index]
    assert moved == {
        "pipe.edi": "refused/demo-carrier/pipe.edi",
        "nested": "refused/demo-carrier/nested",
    }


def test_an_over_cap_payload_is_refused_once_not_archived_on_every_rescan(
    settings: Settings,
) -> None:
    small = dataclasses.replace(settings, max_payload_bytes=1000)
    gw = gateway(small)
    drop(small, "demo-carrier", "big.edi", demo_214("000000851", sets=5))
    for _ in range(3):
        gw.tick()
    (event,) = gw.store.list_events(kinds=("inbox_refused",))
    assert event.detail["kind"] == "oversize"  # type: ignore[index]
    assert re.fullmatch(
        r"\d+ bytes is over the size cap of 1000 bytes",
        event.detail["reason"],  # type: ignore[index]
    )
    assert gw.store.list_messages() == []
    tmp = list((small.archive_dir / "tmp").iterdir())
    archived = [p for p in small.archive_dir.rglob("*") if p.is_file()]
    assert tmp == [] and archived == []  # never copied, not even once


def test_a_temporary_name_unchanged_past_the_limit_is_reported_as_stale(
    settings: Settings,
) -> None:
    gw = gateway(dataclasses.replace(settings, stale_upload_seconds=0.2))
    part = drop(settings, "demo-carrier", "upload.edi.part", b"ISA*half")
    gw.tick()
    assert gw.store.list_events(kinds=("inbox_refused",)) == []  # an upload in progress
    time.sleep(0.3)
    gw.tick()
    gw.tick()
    (event,) = gw.store.list_events(kinds=("inbox_refused",))
    assert (event.detail["name"], event.detail["kind"]) == ("upload.edi.part", "stale")  # type: ignore[index]
    assert part.exists()  # a stale upload is reported, never moved or deleted
