"""The partner profile (`partners/<id>.yaml`) as frozen pydantic models: the format, checked.

A profile says who a party is (role, X12 identity), what it exchanges (documents, ack policy),
how to reach it (transport, secrets by `${ENV_VAR}` only), how to read its codes (code maps)
and where its documents go (routing). The gateway's own identity is the one profile with
`role: self` (shipped as partners/our-company.yaml); a partner may override it with `x12.our_*`.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal, Self, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from gateway.canonical import (
    ChargeKind,
    DocumentType,
    ReasonKind,
    ReferenceKind,
    StatusKind,
)
from gateway.canonical.tender import StopKind
from gateway.idoc.control import IdocPartnerConfig
from gateway.idoc.errors import IdocError
from gateway.registry.alerts_policy import AlertPolicy
from gateway.registry.secrets import SecretRef
from gateway.registry.soap_service import SoapService
from gateway.registry.validation import ValidationPolicy

PROFILE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# X12 basic character set minus the usual delimiters; ISA ids are at most 15 characters.
_X12_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .,&()/'!:;?=+\-]*$")
HOST_KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-256",
        "rsa-sha2-512",
    }
)
SetId = Literal["204", "210", "214", "990", "997", "999"]
KNOWN_SETS: tuple[str, ...] = get_args(SetId)
DYNAMIC_DESTINATIONS = frozenset({"@carrier"})  # resolved by routing from the document itself


class Model(BaseModel):
    """Profile sections are immutable and reject unknown keys (a typo is an error, not a no-op)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(StrEnum):
    CARRIER = "carrier"
    ERP = "erp"
    TMS = "tms"
    PORTAL = "portal"
    CUSTOMER = "customer"
    SELF = "self"  # the gateway's own identity


def _as_text(value: Any) -> Any:
    # YAML reads 997, 214 or 02 as numbers; profiles mean the code.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=35)]


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a long or odd name is looked up as a file path (found by fuzzing)
        message = f"unknown time zone {value!r} (use an IANA name, e.g. America/Chicago)"
        raise ValueError(message) from None
    return value


TimeZoneName = Annotated[str, AfterValidator(_zone)]


def _x12_id(value: str) -> str:
    if not 1 <= len(value) <= 15:
        raise ValueError(f"1 to 15 characters (ISA ids are fixed width), got {len(value)}")
    if not _X12_ID.match(value):
        raise ValueError("only letters, digits, spaces and . , & ( ) / ' ! : ; ? = + -")
    return value


X12Id = Annotated[str, BeforeValidator(_as_text), AfterValidator(_x12_id)]
Qualifier = Annotated[str, BeforeValidator(_as_text), Field(pattern=r"^[0-9A-Z]{2}$")]


def _single_delimiter(value: str) -> str:
    if len(value) != 1:
        raise ValueError("a delimiter is exactly one character")
    if value.isalnum() or value == " ":
        raise ValueError("a delimiter cannot be a letter, a digit or a space")
    return value


Delimiter = Annotated[str, AfterValidator(_single_delimiter)]


class X12Delimiters(Model):
    element: Delimiter = "*"
    segment: Delimiter = "~"
    component: Delimiter = ">"
    repetition: Delimiter | None = None  # written to ISA11 from version 00402; else "U"

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        used = [d for d in (self.element, self.segment, self.component, self.repetition) if d]
        if len(set(used)) != len(used):
            raise ValueError("element, segment, component and repetition must all differ")
        return self


