"""Schedules (time routing) and their « Fermé maintenant » switch (core: centrex.routing.schedules).
Scopes: those of call routing (`groups:read|write`)."""

from __future__ import annotations

from marshmallow import Schema, fields, pre_dump

from centrex.models import Schedule
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing import schedules as schedule_service
from centrex.routing.engine.schedule import days_text, hhmm
from centrex.routing.schemas import ScheduleSchema
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, page_of
from webui.api.resources.routing import DestinationOut, _dest
from webui.api.schemas import list_of, timestamp


class RangeOut(Schema):
    label = fields.String(allow_none=True, required=True)
    days = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    dest = fields.Nested(DestinationOut, required=True, allow_none=True)


class ExceptionOut(Schema):
    day = fields.Date(required=True)
    yearly = fields.Boolean(required=True)
    label = fields.String(allow_none=True, required=True)
    dest = fields.Nested(DestinationOut, required=True, allow_none=True)


class ScheduleOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    ranges = fields.List(fields.Nested(RangeOut), required=True)
    exceptions = fields.List(fields.Nested(ExceptionOut), required=True)
    default = fields.Nested(DestinationOut, required=True, allow_none=True)
    closed = fields.Boolean(required=True, metadata={
        "description": "« Fermé maintenant »: every call goes to `default` until switched back"})
    closed_since = timestamp(required=True, allow_none=True)
    closed_by = fields.String(required=True, allow_none=True)
    created_at = timestamp(required=True)

    @pre_dump
    def flatten(self, schedule, **_):
        return {
            "id": schedule.id, "name": schedule.name, "created_at": schedule.created_at,
            "closed": schedule.closed_since is not None, "closed_since": schedule.closed_since,
            "closed_by": schedule.closed_by,
            "default": _dest(schedule.default_type, schedule.default_id, schedule.default_value),
            "ranges": [{"label": r.label, "days": days_text(r.days), "start": hhmm(r.start_minute),
                        "end": hhmm(r.end_minute), "dest": _dest(r.dest_type, r.dest_id, r.dest_value)}
                       for r in schedule.ranges],
            "exceptions": [{"day": e.day, "yearly": e.yearly, "label": e.label,
                            "dest": _dest(e.dest_type, e.dest_id, e.dest_value)} for e in schedule.exceptions],
        }


SCHEDULE_LIST = list_of(ScheduleOut, "ScheduleList")


@route("/schedules", "GET", scope="groups:read", summary="List the schedules", tag="schedules",
       query=ListQuery(), response=SCHEDULE_LIST)
def list_schedules():
    return page_of(scoped(Schedule, tenant().id).order_by(Schedule.id), query())


@route("/schedules/<int:schedule_id>", "GET", scope="groups:read", summary="One schedule", tag="schedules",
       response=ScheduleOut())
def get_schedule(schedule_id: int):
    return get_scoped(Schedule, tenant().id, schedule_id)


@route("/schedules", "POST", scope="groups:write", summary="Create a schedule", tag="schedules",
       body=ScheduleSchema(), response=ScheduleOut(), status=201,
       example={"name": "Réception", "default": {"type": "voicemail", "value": "1000"},
                "ranges": [{"days": "mon-fri", "start": "08:00", "end": "12:00",
                            "dest": {"type": "external", "value": "+41215550100"}}],
                "exceptions": [{"day": "2027-08-01", "yearly": True, "label": "Fête nationale"}]})
def create_schedule():
    return schedule_service.create_schedule(tenant(), body())


@route("/schedules/<int:schedule_id>", "PATCH", scope="groups:write", tag="schedules",
       summary="Change a schedule (only what is given; e.g. {\"closed\": true} for « Fermé maintenant »)",
       body=ScheduleSchema(partial=True), response=ScheduleOut(), example={"closed": True})
def update_schedule(schedule_id: int):
    return schedule_service.update_schedule(get_scoped(Schedule, tenant().id, schedule_id), body())


@route("/schedules/<int:schedule_id>", "DELETE", scope="groups:write", summary="Delete a schedule",
       tag="schedules", status=204)
def delete_schedule(schedule_id: int):
    schedule_service.delete_schedule(get_scoped(Schedule, tenant().id, schedule_id))
