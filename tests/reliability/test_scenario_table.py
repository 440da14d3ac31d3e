"""RELIABILITY.md cannot drift from the suite: every test its scenario tables name exists, every
row names a test (or the separate piece of work that delivers its proof), and the reader of the
tables is itself shown to catch both mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.scenario_table import DOC, HEADER, REPO, defined_tests, node_ids, rows


def missing(text: str) -> list[str]:
    """Named node ids that do not exist in the repository's test files."""
    known: dict[Path, set[str]] = {}
    gone = []
    for node in node_ids(text):
        file, _, name = node.partition("::")
        path = REPO / file
        if not path.is_file():
            gone.append(f"{node}: no file {file}")
            continue
        if path not in known:
            known[path] = defined_tests(path)
        if name not in known[path]:
            gone.append(f"{node}: no test {name} in {file}")
    return gone


def untested(text: str) -> list[str]:
    return [f"line {r.line}: {r.scenario}" for r in rows(text) if not r.tests and not r.delegated]


def test_the_document_has_the_three_scenario_tables() -> None:
    text = DOC.read_text(encoding="utf-8")
    for section in ("### Faults and crashes", "### Bad input", "### Security"):
        assert section in text
    assert text.count(HEADER) == 3
    assert len(rows(text)) >= 40
    assert all(len(r.cells) == 4 for r in rows(text)), [r.line for r in rows(text)]


def test_every_named_test_exists() -> None:
    assert missing(DOC.read_text(encoding="utf-8")) == []


def test_every_scenario_row_names_a_test() -> None:
    assert untested(DOC.read_text(encoding="utf-8")) == []


TABLE = f"""
{HEADER}
|---|---|---|---|
| a | `tests/reliability/test_scenario_table.py::test_every_named_test_exists` | x | y |
| b | `tests/reliability/test_scenario_table.py::test_that_was_renamed` | x | y |
| c | `tests/unit/no_such_file.py::test_x` | x | y |
| d | nothing named here | x | y |
| e | *crash-point sweep* | x | y |
"""


def test_the_check_catches_a_renamed_test_a_missing_file_and_an_untested_row() -> None:
    assert [n.split(":")[-1].strip() for n in missing(TABLE)] == [
        "no test test_that_was_renamed in tests/reliability/test_scenario_table.py",
        "no file tests/unit/no_such_file.py",
    ]
    assert [u.split(": ", 1)[1] for u in untested(TABLE)] == ["d"]


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("def test_a(): pass\nasync def test_b(): pass\ndef helper(): pass", {"test_a", "test_b"}),
        (
            "class TestX:\n    def test_c(self): pass\nclass Other:\n    def test_d(self): pass",
            {"TestX::test_c"},
        ),
    ],
)
def test_defined_tests_reads_what_pytest_collects(
    tmp_path: Path, source: str, names: set[str]
) -> None:
    path = tmp_path / "test_sample.py"
    path.write_text(source)
    assert defined_tests(path) == names
