"""Run one fuzz target under atheris (libFuzzer): `python -m tests.fuzz.run_atheris TARGET [ARGS]`.

ARGS are libFuzzer's (`-max_total_time=60`, `-runs=N`, a corpus directory). The seeds come from
the repository's samples; `-timeout=1` and `-rss_limit_mb` hold every input to 1 s and a memory
budget. A crash input is written by libFuzzer (`-artifact_prefix=`); copy it into
tests/fuzz/crashers/<target>/ so it is replayed by the test suite for ever.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import transforms.tms_json  # noqa: F401

from tests.fuzz.targets import call, targets


def main() -> None:
    name, args = sys.argv[1], sys.argv[2:]
    target = targets()[name]
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    for n, seed in enumerate(target.seeds()):
        (corpus / f"seed{n}").write_bytes(seed)

    def one(data: bytes) -> None:
        call(target, data)

    atheris.Setup([sys.argv[0], *args, str(corpus)], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
