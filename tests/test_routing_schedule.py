"""Time routing: ranges, across midnight, holidays, time zone and the DST nights (pure functions)."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone

import pytest

from centrex.routing.engine.plan import Dest, ExceptionEntry, RangeEntry, ScheduleEntry
from centrex.routing.engine.schedule import (
    WEEKDAYS,
    WEEKEND,
    days_text,
    evaluate,
    is_open,
    local_time,
    parse_days,
    parse_hhmm,
)
from routing_factory import local

pytestmark = pytest.mark.smoke

OFFICE = Dest("user", 1)
ON_CALL = Dest("ring_group", 3)
NIGHT = Dest("external", value="+41791234567")
MACHINE = Dest("voicemail", value="1000")

SCHEDULE = ScheduleEntry(
    id=1, name="Heures d'ouverture",
    ranges=(
        RangeEntry(WEEKDAYS, 8 * 60, 12 * 60, OFFICE, "matin"),
        RangeEntry(WEEKDAYS, 14 * 60, 18 * 60, OFFICE, "après-midi"),
        RangeEntry(WEEKEND, 7 * 60, 19 * 60, ON_CALL, "piquet"),
        RangeEntry(parse_days("fri"), 22 * 60, 6 * 60, NIGHT, "nuit du vendredi"),
    ),
    exceptions=(ExceptionEntry(date(2026, 12, 25), None, yearly=True, label="Noël"),
                ExceptionEntry(date(2026, 4, 3), ON_CALL, label="Vendredi saint")),
    default=MACHINE)


@pytest.mark.parametrize("when, kind, dest", [
    ("2026-12-01 08:00", "range", OFFICE),      # Tuesday, first minute of the range
    ("2026-12-01 09:00", "range", OFFICE),
    ("2026-12-01 11:59", "range", OFFICE),
    ("2026-12-01 12:00", "default", MACHINE),   # the end is not in the range
    ("2026-12-01 13:00", "default", MACHINE),
    ("2026-12-01 14:00", "range", OFFICE),
    ("2026-12-01 19:00", "default", MACHINE),
    ("2026-12-05 10:00", "range", ON_CALL),     # Saturday
    ("2026-12-05 20:00", "default", MACHINE),
    ("2026-12-06 19:00", "default", MACHINE),   # Sunday, end of on-call
    ("2026-12-04 23:30", "range", NIGHT),       # Friday night, before midnight
    ("2026-12-05 05:59", "range", NIGHT),       # …and Saturday morning, after midnight
    ("2026-12-05 06:00", "default", MACHINE),
    ("2026-12-01 03:00", "default", MACHINE),   # Tuesday early: Monday is not in the night range
    ("2026-12-25 10:00", "exception", MACHINE),  # Christmas (a Friday): the default
    ("2027-12-24 10:00", "range", OFFICE),      # yearly holiday does not leak to the day before
    ("2027-12-25 10:00", "exception", MACHINE),  # …and comes back the next year
    ("2026-04-03 10:00", "exception", ON_CALL),  # Good Friday has its own destination
    ("2027-04-03 10:00", "range", ON_CALL),     # a one-off date is not repeated (a Saturday in 2027)
    ("2027-04-02 10:00", "range", OFFICE),      # …nor moved: Good Friday 2027 is not in the list
])
def test_schedule_at_instants(when, kind, dest):
    match = evaluate(SCHEDULE, local(when), "Europe/Zurich")
    assert (match.kind, match.dest) == (kind, dest)


def test_whole_day_range_and_is_open():
    always = ScheduleEntry(2, "tout le temps", ranges=(RangeEntry(0b1111111, 0, 1440, OFFICE),), default=MACHINE)
    for hour in range(24):
        assert is_open(always, local(f"2026-12-02 {hour:02d}:00"), "Europe/Zurich")
    assert not is_open(SCHEDULE, local("2026-12-25 10:00"), "Europe/Zurich")  # holidays close it
    assert not is_open(SCHEDULE, local("2026-12-01 13:00"), "Europe/Zurich")


def test_naive_instants_are_utc_and_the_tenant_zone_decides():
    # 07:30 UTC on a Tuesday in December is 08:30 in Zurich (CET, UTC+1): office hours there…
    assert evaluate(SCHEDULE, datetime(2026, 12, 1, 7, 30), "Europe/Zurich").dest == OFFICE
    # …but 07:30 in London: before opening.
    assert evaluate(SCHEDULE, datetime(2026, 12, 1, 7, 30, tzinfo=timezone.utc), "Europe/London").dest == MACHINE
    # An unknown zone name falls back to UTC instead of failing the call.
    assert evaluate(SCHEDULE, datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc), "Mars/Olympus").dest == OFFICE


def test_spring_dst_night():
    """29 March 2026: clocks jump 02:00 -> 03:00 CET->CEST. Sunday on-call starts at 07:00 local."""
    assert local_time(datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc), "Europe/Zurich").hour == 1
    assert local_time(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), "Europe/Zurich").hour == 3
    # 05:30 UTC is 07:30 CEST: on call. A fixed UTC+1 offset would say 06:30 and miss it.
    assert evaluate(SCHEDULE, datetime(2026, 3, 29, 5, 30, tzinfo=timezone.utc), "Europe/Zurich").dest == ON_CALL
    assert evaluate(SCHEDULE, datetime(2026, 3, 29, 4, 59, tzinfo=timezone.utc), "Europe/Zurich").dest == MACHINE
    # On-call ends at 19:00 CEST = 17:00 UTC.
    assert evaluate(SCHEDULE, datetime(2026, 3, 29, 16, 59, tzinfo=timezone.utc), "Europe/Zurich").dest == ON_CALL
    assert evaluate(SCHEDULE, datetime(2026, 3, 29, 17, 0, tzinfo=timezone.utc), "Europe/Zurich").dest == MACHINE


def test_autumn_dst_night():
    """25 October 2026: clocks go back 03:00 CEST -> 02:00 CET; 02:xx happens twice."""
    night = ScheduleEntry(3, "nuit", ranges=(RangeEntry(parse_days("sun"), 2 * 60, 2 * 60 + 30, NIGHT),),
                          default=MACHINE)
    first = datetime(2026, 10, 25, 0, 15, tzinfo=timezone.utc)   # 02:15 CEST
    second = datetime(2026, 10, 25, 1, 15, tzinfo=timezone.utc)  # 02:15 CET, an hour later
    assert local_time(first, "Europe/Zurich").hour == local_time(second, "Europe/Zurich").hour == 2
    assert evaluate(night, first, "Europe/Zurich").dest == NIGHT
    assert evaluate(night, second, "Europe/Zurich").dest == NIGHT
    # Sunday on-call from 07:00 CET = 06:00 UTC (it was 05:00 UTC in summer).
    assert evaluate(SCHEDULE, datetime(2026, 10, 25, 5, 30, tzinfo=timezone.utc), "Europe/Zurich").dest == MACHINE
    assert evaluate(SCHEDULE, datetime(2026, 10, 25, 6, 0, tzinfo=timezone.utc), "Europe/Zurich").dest == ON_CALL


def test_spring_night_range_in_the_missing_hour_never_matches():
    missing = ScheduleEntry(4, "trou", ranges=(RangeEntry(parse_days("sun"), 2 * 60 + 10, 2 * 60 + 50, NIGHT),),
                            default=MACHINE)
    minutes = [datetime(2026, 3, 29, 0, 0, tzinfo=timezone.utc).replace(minute=m) for m in range(0, 60, 5)]
    minutes += [datetime(2026, 3, 29, 1, m, tzinfo=timezone.utc) for m in range(0, 60, 5)]
    assert all(evaluate(missing, at, "Europe/Zurich").dest == MACHINE for at in minutes)


def test_day_and_time_parsing():
    assert parse_days("mon-fri") == WEEKDAYS and parse_days("sat,sun") == WEEKEND
    assert days_text(parse_days("mon,wed-fri,sun")) == "mon,wed-fri,sun"
    assert parse_hhmm("08:30") == 510 and parse_hhmm("24:00") == 1440
    for bad in ("", "fri-mon", "noday"):
        with pytest.raises(ValueError):
            parse_days(bad)
    for bad in ("8", "25:00", "08:60", "8h30", "24:01"):
        with pytest.raises(ValueError):
            parse_hhmm(bad)


@pytest.mark.parametrize("when", ["2026-12-01 09:00", "2026-12-05 10:00", "2026-12-25 10:00",
                                  "2026-04-03 10:00", "2026-12-01 03:00"])
def test_closed_now_sends_every_call_to_the_default_over_ranges_and_holidays(when):
    closed = dataclasses.replace(SCHEDULE, closed=True)
    match = evaluate(closed, local(when), "Europe/Zurich")
    assert (match.kind, match.dest) == ("closed", MACHINE)
    assert not is_open(closed, local(when), "Europe/Zurich")  # a rule limited to its hours is off too
    assert evaluate(SCHEDULE, local(when), "Europe/Zurich").kind != "closed"
