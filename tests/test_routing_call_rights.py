"""Company-wide call rights ("Autoriser les appels vers"): the pure engine with a ceiling on call classes,
premium-rate numbers refused for the company and blocked prefixes; then the dialplan the demo gives
through /xmlcurl (Dupont SA blocks satellites, Martin Sàrl does not)."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from centrex.calls.click_to_call import destination_for
from centrex.directory.users import update_user
from centrex.models import User
from centrex.platform.db import db
from centrex.platform.errors import Forbidden, Invalid
from centrex.routing.engine import Call, route
from centrex.routing.engine.plan import Dest, ForwardEntry, PlayError, Ring
from centrex.routing.engine.wording import word
from centrex.routing.forwards import add_forward_rule
from centrex.routing.groups import create_ring_group
from routing_factory import DOMAIN, actions, config, local, users
from xmlcurl_helpers import bridge_legs, count_queries, parse_document

pytestmark = pytest.mark.smoke

NOW = local("2026-12-01 09:00")
SATELLITE = (("+881", "Satellite"), ("+882", "Satellite Thuraya"))
INTERNATIONAL = users(**{"1001": {"call_class": "international", "allow_premium": True}})


def outbound(number, **cfg):
    return route(config(**cfg), Call(DOMAIN, number, caller_user="1001"), NOW)


def last_words(plan) -> dict:
    """The French and English sentences explaining the plan's last step."""
    return word(plan.notes[-1])


def carrier_address(plan) -> str:
    (leg,) = [s for s in plan.steps if isinstance(s, Ring)][-1].legs
    return leg.address


def test_no_company_rules_change_nothing():
    assert carrier_address(outbound("0033142685300", users=INTERNATIONAL)) == "+33142685300"
    assert carrier_address(outbound("0900123456", users=INTERNATIONAL)) == "+41900123456"


@pytest.mark.parametrize("ceiling, number, allowed", [
    ("national", "0215550199", True), ("national", "0791234567", False),
    ("mobile", "0791234567", True), ("mobile", "0033142685300", False),
    ("international", "0033142685300", True), ("internal", "0215550199", False),
])
def test_ceiling_lowers_every_users_class(ceiling, number, allowed):
    plan = outbound(number, users=INTERNATIONAL, call_ceiling=ceiling)
    if allowed:
        assert carrier_address(plan).startswith("+41") or carrier_address(plan).startswith("+33")
    else:
        assert actions(plan)[-1] == PlayError("OUTGOING_CALL_BARRED")
        assert "l’entreprise limite" in last_words(plan)["fr"]
        assert "the company allows at most" in last_words(plan)["en"]


def test_ceiling_never_raises_a_users_own_class():
    plan = outbound("0033142685300", users=users(**{"1001": {"call_class": "national"}}),
                    call_ceiling="international")
    assert actions(plan)[-1] == PlayError("OUTGOING_CALL_BARRED")


@pytest.mark.parametrize("dialled", ["+8816 1234 5678", "008816 1234 5678", "+88212345678", "0088212345678"])
def test_blocked_prefix_is_barred_even_for_an_international_user(dialled):
    plan = outbound(dialled, users=INTERNATIONAL, blocked_prefixes=SATELLITE)
    assert actions(plan)[-1] == PlayError("OUTGOING_CALL_BARRED")
    words = last_words(plan)
    assert "bloqué pour toute l’entreprise" in words["fr"] and "Satellite" in words["fr"]
    assert "blocked for the whole company" in words["en"]


def test_blocked_prefix_leaves_other_numbers_alone():
    plan = outbound("+8816 1234 5678", users=INTERNATIONAL, blocked_prefixes=(("+882", "Thuraya"),))
    assert carrier_address(plan) == "+881612345678"


def test_blocked_prefix_also_refuses_a_forward_to_it():
    rule = ForwardEntry(1, 2, "always", Dest("external", value="+881612345678"))
    plan = route(config(blocked_prefixes=SATELLITE, forwards={2: (rule,)}), Call(DOMAIN, "1001", caller_user="1000"),
                 NOW)
    assert not any(isinstance(s, Ring) for s in plan.steps)
    assert actions(plan)[-1] == PlayError("INVALID_NUMBER_FORMAT")


def test_premium_refused_by_the_company_even_when_the_user_has_it():
    plan = outbound("0900123456", users=INTERNATIONAL, premium_allowed=False)
    assert actions(plan)[-1] == PlayError("OUTGOING_CALL_BARRED")
    assert "refusé pour toute l’entreprise" in last_words(plan)["fr"]


