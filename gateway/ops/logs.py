"""Structured JSON logs (one object per line) carrying the correlation id of the work in hand.

`gateway run` uses them when GATEWAY_LOG_FORMAT=json. `correlation(id)` sets the id for the
code it wraps (the pipeline sets `msg-<id>` while it processes a received message), and every
record logged meanwhile carries it, whichever module logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

_correlation: ContextVar[str | None] = ContextVar("gateway_correlation_id", default=None)


@contextmanager
def correlation(correlation_id: str) -> Iterator[None]:
    token = _correlation.set(correlation_id)
    try:
        yield
    finally:
        _correlation.reset(token)


def current_correlation() -> str | None:
    return _correlation.get()


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "message", "correlation_id"?, "exception"?} per record."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        found = getattr(record, "correlation_id", None) or _correlation.get()
        if found:
            data["correlation_id"] = found
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(fmt: str, level: int = logging.INFO) -> None:
    """Root logging as plain text (`text`) or JSON lines (`json`) on stderr."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
