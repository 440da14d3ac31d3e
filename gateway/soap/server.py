"""The SOAP 1.1 / 1.2 server of the ERP service: a small dispatcher over lxml and the WSDL.

Every request goes: size cap (before reading it all) -> hardened parse (no DTD, no entities, no
network) -> envelope checks -> authentication (WS-Security UsernameToken PasswordText or HTTP
Basic, per profile, constant-time) -> XSD validation of the operation element -> the handler.
Anything wrong with the request is a soap:Client fault saying what and where; anything wrong on
our side is a soap:Server fault with a correlation id that is logged and recorded as an event.
Faults are SOAP 1.1 (HTTP 500, text/xml) or, for a SOAP 1.2 request, SOAP 1.2 (HTTP 400 for
Sender faults, 500 otherwise, application/soap+xml); never an HTML page.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from lxml import etree
from starlette.concurrency import run_in_threadpool

from gateway.faults import crashpoint
from gateway.idoc.errors import IdocError
from gateway.idoc.safe_xml import hardened_parser, parse_untrusted_xml
from gateway.registry import PartnerProfile, Registry
from gateway.registry.profile import SoapTransport
from gateway.registry.secrets import SecretMissingError, resolve_secret

log = logging.getLogger(__name__)

NS = "urn:logigateway:erp:soap:v1"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
WSDL_FILE = "erp_gateway.wsdl"
XSD_FILE = "erp_gateway.xsd"
MAX_REQUEST_BYTES = 2 * 1024 * 1024
"""An order with 999 deliveries of 999 items is far below this; a bomb is far above."""
CONTENT_TYPE = "text/xml; charset=utf-8"
CONTENT_TYPE_12 = "application/soap+xml; charset=utf-8"
_CONTENT_TYPES = {SOAP11: CONTENT_TYPE, SOAP12: CONTENT_TYPE_12}
SOAP_MEDIA_TYPES = frozenset({"text/xml", "application/soap+xml"})
# SOAP 1.2 names the fault codes by who is at fault, and maps them to HTTP statuses
_CODES_12 = {"Client": "Sender", "Server": "Receiver", "MustUnderstand": "MustUnderstand"}
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_WSDL_SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
_XSD = "http://www.w3.org/2001/XMLSchema"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: what, and where (line, XPath) when known."""

    message: str
    line: int | None = None
    path: str | None = None


class SoapFault(Exception):
    """A fault to answer with. `code` is Client (the request) or Server (the gateway)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "Client",
        problems: Iterable[Problem] = (),
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = list(problems)
        self.correlation_id = correlation_id


@dataclass(frozen=True, slots=True)
class Caller:
    """Who called: the profile whose credentials the request carried, and how."""

    partner: PartnerProfile
    username: str
    method: str  # ws-security / basic


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated, schema-valid call as a handler receives it."""

    caller: Caller
    operation: str
    payload: etree._Element  # the operation element inside soap:Body
    raw: bytes  # the request as received, its WS-Security password blanked (archived)


Handler = Callable[[Call], etree._Element]
ServerFaultHook = Callable[[str, str, Exception], None]  # correlation id, operation, error


