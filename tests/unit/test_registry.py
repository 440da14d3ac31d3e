"""Partner registry: the shipped profiles load, every broken profile gets a precise message."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gateway.adapters import kinds
from gateway.canonical import DocumentType, StatusKind
from gateway.registry import (
    FolderTransport,
    PartnerProfile,
    ProfileProblem,
    Registry,
    RegistryError,
    Role,
    SecretMissingError,
    SftpTransport,
    SoapTransport,
    UnknownPartnerError,
    check,
    parse_profile,
    resolve_secret,
)

PARTNERS = Path(__file__).resolve().parents[2] / "partners"
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

CARRIER = """\
id: {id}
name: Test Carrier
role: carrier
x12: {{isa_qualifier: "02", isa_id: {isa}}}
documents: {{inbound: [214, 997], outbound: [204]}}
transport: {{kind: folder, inbound_dir: inbox/{id}, outbound_dir: outbox/{id}}}
"""


def carrier(profile_id: str = "acme", isa: str = "ACME") -> str:
    return CARRIER.format(id=profile_id, isa=isa)


@pytest.fixture
def shipped() -> Registry:
    return Registry.load(PARTNERS)


def folder_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A partners folder: our own identity plus `files`."""
    shutil.copy(PARTNERS / "our-company.yaml", tmp_path / "our-company.yaml")
    os.utime(tmp_path / "our-company.yaml", ns=(1, 1_000_000_000))
    for n, (name, text) in enumerate(files.items(), start=2):
        (tmp_path / name).write_text(text, encoding="utf-8")
        # added one after the other, in this order: a conflict is blamed on the later file
        os.utime(tmp_path / name, ns=(1, n * 1_000_000_000))
    return tmp_path


def problems_of(text: str, name: str = "p.yaml") -> list[str]:
    profile, problems = parse_profile(text, name)
    assert profile is None
    return [str(p) for p in problems]


# ---------------------------------------------------------------- shipped profiles


def test_shipped_profiles_load(shipped: Registry) -> None:
    assert [p.id for p in shipped] == [
        "acme-retail",
        "demo-carrier",
        "erp",
        "northwind-5010",
        "our-company",
        "portal",
        "tms",
    ]
    assert check(PARTNERS) == []
    me = shipped.identity
    assert me.role is Role.SELF and me.x12 is not None
    assert (me.x12.isa_qualifier, me.x12.isa_id) == ("ZZ", "LOGIGATEWAY")


def test_demo_carrier_profile(shipped: Registry) -> None:
    demo = shipped.get("demo-carrier")
    assert demo.role is Role.CARRIER and demo.x12 is not None
    assert (demo.x12.isa_qualifier, demo.x12.isa_id, demo.x12.version) == (
        "02",
        "DEMOCARRIER",
        "004010",
    )
    assert demo.x12.isa_version == "00401"
    assert demo.acks.kind == "997" and demo.acks.send_ta1 == "on-request"
    assert demo.documents.inbound == ["214", "210", "990", "997"]
    assert isinstance(demo.transport, FolderTransport)
    assert demo.transport.inbound_dir == "inbox/demo-carrier"
    assert demo.code_maps.at7_status["X1"] is StatusKind.ARRIVED_AT_DELIVERY
    assert demo.code_maps.charges["400"] == "freight"
    assert demo.routing[0].document is DocumentType.SHIPMENT_STATUS
    assert demo.routing[0].destinations == ["erp", "tms", "portal"]


def test_999_partner_and_system_profiles(shipped: Registry) -> None:
    north = shipped.get("northwind-5010")
    assert north.acks.kind == "999" and north.x12 is not None
    assert north.x12.version == "005010" and north.x12.delimiters.repetition == "^"
    erp = shipped.get("erp")
    # the ERP drops IDoc/JSON files until the SOAP service lands
    assert isinstance(erp.transport, FolderTransport) and erp.transport.inbound_dir == "inbox/erp"
    assert isinstance(erp.delivery_transport, FolderTransport)
    assert erp.delivery_transport.outbound_dir == "outbox/erp"
    assert erp.idoc is not None
    config = erp.idoc.partner_config(DocumentType.FREIGHT_INVOICE)
    assert (config.sndpor, config.rcvprn, config.mandt, config.mescod) == (
        "LOGIGW",
        "PS4CLNT100",
        "100",
        "MM",
    )
    portal = shipped.get("portal")
    assert isinstance(portal.transport, FolderTransport)
    assert portal.transport.outbound_dir == "outbox/portal"


