"""The connection to PostgreSQL cut in the middle of a queue claim and at the commit of a
message's processing: the step fails as "database unavailable", nothing of it is half-done
(no lease taken, no interchange, no control number used), and the next try does all of it once.

The cut is real: the gateway talks to the machine's PostgreSQL through a TCP forwarder
(tests/peers/tcp_proxy.py) that drops every connection at the chosen statement; the shared
server itself is never touched.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from gateway.service import Gateway
from gateway.store import MessageStatus
from gateway.store.engine import make_engine
from gateway.store.errors import StoreUnavailableError
from tests.integration.gateway_env import demo_214, drop, make_home
from tests.peers.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    p = TcpProxy(("127.0.0.1", 5432))
    p.start()
    yield p
    p.stop()


def _counts(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    with engine.connect() as conn:

        def one(sql: str) -> Any:
            return conn.exec_driver_sql(sql).scalar_one_or_none()

        counts = {
            "leases": one("SELECT count(*) FROM queue_lease"),
            "interchanges_in": one("SELECT count(*) FROM interchange WHERE direction = 'in'"),
            "counter": one(
                "SELECT last_value FROM control_number_counter"
                " WHERE partner_id = 'demo-carrier' AND kind = 'interchange'"
            ),
            "acks": sorted(
                int(bytes(r[0]).split(b"*")[13])
                for r in conn.exec_driver_sql(
                    "SELECT payload FROM outbox WHERE destination = 'demo-carrier'"
                )
            ),
        }
    engine.dispose()
    return counts


def test_a_cut_during_a_claim_and_at_a_processing_commit_loses_and_repeats_nothing(
    pg_url: str, proxy: TcpProxy, tmp_path: Path
) -> None:
    via_proxy = pg_url.replace(":5432/", f":{proxy.port}/")
    settings = dataclasses.replace(make_home(tmp_path), database_url=via_proxy)
    gw = Gateway(settings)
    drop(settings, "demo-carrier", "a.edi", demo_214("000000801", sets=1))
    drop(
        settings, "demo-carrier", "b.edi", demo_214("000000802", sets=1).replace(b"SHIP1", b"SHIP2")
    )
    assert gw.receive_ready() == 2

    cut = {"at": "claim", "wrote_interchange": False}

    def outage() -> None:
        proxy.stop()  # every open connection dies mid-transaction
        proxy.start()  # new connections work again (the pool pings before reuse)

    def before_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if cut["at"] == "claim" and statement.startswith("INSERT INTO queue_lease"):
            cut["at"] = None
            outage()
        if statement.startswith("INSERT INTO interchange"):
            cut["wrote_interchange"] = True

    def before_commit(_conn: Any) -> None:
        if cut["at"] == "commit" and cut["wrote_interchange"]:
            cut["at"] = None
            outage()

    engine = gw.store._engine
    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "commit", before_commit)

    # 1. the claim's transaction is cut after it picked the messages: nothing is claimed
    with pytest.raises(StoreUnavailableError, match="database unavailable"):
        gw.process_claimed()
    assert cut["at"] is None
    assert _counts(pg_url) == {"leases": 0, "interchanges_in": 0, "counter": None, "acks": []}

    # 2. the commit that makes the first interchange effective is cut: it did not happen. A
    # group commit redoes its messages one by one after a store error, on a fresh connection
    # (the proxy is back at once), so the cut may surface or be absorbed: either way the next
    # figures must show each interchange once and no control number used twice or skipped
    cut["at"] = "commit"
    try:
        gw.process_claimed()
    except StoreUnavailableError:
        after = _counts(pg_url)
        assert after["interchanges_in"] == 0 and after["acks"] == [] and not after["counter"]
    assert cut["at"] is None

    # 3. the next tries do everything, once, with the 997 control numbers gap-free
    while gw.process_claimed():
        pass
    assert {m.status for m in gw.store.list_messages()} == {MessageStatus.PARSED}
    final = _counts(pg_url)
    assert final["interchanges_in"] == 2 and final["acks"] == [1, 2] and final["counter"] == 2
    gw.store.close()
