"""The XML attack suite against POST /soap on a real server: every hostile request gets a SOAP
Client fault (HTTP 500, text/xml, never HTML), writes nothing and reaches no network.

Each request is authenticated (a valid WS-Security header) and otherwise a well-formed
ReleaseOrder, so a parser that let the attack through would have produced effects. A local
canary HTTP listener counts any fetch an entity, a DTD or an XInclude could cause.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from lxml import etree

from gateway.soap.server import MAX_REQUEST_BYTES
from tests.integration.soap_env import PASSWORD, USER, Canary, SoapEnv, start

pytestmark = pytest.mark.integration
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:logigateway:erp:soap:v1"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoapEnv]:
    yield from start(tmp_path_factory.mktemp("soap-attacks"))


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


def request(
    tknum: str = "0000990001",
    *,
    prolog: str = "",
    namespace: str = NS,
    extra: str = "",
    envelope_ns: str = SOAP11,
) -> str:
    """An authenticated ReleaseOrder; `tknum` is pasted raw so it can carry an entity."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{prolog}<soap:Envelope xmlns:soap="{envelope_ns}" xmlns:wsse="{WSSE}" xmlns:tns="{namespace}">
  <soap:Header><wsse:Security><wsse:UsernameToken>
    <wsse:Username>{USER}</wsse:Username><wsse:Password>{PASSWORD}</wsse:Password>
  </wsse:UsernameToken></wsse:Security></soap:Header>
  <soap:Body><tns:ReleaseOrder>
    <tns:DOCNUM>9900001</tns:DOCNUM>
    <tns:Shipment>
      <tns:TKNUM>{tknum}</tns:TKNUM>{extra}
      <tns:Partner><tns:PARTNER_Q>SP</tns:PARTNER_Q><tns:PARTNER_ID>DEMO</tns:PARTNER_ID></tns:Partner>
      <tns:Delivery><tns:VBELN>8000990001</tns:VBELN></tns:Delivery>
    </tns:Shipment>
  </tns:ReleaseOrder></soap:Body>
</soap:Envelope>"""


def attacks(canary_url: str) -> dict[str, bytes]:
    laughs = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    quadratic = "A" * 50_000
    return {
        "xxe_canary": request(
            "&xxe;",
            prolog=f'<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "{canary_url}/xxe">]>\n',
        ).encode(),
        "xxe_file": request(
            "&xxe;", prolog='<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        ).encode(),
        "parameter_entity": request(
            prolog=f'<!DOCTYPE soap:Envelope [<!ENTITY % p SYSTEM "{canary_url}/pe"> %p;]>\n'
        ).encode(),
        "external_dtd": request(
            prolog=f'<!DOCTYPE soap:Envelope SYSTEM "{canary_url}/dtd">\n'
        ).encode(),
        "billion_laughs": request(
            "&lol9;", prolog=f'<!DOCTYPE soap:Envelope [<!ENTITY lol0 "lol">{laughs}]>\n'
        ).encode(),
        "quadratic_blowup": request(
            "&a;" * 2000, prolog=f'<!DOCTYPE soap:Envelope [<!ENTITY a "{quadratic}">]>\n'
        ).encode(),
        "doctype_without_entities": request(prolog="<!DOCTYPE soap:Envelope>\n").encode(),
        "utf16_doctype": request(
            "&xxe;",
            prolog=f'<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "{canary_url}/u16">]>\n',
        )
        .replace('encoding="UTF-8"', 'encoding="UTF-16"')
        .encode("utf-16"),
        "xinclude": request(
            extra=f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
            f'href="{canary_url}/xi" parse="text"/>'
        ).encode(),
        "deep_nesting": request(extra="<tns:x>" * 5000 + "</tns:x>" * 5000).encode(),
        "wrong_namespace": request(namespace="urn:someone-else:v1").encode(),
        "not_an_envelope": request(envelope_ns="urn:not-soap").encode(),
        "malformed": request().encode()[:-40],
        "not_xml": b"ISA*00*this is not XML at all",
        "empty": b"",
        "two_operations": request()
        .replace("</tns:ReleaseOrder>", "</tns:ReleaseOrder><tns:GetShipmentStatus/>")
        .encode(),
    }


@pytest.mark.parametrize("name", sorted(attacks("http://x")))
def test_hostile_request_is_a_client_fault_with_zero_effects(
    env: SoapEnv, canary: Canary, name: str
) -> None:
    body = attacks(canary.url)[name]
    before = env.snapshot()
    response = httpx.post(
        f"{env.url}/soap",
        content=body,
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f"{NS}#ReleaseOrder"},
        timeout=10,
    )
    assert_client_fault(response)
    assert env.snapshot() == before
    assert env.outbox("demo-carrier") == [] and env.outbox("tms") == []
    assert canary.hits == []


XML = {"Content-Type": "text/xml; charset=utf-8"}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_a_cross_site_simple_post_is_a_client_fault_with_zero_effects(
    env: SoapEnv, canary: Canary, content_type: str | None
) -> None:
    # the content types a page on another site may POST without a preflight
    before = env.snapshot()
    headers = {"Content-Type": content_type} if content_type else {}
    response = httpx.post(
        f"{env.url}/soap", content=request("0000990003").encode(), headers=headers, timeout=10
    )
    assert_client_fault(response, "is not SOAP")
    assert env.snapshot() == before and canary.hits == []


def test_oversized_body_is_refused_before_it_is_read(env: SoapEnv, canary: Canary) -> None:
    before = env.snapshot()
    padding = "<!-- " + "x" * MAX_REQUEST_BYTES + " -->"
    body = request(extra=padding).encode()
    declared = httpx.post(f"{env.url}/soap", content=body, headers=XML, timeout=10)
    assert_client_fault(declared, "exceeds the cap")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while streaming
        for offset in range(0, len(body), 65536):
            yield body[offset : offset + 65536]

    streamed = httpx.post(f"{env.url}/soap", content=chunks(), headers=XML, timeout=10)
    assert_client_fault(streamed, "exceeds the cap")
    assert env.snapshot() == before and canary.hits == []


def test_the_same_request_without_the_attack_is_accepted(env: SoapEnv, canary: Canary) -> None:
    """The control case: the template itself is a valid call, so the faults above are the
    attacks' doing."""
    response = httpx.post(
        f"{env.url}/soap", content=request("0000990002").encode(), headers=XML, timeout=10
    )
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    assert root.findtext(f".//{{{NS}}}ISA13") is not None
    assert canary.hits == []


def assert_client_fault(response: httpx.Response, contains: str = "") -> None:
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP11}}}Envelope"
    fault = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert fault is not None, response.text
    assert fault.findtext("faultcode") == "soap:Client", response.text
    message = fault.findtext("faultstring") or ""
    assert message and contains in message, message