def test_lookups(shipped: Registry) -> None:
    demo = shipped.get("demo-carrier")
    assert shipped.by_isa_id("02", "DEMOCARRIER    ") is demo  # ISA padding ignored
    assert shipped.by_isa_id("ZZ", "DEMOCARRIER") is None  # another qualifier: another party
    assert shipped.by_channel("folder", "demo-carrier") is demo
    assert shipped.by_channel("sftp", "demo-carrier") is None
    assert shipped.by_channel("folder", "erp") is shipped.get("erp")
    assert shipped.by_customer_id("ACME-RETAIL-CA") is shipped.get("acme-retail")
    assert shipped.by_scac("demo") is demo
    assert demo.owns_isa_id("02", "DEMOCARRIER ")
    assert not demo.owns_isa_id("02", "NORTHWIND")
    assert "tms" in shipped and len(shipped) == 7
    assert shipped.find("nobody") is None
    with pytest.raises(UnknownPartnerError, match="no partner profile with id 'nobody'"):
        shipped.get("nobody")
    assert shipped.our_isa_identity(demo) == ("ZZ", "LOGIGATEWAY", "LOGIGATEWAY")


def test_partner_specific_identity_override(tmp_path: Path) -> None:
    text = carrier().replace(
        "isa_id: ACME}", 'isa_id: ACME, our_isa_qualifier: "01", our_isa_id: "123456789"}'
    )
    registry = Registry.load(folder_with(tmp_path, {"acme.yaml": text}))
    assert registry.our_isa_identity(registry.get("acme")) == ("01", "123456789", "123456789")


def test_unset_secret_references_are_reported_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as if the SOAP adapter were installed: this test is about secrets, not transport kinds
    monkeypatch.setattr(kinds, "RUNNABLE_TRANSPORT_KINDS", {"folder", "http", "soap"})
    for f in PARTNERS.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text())
    (tmp_path / "erp.yaml").write_text(
        (PARTNERS / "erp.yaml")
        .read_text()
        .replace(
            "transport:\n  kind: folder\n  inbound_dir: inbox/erp\n  outbound_dir: outbox/erp",
            "transport:\n  kind: soap\n  account: erp-soap\n"
            "  inbound_password: ${ERP_SOAP_PASSWORD}\n"
            "outbound_transport:\n  kind: folder\n  outbound_dir: outbox/erp",
        )
    )
    assert check(tmp_path) == []
    missing = check(tmp_path, env={})
    assert missing == [
        ProfileProblem(
            "erp.yaml",
            "transport.inbound_password",
            "environment variable ERP_SOAP_PASSWORD is not set",
        )
    ]
    assert check(tmp_path, env={"ERP_SOAP_PASSWORD": "x"}) == []
    soap = Registry.load(tmp_path)
    erp = soap.get("erp")
    assert isinstance(erp.transport, SoapTransport) and erp.transport.account == "erp-soap"
    assert soap.by_channel("soap", "erp-soap") is erp


def test_resolve_secret() -> None:
    assert resolve_secret("${ACME_KEY}", {"ACME_KEY": "/keys/acme"}) == "/keys/acme"
    with pytest.raises(SecretMissingError, match="ACME_KEY is not set"):
        resolve_secret("${ACME_KEY}", {})


