"""« Messages »: instant messaging between colleagues, for employees (and administrators who have an
extension). The page works without JavaScript (forms and links); with it, messages/updates.json is
short-polled every few seconds and messages are sent without a reload.

Why short polling and not server-sent events: gunicorn runs sync workers here, one request at a time
each; an event stream holds a worker for as long as a page is open, so a few open pages would stall the
console. A small JSON answer every POLL_SECONDS costs one indexed query per conversation list, is what
« Qui est au téléphone » already does, and needs nothing of the proxy in front."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from centrex.messaging import conversations as chat
from centrex.messaging.sip import post_and_relay
from centrex.models import ChatMessage, Conversation, Tenant, User
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, Forbidden
from centrex.platform.tenancy import scoped
from webui.access import ADMIN, USER, allow, current_principal
from webui.forms import change, errors_of, ids, int_or_none
from webui.views import me

POLL_SECONDS = 2


def chatting_user() -> User:
    """The signed-in person's own user (an administrator without an extension has no messages)."""
    principal = current_principal()
    if principal.user_id is None:
        raise Forbidden(N_("Messages are for people with an extension: your login has none."))
    return me.own_user()


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(db.session.get(Tenant, user.tenant_id).timezone or "Europe/Zurich")


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(zone)
    today = datetime.now(zone).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d.%m. %H:%M")


def _message_json(message: ChatMessage, me_user: User, names: dict[int, str], zone: ZoneInfo) -> dict:
    return {"id": message.id, "mine": message.sender_user_id == me_user.id,
            "sender": names.get(message.sender_user_id or 0, _("former colleague")), "body": message.body,
            "at": _when(message.created_at, zone), "phone": message.channel == "sip"}


def _summary_json(summary: chat.Summary, zone: ZoneInfo) -> dict:
    last = summary.last
    return {"id": summary.conversation.id, "title": summary.title or _("former colleague"),
            "group": summary.conversation.kind == "group",
            "unread": summary.unread, "url": url_for("me.conversation", conversation_id=summary.conversation.id),
            "last": last.body[:80] if last else "", "at": _when(last.created_at, zone) if last else ""}


def _names(tenant_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(User.id, User.name).where(User.tenant_id == tenant_id)).all())


def _colleagues(user: User) -> list[User]:
    return list(db.session.execute(scoped(User, user.tenant_id).where(User.enabled.is_(True), User.id != user.id)
                                   .order_by(User.name)).scalars())


def render_messages(user: User, conversation: Conversation | None = None, errors=None, form=None, status=200):
    zone = _zone(user)
    names = _names(user.tenant_id)
    summaries = chat.overview(user)
    shown = [_message_json(m, user, names, zone) for m in chat.messages(conversation)] if conversation else []
    people = chat.members(conversation) if conversation else []
    return render_template(
        "console/me/messages.html", summaries=[_summary_json(s, zone) for s in summaries],
        conversation=conversation,
        title=(chat.title_for(conversation, user, people) or _("former colleague")) if conversation else "",
        people=people, shown=shown, colleagues=_colleagues(user), errors=errors or {}, form=form or {},
        poll_url=url_for("me.messages_updates"), poll_seconds=POLL_SECONDS), status


@me.bp.get("/messages")
@allow(USER, ADMIN)
def messages():
    return render_messages(chatting_user())


@me.bp.get("/messages/<int:conversation_id>")
@allow(USER, ADMIN)
def conversation(conversation_id: int):
    user = chatting_user()
    with change():
        found = chat.conversation_for(user, conversation_id)
        chat.mark_read(found, user)
    return render_messages(user, found)


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@me.bp.post("/messages/<int:conversation_id>")
@allow(USER, ADMIN)
def send(conversation_id: int):
    user = chatting_user()
    try:
        with change():
            message = post_and_relay(chat.conversation_for(user, conversation_id), user, request.form.get("body", ""))
            sent = _message_json(message, user, _names(user.tenant_id), _zone(user))
    except DomainError as exc:
        if _wants_json():
            return jsonify(errors=errors_of(exc)), exc.status
        found = chat.conversation_for(user, conversation_id)
        return render_messages(user, found, errors_of(exc), request.form, exc.status)
    if _wants_json():
        return jsonify(message=sent), 201
    return redirect(url_for("me.conversation", conversation_id=conversation_id))


@me.bp.post("/messages/new")
@allow(USER, ADMIN)
def start():
    """A private conversation with one colleague (user_id), or a group (name and user_ids)."""
    user = chatting_user()
    form = request.form
    try:
        with change():
            if form.get("kind") == "group":
                found = chat.create_group(user, form.get("name", ""), sorted(ids(form, "user_ids")))
            else:
                found = chat.private_with_id(user, int_or_none(form.get("user_id")) or 0)
            conversation_id = found.id
    except DomainError as exc:
        return render_messages(user, None, errors_of(exc), form, exc.status)
    return redirect(url_for("me.conversation", conversation_id=conversation_id))


@me.bp.get("/messages/updates.json")
@allow(USER, ADMIN)
def messages_updates():
    """What the page polls: every conversation with its unread count and, for the open one (`open`), the
    messages after `since` (which are then read)."""
    user = chatting_user()
    zone = _zone(user)
    opened, since = int_or_none(request.args.get("open")), int_or_none(request.args.get("since"))
    new: list[dict] = []
    if opened is not None:
        with change():
            found = chat.conversation_for(user, opened)
            names = _names(user.tenant_id)
            new = [_message_json(m, user, names, zone) for m in chat.messages(found, after=since or 0)]
            chat.mark_read(found, user)
    summaries = chat.overview(user)
    response = jsonify(conversations=[_summary_json(s, zone) for s in summaries], messages=new,
                       unread_total=sum(s.unread for s in summaries))
    response.headers["Cache-Control"] = "no-store"
    return response
