"""Run one fuzz target under atheris (libFuzzer): `python -m tests.fuzz.run_atheris TARGET [ARGS]`.

ARGS are libFuzzer's (`-max_total_time=60`, `-runs=N`, a corpus directory). The seeds come from
the repository's samples; `-timeout=1` holds every input to 1 s, and FUZZ_INPUT_MB=200 to
200 MB over what the harness holds after its imports. A crash input is written by libFuzzer
(`-artifact_prefix=`); copy it into tests/fuzz/crashers/<target>/ so it is replayed by the test
suite for ever.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

import atheris

# Third-party libraries first, outside the instrumented block: coverage is wanted for the
# gateway's own code, and instrumenting pydantic, FastAPI and the rest only costs memory and time.
import fastapi  # noqa: F401
import lxml.etree  # noqa: F401
import pydantic  # noqa: F401
import starlette  # noqa: F401
import yaml  # noqa: F401

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

    # FUZZ_INPUT_MB: what one input may add to the memory the harness itself holds after its
    # imports (libFuzzer's -rss_limit_mb counts the whole process)
    budget = os.environ.get("FUZZ_INPUT_MB")
    if budget:
        held = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        args.append(f"-rss_limit_mb={held + int(budget)}")
    atheris.Setup([sys.argv[0], *args, str(corpus)], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