def test_sftp_profile_with_pinned_key_and_secret_reference(tmp_path: Path) -> None:
    text = f"""\
id: acme
name: ACME
role: carrier
x12: {{isa_qualifier: "02", isa_id: ACME, version: "005010"}}
documents: {{inbound: [214, 999], outbound: [204]}}
acks: {{kind: 999}}
transport:
  kind: sftp
  host: sftp.acme.example
  username: gw
  key_file: ${{ACME_SFTP_KEY}}
  host_key: "{HOST_KEY}"
  inbound_dir: /out
  outbound_dir: /in
"""
    registry = Registry.load(folder_with(tmp_path, {"acme.yaml": text}))
    acme = registry.get("acme")
    assert isinstance(acme.transport, SftpTransport)
    assert acme.transport.port == 22 and acme.transport.key_file == "${ACME_SFTP_KEY}"
    assert registry.by_channel("sftp", "acme") is acme


# ---------------------------------------------------------------- broken profiles

BROKEN: list[tuple[str, str, str, list[str]]] = [
    (
        "unknown field",
        "acme.yaml",
        carrier().replace("isa_id: ACME}", "isa_id: ACME, versoin: '004010'}"),
        ["acme.yaml: x12.versoin: unknown field (a typo?)"],
    ),
    (
        "missing name",
        "acme.yaml",
        carrier().replace("name: Test Carrier\n", ""),
        ["acme.yaml: name: required field is missing"],
    ),
    (
        "unknown role",
        "acme.yaml",
        carrier().replace("role: carrier", "role: shipper"),
        [
            "acme.yaml: role: Input should be 'carrier', 'erp', 'tms', 'portal', 'customer' or "
            "'self'"
        ],
    ),
    (
        "bad qualifier",
        "acme.yaml",
        carrier().replace('isa_qualifier: "02"', "isa_qualifier: z"),
        ["acme.yaml: x12.isa_qualifier: String should match pattern '^[0-9A-Z]{2}$'"],
    ),
    (
        "ISA id too long",
        "acme.yaml",
        carrier(isa="ACMEFREIGHTLINES1"),
        ["acme.yaml: x12.isa_id: 1 to 15 characters (ISA ids are fixed width), got 17"],
    ),
    (
        "999 on 4010",
        "acme.yaml",
        carrier() + "acks: {kind: 999}\n",
        ["acme.yaml: acks.kind 999 acknowledges 005010 and later; x12.version is 004010 (use 997)"],
    ),
    (
        "expects an ack it does not accept",
        "acme.yaml",
        carrier().replace("inbound: [214, 997]", "inbound: [214]"),
        [
            "acme.yaml: we send 204 and wait for a 997, so documents.inbound must list 997 "
            "(or set acks.expect_ack_within_minutes: null)"
        ],
    ),
    (
        "unknown transport kind",
        "acme.yaml",
        carrier().replace("kind: folder", "kind: ftp"),
        [
            "acme.yaml: transport: Input tag 'ftp' found using 'kind' does not match any of the "
            "expected tags: 'folder', 'sftp', 'http', 'soap'"
        ],
    ),
    (
        "no inbound dir",
        "acme.yaml",
        carrier().replace("inbound_dir: inbox/acme, ", ""),
        ["acme.yaml: documents.inbound is not empty: the transport needs inbound_dir"],
    ),
    (
        "escaping dir",
        "acme.yaml",
        carrier().replace("inbox/acme", "../etc"),
        ["acme.yaml: transport.inbound_dir: must not contain '..' or NUL"],
    ),
    (
        "same delimiter twice",
        "acme.yaml",
        carrier().replace("isa_id: ACME}", "isa_id: ACME, delimiters: {segment: '*'}}"),
        ["acme.yaml: x12.delimiters: element, segment, component and repetition must all differ"],
    ),
    (
        "canonical status unknown",
        "acme.yaml",
        carrier() + "code_maps: {at7_status: {X1: arrived}}\n",
        ["acme.yaml: code_maps.at7_status.X1: Input should be 'acknowledged', "],
    ),
    (
        "bad time zone",
        "acme.yaml",
        carrier() + "timezone: Mars/Olympus\n",
        [
            "acme.yaml: timezone: unknown time zone 'Mars/Olympus' (use an IANA name, e.g. "
            "America/Chicago)"
        ],
    ),
    (
        "routing to an unknown document",
        "acme.yaml",
        carrier() + "routing: [{document: status, destinations: [erp]}]\n",
        ["acme.yaml: routing[0].document: Input should be 'load_tender', "],
    ),
    (
        "duplicate YAML key",
        "acme.yaml",
        carrier() + "name: Again\n",
        ["acme.yaml: line 7, column 1: not valid YAML: key 'name' appears twice"],
    ),
    (
        "not YAML",
        "acme.yaml",
        "id: [unclosed\n",
        ["acme.yaml: line 2, column 1: not valid YAML: expected ','"],
    ),
    (
        "not a mapping",
        "acme.yaml",
        "- a\n- b\n",
        ["acme.yaml: a profile is a mapping of fields (id, name, ...)"],
    ),
    (
        "unpinned host key",
        "p.yaml",
        "id: p\nname: P\nrole: tms\ntransport: {kind: sftp, host: h, username: u, "
        "key_file: '${K}', host_key: 'ssh-dss AAAA'}\n",
        ["p.yaml: transport.host_key: pin the server key as '<type> <base64>', type one of "],
    ),
    (
        "plain http to a remote host",
        "p.yaml",
        "id: p\nname: P\nrole: tms\ntransport: {kind: http, url: 'http://tms.example/api'}\n",
        ["p.yaml: transport.url: plain http is only allowed to localhost; use https"],
    ),
    (
        "IDoc field too long for SAP",
        "p.yaml",
        "id: p\nname: P\nrole: erp\ntransport: {kind: folder, outbound_dir: o}\n"
        "idoc: {sndpor: PORTNAME12345, sndprt: LS, sndprn: A, rcvpor: B, rcvprt: LS, rcvprn: C}\n",
        ["p.yaml: idoc: EDI_DC40-SNDPOR holds at most 10 characters"],
    ),
    (
        "file name differs from id",
        "p.yaml",
        carrier(profile_id="acme"),
        ["p.yaml: id: 'acme' must match the file name"],
    ),
]


