"""Durable state of the gateway: the only package that imports SQLAlchemy.

`create_store(url)` opens SQLite (embedded default, `var/gateway.db`) or PostgreSQL;
`Store.migrate()` / `migrate(url)` bring the schema to head; everything else is a `Store` method.
"""

from gateway.store.control_numbers import (
    MAX_CONTROL_NUMBER,
    DurableControlNumbers,
    TransactionControlNumbers,
    allocate_control_numbers,
)
from gateway.store.engine import default_url
from gateway.store.errors import StoreBusyError, StoreConfigError, StoreConflictError, StoreError
from gateway.store.migrate import migrate
from gateway.store.records import (
    AckDirection,
    AckKind,
    AckRow,
    AckStatus,
    BatchIds,
    CounterKind,
    Direction,
    DocumentRow,
    EventRow,
    GroupRow,
    InterchangeRow,
    MessageId,
    MessageRow,
    MessageStatus,
    NewAck,
    NewDocument,
    NewEvent,
    NewGroup,
    NewInterchange,
    NewOutbox,
    NewSet,
    OutboundBatch,
    OutboxId,
    OutboxRow,
    OutboxStatus,
    Receipt,
    SetRow,
)
from gateway.store.store import Store, create_store, utc_now

__all__ = [
    "MAX_CONTROL_NUMBER",
    "AckDirection",
    "AckKind",
    "AckRow",
    "AckStatus",
    "BatchIds",
    "CounterKind",
    "Direction",
    "DocumentRow",
    "DurableControlNumbers",
    "EventRow",
    "GroupRow",
    "InterchangeRow",
    "MessageId",
    "MessageRow",
    "MessageStatus",
    "NewAck",
    "NewDocument",
    "NewEvent",
    "NewGroup",
    "NewInterchange",
    "NewOutbox",
    "NewSet",
    "OutboundBatch",
    "OutboxId",
    "OutboxRow",
    "OutboxStatus",
    "Receipt",
    "SetRow",
    "Store",
    "StoreBusyError",
    "StoreConfigError",
    "StoreConflictError",
    "StoreError",
    "TransactionControlNumbers",
    "allocate_control_numbers",
    "create_store",
    "default_url",
    "migrate",
    "utc_now",
]
