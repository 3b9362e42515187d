"""Audio a tenant uploads (music on hold, prompts, voicemail greetings), the hold-music classes that
group them, and the announcements played to callers before a number rings ("pré-décroché")."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

AUDIO_KINDS = ("moh", "prompt", "greeting")


class MohClass(Base):
    """A hold-music playlist: one local_stream directory inside FreeSWITCH."""
    __tablename__ = "moh_class"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    # The class callers hear when a call of this tenant is put on hold.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()


class AudioFile(Base):
    """A decoded, converted wav file in the tenant's storage directory."""
    __tablename__ = "audio_file"
    __table_args__ = (
        CheckConstraint("kind IN ('moh', 'prompt', 'greeting')", name="kind"),
        CheckConstraint("kind <> 'moh' OR moh_class_id IS NOT NULL", name="moh_needs_class"),
        CheckConstraint("size_bytes > 0 AND duration_ms > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    original_filename: Mapped[str] = mapped_column(String(120))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)  # <uuid>.wav, never from the upload
    moh_class_id: Mapped[int | None] = mapped_column(ForeignKey("moh_class.id", ondelete="CASCADE"),
                                                     index=True)
    sample_rate: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()


class NumberAnnouncement(Base):
    """A message played in early media to callers of a number, before its destination rings."""
    __tablename__ = "number_announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("did_number.id", ondelete="CASCADE"), unique=True)
    audio_id: Mapped[int] = mapped_column(ForeignKey("audio_file.id", ondelete="CASCADE"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()
