"""Instant messaging between colleagues of one company: conversations (private between two users, or a
named group), their members (with how far each has read) and the messages, typed in the console or
sent by a phone as SIP MESSAGE."""
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

CONVERSATION_KINDS = ("private", "group")
MESSAGE_CHANNELS = ("console", "sip")


class Conversation(Base):
    """A private conversation has no name and a `pair_key` ("<smaller user id>:<larger>"): one per pair."""
    __tablename__ = "conversation"
    __table_args__ = (
        CheckConstraint("kind IN ('private', 'group')", name="kind"),
        CheckConstraint("(kind = 'private') = (pair_key IS NOT NULL)", name="pair_key_for_private"),
        UniqueConstraint("tenant_id", "pair_key", name="uq_conversation_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(80))
    pair_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = created_at_column()
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.kind}>"


class ConversationMember(Base):
    """Who reads a conversation; `last_read_id` is the last message this member has seen."""
    __tablename__ = "conversation_member"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    last_read_id: Mapped[int | None] = mapped_column()
    joined_at: Mapped[datetime] = created_at_column()


class ChatMessage(Base):
    """One message; `sender_user_id` is NULL once its author is deleted (the words stay)."""
    __tablename__ = "chat_message"
    __table_args__ = (
        CheckConstraint("channel IN ('console', 'sip')", name="channel"),
        Index("ix_chat_message_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(8), default="console")
    created_at: Mapped[datetime] = created_at_column()
