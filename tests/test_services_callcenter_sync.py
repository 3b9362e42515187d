"""Reconciling mod_callcenter with our queues: its `callcenter_config … list` tables as FreeSWITCH
answered them in the capture (esl/api-callcenter-config.bin)."""
from __future__ import annotations

import pytest

from centrex.freeswitch.commands import parse_callcenter_table as parse_table
from esl_switch import api_bodies

pytestmark = pytest.mark.smoke


def test_captured_list_tables():
    queues, agents, tiers = api_bodies("api-callcenter-config.bin")[:3]
    assert [(q["name"], q["strategy"]) for q in parse_table(queues)] == [("support@dupont.example",
                                                                         "longest-idle-agent")]
    assert [(a["name"], a["contact"], a["status"]) for a in parse_table(agents)] == [
        ("1001@dupont.example", "[leg_timeout=10]user/1001@dupont.example", "Available"),
        ("1002@dupont.example", "[leg_timeout=10]user/1002@dupont.example", "Available")]
    assert [(t["queue"], t["agent"], t["position"]) for t in parse_table(tiers)] == [
        ("support@dupont.example", "1001@dupont.example", "1"),
        ("support@dupont.example", "1002@dupont.example", "2")]


@pytest.mark.parametrize("body", ["+OK\n", "", "-ERR no such thing\n", "2\n"])
def test_replies_without_a_table(body):
    assert parse_table(body) == []
