"""Bad and tricky input through the whole pipeline (folder in, store, outboxes), not only the
reader: truncation at every byte offset, a rejected attempt that must not hide an effective
interchange from the ISA13 conflict check, tricky but valid syntax, zip archives with hostile
member names, and EDI injection from a canonical value into an outbound 204."""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.service import Gateway
from gateway.settings import Settings
from gateway.store import DocumentRow, MessageRow, MessageStatus, OutboxRow, OutboxStatus
from gateway.x12.reader import SegmentReader
from tests.integration.gateway_env import demo_214, drop, gateway, make_home
from tests.integration.test_outbound_204 import outbox, tender_json

BUSINESS = ("erp", "tms", "portal")  # destinations where a document takes effect


def small_214(
    isa13: str,
    *,
    e: str = "*",
    c: str = ">",
    t: str = "~",
    name: str = "CONSIGNEE CO",
    pro: str = "PRO1",
) -> bytes:
    """A one-set 214 from the demo carrier with the delimiters asked for (ISA is fixed width
    whatever they are)."""
    segs = [
        ["ISA", "00", " " * 10, "00", " " * 10, "02", "DEMOCARRIER    ", "ZZ", "LOGIGATEWAY    "],
        ["240105", "0900", "U", "00401", isa13, "0", "P", c],
        ["GS", "QM", "DEMOCARRIER", "LOGIGATEWAY", "20240105", "0900", "501", "X", "004010"],
        ["ST", "214", "0001"],
        ["B10", pro, f"SHIP-{isa13[-3:]}", "DEMO"],
        ["N1", "CN", name],
        ["LX", "1"],
        ["AT7", "X3", "NS", "", "", "20240105", "0800", "CT"],
        ["MS1", "DALLAS", "TX", "US"],
        ["SE", "7", "0001"],
        ["GE", "1", "501"],
        ["IEA", "1", isa13],
    ]
    segs[0:2] = [segs[0] + segs[1]]  # ISA16, the component separator, ends the ISA
    return "".join(e.join(s) + t for s in segs).encode("latin-1")


def segments(data: bytes) -> list[list[str]]:
    return [s.elements for s in SegmentReader(io.BytesIO(data))]


