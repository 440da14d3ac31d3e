"""The store's exception tree; callers never see a raw SQLAlchemy or driver error for these cases.

StoreError                  anything the store raises on purpose
├── StoreBusyError          SQLite: another writer held the database past busy_timeout
├── StoreConflictError      a uniqueness rule was hit by a concurrent writer; retry the step
├── StoreConfigError        unusable URL or settings (unsupported dialect, bad path)
├── DuplicateInterchangeError  sender + ISA13 already recorded; nothing was written
├── GroupWriteFailed        a write failed inside a group commit's message and its error was
│                           caught: the message is undone, the group redone one by one
└── InterchangeStateError   a streaming step on an interchange that is not open (finished,
                            discarded or unknown); nothing was written
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of the errors the store raises deliberately."""


class StoreBusyError(StoreError):
    """The database stayed locked by another connection or process for longer than busy_timeout."""


class StoreConflictError(StoreError):
    """A unique constraint rejected the write (e.g. an idempotency key inserted concurrently)."""


class StoreConfigError(StoreError):
    """The store cannot be opened with the given URL or settings."""


class DuplicateInterchangeError(StoreError):
    """An interchange with this direction, sender id and ISA13 exists; the batch was not written.

    `existing_id` is the first one's interchange id, `existing_message_id` its message.
    """

    def __init__(self, existing_id: int, existing_message_id: int | None) -> None:
        super().__init__(
            f"interchange already recorded as #{existing_id} (message {existing_message_id})"
        )
        self.existing_id = existing_id
        self.existing_message_id = existing_message_id


class GroupWriteFailed(StoreError):
    """A write inside `Store.savepoint()` (one message of a group commit) failed and the caller
    went on: the message's savepoint is rolled back and the group is processed one by one."""


class InterchangeStateError(StoreError):
    """A streaming step (begin_group, append_sets, finish_*) named an interchange or group whose
    interchange is not open: unknown, already finished, or discarded after a crash."""


class StoreUnavailableError(StoreError):
    """The database could not be reached or dropped the connection (a restart, a network cut):
    nothing of the transaction committed; the caller tries again later."""
