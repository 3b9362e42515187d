"""Conference rooms in the client menu (a licensed service): rooms with their number, access code and
moderator code, and who is in a room now, muted, unmuted or put out through the switch port."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from centrex.features.conferences import create_room, delete_room, kick, list_members, mute, unmute, update_room
from centrex.models import ConferenceRoom
from centrex.platform.errors import DomainError
from centrex.platform.ports import SwitchError
from centrex.platform.tenancy import get_scoped
from webui.access import STAFF, allow
from webui.forms import change, errors_of
from webui.views.client import bp, tenant_rows
from webui.views.editing import add_editor_routes

ROOM_TEXT = ("number", "name", "max_members", "access_code")
MEMBER_ACTIONS = {"mute": mute, "unmute": unmute, "kick": kick}


def room_from_form(form) -> dict:
    data = {key: form.get(key, "").strip() for key in ROOM_TEXT}
    data["moderator_code"] = form.get("moderator_code", "").strip() or None
    data["wait_for_moderator"] = "wait_for_moderator" in form
    data["enabled"] = "enabled" in form
    return data


@bp.get("/conferences")
@allow(*STAFF)
def conferences():
    return render_template("console/client/conferences.html",
                           rooms=tenant_rows(ConferenceRoom, ConferenceRoom.number))


def room_page(room: ConferenceRoom | None):
    form = {key: getattr(room, key) for key in (*ROOM_TEXT, "moderator_code", "wait_for_moderator", "enabled")} \
        if room else {"max_members": 10, "enabled": True}
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        try:
            with change():
                if room is None:
                    room = create_room(g.tenant, room_from_form(form))
                else:
                    update_room(g.tenant, room, room_from_form(form))
            flash(_("Conference room %(name)s saved.", name=room.name))
            return redirect(url_for("client.conference_edit", room_id=room.id))
        except DomainError as exc:
            errors, status = errors_of(exc), exc.status
    members, unreachable = [], None
    if room is not None and room.id is not None:
        try:
            members = list_members(g.tenant, room)
        except SwitchError as exc:
            unreachable = str(exc)
    return render_template("console/client/conference_form.html", room=room, form=form, errors=errors,
                           members=members, unreachable=unreachable), status


@bp.post("/conferences/<int:room_id>/members/<int:member_id>")
@allow(*STAFF)
def conference_member(room_id, member_id):
    room = get_scoped(ConferenceRoom, g.tenant.id, room_id)
    action = MEMBER_ACTIONS.get(request.form.get("action", ""))
    if action is None:
        flash(_("Unknown action."), "error")
    else:
        try:
            with change():
                action(g.tenant, room, member_id)
            flash({"mute": _("Participant %(n)s muted."), "unmute": _("Participant %(n)s can speak again."),
                   "kick": _("Participant %(n)s put out of the room.")}[request.form["action"]] % {"n": member_id})
        except DomainError as exc:
            flash(errors_of(exc)["_form"][0], "error")
        except SwitchError as exc:
            flash(_("FreeSWITCH did not do it: %(reason)s", reason=str(exc)), "error")
    return redirect(url_for("client.conference_edit", room_id=room.id))


add_editor_routes(bp, key="conference", path="/conferences", id_name="room_id", model=ConferenceRoom,
                  page=room_page, remove=lambda room: delete_room(g.tenant, room), listing="client.conferences",
                  removed=lambda room: _("Conference room %(name)s removed.", name=room.name))
