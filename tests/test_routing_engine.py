"""The pure engine: every rule on hand-built configurations (users, forwarding, groups, cascades,
continuations, missing targets, hop limit)."""
from __future__ import annotations

import pytest

from centrex.freeswitch.dispositions import outcome_of
from centrex.routing.engine import Call, Continuation, Dest, route
from centrex.routing.engine.plan import (
    Announcement,
    Application,
    BoxSettings,
    GroupEntry,
    Hangup,
    HoldMusic,
    Limit,
    PlayError,
    RangeEntry,
    ReceiveFax,
    Ring,
    ScheduleEntry,
    ServiceTarget,
    Voicemail,
)
from centrex.routing.engine.schedule import WEEKDAYS
from routing_factory import (
    DOMAIN,
    actions,
    config,
    forward,
    group,
    local,
    member_external,
    member_user,
    user_dest,
    users,
)

pytestmark = pytest.mark.smoke

TUESDAY_9 = local("2026-12-01 09:00")


def call(destination, caller_user=None, **kw):
    return Call(DOMAIN, destination, caller_user=caller_user, **kw)


def rings(plan) -> list[Ring]:
    return [s for s in plan.steps if isinstance(s, Ring)]


def fallback(ring: Ring) -> dict:
    return dict(ring.fallback)


# --- users and forwarding -------------------------------------------------------------------------

def test_user_rings_then_voicemail_on_every_outcome():
    plan = route(config(), call("1002", caller_user="1001"), TUESDAY_9)
    limit, ring = [s for s in actions(plan) if isinstance(s, (Limit, Ring))]
    assert limit == Limit("user", "1001", 2, "USER_BUSY")
    assert [(leg.kind, leg.address, leg.ring_seconds) for leg in ring.legs] == [("user", "1002", 30)]
    assert set(fallback(ring).values()) == {Dest("voicemail", value="1002")}
    assert plan.last is ring  # the plan ends on the ring: FreeSWITCH comes back with the outcome


def test_user_without_voicemail_ends_with_the_cause():
    ring = rings(route(config(), call("1003"), TUESDAY_9))[0]
    assert fallback(ring) == {"busy": Dest("hangup", value="USER_BUSY"), "no_answer": Dest("hangup", value="NO_ANSWER"),
                              "offline": Dest("hangup", value="USER_NOT_REGISTERED"),
                              "failed": Dest("hangup", value="NORMAL_TEMPORARY_FAILURE")}


ALAIN_RULES = {2: (
    forward(1, 2, "offline", Dest("external", value="+41791234567")),
    forward(2, 2, "no_answer", Dest("external", value="+41325551177"), ring_seconds=60),
    forward(3, 2, "busy", Dest("ring_group", 5)),
)}


def test_alain_offline_busy_no_answer():
    plan = route(config(forwards=ALAIN_RULES), call("1001", caller_user="1000"), TUESDAY_9)
    ring = rings(plan)[0]
    assert ring.timeout == 60 and ring.legs[0].ring_seconds == 60
    fb = fallback(ring)
    assert fb["offline"] == Dest("external", value="+41791234567")
    assert fb["no_answer"] == Dest("external", value="+41325551177")
    assert fb["busy"] == Dest("ring_group", 5)
    assert fb["failed"] == fb["then"] == Dest("voicemail", value="1001")


def test_switched_off_rule_is_kept_but_ignored():
    rules = {2: (forward(1, 2, "always", Dest("external", value="+41791234567"), enabled=False),)}
    ring = rings(route(config(forwards=rules), call("1001"), TUESDAY_9))[0]
    assert ring.legs[0].address == "1001"


def test_always_forward_does_not_ring_the_phone():
    rules = {2: (forward(1, 2, "always", user_dest(3)),)}
    ring = rings(route(config(forwards=rules), call("1001"), TUESDAY_9))[0]
    assert [leg.address for leg in ring.legs] == ["1002"]


