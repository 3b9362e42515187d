"""conference.conf: the per-room profile asked at conference creation (fixture 32) and the caller
controls asked per member (fixture 33); the startup fetch (fixture 07) is left to FreeSWITCH's own file."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from centrex.models import ConferenceRoom
from centrex.platform.db import db
from xmlcurl_helpers import is_not_found, parse_document

pytestmark = pytest.mark.smoke
CREATE = "32-configuration-conference.conf-conference_function.http"
CONTROLS = "33-configuration-conference.conf-request_controls.http"
# Profile params conference_new reads (mod_conference.c) that we use; control actions of conference_loop.c.
PROFILE_PARAMS = {"domain", "rate", "interval", "energy-level", "comfort-noise", "max-members",
                  "max-members-sound", "pin", "moderator-pin", "pin-retries", "pin-sound", "bad-pin-sound",
                  "caller-controls", "moderator-controls", "muted-sound", "unmuted-sound", "alone-sound",
                  "kicked-sound", "locked-sound", "enter-sound", "exit-sound", "moh-sound", "conference-flags",
                  "caller-id-name", "caller-id-number"}
CONTROL_ACTIONS = {"mute", "deaf mute", "vol talk dn", "vol talk zero", "vol talk up", "vol listen dn",
                   "vol listen zero", "vol listen up", "hangup", "lock"}


def create(post_capture, room: str, profile: str):
    return parse_document(post_capture(CREATE, replace={
        "conference_name=3000-dupont.example": f"conference_name={room}",
        "profile_name=default": f"profile_name={profile}"}))


def params_of(doc, profile):
    element = doc.xpath(f"//profiles/profile[@name='{profile}']")
    assert len(element) == 1
    return {p.get("name"): p.get("value") for p in element[0].xpath("param")}


def test_room_profile_carries_the_rooms_codes_and_size(demo, post_capture):
    doc = create(post_capture, "3000-dupont.example", "dupont.example_conf")
    params = params_of(doc, "dupont.example_conf")
    assert set(params) <= PROFILE_PARAMS
    assert params["pin"] == "314159" and params["moderator-pin"] == "271828"
    assert params["max-members"] == "10" and params["domain"] == "dupont.example"
    assert params["moh-sound"].startswith("local_stream://dupont.example_moh")
    groups = {g.get("name") for g in doc.xpath("//caller-controls/group")}
    assert {params["caller-controls"], params["moderator-controls"]} <= groups


def closed(doc, profile) -> bool:
    """A profile nobody can enter: FreeSWITCH would open a room with no profile at all on "not found"."""
    params = params_of(doc, profile)
    return params["pin"] == "closed" and params["pin-retries"] == "1" and "moderator-pin" not in params


def test_same_room_number_in_two_tenants_gets_each_its_own_codes(demo, post_capture):
    martin = params_of(create(post_capture, "3000-martin.example", "martin.example_conf"), "martin.example_conf")
    assert martin["pin"] == "424242" and martin["max-members"] == "5" and martin["domain"] == "martin.example"
    assert "moderator-pin" not in martin
    # A room of one company under the other's profile, or an unknown room: closed, never open.
    assert closed(create(post_capture, "3000-dupont.example", "martin.example_conf"), "martin.example_conf")
    assert closed(create(post_capture, "3001-dupont.example", "dupont.example_conf"), "dupont.example_conf")
    assert closed(create(post_capture, "3000-nowhere.example", "nowhere.example_conf"), "nowhere.example_conf")
    # FreeSWITCH's own profiles stay its own.
    assert is_not_found(create(post_capture, "3000-dupont.example", "default"))


def test_closed_rooms_cannot_be_entered(demo, post_capture):
    from centrex.features.conferences import update_room
    tenant = demo["dupont.example"]
    room = db.session.execute(select(ConferenceRoom).where(ConferenceRoom.tenant_id == tenant.id)).scalar_one()
    update_room(tenant, room, {"open_until": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()})
    assert closed(create(post_capture, "3000-dupont.example", "dupont.example_conf"), "dupont.example_conf")
    update_room(tenant, room, {"open_until": None, "enabled": False})
    assert closed(create(post_capture, "3000-dupont.example", "dupont.example_conf"), "dupont.example_conf")


def test_member_controls_request(demo, post_capture):
    doc = parse_document(post_capture(CONTROLS, replace={"Controls=default": "Controls=centrex_caller"}))
    group = doc.xpath("//caller-controls/group[@name='centrex_caller']")[0]
    actions = {c.get("action") for c in group.xpath("control")}
    assert actions <= CONTROL_ACTIONS and "mute" in actions and "hangup" in actions
    assert all(c.get("digits") for c in group.xpath("control"))
    # FreeSWITCH's own group names stay with its own file.
    assert is_not_found(parse_document(post_capture(CONTROLS)))


def test_startup_presence_fetch_is_left_to_freeswitch(demo, post_capture):
    assert is_not_found(parse_document(post_capture("07-configuration-conference.conf-startup_presence.http")))
