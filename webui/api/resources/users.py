"""Users of the company: list, read, create, change (core: centrex.directory.users)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import func, or_

from centrex.directory import users as user_service
from centrex.models import User
from centrex.platform.schemas import UserSchema
from centrex.platform.tenancy import get_scoped, scoped
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, escape_like, order_field, ordered, page_of
from webui.api.schemas import list_of, timestamp


class UserOut(Schema):
    id = fields.Integer(required=True)
    extension = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    language = fields.String(allow_none=True, required=True)
    enabled = fields.Boolean(required=True)
    mobile = fields.String(allow_none=True, required=True)
    twin_enabled = fields.Boolean(required=True)
    twin_delay = fields.Integer(required=True)
    max_calls = fields.Integer(required=True)
    caller_id_mode = fields.String(required=True)
    call_class = fields.String(required=True)
    allow_premium = fields.Boolean(required=True)
    created_at = timestamp(required=True)


USER_LIST = list_of(UserOut, "UserList")
USER_ORDER = {"extension": User.extension, "name": User.name, "created_at": User.created_at}


class UserQuery(ListQuery):
    """?extension=&q=&enabled=&order=&limit=&cursor="""

    extension = fields.String(validate=validate.Length(max=6), metadata={"description": "This extension only."})
    q = fields.String(
        validate=validate.Length(min=1, max=120),
        metadata={"description": "Name, extension or e-mail address contains this (case ignored)."},
    )
    enabled = fields.Boolean(metadata={"description": "Only enabled (true) or disabled (false) users."})
    order = order_field(USER_ORDER, "extension")


@route(
    "/users",
    "GET",
    scope="users:read",
    summary="List the company's users",
    tag="users",
    query=UserQuery(),
    response=USER_LIST,
)
def list_users():
    wanted = query()
    rows = scoped(User, tenant().id)
    if "extension" in wanted:
        rows = rows.where(User.extension == wanted["extension"])
    if "q" in wanted:
        pattern = f"%{escape_like(wanted['q'].lower())}%"
        rows = rows.where(
            or_(*(func.lower(column).like(pattern, escape="\\") for column in (User.name, User.extension, User.email)))
        )
    if "enabled" in wanted:
        rows = rows.where(User.enabled.is_(wanted["enabled"]))
    return page_of(ordered(rows, USER_ORDER, wanted["order"], User.id), wanted)


@route("/users/<int:user_id>", "GET", scope="users:read", summary="One user", tag="users", response=UserOut())
def get_user(user_id: int):
    return get_scoped(User, tenant().id, user_id)


@route(
    "/users",
    "POST",
    scope="users:write",
    summary="Create a user",
    tag="users",
    body=UserSchema(),
    response=UserOut(),
    status=201,
    example={"extension": "1010", "name": "Julie Favre", "email": "julie.favre@dupont.example",
             "mobile": "+41791234599", "call_class": "international"},
)
def create_user():
    """The SIP secret is generated when not given; it is never returned (phones get it by provisioning)."""
    return user_service.create_user(tenant(), body())


@route(
    "/users/<int:user_id>",
    "PATCH",
    scope="users:write",
    summary="Change a user",
    tag="users",
    body=UserSchema(partial=True),
    response=UserOut(),
    example={"max_calls": 3},
)
def update_user(user_id: int):
    return user_service.update_user(get_scoped(User, tenant().id, user_id), body())
