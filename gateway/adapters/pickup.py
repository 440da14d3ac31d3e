"""One pickup strategy for every polled source (Camel's GenericFileProcessStrategy).

A file goes through the same four steps whatever the transport:

    read lock   offered only once complete: size and mtime unchanged across two looks at least
                `stable_seconds` apart (or a closed-write event), never a temporary name
    claim       taken out of the partner's reach (folder: held in flight; SFTP: renamed into a
                processing directory on the server)
    commit      after the receipt commit only: removed (or archived) at the source
    rollback    released for a later attempt, never lost

Names are checked here too: a remote or dropped name with a slash, `..`, NUL or any control
character is refused (and reported once); local copies always get names the gateway makes up.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

from gateway.adapters.base import ChannelFacts, InboundClaim

log = logging.getLogger(__name__)

# partners' usual "still being written" names; a leading dot is always temporary or hidden
TEMP_SUFFIXES: tuple[str, ...] = (".tmp", ".part", ".partial", ".filepart", ".crdownload")
MAX_NAME_LENGTH = 255


def is_candidate_name(name: str, temp_suffixes: Iterable[str] = TEMP_SUFFIXES) -> bool:
    """Whether a name may be a finished file (not hidden, not a temporary name)."""
    return not name.startswith(".") and not name.lower().endswith(tuple(temp_suffixes))


def name_problem(name: str) -> str:
    """Why a partner-supplied file name is refused, or "" when it is acceptable."""
    if not name or name in (".", ".."):
        return "empty or dot name refused"
    if len(name) > MAX_NAME_LENGTH:
        return "name longer than 255 characters refused"
    if "/" in name or "\\" in name:
        return "name with a path separator refused"
    if ".." in name.split("/"):
        return "name with '..' refused"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        return "name with a control character refused"
    return ""


@dataclass(slots=True)
class _Look:
    size: int
    mtime: float
    since: float


@dataclass
class ReadLock:
    """The "changed" read lock: a file is ready when it stopped changing.

    `ready` is asked once per look (scan or poll). A file is ready when its size and mtime
    equal the previous look's and `stable_seconds` passed since it last changed, or at once on a
    closed-write event. `second_look` forces two looks even with `stable_seconds == 0` (remote
    servers send no events: size stable across two polls).
    """

    stable_seconds: float = 1.0
    second_look: bool = False
    _looks: dict[Hashable, _Look] = field(default_factory=dict)

    def ready(
        self, key: Hashable, size: int, mtime: float, now: float, *, closed: bool = False
    ) -> bool:
        prev = self._looks.get(key)
        if prev is None or prev.size != size or prev.mtime != mtime:
            self._looks[key] = _Look(size, mtime, now)
            if not closed and (self.stable_seconds > 0 or self.second_look):
                return False
        elif not closed and now - prev.since < self.stable_seconds:
            return False
        self._looks.pop(key, None)
        return True

    def forget_except(self, present: set[Hashable], keep: Callable[[Hashable], bool]) -> None:
        """Drop looks at files that are gone (only among keys `keep` says this scan covered)."""
        for gone in [k for k in self._looks if keep(k) and k not in present]:
            del self._looks[gone]


@dataclass
class Refusals:
    """Entries the gateway will not take, each reported once with its reason."""

    channel: str
    found: list[tuple[str, str]] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def report(self, where: str, reason: str) -> bool:
        """Record a refusal; True the first time (the caller may raise an alert then)."""
        key = (where, reason)
        if key in self._seen:
            return False
        self._seen.add(key)
        self.found.append(key)
        log.warning("%s: %r not taken: %s", self.channel, where, reason)
        return True


class ClaimStrategy:
    """What claim/commit/rollback mean for one transport; sources subclass it."""

    def commit(self, claim: PickupClaim) -> None:
        raise NotImplementedError

    def commit_many(self, claims: Sequence[PickupClaim]) -> None:
        """Commit claims taken together (each once); a source may share its syncs."""
        for claim in claims:
            self.commit(claim)

    def rollback(self, claim: PickupClaim, reason: str) -> None:
        raise NotImplementedError


@dataclass(eq=False)
class PickupClaim:
    """An `InboundClaim` whose commit and rollback go to the source's strategy, exactly once."""

    facts: ChannelFacts
    key: str  # the source's own handle (folder path, remote name)
    opener: Callable[[], BinaryIO]
    strategy: ClaimStrategy
    _done: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def open(self) -> BinaryIO:
        return self.opener()

    def commit(self) -> None:
        if self._finish():
            self.strategy.commit(self)

    def rollback(self, reason: str) -> None:
        if self._finish():
            self.strategy.rollback(self, reason)

    def _finish(self) -> bool:
        with self._lock:
            if self._done:
                return False
            self._done = True
            return True


def commit_claims(claims: Sequence[InboundClaim]) -> None:
    """Commit claims whose payloads are durably stored: those of one pickup source together
    (`ClaimStrategy.commit_many`: a folder makes its removals durable with one directory fsync
    per folder, not one per file), any other claim on its own."""
    batches: dict[int, tuple[ClaimStrategy, list[PickupClaim]]] = {}
    for claim in claims:
        if isinstance(claim, PickupClaim):
            if claim._finish():  # exactly once, as `commit`
                batches.setdefault(id(claim.strategy), (claim.strategy, []))[1].append(claim)
        else:
            claim.commit()
    for strategy, batch in batches.values():
        strategy.commit_many(batch)


def facts(channel: str, account: str, name: str, size: int, at: datetime) -> ChannelFacts:
    return ChannelFacts(
        channel=channel, account=account, original_name=name, received_at=at, size=size
    )