@pytest.mark.parametrize(
    ("file", "text", "expected"),
    [(f, t, e) for _, f, t, e in BROKEN],
    ids=[n for n, _, _, _ in BROKEN],
)
def test_broken_profile_gets_a_clear_message(file: str, text: str, expected: list[str]) -> None:
    found = problems_of(text, file)
    assert len(found) == len(expected), found
    for got, want in zip(found, expected, strict=True):
        assert got.startswith(want), got
    assert not any("Traceback" in p for p in found)


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("transport", "{kind: http, url: 'https://t.example', bearer_token: '%s'}", "transport.bearer_token"),
        ("transport", "{kind: soap, inbound_password: '%s'}", "transport.inbound_password"),
        ("transport", "{kind: http, url: 'https://gw:%s@t.example/'}", "transport.url"),
        ("notes", "{api_key: '%s'}", "notes.api_key"),
        (
            "transport",
            "{kind: sftp, host: h, username: u, host_key: 'x', key_file: "
            "'-----BEGIN OPENSSH PRIVATE KEY-----%s'}",
            "transport.key_file",
        ),
    ],
)  # fmt: skip
def test_inline_secret_is_rejected_without_echoing_it(field: str, value: str, path: str) -> None:
    canary = "canary5ecret9"
    text = f"id: p\nname: P\nrole: tms\n{field}: {value % canary}\n"
    profile, problems = parse_profile(text, "p.yaml")
    assert profile is None
    flagged = [p for p in problems if p.path == path]
    assert len(flagged) == 1
    assert "inline" in flagged[0].message or "password" in flagged[0].message
    assert "${NAME}" in flagged[0].message
    assert all(canary not in str(p) for p in problems)


def test_duplicate_isa_id_across_profiles_is_a_load_error(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        {"acme.yaml": carrier("acme", "SAMEID"), "beta.yaml": carrier("beta", "SAMEID")},
    )
    with pytest.raises(RegistryError) as caught:
        Registry.load(folder)
    assert caught.value.problems == [
        ProfileProblem("beta.yaml", "x12.isa_id", "ISA id 02/SAMEID is already used by acme.yaml")
    ]
    assert "beta.yaml: x12.isa_id: ISA id 02/SAMEID is already used by acme.yaml" in str(
        caught.value
    )


