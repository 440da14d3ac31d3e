"""The 214 renderers and model construction alone, fast path against model path, per 214.

Sets come from `bench/generate.py` (as the path benches use), mapped once; then each pair is
timed on the same documents, best of `--repeat` runs, in CPU seconds of this process:

- portal: `status_update_json` against `portal_updates` + `model_dump_json(indent=2)`;
- TMS: `render_tms_json` against `to_tms_message` + `model_dump_json(indent=2)`;
- the 214 mapping with TrackingEvent/ShipmentStatus/Equipment constructed against validated;
- the ERP IDoc (SHPMNT05) as rendered, with its text, its parse and its XSD check timed apart.

    .venv/bin/python bench/bench_render_214.py [--sets 1000] [--repeat 7]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from lxml import etree

from bench.bench_map_214 import PROFILES, load
from gateway.canonical import DocumentType, Equipment, ShipmentStatus, TrackingEvent
from gateway.idoc import builder as idoc_builder
from gateway.idoc.safe_xml import hardened_parser
from gateway.registry.profile import IdocSettings
from transforms import x12_214
from transforms import x12_common as x
from transforms.idoc_shipment import render_shipment_status
from transforms.portal import portal_updates, status_update_json
from transforms.tms_json import render_tms_json, to_tms_message


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sets", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=7)
    a = p.parse_args(argv)
    jobs = load(a.sets, "shipped")
    code_map, zone = PROFILES["shipped"]

    def map_all() -> list[ShipmentStatus]:
        return [
            x12_214.shipment_status_from_x12(
                j.ts,
                delimiters=j.delimiters,
                envelope=j.envelope,
                profile_code_map=code_map,
                default_tz=zone,
            )
            for j in jobs
        ]

    docs = map_all()
    settings = IdocSettings(
        sndpor="GATEWAY", sndprt="LS", sndprn="EDIGW", rcvpor="SAPQ01", rcvprt="LS", rcvprn="Q01"
    )
    config = settings.partner_config(DocumentType.SHIPMENT_STATUS)
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows: list[tuple[str, float]] = []

    def timed(name: str, fn: Callable[[], Any]) -> None:
        rows.append((name, best(fn, a.repeat) / len(docs) * 1e6))

    timed(
        "portal, models + model_dump_json",
        lambda: [
            [u.model_dump_json(indent=2).encode() for u in portal_updates(d, customer_id="c-1")]
            for d in docs
        ],
    )
    timed(
        "portal, status_update_json",
        lambda: [status_update_json(d, customer_id="c-1") for d in docs],
    )
    timed(
        "TMS, to_tms_message + model_dump_json",
        lambda: [
            to_tms_message(d, idempotency_key="k-1").model_dump_json(indent=2).encode()
            for d in docs
        ],
    )
    timed("TMS, render_tms_json", lambda: [render_tms_json(d, idempotency_key="k-1") for d in docs])
    timed("map 214, constructed (as shipped)", map_all)
    fast = (x12_214._new_event, x12_214._new_status, x12_214._new_equipment)
    x12_214._new_event = x.validator_of(TrackingEvent)
    x12_214._new_status = x.validator_of(ShipmentStatus)
    x12_214._new_equipment = x.validator_of(Equipment)
    try:
        timed("map 214, validated", map_all)
    finally:
        x12_214._new_event, x12_214._new_status, x12_214._new_equipment = fast
    timed(
        "IDoc SHPMNT05, render (build + text + parse + XSD)",
        lambda: [render_shipment_status(d, config, created=now) for d in docs],
    )
    builders: list[idoc_builder.IdocBuilder] = []
    finish = idoc_builder.IdocBuilder.finish

    def keep(self: idoc_builder.IdocBuilder) -> Any:
        builders.append(self)
        return finish(self)

    idoc_builder.IdocBuilder.finish = keep  # type: ignore[method-assign]
    try:
        for d in docs:
            render_shipment_status(d, config, created=now)
    finally:
        idoc_builder.IdocBuilder.finish = finish  # type: ignore[method-assign]
    texts = [b.text() for b in builders]
    timed("IDoc, writing its text alone", lambda: [b.text() for b in builders])
    parser = hardened_parser()
    timed("IDoc, parsing its text alone", lambda: [etree.fromstring(t, parser) for t in texts])
    roots = [etree.fromstring(t, parser) for t in texts]

    def check_all() -> None:
        for b, r in zip(builders, roots, strict=True):
            b.schema.validate(r)

    timed("IDoc, XSD check alone", check_all)
    print(f"{len(docs):,} generated 214s (shipped profile), best of {a.repeat}, CPU us per 214")
    print("| measured | us per 214 |\n|---|---:|")
    for name, us in rows:
        print(f"| {name} | {us:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
