"""The REST routers of the TMS, the portal and partners, built over one `AuthConfig`.

`rest_routers(...)` is what `gateway run` passes to `create_app(routers=...)`; each router
lives in its own module and takes its scope checks from `gateway/ops/auth.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from gateway.ops.auth import AuthConfig
from gateway.ops.ingest import Ingest
from gateway.ops.visibility import visibility_router
from gateway.pipeline.inbound import InboundPipeline
from gateway.registry import Registry
from gateway.store import Store

RouterBuilder = Callable[[AuthConfig], APIRouter]


def rest_routers(
    store: Store, registry: Registry, pipeline: InboundPipeline, wake: Callable[[], None]
) -> list[RouterBuilder]:
    ingest = Ingest(store, registry, pipeline, wake)
    return [ingest.router, visibility_router(store, registry)]
