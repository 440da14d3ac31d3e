"""Operations surface of the gateway: the HTTP ops API, the status page and Prometheus metrics.

`create_app(store, registry, api_keys=...)` builds the FastAPI app; `serve_in_thread(app, ...)`
runs it under uvicorn in a daemon thread and returns a `RunningServer` to `.stop()`.
"""

from gateway.ops.api import API_KEY_HEADER, create_app
from gateway.ops.server import RunningServer, ServerStartError, serve_in_thread

__all__ = ["API_KEY_HEADER", "RunningServer", "ServerStartError", "create_app", "serve_in_thread"]
