"""A user's forwarding to a team he belongs to does not ring him again (pure engine, the dialplan's
round trip of the fallback variable, and the dry run)."""
from __future__ import annotations

import pytest

from centrex.routing.engine import Call, Continuation, Dest, route
from centrex.routing.engine.plan import Ring
from routing_factory import DOMAIN, config, forward, group, local, member_user
from xmlcurl.dialplan import decode_fallback, encode_fallback

pytestmark = pytest.mark.smoke

TUESDAY_9 = local("2026-12-01 09:00")
SALES = group(5, "Ventes", member_user(2), member_user(3), member_user(1))  # Alain (id 2) is a member
ALAIN_BUSY_TO_SALES = {2: (forward(3, 2, "busy", Dest("ring_group", 5)),)}


def rings(plan) -> list[Ring]:
    return [s for s in plan.steps if isinstance(s, Ring)]


def alains_ring():
    plan = route(config(forwards=ALAIN_BUSY_TO_SALES, groups={5: SALES}), Call(DOMAIN, "1001"), TUESDAY_9)
    return rings(plan)[0]


def test_the_users_ring_says_where_the_forward_comes_from():
    fallback = dict(alains_ring().fallback)
    assert fallback["busy"] == Dest("ring_group", 5)
    assert fallback["skip"] == Dest("user", 2)


def test_busy_forward_to_his_team_rings_the_others_only():
    fallback = decode_fallback(encode_fallback(alains_ring().fallback))  # as it comes back from the channel
    assert fallback["skip"] == Dest("user", 2)
    plan = route(config(forwards=ALAIN_BUSY_TO_SALES, groups={5: SALES}),
                 Call(DOMAIN, "centrex-continue", continuation=Continuation("busy", fallback, hops=1)), TUESDAY_9)
    assert [leg.address for leg in rings(plan)[0].legs] == ["1002", "1000"]
    assert any(note.key == "group_skips_origin" for note in plan.notes)


def test_the_same_team_called_directly_rings_him():
    team = group(5, "Ventes", member_user(2), member_user(3), extension="2002")
    plan = route(config(forwards=ALAIN_BUSY_TO_SALES, groups={5: team}), Call(DOMAIN, "2002"), TUESDAY_9)
    assert [leg.address for leg in rings(plan)[0].legs] == ["1001", "1002"]


def test_a_forward_to_voicemail_or_a_number_carries_no_skip():
    rules = {2: (forward(1, 2, "busy", Dest("external", value="+41791234567")),)}
    ring = rings(route(config(forwards=rules), Call(DOMAIN, "1001"), TUESDAY_9))[0]
    assert "skip" not in dict(ring.fallback)


def test_the_dry_run_follows_the_same_rule():
    plan = route(config(forwards=ALAIN_BUSY_TO_SALES, groups={5: SALES}), Call(DOMAIN, "1001"), TUESDAY_9,
                 expand=True)
    branches = plan.branches[len(plan.steps) - 1]
    busy = next(sub for outcomes, sub in branches if "busy" in outcomes)
    assert [leg.address for leg in rings(busy)[0].legs] == ["1002", "1000"]
    # …and the team's own no-answer branch would ring everyone again (it is not Alain's forward any more).
    assert "skip" not in dict(rings(busy)[0].fallback)


def test_alone_in_the_team_the_team_is_empty_and_its_fallback_applies():
    alone = group(5, "Solo", member_user(2), no_answer=Dest("voicemail", value="1000"))
    fallback = {"busy": Dest("ring_group", 5), "skip": Dest("user", 2)}
    plan = route(config(groups={5: alone}),
                 Call(DOMAIN, "centrex-continue", continuation=Continuation("busy", fallback, hops=1)), TUESDAY_9)
    assert not rings(plan)
    assert [note.key for note in plan.notes][-2:] == ["group_empty", "voicemail"]
