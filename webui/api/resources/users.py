"""Users of the company: list, read, create, change (core: centrex.directory.users)."""

from __future__ import annotations

from marshmallow import Schema, fields

from centrex.directory import users as user_service
from centrex.models import User
from centrex.platform.db import db
from centrex.platform.schemas import UserSchema
from centrex.platform.tenancy import get_scoped, scoped
from webui.api.framework import body, route, tenant
from webui.api.schemas import list_of, timestamp


class UserOut(Schema):
    id = fields.Integer(required=True)
    extension = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    language = fields.String(allow_none=True, required=True)
    enabled = fields.Boolean(required=True)
    mobile = fields.String(allow_none=True, required=True)
    max_calls = fields.Integer(required=True)
    caller_id_mode = fields.String(required=True)
    call_class = fields.String(required=True)
    allow_premium = fields.Boolean(required=True)
    created_at = timestamp(required=True)


USER_LIST = list_of(UserOut, "UserList")


@route(
    "/users", "GET", scope="users:read", summary="List the company's users", tag="users", response=USER_LIST
)
def list_users():
    rows = db.session.execute(scoped(User, tenant().id).order_by(User.extension)).scalars()
    return {"items": list(rows)}


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
)
def update_user(user_id: int):
    return user_service.update_user(get_scoped(User, tenant().id, user_id), body())