def test_forward_limited_to_a_schedule():
    evenings = ScheduleEntry(9, "soirs", ranges=(RangeEntry(WEEKDAYS, 18 * 60, 8 * 60, None),))
    rules = {2: (forward(1, 2, "always", Dest("external", value="+41791234567"), schedule_id=9),)}
    cfg = config(forwards=rules, schedules={9: evenings})
    day = rings(route(cfg, call("1001"), TUESDAY_9))[0]
    night = rings(route(cfg, call("1001"), local("2026-12-01 21:00")))[0]
    assert day.legs[0].kind == "user"
    assert (night.legs[0].kind, night.legs[0].address) == ("external", "+41791234567")
    # A rule tied to a schedule that no longer exists never applies.
    orphan = rings(route(config(forwards=rules), call("1001"), local("2026-12-01 21:00")))[0]
    assert orphan.legs[0].kind == "user"


def test_offline_without_its_own_rule_uses_the_no_answer_rule():
    rules = {2: (forward(1, 2, "no_answer", user_dest(3), ring_seconds=15),)}
    fb = fallback(rings(route(config(forwards=rules), call("1001"), TUESDAY_9))[0])
    assert fb["offline"] == fb["no_answer"] == user_dest(3)
    assert fb["busy"] == Dest("voicemail", value="1001")


# --- ring groups ----------------------------------------------------------------------------------

def test_simultaneous_group_with_member_ring_times():
    sales = group(5, "Ventes", member_user(2, 15), member_user(3), strategy="simultaneous", ring_seconds=25)
    ring = rings(route(config(groups={5: sales}), call("2002"), TUESDAY_9))
    assert not ring  # no extension: not dialable
    sales = GroupEntry(5, "Ventes", "simultaneous", 25, sales.members, extension="2002")
    ring = rings(route(config(groups={5: sales}), call("2002"), TUESDAY_9))[0]
    assert ring.mode == "simultaneous" and ring.timeout == 25
    assert [(leg.address, leg.ring_seconds) for leg in ring.legs] == [("1001", 15), ("1002", 25)]
    assert set(fallback(ring).values()) == {Dest("hangup", value="NO_ANSWER")}


def test_sequential_group_of_mobiles_rings_each_at_least_20_seconds():
    on_call = group(3, "Piquet", member_external("+41791234568", 10), member_external("0791234569"),
                    member_external("+41901234567"), strategy="sequential", ring_seconds=15,
                    no_answer=Dest("voicemail", value="1000"), extension="2003")
    ring = rings(route(config(groups={3: on_call}), call("2003"), TUESDAY_9))[0]
    assert ring.mode == "sequential"
    # premium-rate members are never rung; national formats become E.164; mobiles ring >= 20 s
    assert [(leg.kind, leg.address, leg.ring_seconds) for leg in ring.legs] == [
        ("external", "+41791234568", 20), ("external", "+41791234569", 20)]
    assert ring.timeout == 40
    assert set(fallback(ring).values()) == {Dest("voicemail", value="1000")}


def test_round_robin_starts_further_each_call():
    members = (member_user(1), member_user(2), member_user(3))
    firsts = []
    for rotation in range(4):
        team = GroupEntry(6, "Tournus", "round_robin", 20, members, extension="2006", rotation=rotation)
        plan = route(config(groups={6: team}), call("2006"), TUESDAY_9)
        assert plan.rotations == {6}
        ring = rings(plan)[0]
        assert ring.mode == "sequential"
        firsts.append(ring.legs[0].address)
    assert firsts == ["1000", "1001", "1002", "1000"]


def test_group_skips_missing_members_and_goes_on_when_nobody_is_left():
    ghost = group(4, "Fantômes", member_user(99), member_external("not a number"), extension="2004",
                  no_answer=user_dest(1))
    plan = route(config(groups={4: ghost}), call("2004"), TUESDAY_9)
    ring = rings(plan)[0]
    assert [leg.address for leg in ring.legs] == ["1000"]  # straight to the no-answer destination
    assert "group_empty" in [n.key for n in plan.notes]


