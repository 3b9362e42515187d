"""Schedules (time routing): weekly ranges, holidays, default destination, and « Fermé maintenant » (closed
now: every call to the default destination until switched back). Validated, flushed, audited, refused
when they would make calls go round in a circle."""
from __future__ import annotations

from sqlalchemy import select

from centrex.models import Schedule, ScheduleException, ScheduleRange, Tenant
from centrex.models._types import utcnow
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict
from centrex.platform.forms import apply, load, replace_rows
from centrex.routing.checks import destination, refuse_if_referenced, refuse_loop
from centrex.routing.engine.destinations import Dest
from centrex.routing.engine.schedule import days_text, hhmm, parse_days, parse_hhmm
from centrex.routing.schemas import ScheduleSchema

_schema = ScheduleSchema()


def create_schedule(tenant: Tenant, data: dict, *, copied_from: str | None = None) -> Schedule:
    values = load(_schema, data)
    with db.session.begin_nested():
        _name_free(tenant.id, values["name"])
        schedule = Schedule(tenant_id=tenant.id, name=values["name"])
        _set_default(schedule, destination(tenant, values["default"], field="default"))
        db.session.add(schedule)
        db.session.flush()
        ranges = _set_ranges(schedule, tenant, values["ranges"])
        exceptions = _set_exceptions(schedule, tenant, values["exceptions"])
        db.session.flush()
        refuse_loop(tenant, Dest("schedule", schedule.id))
    audit.record("create", schedule, tenant_id=tenant.id, changes={
        "name": schedule.name, "default": _default_text(schedule), "ranges": ranges, "exceptions": exceptions,
        **({"copied_from": copied_from} if copied_from else {})})
    set_closed(schedule, values.get("closed", False))
    return schedule


def update_schedule(schedule: Schedule, data: dict) -> Schedule:
    values = load(_schema, data, partial=True)
    tenant = db.session.get(Tenant, schedule.tenant_id)
    with db.session.begin_nested():
        changed = {}
        if "name" in values and values["name"] != schedule.name:
            _name_free(tenant.id, values["name"])
            changed.update(apply(schedule, {"name": values["name"]}))
        if "default" in values:
            before = _default_text(schedule)
            _set_default(schedule, destination(tenant, values["default"], field="default"))
            if _default_text(schedule) != before:
                changed["default"] = _default_text(schedule)
        if "ranges" in values:
            changed["ranges"] = _set_ranges(schedule, tenant, values["ranges"])
        if "exceptions" in values:
            changed["exceptions"] = _set_exceptions(schedule, tenant, values["exceptions"])
        db.session.flush()
        refuse_loop(tenant, Dest("schedule", schedule.id))
    if changed:
        audit.record("update", schedule, tenant_id=tenant.id, changes=changed)
    if "closed" in values:
        set_closed(schedule, values["closed"])
    return schedule


def set_closed(schedule: Schedule, closed: bool) -> bool:
    """« Fermé maintenant » on (every call to the default destination, whatever the time) or off; audited
    as "close_now" / "reopen". False when it already was so."""
    if closed == (schedule.closed_since is not None):
        return False
    schedule.closed_since = utcnow() if closed else None
    schedule.closed_by = audit.current_actor().name if closed else None
    db.session.flush()
    audit.record("close_now" if closed else "reopen", schedule, tenant_id=schedule.tenant_id,
                 changes={"name": schedule.name, "default": _default_text(schedule)})
    return True


def copy_schedule(schedule: Schedule, name: str) -> Schedule:
    """A new schedule `name` with the same ranges, holidays and destinations (open, whatever the original's
    « Fermé maintenant »); audited as a creation that says where it was copied from."""
    def dest(kind, dest_id, value):
        return {"type": kind, "id": dest_id, "value": value} if kind else None

    data = {
        "name": name,
        "default": dest(schedule.default_type, schedule.default_id, schedule.default_value),
        "ranges": [{"label": r.label, "days": days_text(r.days), "start": hhmm(r.start_minute),
                    "end": hhmm(r.end_minute), "dest": dest(r.dest_type, r.dest_id, r.dest_value)}
                   for r in schedule.ranges],
        "exceptions": [{"day": e.day.isoformat(), "yearly": e.yearly, "label": e.label,
                        "dest": dest(e.dest_type, e.dest_id, e.dest_value)} for e in schedule.exceptions],
    }
    return create_schedule(db.session.get(Tenant, schedule.tenant_id), data, copied_from=schedule.name)


def free_name(tenant_id: int, wanted: str) -> str:
    """`wanted`, or `wanted 2`, `wanted 3`… the first no schedule of the company has."""
    taken = set(db.session.execute(select(Schedule.name).where(Schedule.tenant_id == tenant_id)).scalars())
    return next(name for name in (wanted if n == 1 else f"{wanted} {n}" for n in range(1, len(taken) + 2))
                if name not in taken)


def delete_schedule(schedule: Schedule) -> None:
    refuse_if_referenced(schedule.tenant_id, "schedule", schedule.id)
    audit.delete_row(schedule, tenant_id=schedule.tenant_id, changes={"name": schedule.name})


def _name_free(tenant_id: int, name: str) -> None:
    if db.session.execute(select(Schedule.id).where(Schedule.tenant_id == tenant_id,
                                                    Schedule.name == name)).first():
        raise Conflict(N_("A schedule named %(name)s already exists."), name=name,
                       fields={"name": [N_("Already used.")]})


def _set_default(schedule: Schedule, dest: Dest | None) -> None:
    schedule.default_type = dest.kind if dest else None
    schedule.default_id = dest.id if dest else None
    schedule.default_value = dest.value if dest else None


def _default_text(schedule: Schedule) -> str | None:
    return str(Dest(schedule.default_type, schedule.default_id, schedule.default_value)) \
        if schedule.default_type else None


def _set_ranges(schedule: Schedule, tenant: Tenant, ranges: list[dict]) -> str:
    rows, described = [], []
    for position, item in enumerate(ranges):
        dest = destination(tenant, item["dest"], field=f"ranges.{position}.dest")
        start, end = parse_hhmm(item["start"]), parse_hhmm(item["end"])
        days = parse_days(item["days"])
        rows.append(ScheduleRange(tenant_id=tenant.id, position=position, label=item["label"], days=days,
                                  start_minute=start, end_minute=end or 1440, dest_type=dest.kind,
                                  dest_id=dest.id, dest_value=dest.value))
        described.append(f"{days_text(days)} {hhmm(start)}-{hhmm(end)} -> {dest}")
    replace_rows(schedule.ranges, rows)
    return "; ".join(described)


def _set_exceptions(schedule: Schedule, tenant: Tenant, exceptions: list[dict]) -> str:
    rows, described, seen = [], [], set()
    for position, item in enumerate(exceptions):
        if item["day"] in seen:
            raise Conflict(N_("The same date is listed twice."), fields={f"exceptions.{position}.day": [N_("Twice.")]})
        seen.add(item["day"])
        dest = destination(tenant, item["dest"], field=f"exceptions.{position}.dest")
        rows.append(ScheduleException(tenant_id=tenant.id, day=item["day"], yearly=item["yearly"],
                                      label=item["label"], dest_type=dest.kind if dest else None,
                                      dest_id=dest.id if dest else None, dest_value=dest.value if dest else None))
        described.append(f"{item['day'].isoformat()}{' yearly' if item['yearly'] else ''} -> {dest or 'default'}")
    replace_rows(schedule.exceptions, rows)
    return "; ".join(described)
