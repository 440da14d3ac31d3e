"""Where the 214 path's time goes: each stage of `InboundPipeline.process` timed in a real run.

The pipeline runs unchanged on a fresh bench home; timing wrappers are put around the stages it
calls (check_stream, the 214 mapping, each renderer, the document payload, the ack interchange,
the store's batch write), so the shares add up to the measured total. `--cprofile N` then runs
the same file under cProfile and prints the N functions with the most own time.

    .venv/bin/python bench/profile_214.py [--quick] [--sets N] [--routing shipped|portal]
        [--cprofile N] [--validate-cprofile N] [--clock cpu|wall] [--runs R]
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
import json
import os
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


class Stages:
    """Exclusive timers: a timed call inside another timed call counts only once, for itself,
    so the stages plus the untimed rest add up to the measured total."""

    def __init__(self, clock: Callable[[], float] = time.process_time) -> None:
        self.clock = clock  # CPU seconds of this process by default: the machine may be busy
        self.totals: Totals = {}
        self._stack: list[list[float]] = []  # [start, time spent in timed callees]

    def _open(self) -> list[float]:
        frame = [self.clock(), 0.0]
        self._stack.append(frame)
        return frame

    def _close(self, name: str, frame: list[float]) -> None:
        self._stack.pop()
        elapsed = self.clock() - frame[0]
        self.totals[name] = self.totals.get(name, 0.0) + elapsed - frame[1]
        if self._stack:
            self._stack[-1][1] += elapsed

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = self._open()
            try:
                return fn(*args, **kwargs)
            finally:
                self._close(name, frame)

        return timed

    def wrap_iter(self, name: str, fn: Callable[..., Iterator[Any]]) -> Callable[..., Any]:
        """A generator function: each step is timed, not the consumer's work between steps."""

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            it = fn(*args, **kwargs)
            while True:
                frame = self._open()
                try:
                    item = next(it)
                except StopIteration:
                    return
                finally:
                    self._close(name, frame)
                yield item

        return timed


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


@contextmanager
def _patch_everywhere(original: Any, replacement: Any) -> Iterator[int]:
    """Replace a function in every loaded module that holds it (`from x import f` included), so
    the timing survives refactors of who calls it; yields how many places were patched."""
    places = [
        (module, name)
        for module in list(sys.modules.values())
        for name, value in list(getattr(module, "__dict__", {}).items())
        if value is original
    ]
    for module, name in places:
        setattr(module, name, replacement)
    try:
        yield len(places)
    finally:
        for module, name in places:
            setattr(module, name, original)


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


