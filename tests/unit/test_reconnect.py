"""Riding out a database outage (gateway/store/reconnect.py): jittered exponential backoff with
a cap, and one log line when the database goes and one when it is back, however many stages
notice. The restart itself is tested on a real PostgreSQL in
tests/integration/test_postgres_restart.py."""

from __future__ import annotations

import logging

import pytest

from gateway.store.errors import StoreUnavailableError
from gateway.store.reconnect import Backoff, Outage, StageRetry


def test_backoff_doubles_up_to_its_cap_and_starts_again_after_a_success() -> None:
    top = Backoff(first=0.2, cap=5.0, rng=lambda: 1.0)  # the ceiling of each draw
    assert [round(top.next(), 2) for _ in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    top.reset()
    assert top.next() == 0.2
    low = Backoff(rng=lambda: 0.0)  # jitter may draw 0: never a busy loop
    assert low.next() == 0.05


def test_one_outage_is_one_line_each_way_whatever_the_number_of_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    outage = Outage(clock=lambda: now[0])
    down = StoreUnavailableError("database unavailable: connection refused")

    def fail() -> None:
        raise down

    with caplog.at_level(logging.WARNING, logger="gateway.store.reconnect"):
        stages = [StageRetry(name, outage, Backoff(rng=lambda: 1.0)) for name in ("a", "b")]
        waits = [stage.run(fail) for stage in stages for _ in range(3)]
        now[0] = 103.5
        assert stages[0].run(lambda: None) == 0.0
        assert stages[0].run(lambda: None) == 0.0
    assert waits == [0.2, 0.4, 0.8, 0.2, 0.4, 0.8]  # each stage backs off on its own
    assert [r.getMessage() for r in caplog.records] == [
        "database unavailable: connection refused (a); retrying with backoff until it answers",
        "database reachable again after 3.5 s",
    ]
    assert outage.outages == 1 and not outage.down


def test_a_failure_that_is_not_an_outage_is_logged_in_full(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def boom() -> None:
        raise ValueError("a bug")

    with caplog.at_level(logging.ERROR, logger="gateway.store.reconnect"):
        wait = StageRetry("process", Outage()).run(boom)
    assert 0.5 <= wait <= 2.0
    (record,) = caplog.records
    assert record.getMessage() == "process stage failed" and record.exc_info is not None
