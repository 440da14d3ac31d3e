"""Fuzz targets: each takes arbitrary bytes and may fail only with the gateway's own error types.

Used by atheris (`make fuzz`, and a short budget in `make test`: tests/fuzz/test_fuzz.py) and by
the regression test that replays every crasher kept in tests/fuzz/crashers/<target>/. An
exception of any other type is a defect: the input is written out and becomes a regression test.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES


@dataclass(frozen=True, slots=True)
class Target:
    run: Callable[[bytes], None]
    allowed: tuple[type[BaseException], ...]
    seeds: Callable[[], list[bytes]]


def _x12_seeds() -> list[bytes]:
    files = [*SAMPLES.glob("*"), *(SAMPLES / "extra").glob("*")]
    return [
        p.read_bytes() for p in sorted(files) if p.is_file() and p.suffix not in (".md", ".xml")
    ]


def _xml_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted(SAMPLES.rglob("*.xml"))]


def _profile_seeds() -> list[bytes]:
    partners = Path(__file__).resolve().parents[2] / "partners"
    return [p.read_bytes() for p in sorted(partners.glob("*.yaml"))]


def _tms_seeds() -> list[bytes]:
    golden = Path(__file__).resolve().parents[1] / "golden" / "tms"
    return [p.read_bytes() for p in sorted(golden.glob("*.json"))[:8]]


def x12_reader(data: bytes) -> None:
    from gateway.x12.reader import iter_segments

    for _ in iter_segments(io.BytesIO(data), chunk_size=64):
        pass


def x12_check(data: bytes) -> None:
    """Envelope checks, validation and acknowledgement building over the whole stream."""
    from gateway.x12.checker import CheckedInterchange, check_stream

    for event in check_stream(io.BytesIO(data)):
        if isinstance(event, CheckedInterchange):
            for group in event.groups:  # the consumer owns every group's acknowledgement
                if group.ack is not None:
                    group.ack.close()


def idoc_reader(data: bytes) -> None:
    from gateway.idoc.reader import read_idocs

    read_idocs(data)


def tms_json(data: bytes) -> None:
    from transforms.tms_json import from_tms_message

    from_tms_message(data)


def partner_profile(data: bytes) -> None:
    from gateway.registry.registry import parse_profile

    parse_profile(data.decode("utf-8", "replace"), "fuzz.yaml")


class UnexpectedServerFault(Exception):
    """The SOAP dispatcher answered a request with a server fault: its own code failed."""


_SOAP: list[Any] = []


def _soap_dispatcher() -> Any:
    if not _SOAP:
        from lxml import etree

        from gateway.registry import Registry
        from gateway.soap.server import Call, SoapDispatcher

        def echo(call: Call) -> etree._Element:
            return etree.Element(f"{{{call.payload.nsmap.get(None, '')}}}Echo")

        registry = Registry.load(Path(__file__).resolve().parents[2] / "partners")

        def record(correlation_id: str, operation: str, exc: Exception) -> None:
            raise UnexpectedServerFault(f"{operation}: {type(exc).__name__}: {exc}")

        ops = ("ReleaseOrder", "ChangeOrder", "CancelOrder", "GetShipmentStatus")
        handlers = dict.fromkeys(ops, echo) | {"GetAcknowledgementStatus": echo}
        _SOAP.append(
            SoapDispatcher(
                registry, handlers, env={"ERP_SOAP_PASSWORD": "s3cret"}, on_server_fault=record
            )
        )
    return _SOAP[0]


def soap_request(data: bytes) -> None:
    """The SOAP request path (size cap, hardened parse, envelope, auth, XSD): a fault, never a
    server fault; the dispatcher records server faults through the hook, which raises here."""
    dispatcher = _soap_dispatcher()
    status, body, _ = dispatcher.handle(data, "Basic ZXJwLXNvYXA6czNjcmV0")
    if b"correlation" in body.lower():
        raise UnexpectedServerFault(body[:300].decode("utf-8", "replace"))
    assert status in (200, 400, 500)


def _soap_seeds() -> list[bytes]:
    ns = "urn:logigateway:erp:soap:v1"
    env = "http://schemas.xmlsoap.org/soap/envelope/"
    return [
        (
            f'<soap:Envelope xmlns:soap="{env}"><soap:Body><{op} xmlns="{ns}">'
            f"<TKNUM>0000000001</TKNUM></{op}></soap:Body></soap:Envelope>"
        ).encode()
        for op in ("GetAcknowledgementStatus", "GetShipmentStatus", "CancelOrder")
    ] + _xml_seeds()[:1]


def _x12_errors() -> tuple[type[BaseException], ...]:
    from gateway.x12.errors import X12Error

    return (X12Error,)


def _idoc_errors() -> tuple[type[BaseException], ...]:
    from gateway.idoc.errors import IdocError

    return (IdocError,)


def _tms_errors() -> tuple[type[BaseException], ...]:
    from transforms.tms_json import TmsContractError

    return (TmsContractError,)


def targets() -> dict[str, Target]:
    return {
        "x12_reader": Target(x12_reader, _x12_errors(), _x12_seeds),
        "x12_check": Target(x12_check, _x12_errors(), _x12_seeds),
        "idoc_reader": Target(idoc_reader, _idoc_errors(), _xml_seeds),
        "tms_json": Target(tms_json, _tms_errors(), _tms_seeds),
        "partner_profile": Target(partner_profile, (), _profile_seeds),
        "soap_request": Target(soap_request, (), _soap_seeds),
    }


def call(target: Target, data: bytes) -> None:
    """Run one input; errors of the allowed types are the target's normal answer."""
    with contextlib.suppress(target.allowed):
        target.run(data)
