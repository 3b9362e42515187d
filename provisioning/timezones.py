"""A tenant's IANA time zone as the phones want it: a standard UTC offset and a daylight-saving rule
('last Sunday of March at 02:00'), derived from the zone database for the current year."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Transition:
    month: int
    week: int  # 1..4, or 5 for "the last one of the month"
    weekday: int  # ISO: 1 = Monday … 7 = Sunday
    hour: int  # local wall-clock hour when it happens


@dataclass(frozen=True)
class ZoneRule:
    utc_offset_seconds: int  # standard time
    dst_save_seconds: int = 0
    start: Transition | None = None
    end: Transition | None = None


def _transition(instant: datetime, offset_before: timedelta) -> Transition:
    local = instant + offset_before
    week = (local.day - 1) // 7 + 1
    if local.day + 7 > calendar.monthrange(local.year, local.month)[1]:
        week = 5
    return Transition(local.month, week, local.isoweekday(), local.hour)


@lru_cache(maxsize=64)
def zone_rule(name: str, year: int | None = None) -> ZoneRule:
    zone = ZoneInfo(name)
    year = year or datetime.now(timezone.utc).year
    moment = datetime(year, 1, 1, tzinfo=timezone.utc)
    previous = moment.astimezone(zone).utcoffset()
    changes = []
    while moment.year == year:  # hourly scan: transitions happen on the hour in every zone we serve
        moment += timedelta(hours=1)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            changes.append((moment, previous, offset))
            previous = offset
    if len(changes) < 2:
        return ZoneRule(int(previous.total_seconds()))
    (start_at, before_start, after_start), (end_at, before_end, _after_end) = changes[0], changes[1]
    if after_start < before_start:  # southern hemisphere: the first change of the year ends DST
        (start_at, before_start, after_start), (end_at, before_end, _) = changes[1], changes[0]
    standard = before_start
    return ZoneRule(int(standard.total_seconds()), int((after_start - standard).total_seconds()),
                    _transition(start_at, before_start), _transition(end_at, before_end))
