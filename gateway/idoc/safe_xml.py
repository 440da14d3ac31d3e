"""The one way untrusted XML enters the gateway: a size cap, no DOCTYPE, no entities, no network.

IDoc files from the ERP and (later) SOAP requests both come through `parse_untrusted_xml`.
"""

from __future__ import annotations

import codecs
from typing import Any

from lxml import etree

from gateway.idoc.errors import UnsafeXmlError, XmlSyntaxError

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
"""An INVOIC02 with a thousand lines is about 2 MB; 16 MB leaves room without inviting a bomb."""

# Markup that only a DTD can carry. Refused before libxml2 sees the bytes, so not even the
# internal subset is parsed; the check after parsing covers encodings this scan cannot read.
_ERR_RESOURCE_LIMIT = 114  # lxml.etree.ErrorTypes.ERR_RESOURCE_LIMIT (absent from lxml-stubs)
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOM_CODECS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# "<?" in UTF-16 without a BOM (XML 1.0 appendix F autodetection).
_UTF16_NO_BOM = {b"<\x00?\x00": "utf-16-le", b"\x00<\x00?": "utf-16-be"}


def hardened_parser() -> etree.XMLParser:
    """A new parser with the settings of RELIABILITY.md; one per parse (lxml parsers are not
    safe to share between threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        collect_ids=False,
    )


def parse_untrusted_xml(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse bytes from outside the gateway and return the root element.

    Raises UnsafeXmlError (over `max_bytes`, a DOCTYPE or entity declaration, nesting deeper
    than libxml2's limit of 256) or XmlSyntaxError (not well-formed, undecodable). Nothing is
    ever fetched or read from disk: external DTDs and entities are neither loaded nor resolved.
    """
    if not isinstance(data, bytes):
        raise TypeError(f"parse_untrusted_xml takes bytes, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"XML of {len(data)} bytes exceeds the cap of {max_bytes} bytes")
    if not data.strip():
        raise XmlSyntaxError("empty document")
    _refuse_dtd_markup(data)
    parser = hardened_parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        # libxml2's own limits (nesting depth, node size without huge_tree) are refusals
        if getattr(exc, "code", None) == _ERR_RESOURCE_LIMIT:
            raise UnsafeXmlError(f"XML refused: {exc.msg}") from None
        raise XmlSyntaxError(f"not well-formed XML: {exc.msg}", exc.lineno or 0) from None
    if root is None:
        raise XmlSyntaxError("no root element")
    # libxml2 keeps an element with an undeclared prefix (`<soap:Envelope a="">`) as a plain
    # "soap:Envelope" name and only logs the error: such a document is not namespace-well-formed
    # (found by fuzzing the SOAP service; its tag broke every QName look-up after the parse)
    for error in parser.error_log:
        if error.type == etree.ErrorTypes.NS_ERR_UNDEFINED_NAMESPACE:
            raise XmlSyntaxError(f"not well-formed XML: {error.message}", error.line or 0)
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack doctype/internalDTD
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXmlError("XML with a DOCTYPE is refused")
    return root


def _refuse_dtd_markup(data: bytes) -> None:
    text = _as_scannable(data)
    for marker in _DTD_MARKERS:
        if marker in text:
            raise UnsafeXmlError(f"XML with {marker.decode()} is refused")


def _as_scannable(data: bytes) -> bytes:
    """The bytes re-encoded as UTF-8 when they are UTF-16/32, so the marker scan can see them."""
    for bom, codec in _BOM_CODECS:
        if data.startswith(bom):
            return _reencode(data, codec)
    codec_no_bom = _UTF16_NO_BOM.get(data[:4])
    if codec_no_bom is not None:
        return _reencode(data, codec_no_bom)
    return data


def _reencode(data: bytes, codec: str) -> bytes:
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        raise XmlSyntaxError(f"bytes are not valid {codec}") from None
