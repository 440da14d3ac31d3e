"""The streaming tokenizer on the real samples and on hostile input."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.x12.errors import InterchangeHeaderError, NotX12Error, X12Error
from gateway.x12.model import Delimiters
from gateway.x12.reader import SegmentReader, detect_delimiters
from tests.conftest import SAMPLES, x12_samples


def read(data: bytes, chunk_size: int = 1 << 16) -> list[list[str]]:
    return [s.elements for s in SegmentReader(io.BytesIO(data), chunk_size=chunk_size)]


# (file, segments, interchanges, sets, delimiters)
EXPECTED = {
    "TraxTechnologies__scala-x12__example214.x12": (37, 1, 1, Delimiters("~", "|", "^")),
    "bots-edi__bots-plugins__997-004010VICS-01.x12": (10, 1, 1, Delimiters("*", ">", "\x15")),
    "indice-co__EDI.Net__x12.214.edi": (20, 1, 1, Delimiters("*", ">", "~")),
    "xlate__staedi__214_issue109_ts214_ellipses_segterm.edi": (
        24,
        1,
        1,
        Delimiters("*", ">", "\u2026"),
    ),
    "kputnam__stupidedi__999_X231A1_response-to-3-837s.edi": (
        20,
        1,
        1,
        Delimiters("*", ":", "~", ">"),
    ),
    "Forever-code-once__conard_truck_awsTextract__204_FXFE_fedex_6ST_newline_embedded.edi": (
        148,
        1,
        6,
        Delimiters("*", ":", "\n"),
    ),
    "Forever-code-once__conard_truck_awsTextract__204_MGLYNNCO_lynnco_4ISA_incl_cancel_embedded.edi": (
        141,
        4,
        4,
        Delimiters("*", ":", "~"),
    ),
    "Inteligenz__X12Parser__210_DBSchenker_SampleMotorFreightDetailsAndInvoice.txt": (
        26,
        1,
        1,
        Delimiters("*", ":", "."),
    ),
    "kputnam__stupidedi__997_FA997_pass_1.edi": (10, 1, 1, Delimiters("*", "`", "\n")),
    "xlate__staedi__210_issue128_ts210_80char.edi": (35, 1, 1, Delimiters("*", ">", "~")),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_samples_tokenize_with_detected_delimiters(name: str) -> None:
    n_segments, n_isa, n_st, delims = EXPECTED[name]
    with (SAMPLES / name).open("rb") as fh:
        reader = SegmentReader(fh)
        segments = list(reader)
    tags = [s.tag for s in segments]
    assert len(segments) == n_segments
    assert tags.count("ISA") == n_isa == tags.count("IEA")
    assert tags.count("ST") == n_st == tags.count("SE")
    assert reader.delimiters == delims
    # no tag carries white space or line breaks (indentation, wrapping, CRLF all handled)
    assert all(t.isalnum() and 2 <= len(t) <= 3 for t in tags)


@pytest.mark.parametrize("path", x12_samples(), ids=lambda p: p.name[:50])
def test_chunk_size_does_not_change_the_segments(path: Path) -> None:
    data = path.read_bytes()
    assert read(data, 1) == read(data, 7) == read(data)


def test_wrapped_value_is_rejoined() -> None:
    segs = read((SAMPLES / "xlate__staedi__210_issue128_ts210_80char.edi").read_bytes())
    st = next(s for s in segs if s[0] == "ST")
    assert st[2] == "1305"
    n9 = next(s for s in segs if s[0] == "N9" and s[1] == "PO")
    assert n9[2] == "721295"


def test_isa_with_line_break_inside_keeps_sixteen_elements() -> None:
    segs = read((SAMPLES / "indice-co__EDI.Net__x12.214.edi").read_bytes())
    assert len(segs[0]) == 17
    assert segs[0][9].isdigit()


def test_unpadded_isa_detects_delimiters_by_walking() -> None:
    delims, end = detect_delimiters("ISA*00* *00* *ZZ*A*ZZ*B*200101*1200*U*00401*1*0*P*>~GS*")
    assert delims == Delimiters("*", ">", "~")
    assert end == len("ISA*00* *00* *ZZ*A*ZZ*B*200101*1200*U*00401*1*0*P*>~")


@pytest.mark.parametrize(
    ("isa", "code"),
    [
        ("ISAA00A          A00A", "026"),  # alphanumeric element separator
        ("ISA*00*          *00*          *ZZ*A*ZZ*B*200101*1200*U*00401*1*0*P*>*", "004"),
        ("ISA*00*          *00*          *ZZ*A*ZZ*B*200101*1200*U*00401*1*0*P*A~", "027"),
    ],
)
def test_untrustworthy_isa_raises_header_error_with_ta1_code(isa: str, code: str) -> None:
    with pytest.raises(InterchangeHeaderError) as err:
        detect_delimiters(isa + "GS*FA~" + " " * 600)
    assert err.value.ta1_code == code


def test_not_x12() -> None:
    with pytest.raises(NotX12Error):
        read(b"<?xml version='1.0'?><x/>")
    with pytest.raises(NotX12Error):
        read(b"")


def test_undecodable_bytes_stay_in_their_element() -> None:
    # issue 10: X12 is bytes; a byte the encoding cannot read is reported at its element by the
    # validator (AK4 6), it no longer refuses the whole file
    data = (SAMPLES / "kputnam__stupidedi__204_SM204_case_1.edi").read_bytes()
    segments = read(data[:200] + b"\xff\xfe" + data[200:])
    assert any("\udcff\udcfe" in e for seg in segments for e in seg)


@pytest.mark.parametrize("path", x12_samples()[:6], ids=lambda p: p.name[:40])
def test_truncation_at_every_offset_raises_only_gateway_errors(path: Path) -> None:
    data = path.read_bytes()
    for cut in range(len(data)):
        with contextlib.suppress(X12Error):
            read(data[:cut], chunk_size=64)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_raise_only_gateway_errors(data: bytes) -> None:
    with contextlib.suppress(X12Error):
        read(b"ISA" + data, chunk_size=16)
