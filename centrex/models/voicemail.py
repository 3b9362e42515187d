"""Voicemail boxes: each user's own (its id in FreeSWITCH is the extension) and shared boxes with a
number of their own. The PIN is hashed here; FreeSWITCH gets md5(box:domain:pin) as vm-a1-hash."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.db import Base
from centrex.models._types import created_at_column

EMAIL_MODES = ("none", "notify", "attach")


class VoicemailBox(Base):
    __tablename__ = "voicemail_box"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("(user_id IS NULL AND number IS NOT NULL) OR "
                        "(user_id IS NOT NULL AND number IS NULL)", name="user_or_number"),
        CheckConstraint("email_mode IN ('none', 'notify', 'attach')", name="email_mode"),
        CheckConstraint("user_id IS NOT NULL OR vm_a1_hash IS NOT NULL", name="shared_box_has_pin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    # A user's own box (PIN on the user row) ...
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), unique=True)
    # ... or a shared box with its own number and PIN.
    number: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    vm_a1_hash: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(5))
    greeting_id: Mapped[int | None] = mapped_column(ForeignKey("audio_file.id", ondelete="SET NULL"))
    email_mode: Mapped[str] = mapped_column(String(8), default="none")
    email_to: Mapped[str | None] = mapped_column(String(254))
    # False: "e-mail only" - the message is deleted from the box once the e-mail is sent.
    keep_after_email: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<VoicemailBox {self.id} user={self.user_id} number={self.number}>"