@dataclass
class SoapDispatcher:
    """Parses, authenticates, validates and dispatches SOAP 1.1/1.2 requests to `handlers`
    (operation name -> handler returning the response element)."""

    registry: Registry
    handlers: Mapping[str, Handler]
    max_bytes: int = MAX_REQUEST_BYTES
    env: Mapping[str, str] | None = None  # secrets come from here (default: os.environ)
    on_server_fault: ServerFaultHook | None = None
    _schema: etree.XMLSchema = field(init=False, repr=False)
    _schema_lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        # our own file, but parsed like anything else: no DTD, no network
        xsd = etree.fromstring(service_file(XSD_FILE), hardened_parser())
        self._schema = etree.XMLSchema(xsd)

    # ------------------------------------------------------------ entry points

    def handle(
        self, data: bytes, authorization: str | None = None, content_type: str | None = None
    ) -> tuple[int, bytes, str]:
        """(HTTP status, SOAP envelope, its content type) for one POST body. The answer is in
        the request's SOAP version; before the envelope is read, the content type decides."""
        operation = "?"
        version = version_of(content_type)
        try:
            envelope = self._parse(data)
            version, header, payload = _split(envelope)
            operation = etree.QName(payload).localname
            caller = self._authenticate(header, authorization)
            handler = self.handlers.get(operation)
            if etree.QName(payload).namespace != NS or handler is None:
                raise SoapFault(
                    f"unknown operation {{{etree.QName(payload).namespace}}}{operation}: "
                    f"the service namespace is {NS}, operations "
                    + ", ".join(sorted(self.handlers)),
                    problems=[_where(payload, "the operation element")],
                )
            self._validate(payload)
            kept = _without_password(envelope, data) if caller.method == "ws-security" else data
            response = handler(Call(caller, operation, payload, kept))
            crashpoint("soap_before_response")  # the call's effect (if any) is committed
            return 200, envelope_of(response, version), _CONTENT_TYPES[version]
        except SoapFault as fault:
            if fault.code == "Client":
                log.info("SOAP %s: client fault: %s", operation, fault.message)
            return (*fault_response(fault, version), _CONTENT_TYPES[version])
        except Exception as exc:
            correlation_id = uuid.uuid4().hex
            error = f"{type(exc).__name__}: {exc}"
            log.error("SOAP %s failed (correlation id %s): %s", operation, correlation_id, error)
            if self.on_server_fault is not None:
                try:
                    self.on_server_fault(correlation_id, operation, exc)
                except Exception as hook_error:  # the store may be what failed: the log has it
                    log.error(
                        "SOAP fault %s not recorded: %s", correlation_id, type(hook_error).__name__
                    )
            server_fault = SoapFault(
                "internal error; quote the correlation id to operations",
                code="Server",
                correlation_id=correlation_id,
            )
            return (*fault_response(server_fault, version), _CONTENT_TYPES[version])

    def wsdl(self, base_url: str) -> bytes:
        """The WSDL with soap:address and the schema location under `base_url`."""
        root = etree.fromstring(service_file(WSDL_FILE), hardened_parser())
        base = base_url.rstrip("/")
        for namespace in (_WSDL_SOAP, _WSDL_SOAP12):
            for address in root.iter(f"{{{namespace}}}address"):
                address.set("location", f"{base}/soap")
        for schema_import in root.iter(f"{{{_XSD}}}import"):
            schema_import.set("schemaLocation", f"{base}/soap?xsd={XSD_FILE}")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

    # ------------------------------------------------------------ steps

    def _parse(self, data: bytes) -> etree._Element:
        if len(data) > self.max_bytes:
            raise _too_large(len(data), self.max_bytes)
        try:
            return parse_untrusted_xml(data, max_bytes=self.max_bytes)
        except IdocError as exc:  # UnsafeXmlError / XmlSyntaxError: a clear one-line reason
            line = getattr(exc, "line", None)
            raise SoapFault(
                f"request refused: {exc}", problems=[Problem(str(exc), line or None)]
            ) from None

    def _authenticate(self, header: etree._Element | None, authorization: str | None) -> Caller:
        token = _username_token(header)
        if token is not None:
            username, password, method = *token, "ws-security"
        elif authorization:
            username, password = _basic(authorization)
            method = "basic"
        else:
            raise SoapFault(
                "authentication required: a WS-Security UsernameToken (PasswordText) "
                "or HTTP Basic credentials"
            )
        found: Caller | None = None
        given_user, given_password = username.encode(), password.encode()
        # every account is compared, so the time taken does not tell which name exists
        for partner, user, secret, methods in self._accounts():
            user_ok = hmac.compare_digest(given_user, user.encode())
            password_ok = hmac.compare_digest(given_password, secret.encode())
            if user_ok and password_ok and method in methods and found is None:
                found = Caller(partner, username, method)
        if found is None:
            log.warning("SOAP authentication failed for user %r (%s)", username[:64], method)
            raise SoapFault("authentication failed")
        return found

    def _accounts(self) -> Iterable[tuple[PartnerProfile, str, str, tuple[str, ...]]]:
        for partner in self.registry:
            configs: list[tuple[str, str, tuple[str, ...]]] = []
            if partner.soap_service is not None:
                s = partner.soap_service
                configs.append((s.username, s.password, tuple(s.auth)))
            transport = partner.transport
            if isinstance(transport, SoapTransport) and transport.inbound_password is not None:
                configs.append(
                    (partner.account, transport.inbound_password, ("ws-security", "basic"))
                )
            for user, ref, methods in configs:
                try:
                    secret = resolve_secret(ref, self.env)
                except SecretMissingError as exc:
                    log.warning("SOAP account of %s unusable: %s", partner.id, exc)
                    continue
                yield partner, user, secret, methods

    def _validate(self, payload: etree._Element) -> None:
        with self._schema_lock:  # one libxml2 validation context: not shared between threads
            valid = self._schema.validate(payload)
            error_log: Any = self._schema.error_log  # lxml-stubs: not declared iterable
            errors = list(error_log)
        if not valid:
            problems = [Problem(e.message, e.line or None, e.path or None) for e in errors[:20]]
            first = problems[0] if problems else Problem("invalid")
            where = f" (line {first.line})" if first.line else ""
            raise SoapFault(
                f"{etree.QName(payload).localname} does not match the schema: "
                f"{first.message}{where}",
                problems=problems,
            )