class X12Settings(Model):
    """The party's X12 identity and envelope preferences."""

    isa_qualifier: Qualifier
    isa_id: X12Id
    gs_id: X12Id | None = None  # GS02/GS03; defaults to isa_id
    version: Annotated[
        str, BeforeValidator(_as_text), Field(pattern=r"^00[4-8]0[1-9]0[A-Z0-9]{0,6}$")
    ] = "004010"
    delimiters: X12Delimiters = Field(default_factory=X12Delimiters)
    usage: Literal["T", "P"] = "T"  # ISA15
    # Our identity towards this partner when it differs from the `role: self` profile.
    our_isa_qualifier: Qualifier | None = None
    our_isa_id: X12Id | None = None
    our_gs_id: X12Id | None = None
    # B2-06 (element 146, mandatory) of the 204s we send when the tender carries no method of
    # payment (ERP orders have none): the terms agreed with this carrier, e.g. PP prepaid
    payment_method: Annotated[str, Field(pattern=r"^[A-Z0-9]{2}$")] | None = None

    @property
    def group_id(self) -> str:
        return self.gs_id or self.isa_id

    @property
    def isa_version(self) -> str:
        """ISA12, e.g. 00401 for 004010."""
        return self.version[:5]

    @model_validator(mode="after")
    def _our_identity_pairs(self) -> Self:
        if (self.our_isa_qualifier is None) != (self.our_isa_id is None):
            raise ValueError("our_isa_qualifier and our_isa_id go together")
        return self


class Documents(Model):
    """Transaction sets exchanged with the party, by direction (from the gateway's view)."""

    inbound: list[Annotated[SetId, BeforeValidator(_as_text)]] = Field(default_factory=list)
    outbound: list[Annotated[SetId, BeforeValidator(_as_text)]] = Field(default_factory=list)


class AckPolicy(Model):
    """Functional acks: which kind, whether we send them, and how long we wait for theirs."""

    kind: Annotated[Literal["997", "999"], BeforeValidator(_as_text)] = "997"
    send: bool = True  # a 997/999 for every inbound group
    send_ta1: Literal["always", "on-request", "never"] = "on-request"
    request_ta1: bool = False  # ISA14 on what we send
    expect_ack_within_minutes: Annotated[int, Field(ge=1, le=10080)] | None = 60
    # a 204 we send expects the carrier's 990 (accept/decline) within this window
    expect_990_within_minutes: Annotated[int, Field(ge=1, le=10080)] | None = 240


class DeliveryPolicy(Model):
    """Retries of deliveries to this party before a delivery becomes a dead letter."""

    max_attempts: Annotated[int, Field(ge=1, le=100)] = 8
    backoff_seconds: Annotated[float, Field(gt=0, le=86400)] = 30.0
    max_backoff_seconds: Annotated[float, Field(gt=0, le=604800)] = 3600.0


def _relative_dir(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    if "\x00" in value or ".." in value.replace("\\", "/").split("/"):
        raise ValueError("must not contain '..' or NUL")
    return value


Directory = Annotated[str, AfterValidator(_relative_dir)]


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ValueError("credentials do not belong in the URL; use the secret fields")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise ValueError("plain http is only allowed to localhost; use https")
    return value


Url = Annotated[str, AfterValidator(_url)]


def _host_key(value: str) -> str:
    fields = value.split()
    if len(fields) < 2 or fields[0] not in HOST_KEY_TYPES:
        allowed = ", ".join(sorted(HOST_KEY_TYPES))
        raise ValueError(f"pin the server key as '<type> <base64>', type one of {allowed}")
    try:
        base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the host key is not valid base64") from None
    return value


class FolderTransport(Model):
    """Drop folders on this machine: inbox/<account>/ in, outbox/<account>/ out."""

    kind: Literal["folder"]
    account: str | None = None  # sub-folder name; defaults to the profile id
    inbound_dir: Directory | None = None
    outbound_dir: Directory | None = None
    stable_seconds: Annotated[float, Field(ge=0, le=3600)] = 2.0
    rescan_seconds: Annotated[float, Field(gt=0, le=86400)] = 30.0
    # where inbox entries the gateway will not take are moved (default: left, reported once)
    refused_dir: Directory | None = None


class SftpTransport(Model):
    """The partner's SFTP server, polled; a pinned host key, a key (or password) from the env.

    `key_file` names a variable holding the private key's path (or the key itself).
    """

    kind: Literal["sftp"]
    account: str | None = None
    host: Annotated[str, Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.\-:\[\]]+$")]
    port: Annotated[int, Field(ge=1, le=65535)] = 22
    username: Annotated[str, Field(min_length=1, max_length=64)]
    key_file: SecretRef | None = None
    key_passphrase: SecretRef | None = None
    password: SecretRef | None = None  # only when the carrier offers no key auth
    host_key: Annotated[str, AfterValidator(_host_key)]
    inbound_dir: Directory | None = None
    outbound_dir: Directory | None = None
    processing_dir: Directory | None = None  # claimed files; default <inbound_dir>/.processing
    after_pickup: Literal["delete", "archive", "move"] = "delete"  # move: old name of archive
    archive_dir: Directory | None = None  # remote folder for after_pickup: archive
    temp_suffixes: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=lambda: [".tmp", ".part", ".partial", ".filepart"]
    )  # the partner's names for files still being written
    poll_seconds: Annotated[float, Field(ge=1, le=86400)] = 60.0
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0

    @model_validator(mode="after")
    def _archive(self) -> Self:
        if self.after_pickup != "delete" and self.archive_dir is None:
            raise ValueError(f"after_pickup: {self.after_pickup} needs archive_dir")
        if self.key_file is None and self.password is None:
            raise ValueError("give key_file (or password) as a ${ENV_VAR} reference")
        return self


