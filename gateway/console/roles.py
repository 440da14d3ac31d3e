"""Console roles and the user-name rule: what the CLI needs without the store or argon2
(`gateway.console.auth` re-exports them)."""

from __future__ import annotations

from enum import StrEnum

NAME_PATTERN = r"^[A-Za-z0-9._@-]{1,64}$"


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"  # may replay and requeue
    ADMIN = "admin"  # may manage users
