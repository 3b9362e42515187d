"""Conversations and their messages. Every read is scoped to the tenant and to the members: a
conversation someone is not a member of does not exist for them (NotFound, as another company's)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from centrex.models import ChatMessage, Conversation, ConversationMember, User
from centrex.models._types import utcnow
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid, Message, NotFound
from centrex.platform.tenancy import scoped

MAX_BODY = 2000
MAX_NAME = 80
PAGE = 50


@dataclass(frozen=True)
class Summary:
    """One line of a member's list: the conversation, its title for them, unread count, last message."""
    conversation: Conversation
    title: str
    unread: int
    last: ChatMessage | None


def _colleague(tenant_id: int, user_id: int) -> User:
    user = db.session.execute(scoped(User, tenant_id).where(User.id == user_id, User.enabled.is_(True))
                              ).scalar_one_or_none()
    if user is None:
        raise Invalid(N_("This user does not exist in this company."), fields={"user_id": [N_("Unknown.")]})
    return user


def private_with(me: User, other: User) -> Conversation:
    """The private conversation of two colleagues (created the first time)."""
    if other.tenant_id != me.tenant_id:
        raise Invalid(N_("This user does not exist in this company."), fields={"user_id": [N_("Unknown.")]})
    if other.id == me.id:
        raise Invalid(N_("Choose a colleague, not yourself."), fields={"user_id": [N_("Choose a colleague.")]})
    key = f"{min(me.id, other.id)}:{max(me.id, other.id)}"
    found = db.session.execute(scoped(Conversation, me.tenant_id).where(Conversation.pair_key == key)
                               ).scalar_one_or_none()
    if found is not None:
        return found
    conversation = Conversation(tenant_id=me.tenant_id, kind="private", pair_key=key)
    db.session.add(conversation)
    db.session.flush()
    for user in (me, other):
        db.session.add(ConversationMember(conversation_id=conversation.id, user_id=user.id, tenant_id=me.tenant_id))
    db.session.flush()
    audit.record("create", conversation, tenant_id=me.tenant_id,
                 changes={"kind": "private", "members": f"{me.extension}, {other.extension}"})
    return conversation


def private_with_id(me: User, user_id: int) -> Conversation:
    return private_with(me, _colleague(me.tenant_id, user_id))


def create_group(me: User, name: str, user_ids: list[int]) -> Conversation:
    """A named group of `me` and the chosen colleagues (at least one besides `me`)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(N_("Give the group a name."),
                      fields={"name": [Message.of(N_("Between 1 and %(n)s characters."), n=MAX_NAME)]})
    others = {_colleague(me.tenant_id, user_id).id: _colleague(me.tenant_id, user_id)
              for user_id in user_ids if user_id != me.id}
    if not others:
        raise Invalid(N_("Choose at least one colleague."), fields={"user_ids": [N_("Choose a colleague.")]})
    conversation = Conversation(tenant_id=me.tenant_id, kind="group", name=name)
    db.session.add(conversation)
    db.session.flush()
    members = [me, *sorted(others.values(), key=lambda u: u.extension)]
    for user in members:
        db.session.add(ConversationMember(conversation_id=conversation.id, user_id=user.id, tenant_id=me.tenant_id))
    db.session.flush()
    audit.record("create", conversation, tenant_id=me.tenant_id,
                 changes={"kind": "group", "name": name, "members": ", ".join(u.extension for u in members)})
    return conversation


def conversation_for(me: User, conversation_id: int) -> Conversation:
    """A conversation `me` is a member of; NotFound for any other (another company's included)."""
    found = db.session.execute(
        scoped(Conversation, me.tenant_id).join(ConversationMember, and_(
            ConversationMember.conversation_id == Conversation.id, ConversationMember.user_id == me.id))
        .where(Conversation.id == conversation_id)).scalar_one_or_none()
    if found is None:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="conversation", id=conversation_id)
    return found


def members(conversation: Conversation) -> list[User]:
    return list(db.session.execute(
        scoped(User, conversation.tenant_id).join(ConversationMember, ConversationMember.user_id == User.id)
        .where(ConversationMember.conversation_id == conversation.id).order_by(User.extension)).scalars())


def title_for(conversation: Conversation, me: User, people: list[User] | None = None) -> str:
    """A group's name; for a private conversation, the other person's name."""
    if conversation.kind == "group":
        return conversation.name or ""
    others = [u for u in (people if people is not None else members(conversation)) if u.id != me.id]
    return others[0].name if others else ""


