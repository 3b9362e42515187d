"""Instant messages of the company's users (core: centrex.messaging): a user's conversations with their
unread counts, the messages of their conversations, and a private message sent in a user's name (it
reaches the colleague's console and registered phones like one typed in the console)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select

from centrex.messaging import conversations as chat
from centrex.messaging.sip import post_and_relay
from centrex.models import ChatMessage, ConversationMember, User
from centrex.platform.tenancy import get_scoped, scoped
from webui.api.framework import body, query, route, tenant
from webui.api.paging import ListQuery, cursor_field, limit_field, page_of
from webui.api.schemas import list_of, timestamp


class ConversationOut(Schema):
    id = fields.Integer(required=True, attribute="conversation.id")
    kind = fields.String(required=True, attribute="conversation.kind",
                         metadata={"description": "private (two colleagues) or group"})
    title = fields.String(required=True, metadata={"description": "The group's name, or the other person's"})
    unread = fields.Integer(required=True, metadata={"description": "Messages this user has not read yet"})
    last_message_at = timestamp(allow_none=True, required=True, attribute="conversation.last_message_at")


class MessageOut(Schema):
    id = fields.Integer(required=True)
    conversation_id = fields.Integer(required=True)
    sender_user_id = fields.Integer(allow_none=True, required=True,
                                    metadata={"description": "null once the author is deleted"})
    body = fields.String(required=True)
    channel = fields.String(required=True, metadata={"description": "console (or the API) or sip (a phone)"})
    created_at = timestamp(required=True)


class MessageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = limit_field(load_default=50)
    cursor = cursor_field()
    conversation_id = fields.Integer(metadata={"description": "Only the messages of this conversation."})


class MessageIn(Schema):
    to_user_id = fields.Integer(required=True, metadata={"description": "The colleague it is for"})
    body = fields.String(required=True, validate=validate.Length(min=1, max=chat.MAX_BODY))


CONVERSATION_LIST = list_of(ConversationOut, "ConversationList")
MESSAGE_LIST = list_of(MessageOut, "MessageList")


@route(
    "/users/<int:user_id>/conversations",
    "GET",
    scope="messages:read",
    summary="A user's conversations, the most recent first, with their unread counts",
    tag="messages",
    query=ListQuery(),
    response=CONVERSATION_LIST,
)
def list_conversations(user_id: int):
    return page_of(chat.overview(get_scoped(User, tenant().id, user_id)), query())


@route(
    "/users/<int:user_id>/messages",
    "GET",
    scope="messages:read",
    summary="The messages of a user's conversations, oldest first",
    tag="messages",
    query=MessageQuery(),
    response=MESSAGE_LIST,
)
def list_messages(user_id: int):
    user = get_scoped(User, tenant().id, user_id)
    wanted = query()
    mine = select(ConversationMember.conversation_id).where(ConversationMember.user_id == user.id,
                                                            ConversationMember.tenant_id == user.tenant_id)
    rows = scoped(ChatMessage, user.tenant_id).where(ChatMessage.conversation_id.in_(mine))
    if "conversation_id" in wanted:
        rows = rows.where(ChatMessage.conversation_id == chat.conversation_for(user, wanted["conversation_id"]).id)
    return page_of(rows.order_by(ChatMessage.id), wanted)


@route(
    "/users/<int:user_id>/messages",
    "POST",
    scope="messages:write",
    summary="Send a private message in a user's name to a colleague (console and registered phones)",
    tag="messages",
    body=MessageIn(),
    response=MessageOut(),
    status=201,
)
def send_message(user_id: int):
    user = get_scoped(User, tenant().id, user_id)
    wanted = body()
    conversation = chat.private_with_id(user, int(wanted["to_user_id"]))
    return post_and_relay(conversation, user, str(wanted["body"]))
