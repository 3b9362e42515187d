"""The company's public numbers and where each points (core: centrex.routing.numbers)."""

from __future__ import annotations

from marshmallow import Schema, fields

from centrex.models import Number
from centrex.platform.db import db
from centrex.platform.schemas import NumberSchema
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing import numbers as number_service
from webui.api.framework import body, route, tenant
from webui.api.schemas import list_of, timestamp

DESTINATION_FIELDS = ("label", "dest_type", "dest_id", "dest_value")


class NumberOut(Schema):
    id = fields.Integer(required=True)
    e164 = fields.String(required=True)
    label = fields.String(allow_none=True, required=True)
    dest_type = fields.String(allow_none=True, required=True)
    dest_id = fields.Integer(allow_none=True, required=True)
    dest_value = fields.String(allow_none=True, required=True)
    is_main = fields.Boolean(required=True)
    created_at = timestamp(required=True)


NUMBER_LIST = list_of(NumberOut, "NumberList")


@route(
    "/numbers",
    "GET",
    scope="numbers:read",
    summary="List the company's numbers",
    tag="numbers",
    response=NUMBER_LIST,
)
def list_numbers():
    return {"items": list(db.session.execute(scoped(Number, tenant().id).order_by(Number.e164)).scalars())}


@route(
    "/numbers/<int:number_id>",
    "GET",
    scope="numbers:read",
    summary="One number",
    tag="numbers",
    response=NumberOut(),
)
def get_number(number_id: int):
    return get_scoped(Number, tenant().id, number_id)


@route(
    "/numbers/<int:number_id>",
    "PATCH",
    scope="numbers:write",
    summary="Point a number somewhere",
    tag="numbers",
    body=NumberSchema(only=DESTINATION_FIELDS, partial=True),
    response=NumberOut(),
)
def point_number(number_id: int):
    """dest_type with dest_id (a user, a ring group…) or dest_value (an external number);
    null: not routed."""
    number = get_scoped(Number, tenant().id, number_id)
    current = {
        "label": number.label,
        "dest_type": number.dest_type,
        "dest_id": number.dest_id,
        "dest_value": number.dest_value,
    }
    return number_service.point_number(number, tenant(), {**current, **body()})
