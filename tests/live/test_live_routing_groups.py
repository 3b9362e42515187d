"""Ring groups through the live switch: the sales team all at once, a sequential group with its own time
per member (created for the test through the core services), and round robin over three calls."""
import pytest
from live_routing import (
    group_created,
    seconds_between,
    user,
)

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("no_stale_registrations")]


def test_sales_2002_rings_its_three_phones_at_once(phones):
    live = phones
    live.at("2026-12-07 10:00")
    alain, sophie = live.phone("1001", behaviour="ring"), live.phone("1002", behaviour="ring")
    marc = live.phone("1005", ring_ms=1500)
    result = live.call("1000", "2002", talk_ms=500)
    assert result.final == 200, result.output
    invited = [phone.invites() for phone in (alain, sophie, marc)]
    assert [len(invites) for invites in invited] == [1, 1, 1]
    times = sorted(invites[0].at for invites in invited)
    assert (times[-1] - times[0]).total_seconds() < 1.0, times


def test_sequential_group_rings_each_member_for_its_own_time(phones):
    live = phones
    live.at("2026-12-07 10:00")
    sophie, luc = live.phone("1002", behaviour="ring"), live.phone("1003", behaviour="ring")
    julie = live.phone("1004", ring_ms=300)
    with live.data() as session:
        ids = {ext: user(session, ext).id for ext in ("1002", "1003", "1004")}
    data = {"name": "Relais test", "extension": "2091", "strategy": "sequential", "ring_seconds": 5,
            "members": [{"user_id": ids["1002"], "ring_seconds": 5}, {"user_id": ids["1003"], "ring_seconds": 8},
                        {"user_id": ids["1004"]}]}
    with group_created(live, data):
        result = live.call("1000", "2091", talk_ms=500)
    assert result.final == 200, result.output
    order = [sophie.invites(), luc.invites(), julie.invites()]
    assert [len(invites) for invites in order] == [1, 1, 1]
    gaps = seconds_between([invites[0].at for invites in order])
    assert 4.0 <= gaps[0] <= 6.5 and 7.0 <= gaps[1] <= 9.5, gaps  # 5 s, 8 s (± the lookup of each phone)


def test_round_robin_the_first_member_rotates_call_after_call(phones):
    live = phones
    live.at("2026-12-07 10:00")
    members = {ext: live.phone(ext, ring_ms=300) for ext in ("1002", "1003", "1004")}
    with live.data() as session:
        ids = [user(session, ext).id for ext in members]
    data = {"name": "Tournus test", "extension": "2092", "strategy": "round_robin", "ring_seconds": 10,
            "members": [{"user_id": uid} for uid in ids]}
    rung = []
    with group_created(live, data):
        for _ in range(3):
            counts = {ext: len(phone.invites()) for ext, phone in members.items()}
            result = live.call("1000", "2092", talk_ms=300)
            assert result.final == 200, result.output
            rung.append(sorted((invite.at, ext) for ext, phone in members.items()
                               for invite in phone.invites()[counts[ext]:]))
    # Each call starts with the member after the previous call's first (a phone slow to answer lets the
    # group go on to the next member within that call; the rotation is about who rings first).
    assert [call[0][1] for call in rung] == ["1002", "1003", "1004"], rung
