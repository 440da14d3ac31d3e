"""Validation + acknowledgement throughput: the `gateway validate` path against two baselines.

Per set kind (214, 204, 210) one generated interchange of N sets is measured four ways, in this run:
  raw tokenizer     bench/raw_tokenizer.py (bytes.split + envelope checks; the floor)
  gateway, in-proc  gateway.cli.validate() itself, writing the 997 to a file (no interpreter start)
  gateway command   `.venv/bin/gateway validate FILE --ack-out ACK` as a child (start-up included)
pyx12's validator (with maps generated from the gateway's schemas, bench/pyx12_maps.py, and its
997) is quadratic in sets per group, so it gets a smaller 214 file, on which the raw tokenizer and
the gateway are measured too: that table compares like with like.

    .venv/bin/python bench/bench_validate.py [--quick] [--sets N] [--pyx12-sets N] [--repeat R]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import contextlib
import io
import json
import logging

from bench.common import (
    BIN,
    OUT,
    Row,
    best_of,
    command_line,
    machine,
    mb,
    run_child,
    table,
)
from bench.generate import KINDS, Generated, generate
from bench.raw_tokenizer import scan

QUICK = {"sets": 20_000, "pyx12_sets": 500, "repeat": 2}
FULL = {"sets": 200_000, "pyx12_sets": 2_000, "repeat": 3}


def gateway_validate(path: Path, ack_out: Path) -> int:
    """Run the `gateway validate` command function in this process; returns its exit code."""
    import typer

    from gateway.cli import validate

    with contextlib.redirect_stdout(io.StringIO()):
        try:
            validate(path, ack_out=ack_out, ack=None, as_json=False)
        except typer.Exit as done:
            return int(done.exit_code)
    return 0


def pyx12_validate(path: Path, ack_out: Path, map_path: Path) -> bool:
    """pyx12's x12n_document over `path` with the generated maps, writing its 997."""
    import pyx12.params
    import pyx12.x12n_document

    param = pyx12.params.params()
    param.set("map_path", str(map_path))
    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with ack_out.open("w", encoding="ascii") as fd_997:
            return bool(
                pyx12.x12n_document.x12n_document(
                    param=param,
                    src_file=str(path),
                    fd_997=fd_997,
                    fd_html=None,
                    map_path=str(map_path),
                )
            )
    finally:
        logger.setLevel(level)


def _describe(g: Generated) -> str:
    return f"{g.kind} x {g.sets:,} sets, 1 ISA, {mb(g.bytes)}"


def measure_file(g: Generated, repeat: int, *, command: bool = True) -> list[Row]:
    path = Path(g.path)
    ack = path.with_suffix(".997")
    on = _describe(g)
    rows: list[Row] = []
    seconds, found = best_of(repeat, lambda: scan(path))
    assert found.segments == g.segments and found.sets == g.sets, found
    assert found.envelope_errors == 0, found
    rows.append(
        Row("raw tokenizer (bytes.split + envelope checks)", on, seconds, g.segments, g.sets)
    )
    seconds, code = best_of(repeat, lambda: gateway_validate(path, ack))
    if code != 0:
        raise RuntimeError(f"gateway validate exit {code} on {path}: generated file not accepted")
    rows.append(Row("gateway validate, in-process (+997 written)", on, seconds, g.segments, g.sets))
    if command:
        cmd = [str(BIN / "gateway"), "validate", str(path), "--ack-out", str(ack)]
        child = run_child(cmd)
        if child.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {child.returncode}: {child.stderr}")
        rows.append(
            Row(
                "`gateway validate FILE --ack-out ACK` command",
                on,
                child.seconds,
                g.segments,
                g.sets,
                child.peak_rss_mb,
                "one run; includes interpreter start-up and imports",
            )
        )
    return rows


def run(sets: int, pyx12_sets: int, repeat: int, *, keep: bool = False) -> list[Row]:
    from bench.pyx12_maps import build_map_folder

    rows: list[Row] = []
    made: list[Path] = []
    try:
        for kind in KINDS:
            g = generate(OUT / f"validate-{kind}.x12", kind, sets)
            made += [Path(g.path), Path(g.path).with_suffix(".997")]
            rows += measure_file(g, repeat)
        small = generate(OUT / "validate-pyx12-214.x12", "214", pyx12_sets)
        made += [Path(small.path), Path(small.path).with_suffix(".997")]
        rows += measure_file(small, repeat, command=False)
        maps = build_map_folder(OUT / "pyx12-maps")
        pyx12_ack = OUT / "validate-pyx12-214.pyx12.997"
        made.append(pyx12_ack)
        seconds, ok = best_of(1, lambda: pyx12_validate(Path(small.path), pyx12_ack, maps))
        if not ok:
            raise RuntimeError("pyx12 reported errors on the generated 214 file")
        rows.append(
            Row(
                "pyx12 x12n_document (+997 written)",
                _describe(small),
                seconds,
                small.segments,
                small.sets,
                note="one run; maps generated from the gateway's schemas",
            )
        )
    finally:
        if not keep:
            for p in made:
                p.unlink(missing_ok=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help=f"small sizes: {QUICK}")
    p.add_argument("--sets", type=int)
    p.add_argument("--pyx12-sets", type=int)
    p.add_argument("--repeat", type=int)
    p.add_argument("--keep", action="store_true", help="keep the generated files in bench/out/")
    p.add_argument("--json", type=Path, help="also write the rows as JSON here")
    a = p.parse_args(argv)
    size = QUICK if a.quick else FULL
    rows = run(
        a.sets or size["sets"],
        a.pyx12_sets or size["pyx12_sets"],
        a.repeat or size["repeat"],
        keep=a.keep,
    )
    cmd = command_line(sys.argv[1:] if argv is None else argv)
    sys.stdout.write(table(rows) + f"\n\ncommand: {cmd}\n")
    if a.json:
        doc = {"machine": machine(), "command": cmd, "rows": [r.as_dict() for r in rows]}
        a.json.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
