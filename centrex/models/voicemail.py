"""Voicemail: the settings of each user's own box (its id in FreeSWITCH is the extension, its PIN lives on
the user row) and shared boxes with a number and a PIN of their own, which numbers, menus and queues can
send calls to. PINs are hashed here; FreeSWITCH gets md5(box:domain:pin) as vm-a1-hash."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

EMAIL_MODES = ("none", "notify", "attach")


class _BoxSettings:
    """What every box has: language, an uploaded greeting, the new-message e-mail."""
    language: Mapped[str | None] = mapped_column(String(5))
    greeting_id: Mapped[int | None] = mapped_column(ForeignKey("audio_file.id", ondelete="SET NULL"))
    email_mode: Mapped[str] = mapped_column(String(8), default="none")
    email_to: Mapped[str | None] = mapped_column(String(254))
    # False: "e-mail only" - the message is deleted from the box once the e-mail carries it.
    keep_after_email: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()


class UserVoicemail(_BoxSettings, Base):
    """A user's own box (absent: defaults, no e-mail)."""
    __tablename__ = "user_voicemail"
    __table_args__ = (CheckConstraint("email_mode IN ('none', 'notify', 'attach')", name="email_mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), unique=True)


class VoicemailBox(_BoxSettings, Base):
    """A shared box ("répondeur" of a company or a team), a destination of its own."""
    __tablename__ = "voicemail_box"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("email_mode IN ('none', 'notify', 'attach')", name="email_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    pin_hash: Mapped[str] = mapped_column(String(255))
    vm_a1_hash: Mapped[str] = mapped_column(String(32))

    def __repr__(self) -> str:
        return f"<VoicemailBox {self.id} {self.number}>"


class VoicemailMessage(Base):
    """A message mod_voicemail recorded in a box (from its vm::maintenance `leave-message` event); the
    recording stays in FreeSWITCH's storage, `file_path` as FreeSWITCH named it."""
    __tablename__ = "voicemail_message"
    __table_args__ = (
        UniqueConstraint("tenant_id", "message_uuid"),
        CheckConstraint("(user_id IS NULL) <> (shared_box_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    box: Mapped[str] = mapped_column(String(16))  # the box id inside FreeSWITCH (extension or box number)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    shared_box_id: Mapped[int | None] = mapped_column(ForeignKey("voicemail_box.id", ondelete="CASCADE"),
                                                      index=True)
    message_uuid: Mapped[str] = mapped_column(String(64))
    caller_name: Mapped[str] = mapped_column(String(120), default="")
    caller_number: Mapped[str] = mapped_column(String(64), default="")
    length_seconds: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[str] = mapped_column(String(512))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # None: not listened to yet
    created_at: Mapped[datetime] = created_at_column()
