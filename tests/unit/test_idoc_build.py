"""SAP field rules, the EDI_DC40 control record from an ERP profile, and the XSD-checked builder."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from gateway.idoc import (
    IDOC_TYPES,
    IdocBuilder,
    IdocError,
    IdocFieldError,
    IdocPartnerConfig,
    IdocSchemaError,
    control_record,
    load_schema,
    read_idocs,
)
from gateway.idoc.fields import FieldKind, FieldSpec, format_field

PROFILE = IdocPartnerConfig(
    sndpor="GATEWAY",
    sndprt="LS",
    sndprn="EDIGW",
    rcvpor="SAPPRD",
    rcvprt="LS",
    rcvprn="PRDCLNT100",
    mandt="100",
)
CREATED = dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=dt.UTC)


def _spec(kind: FieldKind, length: int) -> FieldSpec:
    return FieldSpec("F", kind, length)


@pytest.mark.parametrize(
    ("kind", "length", "value", "text"),
    [
        (FieldKind.CHAR, 4, " AB ", "AB"),
        (FieldKind.ALPHA, 10, "80007777", "0080007777"),
        (FieldKind.ALPHA, 10, "SH-123", "SH-123"),
        (FieldKind.ALPHA, 10, 42, "0000000042"),
        (FieldKind.NUMC, 6, 10, "000010"),
        (FieldKind.NUMC, 16, "182520", "0000000000182520"),
        (FieldKind.DEC, 15, Decimal("78.096"), "78.096"),
        (FieldKind.DEC, 15, Decimal("-449.49"), "-449.49"),
        (FieldKind.DEC, 15, Decimal("1E+3"), "1000"),
        (FieldKind.DEC, 15, Decimal("-0.00"), "0.00"),
        (FieldKind.DEC, 15, 7, "7"),
        (FieldKind.DATS, 8, dt.date(2023, 4, 18), "20230418"),
        (FieldKind.TIMS, 6, dt.time(9, 5, 3), "090503"),
        (FieldKind.TEXT, 10, "a\tb\r\nc\x00d", "a b c d"),
    ],
)
def test_field_rules(kind: FieldKind, length: int, value: object, text: str) -> None:
    formatted = format_field(_spec(kind, length), value, "SEG")  # type: ignore[arg-type]
    assert formatted is not None
    assert formatted.text == text
    assert not formatted.truncated


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_values_are_omitted(value: str | None) -> None:
    assert format_field(_spec(FieldKind.CHAR, 3), value, "SEG") is None
    assert format_field(_spec(FieldKind.TEXT, 3), value, "SEG") is None


def test_free_text_is_cut_and_reported() -> None:
    formatted = format_field(_spec(FieldKind.TEXT, 10), "Shipper Name Incorporated", "SEG")
    assert formatted is not None
    assert (formatted.text, formatted.truncated) == ("Shipper Na", True)


@pytest.mark.parametrize(
    ("kind", "length", "value"),
    [
        (FieldKind.CHAR, 3, "ABCD"),
        (FieldKind.ALPHA, 10, "12345678901"),
        (FieldKind.NUMC, 3, 1000),
        (FieldKind.NUMC, 3, "1a"),
        (FieldKind.DEC, 5, Decimal("123.456")),
        (FieldKind.DEC, 15, Decimal("NaN")),
        (FieldKind.CHAR, 10, "A\nB"),
        (FieldKind.CHAR, 10, "A\x1bB"),
    ],
)
def test_values_that_do_not_fit_are_refused(kind: FieldKind, length: int, value: object) -> None:
    with pytest.raises(IdocFieldError) as info:
        format_field(_spec(kind, length), value, "SEG")  # type: ignore[arg-type]
    assert (info.value.segment, info.value.field) == ("SEG", "F")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (FieldKind.DEC, 1.5),
        (FieldKind.DEC, True),
        (FieldKind.DATS, dt.datetime(2024, 1, 1, tzinfo=dt.UTC)),
        (FieldKind.TIMS, "1200"),
        (FieldKind.CHAR, Decimal(1)),
    ],
)
def test_wrong_python_types_are_bugs(kind: FieldKind, value: object) -> None:
    with pytest.raises(TypeError):
        format_field(_spec(kind, 20), value, "SEG")  # type: ignore[arg-type]


def test_control_record_for_inbound_to_sap() -> None:
    config = dataclasses.replace(PROFILE, mescod="MM", time_zone="Europe/Berlin", docrel="750")
    fields = control_record(
        config, idoctyp="INVOIC02", mestyp="INVOIC", created=CREATED, docnum=182520
    )
    builder = IdocBuilder("INVOIC02", fields)
    builder.add(builder.idoc, "E1EDK01", {"BELNR": "INV1"})
    rendered = builder.finish()
    (idoc,) = read_idocs(rendered.data)
    assert dict(idoc.control) == {
        "TABNAM": "EDI_DC40",
        "MANDT": "100",
        "DOCNUM": "0000000000182520",
        "DOCREL": "750",
        "DIRECT": "2",
        "IDOCTYP": "INVOIC02",
        "MESTYP": "INVOIC",
        "MESCOD": "MM",
        "SNDPOR": "GATEWAY",
        "SNDPRT": "LS",
        "SNDPRN": "EDIGW",
        "RCVPOR": "SAPPRD",
        "RCVPRT": "LS",
        "RCVPRN": "PRDCLNT100",
        "CREDAT": "20240305",
        "CRETIM": "150709",  # 14:07:09 UTC is 15:07:09 in Berlin (CET)
    }
    assert list(idoc.control)[:3] == ["TABNAM", "MANDT", "DOCNUM"]
    assert (rendered.docnum, rendered.mestyp, rendered.idoctyp) == (
        "0000000000182520",
        "INVOIC",
        "INVOIC02",
    )
    root = etree.fromstring(rendered.data)
    assert root.tag == "INVOIC02"
    assert root[0].get("BEGIN") == "1"
    assert len(root[0].attrib) == 1
    assert all(el.get("SEGMENT") == "1" for el in root[0])


def test_extension_root_and_test_flag() -> None:
    config = dataclasses.replace(PROFILE, test=True)
    fields = control_record(
        config, idoctyp="SHPMNT05", mestyp="SHPMNT", created=CREATED, cimtyp="ZSHPMNT"
    )
    builder = IdocBuilder("SHPMNT05", fields, root_name="ZSHPMNT")
    builder.add(builder.idoc, "E1EDT20", {"TKNUM": "1234"})
    (idoc,) = read_idocs(builder.finish().data)
    assert idoc.root_tag == "ZSHPMNT"
    assert (idoc.cimtyp, idoc.control["TEST"], idoc.docnum) == ("ZSHPMNT", "X", "")
    header = idoc.find("E1EDT20")
    assert header is not None and header.get("TKNUM") == "0000001234"


@pytest.mark.parametrize(
    "change",
    [
        {"sndprn": "A-LOGICAL-SYSTEM-NAME"},
        {"rcvprt": "LSX"},
        {"mandt": "1000"},
        {"mandt": "10"},
        {"mandt": "ABC"},
        {"sndpor": " "},
        {"mescod": "ABCD"},
        {"time_zone": "Mars/Olympus"},
    ],
)
def test_bad_profiles_fail_at_construction(change: dict[str, str]) -> None:
    with pytest.raises(IdocFieldError):
        dataclasses.replace(PROFILE, **change)  # type: ignore[arg-type]


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        control_record(
            PROFILE, idoctyp="SHPMNT05", mestyp="SHPMNT", created=dt.datetime(2024, 1, 1)
        )


def _shipment_builder() -> IdocBuilder:
    fields = control_record(PROFILE, idoctyp="SHPMNT05", mestyp="SHPMNT", created=CREATED)
    return IdocBuilder("SHPMNT05", fields)


def test_builder_puts_segments_and_fields_in_schema_order() -> None:
    builder = _shipment_builder()
    header = builder.add(builder.idoc, "E1EDT20", {"EXTI1": "PRO1", "TKNUM": "77"})
    builder.add(header, "E1EDL20", {"VBELN": "80001"})
    builder.add(header, "E1EDT10", {"QUALF": "005", "IEDD": dt.date(2024, 3, 5)})
    builder.add(header, "E1EDT18", {"QUALF": "CHA"})
    rendered = builder.finish()
    root = etree.fromstring(rendered.data)
    e1edt20 = root.find("IDOC/E1EDT20")
    assert e1edt20 is not None
    assert [c.tag for c in e1edt20] == ["TKNUM", "EXTI1", "E1EDT18", "E1EDT10", "E1EDL20"]
    assert e1edt20.findtext("E1EDL20/VBELN") == "0000080001"


def test_builder_refuses_what_the_schema_does_not_know() -> None:
    builder = _shipment_builder()
    with pytest.raises(IdocError, match="no field"):
        builder.add(builder.idoc, "E1EDT20", {"NOPE": "1"})
    with pytest.raises(IdocError, match="not a child"):
        builder.add(builder.idoc, "E1EDL24", {"POSNR": 10})
    with pytest.raises(IdocFieldError, match="E1EDT10-QUALF is required"):
        header = builder.add(builder.idoc, "E1EDT20", {"TKNUM": "1"})
        builder.add(header, "E1EDT10", {"ISDD": dt.date(2024, 1, 1)})


def test_invalid_idoc_is_never_returned() -> None:
    builder = _shipment_builder()  # E1EDT20 is mandatory and missing
    with pytest.raises(IdocSchemaError) as info:
        builder.finish()
    assert "E1EDT20" in str(info.value)
    assert info.value.problems


def test_schema_catches_what_slips_past_the_builder() -> None:
    builder = _shipment_builder()
    header = builder.add(builder.idoc, "E1EDT20", {"TKNUM": "1"})
    header.fields.append(("STTRG", "9"))  # out of range and out of order
    with pytest.raises(IdocSchemaError):
        builder.finish()


def test_truncations_are_reported() -> None:
    builder = _shipment_builder()
    header = builder.add(builder.idoc, "E1EDT20", {"TKNUM": "1", "TPBEZ": "X" * 30})
    builder.add(header, "E1ADRM4", {"PARTNER_Q": "SP", "NAME1": "N" * 45})
    rendered = builder.finish()
    assert rendered.truncated == ("E1EDT20-TPBEZ", "E1ADRM4-NAME1")


@pytest.mark.parametrize("idoctyp", IDOC_TYPES)
def test_xsd_type_names_agree_with_their_facets(idoctyp: str) -> None:
    schema = load_schema(idoctyp)
    control = schema.segment("EDI_DC40").fields
    assert [control[n].length for n in ("TABNAM", "DOCNUM", "MESTYP", "SNDPRN", "CREDAT")] == [
        10,
        16,
        30,
        10,
        8,
    ]
    assert schema.top_level[0] == "EDI_DC40"
    assert all(spec.fields or spec.children for spec in schema.segments.values())


def test_unknown_idoc_type() -> None:
    with pytest.raises(IdocError, match="no project XSD"):
        load_schema("ORDERS05")