def test_partner_cannot_use_our_isa_id(tmp_path: Path) -> None:
    text = carrier().replace(
        'isa_qualifier: "02", isa_id: ACME', "isa_qualifier: ZZ, isa_id: LOGIGATEWAY"
    )
    problems = check(folder_with(tmp_path, {"acme.yaml": text}))
    assert [str(p) for p in problems] == [
        # the partner added later is wrong, not our own identity that was there first
        "acme.yaml: x12.isa_id: ISA id ZZ/LOGIGATEWAY is already used by our-company.yaml"
    ]


def test_set_level_rules(tmp_path: Path) -> None:
    second_self = (
        (PARTNERS / "our-company.yaml")
        .read_text()
        .replace("id: our-company", "id: other-self")
        .replace("LOGIGATEWAY", "OTHERGW")
    )
    routed = carrier("acme") + "routing: [{document: shipment_status, destinations: [erq]}]\n"
    problems = check(
        folder_with(
            tmp_path,
            {
                "other-self.yaml": second_self,
                "acme.yaml": routed,
                "beta.yaml": carrier("beta", "BETA") + "customer_ids: [C1]\n",
                "gamma.yaml": carrier("gamma", "GAMMA").replace(
                    "kind: folder", "kind: folder, account: beta"
                )
                + "customer_ids: [C1]\n",
            },
        )
    )
    assert [str(p) for p in problems] == [
        "other-self.yaml: role: a second self profile (our-company.yaml)",
        "acme.yaml: routing[0].destinations[0]: no partner profile with id 'erq'",
        "gamma.yaml: transport: folder account 'beta' is already used by beta.yaml",
        "gamma.yaml: customer_ids[0]: customer id 'C1' is already used by beta.yaml",
    ]


def test_load_reports_every_problem_at_once(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path,
        {
            "acme.yaml": carrier().replace("role: carrier", "role: shipper"),
            "beta.yaml": carrier("beta", "B").replace("name: Test Carrier\n", ""),
            "notes.txt": "not a profile",
        },
    )
    with pytest.raises(RegistryError) as caught:
        Registry.load(folder)
    assert [(p.file, p.path) for p in caught.value.problems] == [
        ("acme.yaml", "role"),
        ("beta.yaml", "name"),
    ]
    assert str(caught.value).startswith("partner profiles have 2 problem(s):\n  acme.yaml: role:")


def test_missing_self_and_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(carrier(), encoding="utf-8")
    assert [str(p) for p in check(tmp_path)] == [
        "(registry): no profile with role: self (our own ISA identity)"
    ]
    assert [str(p) for p in check(tmp_path / "nope")] == [
        f"{tmp_path / 'nope'}: partner profile folder not found"
    ]


def test_registry_from_profile_objects() -> None:
    me = PartnerProfile.model_validate(
        {"id": "me", "name": "Me", "role": "self", "x12": {"isa_qualifier": "ZZ", "isa_id": "ME"}}
    )
    acme, _ = parse_profile(carrier(), "acme.yaml")
    assert acme is not None
    registry = Registry([me, acme])
    assert registry.identity is me and registry.by_isa_id("02", "ACME") is acme
    with pytest.raises(RegistryError, match="ISA id 02/ACME is already used"):
        Registry([me, acme, acme.model_copy(update={"id": "acme2"})])


def test_a_list_or_mapping_as_a_key_is_a_profile_problem_not_a_crash() -> None:
    # `?` makes a complex key; found by fuzzing the profile loader (TypeError: unhashable)
    for text in ("?\n-", "? [a, b]\n: 1\n", "? {a: 1}\n: 2\n"):
        profile, problems = parse_profile(text, "x.yaml")
        assert profile is None
        assert [p.message for p in problems] == ["not valid YAML: a key must be a plain name"]
