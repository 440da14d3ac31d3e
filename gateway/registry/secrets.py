"""Secrets in partner profiles are references (`${ENV_VAR}`), never values.

`find_inline_secrets` scans a raw profile for values that look like secrets written inline;
`resolve_secret` turns a reference into its value at the moment an adapter needs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator

REFERENCE = re.compile(r"^\$\{([A-Z][A-Z0-9_]*)\}$")

_SECRET_NAMES = frozenset(
    {
        "password",
        "passphrase",
        "secret",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "credential",
        "credentials",
        "hmac_key",
        "signing_key",
    }
)
_SECRET_SUFFIXES = ("_password", "_passphrase", "_secret", "_token", "_api_key", "_private_key")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_AWS_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")

INLINE_MESSAGE = "inline secret: put the value in an environment variable and write ${NAME} here"


class SecretMissingError(LookupError):
    """A `${ENV_VAR}` reference whose variable is not set (the message names only the variable)."""


def _check_reference(value: str) -> str:
    if not REFERENCE.match(value):
        raise ValueError("must be a reference like ${ENV_VAR}, never the secret itself")
    return value


SecretRef = Annotated[str, AfterValidator(_check_reference)]
"""A profile field that holds a secret: only `${ENV_VAR}` is accepted."""


def is_secret_name(key: str) -> bool:
    name = key.lower().replace("-", "_")
    return name in _SECRET_NAMES or name.endswith(_SECRET_SUFFIXES)


def find_inline_secrets(data: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, message) for every value in a raw profile that looks like an inline secret."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            child = f"{path}.{key}" if path else str(key)
            if (
                isinstance(key, str)
                and is_secret_name(key)
                and isinstance(value, str | int | float)
                and not isinstance(value, bool)
                and str(value).strip()
                and not REFERENCE.match(str(value))
            ):
                yield child, INLINE_MESSAGE
            else:
                yield from find_inline_secrets(value, child)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from find_inline_secrets(item, f"{path}[{index}]")
    elif isinstance(data, str):
        if _PRIVATE_KEY.search(data):
            yield path, "inline private key: " + INLINE_MESSAGE
        elif _AWS_ACCESS_KEY.search(data):
            yield path, "inline cloud access key: " + INLINE_MESSAGE
        elif "://" in data and _has_url_password(data):
            yield path, "URL with a password: " + INLINE_MESSAGE


def _has_url_password(value: str) -> bool:
    try:
        return urlsplit(value.strip()).password is not None
    except ValueError:
        return False


def reference_name(ref: str) -> str:
    """The variable name inside `${NAME}`."""
    match = REFERENCE.match(ref)
    if match is None:
        raise ValueError("not a ${ENV_VAR} reference")
    return match.group(1)


def resolve_secret(ref: str, env: Mapping[str, str] | None = None) -> str:
    """The value of the `${ENV_VAR}` reference from `env` (default: the process environment)."""
    name = reference_name(ref)
    value = (os.environ if env is None else env).get(name)
    if value is None or value == "":
        raise SecretMissingError(f"environment variable {name} is not set")
    return value