# ---------------------------------------------------------------- envelopes


def service_file(name: str) -> bytes:
    return resources.files("gateway.soap").joinpath(name).read_bytes()


def version_of(content_type: str | None) -> str:
    """The SOAP envelope namespace a Content-Type announces (SOAP 1.2: application/soap+xml)."""
    media = (content_type or "").split(";")[0].strip().lower()
    return SOAP12 if media == "application/soap+xml" else SOAP11


def envelope_of(body_child: etree._Element, version: str = SOAP11) -> bytes:
    envelope = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version})
    body = etree.SubElement(envelope, f"{{{version}}}Body")
    body.append(body_child)
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def fault_response(fault: SoapFault, version: str = SOAP11) -> tuple[int, bytes]:
    """(HTTP status, fault envelope): SOAP 1.1 always 500; SOAP 1.2 400 for Sender faults."""
    if version == SOAP12 and _CODES_12.get(fault.code) == "Sender":
        return 400, fault_envelope(fault, version)
    return 500, fault_envelope(fault, version)


def fault_envelope(fault: SoapFault, version: str = SOAP11) -> bytes:
    envelope = etree.Element(f"{{{version}}}Envelope", nsmap={"soap": version, "gw": NS})
    body = etree.SubElement(envelope, f"{{{version}}}Body")
    element = etree.SubElement(body, f"{{{version}}}Fault")
    if version == SOAP12:
        code = etree.SubElement(element, f"{{{SOAP12}}}Code")
        value = _CODES_12.get(fault.code, "Receiver")
        etree.SubElement(code, f"{{{SOAP12}}}Value").text = f"soap:{value}"
        reason = etree.SubElement(element, f"{{{SOAP12}}}Reason")
        text = etree.SubElement(reason, f"{{{SOAP12}}}Text")
        text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
        text.text = fault.message
        holder = etree.SubElement(element, f"{{{SOAP12}}}Detail")
    else:
        etree.SubElement(element, "faultcode").text = f"soap:{fault.code}"
        etree.SubElement(element, "faultstring").text = fault.message
        holder = etree.SubElement(element, "detail")
    detail = etree.SubElement(holder, f"{{{NS}}}FaultDetail")
    for problem in fault.problems:
        item = etree.SubElement(detail, f"{{{NS}}}Problem")
        etree.SubElement(item, f"{{{NS}}}Message").text = problem.message
        if problem.line is not None:
            etree.SubElement(item, f"{{{NS}}}Line").text = str(problem.line)
        if problem.path:
            etree.SubElement(item, f"{{{NS}}}Path").text = problem.path
    if fault.correlation_id:
        etree.SubElement(detail, f"{{{NS}}}CorrelationId").text = fault.correlation_id
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _split(envelope: etree._Element) -> tuple[str, etree._Element | None, etree._Element]:
    """(the SOAP version's namespace, soap:Header or None, the one element in soap:Body)."""
    name = etree.QName(envelope)
    version = name.namespace or ""
    if version not in (SOAP11, SOAP12) or name.localname != "Envelope":
        raise SoapFault(
            f"the root element is {{{version}}}{name.localname}, not a SOAP 1.1 Envelope "
            f"({{{SOAP11}}}Envelope) or a SOAP 1.2 one ({{{SOAP12}}}Envelope)",
            problems=[_where(envelope, "the root element")],
        )
    children = [c for c in envelope if isinstance(c.tag, str)]
    header = next((c for c in children if c.tag == f"{{{version}}}Header"), None)
    body = next((c for c in children if c.tag == f"{{{version}}}Body"), None)
    if body is None:
        raise SoapFault("the Envelope has no soap:Body", problems=[_where(envelope, "Envelope")])
    if header is not None:
        _check_must_understand(header, version)
    payload = [c for c in body if isinstance(c.tag, str)]
    if len(payload) != 1:
        raise SoapFault(
            f"soap:Body must hold exactly one operation element, it holds {len(payload)}",
            problems=[_where(body, "soap:Body")],
        )
    return version, header, payload[0]


