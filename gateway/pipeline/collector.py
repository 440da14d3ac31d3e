"""The cyclic garbage collector, paused while a chunk of sets is processed.

A chunk's sets (up to `CHUNK_SETS`, 1,000) and their canonical documents stay alive until the
chunk is written, so every young collection inside a chunk traverses them all and promotes
them, and the older generations traverse them again: with the service's thresholds that was
~12 % of the 214 path's CPU (BENCHMARKS.md, "Sixth pass"). Nothing is kept alive longer by the
pause: reference counting frees what a chunk drops as before; only garbage in reference cycles
waits, at most until the chunk's end, where `collect_due` runs the collection the thresholds
say is due, as the interpreter would on its next allocation.

The pause is process-wide (the collector has one switch) and counted: stage threads and a
replay may overlap, and the collector comes back on when the last of them leaves, and only
if it was on when the first came in.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_switched_off = False  # the first holder found the collector on and turned it off


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block (`collect_due` runs what is due)."""
    global _holders, _switched_off
    with _lock:
        if _holders == 0 and gc.isenabled():
            gc.disable()
            _switched_off = True
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _switched_off:
                _switched_off = False
                gc.enable()
        collect_due()


def collect_due() -> int | None:
    """Collect the oldest generation whose count is past its threshold, as CPython does on an
    allocation (`collect_generations`); returns that generation, or None if none is due.
    Cheap when nothing is due: two tuples read."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    for generation in (2, 1, 0):
        threshold = thresholds[generation]
        if threshold and counts[generation] > threshold:
            gc.collect(generation)
            return generation
    return None
