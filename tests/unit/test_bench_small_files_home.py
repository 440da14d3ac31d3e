"""bench_small_files sets the last run's home aside instead of deleting it before a run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench import bench_small_files


def test_the_last_home_is_renamed_now_and_deleted_when_the_script_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "small-files"
    (home / "var").mkdir(parents=True)
    (home / "var" / "gateway.db").write_bytes(b"x")
    at_exit: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(
        bench_small_files.atexit, "register", lambda f, *a, **k: at_exit.append((f, a, k))
    )
    bench_small_files._set_aside(home)
    assert not home.exists()
    (aside,) = tmp_path.iterdir()
    assert aside.name.startswith("small-files.old-")
    assert (aside / "var" / "gateway.db").read_bytes() == b"x"  # nothing deleted yet
    ((func, args, kwargs),) = at_exit
    func(*args, **kwargs)  # what runs when the script ends
    assert list(tmp_path.iterdir()) == []
    bench_small_files._set_aside(home)  # no home yet: nothing to do
    assert len(at_exit) == 1
