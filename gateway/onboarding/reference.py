"""The partner profile format, described from its models: the JSON Schema (for editors that
complete and check YAML) and a Markdown reference of every field (docs/partner-profile.md).

Field notes come from the short comments beside each field in `gateway/registry/profile.py`,
so the reference says what the code says; a test regenerates the page and compares.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

from pydantic import BaseModel

from gateway.registry import PartnerProfile, alerts_policy
from gateway.registry import profile as profile_module

SCHEMA_ID = "https://github.com/logistics-edi-gateway/partner-profile.schema.json"
_FIELD = re.compile(r"^    (\w+): [^=]*?(?:=.*?)?(?:#\s*(?P<note>.+))?$")
_COMMENT = re.compile(r"^    #\s*(?P<note>.+)$")


# Fields the models read through `_as_text`: YAML turns 997, 214 or 02 into numbers and the
# profile means the code, so the schema accepts a number there too (as the loader does).
NUMBERS_AS_TEXT = {
    "X12Settings": ("isa_qualifier", "isa_id", "gs_id", "version", "our_isa_qualifier",
                    "our_isa_id", "our_gs_id"),
    "Documents": ("inbound", "outbound"),
    "AckPolicy": ("kind",),
    "IdocSettings": ("mandt", "docrel"),
}  # fmt: skip


def _or_integer(prop: dict[str, Any]) -> dict[str, Any]:
    if "items" in prop:
        return {**prop, "items": _or_integer(prop["items"])}
    if "anyOf" in prop:
        return {**prop, "anyOf": [*prop["anyOf"], {"type": "integer"}]}
    keep = {k: v for k, v in prop.items() if k in ("default", "title")}
    inner = {k: v for k, v in prop.items() if k not in keep}
    return {**keep, "anyOf": [inner, {"type": "integer"}]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one profile file (draft 2020-12, as pydantic writes it)."""
    schema = PartnerProfile.model_json_schema(by_alias=True)
    for model, fields in NUMBERS_AS_TEXT.items():
        props = schema["$defs"][model]["properties"]
        for name in fields:
            props[name] = _or_integer(props[name])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=False) + "\n"


def _notes(model: type[BaseModel]) -> dict[str, str]:
    """field name -> the comment on its line, or on the comment lines just above it."""
    try:
        source = inspect.getsource(model)
    except (OSError, TypeError):
        return {}
    notes: dict[str, str] = {}
    pending: list[str] = []
    for line in source.splitlines():
        comment = _COMMENT.match(line)
        if comment:
            pending.append(comment.group("note").strip())
            continue
        found = _FIELD.match(line)
        if found and not line.strip().startswith(("def ", "@", "return", "class ")):
            parts = [*pending]
            if found.group("note"):
                parts.append(found.group("note").strip())
            if parts:
                notes[found.group(1)] = " ".join(parts)
        pending = []
    return notes