def _check_must_understand(header: etree._Element, version: str) -> None:
    for block in header:
        if not isinstance(block.tag, str):
            continue
        must = block.get(f"{{{version}}}mustUnderstand")
        if must in ("1", "true") and block.tag != f"{{{WSSE}}}Security":
            raise SoapFault(
                f"header {block.tag} is marked mustUnderstand and is not understood here",
                code="MustUnderstand",
                problems=[_where(block, "header block")],
            )


def _username_token(header: etree._Element | None) -> tuple[str, str] | None:
    if header is None:
        return None
    token = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return None
    username = token.findtext(f"{{{WSSE}}}Username")
    password = token.find(f"{{{WSSE}}}Password")
    if not username or password is None:
        raise SoapFault("the UsernameToken needs a Username and a Password")
    kind = password.get("Type", PASSWORD_TEXT)
    if kind != PASSWORD_TEXT:
        raise SoapFault(f"password type {kind} is not supported: use PasswordText (over TLS)")
    return username.strip(), password.text or ""


def _without_password(envelope: etree._Element, data: bytes) -> bytes:
    """The request without the UsernameToken's password: what is archived must not hold a
    credential (HTTP Basic never reaches the body)."""
    copy = deepcopy(envelope)
    found = False
    for password in copy.iter(f"{{{WSSE}}}Password"):
        password.text = "(removed)"
        found = True
    return etree.tostring(copy, xml_declaration=True, encoding="UTF-8") if found else data


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise SoapFault(f"HTTP authorization scheme {scheme[:20]!r} is not supported: use Basic")
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise SoapFault("HTTP Basic credentials are not valid base64 of user:password") from None
    username, sep, password = decoded.partition(":")
    if not sep:
        raise SoapFault("HTTP Basic credentials are not user:password")
    return username, password


def _where(element: etree._Element, what: str) -> Problem:
    line: Any = element.sourceline
    path = element.getroottree().getpath(element)
    return Problem(what, line if isinstance(line, int) else None, path)


def _too_large(size: int | None, cap: int) -> SoapFault:
    told = f"{size} bytes" if size is not None else "the request"
    return SoapFault(f"request refused: {told} exceeds the cap of {cap} bytes")


# ---------------------------------------------------------------- HTTP


def soap_router(dispatcher: SoapDispatcher) -> APIRouter:
    """`GET /soap?wsdl` (and `?xsd=erp_gateway.xsd`), `POST /soap`."""
    router = APIRouter()

    @router.get("/soap", include_in_schema=False)
    def describe(request: Request) -> Response:
        params = {k.lower(): v for k, v in request.query_params.items()}
        if "wsdl" in params:
            return Response(dispatcher.wsdl(str(request.base_url)), media_type=CONTENT_TYPE)
        if params.get("xsd") == XSD_FILE:
            return Response(service_file(XSD_FILE), media_type=CONTENT_TYPE)
        return PlainTextResponse("SOAP service: GET /soap?wsdl for its description", 404)

    @router.post("/soap", include_in_schema=False)
    async def call(request: Request) -> Response:
        cap = dispatcher.max_bytes
        content_type = request.headers.get("content-type")
        version = version_of(content_type)
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in SOAP_MEDIA_TYPES:
            # a page on another site can POST text/plain, a form or no type at all without a
            # preflight; a SOAP stack always sends text/xml or application/soap+xml
            fault = SoapFault(
                f"Content-Type {media or '(none)'} is not SOAP: send text/xml (SOAP 1.1) "
                "or application/soap+xml (SOAP 1.2)"
            )
            return _xml(*fault_response(fault, version), version)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            # refused before a byte of the body is read
            return _xml(*fault_response(_too_large(int(declared), cap), version), version)
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                return _xml(*fault_response(_too_large(None, cap), version), version)
            chunks.append(chunk)
        status, body, media = await run_in_threadpool(
            dispatcher.handle,
            b"".join(chunks),
            request.headers.get("authorization"),
            content_type,
        )
        return Response(body, status_code=status, media_type=media)

    return router


def _xml(status: int, body: bytes, version: str) -> Response:
    return Response(body, status_code=status, media_type=_CONTENT_TYPES[version])