def test_cascade_support_sales_main_is_followed_in_the_dry_run():
    office = ScheduleEntry(1, "Heures", ranges=(RangeEntry(WEEKDAYS, 8 * 60, 12 * 60, user_dest(1)),),
                           default=Dest("voicemail", value="1000"))
    sales = group(2, "Ventes", member_user(2), member_user(3), no_answer=Dest("schedule", 1), extension="2002")
    support = group(3, "Support", member_user(4), no_answer=Dest("ring_group", 2), extension="2001")
    cfg = config(groups={2: sales, 3: support}, schedules={1: office})
    plan = route(cfg, call("2001", caller_user="1000"), local("2026-12-01 11:59"), expand=True)
    support_ring = rings(plan)[0]
    assert [leg.address for leg in support_ring.legs] == ["1003"]
    (outcomes, sales_plan), = plan.branches[len(plan.steps) - 1]
    assert set(outcomes) == {"busy", "no_answer", "offline", "failed"}
    assert [leg.address for leg in rings(sales_plan)[0].legs] == ["1001", "1002"]
    (_, main_plan), = sales_plan.branches[len(sales_plan.steps) - 1]
    # 11:59 + 30 s + 30 s = 12:00: the main number's schedule is evaluated then, and says "closed".
    assert actions(main_plan) == [Voicemail("1000", language="fr")]


# --- continuations: FreeSWITCH comes back after a failed bridge -----------------------------------

@pytest.mark.parametrize("disposition, dialstatus, outcome", [
    ("USER_BUSY", "BUSY", "busy"), ("NO_ANSWER", "NOANSWER", "no_answer"),
    ("USER_NOT_REGISTERED", "USER_NOT_REGISTERED", "offline"), ("CALL_REJECTED", None, "busy"),
    (None, "NOANSWER", "no_answer"), ("NORMAL_TEMPORARY_FAILURE", None, "failed"), (None, None, "failed"),
])
def test_outcome_of_freeswitch_dispositions(disposition, dialstatus, outcome):
    assert outcome_of(disposition, dialstatus) == outcome


def test_continuation_goes_where_the_outcome_says():
    fb = {"busy": Dest("ring_group", 5), "offline": Dest("external", value="+41791234567"),
          "no_answer": user_dest(3), "then": Dest("voicemail", value="1001")}
    sales = group(5, "Ventes", member_user(3), member_user(1))
    cfg = config(groups={5: sales})
    busy = route(cfg, Call(DOMAIN, "centrex-continue", continuation=Continuation("busy", fb, 1)), TUESDAY_9)
    assert [leg.address for leg in rings(busy)[0].legs] == ["1002", "1000"]
    offline = route(cfg, Call(DOMAIN, "centrex-continue", continuation=Continuation("offline", fb, 1)), TUESDAY_9)
    mobile = rings(offline)[0]
    assert mobile.legs[0].address == "+41791234567"
    assert set(fallback(mobile).values()) == {Dest("voicemail", value="1001")}  # then: Alain's box
    failed = route(cfg, Call(DOMAIN, "centrex-continue", continuation=Continuation("failed", fb, 1)), TUESDAY_9)
    assert actions(failed) == [Hangup("NORMAL_TEMPORARY_FAILURE")]
    dialled_by_hand = route(cfg, Call(DOMAIN, "centrex-continue", caller_user="1000",
                                      continuation=Continuation("failed", {}, 0)), TUESDAY_9)
    assert actions(dialled_by_hand) == [Hangup("NORMAL_TEMPORARY_FAILURE")]


