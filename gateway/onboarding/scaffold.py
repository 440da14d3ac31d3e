"""`gateway partners new`: a new partner profile from a few answers, valid before it is written.

The profile is built as plain data, dumped as YAML with a short header, parsed back through the
same model the registry uses, and checked together with the existing profiles (duplicate ids,
ISA ids, accounts) before anything is written.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gateway.registry import ProfileProblem, Role, check, parse_profile

# What each role usually exchanges (from the gateway's point of view).
DEFAULT_DOCUMENTS: dict[Role, tuple[list[str], list[str]]] = {
    Role.CARRIER: (["214", "210", "990", "997"], ["204", "997"]),
    Role.CUSTOMER: ([], []),
    Role.ERP: ([], []),
    Role.TMS: ([], []),
    Role.PORTAL: ([], []),
}
TRANSPORTS = ("folder", "sftp", "http")


class ScaffoldError(ValueError):
    """The answers do not make a valid profile; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Answers:
    id: str
    role: Role
    name: str
    environment: str = "test"  # a new partner starts in test: production is a decision
    scac: str | None = None
    isa_qualifier: str | None = None
    isa_id: str | None = None
    version: str = "004010"
    transport: str = "folder"
    sftp_host: str | None = None
    sftp_username: str | None = None
    sftp_host_key: str | None = None
    http_url: str | None = None
    inbound: list[str] | None = None
    outbound: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def missing(self) -> list[str]:
        """The answers still needed for this role and transport (option names)."""
        need: list[str] = []
        if self.role is Role.CARRIER:
            need += [n for n in ("scac", "isa_qualifier", "isa_id") if getattr(self, n) is None]
        if self.transport == "sftp":
            need += [
                n
                for n in ("sftp_host", "sftp_username", "sftp_host_key")
                if getattr(self, n) is None
            ]
        return need


def profile_data(a: Answers) -> dict[str, Any]:
    if a.role is Role.SELF:
        raise ScaffoldError(["the gateway's own profile (role self) is not scaffolded"])
    if a.transport not in TRANSPORTS:
        raise ScaffoldError([f"transport must be one of {', '.join(TRANSPORTS)}"])
    inbound, outbound = DEFAULT_DOCUMENTS.get(a.role, ([], []))
    inbound = a.inbound if a.inbound is not None else inbound
    outbound = a.outbound if a.outbound is not None else outbound
    data: dict[str, Any] = {"id": a.id, "name": a.name, "role": a.role.value}
    if a.scac:
        data["scac"] = a.scac
    data["environment"] = a.environment
    if a.isa_id:
        data["x12"] = {
            "isa_qualifier": a.isa_qualifier or "ZZ",
            "isa_id": a.isa_id,
            "version": a.version,
            "usage": "T" if a.environment == "test" else "P",
        }
    data["documents"] = {"inbound": inbound, "outbound": outbound}
    if inbound or outbound:
        data["acks"] = {"kind": "997", "send": True, "expect_ack_within_minutes": 60}
    if a.transport == "folder":
        transport: dict[str, Any] = {"kind": "folder"}
        if inbound:
            transport["inbound_dir"] = f"inbox/{a.id}"
        if outbound:
            transport["outbound_dir"] = f"outbox/{a.id}"
    elif a.transport == "sftp":
        transport = {
            "kind": "sftp",
            "host": a.sftp_host,
            "username": a.sftp_username,
            "key_file": "${" + a.id.upper().replace("-", "_") + "_SFTP_KEY}",
            "host_key": a.sftp_host_key,
        }
        if inbound:
            transport["inbound_dir"] = "/outbound"
        if outbound:
            transport["outbound_dir"] = "/inbound"
    else:
        transport = {"kind": "http"}
        if a.http_url:
            transport["url"] = a.http_url
    if a.role is not Role.CUSTOMER:
        data["transport"] = transport
    data["delivery"] = {"max_attempts": 8, "backoff_seconds": 30}
    data.update(a.extra)
    return data


def render(a: Answers) -> str:
    header = (
        f"# {a.name}: scaffolded by `gateway partners new`.\n"
        "# Check it with `gateway partners check` and try files with\n"
        f"# `gateway partners test {a.id} FILE...` before production.\n"
    )
    return header + yaml.safe_dump(profile_data(a), sort_keys=False, allow_unicode=True)


def validate(text: str, directory: Path, file_name: str) -> list[ProfileProblem]:
    """Problems of the new profile alone, then together with the profiles in `directory`."""
    _, problems = parse_profile(text, file_name)
    if problems:
        return problems
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        if directory.is_dir():
            for existing in directory.glob("*.yaml"):
                shutil.copyfile(existing, copy / existing.name)
        (copy / file_name).write_text(text)
        return [p for p in check(copy) if Path(p.file).name == file_name]
