"""`flask nodes`: the operator lists, adds, drains and returns the FreeSWITCH nodes behind the edge; what
Kamailio's dispatcher reads (the view switch_dispatch) follows: a drained node is flagged disabled (4)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from centrex.models import AuditEntry
from centrex.platform.db import db

pytestmark = pytest.mark.smoke


def dispatcher_rows() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(text(
        "SELECT setid, destination, flags, description FROM switch_dispatch ORDER BY description"))]


def test_nodes_added_drained_and_returned_as_the_dispatcher_sees_them(app, session):
    runner = app.test_cli_runner()
    for name, port in (("fs-a", 5070), ("fs-b", 5072)):
        added = runner.invoke(args=["nodes", "add", name, f"sip:10.0.0.21:{port}", f"10.0.0.21:{port + 1000}"])
        assert added.exit_code == 0 and "every edge follows" in added.output, added.output
    assert dispatcher_rows() == [(1, "sip:10.0.0.21:5070", 0, "fs-a"), (1, "sip:10.0.0.21:5072", 0, "fs-b")]

    assert runner.invoke(args=["nodes", "drain", "fs-b"]).exit_code == 0
    assert dispatcher_rows()[1] == (1, "sip:10.0.0.21:5072", 4, "fs-b")
    listed = runner.invoke(args=["nodes", "list"]).output.splitlines()
    assert listed == ["fs-a\tsip:10.0.0.21:5070\t10.0.0.21:6070\tin service",
                      "fs-b\tsip:10.0.0.21:5072\t10.0.0.21:6072\tdrained"]

    assert runner.invoke(args=["nodes", "return", "fs-b"]).exit_code == 0
    assert dispatcher_rows()[1][2] == 0
    history = [(row.action, row.changes, row.actor.startswith("cli:")) for row in db.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "switch_node").order_by(AuditEntry.id)).scalars()]
    assert history == [("create", {"name": "fs-a", "sip_address": "sip:10.0.0.21:5070",
                                   "esl_address": "10.0.0.21:6070"}, True),
                       ("create", {"name": "fs-b", "sip_address": "sip:10.0.0.21:5072",
                                   "esl_address": "10.0.0.21:6072"}, True),
                       ("update", {"drained": True}, True), ("update", {"drained": False}, True)]


def test_wrong_values_and_unknown_nodes_are_refused_with_a_reason(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["nodes", "add", "fs-a", "sip:10.0.0.21:5070", "10.0.0.21:8021"]).exit_code == 0
    again = runner.invoke(args=["nodes", "add", "fs-a", "10.0.0.22", "nowhere"])
    assert again.exit_code != 0
    assert "already a node" in again.output and "sip:HOST[:PORT]" in again.output and "HOST:PORT" in again.output
    missing = runner.invoke(args=["nodes", "drain", "fs-z"])
    assert missing.exit_code != 0 and "no node named 'fs-z'" in missing.output
    assert len(dispatcher_rows()) == 1
