"""Routing: which destinations a canonical document goes to, and how each renders it.

Rules come from the registry: the sending partner's profile lists (document, events) ->
destinations. A destination is a profile id; `@carrier` means the carrier the document names.
Rendering is a pure transform chosen by the destination's role (portal, tms, erp, carrier).
"""

from gateway.routing.rules import (
    RenderedDelivery,
    RenderFailure,
    Router,
    RoutingError,
    UnroutableError,
)

__all__ = ["RenderFailure", "RenderedDelivery", "Router", "RoutingError", "UnroutableError"]
