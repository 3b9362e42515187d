"""`flask route explain` prints the dry run; dialplan requests stay cheap (SQL statements counted)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from centrex.models import RingGroup
from centrex.platform.db import db
from xmlcurl_helpers import count_queries

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("capture, replace, most", [
    ("62-dialplan-public-did_41215550100-external_profile.http", {}, 1),
    ("63-dialplan-public_transfer_to_dupont.example-1002.http",
     {"Destination-Number=1002": "Destination-Number=%2B41215550100"}, 1),
    ("25-dialplan-call-1001-to-1002.http", {"Destination-Number=1002": "Destination-Number=2001"}, 1),
    ("53-dialplan-outcome_b-transfer_7001_after_NO_ANSWER.http",
     {"Destination-Number=7001": "Destination-Number=centrex-continue",
      "variable_call_uuid=": "variable_centrex_fallback=no_answer%3Dschedule%3A1%3A&variable_call_uuid="}, 1),
    ("35-dialplan-not_found-0000.http", {"Caller-Context=dupont.example": "Caller-Context=unknown.example",
                                         "Hunt-Context=dupont.example": "Hunt-Context=unknown.example"}, 1),
])
def test_a_dialplan_request_costs_one_query(demo, post_capture, capture, replace, most):
    with count_queries() as seen:
        assert post_capture(capture, replace=replace).status_code == 200
    assert 1 <= len(seen) <= most, seen


def test_round_robin_costs_one_more_statement(demo, post_capture):
    from centrex.routing.groups import update_ring_group

    sales = db.session.execute(select(RingGroup).where(RingGroup.name == "Ventes")).scalar_one()
    update_ring_group(sales, {"strategy": "round_robin"})
    db.session.commit()
    with count_queries() as seen:
        post_capture("25-dialplan-call-1001-to-1002.http",
                     replace={"Destination-Number=1002": "Destination-Number=2002"})
    # the graph, the rotation, and (PostgreSQL) the NOTIFY that drops every process's cached graph
    assert seen[1].lstrip().upper().startswith("UPDATE RING_GROUP")
    assert len(seen) == (3 if db.engine.dialect.name == "postgresql" else 2)
    if len(seen) == 3:
        assert "pg_notify" in seen[2]


def test_cli_explain_prints_the_scenario(app, demo):
    db.session.commit()  # the CLI runs in its own app context on the same connection
    runner = app.test_cli_runner()
    result = runner.invoke(args=["route", "explain", "--tenant", "dupont.example", "--from", "+41791112233",
                                 "--to", "+41215550100", "--at", "2026-12-05 10:00"])
    assert result.exit_code == 0, result.output
    assert "Piquet week-end" in result.output and "Messagerie vocale 1000" in result.output
    english = runner.invoke(args=["route", "explain", "--tenant", "dupont.example", "--from", "1001",
                                  "--to", "0791234567", "--lang", "en"])
    assert "Outbound call to +41791234567" in english.output
    as_json = runner.invoke(args=["route", "explain", "--tenant", "dupont.example", "--from", "1000",
                                  "--to", "2001", "--at", "2026-12-01 10:00", "--json"])
    data = json.loads(as_json.output)
    assert data["tenant"]["domain"] == "dupont.example" and data["steps"][-1]["kind"] == "ring"


@pytest.mark.parametrize("args, message", [
    (["--tenant", "nowhere.example", "--from", "1000", "--to", "1001"], "nowhere.example"),
    (["--tenant", "dupont.example", "--from", "1000", "--to", "1001", "--at", "tomorrow"], "YYYY-MM-DD HH:MM"),
    (["--tenant", "dupont.example", "--from", "1000", "--to", "<script>"], "dial"),
])
def test_cli_explain_refuses_bad_input_with_a_reason(app, demo, args, message):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["route", "explain", *args])
    assert result.exit_code != 0 and message in result.output
