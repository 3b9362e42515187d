"""Ring groups and users' forwarding rules (core: centrex.routing.groups, routing_forwards)."""

from __future__ import annotations

from marshmallow import Schema, fields, pre_dump

from centrex.models import ForwardRule, RingGroup, User
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing import forwards as forward_service, groups as group_service
from centrex.routing.schemas import ForwardRuleSchema, RingGroupSchema
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, page_of
from webui.api.schemas import list_of, timestamp


class DestinationOut(Schema):
    type = fields.String(required=True)
    id = fields.Integer(allow_none=True, required=True)
    value = fields.String(allow_none=True, required=True)


class MemberOut(Schema):
    user_id = fields.Integer(allow_none=True, required=True)
    external = fields.String(allow_none=True, required=True, attribute="external_number")
    ring_seconds = fields.Integer(allow_none=True, required=True)


class RingGroupOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    extension = fields.String(allow_none=True, required=True)
    strategy = fields.String(required=True)
    ring_seconds = fields.Integer(required=True)
    no_answer = fields.Nested(DestinationOut, required=True, allow_none=True)
    members = fields.List(fields.Nested(MemberOut), required=True)
    created_at = timestamp(required=True)

    @pre_dump
    def destination(self, group, **_):
        return {
            **_columns(group),
            "members": group.members,
            "no_answer": _dest(group.no_answer_type, group.no_answer_id, group.no_answer_value),
        }


class ForwardRuleOut(Schema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    ring_seconds = fields.Integer(allow_none=True, required=True)
    schedule_id = fields.Integer(allow_none=True, required=True)
    dest = fields.Nested(DestinationOut, required=True)
    created_at = timestamp(required=True)

    @pre_dump
    def destination(self, rule, **_):
        return {**_columns(rule), "dest": _dest(rule.dest_type, rule.dest_id, rule.dest_value)}


def _columns(row) -> dict:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _dest(kind, dest_id, value):
    return {"type": kind, "id": dest_id, "value": value} if kind else None


GROUP_LIST = list_of(RingGroupOut, "RingGroupList")
FORWARD_LIST = list_of(ForwardRuleOut, "ForwardRuleList")


@route(
    "/ring-groups",
    "GET",
    scope="groups:read",
    summary="List the ring groups",
    tag="ring groups",
    query=ListQuery(),
    response=GROUP_LIST,
)
def list_ring_groups():
    return page_of(scoped(RingGroup, tenant().id).order_by(RingGroup.id), query())


@route(
    "/ring-groups/<int:group_id>",
    "GET",
    scope="groups:read",
    summary="One ring group",
    tag="ring groups",
    response=RingGroupOut(),
)
def get_ring_group(group_id: int):
    return get_scoped(RingGroup, tenant().id, group_id)


@route(
    "/ring-groups",
    "POST",
    scope="groups:write",
    summary="Create a ring group",
    tag="ring groups",
    body=RingGroupSchema(),
    response=RingGroupOut(),
    status=201,
    example={"name": "Comptabilité", "extension": "2010", "strategy": "sequential", "ring_seconds": 20,
             "members": [{"external": "+41791234588", "ring_seconds": 25}],
             "no_answer": {"type": "external", "value": "+41215550100"}},
)
def create_ring_group():
    return group_service.create_ring_group(tenant(), body())


@route(
    "/ring-groups/<int:group_id>",
    "PATCH",
    scope="groups:write",
    summary="Change a ring group",
    tag="ring groups",
    body=RingGroupSchema(partial=True),
    response=RingGroupOut(),
)
def update_ring_group(group_id: int):
    return group_service.update_ring_group(get_scoped(RingGroup, tenant().id, group_id), body())


@route(
    "/ring-groups/<int:group_id>",
    "DELETE",
    scope="groups:write",
    summary="Delete a ring group",
    tag="ring groups",
    status=204,
)
def delete_ring_group(group_id: int):
    group_service.delete_ring_group(get_scoped(RingGroup, tenant().id, group_id))


@route(
    "/users/<int:user_id>/forwarding-rules",
    "GET",
    scope="forwarding:read",
    tag="forwarding",
    summary="A user's forwarding rules",
    query=ListQuery(),
    response=FORWARD_LIST,
)
def list_forward_rules(user_id: int):
    return page_of(forward_service.forward_rules(get_scoped(User, tenant().id, user_id)), query())


@route(
    "/users/<int:user_id>/forwarding-rules",
    "POST",
    scope="forwarding:write",
    tag="forwarding",
    summary="Add a forwarding rule to a user",
    body=ForwardRuleSchema(),
    response=ForwardRuleOut(),
    status=201,
    example={"kind": "no_answer", "ring_seconds": 20, "dest": {"type": "external", "value": "+41791234567"}},
)
def add_forward_rule(user_id: int):
    return forward_service.add_forward_rule(get_scoped(User, tenant().id, user_id), body())


@route(
    "/forwarding-rules/<int:rule_id>",
    "GET",
    scope="forwarding:read",
    tag="forwarding",
    summary="One forwarding rule",
    response=ForwardRuleOut(),
)
def get_forward_rule(rule_id: int):
    return get_scoped(ForwardRule, tenant().id, rule_id)


@route(
    "/forwarding-rules/<int:rule_id>",
    "PATCH",
    scope="forwarding:write",
    tag="forwarding",
    summary="Change a forwarding rule (e.g. switch it on or off)",
    body=ForwardRuleSchema(partial=True),
    response=ForwardRuleOut(),
    example={"enabled": False},
)
def update_forward_rule(rule_id: int):
    return forward_service.update_forward_rule(get_scoped(ForwardRule, tenant().id, rule_id), body())


@route(
    "/forwarding-rules/<int:rule_id>",
    "DELETE",
    scope="forwarding:write",
    tag="forwarding",
    summary="Delete a forwarding rule",
    status=204,
)
def delete_forward_rule(rule_id: int):
    forward_service.delete_forward_rule(get_scoped(ForwardRule, tenant().id, rule_id))
