"""Every crash point in the code is listed in gateway.faults.POINTS, and every listed point is
in the code, once: the crash sweep (tests/reliability/test_crash_sweep.py) kills a gateway at
each listed point, so a point missing from the list would never be tested."""

from __future__ import annotations

import re
from collections import Counter

from gateway.faults import POINTS
from tests.conftest import REPO

CALL = re.compile(r"""crashpoint\(\s*(f?)["']([^"']+)["']\s*\)""")


def test_every_crash_point_is_listed_and_every_listed_point_is_called_once() -> None:
    called: Counter[str] = Counter()
    for path in (REPO / "gateway").rglob("*.py"):
        if path.name == "faults.py":
            continue  # its docstring shows the call
        for is_f, name in CALL.findall(path.read_text(encoding="utf-8")):
            if not is_f:  # f"after_delivery_sent:{destination}": a variant of a listed one
                called[name] += 1
    assert sorted(called) == sorted(POINTS)
    assert [name for name, n in called.items() if n > 1] == []
    assert len(set(POINTS)) == len(POINTS)
