"""Where the 214 path's time goes: each stage of `InboundPipeline.process` timed in a real run.

The pipeline runs unchanged on a fresh bench home; timing wrappers are put around the stages it
calls (check_stream, the 214 mapping, each renderer, the document payload, the ack interchange,
the store's batch write), so the shares add up to the measured total. `--cprofile N` then runs
the same file under cProfile and prints the N functions with the most own time.

    .venv/bin/python bench/profile_214.py [--quick] [--sets N] [--routing shipped|portal]
        [--cprofile N] [--validate-cprofile N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import cProfile
import gc
import io
import pstats
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from bench.bench_214_path import SCENARIOS, Scenario, make_home
from bench.common import OUT, command_line
from bench.generate import Layout, generate

Totals = dict[str, float]


def _timed(totals: Totals, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def _timed_iter(totals: Totals, name: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
    """Time spent inside a generator's own steps, not in the consumer's loop body."""

    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        it = fn(*args, **kwargs)
        while True:
            start = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
                return
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - start
            yield item

    return wrapper


@contextmanager
def _patch(obj: Any, attr: str, value: Any) -> Iterator[None]:
    old = getattr(obj, attr)
    setattr(obj, attr, value)
    try:
        yield
    finally:
        setattr(obj, attr, old)


@contextmanager
def _patch_item(mapping: dict[Any, Any], key: Any, value: Any) -> Iterator[None]:
    old = mapping[key]
    mapping[key] = value
    try:
        yield
    finally:
        mapping[key] = old


def _home_gateway(scenario: Scenario, sets: int, per_interchange: int) -> tuple[Any, Path]:
    from gateway.service import Gateway
    from gateway.settings import Settings

    home = make_home(OUT)
    settings = Settings(
        base_dir=home,
        partners_dir=home / "partners",
        inbox_dir=home / "inbox",
        outbox_dir=home / "outbox",
        var_dir=home / "var",
        database_url=None,
        stable_seconds=0.0,
    )
    gw = Gateway(settings)
    layout = Layout(per_interchange=per_interchange, sender=scenario.sender, scac=scenario.scac)
    generate(settings.inbox_dir / scenario.account / "status.x12", "214", sets, layout)
    for claim in gw.source.poll():
        gw.pipeline.receive(claim)
    return gw, home


def _received(gw: Any) -> int:
    from gateway.store import MessageStatus

    (msg,) = gw.store.list_messages(status=MessageStatus.RECEIVED)
    return int(msg.id)


def stages(scenario: Scenario, sets: int, per_interchange: int) -> tuple[float, Totals]:
    """Run `process` once with timing wrappers; returns (total seconds, seconds per stage)."""
    import gateway.pipeline.inbound as inbound
    import gateway.routing.rules as rules
    from gateway.x12.checker import check_stream
    from transforms.registry import InboundX12, inbound_x12

    gw, home = _home_gateway(scenario, sets, per_interchange)
    totals: Totals = {}
    try:
        pipeline = gw.pipeline
        find = inbound_x12  # what the pipeline module imported

        def timed_mapping(set_id: str) -> InboundX12 | None:
            found = find(set_id)
            if found is None:
                return None
            name = f"map {set_id} -> canonical (transforms)"
            return InboundX12(
                found.set_id, found.doc_type, _timed(totals, name, found.to_canonical)
            )

        with ExitStack() as stack:
            enter = stack.enter_context
            enter(
                _patch(
                    inbound,
                    "check_stream",
                    _timed_iter(totals, "read + validate + 997 build", check_stream),
                )
            )
            enter(_patch(inbound, "inbound_x12", timed_mapping))
            for role, renderer in list(rules.RENDERERS.items()):
                name = f"render {role.value} (routing/rules.py + transforms)"
                enter(_patch_item(rules.RENDERERS, role, _timed(totals, name, renderer)))
            enter(_patch(pipeline, "_document", _timed(totals, "_document", pipeline._document)))
            enter(
                _patch(
                    pipeline,
                    "_acks_outbox",
                    _timed(totals, "997 interchange for the outbox", pipeline._acks_outbox),
                )
            )
            enter(_patch(gw.store, "record_interchange_batch",
                         _timed(totals, "store.record_interchange_batch",
                                gw.store.record_interchange_batch)))  # fmt: skip
            message_id = _received(gw)
            start = time.perf_counter()
            outcome = pipeline.process(message_id)
            total = time.perf_counter() - start
        if outcome.accepted != sets:
            raise RuntimeError(f"{outcome}")
        rendered = sum(v for k, v in totals.items() if k.startswith("render "))
        if "_document" in totals:
            totals["document payload + keys (pipeline _document minus rendering)"] = (
                totals.pop("_document") - rendered
            )
        totals["rest of the pipeline (inbound.py loop, summaries, rows)"] = total - sum(
            totals.values()
        )
        gw.store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return total, totals


def profile_process(scenario: Scenario, sets: int, per_interchange: int, top: int) -> str:
    gw, home = _home_gateway(scenario, sets, per_interchange)
    try:
        message_id = _received(gw)
        prof = cProfile.Profile()
        prof.enable()
        gw.pipeline.process(message_id)
        prof.disable()
        gw.store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return _stats(prof, top)


def profile_validate(sets: int, top: int) -> str:
    from bench.bench_validate import gateway_validate

    path = OUT / "profile-validate-214.x12"
    ack = path.with_suffix(".997")
    generate(path, "214", sets)
    try:
        gateway_validate(path, ack)  # warm: regexes compiled, modules imported
        prof = cProfile.Profile()
        prof.enable()
        gateway_validate(path, ack)
        prof.disable()
    finally:
        path.unlink(missing_ok=True)
        ack.unlink(missing_ok=True)
    return _stats(prof, top)


def _stats(prof: cProfile.Profile, top: int) -> str:
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return buf.getvalue()


def stage_table(total: float, totals: Totals, sets: int) -> str:
    lines = [
        "| stage | seconds | us per set | share | sets/s if it were the only cost |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        alone = f"{sets / seconds:,.0f}" if seconds > 0 else "-"
        lines.append(
            f"| {name} | {seconds:.3f} | {seconds / sets * 1e6:,.0f} | "
            f"{seconds / total:.0%} | {alone} |"
        )
    lines.append(
        f"| **process, total** | {total:.3f} | {total / sets * 1e6:,.0f} | 100% | "
        f"{sets / total:,.0f} |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="1,000 sets instead of 10,000")
    p.add_argument("--sets", type=int)
    p.add_argument("--per-interchange", type=int, default=1000)
    p.add_argument("--routing", choices=("shipped", "portal", "both"), default="both")
    p.add_argument("--cprofile", type=int, default=0, help="also print the top N of cProfile")
    p.add_argument("--validate-cprofile", type=int, default=0, help="same for gateway validate")
    p.add_argument(
        "--gc-tuned",
        action="store_true",
        help="gc.freeze() after start-up and gc.set_threshold(50_000, 20, 100): what a service "
        "process could do (measures the recommendation; the gateway does not do it itself)",
    )
    a = p.parse_args(argv)
    if a.gc_tuned:
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
    sets = a.sets or (1000 if a.quick else 10_000)
    names = ("shipped", "portal") if a.routing == "both" else (a.routing,)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        scenario = SCENARIOS[name]
        total, totals = stages(scenario, sets, a.per_interchange)
        sys.stdout.write(
            f"\n{name} routing ({scenario.destinations}), {sets:,} 214s in interchanges of "
            f"{a.per_interchange:,}: process {sets / total:,.0f} sets/s\n\n"
        )
        sys.stdout.write(stage_table(total, totals, sets) + "\n")
        if a.cprofile:
            sys.stdout.write("\n" + profile_process(scenario, sets, a.per_interchange, a.cprofile))
    if a.validate_cprofile:
        sys.stdout.write("\ngateway validate, 214:\n")
        sys.stdout.write(profile_validate(max(sets, 50_000), a.validate_cprofile))
    sys.stdout.write(f"\ncommand: {command_line(sys.argv[1:] if argv is None else argv)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
