"""Partner registry: loads and checks partners/*.yaml, and finds a partner by id, ISA id or channel.

`Registry.load(dir)` raises `RegistryError` listing every problem; `check(dir)` returns them.
"""

from gateway.registry.profile import (
    AckPolicy,
    CodeMaps,
    DeliveryPolicy,
    Documents,
    FolderTransport,
    HttpTransport,
    IdocSettings,
    PartnerProfile,
    Role,
    RoutingRule,
    SftpTransport,
    SoapTransport,
    Transport,
    X12Delimiters,
    X12Settings,
)
from gateway.registry.registry import (
    ProfileProblem,
    Registry,
    RegistryError,
    UnknownPartnerError,
    check,
    parse_profile,
)
from gateway.registry.secrets import SecretMissingError, SecretRef, resolve_secret

__all__ = [
    "AckPolicy",
    "CodeMaps",
    "DeliveryPolicy",
    "Documents",
    "FolderTransport",
    "HttpTransport",
    "IdocSettings",
    "PartnerProfile",
    "ProfileProblem",
    "Registry",
    "RegistryError",
    "Role",
    "RoutingRule",
    "SecretMissingError",
    "SecretRef",
    "SftpTransport",
    "SoapTransport",
    "Transport",
    "UnknownPartnerError",
    "X12Delimiters",
    "X12Settings",
    "check",
    "parse_profile",
    "resolve_secret",
]
