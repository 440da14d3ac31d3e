"""parse_untrusted_xml refuses every XML attack of RELIABILITY.md with the gateway's own errors,
and touches neither the network nor the file system while doing so."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from gateway.idoc import safe_xml
from gateway.idoc.errors import IdocError, UnsafeXmlError, XmlSyntaxError
from gateway.idoc.safe_xml import parse_untrusted_xml

CANARY = "CANARY-7f3a9c"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = f'<!ENTITY leak "{CANARY}">'.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def canary_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP listener that records every request: the parser must never call it.

    The libxml2 in lxml 6.1 wheels has no HTTP client at all, so here it guards against a build
    that has one; the file canary below is the one a permissive parser does leak.
    """
    hits: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def canary_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(CANARY)
    return path


def _refused(data: bytes) -> UnsafeXmlError:
    with pytest.raises(UnsafeXmlError) as info:
        parse_untrusted_xml(data)
    assert CANARY not in str(info.value)
    return info.value


def test_plain_document_parses() -> None:
    root = parse_untrusted_xml(b'<?xml version="1.0"?><a x="1"><b>text &amp; more</b></a>')
    assert root.tag == "a"
    assert root.findtext("b") == "text & more"


def test_xxe_file_entity_refused_and_not_read(canary_file: Path) -> None:
    data = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{canary_file.as_uri()}">]><r>&x;</r>'
    ).encode()
    error = _refused(data)
    assert "DOCTYPE" in str(error)


def test_xxe_http_entity_refused_without_network(canary_server: tuple[str, list[str]]) -> None:
    url, hits = canary_server
    data = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/entity">]><r>&x;</r>'.encode()
    _refused(data)
    assert hits == []


def test_external_dtd_refused_without_network(canary_server: tuple[str, list[str]]) -> None:
    url, hits = canary_server
    _refused(f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}/evil.dtd"><r/>'.encode())
    _refused(f'<!DOCTYPE r PUBLIC "-//X//Y" "{url}/public.dtd"><r/>'.encode())
    assert hits == []


def test_parameter_entity_refused_without_network(canary_server: tuple[str, list[str]]) -> None:
    url, hits = canary_server
    _refused(f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]><r>&leak;</r>'.encode())
    assert hits == []


def test_billion_laughs_refused_quickly() -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    data = f"<!DOCTYPE lolz [{''.join(entities)}]><lolz>&lol9;</lolz>".encode()
    started = time.perf_counter()
    _refused(data)
    assert time.perf_counter() - started < 1.0


def test_quadratic_blowup_refused() -> None:
    big = "A" * 50_000
    data = f'<!DOCTYPE r [<!ENTITY a "{big}">]><r>{"&a;" * 2_000}</r>'.encode()
    _refused(data)


def test_doctype_without_entities_refused() -> None:
    assert "DOCTYPE" in str(_refused(b"<!DOCTYPE r><r/>"))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_doctype_in_utf16_refused(codec: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{codec.upper()}"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'
    )
    _refused(text.encode(codec))


def test_second_line_of_defence_refuses_doctype(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the byte scan disabled, the parser settings and the DOCTYPE check still refuse."""
    monkeypatch.setattr(safe_xml, "_refuse_dtd_markup", lambda data: None)
    _refused(b'<!DOCTYPE r [<!ENTITY x "expanded">]><r>&x;</r>')
    _refused(b"<!DOCTYPE r><r/>")


def test_second_line_does_not_resolve_entities(
    monkeypatch: pytest.MonkeyPatch, canary_file: Path
) -> None:
    """The parser alone (no scan, no DOCTYPE check) neither reads files nor expands entities."""
    data = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{canary_file.as_uri()}">]><r>&x;</r>'.encode()
    root = etree.fromstring(data, safe_xml.hardened_parser())
    assert CANARY not in etree.tostring(root).decode()


def test_size_cap_checked_before_parsing() -> None:
    # Not even well-formed: the cap must answer first.
    with pytest.raises(UnsafeXmlError, match="exceeds the cap of 100 bytes"):
        parse_untrusted_xml(b"<" * 101, max_bytes=100)
    assert parse_untrusted_xml(b"<a/>" + b" " * 96, max_bytes=100).tag == "a"


def test_deep_nesting_refused() -> None:
    depth = 10_000
    with pytest.raises(UnsafeXmlError, match="depth"):
        parse_untrusted_xml(b"<a>" * depth + b"</a>" * depth)


def test_xinclude_is_not_processed(canary_file: Path) -> None:
    data = (
        '<r xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="{canary_file.as_uri()}" parse="text"/></r>'
    ).encode()
    root = parse_untrusted_xml(data)
    assert CANARY not in etree.tostring(root).decode()
    assert root[0].tag == "{http://www.w3.org/2001/XInclude}include"


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"<a><b></a>", 1), (b"<a>\n<b>\n</c></a>", 3), (b"not xml at all", 1)],
)
def test_malformed_is_a_syntax_error(data: bytes, line: int) -> None:
    with pytest.raises(XmlSyntaxError) as info:
        parse_untrusted_xml(data)
    assert info.value.line == line
    assert isinstance(info.value, IdocError)


def test_undecodable_bytes_are_a_syntax_error() -> None:
    with pytest.raises(XmlSyntaxError):
        parse_untrusted_xml(b'<?xml version="1.0" encoding="UTF-8"?><a>\xe8\xff</a>')


@pytest.mark.parametrize("data", [b"", b"   \n\t "])
def test_empty_is_a_syntax_error(data: bytes) -> None:
    with pytest.raises(XmlSyntaxError, match="empty"):
        parse_untrusted_xml(data)


def test_text_instead_of_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_untrusted_xml("<a/>")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        b"<soap:Envelope/>",
        b'<soap:Envelope p="x"><soap:Body/></soap:Envelope>',  # libxml2 only logs this one
        b'<IDOC xmlns="urn:x"><e1:SEG a="1"/></IDOC>',
    ],
)
def test_an_undeclared_namespace_prefix_is_not_well_formed(data: bytes) -> None:
    # found by fuzzing: the element was kept as "soap:Envelope", which no QName look-up takes
    with pytest.raises(XmlSyntaxError, match="not defined"):
        parse_untrusted_xml(data)