def test_groups_in_a_circle_are_cut_by_the_hop_limit():
    a = group(1, "A", member_user(1), no_answer=Dest("ring_group", 2), extension="2001")
    b = group(2, "B", member_user(2), no_answer=Dest("ring_group", 1), extension="2002")
    cfg = config(groups={1: a, 2: b})
    plan = route(cfg, call("2001"), TUESDAY_9)
    hops = 0
    for _ in range(50):  # FreeSWITCH coming back again and again, as long as the plan says so
        ring = plan.last
        if not isinstance(ring, Ring):
            break
        hops = ring.hops
        plan = route(cfg, Call(DOMAIN, "centrex-continue", continuation=Continuation(
            "no_answer", fallback(ring), ring.hops)), TUESDAY_9)
    assert actions(plan) == [Hangup("EXCHANGE_ROUTING_ERROR")]
    assert hops == cfg.settings.hop_limit
    # The dry run follows the same circle and stops at the same limit.
    expanded = route(cfg, call("2001"), TUESDAY_9, expand=True)
    depth, node = 0, expanded
    while node.branches:
        (_, node), = node.branches[len(node.steps) - 1]
        depth += 1
    assert actions(node) == [Hangup("EXCHANGE_ROUTING_ERROR")] and depth == cfg.settings.hop_limit


def test_schedules_pointing_at_each_other_terminate():
    s1 = ScheduleEntry(1, "un", default=Dest("schedule", 2))
    s2 = ScheduleEntry(2, "deux", default=Dest("schedule", 1))
    cfg = config(schedules={1: s1, 2: s2}, numbers={"+41215550100": Dest("schedule", 1)})
    plan = route(cfg, Call(DOMAIN, "+41215550100"), TUESDAY_9)
    assert actions(plan) == [Hangup("EXCHANGE_ROUTING_ERROR")]


# --- destinations that are gone, and services ------------------------------------------------------

@pytest.mark.parametrize("dest", [
    user_dest(404), Dest("ring_group", 404), Dest("schedule", 404), Dest("ivr", 404), Dest("queue", 404),
    Dest("conference", 404), Dest("fax", 404), Dest("voicemail", value="1003"), Dest("voicemail", 404),
    Dest("nonsense", 1),
])
def test_missing_targets_play_an_error_and_hang_up(dest):
    cfg = config(numbers={"+41215550100": dest})
    plan = route(cfg, Call(DOMAIN, "+41215550100", caller="+41791112233"), TUESDAY_9)
    assert actions(plan) == [PlayError("UNALLOCATED_NUMBER")]
    assert plan.notes[-1].key == "missing_target"


def test_service_destinations_name_the_service_by_its_row():
    targets = {("ivr", 3): ServiceTarget("ivr", 3, "3", "Accueil", "5000"),
               ("queue", 4): ServiceTarget("queue", 4, "4", "Support"),
               ("conference", 5): ServiceTarget("conference", 5, "3000", "Salle"),
               ("voicemail", 6): ServiceTarget("voicemail", 6, "8000", "Répondeur"),
               ("fax", 7): ServiceTarget("fax", 7, "7", "Fax")}
    cfg = config(targets=targets, main_number="+41215550100")
    expect = {
        Dest("ivr", 3): Application("ivr", 3, "3"),
        Dest("queue", 4): Application("queue", 4, "4"),
        Dest("conference", 5): Application("conference", 5, "3000", language="fr"),
        Dest("voicemail", 6): Voicemail("8000", language="fr"),
        Dest("voicemail", value="8000"): Voicemail("8000", language="fr"),
    }
    for dest, step in expect.items():
        plan = route(config(targets=targets, numbers={"+41215550199": dest}), Call(DOMAIN, "+41215550199"), TUESDAY_9)
        assert actions(plan) == [step]
    fax = actions(route(config(targets=targets, main_number="+41215550100", numbers={"+41215550190": Dest("fax", 7)}),
                        Call(DOMAIN, "+41215550190"), TUESDAY_9))[0]
    assert fax == ReceiveFax(7, "+41215550190", "Acme SA")  # the number dialled, the company as header
    assert actions(route(cfg, call("5000", caller_user="1000"), TUESDAY_9))[-1] == Application("ivr", 3, "3")


