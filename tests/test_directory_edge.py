"""Cluster deployment (README "Scaling out"): with CENTREX_SIP_EDGE set, a user is called through
Kamailio (which forks to every registered contact), never through the node's own registrations."""
from __future__ import annotations

import pytest

from xmlcurl_helpers import parse_document

pytestmark = pytest.mark.smoke

BRIDGE = "26-directory-user_call-bridge_user_1002.http"


def dial_string(post_capture) -> str:
    doc = parse_document(post_capture(BRIDGE))
    return doc.xpath("string(//domain/params/param[@name='dial-string']/@value)")


def test_behind_the_edge_a_user_is_called_through_kamailio(app, demo, post_capture, monkeypatch):
    monkeypatch.setitem(app.config, "SIP_EDGE", "203.0.113.10:5060")
    dial = dial_string(post_capture)
    assert dial.endswith("[sip_route_uri=sip:203.0.113.10:5060]sofia/internal/${dialed_user}@${dialed_domain}")
    assert "sofia_contact" not in dial
    assert dial.startswith("{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}")


def test_without_an_edge_the_nodes_own_registrations_are_rung(app, demo, post_capture, monkeypatch):
    monkeypatch.setitem(app.config, "SIP_EDGE", "")
    assert dial_string(post_capture).endswith("${sofia_contact(*/${dialed_user}@${dialed_domain})}")
