"""Outbound calls (pure engine): E.164 for the tenant's country, call classes, premium rate, emergency
numbers, caller ID, per-user and per-tenant caps; and the carrier's side (public context)."""
from __future__ import annotations

import pytest

from centrex.routing.engine import Call, route
from centrex.routing.engine.dialing import carrier_e164, classify
from centrex.routing.engine.plan import EnterTenant, KeepLimits, Limit, PlayError, Ring, StampTenant, Transfer
from routing_factory import DOMAIN, actions, config, local, users

pytestmark = pytest.mark.smoke

NOW = local("2026-12-01 09:00")


def outbound(number, caller="1001", **cfg):
    return route(config(**cfg), Call(DOMAIN, number, caller_user=caller), NOW)


def carrier_leg(plan):
    ring = [s for s in plan.steps if isinstance(s, Ring)][-1]
    assert ring.fallback == ()  # a failed outbound call simply ends, with the carrier's cause
    (leg,) = ring.legs
    assert leg.kind == "external"
    return leg


@pytest.mark.parametrize("dialled, e164, kind", [
    ("0215550199", "+41215550199", "national"), ("021 555 01 99", "+41215550199", "national"),
    ("+41215550199", "+41215550199", "national"), ("0041215550199", "+41215550199", "national"),
    ("0791234567", "+41791234567", "mobile"), ("0033142685300", "+33142685300", "international"),
    ("+12125550100", "+12125550100", "international"),
])
def test_numbers_are_normalised_for_the_tenant_country(dialled, e164, kind):
    assert (classify(dialled, "CH").number, classify(dialled, "CH").kind) == (e164, kind)


def test_same_digits_mean_another_number_in_another_country():
    assert classify("0142685300", "FR").number == "+33142685300"
    assert classify("0142685300", "CH").kind == "invalid"


@pytest.mark.parametrize("call_class, number, allowed", [
    ("internal", "0215550199", False), ("national", "0215550199", True), ("national", "0791234567", False),
    ("mobile", "0791234567", True), ("mobile", "0033142685300", False), ("international", "0033142685300", True),
])
def test_call_classes(call_class, number, allowed):
    plan = outbound(number, users=users(**{"1001": {"call_class": call_class}}))
    if allowed:
        assert carrier_leg(plan).address == classify(number, "CH").number
    else:
        assert actions(plan)[-1] == PlayError("OUTGOING_CALL_BARRED")


@pytest.mark.parametrize("number", ["0900123456", "+41901234567", "1811"])
def test_premium_rate_is_blocked_unless_allowed(number):
    assert actions(outbound(number, users=users(**{"1001": {"call_class": "international"}})))[-1] == \
        PlayError("OUTGOING_CALL_BARRED")
    allowed = outbound(number, users=users(**{"1001": {"call_class": "international", "allow_premium": True}}))
    assert carrier_leg(allowed).address in (classify(number, "CH").number,)


@pytest.mark.parametrize("number", ["112", "117", "118", "144"])
def test_emergency_numbers_always_go_out_without_caps(number):
    plan = outbound(number, users=users(**{"1001": {"call_class": "internal"}}),
                    direct_numbers={2: "+41215550102"})
    leg = carrier_leg(plan)
    assert leg.address == number and leg.caller_id == "+41215550102"  # as dialled, with a call-back number
    assert not [s for s in plan.steps if isinstance(s, Limit)]


def test_emergency_number_from_outside_is_not_an_outbound_call():
    plan = route(config(), Call(DOMAIN, "112", caller="+41791112233"), NOW)
    assert actions(plan) == [PlayError("UNALLOCATED_NUMBER")]


def test_invalid_numbers_get_a_clean_refusal():
    for number in ("0000", "09", "+41 12", "123456789012345678"):
        assert actions(outbound(number))[-1] == PlayError("INVALID_NUMBER_FORMAT")


def test_caller_id_direct_line_or_main_number():
    direct = {"direct_numbers": {2: "+41215550102"}, "main_number": "+41215550100"}
    assert carrier_leg(outbound("0215550199", **direct)).caller_id == "+41215550102"
    main = outbound("0215550199", users=users(**{"1001": {"caller_id_mode": "main"}}), **direct)
    assert carrier_leg(main).caller_id == "+41215550100"
    no_line = outbound("0215550199", main_number="+41215550100")
    assert carrier_leg(no_line).caller_id == "+41215550100"


def test_user_and_tenant_caps():
    plan = outbound("0215550199", users=users(**{"1001": {"max_calls": 3}}), max_calls=25)
    limits = [s for s in plan.steps if isinstance(s, Limit)]
    assert limits == [Limit("user", "1001", 3, "USER_BUSY"),
                      Limit("tenant", DOMAIN, 25, "NORMAL_CIRCUIT_CONGESTION")]
    keep = plan.steps.index(KeepLimits())
    assert keep < plan.steps.index(limits[0])  # counters survive the transfers of a cascade


def test_calls_from_outside_never_go_out_again():
    plan = route(config(), Call(DOMAIN, "0791234567", caller="+41791112233"), NOW)
    assert actions(plan) == [PlayError("UNALLOCATED_NUMBER")]


@pytest.mark.parametrize("sent", ["+41215550100", "41215550100", "0215550100", "0041215550100"])
def test_carrier_formats_of_a_did(sent):
    assert carrier_e164(sent, "CH") == "+41215550100"


def test_public_context_stamps_the_tenant_and_transfers_into_its_context():
    plan = route(config(max_calls=4), Call("public", "0215550100", caller="+41791112233"), NOW)
    steps = actions(plan)
    assert steps[0] == EnterTenant(DOMAIN)
    assert steps[1] == StampTenant(7, DOMAIN)
    assert Limit("tenant", DOMAIN, 4, "USER_BUSY") in steps
    assert steps[-1] == Transfer("+41215550100", DOMAIN)
