"""Calls through the edge (issue 16, step 2): a phone registered through Kamailio calls; Kamailio
authenticates the INVITE and dispatches it to one of two FreeSWITCH nodes (the product's table
switch_node); a killed node gets no new call within seconds, a drained one none at all."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import bindparam, text

from polling import poll

pytestmark = pytest.mark.postgres

IVR = "5000"  # Dupont's menu: answered by the node that carries the call


def answered_on(pool, extension: str = "1001", number: str = IVR) -> str:
    result = pool.call(extension, number, talk_ms=1000)
    assert result.final == 200, f"{result.responses()}\n{result.output[-2000:]}"
    node = pool.node_of(result)
    assert node in pool.nodes, [m.text for m in result.messages if m.status == 200]
    return node


def call_records(pool, caller: str, dialled: str) -> list[tuple]:
    with pool.cluster.engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT call_uuid, caller_number, dialed_number FROM call_record JOIN tenant ON tenant.id = tenant_id "
            "WHERE tenant.domain = 'dupont.example' AND caller_number = :c AND dialed_number = :d"),
            {"c": caller, "d": dialled}).all())


def test_calls_from_phones_are_answered_by_both_nodes_in_turn_as_the_caller(pool):
    before = len(call_records(pool, "1002", IVR))
    carried = [answered_on(pool, "1002") for _ in range(4)]
    assert set(carried) == {"fs-a", "fs-b"}, carried  # round robin over the pool
    # The node routed it as 1002 of Dupont calling (the product's dialplan in Dupont's context, as the
    # caller): one call record per call, naming the caller.
    poll(lambda: len(call_records(pool, "1002", IVR)) - before == 4, 20, 0.5, what="4 call records")


def test_a_call_with_a_wrong_secret_reaches_no_node(pool):
    offsets = {name: node.log_size() for name, node in pool.nodes.items()}
    result = pool.call("1003", IVR, secret="not-the-secret-42")
    assert result.responses()[-1] == 403, result.responses()
    assert all("1003" not in node.log_since(offsets[name]) for name, node in pool.nodes.items())


def test_a_drained_node_takes_no_new_call_until_returned(pool):
    """Drained with the product's command only: the edge sees its table change and reloads by itself."""
    offset = pool.cluster.edge.log_size()
    pool.drain("fs-b")
    try:
        assert poll(lambda: pool.dispatcher_states().get("fs-b", "").startswith("D"), 8, 0.2,
                    what="fs-b disabled in the dispatcher")
        assert "CENTREX-POOL-RELOAD: the FreeSWITCH pool changed" in pool.cluster.edge.log_since(offset)
        assert [answered_on(pool) for _ in range(3)] == ["fs-a"] * 3
    finally:
        pool.drain("fs-b", False)
    poll(lambda: pool.dispatcher_states().get("fs-b") == "AP", 10, 0.3, what="fs-b active again")
    assert "fs-b" in {answered_on(pool) for _ in range(2)}


def test_a_killed_node_gets_no_new_call_within_seconds(pool):
    node = pool.nodes["fs-a"]
    node.kill()
    killed = time.monotonic()
    try:
        first = answered_on(pool)  # the edge waits for the dead node, then tries the other
        failover = time.monotonic() - killed
        assert first == "fs-b" and failover < 8, (first, failover)
        assert [answered_on(pool) for _ in range(3)] == ["fs-b"] * 3
        assert pool.dispatcher_states()["fs-a"].startswith("I")  # inactive: probed, not answering
    finally:
        node.start()
    poll(lambda: pool.dispatcher_states().get("fs-a") == "AP", 15, 0.3, what="fs-a active again")
    print(f"first call answered {failover:.1f} s after the kill")


def test_a_user_called_through_the_edge_rings_on_every_phone_one_record_per_call(pool):
    """1001 calls 1002, whose two phones registered through the edge: the node calls 1002 through
    Kamailio, which rings both; one answers, the other is cancelled. Twice: once per node."""
    ringing = pool.phone("1002", behaviour="ring")
    answering = pool.phone("1002", behaviour="answer", ring_ms=1000)
    before = {row[0] for row in call_records(pool, "1001", "1002")}
    carried = []
    for attempt in (1, 2):
        result = pool.call("1001", "1002", talk_ms=1500)
        assert result.final == 200, f"{result.responses()}\n{result.output[-2000:]}"
        carried.append(pool.node_of(result))
        assert len(ringing.received("INVITE")) == attempt and len(answering.received("INVITE")) == attempt
        poll(lambda n=attempt: len(ringing.received("CANCEL")) == n, 10, 0.2, what="the other phone cancelled")
    assert set(carried) == {"fs-a", "fs-b"}, carried

    def new_records():
        return [row for row in call_records(pool, "1001", "1002") if row[0] not in before]
    poll(lambda: len(new_records()) >= 2, 20, 0.5, what="2 call records")
    time.sleep(2)  # any late leg journaled meanwhile would make a second record of the same call
    calls = new_records()
    assert len(calls) == 2  # exactly one record per call, whichever node carried it
    with pool.cluster.engine.connect() as conn:
        answered_by = conn.execute(text("SELECT answered_by FROM call_record WHERE call_uuid IN :ids")
                                   .bindparams(bindparam("ids", expanding=True)),
                                   {"ids": [row[0] for row in calls]}).scalars().all()
    assert answered_by == ["1002", "1002"]
