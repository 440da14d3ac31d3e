"""The SQLite writer lock of the stage threads: reentrant, and handed over in arrival order."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable

import pytest

from gateway.store._writer_lock import WriterLock


def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.001)


def _queued(lock: WriterLock) -> int:
    return len(lock._waiters)


def test_the_holder_takes_it_again_and_gives_it_up_after_as_many_releases() -> None:
    lock = WriterLock()
    lock.acquire()
    lock.acquire()
    lock.release()
    got = threading.Event()
    other = threading.Thread(target=lambda: (lock.acquire(), got.set(), lock.release()))
    other.start()
    _until(lambda: _queued(lock) == 1)
    assert not got.is_set()  # still held once
    lock.release()
    other.join(5)
    assert got.is_set()
    with lock:  # free again
        pass


def test_a_release_hands_it_to_the_longest_waiter_not_back_to_the_releasing_thread() -> None:
    # what the stages do: the process stage ends one group commit and opens the next at once,
    # while the receive and deliver stages wait; they must go first
    lock = WriterLock()
    order: list[str] = []

    def stage(name: str) -> None:
        with lock:
            order.append(name)

    lock.acquire()
    receive = threading.Thread(target=stage, args=("receive",))
    receive.start()
    _until(lambda: _queued(lock) == 1)
    deliver = threading.Thread(target=stage, args=("deliver",))
    deliver.start()
    _until(lambda: _queued(lock) == 2)
    lock.release()
    lock.acquire()  # the next group, at once
    order.append("process")
    lock.release()
    receive.join(5)
    deliver.join(5)
    assert order == ["receive", "deliver", "process"]


def test_only_the_holder_releases() -> None:
    lock = WriterLock()
    with pytest.raises(RuntimeError):
        lock.release()
    lock.acquire()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            lock.release()
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=other)
    t.start()
    t.join(5)
    assert len(errors) == 1
    lock.release()


class _Interrupted(Exception):
    pass


def test_a_waiter_interrupted_leaves_the_queue_and_the_lock_usable() -> None:
    lock = WriterLock()
    main = threading.get_ident()

    def interrupt(signum: int, frame: object) -> None:
        raise _Interrupted

    previous = signal.signal(signal.SIGUSR1, interrupt)
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with lock:
            held.set()
            _until(lambda: _queued(lock) == 1)
            signal.pthread_kill(main, signal.SIGUSR1)  # the main thread waits in acquire
            release.wait(5)

    t = threading.Thread(target=holder)
    try:
        t.start()
        held.wait(5)
        with pytest.raises(_Interrupted):
            lock.acquire()
        assert _queued(lock) == 0
        release.set()
        t.join(5)
        with lock:  # nobody waits on a ticket that will never come
            pass
    finally:
        release.set()
        signal.signal(signal.SIGUSR1, previous)
