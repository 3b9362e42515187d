"""Cascades and forwarding through the live switch: support → sales → main number when nobody answers,
and Alain Dupont's rules (busy → sales team, no answer → second office, offline → mobile) plus an
"always" rule added for the test. Ring times are lowered in the data where the demo's would only slow
the suite down (the cascade is what is proven, not the length of each ring)."""
import pytest
from live_routing import (
    DUPONT,
    carrier_numbers,
    forward_added,
    forward_changed,
    group_changed,
    seconds_between,
    user,
)

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("no_stale_registrations")]

ALAIN_DIRECT = "+41215550102"
ALAIN_MOBILE = "+41791234567"
ALAIN_SECOND_OFFICE = "+41325551177"


def first_invite(phone):
    invites = phone.invites()
    assert invites, f"{phone.extension} never rang"
    return invites[0].at


def test_support_nobody_answers_then_sales_then_the_main_number_schedule(phones):
    live = phones
    live.at("2026-12-07 10:00")  # office hours: the main number's schedule rings Claire
    support = [live.phone(ext, behaviour="ring") for ext in ("1003", "1004")]
    sales = [live.phone(ext, behaviour="ring") for ext in ("1001", "1002")]
    claire = live.phone("1000", ring_ms=300)
    with group_changed(live, "Support", ring_seconds=5), group_changed(live, "Ventes", ring_seconds=6):
        result = live.call("1005", "2001", talk_ms=500)  # 1005 (sales) calls from a phone not registered
    assert result.final == 200, result.output
    support_at = [first_invite(p) for p in support]
    sales_at = [first_invite(p) for p in sales]
    claire_at = first_invite(claire)
    assert max(support_at) < min(sales_at) < claire_at
    assert 3.5 <= seconds_between([min(support_at), min(sales_at)])[0] <= 7  # timer runs from the dial
    assert 4.5 <= seconds_between([min(sales_at), claire_at])[0] <= 8
    assert all(len(p.invites()) == 1 for p in support + sales + [claire])  # nobody rang twice: no loop


def test_alain_busy_goes_to_the_sales_team_without_ringing_him_again(phones):
    """Issue: the team rang Alain's busy phone too. Skip the member the call comes from."""
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001", behaviour="busy")
    sophie = live.phone("1002", ring_ms=1000)
    marc = live.phone("1005", behaviour="ring")
    result = live.carrier_call(ALAIN_DIRECT, talk_ms=500)
    assert result.final == 200, result.output
    assert len(sophie.invites()) == 1 and len(marc.invites()) == 1
    assert first_invite(alain) < first_invite(sophie)
    assert len(alain.invites()) == 1, [i.at for i in alain.invites()]


def test_alain_no_answer_goes_to_his_second_office_at_the_carrier(phones):
    live = phones
    live.at("2026-12-07 10:00")
    alain = live.phone("1001", behaviour="ring")
    carrier = live.carrier_answers("answer", ring_ms=300)
    with forward_changed(live, "1001", "no_answer", ring_seconds=5):  # the demo's 60 s, shortened
        result = live.carrier_call(ALAIN_DIRECT, talk_ms=500)
    assert result.final == 200, result.output
    assert carrier_numbers(live) == [ALAIN_SECOND_OFFICE]
    # 5 s from the dial; the phone's INVITE leaves after its directory lookup (~1 s on a loaded switch)
    assert 3.5 <= seconds_between([first_invite(alain), carrier.invites()[0].at])[0] <= 7
    assert "+41791112233" in carrier.invites()[0].header("From")  # the outside caller is shown


def test_alain_offline_goes_to_his_mobile(phones):
    live = phones
    live.at("2026-12-07 10:00")
    assert "error/user_not_registered" in live.switch.api(f"sofia_contact 1001@{DUPONT}")
    carrier = live.carrier_answers("answer", ring_ms=300)
    result = live.carrier_call(ALAIN_DIRECT, talk_ms=500)
    assert result.final == 200, result.output
    assert carrier_numbers(live) == [ALAIN_MOBILE]
    assert len(carrier.invites()) == 1


def test_always_forward_rings_the_colleague_not_the_user(phones):
    live = phones
    live.at("2026-12-07 10:00")
    julie = live.phone("1004", behaviour="ring")
    marc = live.phone("1005", ring_ms=300)
    with live.data() as session:
        marc_id = user(session, "1005").id
    with forward_added(live, "1004", {"kind": "always", "dest": {"type": "user", "id": marc_id}}):
        result = live.call("1000", "1004", talk_ms=500)
    assert result.final == 200, result.output
    assert julie.invites() == []
    assert len(marc.invites()) == 1
