"""`WriterLock`: SQLite's one writer, handed to the stage threads in the order they asked.

The receive, process and deliver stages of one process share SQLite's write lock through a
lock in the process, so they queue instead of sleeping in SQLite's busy handler. A plain
`threading.RLock` lets the thread that just released it take it straight back: the process
stage ends a group commit and opens the next one before the receive or deliver thread,
woken by the release, runs. Under a steady stream of files the delivery of a finished group
then waited behind further groups (BENCHMARKS.md, "Tenth pass": p99 of drop to portal file).
Here the release hands the lock to the longest waiter, so each stage's turn comes after at
most one turn of each other stage.

Reentrant for the thread that holds it (a write inside the thread's own group commit).
"""

from __future__ import annotations

import threading
from collections import deque


class WriterLock:
    """A reentrant lock that a release hands to the longest-waiting thread (FIFO, no
    barging): what `threading.RLock` is used for, without starving a waiting thread."""

    __slots__ = ("_depth", "_mutex", "_owner", "_waiters")

    def __init__(self) -> None:
        self._mutex = threading.Lock()  # guards the fields below
        self._owner: int | None = None
        self._depth = 0
        # each waiting thread's ident and a lock it blocks on until the release hands over
        self._waiters: deque[tuple[int, threading.Lock]] = deque()

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return
            gate = threading.Lock()
            gate.acquire()
            entry = (me, gate)
            self._waiters.append(entry)
        try:
            gate.acquire()  # released by `release`, which has made this thread the owner
        except BaseException:  # interrupted while waiting (KeyboardInterrupt in the main thread)
            with self._mutex:
                handed = self._owner == me
                if not handed:
                    self._waiters.remove(entry)
            if handed:
                self.release()  # it came with the interruption: pass it on
            raise

    def release(self) -> None:
        with self._mutex:
            if self._owner != threading.get_ident():
                raise RuntimeError("cannot release a WriterLock this thread does not hold")
            self._depth -= 1
            if self._depth:
                return
            if self._waiters:
                owner, gate = self._waiters.popleft()
                self._owner, self._depth = owner, 1
                gate.release()
            else:
                self._owner = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
