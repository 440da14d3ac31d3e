"""The bench scripts on tiny sizes, so they cannot rot: generator output is valid, every measured
path runs and counts what it should. No timing is asserted: benchmarks are not tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import bench_214_path, bench_validate
from bench.generate import KINDS, Layout, Party, SetKind, generate, iter_chunks, sets_for_bytes
from bench.raw_tokenizer import scan
from gateway.x12.checker import CheckedGroup, CheckedInterchange, CheckedSet, check_stream
from gateway.x12.model import AckCode
from transforms.registry import MappingContext, inbound_x12
from transforms.x12_common import source_metadata


@pytest.mark.parametrize("kind", KINDS)
def test_generated_sets_are_accepted_and_counted(tmp_path: Path, kind: SetKind) -> None:
    g = generate(tmp_path / f"{kind}.x12", kind, 5, Layout(per_interchange=2))
    assert (g.sets, g.interchanges) == (5, 3)
    sets: list[CheckedSet] = []
    groups: list[CheckedGroup] = []
    interchanges: list[CheckedInterchange] = []
    with Path(g.path).open("rb") as fh:
        for event in check_stream(fh):
            if isinstance(event, CheckedSet):
                sets.append(event)
            elif isinstance(event, CheckedGroup):
                groups.append(event)
                if event.ack is not None:
                    event.ack.close()  # only its code is looked at
            elif isinstance(event, CheckedInterchange):
                interchanges.append(event)
    assert [s.ts.set_id for s in sets] == [kind] * 5
    assert all(s.result.code is AckCode.ACCEPTED and not s.result.issues for s in sets)
    assert [g.ack.code if g.ack else None for g in groups] == [AckCode.ACCEPTED] * 3
    assert [i.header.control_number for i in interchanges] == [
        "000000001",
        "000000002",
        "000000003",
    ]
    assert not any(i.rejected for i in interchanges)
    counted = scan(Path(g.path))
    assert (counted.segments, counted.sets, counted.interchanges) == (g.segments, 5, 3)
    assert counted.envelope_errors == 0
    # every set maps to its canonical document without a warning
    mapping = inbound_x12(kind)
    assert mapping is not None
    for s in sets:
        ctx = MappingContext(
            s.interchange.delimiters, source_metadata(s.ts, s.interchange, s.group)
        )
        doc = mapping.to_canonical(s.ts, ctx)
        assert [w.code for w in doc.warnings if w.code != "ignored_segment"] == []


def test_generator_numbers_shipments_and_envelopes_as_told(tmp_path: Path) -> None:
    sender = Party("ZZ", "BENCHCARRIER", "BENCHCARRIER")
    layout = Layout(sender=sender, scac="BNCH", first_isa13=7, first_set=101, line_break=False)
    text = b"".join(iter_chunks("214", 2, layout)).decode()
    assert text.startswith("ISA*00*          *00*          *ZZ*BENCHCARRIER   *ZZ*LOGIGATEWAY")
    assert "*000000007*0*P*>~GS*QM*BENCHCARRIER*LOGIGATEWAY*" in text
    assert "B10*PRO000000101*SHP0000101*BNCH~" in text
    assert "B10*PRO000000102*SHP0000102*BNCH~" in text
    assert text.endswith("GE*2*7~IEA*1*000000007~")
    assert "\n" not in text
    assert 1_000_000 < sets_for_bytes("214", 1 << 30) < 3_000_000  # ~1 GB of 214s


def test_validate_bench_runs_every_measurement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_validate, "OUT", tmp_path)
    rows = bench_validate.run(sets=30, pyx12_sets=4, repeat=1)
    per_kind = [r for r in rows if r.sets == 30]
    assert len(per_kind) == 9  # raw, in-process and command for each of 214, 204, 210
    assert {r.file.split(" ")[0] for r in per_kind} == {"214", "204", "210"}
    command = [r for r in per_kind if r.what.startswith("`gateway validate")]
    assert len(command) == 3 and all(r.peak_rss_mb and r.peak_rss_mb > 0 for r in command)
    small = [r for r in rows if r.sets == 4]
    assert [r.what.split(" ")[0] for r in small] == ["raw", "gateway", "pyx12"]
    assert all(r.seconds > 0 and r.segments > 0 for r in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyx12-maps"]  # inputs removed


def test_214_path_bench_runs_receive_process_and_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_214_path, "OUT", tmp_path)
    rows = bench_214_path.run_scenario(
        bench_214_path.SCENARIOS["portal"], 2, 2, 3, deliver_seconds=60
    )
    ingest, receive, process, deliver, _ = rows
    assert ingest.sets == receive.sets == process.sets == 12
    assert ingest.extra["deliveries"] == 24  # two portal updates per 214
    assert ingest.extra["acks"] == 4  # one 997 interchange per inbound interchange
    assert deliver.extra["delivered"] == 28
    assert list(tmp_path.iterdir()) == []  # the bench home is removed


def test_floor_bench_times_every_part_and_rebuilds_documents_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import bench_floor

    monkeypatch.setattr(bench_floor, "OUT", tmp_path)
    result = bench_floor.measure(sets=12, repeat=1)
    assert set(result["us_per_set"]) == {"x12", "construct", "dump", "portal", "sqlite"}
    assert all(v > 0 for v in result["us_per_set"].values())
    assert result["floor_us"] == pytest.approx(sum(result["us_per_set"].values()))
    assert result["events_per_set"] == 2 and result["models_per_set"] > 10
    assert list(tmp_path.iterdir()) == []  # the generated file and the database are removed


def test_floor_bench_constructor_calls_rebuild_the_same_document(tmp_path: Path) -> None:
    from bench.bench_floor import _parts

    path = tmp_path / "x.x12"
    generate(path, "214", 3)
    mapping = inbound_x12("214")
    assert mapping is not None
    with path.open("rb") as fh:
        events = check_stream(fh, ack_kind_for=lambda _i, _g: None)
        sets = [e for e in events if isinstance(e, CheckedSet)]
    for c in sets:
        meta = source_metadata(c.ts, c.interchange, c.group, partner_id="p", message_id="1")
        doc = mapping.to_canonical(c.ts, MappingContext(c.interchange.delimiters, meta, {}, None))
        calls = _parts(doc)
        cls, kwargs = calls[-1]
        assert cls is type(doc) and cls(**kwargs) == doc
        assert len(calls) > 10  # every nested model is its own constructor call


@pytest.mark.parametrize("group", [1, 2])
def test_stage_cycle_bench_counts_each_stage_per_file(group: int) -> None:
    """Files one (or two) per round: every figure comes back, and both stages wrote (the
    processing its database commits, the delivery its files)."""
    from bench import bench_stage_cycle

    files = list(iter_chunks("214", 4, Layout(per_interchange=1)))
    found = bench_stage_cycle.one_round(files, None, empty_rounds=3, group=group)
    assert set(found) >= {
        "process_ms_per_file",
        "deliver_user_ms_per_file",
        "process_wall_ms_per_file",
        "empty_deliver_round_ms",
    }
    assert found["process_written_kb_per_file"] > 0 and found["deliver_write_calls_per_file"] > 0


def test_file_process_bench_makes_distinct_interchanges_of_many_sets() -> None:
    """`--sets-per-file`: each file one interchange of its own control number and shipments,
    so every one is processed (one_round raises when a file is not)."""
    from bench import bench_file_process

    files = bench_file_process._files(2, 3)
    assert [f.count(b"ST*214*") for f in files] == [3, 3]
    assert files[0] != files[1]
    stats = bench_file_process.Statements()
    assert bench_file_process.one_round(files, None, stats) > 0
