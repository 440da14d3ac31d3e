"""The values CLI options accept, as Enums so a wrong value is answered with the valid ones.

Kept free of the store's imports (the CLI starts fast); tests/unit/test_cli_messages.py checks
they match `gateway.store`'s enums.
"""

from __future__ import annotations

from enum import StrEnum


class MessageChoice(StrEnum):
    RECEIVED = "received"
    PARSED = "parsed"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"
    FAILED = "failed"


class MessageListChoice(StrEnum):
    """`gateway messages --status`: a message status, or `refused` for inbox entries."""

    RECEIVED = "received"
    PARSED = "parsed"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    REFUSED = "refused"


class AckStatusChoice(StrEnum):
    PENDING = "pending"
    OVERDUE = "overdue"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


class AckDirectionChoice(StrEnum):
    EXPECTED = "expected"
    SENT = "sent"
    RECEIVED = "received"
