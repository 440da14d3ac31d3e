"""Profiles reloaded while the gateway runs: `partners/` is looked at (a stat of each file,
cheap enough for every tick) and, when anything changed, loaded and checked as a whole first.

A set that does not load is not applied: the last good one stays in force and the problems are
returned once for that state of the folder (a half-saved file is tried again when it changes).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gateway.registry.registry import (
    PROFILE_SUFFIXES,
    ProfileProblem,
    Registry,
    RegistryError,
)

Fingerprint = tuple[tuple[str, int, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
    """(name, size, mtime, inode) of every profile file: any edit, add, remove or rename shows."""
    found: list[tuple[str, int, int, int]] = []
    try:
        with os.scandir(directory) as it:
            for entry in it:
                if entry.name.endswith(PROFILE_SUFFIXES) and not entry.name.startswith("."):
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    found.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ino))
    except OSError:
        return ()
    return tuple(sorted(found))


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a change of the folder did: applied (with what changed) or refused (with why)."""

    applied: bool
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    problems: tuple[ProfileProblem, ...] = ()


@dataclass
class PartnersWatch:
    """Reloads `registry` in place (one atomic swap) when `directory` changes."""

    directory: Path
    registry: Registry
    load: Callable[[Path], Registry] = Registry.load
    _last: Fingerprint = field(default=(), init=False)

    def __post_init__(self) -> None:
        self._last = fingerprint(self.directory)

    def poll(self) -> ReloadResult | None:
        """None when nothing changed since the last look."""
        now = fingerprint(self.directory)
        if now == self._last:
            return None
        self._last = now
        try:
            new = self.load(self.directory)
        except RegistryError as exc:
            return ReloadResult(applied=False, problems=tuple(exc.problems))
        before = {p.id: p for p in self.registry}
        after = {p.id: p for p in new}
        self.registry.replace_with(new)
        return ReloadResult(
            applied=True,
            added=tuple(sorted(after.keys() - before.keys())),
            removed=tuple(sorted(before.keys() - after.keys())),
            changed=tuple(sorted(i for i in after.keys() & before.keys() if after[i] != before[i])),
        )
