"""Time routing: which range of a schedule applies at an instant, in the tenant's time zone.

The instant is converted to local wall time with zoneinfo, so DST nights need nothing special: a range
at 02:30 does not exist on the spring night and happens twice on the autumn one, as on the office clock."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from centrex.routing.engine.destinations import Dest
from centrex.routing.engine.plan import ExceptionEntry, RangeEntry, ScheduleEntry

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = 0b0011111
WEEKEND = 0b1100000


@dataclass(frozen=True, slots=True)
class Match:
    """What the schedule says at an instant: kind is 'closed' (switched to « Fermé maintenant »),
    'exception', 'range' or 'default'."""
    kind: str
    dest: Dest | None
    local: datetime
    range: RangeEntry | None = None
    exception: ExceptionEntry | None = None


def zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def local_time(at: datetime, tz_name: str) -> datetime:
    """The wall-clock time of the tenant at `at` (a naive `at` is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    # Through UTC: astimezone() to the zone the datetime already has would return it unchanged, and
    # keep a wall time that never happens (02:30+01:00 in the spring-forward night).
    return at.astimezone(timezone.utc).astimezone(zone(tz_name))


def wall_time_gap(wall: datetime, tz_name: str) -> str | None:
    """For a naive local time: "missing" if the clocks skip it that night (spring forward), "twice" if it
    happens twice (fall back), else None."""
    tz = zone(tz_name)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    back = first.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    return "missing" if back != wall.replace(tzinfo=None) else "twice"


def exception_on(schedule: ScheduleEntry, day: date) -> ExceptionEntry | None:
    for exc in schedule.exceptions:
        if exc.day == day or (exc.yearly and (exc.day.month, exc.day.day) == (day.month, day.day)):
            return exc
    return None


def range_matches(rng: RangeEntry, local: datetime) -> bool:
    minute = local.hour * 60 + local.minute
    today = 1 << local.weekday()
    if rng.end > rng.start:
        return bool(rng.days & today) and rng.start <= minute < rng.end
    # Across midnight: the evening part belongs to the listed day, the morning part to the day after.
    yesterday = 1 << ((local.weekday() - 1) % 7)
    return (bool(rng.days & today) and minute >= rng.start) or (bool(rng.days & yesterday) and minute < rng.end)


def evaluate(schedule: ScheduleEntry, at: datetime, tz_name: str) -> Match:
    """Closed now first (the default, until switched back), then holidays, then the first range that
    contains the local time, else the default."""
    local = local_time(at, tz_name)
    if schedule.closed:
        return Match("closed", schedule.default, local)
    exc = exception_on(schedule, local.date())
    if exc is not None:
        return Match("exception", exc.dest or schedule.default, local, exception=exc)
    for rng in schedule.ranges:
        if range_matches(rng, local):
            return Match("range", rng.dest, local, range=rng)
    return Match("default", schedule.default, local)


def is_open(schedule: ScheduleEntry, at: datetime, tz_name: str) -> bool:
    """True when one of the ranges applies (not a holiday, not the default): for time-limited rules."""
    return evaluate(schedule, at, tz_name).kind == "range"


def days_text(days: int) -> str:
    """'mon-fri', 'sat,sun', 'mon,wed-fri' — compact weekday list of a bitmask."""
    parts, i = [], 0
    while i < 7:
        if days & (1 << i):
            j = i
            while j + 1 < 7 and days & (1 << (j + 1)):
                j += 1
            parts.append(DAY_NAMES[i] if i == j else f"{DAY_NAMES[i]}-{DAY_NAMES[j]}")
            i = j + 1
        else:
            i += 1
    return ",".join(parts)


def parse_days(text: str) -> int:
    """Inverse of days_text: 'mon-fri' -> 31. Raises ValueError on anything else."""
    mask = 0
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        first, _, last = part.partition("-")
        a = DAY_NAMES.index(first)
        b = DAY_NAMES.index(last) if last else a
        if b < a:
            raise ValueError(f"backwards day range {part!r}")
        for d in range(a, b + 1):
            mask |= 1 << d
    if not mask:
        raise ValueError("no day given")
    return mask


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_hhmm(text: str) -> int:
    """'08:30' -> 510; '24:00' -> 1440 (end of day). Raises ValueError."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"not a time HH:MM: {text!r}")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > 1440:
        raise ValueError(f"not a time HH:MM: {text!r}")
    return value
