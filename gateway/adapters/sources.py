"""Polled sources by transport kind: one registration line per kind (the folder source is the
service's own, watching `inbox/`).

A factory gets the partner's profile and what every polled source needs from the service (where
to stage copies, how to raise an alert, how to tell a whole file); it returns a `Source`, or
None when the profile has nothing to pick up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.adapters.base import Source
from gateway.registry import PartnerProfile, Registry


@dataclass(frozen=True, slots=True)
class SourceContext:
    var_dir: Path
    alert: Callable[[str, dict[str, Any]], None] | None = None
    complete: Callable[[Path], bool] | None = None  # is a copied file whole (X12: ends in IEA)


SourceFactory = Callable[[PartnerProfile, SourceContext], Source | None]


def _sftp(profile: PartnerProfile, ctx: SourceContext) -> Source | None:
    from gateway.adapters.sftp import sftp_source
    from gateway.registry.profile import SftpTransport

    transport = profile.transport
    if not isinstance(transport, SftpTransport) or transport.inbound_dir is None:
        return None
    return sftp_source(
        profile.id, profile.account, transport, ctx.var_dir, complete=ctx.complete, alert=ctx.alert
    )


# One line per polled transport kind.
SOURCES: dict[str, SourceFactory] = {"sftp": _sftp}


def partner_sources(registry: Registry, ctx: SourceContext) -> list[Source]:
    """A source for every profile whose inbound transport is polled."""
    sources: list[Source] = []
    for profile in registry.profiles:
        factory = SOURCES.get(profile.transport.kind) if profile.transport else None
        source = factory(profile, ctx) if factory is not None else None
        if source is not None:
            sources.append(source)
    return sources
