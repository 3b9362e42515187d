"""The carrier calls Dupont SA's main number +41215550100 at chosen instants; the switch asks the product
and the schedule "Heures d'ouverture" decides: Claire (1000) in office hours, the answering machine at
lunch, in the evening and on holidays, the on-call mobiles one by one at weekends. The clock-change
nights show the schedule is read in Zurich local time, as the dry run says."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from live_routing import (
    carrier_numbers,
    dry_run,
    dry_run_kinds,
    hang_up_everything,
    in_background,
    seconds_between,
)

pytestmark = [pytest.mark.live, pytest.mark.usefixtures("no_stale_registrations")]

MAIN = "+41215550100"
ON_CALL_MOBILES = ["+41791234568", "+41791234569", "+41791234570", "+41791234571"]  # 1002…1005
ZURICH = ZoneInfo("Europe/Zurich")


def test_office_hours_ring_claire(phones):
    live = phones
    live.at("2026-12-07 10:00")  # a Monday morning
    claire = live.phone("1000", ring_ms=300)
    before = len(live.carrier.invites())
    result = live.carrier_call(MAIN, talk_ms=500)
    assert result.final == 200, result.output
    assert len(claire.invites()) == 1
    assert len(live.carrier.invites()) == before  # nothing went out to a mobile


@pytest.mark.parametrize("when, why", [
    ("2026-12-07 12:30", "lunch break, Monday"),
    ("2026-12-07 20:00", "Monday evening"),
    ("2026-12-25 10:00", "Christmas, a Friday: holiday of the schedule"),
])
def test_outside_office_hours_the_answering_machine_takes_the_call(phones, when, why):
    live = phones
    live.at(when)
    claire = live.phone("1000", behaviour="ring")
    before = len(live.carrier.invites())
    result = live.carrier_call(MAIN, talk_ms=1000)
    assert result.final == 200, f"{why}: {result.output}"  # mod_voicemail answered
    assert claire.invites() == [], why
    assert len(live.carrier.invites()) == before, why  # no on-call mobile either
    assert dry_run_kinds(dry_run(live, "+41791112233", MAIN, datetime.fromisoformat(when))) == ["voicemail"]


def test_weekend_on_call_mobiles_are_called_one_after_the_other(phones):
    live = phones
    live.at("2026-12-05 10:00")  # a Saturday
    carrier = live.carrier_answers("ring")  # nobody picks up a mobile
    call = in_background(live.carrier_call, MAIN, timeout=90)
    try:
        live.wait_for(lambda: len(carrier.invites()) >= 3, timeout=50, what="three on-call mobiles called")
    finally:
        hang_up_everything(live)
    call.result(timeout=30)
    invites = carrier.invites()
    assert carrier_numbers(live)[:3] == ON_CALL_MOBILES[:3]
    gaps = seconds_between([invite.at for invite in invites[:3]])
    assert all(19 <= gap <= 22.5 for gap in gaps), gaps  # 20 s each ("Piquet week-end")
    assert all(invite.header("From") and "+41791112233" in invite.header("From") for invite in invites[:3])


def test_spring_forward_sunday_0730_is_summer_time_on_call(phones):
    """2026-03-29, clocks go 02:00 → 03:00. 07:30 local is 05:30 UTC: read as UTC, or still with the winter
    offset (06:30), it would be before the on-call range (07–19) and the call would go to voicemail."""
    live = phones
    at = live.at("2026-03-29 07:30")
    assert at.utcoffset().total_seconds() == 7200
    carrier = live.carrier_answers("ring")
    call = in_background(live.carrier_call, MAIN, timeout=60)
    try:
        live.wait_for(lambda: carrier.invites(), timeout=15, what="the first on-call mobile called")
    finally:
        hang_up_everything(live)
    call.result(timeout=30)
    assert carrier_numbers(live) == ON_CALL_MOBILES[:1]
    explained = dry_run(live, "+41791112233", MAIN, datetime(2026, 3, 29, 7, 30))
    assert dry_run_kinds(explained) == ["ring"]
    assert explained["at"] == "2026-03-29T07:30+02:00"
    ring = next(step for step in explained["steps"] if step["kind"] == "ring")
    assert ring["legs"][0]["address"] == ON_CALL_MOBILES[0]


def test_fall_back_sunday_0630_is_winter_time_voicemail(phones):
    """2026-10-25, clocks go 03:00 → 02:00. 06:30 local is 05:30 UTC: still on summer time (07:30) it
    would be inside the on-call range; it is not, the answering machine answers."""
    live = phones
    at = live.at("2026-10-25 06:30")
    assert at.utcoffset().total_seconds() == 3600
    live.carrier_answers("ring")
    result = live.carrier_call(MAIN, talk_ms=1000)
    assert result.final == 200, result.output
    assert live.carrier.invites() == []
    explained = dry_run(live, "+41791112233", MAIN, datetime(2026, 10, 25, 6, 30))
    assert dry_run_kinds(explained) == ["voicemail"]
    assert explained["at"] == "2026-10-25T06:30+01:00"
