"""The `alerts:` section of a profile. In the `role: self` profile it is the global policy
(and the only place for SMTP and the console's address); in a partner's profile it overrides
the global one for that partner's alerts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gateway.registry.secrets import SecretRef


class AlertKind(StrEnum):
    ACK_OVERDUE = "ack_overdue"
    ACK_REJECTED = "ack_rejected"
    DEAD_LETTER = "dead_letter"
    SILENT_PARTNER = "silent_partner"
    HOST_KEY_REFUSED = "host_key_refused"
    IMPERSONATION = "impersonation"  # a channel carried another party's ISA sender id


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ValueError("credentials do not belong in the URL; use webhook_secret")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise ValueError("plain http is only allowed to localhost; use https")
    return value


Url = Annotated[str, AfterValidator(_url)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)]


class SmtpSettings(BaseModel):
    """The mail server alerts are sent through (global: the self profile only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: Annotated[str, Field(min_length=1, max_length=253)]
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    sender: Email  # the From address
    starttls: bool = True
    username: str | None = None
    password: SecretRef | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0


class AlertPolicy(BaseModel):
    """Where alerts go and which ones; unset fields fall back to the self profile's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    webhook_url: Url | None = None  # receives a JSON POST per alert
    webhook_secret: SecretRef | None = None  # HMAC-SHA256 of the body in X-Gateway-Signature
    email_to: list[Email] = Field(default_factory=list)
    kinds: list[AlertKind] | None = None  # None: every kind
    silent_after_hours: Annotated[float, Field(gt=0, le=8760)] | None = None  # no file this long
    smtp: SmtpSettings | None = None  # self profile only
    console_url: Url | None = None  # e.g. https://gateway.example.com/console (self profile)
