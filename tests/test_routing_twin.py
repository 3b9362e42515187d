"""The mobile twin: a user's mobile rings with their phones after its own delay, within the user's and the
company's call rights, presenting the caller; the engine on hand-built configurations, the dialplan on the
captured carrier request, the dry run, the console and the API."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote

import pytest

from api_testing import bearer, key_for
from centrex.directory.users import update_user
from centrex.models import AuditEntry, Number, User
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from centrex.routing.engine import Call, Dest, route
from centrex.routing.engine.plan import AccessPrompt, Leg, MoveToMobile, PlayError, Ring
from centrex.routing.explain import explain_call
from centrex.routing.numbers import add_number, point_number
from routing_factory import DOMAIN, actions, config, group, local, member_user, users
from test_routing_dialplan import CARRIER_IN_TENANT, actions as xml_actions, at, data_of, doc
from webui_testing import USER_DUPONT, login, post, text

TUESDAY_9 = local("2026-12-01 09:00")
ALAIN_MOBILE = "+41791234567"
CALLER = "+41791112233"


def twin_config(**user_changes):
    changes = {"mobile": ALAIN_MOBILE, "twin_delay": 5, "call_class": "mobile", **user_changes}
    return config(users=users(**{"1001": changes}), main_number="+41215550100")


def ring_of(plan) -> Ring:
    return next(s for s in plan.steps if isinstance(s, Ring))


def notes(plan) -> list[str]:
    return [n.key for n in plan.notes]


def test_twin_rings_with_the_phones_after_its_delay_presenting_the_caller():
    plan = route(twin_config(), Call(DOMAIN, "1001", caller=CALLER), TUESDAY_9)
    ring = ring_of(plan)
    assert ring.mode == "simultaneous" and ring.timeout == 30
    assert ring.legs == (Leg("user", "1001", 30, label="Alain Dupont"),
                         Leg("external", ALAIN_MOBILE, 30, label="Alain Dupont (mobile)", caller_id=CALLER,
                             delay=5))
    assert "twin" in notes(plan)
    assert dict(ring.fallback)["no_answer"].kind == "voicemail"  # nobody answered: as without the twin


def test_a_late_twin_still_rings_the_minimum_a_mobile_needs():
    ring = ring_of(route(twin_config(twin_delay=25), Call(DOMAIN, "1001", caller=CALLER), TUESDAY_9))
    assert ring.timeout == 45 and ring.legs[1].ring_seconds == 45 and ring.legs[1].delay == 25
    assert ring.legs[0].ring_seconds == 30


def test_a_colleague_calling_shows_their_company_number_on_the_mobile():
    cfg = twin_config()
    cfg = config(users=cfg.users, main_number="+41215550100", direct_numbers={3: "+41215550103"})
    ring = ring_of(route(cfg, Call(DOMAIN, "1001", caller="1002", caller_user="1002"), TUESDAY_9))
    assert ring.legs[1].caller_id == "+41215550103"


@pytest.mark.parametrize("changes, cfg_changes, why", [
    ({"call_class": "national"}, {}, "twin_barred"),                      # mobiles need "mobile"
    ({}, {"call_ceiling": "national"}, "twin_barred"),                    # the company's ceiling
    ({}, {"blocked_prefixes": (("+4179", "Swisscom"),)}, "twin_barred"),  # a blocked range
    ({"mobile": "12"}, {}, "twin_invalid"),
])
def test_twin_obeys_the_call_rights(changes, cfg_changes, why):
    cfg = twin_config(**changes)
    cfg = config(users=cfg.users, **cfg_changes)
    plan = route(cfg, Call(DOMAIN, "1001", caller=CALLER), TUESDAY_9)
    assert [leg.kind for leg in ring_of(plan).legs] == ["user"]
    assert why in notes(plan)


def test_no_twin_without_the_switch_or_in_a_group():
    plan = route(twin_config(twin_delay=None), Call(DOMAIN, "1001", caller=CALLER), TUESDAY_9)
    assert [leg.kind for leg in ring_of(plan).legs] == ["user"]
    cfg = twin_config()
    cfg = config(users=cfg.users, groups={9: group(9, "Support", member_user(2), member_user(3), extension="2001")})
    ring = ring_of(route(cfg, Call(DOMAIN, "2001", caller=CALLER), TUESDAY_9))
    assert [leg.address for leg in ring.legs] == ["1001", "1002"]  # a team rings desks, not mobiles


# --- on the demo: the service, the dialplan FreeSWITCH gets, the dry run ---------------------------

def alain() -> User:
    return db.session.execute(db.select(User).where(User.email == USER_DUPONT)).scalar_one()


def test_carrier_call_to_alains_direct_line_rings_desk_and_mobile(demo, post_capture):
    update_user(alain(), {"twin_enabled": True, "twin_delay": 5})
    db.session.flush()
    acts = xml_actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550102",
        "Caller-Caller-ID-Number=%2B41791234567": "Caller-Caller-ID-Number=%2B41791112233",
        "Event-Date-Timestamp=1795948713968491": f"Event-Date-Timestamp={at('2026-12-01 09:00')}"})))
    assert data_of(acts, "bridge") == (
        "{ignore_early_media=true}[leg_timeout=60]user/1001@dupont.example,"
        "[leg_timeout=60,leg_delay_start=5,origination_caller_id_number=+41791112233]"
        "sofia/gateway/carrier/+41791234567")
    assert ("hash", "insert/dupont.example-last_dial/1001/${uuid}") in acts  # the desk can still be picked up


def test_twin_needs_a_mobile_the_user_may_call(demo):
    user = alain()
    update_user(user, {"mobile": None})
    with pytest.raises(Invalid) as refused:
        update_user(user, {"twin_enabled": True})
    assert "mobile" in refused.value.fields
    update_user(user, {"mobile": "079 123 45 67", "call_class": "national", "twin_enabled": False})  # after the refusal
    with pytest.raises(Invalid) as refused:
        update_user(user, {"twin_enabled": True})
    assert "mobile" in refused.value.fields
    with pytest.raises(Invalid):
        update_user(user, {"twin_delay": 31})


def test_dry_run_shows_the_twin_leg(demo):
    update_user(alain(), {"twin_enabled": True, "twin_delay": 8})
    db.session.flush()
    result = explain_call(demo["dupont.example"].id, CALLER, "+41215550102", datetime(2026, 12, 1, 9, 0))
    ring = next(s for s in result["steps"] if s["kind"] == "ring")
    assert ring["legs"][1] == {"kind": "external", "address": ALAIN_MOBILE, "label": "Alain Dupont (mobile)",
                               "ring_seconds": 60, "caller_id": CALLER, "delay": 8}
    twin = next(s for s in result["steps"] if s["note"] == "twin")
    assert twin["text"]["fr"].startswith("Le mobile de Alain Dupont, +41791234567, sonne aussi, 8 s après")


# --- the console and the API -----------------------------------------------------------------------

def test_employee_turns_the_twin_on_from_their_own_page(client, demo):
    login(client, USER_DUPONT)
    assert post(client, "/me/", {"mobile": "079 123 45 67", "twin_enabled": "on", "twin_delay": "10"}
                ).status_code == 302
    user = alain()
    assert (user.twin_enabled, user.twin_delay, user.mobile) == (True, 10, ALAIN_MOBILE)
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.object_id == user.id)
                               .order_by(AuditEntry.id.desc())).scalars().first()
    assert (entry.action, entry.changes["twin_enabled"], entry.changes["twin_delay"]) == ("update", True, 10)
    page = text(client.get("/me/"))
    assert "Mon mobile sonne avec mes téléphones" in page
    bad = post(client, "/me/", {"mobile": "", "twin_enabled": "on", "twin_delay": "10"})
    assert bad.status_code == 422 and "Il faut un numéro de mobile" in text(bad)


def test_admin_sets_the_twin_on_the_user_form_and_the_api_shows_it(admin, dupont):
    user = alain()
    page = text(admin.get(f"/t/{dupont.id}/users/{user.id}"))
    assert "Le mobile sonne avec les téléphones" in page
    direct = db.session.execute(db.select(Number).where(Number.e164 == "+41215550102")).scalar_one()
    form = {"numbers": [str(direct.id)], "extension": "1001", "name": "Alain Dupont", "email": USER_DUPONT,
            "caller_id_mode": "direct", "call_class": "international", "max_calls": "2",
            "mobile": "079 123 45 67", "enabled": "on", "twin_enabled": "on", "twin_delay": "3"}
    assert post(admin, f"/t/{dupont.id}/users/{user.id}", form).status_code == 302
    assert (alain().twin_enabled, alain().twin_delay) == (True, 3)
    scenario = text(admin.get(f"/t/{dupont.id}/scenario?number={direct.id}"))
    assert "et le mobile +41791234567 après 3 s" in scenario
    shown = admin.get(f"/api/v1/users/{user.id}", headers=bearer(key_for(dupont))).get_json()
    assert (shown["twin_enabled"], shown["twin_delay"]) == (True, 3)
    changed = admin.patch(f"/api/v1/users/{user.id}", json={"twin_delay": 40}, headers=bearer(key_for(dupont)))
    assert changed.status_code == 422 and "twin_delay" in str(changed.get_json()), changed.get_json()


# --- moving a call: *1 on the desk phone, the mobile takes the call ----------------------------------

def test_a_user_with_a_twin_can_move_the_answered_call_to_the_mobile():
    ring = ring_of(route(twin_config(), Call(DOMAIN, "1001", caller=CALLER), TUESDAY_9))
    assert ring.move_from == "1001"
    assert ring_of(route(twin_config(twin_delay=None), Call(DOMAIN, "1001"), TUESDAY_9)).move_from is None
    plan = route(twin_config(), Call(DOMAIN, "centrex-move", caller=CALLER, move_from="1001"), TUESDAY_9)
    assert plan.steps == [MoveToMobile(ALAIN_MOBILE, CALLER, 30)]


@pytest.mark.parametrize("move_from, changes", [("1001", {"twin_delay": None}), ("1001", {"call_class": "national"}),
                                                 ("", {}), ("1002", {})])
def test_a_move_that_is_not_allowed_leaves_the_call_alone(move_from, changes):
    plan = route(twin_config(**changes), Call(DOMAIN, "centrex-move", caller=CALLER, move_from=move_from), TUESDAY_9)
    assert actions(plan) == []  # runs on the other party's leg: never a hang-up


def test_the_desk_binds_star_1_and_the_move_intercepts_the_other_party(demo, post_capture):
    update_user(alain(), {"twin_enabled": True, "twin_delay": 5})
    db.session.flush()
    first = xml_actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=%2B41215550102",
        "Event-Date-Timestamp=1795948713968491": f"Event-Date-Timestamp={at('2026-12-01 09:00')}"})))
    bind = first.index(("bind_meta_app", "1 b a execute_extension::centrex-move XML dupont.example"))
    assert first[bind - 1] == ("set", "centrex_move_from=1001") and first[bind + 1][0] == "bridge"
    move = xml_actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=centrex-move",
        "Caller-Caller-ID-Number=%2B41791234567": "Caller-Caller-ID-Number=%2B41791112233",
        "variable_call_uuid=": "variable_centrex_move_from=1001&variable_call_uuid="})))
    tenant_id = demo["dupont.example"].id
    assert move == [("set", "centrex_move_job=${bgapi(originate {originate_timeout=30,ignore_early_media=true,"
                            f"tenant_id={tenant_id},accountcode=dupont.example,"
                            "origination_caller_id_number=+41791112233}sofia/gateway/carrier/+41791234567 "
                            "&intercept(${uuid}))}")]
    forged = xml_actions(doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": "Destination-Number=centrex-move"})))
    assert forged == []  # dialled without our variable on the leg: nothing happens


# --- the access number: a user's mobile calls out through the company ---------------------------------

ACCESS_DID = "+41215550199"
ALAIN_PIN = "400066"  # the demo's voicemail PIN of Alain Dupont


def test_the_access_number_knows_the_users_mobiles_only():
    cfg = config(users=users(**{"1001": {"mobile": ALAIN_MOBILE, "has_voicemail": True}}),
                 numbers={ACCESS_DID: Dest("access")})
    plan = route(cfg, Call(DOMAIN, ACCESS_DID, caller=ALAIN_MOBILE), TUESDAY_9)
    assert actions(plan)[-1] == AccessPrompt("1001")
    for call in (Call(DOMAIN, ACCESS_DID, caller=CALLER), Call(DOMAIN, ACCESS_DID, caller="1002", caller_user="1002")):
        assert actions(route(cfg, call, TUESDAY_9))[-1] == PlayError("CALL_REJECTED")


def access_request(post_capture, destination, caller=ALAIN_MOBILE, variables=""):
    """The actions answered for `destination`, whose extension must match what FreeSWITCH hunts."""
    document = doc(post_capture(CARRIER_IN_TENANT, replace={
        "Destination-Number=1002": f"Destination-Number={quote(destination)}",
        "Caller-Caller-ID-Number=%2B41791234567": f"Caller-Caller-ID-Number={quote(caller)}",
        "variable_call_uuid=": variables + "variable_call_uuid="}))
    expression = document.xpath("string(//condition[@field='destination_number']/@expression)")
    assert re.fullmatch(expression, destination), (expression, destination)
    return xml_actions(document)


def test_access_number_asks_the_pin_and_the_number_then_calls_with_the_company_number(demo, post_capture):
    tenant = demo["dupont.example"]
    point_number(add_number({"e164": ACCESS_DID, "label": "Accès mobiles"}, tenant), tenant, {"dest_type": "access"})
    db.session.flush()
    first = access_request(post_capture, ACCESS_DID)
    assert first[-6:] == [
        ("answer", None), ("sleep", "500"),
        ("play_and_get_digits", r"4 10 3 5000 # tone_stream://%(200,100,800) silence_stream://250 "
                                r"centrex_access_pin \d+ 3000"),
        ("play_and_get_digits", r"2 20 3 5000 # tone_stream://%(200,100,800);%(200,100,800) silence_stream://250 "
                                r"centrex_access_number \d+ 3000"),
        ("set", "centrex_access_user=1001"), ("transfer", "centrex-access XML dupont.example")]
    typed = "variable_centrex_access_user=1001&variable_centrex_access_number=0791112233&"
    then = access_request(post_capture, "centrex-access", variables=typed + f"variable_centrex_access_pin={ALAIN_PIN}&")
    assert data_of(then, "bridge") == ("[leg_timeout=90,origination_caller_id_number=+41215550102,"
                                       "origination_caller_id_name=Dupont SA]sofia/gateway/carrier/+41791112233")
    for wrong in (typed + "variable_centrex_access_pin=123456&",  # a wrong PIN
                  typed.replace("1001", "1002") + f"variable_centrex_access_pin={ALAIN_PIN}&"):  # another user
        assert ("hangup", "UNALLOCATED_NUMBER") in access_request(post_capture, "centrex-access", variables=wrong)
    assert ("hangup", "UNALLOCATED_NUMBER") in access_request(  # the right PIN from another phone
        post_capture, "centrex-access", caller=CALLER, variables=typed + f"variable_centrex_access_pin={ALAIN_PIN}&")
