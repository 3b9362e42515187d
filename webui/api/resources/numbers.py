"""The company's public numbers and where each points (core: centrex.routing.numbers)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import func, or_

from centrex.models import Number
from centrex.models.number import DESTINATION_TYPES
from centrex.platform.schemas import NumberSchema
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing import numbers as number_service
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, escape_like, order_field, ordered, page_of
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
NUMBER_ORDER = {"e164": Number.e164, "label": Number.label, "created_at": Number.created_at}


class NumberQuery(ListQuery):
    """?q=&dest_type=&order=&limit=&cursor="""

    q = fields.String(
        validate=validate.Length(min=1, max=120),
        metadata={"description": "The number or its label contains this (case ignored)."},
    )
    dest_type = fields.String(
        validate=validate.OneOf((*DESTINATION_TYPES, "none")),
        metadata={"description": "Only numbers pointing at this kind of destination ('none': not routed)."},
    )
    order = order_field(NUMBER_ORDER, "e164")


@route(
    "/numbers",
    "GET",
    scope="numbers:read",
    summary="List the company's numbers",
    tag="numbers",
    query=NumberQuery(),
    response=NUMBER_LIST,
)
def list_numbers():
    wanted = query()
    rows = scoped(Number, tenant().id)
    if "q" in wanted:
        pattern = f"%{escape_like(wanted['q'].lower())}%"
        rows = rows.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in (Number.e164, Number.label))))
    if "dest_type" in wanted:
        kind = wanted["dest_type"]
        rows = rows.where(Number.dest_type.is_(None) if kind == "none" else Number.dest_type == kind)
    return page_of(ordered(rows, NUMBER_ORDER, wanted["order"], Number.id), wanted)


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
    example={"dest_type": "external", "dest_value": "+41791234567"},
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