class HttpTransport(Model):
    """REST/JSON: `url` for what we send; the keys authenticate both directions."""

    kind: Literal["http"]
    account: str | None = None
    url: Url | None = None
    bearer_token: SecretRef | None = None  # sent as Authorization: Bearer
    signing_secret: SecretRef | None = None  # HMAC signature of webhooks
    inbound_api_key: SecretRef | None = None  # what this party presents to our REST ingest
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0


class SoapTransport(Model):
    """SOAP: the party calls our WSDL service; `url` when we call theirs."""

    kind: Literal["soap"]
    account: str | None = None  # the username the party authenticates with to our service
    url: Url | None = None
    wsdl_file: str | None = None  # pinned local copy of their WSDL
    username: str | None = None
    password: SecretRef | None = None
    inbound_password: SecretRef | None = None  # what the party presents to our service
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0


class AmqpTransport(Model):
    """An event stream: documents published to a RabbitMQ exchange (gateway/adapters/amqp.py)."""

    kind: Literal["amqp"]
    account: str | None = None
    url: SecretRef  # amqp(s)://user:password@host:port/vhost, so a secret
    exchange: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,255}$")] = "gateway.events"
    routing_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{0,100}$")] = ""
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0


Transport = Annotated[
    FolderTransport | SftpTransport | HttpTransport | SoapTransport | AmqpTransport,
    Field(discriminator="kind"),
]


class ApiKeySpec(Model):
    """A key this party presents to our REST API: a `${ENV_VAR}` or the key's sha256 (hex)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")] | None = None
    key: SecretRef | None = None
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    # empty: ingest:<id> (portal:<id> for a customer); see gateway/ops/auth.py
    scopes: list[
        Annotated[str, Field(pattern=r"^(read|operate|(ingest|portal):[a-z0-9][a-z0-9-]{0,62})$")]
    ] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.key is None) == (self.sha256 is None):
            raise ValueError("give exactly one of key (${ENV_VAR}) and sha256")
        return self


class PortalPolicy(Model):
    """What the visibility API shows this customer."""

    show_charges: bool = False


class CodeMaps(Model):
    """The partner's codes -> canonical values; each entry beats the standard table."""

    at7_status: dict[Code, StatusKind] = Field(default_factory=dict)  # AT7-01
    status_reasons: dict[Code, ReasonKind] = Field(default_factory=dict)  # AT7-02 / AT7-04
    references: dict[Code, ReferenceKind] = Field(default_factory=dict)  # L11-02 / N9-01
    charges: dict[Code, ChargeKind] = Field(default_factory=dict)  # L1-08
    stop_reasons: dict[Code, StopKind] = Field(default_factory=dict)  # S5-02
    equipment: dict[Code, Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)


class RoutingRule(Model):
    """Documents of `document` (optionally only these status `events`) go to `destinations`.

    In a partner's profile a rule applies to that partner's documents. In the `role: self`
    profile a rule names whom it applies to with `from`: `group:<name>` (every partner listing
    that group) or `any`. The most specific rule wins: the partner's own, then its groups',
    then `any` (Bots' translation lookup).
    """

    document: DocumentType
    events: list[StatusKind] = Field(default_factory=list)  # empty: every event
    destinations: Annotated[list[str], Field(min_length=1)]
    from_: Annotated[
        str | None, Field(alias="from", pattern=r"^(any|group:[a-z0-9][a-z0-9-]*)$")
    ] = None


