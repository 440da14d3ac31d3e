"""Riding out a database outage: a PostgreSQL restart, a crash and recovery, a cut connection.

Nothing of a transaction the database did not confirm has happened (the store raises
`StoreUnavailableError` for it), so a stage that meets an outage only has to wait and try again:
the receipts it could not record leave their files in the inbox, a claim or lease it could not
give back expires, a delivery it could not record is sent again under the same idempotency key.
The pool checks each connection before use (`pool_pre_ping`), so the first try after the
server is back gets a fresh one.

`Outage` is one per process, shared by its stage loops and periodic jobs: it logs ONE line when
the database goes away and one when it is back, however many stages notice, instead of a stack
trace per stage per retry. Each loop waits by its own `Backoff` (jittered, exponential, capped
at a few seconds), so several workers do not all knock on the restarted server at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import event

from gateway.store.errors import StoreUnavailableError

if TYPE_CHECKING:
    from gateway.store.store import Store

log = logging.getLogger(__name__)

BACKOFF_FIRST = 0.2  # seconds before the first retry, at most
BACKOFF_CAP = 5.0  # never more between two tries
OTHER_FAILURE_WAIT = (0.5, 2.0)  # a failure that is not an outage: logged in full, then this


class Backoff:
    """Delays for one retry loop: "full jitter" (uniform in 0..first*2^n), capped."""

    def __init__(
        self,
        first: float = BACKOFF_FIRST,
        cap: float = BACKOFF_CAP,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.first = first
        self.cap = cap
        self.rng = rng
        self.tries = 0

    def next(self) -> float:
        ceiling = min(self.cap, self.first * 2.0**self.tries)
        self.tries = min(self.tries + 1, 30)
        # never quite zero: a loop that fails at once must not spin
        return max(0.05, ceiling * self.rng())

    def reset(self) -> None:
        self.tries = 0


class Outage:
    """The process's view of the database: up, or down since when (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None
        self._watching = False
        self.outages = 0  # how many began in this process (tests, status)

    def watch(self, store: Store) -> None:
        """Say "back" only once a connection to the database was really had (checked out
        after its ping): a step that needs none, such as polling an empty inbox, proves
        nothing and would split one outage into many."""
        event.listen(store._engine, "checkout", lambda *_: self.back())
        self._watching = True

    @property
    def down(self) -> bool:
        return self._since is not None

    def lost(self, where: str, exc: StoreUnavailableError) -> None:
        with self._lock:
            if self._since is not None:
                return  # already said
            self._since = self.clock()
            self.outages += 1
        log.warning("%s (%s); retrying with backoff until it answers", exc, where)

    def back(self) -> None:
        if self._since is None:  # the common case: no lock taken
            return
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.warning("database reachable again after %.1f s", self.clock() - since)

    def attempt(self, where: str, step: Callable[[], object]) -> bool:
        """Run `step` once: True if it went through, False after an outage (logged once)."""
        try:
            step()
        except StoreUnavailableError as exc:
            self.lost(where, exc)
            return False
        if not self._watching:
            self.back()
        return True


class StageRetry:
    """One stage loop's step under an `Outage`: returns how long to wait before the next try
    (0.0 after a success)."""

    def __init__(self, name: str, outage: Outage, backoff: Backoff | None = None) -> None:
        self.name = name
        self.outage = outage
        self.backoff = backoff or Backoff()

    def run(self, step: Callable[[], object]) -> float:
        try:
            went = self.outage.attempt(self.name, step)
        except Exception:  # keep serving; a failure that is not an outage has its cause logged
            log.exception("%s stage failed", self.name)
            return random.uniform(*OTHER_FAILURE_WAIT)
        if went:
            self.backoff.reset()
            return 0.0
        return self.backoff.next()