def stages(
    scenario: Scenario, sets: int, per_interchange: int, clock: Callable[[], float]
) -> tuple[float, float, Totals]:
    """Run `process` once with timers at stable boundaries; returns (total by `clock`, wall
    seconds, seconds per stage by `clock`).

    Timed: check_stream (reader + envelopes), the validator, the 997 builder and writer, the
    214 mapping, each renderer of routing/rules.py, pydantic serialisation (payloads, JSON)
    and every public method of the store; the rest is the pipeline's own code.
    """
    import pydantic

    import gateway.pipeline.erp_thread as erp_thread
    import gateway.routing.rules as rules
    import transforms.x12_214 as x12_214
    from gateway.x12 import acks, checker, validator

    gw, home = _home_gateway(scenario, sets, per_interchange)
    st = Stages(clock)
    try:
        with ExitStack() as stack:
            enter = stack.enter_context
            check = checker.check_stream
            enter(_patch_everywhere(check, st.wrap_iter("read X12 + envelopes", check)))
            vv = validator.VersionValidator
            enter(_patch(vv, "validate", st.wrap("validate sets (validator.py)", vv.validate)))
            builder = acks.FunctionalAckBuilder
            for method in ("add", "finish"):
                timed = st.wrap("997 building (acks.py)", getattr(builder, method))
                enter(_patch(builder, method, timed))
            for fn in (acks.build_ack_interchange, acks.write_ack_interchange):
                enter(_patch_everywhere(fn, st.wrap("997 interchange written (acks.py)", fn)))
            mapping = x12_214.shipment_status_from_x12
            enter(_patch_everywhere(mapping, st.wrap("map 214 -> canonical (transforms)", mapping)))
            renderers = getattr(rules, "RENDERERS", {})
            for role, renderer in list(renderers.items()):
                name = f"render {getattr(role, 'value', role)} (rules.py + transforms)"
                enter(_patch_item(renderers, role, st.wrap(name, renderer)))
            erp = rules.render_erp
            enter(_patch_everywhere(erp, st.wrap("render erp IDoc (rules.py + transforms)", erp)))
            thread = erp_thread.ErpThread
            timed = st.wrap("ERP keys: lookup in the thread (erp_thread.py)", thread.keys_for)
            enter(_patch(thread, "keys_for", timed))
            for method in ("model_dump", "model_dump_json"):
                timed = st.wrap("pydantic model_dump/_json (payloads, JSON)", getattr(
                    pydantic.BaseModel, method))  # fmt: skip
                enter(_patch(pydantic.BaseModel, method, timed))
            store = gw.store
            for name in dir(store):
                value = getattr(store, name)
                if not name.startswith("_") and callable(value):
                    enter(_patch(store, name, st.wrap(f"store.{name}", value)))
            message_id = _received(gw)
            wall = time.perf_counter()
            start = clock()
            outcome = gw.pipeline.process(message_id)
            total = clock() - start
            wall = time.perf_counter() - wall
        if outcome.accepted != sets:
            raise RuntimeError(f"{outcome}")
        totals = st.totals
        totals["rest: the pipeline's own code (gateway/pipeline)"] = total - sum(totals.values())
        gw.store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return total, wall, totals


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
        help="gc.freeze() after start-up and gc.set_threshold(50_000, 20, 100), as `gateway "
        "run` sets them (gateway/service.py); without it the collector keeps Python's defaults",
    )
    p.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="what the stages are timed by: CPU seconds of this process (default; meaningful "
        "on a busy machine) or wall seconds",
    )
    p.add_argument("--runs", type=int, default=1, help="runs per routing; the median is shown")
    p.add_argument("--json", type=Path, help="also write sets/s per routing here")
    a = p.parse_args(argv)
    clock = time.process_time if a.clock == "cpu" else time.perf_counter
    if a.gc_tuned:
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
    sets = a.sets or (1000 if a.quick else 10_000)
    names = ("shipped", "portal") if a.routing == "both" else (a.routing,)
    OUT.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"sets": sets, "per_interchange": a.per_interchange, "clock": a.clock}
    for name in names:
        scenario = SCENARIOS[name]
        runs = sorted(
            (stages(scenario, sets, a.per_interchange, clock) for _ in range(max(1, a.runs))),
            key=lambda run: run[0],
        )
        total, wall, totals = runs[len(runs) // 2]
        every = ", ".join(f"{sets / r[0]:,.0f}" for r in runs)
        load = os.getloadavg()[0]
        sys.stdout.write(
            f"\n{name} routing ({scenario.destinations}), {sets:,} 214s in interchanges of "
            f"{a.per_interchange:,}: process {sets / total:,.0f} sets/s by {a.clock} time "
            f"(median of {len(runs)}: {every}); wall {sets / wall:,.0f} sets/s; "
            f"load {load:.1f}\n\n"
        )
        sys.stdout.write(stage_table(total, totals, sets) + "\n")
        figures[name] = {
            "sets_per_s": round(sets / total),  # the median run's, by `clock`
            "each": [round(sets / r[0]) for r in runs],
            "wall_sets_per_s": round(sets / wall),
            "load": round(load, 2),
        }
        if a.cprofile:
            sys.stdout.write("\n" + profile_process(scenario, sets, a.per_interchange, a.cprofile))
    if a.validate_cprofile:
        sys.stdout.write("\ngateway validate, 214:\n")
        sys.stdout.write(profile_validate(max(sets, 50_000), a.validate_cprofile))
    command = command_line(sys.argv[1:] if argv is None else argv)
    sys.stdout.write(f"\ncommand: {command}\n")
    if a.json:
        figures["command"] = command.rsplit(" --json ", 1)[0]
        a.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
