"""Rendering of service destinations, compared with the dialplan answers that worked live (fixture
responses 28 voicemail, 31 conference, 36 fax, 59 IVR, 64 queue), and the shape of every document."""
from __future__ import annotations

import pytest
from lxml import etree

from centrex.routing.engine import Call, Dest, route
from centrex.routing.engine.plan import ServiceTarget
from routing_factory import config, local
from xmlcurl.dialplan import decode_fallback, encode_fallback, render
from xmlcurl_helpers import captured_answer

pytestmark = pytest.mark.smoke

DOMAIN = "dupont.example"
TARGETS = {("ivr", 3): ServiceTarget("ivr", 3, "3", "Accueil"),
           ("queue", 4): ServiceTarget("queue", 4, "4", "Support"),
           ("conference", 5): ServiceTarget("conference", 5, "3000", "Salle"),
           ("fax", 7): ServiceTarget("fax", 7, "7", "Fax")}


def live_actions(number: int) -> list[tuple[str, str | None]]:
    """The actions of the dialplan answer FreeSWITCH executed in the capture session."""
    return [(a.get("application"), a.get("data")) for a in captured_answer(str(number)).iter("action")]


def ours(dest: Dest) -> list[tuple[str, str | None]]:
    cfg = config(domain=DOMAIN, targets=TARGETS, main_number="+41215550100",
                 numbers={"+41215550199": dest})
    call = Call(DOMAIN, "+41215550199")
    document = render(route(cfg, call, local("2026-12-01 09:00")), call)
    return [(a.get("application"), a.get("data")) for a in document.iter("action")]


def test_voicemail_as_in_capture_28():
    live = live_actions(28)
    mine = ours(Dest("voicemail", value="1002"))
    assert ("voicemail", "default dupont.example 1002") in live
    assert [(a, d) for a, d in mine if a != "set"] == [(a, d) for a, d in live if a in ("answer", "sleep", "voicemail")]
    assert mine == [("set", "centrex_voicemail_box=1002@dupont.example"), ("answer", None), ("sleep", "500"),
                    ("set", "default_language=fr"), ("voicemail", "default dupont.example 1002")]


def test_conference_as_in_capture_31():
    live = dict(live_actions(31))
    mine = dict(ours(Dest("conference", 5)))
    # Same room name (names.conference_room); our profile is the tenant's, not the stock "default".
    assert live["conference"].split("@")[0] == mine["conference"].split("@")[0] == "3000-dupont.example"
    assert mine["conference"] == "3000-dupont.example@dupont.example_conf"
    assert "answer" in mine


def test_ivr_as_in_capture_59():
    assert [a for a, _ in live_actions(59)] == [a for a, _ in ours(Dest("ivr", 3))] == ["answer", "sleep", "ivr"]
    assert dict(ours(Dest("ivr", 3)))["ivr"] == "dupont.example_ivr3"


def test_queue_as_in_capture_64():
    # ours also sets hangup_after_bridge: an answered queue call ends with the agent's hang-up
    assert [a for a, _ in live_actions(64)] == [a for a, _ in ours(Dest("queue", 4)) if a != "set"] == [
        "answer", "callcenter"]
    assert ("set", "hangup_after_bridge=true") in ours(Dest("queue", 4))
    assert dict(ours(Dest("queue", 4)))["callcenter"] == "q4@dupont.example"


def test_fax_as_in_capture_36_with_t38_and_ecm(app):
    live = [a for a, _ in live_actions(36)]
    with app.app_context():  # the spool path comes from the fax contract (centrex.freeswitch.fax_contract, FAX_SPOOL)
        mine = ours(Dest("fax", 7))
    apps = [a for a, _ in mine]
    assert apps[-4:] == ["answer", "playback", "rxfax", "hangup"] and live[-2:] == ["rxfax", "hangup"]
    sets = {d for a, d in mine if a == "set"}
    assert {"fax_enable_t38=true", "fax_enable_t38_request=true", "fax_use_ecm=true", "centrex_fax_box_id=7",
            "centrex_tenant_id=7", "fax_ident=+41215550199", "fax_header=Acme SA"} <= sets
    assert dict(mine)["rxfax"] == f"{app.config['FAX_SPOOL']}/dupont.example/in/${{uuid}}.tif"


def test_fallback_round_trip_and_rejects():
    fallback = (("busy", Dest("ring_group", 5)), ("no_answer", Dest("external", None, "+41325551177")),
                ("offline", Dest("voicemail", None, "1001")), ("failed", Dest("hangup", None, "USER_BUSY")),
                ("then", Dest("voicemail", None, "1001")))
    assert decode_fallback(encode_fallback(fallback)) == dict(fallback)
    # unknown kinds pass (the engine answers them with an error tone); malformed items are dropped
    assert decode_fallback("busy=sip:1:;offline=user:x:;then=user:1:a b;x=user:1:") == {"busy": Dest("sip", 1)}


def test_document_shape():
    cfg = config(domain=DOMAIN, targets=TARGETS)
    call = Call(DOMAIN, "1001", caller_user="1000")
    document = render(route(cfg, call, local("2026-12-01 09:00")), call)
    assert document.tag == "document" and document.get("type") == "freeswitch/xml"
    (section,) = document.xpath("section[@name='dialplan']")
    (condition,) = section.xpath("context[@name='dupont.example']/extension/condition")
    assert condition.get("field") == "destination_number" and condition.get("expression") == "^1001$"
    etree.fromstring(etree.tostring(document))  # serialises and parses back


def test_blank_outside_number_survives_the_trip_through_the_channel():
    """A fallback to an outside destination saved with a blank number reads back as the same destination
    (found by the hypothesis test: "" went out, None came back)."""
    fallback = (("busy", Dest("external", None, "")), ("no_answer", Dest("hangup", value="NO_ANSWER")))
    assert decode_fallback(encode_fallback(fallback)) == dict(fallback)
    assert Dest("external", None, "") == Dest("external")
