"""The shared email outbox: every email the platform sends (faxes, voicemail, notices) is a row
waiting -> sending -> sent | failed, with its tries, the last SMTP answer and who was told."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column, utcnow
from centrex.platform.db import Base

OUTBOX_STATES = ("waiting", "sending", "sent", "failed")


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("state IN ('waiting', 'sending', 'sent', 'failed')", name="state"),
        CheckConstraint("attempts >= 0 AND max_attempts > 0", name="attempts"),
        Index("ix_outbox_message_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL for the operator's own messages.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # "fax_received", "voicemail", "delivery_failed"...
    ref: Mapped[str | None] = mapped_column(String(64), index=True)  # what it is about, e.g. "fax:12"
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=6)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Which worker holds a message being sent, and until when (a dead worker's claim runs out).
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_answer: Mapped[str | None] = mapped_column(String(500))  # the SMTP server's words, secrets redacted
    message_id: Mapped[str] = mapped_column(String(255), unique=True)  # the same on every try
    notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)  # the final failure was reported
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    attachments: Mapped[list["OutboxAttachment"]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.purpose} {self.state}>"


class OutboxAttachment(Base):
    """A file sent with a message: its bytes, or a path to a file kept elsewhere (e.g. the fax archive)."""
    __tablename__ = "outbox_attachment"
    __table_args__ = (CheckConstraint("(path IS NULL) <> (data IS NULL)", name="path_or_data"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    path: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")