@pytest.fixture
def memory_home(tmp_path: Path) -> Iterator[Path]:
    """A home on tmpfs where there is one: this test checks what happens to 300 files, not
    durability, and on a disk the ~6 fsynced commits per file are most of its time."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="gw-truncation-") as folder:
        yield Path(folder)


def _tmpfs() -> tempfile.TemporaryDirectory[str] | None:
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return tempfile.TemporaryDirectory(dir=shm, prefix="gw-bad-input-")
    return None


@dataclass
class Shared:
    """One gateway for the many one-file cases below (each has its own ISA13 and shipment), so
    a case costs its file, not a gateway start."""

    settings: Settings
    gw: Gateway

    def run(self, name: str, data: bytes) -> MessageRow:
        drop(self.settings, "demo-carrier", name, data)
        self.gw.tick()
        (msg,) = [m for m in self.gw.store.list_messages(limit=10_000) if m.original_name == name]
        return msg

    def sent_for(self, isa13: str) -> list[Path]:
        """The acknowledgements (997 or TA1) answering the inbound interchange `isa13`."""
        return [p for p in outbox(self.settings.base_dir, "demo-carrier") if f"-{isa13}-" in p.name]

    def live_rows(self, msg: MessageRow, destination: str) -> list[OutboxRow]:
        return [
            o
            for o in self.gw.store.list_outbox(limit=100_000)
            if o.source_message_id == msg.id
            and o.destination == destination
            and o.status is not OutboxStatus.VOID
        ]

    def documents(self, msg: MessageRow) -> list[DocumentRow]:
        return [d for d in self.gw.store.list_documents() if d.message_id == msg.id]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    memory = _tmpfs()
    home = Path(memory.name) if memory else tmp_path_factory.mktemp("shared-home")
    settings = make_home(home)
    gw = gateway(settings)
    try:
        yield Shared(settings, gw)
    finally:
        gw.store.close()
        if memory:
            memory.cleanup()


# ------------------------------------------------------------ truncation


def test_truncated_at_every_byte_offset_is_kept_reported_and_never_applied(
    memory_home: Path,
) -> None:
    settings = make_home(memory_home)
    gw = gateway(settings)
    data = small_214("000000111")
    whole = data.rstrip(b"~")  # every segment there, only the last terminator missing
    for cut in range(len(data)):
        drop(settings, "demo-carrier", f"cut-{cut:04d}.edi", data[:cut])
    gw.tick()
    gw.tick()
    messages = gw.store.list_messages(limit=10_000)
    # nothing lost: every file has its message (distinct bytes), the inbox is empty
    assert len(messages) == len(data)
    assert list((settings.inbox_dir / "demo-carrier").iterdir()) == []
    applied = [m for m in messages if m.status is not MessageStatus.QUARANTINED]
    # only the cut that lacks nothing but the final terminator may take effect
    assert [m.original_name for m in applied] in ([], [f"cut-{len(whole):04d}.edi"])
    for m in messages:
        if m.status is MessageStatus.QUARANTINED:
            assert m.quarantine_reason, m.original_name  # typed, explained: never silent
    # zero effects from any truncated file: their held documents were voided, never delivered
    effective = [d for d in gw.store.list_documents() if d.status.value != "void"]
    assert {d.message_id for d in effective} <= {m.id for m in applied}
    delivered = [
        o
        for o in gw.store.list_outbox(limit=100_000)
        if o.destination in BUSINESS and o.status is not OutboxStatus.VOID
    ]
    assert {o.source_message_id for o in delivered} <= {m.id for m in applied}
    assert len(delivered) <= 3  # ERP, TMS and one portal update at most, from the one applied
    gw.store.close()


def test_a_rejected_attempt_does_not_hide_an_effective_isa13_from_the_conflict_check(
    tmp_path: Path,
) -> None:
    """Regression: the envelope dedup looked at the FIRST interchange with this ISA13 only; a
    truncated first attempt (TA1 rejected) let a later other-content file with the same ISA13
    through as new instead of a conflict with an alert."""
    settings = make_home(tmp_path)
    gw = gateway(settings)
    full = demo_214("000000222")
    drop(settings, "demo-carrier", "1-truncated.edi", full[: len(full) // 2])
    gw.tick()
    drop(settings, "demo-carrier", "2-whole.edi", full)  # the partner sends it again, whole
    gw.tick()
    other = demo_214("000000222").replace(b"PRO1", b"PRO9")  # same ISA13, other content
    drop(settings, "demo-carrier", "3-other.edi", other)
    gw.tick()
    by_name = {m.original_name: m for m in gw.store.list_messages()}
    assert by_name["1-truncated.edi"].status is MessageStatus.QUARANTINED
    assert by_name["2-whole.edi"].status is MessageStatus.PARSED  # a rejected ISA13 may be resent
    third = by_name["3-other.edi"]
    assert third.status is MessageStatus.QUARANTINED
    assert "with other content" in (third.quarantine_reason or "")
    alerts = [
        e.detail
        for e in gw.store.list_events(message_id=third.id)
        if e.kind == "alert" and e.detail is not None
    ]
    assert [a["kind"] for a in alerts] == ["control_number_conflict"]
    assert gw.store.search("PRO9") == []
    gw.store.close()


# ------------------------------------------------------------ malformed ISA

MALFORMED = {
    # name: (bytes, ISA13 as sent, words the quarantine reason carries, TA1 code sent or None)
    "isa_of_105_characters": (
        small_214("000000511").replace(b"DEMOCARRIER    ", b"DEMOCARRIER   ", 1),
        "000000511",
        "TA1 006",
        "006",
    ),
    "isa_of_107_characters": (
        small_214("000000512").replace(b"DEMOCARRIER    ", b"DEMOCARRIER     ", 1),
        "000000512",
        "TA1 006",
        "006",
    ),
    "alphanumeric_element_separator": (
        small_214("000000513").replace(b"*", b"A"),
        "000000513",
        "alphanumeric",
        None,
    ),
    "terminator_equal_to_a_separator": (
        small_214("000000514").replace(b"~", b"*"),
        "000000514",
        "equals another",
        None,
    ),
    "non_numeric_isa13": (
        small_214("000000515").replace(b"000000515", b"00000A515"),
        "00000A515",
        "TA1 018",
        "018",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_isa_is_a_typed_quarantine_with_zero_effects(shared: Shared, case: str) -> None:
    data, isa13, reason, ta1_code = MALFORMED[case]
    msg = shared.run(f"{case}.edi", data)
    assert msg.status is MessageStatus.QUARANTINED
    assert reason in (msg.quarantine_reason or "")
    assert Path(msg.archive_path).read_bytes() == data  # kept as received
    assert [d for d in shared.documents(msg) if d.status.value != "void"] == []
    for destination in BUSINESS:  # held rows were voided, none delivered
        assert shared.live_rows(msg, destination) == []
    sent = shared.sent_for(isa13)
    if ta1_code is None:  # delimiters that cannot be trusted: no TA1 can be written in them
        assert sent == []
    else:
        (ta1,) = sent
        (seg,) = [s for s in segments(ta1.read_bytes()) if s[0] == "TA1"]
        assert (seg[4], seg[5]) == ("R", ta1_code)


@pytest.mark.parametrize(
    ("prefix", "isa13"),
    [(b"\xef\xbb\xbf", "000000521"), (b"  \r\n\t", "000000522")],
    ids=["bom", "leading_white_space"],
)
def test_a_bom_or_white_space_before_a_sound_isa_is_tolerated(
    shared: Shared, prefix: bytes, isa13: str
) -> None:
    """The documented policy (gateway.x12.errors.NotX12Error): an optional BOM and white space
    before the ISA are skipped; the interchange itself is sound, so it is applied."""
    msg = shared.run(f"prefix-{isa13}.edi", prefix + small_214(isa13))
    assert msg.status is MessageStatus.PARSED, msg.quarantine_reason
    (ack,) = shared.sent_for(isa13)
    assert [s[1] for s in segments(ack.read_bytes()) if s[0] == "AK9"] == ["A"]


def test_a_file_with_one_bad_set_rejects_that_set_and_applies_the_rest(memory_home: Path) -> None:
    """The one policy for a file with some bad sets: the bad set is rejected in the 997 (AK5 R,
    AK9 P) and takes no effect; the good sets of the same group are applied."""
    settings = make_home(memory_home)
    gw = gateway(settings)
    data = demo_214("000000601", sets=2).replace(b"SE*13*0002", b"SE*99*0002")
    assert b"SE*99*0002" in data  # the second set's count is wrong
    drop(settings, "demo-carrier", "x.edi", data)
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.PARSED
    (ack,) = outbox(memory_home, "demo-carrier")
    verdicts = [s for s in segments(ack.read_bytes()) if s[0] in ("AK2", "AK5", "AK9")]
    assert verdicts == [
        ["AK2", "214", "0001"],
        ["AK5", "A"],
        ["AK2", "214", "0002"],
        ["AK5", "R", "4"],
        ["AK9", "P", "2", "2", "1"],
    ]
    docs = gw.store.list_documents()
    assert [(d.business_key, d.status.value) for d in docs] == [
        ("shipment_status:DEMO:PRO1", "effective")
    ]
    assert gw.store.search("PRO2") == []
    assert len(outbox(memory_home, "portal")) == 2  # the two events of the good set only
    gw.store.close()


# ------------------------------------------------------------ tricky valid syntax


TRICKY = {
    # name: (file bytes, ISA13 of each interchange)
    "pipe_element_caret_terminator": (
        small_214("000000301", e="|", c=">", t="^"),
        ["000000301"],
    ),
    "caret_element_pipe_terminator": (
        small_214("000000302", e="^", c=":", t="|"),
        ["000000302"],
    ),
    "control_character_delimiters": (
        small_214("000000303", e="\x1d", c="\x1f", t="\x1c"),
        ["000000303"],
    ),
    "newline_terminator": (small_214("000000304", t="\n"), ["000000304"]),
    "crlf_after_each_segment": (small_214("000000305", t="~\r\n"), ["000000305"]),
    "isa_and_iea_inside_data": (
        small_214("000000306", name="ISA IEA GS LOGISTICS", pro="ISA00IEA1"),
        ["000000306"],
    ),
    "two_interchanges_in_one_file": (
        small_214("000000307") + small_214("000000308"),
        ["000000307", "000000308"],
    ),
}


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_tricky_valid_syntax_is_applied_and_acknowledged(shared: Shared, case: str) -> None:
    data, isa13s = TRICKY[case]
    msg = shared.run(f"{case}.edi", data)
    assert msg.status is MessageStatus.PARSED, msg.quarantine_reason
    ics = shared.gw.store.list_interchanges(message_id=msg.id)
    assert sorted((i.control_number, i.outcome) for i in ics) == [(n, "accepted") for n in isa13s]
    docs = shared.documents(msg)
    assert len(docs) == len(isa13s) and {d.status.value for d in docs} == {"effective"}
    for isa13 in isa13s:  # one 997 per interchange back to the carrier, accepting its group
        (ack,) = shared.sent_for(isa13)
        assert [s[1] for s in segments(ack.read_bytes()) if s[0] == "AK9"] == ["A"]
    assert len(shared.live_rows(msg, "portal")) == len(isa13s)  # one event per set
    if case == "isa_and_iea_inside_data":
        assert shared.gw.store.search("ISA00IEA1") != []


# ------------------------------------------------------------ archives


def test_a_zip_with_hostile_member_names_is_never_extracted(tmp_path: Path) -> None:
    """The gateway takes no archives: a zip (members named ../, absolute, a bomb-sized one) is
    quarantined whole and archived as the bytes received; no member is written anywhere."""
    settings = make_home(tmp_path)
    gw = gateway(settings)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../escaped.edi", demo_214("000000401"))
        zf.writestr("/tmp/absolute-escape.edi", demo_214("000000402"))
        zf.writestr("bomb.edi", b"\0" * 5_000_000)  # 5 MB that deflate to a few KB
    data = buf.getvalue()
    assert len(data) < 100_000
    drop(settings, "demo-carrier", "bundle.zip", data)
    before = {p for p in tmp_path.rglob("*")}
    gw.tick()
    (msg,) = gw.store.list_messages()
    assert msg.status is MessageStatus.QUARANTINED and msg.quarantine_reason
    assert Path(msg.archive_path).read_bytes() == data
    assert gw.store.list_documents() == []
    made = {p for p in tmp_path.rglob("*")} - before
    assert not [p for p in made if "escape" in p.name or p.name == "bomb.edi"]
    assert not (tmp_path.parent / "escaped.edi").exists()
    assert not Path("/tmp/absolute-escape.edi").exists()
    gw.store.close()


# ------------------------------------------------------------ EDI injection


INJECTION = "~IEA*1*000000001~ISA*00*"


def test_a_canonical_value_with_delimiters_never_adds_a_segment_outbound(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    gw = gateway(settings)
    evil = json.loads(tender_json("LOAD-EVIL"))
    evil["notes"] = [{"text": f"call first{INJECTION}", "code": "TRA"}]
    evil["stops"][0]["party"]["name"] = f"FAKE*BIZ:{INJECTION}"
    drop(settings, "erp", "1-evil.json", json.dumps(evil).encode())
    gw.tick()
    (msg,) = gw.store.list_messages()
    # refused with its reason, nothing sent to the carrier
    assert msg.status is MessageStatus.QUARANTINED
    assert "contains a delimiter" in (msg.quarantine_reason or "")
    assert outbox(tmp_path, "demo-carrier") == []
    # the next clean order gets the first control number: the refused one consumed none
    drop(settings, "erp", "2-clean.json", tender_json("LOAD-CLEAN"))
    gw.tick()
    (sent,) = outbox(tmp_path, "demo-carrier")
    segs = segments(sent.read_bytes())
    assert [s[0] for s in segs].count("ISA") == 1 and [s[0] for s in segs].count("IEA") == 1
    assert segs[0][13] == "000000001"
    gw.store.close()