def post(conversation: Conversation, sender: User, body: str, *, channel: str = "console") -> ChatMessage:
    """A new message of a member (flushed); the conversation moves to the top of everyone's list."""
    body = (body or "").strip()
    if not body or len(body) > MAX_BODY:
        raise Invalid(N_("Write a message."),
                      fields={"body": [Message.of(N_("Between 1 and %(n)s characters."), n=MAX_BODY)]})
    if sender.tenant_id != conversation.tenant_id or not _is_member(conversation, sender):
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="conversation", id=conversation.id)
    message = ChatMessage(tenant_id=conversation.tenant_id, conversation_id=conversation.id,
                          sender_user_id=sender.id, body=body, channel=channel)
    db.session.add(message)
    db.session.flush()
    conversation.last_message_at = utcnow()
    _member(conversation, sender).last_read_id = message.id  # one has read what one wrote
    db.session.flush()
    return message


def _member(conversation: Conversation, user: User) -> ConversationMember:
    member = db.session.get(ConversationMember, (conversation.id, user.id))
    assert member is not None and member.tenant_id == conversation.tenant_id
    return member


def _is_member(conversation: Conversation, user: User) -> bool:
    return db.session.get(ConversationMember, (conversation.id, user.id)) is not None


def mark_read(conversation: Conversation, me: User) -> None:
    """Everything in the conversation so far is read by `me`."""
    last = db.session.execute(select(func.max(ChatMessage.id)).where(
        ChatMessage.tenant_id == conversation.tenant_id, ChatMessage.conversation_id == conversation.id)).scalar()
    member = _member(conversation, me)
    if last is not None and (member.last_read_id or 0) < last:
        member.last_read_id = last
        db.session.flush()


def messages(conversation: Conversation, *, after: int | None = None, before: int | None = None,
             limit: int = PAGE) -> list[ChatMessage]:
    """Messages in order: those after id `after` (what a page polling has not seen), else the last
    `limit` ones (before id `before`, to read further back)."""
    query = scoped(ChatMessage, conversation.tenant_id).where(ChatMessage.conversation_id == conversation.id)
    if after is not None:
        return list(db.session.execute(query.where(ChatMessage.id > after).order_by(ChatMessage.id)
                                       .limit(limit)).scalars())
    if before is not None:
        query = query.where(ChatMessage.id < before)
    rows = list(db.session.execute(query.order_by(ChatMessage.id.desc()).limit(limit)).scalars())
    return rows[::-1]


def _unread_counts(me: User) -> dict[int, int]:
    rows = db.session.execute(
        select(ConversationMember.conversation_id, func.count(ChatMessage.id))
        .join(ChatMessage, and_(ChatMessage.conversation_id == ConversationMember.conversation_id,
                                ChatMessage.tenant_id == ConversationMember.tenant_id))
        .where(ConversationMember.user_id == me.id, ConversationMember.tenant_id == me.tenant_id,
               or_(ConversationMember.last_read_id.is_(None), ChatMessage.id > ConversationMember.last_read_id),
               or_(ChatMessage.sender_user_id.is_(None), ChatMessage.sender_user_id != me.id))
        .group_by(ConversationMember.conversation_id))
    return {conversation_id: count for conversation_id, count in rows}


def unread_total(me: User) -> int:
    return sum(_unread_counts(me).values())


def overview(me: User) -> list[Summary]:
    """`me`'s conversations, the most recent first, with their unread counts."""
    conversations = list(db.session.execute(
        scoped(Conversation, me.tenant_id).join(ConversationMember, and_(
            ConversationMember.conversation_id == Conversation.id, ConversationMember.user_id == me.id))
        .order_by(func.coalesce(Conversation.last_message_at, Conversation.created_at).desc(),
                  Conversation.id.desc())).scalars())
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    unread = _unread_counts(me)
    last_ids = select(func.max(ChatMessage.id)).where(ChatMessage.tenant_id == me.tenant_id,
                                                      ChatMessage.conversation_id.in_(ids)) \
        .group_by(ChatMessage.conversation_id)
    lasts = {m.conversation_id: m for m in db.session.execute(
        scoped(ChatMessage, me.tenant_id).where(ChatMessage.id.in_(last_ids))).scalars()}
    people: dict[int, list[User]] = {}
    for conversation_id, user in db.session.execute(
            select(ConversationMember.conversation_id, User).join(User, User.id == ConversationMember.user_id)
            .where(ConversationMember.tenant_id == me.tenant_id, ConversationMember.conversation_id.in_(ids))):
        people.setdefault(conversation_id, []).append(user)
    return [Summary(c, title_for(c, me, people.get(c.id, [])), unread.get(c.id, 0), lasts.get(c.id))
            for c in conversations]
