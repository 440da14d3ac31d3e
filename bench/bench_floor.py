"""The floor of the 214 path: what each part the issue requires costs alone, per 214.

The 214 path must validate, acknowledge, build the canonical pydantic document, store it and
queue the portal updates. This script times each of those parts by itself on the same generated
sets, with nothing else around it, so their sum is a lower bound for the whole path as long as
those parts stay what they are. Each part is timed as the gateway runs (collector tuned as in
gateway/service.py), best of `--repeat`:

  x12           `gateway validate FILE --ack-out ACK` in-process (bench_validate.gateway_validate):
                read, envelopes, validation, the 997 written
  construct     only the pydantic constructor calls that make each canonical ShipmentStatus: the
                document is rebuilt bottom-up from its own (already parsed) values, so no mapping
                logic is counted, only pydantic validating what the transform hands it
  dump          ShipmentStatus.model_dump_json(): the stored canonical payload
  portal        the portal's pydantic models for the document's events, and their JSON
  sqlite        the rows one 214 needs as plain sqlite3 executemany with tuples (a set row, the
                document with its JSON payload, its search keys, one outbox row per portal update),
                written HELD in chunks of 1,000 and released by one UPDATE each at the end, WAL and
                synchronous=FULL as the gateway runs SQLite; no SQLAlchemy

    .venv/bin/python bench/bench_floor.py [--quick] [--sets N] [--repeat R] [--json OUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import gc
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from bench.bench_validate import gateway_validate
from bench.common import OUT, command_line, machine
from bench.generate import Layout, generate

TARGET_US = 100.0  # 10,000 214s per second on one core


def _tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # what gateway/service.py does after start-up


def best(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _parts(model: BaseModel) -> list[tuple[type[BaseModel], dict[str, Any]]]:
    """Constructor calls that rebuild `model`, innermost first (a nested value is the instance
    the earlier call made, as in the transform: pydantic takes it without re-validating)."""
    calls: list[tuple[type[BaseModel], dict[str, Any]]] = []
    kwargs: dict[str, Any] = {}
    for name in model.model_fields_set:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            calls.extend(_parts(value))
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    calls.extend(_parts(item))
        kwargs[name] = value
    calls.append((type(model), kwargs))
    return calls


def measure(sets: int, repeat: int) -> dict[str, Any]:
    from gateway.canonical import ShipmentStatus
    from gateway.x12.checker import CheckedSet, check_stream
    from gateway.x12.validator import default_validator
    from transforms.portal import portal_updates
    from transforms.registry import MappingContext, inbound_x12
    from transforms.x12_common import source_metadata

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "floor-214.x12"
    generated = generate(path, "214", sets, Layout(per_interchange=1000))
    validator = default_validator()
    mapping = inbound_x12("214")
    assert mapping is not None

    checked: list[Any] = []
    with path.open("rb") as fh:
        for event in check_stream(fh, validator=validator, ack_kind_for=lambda _i, _g: None):
            if isinstance(event, CheckedSet):
                checked.append(event)
    ack = path.with_suffix(".997")
    docs = []
    for c in checked:
        meta = source_metadata(c.ts, c.interchange, c.group, partner_id="bench", message_id="1")
        ctx = MappingContext(c.interchange.delimiters, meta, {}, "America/Chicago")
        docs.append(mapping.to_canonical(c.ts, ctx))
    assert all(isinstance(d, ShipmentStatus) for d in docs)
    plans = [_parts(d) for d in docs]
    models_per_doc = sum(len(p) for p in plans) / len(plans)
    payloads = [d.model_dump_json() for d in docs]
    events = sum(len(d.events) for d in docs)
    _tune_gc()

    def construct() -> None:
        for plan in plans:
            for cls, kwargs in plan:
                cls(**kwargs)

    def portal() -> None:
        for d in docs:
            for u in portal_updates(d, customer_id="unassigned"):
                u.model_dump_json()

    seconds = {
        "x12": best(repeat, lambda: gateway_validate(path, ack)),
        "construct": best(repeat, construct),
        "dump": best(repeat, lambda: [d.model_dump_json() for d in docs]),
        "portal": best(repeat, portal),
        "sqlite": best(repeat, lambda: _sqlite(docs, payloads)),
    }
    path.unlink(missing_ok=True)
    ack.unlink(missing_ok=True)
    us = {k: v / sets * 1e6 for k, v in seconds.items()}
    total = sum(us.values())
    return {
        "sets": sets,
        "segments": generated.segments,
        "events_per_set": events / sets,
        "models_per_set": models_per_doc,
        "payload_bytes": sum(len(p) for p in payloads) / sets,
        "us_per_set": us,
        "floor_us": total,
        "floor_sets_per_s": 1e6 / total,
    }


def _sqlite(docs: list[Any], payloads: list[str]) -> None:
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        db = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.executescript(
            """
            CREATE TABLE tset (id INTEGER PRIMARY KEY, set_id TEXT, control TEXT, outcome TEXT,
                segments INTEGER);
            CREATE TABLE doc (id INTEGER PRIMARY KEY, set_row INTEGER, doc_type TEXT,
                business_key TEXT, status TEXT, payload TEXT);
            CREATE INDEX doc_status ON doc (status);
            CREATE TABLE doc_key (doc INTEGER, kind TEXT, value TEXT);
            CREATE INDEX doc_key_value ON doc_key (value);
            CREATE TABLE outbox (id INTEGER PRIMARY KEY, doc INTEGER, destination TEXT,
                idempotency_key TEXT UNIQUE, status TEXT, payload BLOB);
            CREATE INDEX outbox_status ON outbox (status);
            """
        )
        n = 0
        for start in range(0, len(docs), 1000):
            db.execute("BEGIN IMMEDIATE")
            sets, rows, keys, out = [], [], [], []
            for i in range(start, min(start + 1000, len(docs))):
                d, n = docs[i], n + 1
                sets.append((n, "214", d.source.set_control_number, "A", 27))
                rows.append((n, n, "shipment_status", d.pro_number, "held", payloads[i]))
                keys.extend((n, k, v) for k, v in d.correlation.keys())  # noqa: SIM118
                out.extend(
                    (n, "portal", f"{n}-{e}", "held", b"{}" * 200) for e in range(len(d.events))
                )
            db.executemany("INSERT INTO tset VALUES (?,?,?,?,?)", sets)
            db.executemany("INSERT INTO doc VALUES (?,?,?,?,?,?)", rows)
            db.executemany("INSERT INTO doc_key VALUES (?,?,?)", keys)
            db.executemany(
                "INSERT INTO outbox (doc, destination, idempotency_key, status, payload) "
                "VALUES (?,?,?,?,?)",
                out,
            )
            db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE doc SET status = 'applied' WHERE status = 'held'")
        db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'held'")
        db.execute("COMMIT")
        db.close()


def report(result: dict[str, Any], args: list[str]) -> str:
    us = result["us_per_set"]
    names = {
        "x12": "read + envelopes + validate + 997 (gateway/x12)",
        "construct": f"pydantic constructors only ({result['models_per_set']:.0f} models per 214)",
        "dump": f"canonical payload JSON ({result['payload_bytes']:,.0f} bytes per 214)",
        "portal": f"portal models + JSON ({result['events_per_set']:.0f} updates per 214)",
        "sqlite": "bare sqlite3 rows, held then released (no SQLAlchemy)",
    }
    lines = [
        f"command: {command_line(args)}",
        f"machine: {json.dumps(machine())}",
        "",
        f"{result['sets']:,} generated 214s, interchanges of 1,000",
        "",
        "| part, alone | us per 214 | share of the 100 us budget |",
        "|---|---:|---:|",
    ]
    for key, label in names.items():
        lines.append(f"| {label} | {us[key]:.1f} | {us[key] / TARGET_US:.0%} |")
    lines.append(
        f"| **sum: the floor** | **{result['floor_us']:.1f}** | "
        f"**{result['floor_us'] / TARGET_US:.0%}** ({result['floor_sets_per_s']:,.0f} sets/s) |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    p.add_argument("--sets", type=int, default=20_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--json", type=Path, help="also write the figures as JSON")
    a = p.parse_args(argv)
    sets, repeat = (2_000, 1) if a.quick else (a.sets, a.repeat)
    result = measure(sets, repeat)
    sys.stdout.write(report(result, argv))
    if a.json:
        result["command"] = command_line(argv)
        result["table"] = report(result, argv).split("\n\n", 2)[2].strip()
        a.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
