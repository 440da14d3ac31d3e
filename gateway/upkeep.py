"""What a running gateway looks after besides messages: profiles reloaded when `partners/`
changes, and inbox entries it will not take reported once (event, log line; the status page,
metrics and `gateway messages` read the events) and set aside where the profile says.

`Gateway` calls `reload_partners_if_changed()` before it polls and `report_inbox_refusals()`
after; neither ever fails a tick (a problem is logged and recorded instead).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gateway.adapters.folder import Refusal
from gateway.notices import INBOX_REFUSED, RELOAD_REFUSED, RELOADED
from gateway.registry import PartnerProfile, Registry
from gateway.registry.reload import PartnersWatch, ReloadResult

if TYPE_CHECKING:
    from gateway.service import Gateway

log = logging.getLogger(__name__)

_REMEMBERED = 10_000  # refusals of earlier runs not reported again (newest first)


class Upkeep:
    def __init__(self, gateway: Gateway) -> None:
        self.gw = gateway
        self.watch = PartnersWatch(gateway.settings.partners_dir, gateway.registry)
        # over the cap: refused before archiving, once, instead of archived on every rescan
        gateway.source.max_bytes = gateway.settings.max_payload_bytes
        gateway.source.stale_seconds = gateway.settings.stale_upload_seconds
        earlier = gateway.store.list_events(
            kinds=(INBOX_REFUSED,), newest_first=True, limit=_REMEMBERED
        )
        gateway.source.known({str((e.detail or {}).get("key", "")) for e in earlier})
        _warn_unrunnable(gateway.registry)

    # ------------------------------------------------------------ partner profiles

    def reload_partners_if_changed(self) -> ReloadResult | None:
        try:
            result = self.watch.poll()
        except Exception:  # never stop the gateway over a folder it could not read
            log.exception("partner profiles: reload failed; the profiles in force stay")
            return None
        if result is None:
            return None
        store = self.gw.store
        if not result.applied:
            problems = [str(p) for p in result.problems]
            log.error(
                "partner profiles NOT reloaded, the last good set stays in force: %s",
                "; ".join(problems),
            )
            store.add_event(RELOAD_REFUSED, {"problems": problems})
            return result
        detail: dict[str, Any] = {
            "added": list(result.added),
            "removed": list(result.removed),
            "changed": list(result.changed),
            "profiles": len(self.gw.registry),
        }
        log.info("partner profiles reloaded: %s", detail)
        store.add_event(RELOADED, detail)
        self._after_reload()
        return result

    def _after_reload(self) -> None:
        # delivery sinks carry a profile's transport settings: build them again on next use
        sinks = self.gw.delivery._sinks
        for sink in list(sinks.values()):
            close = getattr(sink, "close", None)
            if callable(close):
                close()
        sinks.clear()
        for account in self.gw._folder_accounts():
            (self.gw.settings.inbox_dir / account).mkdir(parents=True, exist_ok=True)
        _warn_unrunnable(self.gw.registry)

    # ------------------------------------------------------------ inbox refusals

    def report_inbox_refusals(self) -> int:
        refusals = self.gw.source.take_refusals()
        for refusal in refusals:
            try:
                self._report(refusal)
            except Exception:  # the next refusal still gets reported
                log.exception("inbox: could not report %s", refusal.path)
        return len(refusals)

    def _report(self, refusal: Refusal) -> None:
        moved = self._set_aside(refusal)
        where = f"{refusal.account}/{refusal.name}" if refusal.account else refusal.name
        log.warning(
            "inbox entry %s not taken: %s%s",
            where,
            refusal.reason,
            f" (moved to {moved})" if moved else "",
        )
        detail = {
            "account": refusal.account,
            "name": refusal.name,
            "kind": refusal.kind,
            "reason": refusal.reason,
            "moved_to": moved,
            "key": refusal.key,
        }
        self.gw.store.add_event(INBOX_REFUSED, detail)

    def _set_aside(self, refusal: Refusal) -> str | None:
        """Move the entry to the profile's `refused_dir`; None when it stays (the default)."""
        if refusal.kind == "stale" or not refusal.account:
            return None  # an upload may still finish; the root has no profile
        profile = self.gw.registry.by_channel("folder", refusal.account)
        folder = _refused_dir(profile, self.gw.settings.base_dir)
        if folder is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / refusal.name
        n = 1
        while os.path.lexists(target):
            target = folder / f"{refusal.name}.{n}"
            n += 1
        os.rename(refusal.path, target)  # the entry itself: a link stays a link
        return str(target.relative_to(self.gw.settings.base_dir))


def _refused_dir(profile: PartnerProfile | None, base: Path) -> Path | None:
    transport = profile.transport if profile is not None else None
    value = getattr(transport, "refused_dir", None)
    return base / value if value else None


def _warn_unrunnable(registry: Registry) -> None:
    from gateway.adapters.kinds import RUNNABLE_TRANSPORT_KINDS

    for p in registry:
        for transport in (p.transport, p.outbound_transport):
            if transport is not None and transport.kind not in RUNNABLE_TRANSPORT_KINDS:
                log.warning(
                    "partner %s: transport %r cannot run in this gateway; nothing will reach "
                    "it (see `gateway partners check`)",
                    p.id,
                    transport.kind,
                )