# Fields whose models carry no comment: a word for the reference page.
EXTRA_NOTES: dict[tuple[str, str], str] = {
    ("PartnerProfile", "id"): "the file name without .yaml; lower-case letters, digits, '-'",
    ("PartnerProfile", "name"): "shown to operations",
    ("PartnerProfile", "role"): "what the party is; `self` is the gateway's own identity",
    ("PartnerProfile", "scac"): "Standard Carrier Alpha Code (carriers)",
    ("PartnerProfile", "timezone"): "IANA name; local times in the partner's documents",
    ("PartnerProfile", "x12"): "needed when `documents` lists X12 sets",
    ("PartnerProfile", "documents"): "transaction sets exchanged, by direction",
    ("PartnerProfile", "acks"): "acknowledgements sent and expected",
    ("PartnerProfile", "transport"): "how the party is reached (`kind` picks the section)",
    ("PartnerProfile", "delivery"): "retries before a delivery becomes a dead letter",
    ("PartnerProfile", "code_maps"): "the partner's codes that differ from the standard",
    ("PartnerProfile", "routing"): "where this party's documents go",
    ("PartnerProfile", "customer_ids"): "customer ids in documents that mean this party",
    ("PartnerProfile", "idoc"): "SAP IDoc control record settings (role erp)",
    ("PartnerProfile", "invoices"): "how a 210 is checked against its tender",
    ("PartnerProfile", "correlation"): "which documents wait for their shipment",
    ("X12Settings", "isa_qualifier"): "ISA05/ISA07, e.g. 02 (SCAC), ZZ (mutually defined)",
    ("X12Settings", "isa_id"): "ISA06/ISA08 as sent, without padding",
    ("X12Settings", "version"): "GS08, e.g. 004010 or 005010",
    ("AckPolicy", "kind"): "997, or 999 for 005010 and later",
    ("AckPolicy", "send_ta1"): "TA1 interchange acknowledgements we send",
    ("AckPolicy", "expect_ack_within_minutes"): "null: we do not wait for their 997/999",
}


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop or "oneOf" in prop:
        options = [o for o in prop.get("anyOf", prop.get("oneOf", [])) if o.get("type") != "null"]
        optional = len(options) != len(prop.get("anyOf", prop.get("oneOf", [])))
        text = " or ".join(_type(o) for o in options)
        return f"{text} (or null)" if optional else text
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        extra = prop["additionalProperties"]
        return f"map to {_type(extra)}" if isinstance(extra, dict) else "map"
    limits = []
    for key, label in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", ">="),
        ("maximum", "<="),
        ("exclusiveMinimum", ">"),
        ("pattern", "pattern"),
    ):
        if key in prop:
            value = f"`{prop[key]}`" if key == "pattern" else prop[key]
            limits.append(f"{label} {value}")
    return f"{kind} ({', '.join(limits)})" if limits else str(kind)


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" not in prop:
        return ""
    return f"`{json.dumps(prop['default'])}`"


def _models() -> list[tuple[str, type[BaseModel] | None]]:
    """PartnerProfile first, then every section in the order the schema names them."""
    defs = PartnerProfile.model_json_schema(by_alias=True).get("$defs", {})
    out: list[tuple[str, type[BaseModel] | None]] = [("PartnerProfile", PartnerProfile)]
    for name in defs:
        cls = getattr(profile_module, name, None) or getattr(alerts_policy, name, None)
        out.append((name, cls if isinstance(cls, type) and issubclass(cls, BaseModel) else None))
    return out


def markdown() -> str:
    """The reference page: one table per section, generated (edit the models, not the page)."""
    schema = PartnerProfile.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    lines = [
        "# Partner profile reference",
        "",
        "<!-- Generated by `gateway partners schema --markdown` from gateway/registry/profile.py;",
        "     do not edit by hand: tests/unit/test_onboarding.py fails when it is out of date. -->",
        "",
        "One YAML file per trading partner or system in `partners/`. Check them with",
        "`gateway partners check`; scaffold one with `gateway partners new ID --role carrier`;",
        "try files with `gateway partners test ID FILE...`. Editors that understand JSON Schema",
        "complete and check profiles with `gateway partners schema > partner-profile.schema.json`",
        "(for the YAML language server, the first line of a profile:",
        "`# yaml-language-server: $schema=partner-profile.schema.json`). Secrets are never",
        "written in a profile: fields that take one accept only `${ENV_VAR}` references.",
        "",
    ]
    for name, cls in _models():
        spec = schema if name == "PartnerProfile" else defs[name]
        lines.append(f"## {name}")
        lines.append("")
        if spec.get("description"):
            lines.append(" ".join(spec["description"].split()))
            lines.append("")
        if "properties" not in spec:
            values = spec.get("enum", [])
            lines.append("Values: " + ", ".join(f"`{v}`" for v in values))
            lines.append("")
            continue
        notes = _notes(cls) if cls is not None else {}
        required = set(spec.get("required", []))
        lines.append("| field | type | default | notes |")
        lines.append("|---|---|---|---|")
        for field_name, prop in spec["properties"].items():
            note = (
                notes.get(field_name)
                or notes.get(f"{field_name}_")
                or EXTRA_NOTES.get((name, field_name), "")
            )
            cells = (
                f"`{field_name}`",
                _type(prop),
                _default(prop, field_name in required),
                note.replace("|", "\\|"),
            )
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