class IdocMessage(Model):
    mestyp: Annotated[str, Field(min_length=1, max_length=30)]
    idoctyp: Annotated[str, Field(min_length=1, max_length=30)]
    cimtyp: str | None = None
    mescod: str | None = None
    mesfct: str | None = None


SapCode = Annotated[str, BeforeValidator(_as_text), Field(pattern=r"^[A-Za-z0-9]+$")]


class CarrierPosting(Model):
    """How SAP knows one carrier (a carrier profile id): its vendor number (LIFNR, 10), the
    partner function of the invoicing party (LF vendor or RS invoicing party), and whether SAP
    resolves this carrier's own reference (E1EDT20-EXTI1) for a shipment the ERP never sent."""

    vendor: Annotated[SapCode, Field(max_length=10)]
    partner_function: Literal["LF", "RS"] = "LF"
    resolve_by_reference: bool = False


class ErpPosting(Model):
    """What SAP posts inbound IDocs against (docs/idoc-posting.md): company code (BUKRS, 4),
    the tax code (MWSKZ, 2 in SAP's tax tables) of each tax charge code or kind, and the
    carriers' vendor numbers. With this section every IDoc carries the ERP's own keys."""

    company_code: Annotated[SapCode, Field(max_length=4)] | None = None
    tax_codes: dict[Code, Annotated[SapCode, Field(max_length=2)]] = Field(default_factory=dict)
    carriers: dict[str, CarrierPosting] = Field(default_factory=dict)


class IdocSettings(Model):
    """EDI_DC40 addressing of the SAP system (sender = the gateway, receiver = SAP)."""

    sndpor: str
    sndprt: str
    sndprn: str
    rcvpor: str
    rcvprt: str
    rcvprn: str
    mandt: Annotated[str, BeforeValidator(_as_text)] | None = None
    sndpfc: str | None = None
    rcvpfc: str | None = None
    docrel: Annotated[str, BeforeValidator(_as_text)] | None = None
    test: bool = False
    time_zone: TimeZoneName = "UTC"
    sap_time_zone: str | None = None
    messages: dict[DocumentType, IdocMessage] = Field(default_factory=dict)
    posting: ErpPosting | None = None

    def partner_config(self, message: DocumentType | None = None) -> IdocPartnerConfig:
        """The control-record settings for the IDoc emitter (MESCOD/MESFCT per message)."""
        variant = self.messages.get(message) if message is not None else None
        return IdocPartnerConfig(
            sndpor=self.sndpor,
            sndprt=self.sndprt,
            sndprn=self.sndprn,
            rcvpor=self.rcvpor,
            rcvprt=self.rcvprt,
            rcvprn=self.rcvprn,
            mandt=self.mandt,
            sndpfc=self.sndpfc,
            rcvpfc=self.rcvpfc,
            mescod=variant.mescod if variant else None,
            mesfct=variant.mesfct if variant else None,
            docrel=self.docrel,
            test=self.test,
            time_zone=self.time_zone,
            sap_time_zone=self.sap_time_zone,
        )

    @model_validator(mode="after")
    def _sap_rules(self) -> Self:
        try:
            for message in (None, *self.messages):
                self.partner_config(message)
        except IdocError as exc:
            raise ValueError(str(exc)) from None
        return self


class InvoicePolicy(Model):
    """How a carrier's 210 is checked against its tender before it reaches the ERP."""

    tolerance_amount: Annotated[Decimal, Field(ge=0)] = Decimal("25.00")
    tolerance_percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal("2")
    # charge codes as sent (e.g. DET) or canonical kinds (e.g. detention) accepted without a look
    allowed_accessorials: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list
    )


class CorrelationPolicy(Model):
    """Documents of these types wait in the hold queue until their shipment is known."""

    hold_unmatched: list[DocumentType] = Field(
        default_factory=lambda: [DocumentType.FREIGHT_INVOICE]
    )


def _profile_id(value: str) -> str:
    if not PROFILE_ID.match(value):
        raise ValueError("lower-case letters, digits and '-', at most 63 characters")
    return value


