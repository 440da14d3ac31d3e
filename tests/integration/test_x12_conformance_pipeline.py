"""Issue 9 and issue 10 section 2 through the running gateway: folder in, 997/TA1 out, rows.

- One Latin-1 byte in an N1 name: the carrier gets a 997 that points at the element (AK4 6)
  instead of the file being quarantined with no acknowledgement; with `encoding: latin-1` in
  the profile the set is accepted and mapped.
- A valid interchange followed by binary or text garbage: processed and acknowledged, the
  message is `parsed` (not quarantined) and its status event says what followed.
- Validation levels: `L11**BM` rejected (AK5 R) by default, accepted with errors (AK5 E, the
  detail in AK3/AK4, documents produced) with `syntax_note: note`.
- ISA02 of 3 characters: TA1 R 011 by default, TA1 E with `isa_fixed_length: note`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.store import MessageStatus
from tests.integration.gateway_env import demo_214, drop, gateway, make_home

PROFILE = "demo-carrier.yaml"


def _with_validation(home: Path, section: str) -> None:
    path = home / "partners" / PROFILE
    path.write_text(path.read_text() + "validation:\n" + section)


def _run(tmp_path: Path, data: bytes, validation: str | None = None) -> tuple[object, str]:
    settings = make_home(tmp_path)
    if validation is not None:
        _with_validation(tmp_path, validation)
    gw = gateway(settings)
    drop(settings, "demo-carrier", "in.edi", data)
    gw.tick()
    gw.tick()
    out = settings.outbox_dir / "demo-carrier"
    acks = sorted(out.iterdir()) if out.exists() else []
    return gw, "".join(p.read_text() for p in acks)


def test_latin1_byte_gets_a_997_at_its_element_not_a_quarantine(tmp_path: Path) -> None:
    data = demo_214(sets=1).replace(b"CONSIGNEE CO", b"ENTREP\xc9T CO")
    gw, ack = _run(tmp_path, data)
    (msg,) = gw.store.list_messages()  # type: ignore[attr-defined]
    # the only set is rejected, which the gateway reports as before; the file is read and the
    # carrier told where, not refused as "not valid UTF-8" with no acknowledgement
    assert "UTF-8" not in (msg.quarantine_reason or "")
    assert "AK4*2*93*6*ENTREP?T CO" in ack
    assert "AK5*R*5" in ack


def test_latin1_as_the_partners_encoding(tmp_path: Path) -> None:
    data = demo_214(sets=1).replace(b"CONSIGNEE CO", b"ENTREP\xc9T CO")
    gw, ack = _run(tmp_path, data, "  encoding: latin-1\n")
    assert "AK5*A" in ack and "AK9*A*1*1*1" in ack
    docs = gw.store.list_documents()  # type: ignore[attr-defined]
    assert any("ENTREP\u00c9T CO" in str(d.payload) for d in docs)


@pytest.mark.parametrize(
    "tail", [b"\x00\x00\x89PNG\r\n\x1a\n\xff\xd8", b"\r\nGARBAGE AFTER IEA\r\n"]
)
def test_complete_interchange_then_garbage_is_applied_acknowledged_and_says_so(
    tmp_path: Path, tail: bytes
) -> None:
    gw, ack = _run(tmp_path, demo_214() + tail)
    (msg,) = gw.store.list_messages()  # type: ignore[attr-defined]
    assert msg.status is MessageStatus.PARSED
    assert "AK9*A*2*2*2" in ack
    (ic,) = gw.store.list_interchanges(message_id=msg.id)  # type: ignore[attr-defined]
    assert ic.outcome == "accepted"
    events = gw.store.list_events(message_id=msg.id)  # type: ignore[attr-defined]
    parsed = [e for e in events if e.kind == "parsed"]
    assert parsed and "after the IEA" in parsed[-1].detail["trailing"]


def test_syntax_note_rejects_by_default_and_is_noted_with_the_profile(tmp_path: Path) -> None:
    data = demo_214(sets=1).replace(b"L11*BOL123*BM", b"L11**BM")
    _, ack = _run(tmp_path / "default", data)
    assert "AK4*1*127*2" in ack and "AK5*R*5" in ack
    gw, ack = _run(tmp_path / "noted", data, "  syntax_note: note\n")
    assert "AK4*1*127*2" in ack and "AK5*E" in ack and "AK9*E*1*1*1" in ack
    assert gw.store.list_documents()  # type: ignore[attr-defined]


def test_isa02_of_three_characters_ta1_r_011_unless_noted(tmp_path: Path) -> None:
    data = demo_214().replace(b"ISA*00*          *", b"ISA*00*   *", 1)
    gw, ack = _run(tmp_path / "default", data)
    assert "TA1*000000101*" in ack and "*R*011" in ack
    assert "AK1" not in ack
    gw, ack = _run(tmp_path / "noted", data, "  isa_fixed_length: note\n")
    assert "TA1" not in ack and "AK9*A*2*2*2" in ack  # accepted; no TA1 was requested
    (msg,) = gw.store.list_messages()  # type: ignore[attr-defined]
    assert msg.status is MessageStatus.PARSED
    requested = data.replace(b"*0*P*>~", b"*1*P*>~", 1)
    _, ack = _run(tmp_path / "requested", requested, "  isa_fixed_length: note\n")
    assert "*E*011" in ack and "AK9*A*2*2*2" in ack
