"""The cyclic collector is paused while the X12 pipeline processes a chunk of sets
(gateway/pipeline/collector.py): on only when it was on before, back on when the last holder
leaves, and garbage in reference cycles collected at each chunk's end when it is due."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.pipeline import collector
from gateway.service import Gateway
from tests.integration.gateway_env import demo_214, drop, make_home


class _Cycle:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def thresholds() -> Iterator[None]:
    """Low thresholds for the test, the collector on, everything restored after."""
    was_on = gc.isenabled()
    saved = gc.get_threshold()
    gc.enable()
    gc.collect()
    gc.set_threshold(100, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        (gc.enable if was_on else gc.disable)()


def test_paused_turns_the_collector_off_and_back_on(thresholds: None) -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():  # nested: still off after the inner block
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(thresholds: None) -> None:
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_holders_in_two_threads(thresholds: None) -> None:
    """The first thread to leave must not turn the collector on under the second."""
    entered, release = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with collector.paused():
            entered.set()
            release.wait(5)
            seen.append(gc.isenabled())

    with collector.paused():
        thread = threading.Thread(target=other)
        thread.start()
        assert entered.wait(5)
    assert not gc.isenabled()  # the other thread still holds it
    release.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_an_exception_inside_still_turns_it_back_on(thresholds: None) -> None:
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_collect_due_collects_cycles_past_the_threshold_only(thresholds: None) -> None:
    with collector.paused():
        few = [weakref.ref(_Cycle()) for _ in range(10)]
        assert collector.collect_due() is None  # 10 objects: under the threshold of 100
        assert all(r() is not None for r in few)  # cycles wait, nothing is collected
        many = [weakref.ref(_Cycle()) for _ in range(300)]
        assert collector.collect_due() is not None
        assert all(r() is None for r in few + many)


def test_the_pipeline_pauses_per_chunk_and_collects_at_each_chunk_end(
    tmp_path: Path, thresholds: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six 214s in chunks of two: the mapping runs with the collector off, and the cycles the
    first chunk left are gone before the last chunk is mapped (collected at a chunk's end,
    not only when the file is done); the collector is on again afterwards."""
    import transforms.x12_214 as x12_214

    settings = make_home(tmp_path)
    gw = Gateway(settings)  # sets the service's thresholds: the test's own go back
    gc.set_threshold(100, 10, 10)
    gw.pipeline.x12.chunk_sets = 2
    real = x12_214.shipment_status_from_x12
    refs: list[weakref.ref[_Cycle]] = []
    enabled: list[bool] = []
    alive_at_last_chunk: list[int] = []

    def mapping(*args: Any, **kwargs: Any) -> Any:
        enabled.append(gc.isenabled())
        if len(refs) == 500 * 4:  # the fifth set: the first two chunks are written
            alive_at_last_chunk.append(sum(1 for r in refs[:1000] if r() is not None))
        refs.extend(weakref.ref(_Cycle()) for _ in range(500))  # garbage in cycles
        return real(*args, **kwargs)

    for module in (x12_214, *_modules_holding(real)):
        monkeypatch.setattr(module, "shipment_status_from_x12", mapping)
    drop(settings, "demo-carrier", "six.edi", demo_214("000000901", sets=6))
    gw.tick()
    gw.store.close()
    assert enabled == [False] * 6
    assert alive_at_last_chunk == [0]
    assert gc.isenabled()


def _modules_holding(fn: Any) -> list[Any]:
    import sys

    return [
        m
        for m in list(sys.modules.values())
        if m is not None and getattr(m, "shipment_status_from_x12", None) is fn
    ]