def test_unknown_destination_from_outside_is_refused():
    plan = route(config(), Call(DOMAIN, "+41449999999", caller="+41791112233"), TUESDAY_9)
    assert actions(plan) == [PlayError("UNALLOCATED_NUMBER")]


def test_a_user_dialling_a_company_number_stays_inside():
    cfg = config(numbers={"+41215550101": user_dest(1)})
    plan = route(cfg, call("0215550101", caller_user="1002"), TUESDAY_9)
    assert [leg.address for leg in rings(plan)[0].legs] == ["1000"]
    assert "own_number" in [n.key for n in plan.notes]


def test_forward_to_one_of_our_own_numbers_is_not_sent_through_the_carrier():
    rules = {2: (forward(1, 2, "always", Dest("external", value="+41215550101")),)}
    cfg = config(forwards=rules, numbers={"+41215550101": user_dest(1)})
    ring = rings(route(cfg, call("1001"), TUESDAY_9))[0]
    assert (ring.legs[0].kind, ring.legs[0].address) == ("user", "1000")


def test_user_lookup_is_by_extension_of_this_tenant_only():
    cfg = config(users=users())
    assert rings(route(cfg, call("1002"), TUESDAY_9))[0].legs[0].address == "1002"
    assert actions(route(cfg, call("1099"), TUESDAY_9)) == [PlayError("UNALLOCATED_NUMBER")]


# --- what callers hear: announcements, hold music, voicemail greetings ------------------------------

def test_announcement_plays_before_the_number_rings_and_only_for_that_number():
    cfg = config(numbers={"+41215550110": Dest("user", 3), "+41215550100": Dest("user", 1)},
                 announcements={"+41215550110": "/audio/acme.example/prompt/welcome.wav"})
    steps = actions(route(cfg, call("+41215550110", caller="+41791112233"), TUESDAY_9))
    announce = next(i for i, s in enumerate(steps) if isinstance(s, Announcement))
    assert steps[announce] == Announcement("/audio/acme.example/prompt/welcome.wav")
    assert announce < next(i for i, s in enumerate(steps) if isinstance(s, Ring))
    other = actions(route(cfg, call("+41215550100", caller="+41791112233"), TUESDAY_9))
    assert not any(isinstance(s, Announcement) for s in other)


def test_hold_music_of_the_company_is_exported_to_every_leg():
    steps = actions(route(config(hold_music=3), call("1002", caller_user="1001"), TUESDAY_9))
    assert HoldMusic(3) in steps
    plain = actions(route(config(), call("1002", caller_user="1001"), TUESDAY_9))
    assert not any(isinstance(s, HoldMusic) for s in plain)


def test_voicemail_speaks_the_box_language_else_the_owner_else_the_company():
    cfg = config(language="de", users=users(**{"1001": {"language": "en"}}),
                 boxes={"1002": BoxSettings("it", "/audio/acme.example/greeting/away.wav")},
                 numbers={"+41215550101": Dest("voicemail", value="1001"),
                          "+41215550102": Dest("voicemail", value="1002"),
                          "+41215550100": Dest("voicemail", value="1000")})
    boxes = {number: actions(route(cfg, call(number, caller="+41791112233"), TUESDAY_9))[-1]
             for number in ("+41215550101", "+41215550102", "+41215550100")}
    assert boxes["+41215550101"] == Voicemail("1001", language="en")
    assert boxes["+41215550102"] == Voicemail("1002", language="it", greeting="/audio/acme.example/greeting/away.wav")
    assert boxes["+41215550100"] == Voicemail("1000", language="de")
    check = actions(route(cfg, call("*97", caller_user="1002"), TUESDAY_9))[-1]
    assert check == Voicemail("1002", check=True, language="it")  # the owner hears no greeting