def test_premium_allowed_by_the_company_still_needs_the_users_switch():
    plan = outbound("0900123456", users=users(**{"1001": {"call_class": "international"}}), premium_allowed=True)
    assert actions(plan)[-1] == PlayError("OUTGOING_CALL_BARRED")
    assert "non autorisé" in last_words(plan)["fr"]


@pytest.mark.parametrize("number", ["112", "117", "144"])
def test_emergency_still_passes_whatever_the_company_rules(number):
    plan = outbound(number, users=users(**{"1001": {"call_class": "internal"}}), call_ceiling="internal",
                    premium_allowed=False, blocked_prefixes=(("+41", "Suisse"), ("+11", "x")))
    assert carrier_address(plan) == number


# --- through /xmlcurl, on the demo -------------------------------------------------------------------

INTERNAL = "25-dialplan-call-1001-to-1002.http"


def _dial(post_capture, number: str, domain: str = "dupont.example"):
    replace = {"Destination-Number=1002": f"Destination-Number={quote(number)}"}  # the body is urlencoded
    if domain != "dupont.example":
        replace["dupont.example"] = domain
    return parse_document(post_capture(INTERNAL, replace=replace))


def _apps(doc) -> list[tuple[str, str | None]]:
    return [(a.get("application"), a.get("data")) for a in doc.xpath("//action")]


def _user(tenant, extension) -> User:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)).scalar_one()


def test_dupont_blocks_satellites_martin_does_not(demo, post_capture):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    assert _user(dupont, "1001").call_class == "international"  # Alain may call abroad…
    update_user(_user(martin, "1001"), {"call_class": "international"})  # …and so may Pierre Martin
    db.session.flush()
    for number in ("+88212345678", "+881612345678"):
        doc = _dial(post_capture, number)
        assert ("hangup", "OUTGOING_CALL_BARRED") in _apps(doc) and bridge_legs(doc) == []
    # Same extension, same numbers, other company: nothing blocked.
    doc = _dial(post_capture, "+881612345678", "martin.example")
    assert bridge_legs(doc) == ["sofia/gateway/carrier/+881612345678"]
    assert ("hangup", "OUTGOING_CALL_BARRED") not in _apps(_dial(post_capture, "+88212345678", "martin.example"))


def test_dupont_refuses_premium_numbers_for_everyone(demo, post_capture):
    update_user(_user(demo["dupont.example"], "1001"), {"allow_premium": True})
    db.session.flush()
    assert ("hangup", "OUTGOING_CALL_BARRED") in _apps(_dial(post_capture, "0900123456"))


def test_barred_call_stays_within_three_queries(demo, post_capture):
    with count_queries() as statements:
        doc = _dial(post_capture, "+88212345678")
    assert ("hangup", "OUTGOING_CALL_BARRED") in _apps(doc)
    assert len(statements) <= 3, statements


def test_click_to_call_applies_the_company_rules_too(demo):
    dupont = demo["dupont.example"]
    alain = _user(dupont, "1001")
    update_user(alain, {"allow_premium": True})
    db.session.flush()
    for number, reason in (("+881612345678", "blocked for the whole company"),
                           ("0900123456", "refused for the whole company")):
        with pytest.raises(Forbidden) as refused:
            destination_for(dupont, alain, number)
        assert reason in refused.value.message
    assert destination_for(dupont, alain, "0033142685300") == "+33142685300"


def test_a_forward_or_group_member_to_a_blocked_prefix_is_refused_when_saved(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    alain = _user(dupont, "1001")  # international: only the company's block stops him
    with pytest.raises(Invalid) as refused:
        add_forward_rule(alain, {"kind": "always", "dest": {"type": "external", "value": "+881612345678"}})
    assert refused.value.message == "Numbers starting with +881 are blocked for the whole company."
    assert "dest" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        create_ring_group(dupont, {"name": "Satellites", "strategy": "simultaneous",
                                   "members": [{"external": "+881612345678"}]})
    assert refused.value.message == "Numbers starting with +881 are blocked for the whole company."
    pierre = _user(martin, "1001")
    update_user(pierre, {"call_class": "international"})
    rule = add_forward_rule(pierre, {"kind": "always", "dest": {"type": "external", "value": "+881612345678"}})
    assert rule.dest_value == "+881612345678"  # Martin Sàrl blocks nothing
