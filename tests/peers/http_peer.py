"""A real HTTP receiving peer on loopback that counts effects per Idempotency-Key.

It applies each key once (a second POST with the same key gets 409, no second effect), can be
told to fail the next N requests, and records what it saw, for ledger checks in tests.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class PeerState:
    effects: Counter[str] = field(default_factory=Counter)  # key -> applied count (must be 1)
    attempts: Counter[str] = field(default_factory=Counter)  # key -> requests seen
    bodies: dict[str, bytes] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    fail_next: int = 0
    fail_status: int = 503
    lock: threading.Lock = field(default_factory=threading.Lock)


class HttpPeer:
    def __init__(self) -> None:
        self.state = PeerState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                with state.lock:
                    state.attempts[key] += 1
                    if state.fail_next > 0:
                        state.fail_next -= 1
                        status = state.fail_status
                    elif not key:
                        status = 400
                    elif state.effects[key]:
                        status = 409
                    else:
                        state.effects[key] += 1
                        state.bodies[key] = body
                        state.headers[key] = dict(self.headers.items())
                        status = 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/inbound"

    def __enter__(self) -> HttpPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
