"""Prometheus exposition written by gateway.ops.metrics (prometheus_client with a custom
collector), read back by the official client's parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from gateway.ops.metrics import SCAN_LIMIT, Snapshot, render

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    values: Samples = {}
    for family in text_string_to_metric_families(text):
        # figures read from the store are gauges; the two delivery timings are histograms
        expected = "histogram" if family.name.endswith("_seconds") else "gauge"
        assert family.type == expected, family.name
        assert family.documentation, family.name
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in values, f"sample twice: {key}"
            values[key] = sample.value
    return values


def value(values: Samples, name: str, **labels: str) -> float:
    return values[(name, tuple(sorted(labels.items())))]


def test_every_known_status_is_reported_with_zeros() -> None:
    snapshot = Snapshot(
        store_up=True,
        messages={"parsed": 7, "quarantined": 2},
        outbox={"delivered": 40, "dead": 3},
        acks={("sent", "accepted"): 5, ("expected", "overdue"): 1},
        documents={("shipment_status", "effective"): 9, ("load_tender", "void"): 1},
        overdue_acks=1,
    )
    values = parse(render(snapshot))
    assert value(values, "gateway_store_up") == 1
    assert value(values, "gateway_messages", status="parsed") == 7
    assert value(values, "gateway_messages", status="quarantined") == 2
    assert value(values, "gateway_messages", status="received") == 0
    assert value(values, "gateway_messages", status="duplicate") == 0
    assert value(values, "gateway_outbox", status="dead") == 3
    assert value(values, "gateway_outbox", status="pending") == 0
    assert value(values, "gateway_outbox", status="held") == 0
    assert value(values, "gateway_acks", direction="sent", status="accepted") == 5
    assert value(values, "gateway_acks", direction="expected", status="overdue") == 1
    assert value(values, "gateway_acks", direction="received", status="rejected") == 0
    assert value(values, "gateway_documents", doc_type="shipment_status", status="effective") == 9
    assert value(values, "gateway_documents", doc_type="load_tender", status="void") == 1
    assert value(values, "gateway_documents", doc_type="freight_invoice", status="held") == 0
    assert value(values, "gateway_acks_overdue") == 1
    assert value(values, "gateway_metrics_truncated", family="acks") == 0
    acks = [k for k in values if k[0] == "gateway_acks"]
    assert len(acks) == 3 * 6  # every direction x every status


def test_label_values_from_the_database_are_escaped() -> None:
    odd = 'a "quoted"\\back\nslash'
    values = parse(render(Snapshot(store_up=True, messages={odd: 4}, documents={(odd, odd): 2})))
    assert value(values, "gateway_messages", status=odd) == 4
    assert value(values, "gateway_documents", doc_type=odd, status=odd) == 2


def test_partner_figures_depth_and_delivery_histograms() -> None:
    snapshot = Snapshot(
        store_up=True,
        partner_messages={("demo-carrier", "parsed"): 3},
        sets={("demo-carrier", "214", "A"): 4, ("demo-carrier", "214", "R"): 1},
        outbox_depth={"erp": 2},
        delivery_seconds=[0.05, 0.3, 2.0, 7200.0],
        drop_to_delivered_seconds=[1.0, 20.0],
    )
    values = parse(render(snapshot))
    assert value(values, "gateway_partner_messages", partner="demo-carrier", status="parsed") == 3
    assert (
        value(values, "gateway_transaction_sets", partner="demo-carrier", set_id="214", outcome="R")
        == 1
    )
    assert value(values, "gateway_outbox_depth", destination="erp") == 2
    latency = "gateway_delivery_latency_seconds"
    assert value(values, f"{latency}_bucket", le="0.1") == 1
    assert value(values, f"{latency}_bucket", le="0.5") == 2
    assert value(values, f"{latency}_bucket", le="3600.0") == 3
    assert value(values, f"{latency}_bucket", le="+Inf") == 4
    assert value(values, f"{latency}_count") == 4
    assert value(values, f"{latency}_sum") == 7202.35
    drop = "gateway_drop_to_delivered_seconds"
    assert value(values, f"{drop}_bucket", le="15.0") == 1 and value(values, f"{drop}_count") == 2


def test_store_down_reports_only_that() -> None:
    text = render(Snapshot(store_up=False))
    assert parse(text) == {("gateway_store_up", ()): 0}
    assert text.endswith("\n")


def test_truncated_tallies_are_flagged() -> None:
    values = parse(render(Snapshot(store_up=True, truncated=frozenset({"documents"}))))
    assert value(values, "gateway_metrics_truncated", family="documents") == 1
    assert value(values, "gateway_metrics_truncated", family="acks") == 0
    assert str(SCAN_LIMIT) in render(Snapshot(store_up=True))
