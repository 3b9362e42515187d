"""Marshmallow schemas for routing configuration: ring groups, schedules, forwarding rules."""
from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, post_load, validates, validates_schema

from centrex.models import DESTINATION_TYPES
from centrex.models.routing import FORWARD_KINDS, STRATEGIES
from centrex.platform import validate
from centrex.platform.errors import N_
from centrex.platform.schemas import EXTENSION_RE, Text
from centrex.routing.engine.destinations import Dest
from centrex.routing.engine.schedule import parse_days, parse_hhmm
from centrex.routing.targets import target_kind

HANGUP_CAUSES = ("NORMAL_CLEARING", "USER_BUSY", "CALL_REJECTED", "NO_ANSWER")


class DestinationSchema(Schema):
    """{type, id, value}: a user/group/schedule/service by id, an external number or a box by value;
    loaded as a Dest."""
    type = fields.String(required=True, validate=validate.OneOf(DESTINATION_TYPES), metadata={
        "description": "A user, ring group, menu, queue, conference, fax box or schedule needs `id`; "
                       "external needs `value` (a phone number); voicemail `id` or `value` (the box); "
                       "hangup may give a cause in `value`."})
    id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1))
    value = fields.String(allow_none=True, load_default=None,
                          validate=validate.Regexp(r"^[+0-9 ()./-]{2,32}$|^[A-Z_]{3,32}$",
                                                   error=N_("Digits only (or a hang-up cause).")))

    @validates_schema
    def complete(self, data, **_):
        kind = data.get("type")  # absent only in a partial load (PATCH), which must still name the type
        if kind is None:
            raise ValidationError({"type": [N_("Missing data for required field.")]})
        if kind != "voicemail" and target_kind(kind) and data.get("id") is None:  # a row (a box: id or value)
            raise ValidationError({"id": [N_("Choose which one.")]})
        if kind == "external" and not data.get("value"):
            raise ValidationError({"value": [N_("A phone number is needed.")]})
        if kind == "voicemail" and data.get("id") is None and not data.get("value"):
            raise ValidationError({"value": [N_("Choose a voicemail box.")]})
        if kind == "hangup" and data.get("value") not in (None, *HANGUP_CAUSES):
            raise ValidationError({"value": [N_("Unknown hang-up cause.")]})

    @post_load
    def as_dest(self, data, **_) -> Dest:
        return Dest(data["type"], data.get("id"), data.get("value"))


def _seconds(default=None):
    return fields.Integer(allow_none=True, load_default=default, validate=validate.Range(min=5, max=300))


class MemberSchema(Schema):
    user_id = fields.Integer(allow_none=True, load_default=None,
                             metadata={"description": "A member is either a user (user_id) or `external`."})
    external = fields.String(allow_none=True, load_default=None,
                             validate=validate.Regexp(r"^[+0-9 ()./-]{3,32}$", error=N_("Not a phone number.")))
    ring_seconds = _seconds()

    @validates_schema
    def one_of(self, data, **_):
        if (data.get("user_id") is None) == (data.get("external") is None):
            raise ValidationError(N_("A member is either a user or an external number."))


class RingGroupSchema(Schema):
    name = Text(120, required=True)
    extension = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(
        EXTENSION_RE, error=N_("An extension is 2 to 6 digits and does not start with 0.")))
    strategy = fields.String(load_default="simultaneous", validate=validate.OneOf(STRATEGIES))
    ring_seconds = fields.Integer(load_default=30, validate=validate.Range(min=5, max=300))
    no_answer = fields.Nested(DestinationSchema, allow_none=True, load_default=None)
    members = fields.List(fields.Nested(MemberSchema), load_default=list, validate=validate.Length(max=50))


class RangeSchema(Schema):
    label = Text(120, allow_none=True, load_default=None)
    days = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    dest = fields.Nested(DestinationSchema, required=True)

    @validates_schema
    def times(self, data, **_):
        errors = {}
        for key, check in (("days", parse_days), ("start", parse_hhmm), ("end", parse_hhmm)):
            if key not in data:  # a partial load (PATCH) leaves required fields out
                errors[key] = [N_("Missing data for required field.")]
                continue
            try:
                check(data[key])
            except ValueError:
                errors[key] = [N_("Days like mon-fri or sat,sun.") if key == "days" else N_("A time HH:MM.")]
        if not errors and parse_hhmm(data["start"]) >= 1440:
            errors["start"] = [N_("A range starts before 24:00.")]
        if not errors and parse_hhmm(data["start"]) == parse_hhmm(data["end"]) % 1440 \
                and parse_hhmm(data["end"]) != 1440:
            errors["end"] = [N_("A range needs a length (from 00:00 to 24:00 for a whole day).")]
        if errors:
            raise ValidationError(errors)


class ExceptionSchema(Schema):
    day = fields.Date(required=True)
    yearly = fields.Boolean(load_default=False)
    label = Text(120, allow_none=True, load_default=None)
    dest = fields.Nested(DestinationSchema, allow_none=True, load_default=None)

    @validates("day")
    def sensible(self, value: date, **_):
        if not 2000 <= value.year <= 2100:
            raise ValidationError(N_("Not a sensible date."))


class ScheduleSchema(Schema):
    name = Text(120, required=True)
    default = fields.Nested(DestinationSchema, allow_none=True, load_default=None)
    ranges = fields.List(fields.Nested(RangeSchema), load_default=list, validate=validate.Length(max=100))
    exceptions = fields.List(fields.Nested(ExceptionSchema), load_default=list, validate=validate.Length(max=200))
    closed = fields.Boolean()  # « Fermé maintenant »; left out: as it is (open for a new schedule)


class ForwardRuleSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(FORWARD_KINDS))
    enabled = fields.Boolean(load_default=True)
    ring_seconds = _seconds()
    schedule_id = fields.Integer(allow_none=True, load_default=None)
    dest = fields.Nested(DestinationSchema, required=True)
