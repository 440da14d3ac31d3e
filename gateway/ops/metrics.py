"""Prometheus metrics computed from the store at scrape time, served through prometheus_client.

`collect(store)` reads the numbers into a `Snapshot`; `render(snapshot)` exposes them with a
custom collector (`StoreCollector`) and prometheus_client's text writer (format 0.0.4). No state
lives in the process, so every worker sharing a database reports the same figures.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from gateway.canonical import DocumentType
from gateway.notices import NOTICE_KINDS
from gateway.store import (
    AckDirection,
    AckStatus,
    DocumentStatus,
    MessageStatus,
    OutboxStatus,
    Store,
)

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The store counts messages, outbox rows and acks by status in SQL; acks by direction and
# documents by type have no grouped count yet, so they are tallied from one bounded read each.
SCAN_LIMIT = 50_000
# Delivery timings come from the newest deliveries made (a bounded read, like the tallies).
TIMING_LIMIT = 10_000
# Seconds: from sub-second local folders to a day of retries.
LATENCY_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14400.0, 86400.0)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The figures of one scrape. `truncated` names the tallies that hit SCAN_LIMIT."""

    store_up: bool
    messages: Mapping[str, int] = field(default_factory=dict)
    outbox: Mapping[str, int] = field(default_factory=dict)
    acks: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (direction, status)
    documents: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (type, status)
    overdue_acks: int = 0
    truncated: frozenset[str] = frozenset()
    notices: Mapping[str, int] = field(default_factory=dict)  # events by NOTICE_KINDS kind
    partner_messages: Mapping[tuple[str, str], int] = field(
        default_factory=dict
    )  # (partner, status)
    sets: Mapping[tuple[str, str, str], int] = field(default_factory=dict)  # (partner, set, A/E/R)
    outbox_depth: Mapping[str, int] = field(default_factory=dict)  # destination -> waiting
    delivery_seconds: Sequence[float] = ()  # queued -> delivered
    drop_to_delivered_seconds: Sequence[float] = ()  # file received -> delivered


def collect(store: Store) -> Snapshot:
    """Read the current figures; a store that cannot be read gives `store_up=False`."""
    try:
        counts = store.counts()
        acks = store.list_acks(limit=SCAN_LIMIT)
        documents = store.list_documents(limit=SCAN_LIMIT)
        notices = store.count_events(NOTICE_KINDS)
        partner_messages = store.message_counts_by_partner()
        sets = store.set_outcomes()
        depth = store.outbox_depth()
        timings = store.delivery_timings(limit=TIMING_LIMIT)
    except Exception:  # a scrape must answer even when the database is down: gateway_store_up 0
        log.warning("metrics: the store did not answer", exc_info=True)
        return Snapshot(store_up=False)
    truncated = set()
    if len(acks) >= SCAN_LIMIT:
        truncated.add("acks")
    if len(documents) >= SCAN_LIMIT:
        truncated.add("documents")
    return Snapshot(
        store_up=True,
        messages=counts.get("messages", {}),
        outbox=counts.get("outbox", {}),
        acks=Counter((a.direction.value, a.status.value) for a in acks),
        documents=Counter((d.doc_type, d.status.value) for d in documents),
        overdue_acks=counts.get("acks", {}).get(AckStatus.OVERDUE.value, 0),
        truncated=frozenset(truncated),
        notices=notices,
        partner_messages={(p, st): n for p, st, n in partner_messages},
        sets={(p, set_id, outcome): n for p, set_id, outcome, n in sets},
        outbox_depth=dict(depth),
        delivery_seconds=[t for t, _ in timings],
        drop_to_delivered_seconds=[d for _, d in timings if d is not None],
    )


class StoreCollector(Collector):
    """Yields the metric families of one snapshot (prometheus_client's custom collector)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        yield _gauge(
            "gateway_store_up",
            "1 when the store answered this scrape.",
            [],
            [([], 1 if snap.store_up else 0)],
        )
        if not snap.store_up:
            return
        yield _gauge(
            "gateway_messages",
            "Received messages by status.",
            ["status"],
            [([k], n) for k, n in _with_zeros(snap.messages, MessageStatus).items()],
        )
        yield _gauge(
            "gateway_outbox",
            "Outbox deliveries by status (dead = dead letters).",
            ["status"],
            [([k], n) for k, n in _with_zeros(snap.outbox, OutboxStatus).items()],
        )
        acks = dict.fromkeys(((d.value, s.value) for d in AckDirection for s in AckStatus), 0)
        acks.update(snap.acks)
        yield _gauge(
            "gateway_acks",
            "Acknowledgements by direction (sent, received, expected) and status.",
            ["direction", "status"],
            [([d, s], n) for (d, s), n in sorted(acks.items())],
        )
        documents = dict.fromkeys(
            ((t.value, s.value) for t in DocumentType for s in DocumentStatus), 0
        )
        documents.update(snap.documents)
        yield _gauge(
            "gateway_documents",
            "Canonical documents by type and status (held, effective, void).",
            ["doc_type", "status"],
            [([t, s], n) for (t, s), n in sorted(documents.items())],
        )
        yield _gauge(
            "gateway_acks_overdue",
            "Expected acknowledgements past their due time.",
            [],
            [([], snap.overdue_acks)],
        )
        yield _gauge(
            "gateway_notices",
            "Notices by kind: inbox entries not taken, test data withheld, profile reloads.",
            ["kind"],
            [([k], n) for k, n in _with_zeros(snap.notices, NOTICE_KINDS).items()],
        )
        yield _gauge(
            "gateway_metrics_truncated",
            f"1 when a tally stopped at {SCAN_LIMIT} rows (its figures are then lower bounds).",
            ["family"],
            [([f], int(f in snap.truncated)) for f in ("acks", "documents")],
        )
        yield _gauge(
            "gateway_partner_messages",
            "Received messages by partner and status.",
            ["partner", "status"],
            [([p, s], n) for (p, s), n in sorted(snap.partner_messages.items())],
        )
        yield _gauge(
            "gateway_transaction_sets",
            "Inbound transaction sets by partner, type (ST01) and outcome (A, E, R).",
            ["partner", "set_id", "outcome"],
            [([p, t, o], n) for (p, t, o), n in sorted(snap.sets.items())],
        )
        yield _gauge(
            "gateway_outbox_depth",
            "Deliveries not yet made (held, pending, in flight) by destination.",
            ["destination"],
            [([d], n) for d, n in sorted(snap.outbox_depth.items())],
        )
        yield _histogram(
            "gateway_delivery_latency_seconds",
            f"Queued to delivered, over the newest {TIMING_LIMIT} deliveries made.",
            snap.delivery_seconds,
        )
        yield _histogram(
            "gateway_drop_to_delivered_seconds",
            f"File received to delivered, over the newest {TIMING_LIMIT} deliveries made.",
            snap.drop_to_delivered_seconds,
        )


def render(snapshot: Snapshot) -> str:
    """The exposition text; every known status appears, with 0 when there is none."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(snapshot))
    return generate_latest(registry).decode("utf-8")


def _gauge(
    name: str, help_text: str, labels: list[str], samples: Iterable[tuple[list[str], float]]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, help_text, labels=labels)
    for values, value in samples:
        family.add_metric(values, value)
    return family


def _histogram(name: str, help_text: str, values: Sequence[float]) -> HistogramMetricFamily:
    buckets: list[tuple[str, float]] = []
    for bound in LATENCY_BUCKETS:
        buckets.append((str(bound), float(sum(1 for v in values if v <= bound))))
    buckets.append(("+Inf", float(len(values))))
    family = HistogramMetricFamily(name, help_text)
    family.add_metric([], buckets, sum_value=float(sum(values)))
    return family


def _with_zeros(found: Mapping[str, int], known: Iterable[object]) -> dict[str, int]:
    values = {str(k): 0 for k in known}
    values.update(found)
    return dict(sorted(values.items()))
