"""`soap_service:` in a profile: how a system (the ERP) authenticates to the gateway's SOAP service.

The password is a `${ENV_VAR}` reference, resolved when a request is checked, so a rotated
secret needs no restart.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.registry.secrets import SecretRef

AuthMethod = Literal["ws-security", "basic"]


class SoapService(BaseModel):
    """The party calls `POST /soap` with WS-Security UsernameToken (PasswordText) or HTTP Basic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@-]+$")]
    password: SecretRef
    auth: Annotated[tuple[AuthMethod, ...], Field(min_length=1)] = ("ws-security", "basic")
