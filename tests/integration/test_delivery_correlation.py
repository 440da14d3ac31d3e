"""A delivery's log lines carry the correlation id of the message it came from (JSON logs)."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from gateway.ops.logs import JsonFormatter
from tests.integration.gateway_env import demo_214, drop, gateway, make_home


def test_a_failed_delivery_logs_with_its_message_correlation_id(tmp_path: Path) -> None:
    settings = make_home(tmp_path)
    portal = settings.partners_dir / "portal.yaml"
    # a portal webhook nobody listens on (port 9, discard, is closed here): each send fails
    portal.write_text(
        portal.read_text().replace(
            "  kind: folder\n  outbound_dir: outbox/portal\n",
            "  kind: http\n  url: http://127.0.0.1:9/hook\n  timeout_seconds: 2\n",
        )
    )
    gw = gateway(settings)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())  # formatted as emitted, like `gateway run`'s handler
    logger = logging.getLogger("gateway.pipeline.delivery")
    logger.addHandler(handler)
    try:
        drop(settings, "demo-carrier", "s.edi", demo_214("000000771"))
        gw.tick()
    finally:
        logger.removeHandler(handler)
        gw.store.close()
    (message,) = [m for m in gw.store.list_messages() if m.original_name == "s.edi"]
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    failures = [line for line in lines if " failed (" in line["message"]]
    assert failures, lines
    assert {line.get("correlation_id") for line in failures} == {f"msg-{message.id}"}
