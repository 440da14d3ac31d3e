"""The SOAP dispatcher without a server: authentication rules, header handling, faults, WSDL."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from lxml import etree

from gateway.registry import Registry
from gateway.soap.server import PASSWORD_TEXT, SOAP11, WSSE, Call, SoapDispatcher
from tests.conftest import REPO

NS = "urn:logigateway:erp:soap:v1"
ENV = {"ERP_SOAP_PASSWORD": "s3cret"}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(REPO / "partners")


def echo(call: Call) -> etree._Element:
    root = etree.Element(f"{{{NS}}}GetAcknowledgementStatusResponse")
    etree.SubElement(root, f"{{{NS}}}TKNUM").text = f"{call.caller.partner.id}:{call.caller.method}"
    return root


def dispatcher(registry: Registry, env: dict[str, str] = ENV) -> SoapDispatcher:
    return SoapDispatcher(registry, {"GetAcknowledgementStatus": echo}, env=env)


def envelope(header: str = "", tknum: str = "0000000001") -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP11}" xmlns:wsse="{WSSE}"><soap:Header>{header}'
        f'</soap:Header><soap:Body><GetAcknowledgementStatus xmlns="{NS}"><TKNUM>{tknum}</TKNUM>'
        "</GetAcknowledgementStatus></soap:Body></soap:Envelope>"
    ).encode()


def token(user: str = "erp-soap", password: str = "s3cret", kind: str = PASSWORD_TEXT) -> str:
    return (
        f"<wsse:Security><wsse:UsernameToken><wsse:Username>{user}</wsse:Username>"
        f'<wsse:Password Type="{kind}">{password}</wsse:Password></wsse:UsernameToken>'
        "</wsse:Security>"
    )


def fault(body: bytes) -> tuple[str, str]:
    root = etree.fromstring(body)
    element = root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert element is not None
    return element.findtext("faultcode") or "", element.findtext("faultstring") or ""


def test_username_token_and_basic_authenticate_the_erp_profile(registry: Registry) -> None:
    d = dispatcher(registry)
    status, body, _ = d.handle(envelope(token()))
    assert status == 200 and b"erp:ws-security" in body
    basic = "Basic " + base64.b64encode(b"erp-soap:s3cret").decode()
    status, body, _ = d.handle(envelope(), basic)
    assert status == 200 and b"erp:basic" in body


@pytest.mark.parametrize(
    ("header", "authorization", "message"),
    [
        ("", None, "authentication required"),
        (token(password="nope"), None, "authentication failed"),
        (token(user="someone"), None, "authentication failed"),
        (token(kind="…#PasswordDigest"), None, "use PasswordText"),
        ("", "Bearer abc", "use Basic"),
        ("", "Basic !!!", "not valid base64"),
        ("", "Basic " + base64.b64encode(b"erp-soap:nope").decode(), "authentication failed"),
    ],
)
def test_missing_or_wrong_credentials_are_client_faults(
    registry: Registry, header: str, authorization: str | None, message: str
) -> None:
    status, body, _ = dispatcher(registry).handle(envelope(header), authorization)
    code, text = fault(body)
    assert (status, code) == (500, "soap:Client") and message in text


def test_an_unset_password_variable_lets_nobody_in(registry: Registry) -> None:
    status, body, _ = dispatcher(registry, env={}).handle(envelope(token()))
    assert status == 500 and fault(body)[1] == "authentication failed"


def test_a_must_understand_header_we_do_not_know_is_a_fault(registry: Registry) -> None:
    header = token() + '<x:Tx xmlns:x="urn:tx" soap:mustUnderstand="1"/>'
    status, body, _ = dispatcher(registry).handle(envelope(header))
    assert status == 500 and fault(body)[0] == "soap:MustUnderstand"


def test_a_handler_failure_is_a_server_fault_with_a_correlation_id(registry: Registry) -> None:
    seen: list[tuple[str, str, str]] = []

    def record(correlation_id: str, operation: str, exc: Exception) -> None:
        seen.append((correlation_id, operation, repr(exc)))

    def broken(call: Call) -> etree._Element:
        raise KeyError("boom")

    d = SoapDispatcher(
        registry,
        {"GetAcknowledgementStatus": broken},
        env=ENV,
        on_server_fault=record,
    )
    status, body, _ = d.handle(envelope(token()))
    code, text = fault(body)
    assert (status, code) == (500, "soap:Server") and "boom" not in text
    correlation_id = etree.fromstring(body).findtext(f".//{{{NS}}}CorrelationId")
    assert seen == [(correlation_id, "GetAcknowledgementStatus", "KeyError('boom')")]


def test_the_wsdl_is_rewritten_to_the_callers_base_url(registry: Registry) -> None:
    wsdl = etree.fromstring(dispatcher(registry).wsdl("https://gw.example.com:8443/"))
    (address,) = wsdl.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == "https://gw.example.com:8443/soap"
    checked_in = etree.parse(str(Path(REPO / "gateway/soap/erp_gateway.wsdl")))
    assert len(list(checked_in.iter("{http://schemas.xmlsoap.org/wsdl/}operation"))) == 15
