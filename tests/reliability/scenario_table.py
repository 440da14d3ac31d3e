"""RELIABILITY.md's scenario tables, read back: the test node ids each row names, so the document
cannot drift from the suite (tests/reliability/test_scenario_table.py) and `make reliability`
runs exactly the tests the document cites.

    python -m tests.reliability.scenario_table ids            # the node ids, one a line
    python -m tests.reliability.scenario_table results X.xml  # write a JUnit run's results back

A row's tests are the backquoted `tests/...py::name` references in its second cell. A row whose
proof another piece of work delivers says so with one of DELEGATED in that cell instead.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import sys
import xml.etree.ElementTree as ET  # only ever reads the JUnit file pytest just wrote
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "RELIABILITY.md"
HEADER = "| scenario | test(s) | what is asserted | result of the last run |"
DELEGATED = ("crash-point sweep", "ledger", "PostgreSQL restart", "disk full")
_NODE = re.compile(r"`(tests/[\w/]+\.py(?:::\w+)+)`")


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line of RELIABILITY.md
    scenario: str
    tests: tuple[str, ...]
    cells: tuple[str, ...]

    @property
    def delegated(self) -> list[str]:
        return [d for d in DELEGATED if f"*{d}*" in self.cells[1]]


def rows(text: str) -> list[Row]:
    """Every data row of every table whose header is HEADER."""
    found: list[Row] = []
    in_table = False
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip() == HEADER:
            in_table = True
            continue
        if not in_table:
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if set(line.replace("|", "").strip()) <= {"-", ":", " "}:
            continue  # the |---| line
        cells = tuple(c.strip() for c in line.strip().strip("|").split(" | "))
        found.append(
            Row(n, cells[0], tuple(_NODE.findall(cells[1])) if len(cells) > 1 else (), cells)
        )
    return found


def node_ids(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows(text):
        for node in row.tests:
            seen.setdefault(node, None)
    return list(seen)


def defined_tests(path: Path) -> set[str]:
    """`name` and `Class::name` of every test function pytest would collect in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names.add(node.name)
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(
                    item, ast.FunctionDef | ast.AsyncFunctionDef
                ) and item.name.startswith("test"):
                    names.add(f"{node.name}::{item.name}")
    return names


def _results(junit: Path) -> dict[str, str]:
    """node id -> passed / failed / skipped, from pytest's JUnit XML (parametrized cases folded)."""
    outcome: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "")
        parts = module.split(".")
        # classname is 'tests.unit.test_x' or 'tests.unit.test_x.TestClass'
        cls = parts.pop() if parts and parts[-1][:1].isupper() else None
        node = "/".join(parts) + ".py::" + (f"{cls}::" if cls else "")
        node += re.sub(r"\[.*\]$", "", case.get("name", ""))
        if case.find("failure") is not None or case.find("error") is not None:
            state = "failed"
        elif case.find("skipped") is not None:
            state = "skipped"
        else:
            state = "passed"
        if outcome.get(node) != "failed":
            outcome[node] = state if outcome.get(node) in (None, state) else "failed"
    return outcome


def write_results(junit: Path, doc: Path = DOC) -> int:
    """Rewrite the last column of every row from a JUnit run; the number of failed rows."""
    outcome = _results(junit)
    suite = ET.parse(junit).getroot()
    took = sum(float(s.get("time", "0")) for s in suite.iter("testsuite"))
    lines = doc.read_text(encoding="utf-8").splitlines()
    failed = 0
    for row in rows("\n".join(lines)):
        states = [outcome.get(t, "not run") for t in row.tests]
        if not row.tests:
            result = "pending: " + ", ".join(row.delegated)
        elif "failed" in states:
            bad = [
                t.rsplit("::", 1)[-1]
                for t, s in zip(row.tests, states, strict=True)
                if s == "failed"
            ]
            result = "FAILED: " + ", ".join(bad)
            failed += 1
        elif "not run" in states or "skipped" in states:
            result = f"{states.count('passed')} of {len(states)} passed, others skipped or not run"
        else:
            result = f"passed ({len(states)})"
        cells = list(row.cells)
        cells[3:] = [result]
        lines[row.line - 1] = "| " + " | ".join(cells) + " |"
    stamp = (
        f"Last run: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, `make reliability`, "
        f"{took:.0f} s of tests, 1-minute load average {os.getloadavg()[0]:.1f} at the end."
    )
    lines = [stamp if line.startswith("Last run: ") else line for line in lines]
    doc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return failed


def main(argv: list[str]) -> int:
    if argv[:1] == ["ids"]:
        skip = ("tests/reliability/", "tests/security/")  # make reliability runs those folders
        print(
            "\n".join(
                n for n in node_ids(DOC.read_text(encoding="utf-8")) if not n.startswith(skip)
            )
        )
        return 0
    if argv[:1] == ["results"] and len(argv) == 2:
        failed = write_results(Path(argv[1]))
        print(f"RELIABILITY.md results updated: {failed} row(s) failed")
        return 1 if failed else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
