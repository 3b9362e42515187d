"""Each name we give an object inside FreeSWITCH is parsed back by the same module that builds it; a name
FreeSWITCH made up itself (its stock menus, queues, profiles) is never taken for one of ours."""
from __future__ import annotations

import pytest

from centrex.freeswitch import names

pytestmark = pytest.mark.smoke


def test_names_built_are_parsed_back():
    assert names.parse_ivr_menu(names.ivr_menu("dupont.example", 12)) == ("dupont.example", 12)
    assert names.parse_queue(names.queue("dupont.example", 4)) == ("dupont.example", 4)
    assert names.parse_conference_room(names.conference_room("dupont.example", "3000")) == ("3000", "dupont.example")
    assert names.parse_conference_profile(names.conference_profile("martin.example")) == "martin.example"
    assert names.domain_of(names.agent("dupont.example", "1001")) == "dupont.example"
    assert names.conference_with_profile("dupont.example", "3000") == "3000-dupont.example@dupont.example_conf"


@pytest.mark.parametrize("menu", ["demo_ivr", "dupont.example_ivr", "Dupont.example_ivr1", "x_ivr1", "",
                                  "dupont.example_ivr1 ", "dupont.example_ivr1234567890123"])
def test_menus_that_are_not_ours(menu):
    assert names.parse_ivr_menu(menu) is None


@pytest.mark.parametrize("queue", ["support@dupont.example", "q@dupont.example", "q1@", "q1@d", "Q1@dupont.example"])
def test_queues_that_are_not_ours(queue):
    assert names.parse_queue(queue) is None


@pytest.mark.parametrize("profile", ["default", "wideband", "_conf", "dupont.example_conference"])
def test_profiles_that_are_not_ours(profile):
    assert names.parse_conference_profile(profile) is None


def test_a_room_name_without_its_domain_is_not_ours():
    assert names.parse_conference_room("3000") is None


def test_limits_count_a_user_under_a_name_the_cdr_can_carry():
    assert names.limit_realm("user") == "centrex_user"
    assert names.limit_resource("user", "1001", "dupont.example") == "1001.dupont.example"  # no "@"
    assert names.limit_resource("tenant", "dupont.example", "dupont.example") == "dupont.example"
