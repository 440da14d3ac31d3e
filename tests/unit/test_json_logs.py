"""Structured JSON logs carry the correlation id of the message being worked on."""

from __future__ import annotations

import json
import logging

from gateway.ops.logs import JsonFormatter, correlation, current_correlation


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys

            info = sys.exc_info()
    return logging.LogRecord("gateway.pipeline", logging.WARNING, __file__, 1, message, args, info)


def test_each_line_is_one_json_object_with_the_correlation_id() -> None:
    fmt = JsonFormatter()
    outside = json.loads(fmt.format(record("message %s quarantined", 7)))
    assert outside["message"] == "message 7 quarantined" and outside["level"] == "warning"
    assert outside["logger"] == "gateway.pipeline" and "correlation_id" not in outside
    with correlation("msg-7"):
        assert current_correlation() == "msg-7"
        with correlation("msg-8"):
            inner = json.loads(fmt.format(record("nested")))
        line = fmt.format(record('partner text "quoted"\nnewline', exc=True))
    assert inner["correlation_id"] == "msg-8"
    assert "\n" not in line  # one record, one line, whatever the message holds
    data = json.loads(line)
    assert data["correlation_id"] == "msg-7" and "ValueError: boom" in data["exception"]
    assert current_correlation() is None
