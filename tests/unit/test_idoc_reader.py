"""read_idocs on the real IDoc samples (extension root, stray text, two IDOCs in one root) and on
XML that is not IDoc XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.idoc import (
    IdocStructureError,
    UnsafeXmlError,
    XmlSyntaxError,
    read_idocs,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
ARDO = SAMPLES / "hansRapnhap__xquery-linux__INVOIC02_ZINV_ARDO_SAP_Invoice.xml"
ARDO_STRAY = (
    SAMPLES
    / "extra"
    / "hansRapnhap__xquery-linux__INVOIC02_ZINV_ARDO_SAP_INVOICE_IDOC2_stray_char.xml"
)
DELVRY = (
    SAMPLES / "unresolved-repo__python-escm-xml_reader-test__DELVRY01_SHPCON_two_IDOCs_embedded.xml"
)


def test_invoic02_with_extension_root() -> None:
    (idoc,) = read_idocs(ARDO.read_bytes())
    assert idoc.root_tag == "ZINV_ARDO"
    assert idoc.docnum == "0000000000182520"
    assert (idoc.mestyp, idoc.idoctyp, idoc.cimtyp, idoc.direct) == (
        "INVOIC",
        "INVOIC02",
        "ZINV_ARDO",
        "1",
    )
    assert idoc.control["MESCOD"] == "MM"
    assert idoc.control["RCVPRN"] == "0001005022"
    assert idoc.control["CREDAT"] == "20230418"
    assert idoc.control["SERIAL"] == "20230418113055"
    assert idoc.warnings == ()
    # 136 SEGMENT="1" elements in the file, EDI_DC40 is the control record, not a data segment
    assert idoc.segment_count == 135
    assert len(idoc.segments) == 44
    counts = {n: len(idoc.find_all(n)) for n in ("E1EDK01", "E1EDKA1", "E1EDK02", "E1EDK03")}
    assert counts == {"E1EDK01": 1, "E1EDKA1": 6, "E1EDK02": 7, "E1EDK03": 8}
    assert len(idoc.find_all("E1EDP01")) == 2
    assert len(list(idoc.iter("E1EDP26"))) == 14
    assert len(list(idoc.iter("ZMARM1"))) == 11


def test_invoic02_values_nesting_and_unicode() -> None:
    (idoc,) = read_idocs(ARDO.read_bytes())
    header = idoc.find("E1EDK01")
    assert header is not None
    assert (header.get("CURCY"), header.get("BELNR"), header.get("WKURS")) == (
        "EUR",
        "9000002067",
        "1.00000",
    )
    bill_to = next(s for s in idoc.find_all("E1EDKA1") if s.get("PARVW") == "RE")
    assert bill_to.get("STRAS") == "JÄRNVIKSVÄGEN 12"
    extension = bill_to.find("ZINV_ARDO")
    assert extension is not None
    assert extension.get("BIOCERTIFICATE") == "BE-BIO-01"
    totals = {s.get("SUMID"): s.get("SUMME") for s in idoc.find_all("E1EDS01")}
    assert totals["011"] == "2416.95"
    assert totals["010"] == "2416.95"
    first_item = idoc.find_all("E1EDP01")[0]
    assert first_item.get("POSEX") == "000010"
    assert first_item.get("MENGE") == "144.000"
    texts = [t.get("TDLINE") for t in first_item.iter("E1EDPT2")]
    assert "ARDO DICED BROCCOLI 10X10MM 1X10KG" in texts
    assert first_item.line is not None and first_item.line > 200


def test_stray_character_sample_reads_the_same_with_a_warning() -> None:
    (clean,) = read_idocs(ARDO.read_bytes())
    (stray,) = read_idocs(ARDO_STRAY.read_bytes())
    assert stray.docnum == clean.docnum == "0000000000182520"
    assert stray.segment_count == clean.segment_count == 135
    assert stray.segments == clean.segments
    assert len(stray.warnings) == 1
    assert "'è'" in stray.warnings[0]


def test_delvry01_with_two_idocs_in_one_root() -> None:
    idocs = read_idocs(DELVRY.read_bytes())
    assert len(idocs) == 2
    assert [i.root_tag for i in idocs] == ["DELVRY01", "DELVRY01"]
    for idoc in idocs:
        assert (idoc.mestyp, idoc.idoctyp, idoc.direct) == ("SHPCON", "DELVRY01", "2")
        assert idoc.docnum == ""  # inbound to SAP: SAP assigns the number
        assert idoc.control["RCVPRN"] == "P100"
        assert idoc.segment_count == 16
    deliveries = [i.find("E1EDL20") for i in idocs]
    assert [d.get("VBELN") if d else None for d in deliveries] == ["0012724677", "0012724678"]
    first = deliveries[0]
    assert first is not None
    assert [q.get("QUALF") for q in first.find_all("E1EDL18")] == ["PIC", "NWT", "GWT"]
    empty = first.find("E1EDL22")
    assert empty is not None and dict(empty.fields) == {} and empty.children == ()
    deadline = first.find("E1EDT13")
    assert deadline is not None
    assert dict(deadline.fields) == {"QUALF": "010", "ISDD": "20230612", "ISDZ": "000000"}
    items = first.find_all("E1EDL24")
    assert [i.get("POSNR") for i in items] == ["000010", "000020"]
    assert [i.get("MATNR") for i in items] == ["0000000000X001", "000000000000X002"]
    assert [len(i.find_all("E1EDL19")) for i in items] == [4, 4]


def test_idoc_as_root_and_namespaced_root() -> None:
    bare = b"<IDOC BEGIN='1'><EDI_DC40 SEGMENT='1'><DOCNUM>42</DOCNUM></EDI_DC40></IDOC>"
    (idoc,) = read_idocs(bare)
    assert (idoc.root_tag, idoc.docnum, idoc.segments) == ("IDOC", "42", ())
    spaced = (
        b'<ns:YM_DELVRY03 xmlns:ns="urn:x"><ns:IDOC BEGIN="1"><ns:EDI_DC40 SEGMENT="1">'
        b'<ns:MESTYP>DESADV</ns:MESTYP></ns:EDI_DC40><ns:E1EDL20 SEGMENT="1"><ns:VBELN>1'
        b"</ns:VBELN></ns:E1EDL20></ns:IDOC></ns:YM_DELVRY03>"
    )
    (idoc,) = read_idocs(spaced)
    assert (idoc.root_tag, idoc.mestyp) == ("YM_DELVRY03", "DESADV")
    segment = idoc.find("E1EDL20")
    assert segment is not None and segment.get("VBELN") == "1"


def test_segment_without_segment_attribute_is_recognised_by_its_children() -> None:
    data = (
        b"<X><IDOC><EDI_DC40><TABNAM>EDI_DC40</TABNAM></EDI_DC40>"
        b"<E1EDL20><VBELN>7</VBELN><E1EDL24><POSNR>10</POSNR></E1EDL24></E1EDL20></IDOC></X>"
    )
    (idoc,) = read_idocs(data)
    delivery = idoc.find("E1EDL20")
    assert delivery is not None
    assert dict(delivery.fields) == {"VBELN": "7"}
    assert [c.name for c in delivery.children] == ["E1EDL24"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<Invoice><Header/></Invoice>", "no <IDOC>"),
        (b"<INVOIC02><IDOC BEGIN='1'><E1EDK01 SEGMENT='1'/></IDOC></INVOIC02>", "no EDI_DC40"),
        (
            b"<A><IDOC><EDI_DC40 SEGMENT='1'/><EDI_DC40 SEGMENT='1'/></IDOC></A>",
            "two EDI_DC40",
        ),
    ],
)
def test_not_idoc_xml(data: bytes, message: str) -> None:
    with pytest.raises(IdocStructureError, match=message):
        read_idocs(data)


def test_reader_uses_the_hardened_parser() -> None:
    with pytest.raises(UnsafeXmlError):
        read_idocs(b'<!DOCTYPE a [<!ENTITY x "y">]><A><IDOC><EDI_DC40 SEGMENT="1"/></IDOC></A>')
    with pytest.raises(UnsafeXmlError):
        read_idocs(ARDO.read_bytes(), max_bytes=1000)
    with pytest.raises(XmlSyntaxError):
        read_idocs(ARDO.read_bytes()[:5000])