class PartnerProfile(Model):
    """One trading partner or system, as written in partners/<id>.yaml."""

    id: Annotated[str, AfterValidator(_profile_id)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    scac: Annotated[str, Field(pattern=r"^[A-Z]{2,4}$")] | None = None
    timezone: TimeZoneName = "UTC"
    # A production destination never receives documents that arrived in test mode (ISA15 T).
    environment: Literal["production", "test"] = "production"
    x12: X12Settings | None = None
    documents: Documents = Field(default_factory=Documents)
    acks: AckPolicy = Field(default_factory=AckPolicy)
    transport: Transport | None = None
    outbound_transport: Transport | None = None  # when sending differs from receiving
    delivery: DeliveryPolicy = Field(default_factory=DeliveryPolicy)
    code_maps: CodeMaps = Field(default_factory=CodeMaps)
    routing: list[RoutingRule] = Field(default_factory=list)
    customer_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list
    )
    # partner groups, for routing rules the self profile writes once for many partners
    groups: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]] = Field(
        default_factory=list
    )
    idoc: IdocSettings | None = None
    invoices: InvoicePolicy = Field(default_factory=InvoicePolicy)
    correlation: CorrelationPolicy = Field(default_factory=CorrelationPolicy)
    soap_service: SoapService | None = None  # the party calls our SOAP service
    api_keys: list[ApiKeySpec] = Field(default_factory=list)  # REST API clients of this party
    portal: PortalPolicy = Field(default_factory=PortalPolicy)
    alerts: AlertPolicy | None = None  # where alerts go (self profile: the global policy)
    validation: ValidationPolicy = Field(default_factory=ValidationPolicy)  # X12 levels

    @property
    def account(self) -> str:
        """The account the inbound channel reports for this party (default: the id)."""
        return (self.transport.account if self.transport else None) or self.id

    @property
    def delivery_transport(self) -> Transport | None:
        return self.outbound_transport or self.transport

    def owns_isa_id(self, qualifier: str, isa_id: str) -> bool:
        """Whether an inbound ISA sender (as sent, padding allowed) is this party."""
        return (
            self.x12 is not None
            and self.x12.isa_qualifier == qualifier.strip()
            and self.x12.isa_id == isa_id.strip()
        )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        x12_sets = self.documents.inbound or self.documents.outbound
        scoped = [r.from_ is not None for r in self.routing]
        if self.role is Role.SELF:
            if self.x12 is None:
                raise ValueError("the self profile needs x12 (the gateway's own ISA identity)")
            if not all(scoped):
                raise ValueError("routing rules of the self profile say whom they apply to: from")
            return self
        if any(scoped):
            raise ValueError("`from` belongs in the self profile's routing rules")
        if x12_sets and self.x12 is None:
            raise ValueError("documents lists X12 sets, so the profile needs an x12 section")
        if self.transport is None and self.role is not Role.CUSTOMER:
            raise ValueError(f"a {self.role.value} profile needs a transport")
        if self.x12 is not None and self.acks.kind == "999" and self.x12.version < "005010":
            raise ValueError(
                f"acks.kind 999 acknowledges 005010 and later; x12.version is "
                f"{self.x12.version} (use 997)"
            )
        expecting = self.acks.expect_ack_within_minutes is not None and self.documents.outbound
        if expecting and self.acks.kind not in self.documents.inbound:
            raise ValueError(
                f"we send {', '.join(self.documents.outbound)} and wait for a {self.acks.kind}, "
                f"so documents.inbound must list {self.acks.kind} "
                "(or set acks.expect_ack_within_minutes: null)"
            )
        self._check_directions()
        return self

    def _check_directions(self) -> None:
        inbound, outbound = self.transport, self.delivery_transport
        if (
            self.documents.inbound
            and isinstance(inbound, FolderTransport | SftpTransport)
            and inbound.inbound_dir is None
        ):
            raise ValueError("documents.inbound is not empty: the transport needs inbound_dir")
        if (
            self.documents.outbound
            and isinstance(outbound, FolderTransport | SftpTransport)
            and outbound.outbound_dir is None
        ):
            raise ValueError("documents.outbound is not empty: the transport needs outbound_dir")
