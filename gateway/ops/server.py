"""Runs an ASGI app under uvicorn in a daemon thread, for `gateway run` and the tests.

The listening socket is bound here, before the thread starts, so a port in use fails in the
caller and port 0 yields the chosen port at once; `stop()` closes it and joins the thread.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

STARTUP_TIMEOUT_SECONDS = 10.0
GRACEFUL_SHUTDOWN_SECONDS = 3


class ServerStartError(RuntimeError):
    """uvicorn did not start serving (its own log says why)."""


@dataclass
class RunningServer:
    """A uvicorn server serving in its own thread until `stop()`."""

    server: uvicorn.Server
    thread: threading.Thread
    listener: socket.socket
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, let requests in progress finish (briefly), and join the thread."""
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():  # a request that will not finish: drop it
            self.server.force_exit = True
            self.thread.join(timeout)
        self.listener.close()


def serve_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 8080, *, log_level: str = "warning"
) -> RunningServer:
    """Serve `app` on host:port (0: any free port) and return once it accepts connections."""
    listener = _bind(host, port)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        ws="none",
        lifespan="auto",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="ops-http", daemon=True
    )
    running = RunningServer(server, thread, listener, host, listener.getsockname()[1])
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            running.stop()
            raise ServerStartError(f"the HTTP server on {host}:{port} did not start")
        time.sleep(0.01)
    return running


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # a restarted gateway can take its port back while old connections sit in TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock
