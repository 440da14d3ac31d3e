"""One ledger over every channel: known artifacts in, effects counted at real peers, figures out.

The reliability figures (LOST, DUP_EFFECT, UNEXPECTED, STUCK, ACK_GAP, SRC_LEFT, BYTES_EQ, and
MISSING_EFFECT / NO_EFFECT) are computed once the system is quiet, from three things only:

- the `Ledger`: every artifact the workload sent (channel, partner, ISA13, GS06s, ST02s,
  business keys, sha256 of the bytes the gateway receives, and where it was dropped);
- the receiving peers (`Peer`): what each took, per idempotency key (HTTP and broker peers) or
  per file name (folder and SFTP peers: the name is derived from the outbox row);
- the store, read through `gateway.store` (SQLite or PostgreSQL: only a URL is needed).

Usage (see tests/reliability/test_ledger_all_channels.py)::

    ledger = Ledger()
    ledger.record(Artifact(channel="folder", partner="northwind-5010", data=b"ISA...",
                           business_keys=("SHIP-1",), expect=("erp", "tms")))
    ... run the gateway until quiet (`wait_quiet`) ...
    figures = ledger.check(store_url, home, peers)
    assert figures.failures() == {}, figures.as_dict()
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Protocol

from lxml import etree

from gateway.store import (
    AckDirection,
    AckKind,
    AckStatus,
    Direction,
    MessageStatus,
    OutboxRow,
    OutboxStatus,
    Store,
    create_store,
)

# ---------------------------------------------------------------- artifacts


@dataclass(frozen=True)
class Artifact:
    """One thing the workload sent, with every id needed to find it again.

    `data` is the exact bytes the gateway receives and archives (for SOAP: the HTTP body of
    the call), so `sha256` is what its receipt row must carry. `source` is where it was
    dropped (a watch folder or a carrier's SFTP folder), for LOST ("not still at the source").
    `expect` names the peers that must show an effect mentioning one of `business_keys`;
    a deliberate repeat (`duplicate_of` set) expects no effect of its own.
    """

    channel: str  # folder, sftp, hosted_drop, soap, rest_x12, rest_tms
    partner: str
    data: bytes
    name: str = ""
    isa13: str | None = None
    gs06: tuple[str, ...] = ()
    st02: tuple[str, ...] = ()
    business_keys: tuple[str, ...] = ()
    expect: tuple[str, ...] = ()
    source: Path | None = None
    duplicate_of: str | None = None  # the name of the artifact it repeats
    # a retry of an idempotent call (SOAP DOCNUM, REST Idempotency-Key) answered from the first
    # call's stored response: no receipt of its own, and no effect
    replay: bool = False
    # the gateway must refuse it (e.g. a reused ISA13 with other content): received and
    # archived, but no peer may show an effect naming its business keys (REFUSED_EFFECT)
    refused: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def ids(self) -> dict[str, Any]:
        """What the ledger records of it (no payload)."""
        return {
            "channel": self.channel,
            "partner": self.partner,
            "name": self.name,
            "isa13": self.isa13,
            "gs06": list(self.gs06),
            "st02": list(self.st02),
            "business_keys": list(self.business_keys),
            "sha256": self.sha256,
            "duplicate_of": self.duplicate_of,
        }


_SEG = re.compile(rb"[~\n]")


def x12_ids(data: bytes) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """ISA13, the GS06s and the ST02s of an interchange (element separator: byte 3)."""
    if not data.startswith(b"ISA") or len(data) < 106:
        return None, (), ()
    sep = data[3:4]
    term = data[105:106]
    isa13: str | None = None
    gs06: list[str] = []
    st02: list[str] = []
    for raw in data.split(term):
        seg = raw.strip().split(sep)
        tag = seg[0]
        if tag == b"ISA" and len(seg) > 13:
            isa13 = seg[13].decode()
        elif tag == b"GS" and len(seg) > 6:
            gs06.append(seg[6].decode())
        elif tag == b"ST" and len(seg) > 2:
            st02.append(seg[2].decode())
    return isa13, tuple(gs06), tuple(st02)


# ---------------------------------------------------------------- peers


@dataclass(frozen=True)
class Effect:
    """One effect a peer applied: its key (idempotency key, message_id or file name) and body."""

    key: str
    body: bytes


class Peer(Protocol):
    """A receiving peer: `name` is the destination profile id whose outbox rows it takes."""

    name: str
    keyed_by: Literal["name", "idempotency_key"]

    def effects(self) -> list[Effect]:
        """Every effect applied, in order; a key twice means a second effect."""
        ...


def effect_key(row: OutboxRow, keyed_by: str) -> str:
    """Where an outbox row's effect shows at its peer: the file name the delivery worker
    writes (gateway/pipeline/delivery.py), or the idempotency key."""
    if keyed_by == "name":
        return row.payload_path or f"{row.kind}-{row.idempotency_key}"
    return row.idempotency_key


@dataclass
class FolderPeer:
    """A folder (or a carrier's SFTP upload folder, seen on this machine) whose files are the
    effects, by name. With `consume`, each `take()` moves new files away as a consumer would,
    so a file written again after it was taken counts as a second effect."""

    name: str
    directory: Path
    consume: bool = False
    ignore: tuple[str, ...] = (".part", ".tmp")
    keyed_by: Literal["name", "idempotency_key"] = "name"
    _taken: list[Effect] = field(default_factory=list)

    def take(self) -> int:
        if not self.consume or not self.directory.is_dir():
            return 0
        done = self.directory / ".ledger-taken"
        done.mkdir(exist_ok=True)
        n = 0
        for path in sorted(self._files()):
            self._taken.append(Effect(path.name, path.read_bytes()))
            path.replace(done / f"{len(self._taken):06d}-{path.name}")
            n += 1
        return n

    def _files(self) -> Iterable[Path]:
        if not self.directory.is_dir():
            return []
        return (
            p
            for p in self.directory.iterdir()
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith(self.ignore)
        )

    def effects(self) -> list[Effect]:
        self.take()
        return [*self._taken, *(Effect(p.name, p.read_bytes()) for p in sorted(self._files()))]


@dataclass
class HttpEffects:
    """The effects of a tests/peers/http_peer.HttpPeer (it applies each Idempotency-Key once;
    a repeated key is a transport retry, counted in its `attempts`, not an effect)."""

    name: str
    peer: Any  # HttpPeer: its state.bodies holds one body per applied key
    keyed_by: Literal["name", "idempotency_key"] = "idempotency_key"

    def effects(self) -> list[Effect]:
        with self.peer.state.lock:
            return [Effect(k, b) for k, b in self.peer.state.bodies.items()]


class WebhookPeer:
    """A portal that verifies each webhook's HMAC signature (gateway.adapters.webhook.verify)
    and applies each Idempotency-Key once; unsigned or forged calls are refused and counted."""

    keyed_by: Literal["name", "idempotency_key"] = "idempotency_key"

    def __init__(self, name: str, secret: str) -> None:
        from gateway.adapters.webhook import WebhookRejected, verify

        self.name = name
        self.applied: list[Effect] = []
        self.attempts: Counter[str] = Counter()
        self.rejected: list[str] = []
        self.fail_next = 0  # answer the next N valid calls 503 (the portal is down a moment)
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                key = self.headers.get("Idempotency-Key", "")
                with peer.lock:
                    peer.attempts[key] += 1
                    try:
                        verify(secret, headers, body)
                    except WebhookRejected as exc:
                        peer.rejected.append(str(exc))
                        status = 401
                    else:
                        status = peer._apply(key, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _apply(self, key: str, body: bytes) -> int:
        if self.fail_next > 0:
            self.fail_next -= 1
            return 503
        if any(e.key == key for e in self.applied):
            return 409  # applied before: a retry, no second effect
        self.applied.append(Effect(key, body))
        return 204

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def effects(self) -> list[Effect]:
        with self.lock:
            return list(self.applied)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class BrokerPeer:
    """A consumer of a real RabbitMQ queue bound to the gateway's event exchange; an effect per
    message_id (the outbox idempotency key). A message_id seen again is a broker redelivery or
    a re-publish after a crash: the consumer drops it (counted in `redelivered`)."""

    keyed_by: Literal["name", "idempotency_key"] = "idempotency_key"

    def __init__(self, name: str, url: str, exchange: str) -> None:
        import pika
        from pika.exchange_type import ExchangeType

        self.name = name
        self.exchange = exchange
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.exchange_declare(exchange, exchange_type=ExchangeType("topic"), durable=True)
        self.queue: str = self.channel.queue_declare("", exclusive=True).method.queue or ""
        self.channel.queue_bind(self.queue, exchange, "#")
        self.applied: dict[str, Effect] = {}
        self.redelivered: Counter[str] = Counter()

    def take(self) -> int:
        n = 0
        while True:
            method, props, body = self.channel.basic_get(self.queue, auto_ack=True)
            if method is None:
                return n
            key = str(props.message_id or "") if props is not None else ""
            if key in self.applied:
                self.redelivered[key] += 1
            else:
                self.applied[key] = Effect(
                    key, body if isinstance(body, bytes) else (body or "").encode()
                )
            n += 1

    def effects(self) -> list[Effect]:
        self.take()
        return list(self.applied.values())

    def close(self) -> None:
        self.channel.exchange_delete(self.exchange)
        self.connection.close()


# ---------------------------------------------------------------- content identity

# values that differ between two renderings of the same business event (keys, stamps, ids)
_VOLATILE_JSON = frozenset(
    {"idempotency_key", "message_id", "occurred_at", "sent_at", "created_at", "generated_at"}
)
_VOLATILE_IDOC = frozenset({"DOCNUM", "CREDAT", "CRETIM", "SERIAL", "REFINT", "REFGRP", "REFMES"})


def _strip_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_json(v) for k, v in value.items() if k not in _VOLATILE_JSON}
    if isinstance(value, list):
        return [_strip_json(v) for v in value]
    return value


def business_fingerprint(body: bytes) -> str:
    """The same business content rendered twice (other idempotency key, control numbers or
    time stamps) gives the same fingerprint: two effects with one fingerprint at one peer are
    one business event applied twice."""
    text = body.lstrip()
    canonical: bytes
    if text.startswith((b"{", b"[")):
        try:
            canonical = json.dumps(_strip_json(json.loads(text)), sort_keys=True).encode()
        except ValueError:
            canonical = body
    elif text.startswith(b"<"):
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        try:
            root = etree.fromstring(text, parser)
        except etree.XMLSyntaxError:
            canonical = body
        else:
            for el in list(root.iter()):
                if isinstance(el.tag, str) and etree.QName(el).localname in _VOLATILE_IDOC:
                    el.text = None
            canonical = etree.tostring(root, method="c14n")
    elif text.startswith(b"ISA") and len(text) >= 106:
        sep, term = text[3:4], text[105:106]
        segments = [raw.strip().split(sep) for raw in text.split(term)]
        if any(seg[0] == b"GS" and seg[1:2] == [b"FA"] for seg in segments) or not any(
            seg[0] == b"GS" for seg in segments
        ):
            # an acknowledgement (997/999, TA1) names only the group it answers, and two
            # interchanges may share a GS06: it is its own content; ACK_GAP counts them
            canonical = body
        else:
            kept = [
                sep.join(seg)
                for seg in segments
                # envelopes: control numbers and dates only
                if seg[0] not in (b"ISA", b"IEA", b"GS", b"GE", b"ST", b"SE")
            ]
            canonical = term.join(kept)
    else:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class LedgerFigures:
    LOST: int
    DUP_EFFECT: int
    UNEXPECTED: int
    STUCK: int
    ACK_GAP: int
    SRC_LEFT: int
    BYTES_EQ_PCT: float
    MISSING_EFFECT: int  # delivered outbox rows with no effect at their peer
    NO_EFFECT: int  # (artifact, expected peer) pairs with no effect naming the artifact
    artifacts: int
    effects: int
    groups_in: int  # accepted inbound groups checked for their acknowledgement
    detail: dict[str, list[str]] = field(default_factory=dict)  # what each non-zero counts
    groups_out: int = 0  # outbound groups (204s...) checked for their expected 997/999
    acks_out_open: int = 0  # of those, still pending within their window (not a gap)
    REFUSED_EFFECT: int = 0  # effects naming an artifact the gateway had to refuse

    REQUIRED = {
        "LOST": 0,
        "DUP_EFFECT": 0,
        "UNEXPECTED": 0,
        "STUCK": 0,
        "ACK_GAP": 0,
        "SRC_LEFT": 0,
        "BYTES_EQ_PCT": 100.0,
        "MISSING_EFFECT": 0,
        "NO_EFFECT": 0,
        "REFUSED_EFFECT": 0,
    }

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "detail"}

    def failures(self) -> dict[str, tuple[Any, Any]]:
        """Figures away from their required value: name -> (measured, required)."""
        got = self.as_dict()
        return {k: (got[k], want) for k, want in self.REQUIRED.items() if got[k] != want}


REQUIRED: dict[str, float] = dict(LedgerFigures.REQUIRED)

_ACK_KINDS = (AckKind.FA997, AckKind.FA999)
_ACK_FUNCTIONAL_IDS = frozenset({"FA"})
_ACCEPTED = frozenset({"accepted", "accepted_with_errors", "partially_accepted"})
_BIG = 10_000_000


@dataclass
class Ledger:
    """The artifacts of a workload and the folders they were dropped into."""

    artifacts: list[Artifact] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)  # watch/remote folders: SRC_LEFT

    def record(self, artifact: Artifact) -> Artifact:
        self.artifacts.append(artifact)
        if artifact.source is not None and artifact.source.parent not in self.sources:
            self.sources.append(artifact.source.parent)
        return artifact

    def by_name(self, name: str) -> Artifact:
        return next(a for a in self.artifacts if a.name == name)

    def check(
        self,
        store_url: str,
        home: Path,
        peers: Sequence[Peer],
        *,
        extra_sources: Sequence[Path] = (),
        now: datetime | None = None,
    ) -> LedgerFigures:
        """The figures, read from the store at `store_url` and the peers (call when quiet).

        Source folders are the ones artifacts were dropped into, `extra_sources`, and
        `home/inbox` (every partner watch folder of the embedded default)."""
        store = create_store(store_url)
        try:
            sources = [*self.sources, *extra_sources, home / "inbox"]
            return _Check(self, store, list(peers), sources, now or datetime.now(UTC)).run()
        finally:
            store.close()


def _files_under(folders: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    for folder in folders:
        if folder.is_dir():
            seen.update(
                p for p in folder.rglob("*") if p.is_file() and ".ledger-taken" not in p.parts
            )
    return sorted(seen)


@dataclass
class _Check:
    ledger: Ledger
    store: Store
    peers: list[Peer]
    sources: list[Path]
    now: datetime
    detail: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def run(self) -> LedgerFigures:
        store = self.store
        self.messages = store.list_messages(limit=_BIG)
        self.outbox = store.list_outbox(limit=_BIG)
        self.effects = {p.name: p.effects() for p in self.peers}
        left = _files_under(self.sources)
        self.left_shas = Counter(hashlib.sha256(p.read_bytes()).hexdigest() for p in left)
        for p in left:
            self.detail["SRC_LEFT"].append(str(p))
        lost, bytes_eq, known = self._receipts()
        groups, ack_gap, groups_out, open_out = self._acks()
        return LedgerFigures(
            LOST=lost,
            DUP_EFFECT=self._duplicates(),
            UNEXPECTED=self._unexpected(),
            STUCK=self._stuck(),
            ACK_GAP=ack_gap,
            SRC_LEFT=len(left),
            BYTES_EQ_PCT=round(100.0 * bytes_eq / known, 2) if known else 0.0,
            MISSING_EFFECT=self._missing(),
            NO_EFFECT=self._no_effect(),
            artifacts=len(self.ledger.artifacts),
            effects=sum(len(e) for e in self.effects.values()),
            groups_in=groups,
            detail=dict(self.detail),
            groups_out=groups_out,
            acks_out_open=open_out,
            REFUSED_EFFECT=self._refused(),
        )

    def _receipts(self) -> tuple[int, int, int]:
        """LOST: artifacts with no receipt (first arrival or logged duplicate arrival) and not
        still at the source. BYTES_EQ: archived copy's sha256 equals the sent bytes'."""
        by_key = {(m.partner_id, m.sha256): m for m in self.messages}
        repeats = Counter(
            e.message_id
            for e in self.store.list_events(kinds=["duplicate_receipt"], limit=_BIG)
            if e.message_id is not None
        )
        sent = Counter((a.partner, a.sha256) for a in self.ledger.artifacts if not a.replay)
        lost = 0
        for (partner, sha), n in sent.items():
            m = by_key.get((partner, sha))
            received = 0 if m is None else 1 + repeats[m.id]
            missing = max(0, n - received - self.left_shas[sha])
            if missing:
                lost += missing
                self.detail["LOST"].append(f"{partner} {sha[:12]} x{missing}")
        equal = 0
        for partner, sha in sent:
            m = by_key.get((partner, sha))
            path = Path(m.archive_path) if m is not None else None
            if (
                path is not None
                and path.is_file()
                and hashlib.sha256(path.read_bytes()).hexdigest() == sha
            ):
                equal += 1
                continue
            self.detail["BYTES_EQ"].append(f"{partner} {sha[:12]}")
        return lost, equal, len(sent)

    def _unexpected(self) -> int:
        """Receipts that are no artifact of the ledger, canonical rows and deliveries with no
        receipt lineage."""
        sent = {(a.partner, a.sha256) for a in self.ledger.artifacts}
        ids = {m.id for m in self.messages}
        n = 0
        for m in self.messages:
            if (m.partner_id, m.sha256) not in sent:
                n += 1
                self.detail["UNEXPECTED"].append(f"message {m.id} {m.original_name}")
        for d in self.store.list_documents(limit=_BIG):
            if d.message_id not in ids:
                n += 1
                self.detail["UNEXPECTED"].append(f"document {d.id} {d.doc_type}")
        acked = {a.outbox_id for a in self.store.list_acks(direction=AckDirection.SENT, limit=_BIG)}
        for o in self.outbox:
            lineage = o.source_message_id in ids or o.id in acked
            if not lineage:
                n += 1
                self.detail["UNEXPECTED"].append(f"outbox {o.id} {o.kind} to {o.destination}")
        return n

    def _stuck(self) -> int:
        busy = (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)
        n = 0
        for o in self.outbox:
            if o.status in busy:
                n += 1
                self.detail["STUCK"].append(f"outbox {o.id} {o.status.value} {o.destination}")
        for m in self.messages:
            if m.status is MessageStatus.RECEIVED:
                n += 1
                self.detail["STUCK"].append(f"message {m.id} received, never processed")
        return n

    def _acks(self) -> tuple[int, int, int, int]:
        """Every accepted inbound group has exactly one 997/999 sent, and it was delivered;
        every outbound group is reconciled, or still within its window, or flagged overdue."""
        store = self.store
        all_acks = store.list_acks(limit=_BIG)
        sent = Counter(
            (a.partner_id, a.interchange_control_number, a.group_control_number)
            for a in all_acks
            if a.direction is AckDirection.SENT and a.kind in _ACK_KINDS
        )
        ack_outbox = {
            (a.partner_id, a.interchange_control_number, a.group_control_number): a.outbox_id
            for a in all_acks
            if a.direction is AckDirection.SENT and a.kind in _ACK_KINDS
        }
        delivered = {o.id for o in self.outbox if o.status is OutboxStatus.DELIVERED}
        expected = {
            (a.partner_id, a.interchange_control_number, a.group_control_number): a
            for a in all_acks
            if a.direction is AckDirection.EXPECTED and a.kind in _ACK_KINDS
        }
        groups = gap = groups_out = open_out = 0
        for ic in store.list_interchanges(limit=_BIG):
            for g in store.list_groups(ic.id):
                if g.functional_id in _ACK_FUNCTIONAL_IDS:
                    continue
                key = (ic.partner_id, ic.control_number, g.control_number)
                if ic.direction is Direction.IN and ic.outcome in _ACCEPTED:
                    groups += 1
                    if sent[key] != 1 or ack_outbox.get(key) not in delivered:
                        gap += 1
                        self.detail["ACK_GAP"].append(f"in {key}: {sent[key]} acks sent")
                elif ic.direction is Direction.OUT:
                    groups_out += 1
                    a = expected.get(key)
                    if a is not None and a.status is AckStatus.PENDING:
                        open_out += 1
                    late = (
                        a is not None
                        and a.status is AckStatus.PENDING
                        and a.due_at is not None
                        and a.due_at < self.now
                    )
                    if a is None or late:
                        gap += 1
                        self.detail["ACK_GAP"].append(f"out {key}: {a.status if a else 'none'}")
        return groups, gap, groups_out, open_out

    def _duplicates(self) -> int:
        """Second effects: one key applied twice at a peer, or one business content applied
        under two keys at a peer (the same event re-sent under a new idempotency key)."""
        n = 0
        for peer, effects in self.effects.items():
            for key, count in Counter(e.key for e in effects).items():
                if count > 1:
                    n += count - 1
                    self.detail["DUP_EFFECT"].append(f"{peer} key {key} x{count}")
            by_content: dict[str, set[str]] = defaultdict(set)
            for e in effects:
                by_content[business_fingerprint(e.body)].add(e.key)
            for keys in by_content.values():
                if len(keys) > 1:
                    n += len(keys) - 1
                    self.detail["DUP_EFFECT"].append(f"{peer} same content {sorted(keys)}")
        return n

    def _missing(self) -> int:
        peers = {p.name: p for p in self.peers}
        n = 0
        for o in self.outbox:
            peer = peers.get(o.destination)
            if peer is None or o.status is not OutboxStatus.DELIVERED:
                continue
            key = effect_key(o, peer.keyed_by)
            if not any(e.key == key for e in self.effects[peer.name]):
                n += 1
                self.detail["MISSING_EFFECT"].append(f"outbox {o.id} {o.kind} {peer.name} {key}")
        return n

    def _no_effect(self) -> int:
        n = 0
        for a in self.ledger.artifacts:
            if a.duplicate_of is not None or a.replay or a.refused:
                continue
            for peer in a.expect:
                bodies = self.effects.get(peer, [])
                if not any(k.encode() in e.body for e in bodies for k in a.business_keys):
                    n += 1
                    self.detail["NO_EFFECT"].append(f"{a.name} ({a.channel}) at {peer}")
        return n

    def _refused(self) -> int:
        n = 0
        for a in self.ledger.artifacts:
            if not a.refused:
                continue
            for peer, effects in self.effects.items():
                for e in effects:
                    if any(k.encode() in e.body for k in a.business_keys):
                        n += 1
                        self.detail["REFUSED_EFFECT"].append(f"{a.name} at {peer}: {e.key}")
        return n


# ---------------------------------------------------------------- waiting


def quiet_state(store_url: str) -> dict[str, int]:
    """What still moves: unprocessed receipts and due or claimed deliveries."""
    store = create_store(store_url)
    try:
        return {
            "received": len(store.list_messages(status=MessageStatus.RECEIVED, limit=_BIG)),
            "pending": len(store.list_outbox(status=OutboxStatus.PENDING, limit=_BIG)),
            "in_flight": len(store.list_outbox(status=OutboxStatus.IN_FLIGHT, limit=_BIG)),
            "messages": len(store.list_messages(limit=_BIG)),
        }
    finally:
        store.close()


def wait_quiet(
    store_url: str,
    ledger: Ledger,
    *,
    timeout: float = 60.0,
    settle: float = 1.0,
    extra_sources: Sequence[Path] = (),
    peers: Sequence[Peer] = (),
    ready: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Wait until nothing is left at the sources, nothing is received-but-unprocessed, no
    delivery is pending or in flight, and that held for `settle` seconds (peers that consume
    are polled meanwhile). Raises AssertionError with the last state on timeout."""
    deadline = time.monotonic() + timeout
    calm_since: float | None = None
    state: dict[str, int] = {}
    while time.monotonic() < deadline:
        for p in peers:
            take = getattr(p, "take", None)
            if callable(take):
                take()
        state = quiet_state(store_url)
        state["src_left"] = len(_files_under([*ledger.sources, *extra_sources]))
        calm = (
            state["src_left"] == 0
            and state["received"] == 0
            and state["pending"] == 0
            and state["in_flight"] == 0
            and state["messages"] > 0
            and (ready is None or ready())
        )
        if calm:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= settle:
                return state
        else:
            calm_since = None
        time.sleep(0.2)
    raise AssertionError(f"the gateway did not become quiet in {timeout} s: {state}")


def render(figures: LedgerFigures) -> str:
    """One line for logs and reports."""
    return " ".join(f"{k}={v}" for k, v in figures.as_dict().items())


def figures_from(mapping: Mapping[str, Any]) -> LedgerFigures:
    """Rebuild figures from `as_dict()` output (reports, comparisons)."""
    return LedgerFigures(
        **{k: mapping[k] for k in LedgerFigures.__dataclass_fields__ if k in mapping}
    )


# ---------------------------------------------------------------- workload


@dataclass(frozen=True)
class CarrierIds:
    """Who a carrier is in X12 (its profile's x12 section)."""

    isa_qualifier: str
    isa_id: str
    scac: str
    isa_version: str = "00401"  # ISA12
    gs_version: str = "004010"  # GS08
    repetition: str = "U"  # ISA11: U before 00402, the repetition separator after


DEMO_CARRIER = CarrierIds("02", "DEMOCARRIER", "DEMO")
NORTHWIND = CarrierIds("ZZ", "NORTHWIND", "NWFT", "00501", "005010", "^")


def carrier_214(carrier: CarrierIds, isa13: str, tag: str, *, sets: int = 2) -> bytes:
    """A 214 interchange whose shipments (`SHIP-<tag>-<n>`, PRO `PRO-<tag>-<n>`, BOL
    `BOL-<tag>-<n>`) occur in no other artifact: each effect at a peer names the artifact it
    came from. 004010 puts the reference and parties in the heading, 005010 in the LX loop."""
    five = carrier.isa_version >= "00501"
    component = ":" if five else ">"
    body = []
    for n in range(1, sets + 1):
        st = f"{n:04d}"
        b10 = f"B10*PRO-{tag}-{n}*SHIP-{tag}-{n}*{carrier.scac}"
        bol = f"L11*BOL-{tag}-{n}*BM"
        if five:
            segs = [
                f"ST*214*{st}",
                b10,
                "LX*1",
                bol,
                "AT7*X3*NS***20240105*0800*CT",
                "MS1*DALLAS*TX*US",
                "N1*SH*ACME RETAIL*93*ACME-RETAIL",
                "N4*DALLAS*TX*75201*US",
                "LX*2",
                "AT7*D1*NS***20240106*1430*CT",
                "MS1*HOUSTON*TX*US",
                "N1*CN*CONSIGNEE CO",
                "N4*HOUSTON*TX*77002*US",
            ]
        else:
            segs = [
                f"ST*214*{st}",
                b10,
                bol,
                "N1*SH*ACME RETAIL*93*ACME-RETAIL",
                "N1*CN*CONSIGNEE CO",
                "N4*DALLAS*TX*75201*US",
                "LX*1",
                "AT7*X3*NS***20240105*0800*CT",
                "MS1*DALLAS*TX*US",
                "LX*2",
                "AT7*D1*NS***20240106*1430*CT",
                "MS1*HOUSTON*TX*US",
            ]
        segs.append(f"SE*{len(segs) + 1}*{st}")
        body.extend(segs)
    gs06 = str(int(isa13) % 1_000_000_000 or 1)
    text = (
        f"ISA*00*          *00*          *{carrier.isa_qualifier}*{carrier.isa_id:<15}"
        f"*ZZ*LOGIGATEWAY    *240105*0900*{carrier.repetition}*{carrier.isa_version}*{isa13}"
        f"*0*P*{component}~"
        f"GS*QM*{carrier.isa_id}*LOGIGATEWAY*20240105*0900*{gs06}*X*{carrier.gs_version}~"
        + "~".join(body)
        + f"~GE*{sets}*{gs06}~IEA*1*{isa13}~"
    )
    return text.encode()


def shipment_keys(tag: str, sets: int = 2) -> tuple[str, ...]:
    """The ids of `carrier_214(..., tag, sets=sets)`: the ERP's IDoc names PRO and BOL, the
    TMS and the portal the shipment."""
    return tuple(f"{kind}-{tag}-{n}" for n in range(1, sets + 1) for kind in ("SHIP", "PRO", "BOL"))


def unique_tender(canonical: Mapping[str, Any], load: str, shipment_id: str) -> dict[str, Any]:
    """A canonical load tender made unique: its ERP order and shipment id (B2-04) are new, so
    its 204 is no copy of another tender's."""
    data = json.loads(json.dumps(canonical))
    data["correlation"]["erp_order"] = load
    data["correlation"]["shipment_id"] = shipment_id
    data["shipment_id"] = shipment_id
    return data


@dataclass
class Channels:
    """How the workload reaches one running gateway: its folders, HTTP URL and credentials."""

    inbox: Path  # the watch-folder root (GATEWAY_INBOX_DIR)
    http_url: str = ""
    api_keys: dict[str, str] = field(default_factory=dict)  # partner id -> ingest key
    soap_user: str = ""
    soap_password: str = ""
    sftp_inbound: dict[str, Path] = field(default_factory=dict)  # partner -> its server's in/
    hosted_drop: Callable[[str, bytes], None] | None = None  # pushes (name, data) over SFTP
    hosted_dir: Path | None = None  # where the hosted drop lands (the watch folder)


class Workload:
    """Sends artifacts through every inbound channel and records each in the ledger."""

    def __init__(self, ledger: Ledger, channels: Channels) -> None:
        self.ledger = ledger
        self.channels = channels
        self._http: Any = None

    def _record(self, channel: str, partner: str, name: str, data: bytes, **more: Any) -> Artifact:
        isa13, gs06, st02 = x12_ids(data)
        return self.ledger.record(
            Artifact(
                channel=channel,
                partner=partner,
                data=data,
                name=name,
                isa13=isa13,
                gs06=gs06,
                st02=st02,
                **more,
            )
        )

    @staticmethod
    def _put(folder: Path, name: str, data: bytes) -> Path:
        """Write under a dot-name, then rename: the gateway never sees half a file."""
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{name}.writing"
        temp.write_bytes(data)
        final = folder / name
        temp.replace(final)
        return final

    def folder(self, partner: str, account: str, name: str, data: bytes, **more: Any) -> Artifact:
        """A file dropped into the partner's watch folder on this machine."""
        folder = self.channels.inbox / account
        artifact = self._record("folder", partner, name, data, source=folder / name, **more)
        self._put(folder, name, data)
        return artifact

    def sftp(self, partner: str, name: str, data: bytes, **more: Any) -> Artifact:
        """A file the carrier puts on its own SFTP server, for the gateway to pick up."""
        folder = self.channels.sftp_inbound[partner]
        artifact = self._record("sftp", partner, name, data, source=folder / name, **more)
        self._put(folder, name, data)
        return artifact

    def hosted(self, partner: str, name: str, data: bytes, **more: Any) -> Artifact:
        """A file the carrier pushes into its hosted drop (the gateway's own sshd)."""
        push, folder = self.channels.hosted_drop, self.channels.hosted_dir
        assert push is not None and folder is not None, "no hosted drop in this set-up"
        artifact = self._record("hosted_drop", partner, name, data, source=folder / name, **more)
        push(name, data)
        return artifact

    def http(self) -> Any:
        import httpx

        if self._http is None:
            self._http = httpx.Client(base_url=self.channels.http_url, timeout=30.0)
        return self._http

    def _post(self, path: str, data: bytes, media: str, partner: str, key: str | None) -> Any:
        headers = {"X-API-Key": self.channels.api_keys[partner], "Content-Type": media}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = self.http().post(path, content=data, headers=headers)
        assert response.status_code in (200, 202), response.text
        return response

    def rest_x12(
        self,
        partner: str,
        data: bytes,
        *,
        name: str = "",
        idempotency_key: str | None = None,
        **more: Any,
    ) -> Artifact:
        """POST /api/v1/partners/<id>/x12 (the body is archived as it is)."""
        path = f"/api/v1/partners/{partner}/x12"
        self._post(path, data, "application/edi-x12", partner, idempotency_key)
        return self._record("rest_x12", partner, name or f"rest-{partner}", data, **more)

    def rest_json(
        self,
        partner: str,
        data: bytes,
        *,
        name: str = "",
        idempotency_key: str | None = None,
        **more: Any,
    ) -> Artifact:
        """POST /api/v1/partners/<id>/messages (TMS v1 JSON or canonical)."""
        path = f"/api/v1/partners/{partner}/messages"
        self._post(path, data, "application/json", partner, idempotency_key)
        return self._record("rest_tms", partner, name or f"json-{partner}", data, **more)

    def soap_client(self) -> tuple[Any, list[bytes]]:
        """A zeep client as the ERP integrator sets it up (pinned safety settings, timeouts,
        HTTP basic auth), and the list every request body it sends is appended to."""
        import requests
        import zeep
        from requests.auth import HTTPBasicAuth
        from zeep.transports import Transport

        sent: list[bytes] = []
        session = requests.Session()
        session.auth = HTTPBasicAuth(self.channels.soap_user, self.channels.soap_password)

        def keep(response: Any, *args: Any, **kwargs: Any) -> None:
            body = response.request.body
            if response.request.method == "POST" and body is not None:
                sent.append(body if isinstance(body, bytes) else body.encode())

        session.hooks["response"].append(keep)
        transport = Transport(session=session, timeout=10, operation_timeout=10)
        settings = zeep.Settings(forbid_dtd=True, forbid_entities=True, strict=True)
        client = zeep.Client(
            f"{self.channels.http_url}/soap?wsdl", transport=transport, settings=settings
        )
        return client, sent

    def soap(self, operation: str, call: Mapping[str, Any], *, name: str, **more: Any) -> Any:
        """One call of the ERP SOAP service (ReleaseOrder, ChangeOrder, CancelOrder); the
        artifact's bytes are the HTTP body zeep sent, which the gateway archives. Returns the
        operation's answer."""
        client, sent = self.soap_client()
        answer = getattr(client.service, operation)(**call)
        self._record("soap", "erp", name, sent[-1], **more)
        return answer

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
