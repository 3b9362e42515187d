"""Conference rooms and the people in them now: list, mute, unmute, kick (core:
centrex.features.conferences, through the switch port to FreeSWITCH's mod_conference)."""

from __future__ import annotations

from marshmallow import Schema, fields

from centrex.features import conferences
from centrex.models import ConferenceRoom
from centrex.platform.tenancy import get_scoped, scoped
from centrex.tenants import licences
from webui.api.framework import query, route, tenant
from webui.api.paging import MAX_LIMIT, ListQuery, page_of
from webui.api.schemas import list_of


class ConferenceRoomOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"description": "The short number people dial."})
    name = fields.String(required=True)
    max_members = fields.Integer(required=True)


ROOM_LIST = list_of(ConferenceRoomOut, "ConferenceRoomList")


class ConferenceMemberOut(Schema):
    member_id = fields.Integer(required=True,
                               metadata={"description": "FreeSWITCH's member id in this room."})
    caller_name = fields.String(required=True)
    caller_number = fields.String(required=True)
    can_speak = fields.Boolean(required=True, metadata={"description": "False while muted."})
    talking = fields.Boolean(required=True)
    is_moderator = fields.Boolean(required=True)


MEMBER_LIST = list_of(ConferenceMemberOut, "ConferenceMemberList")


def _room(room_id: int) -> ConferenceRoom:
    licences.require(tenant(), "conferences")
    return get_scoped(ConferenceRoom, tenant().id, room_id)


@route("/conferences", "GET", scope="conferences:read", summary="The company's conference rooms",
       tag="conferences", query=ListQuery(), response=ROOM_LIST)
def list_rooms():
    licences.require(tenant(), "conferences")
    return page_of(scoped(ConferenceRoom, tenant().id).order_by(ConferenceRoom.number, ConferenceRoom.id), query())


@route("/conferences/<int:room_id>/members", "GET", scope="conferences:read", tag="conferences",
       summary="Who is in a room now (empty when nobody is)", query=ListQuery(), response=MEMBER_LIST)
def list_members(room_id: int):
    return page_of(conferences.list_members(tenant(), _room(room_id)), query())


def _member_action(verb: str, summary: str):
    def view(room_id: int, member_id: int):
        getattr(conferences, verb)(tenant(), _room(room_id), member_id)
        return page_of(conferences.list_members(tenant(), _room(room_id)), {"limit": MAX_LIMIT})

    view.__name__ = f"{verb}_member"
    route(f"/conferences/<int:room_id>/members/<int:member_id>/{verb}", "POST", scope="conferences:write",
          tag="conferences", summary=summary, response=MEMBER_LIST)(view)


_member_action("mute", "Mute a participant (they still hear the room)")
_member_action("unmute", "Let a muted participant speak again")
_member_action("kick", "Take a participant out of the room (their call ends)")
