"""Voice menus: a node plays a greeting and sends each digit somewhere (a user, a group, a queue,
another node...). A root "choose your language" node leading to one node per language is a tree of these."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

# Where a menu's timeout or repeated wrong input, or a queue's overflow, may lead (voicemail: a shared box).
FINAL_DESTINATION_TYPES = ("user", "ring_group", "ivr", "queue", "voicemail", "conference", "external", "hangup")
# Where a digit may lead: also back to the previous menu or to the first one.
IVR_DESTINATION_TYPES = FINAL_DESTINATION_TYPES + ("back", "top")
INVALID_ACTIONS = ("replay", "message", "destination")
_DEST_CHECK = "'" + "', '".join(IVR_DESTINATION_TYPES) + "'"


class IvrMenu(Base):
    __tablename__ = "ivr_menu"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("tenant_id", "extension"),
        CheckConstraint("no_input_seconds BETWEEN 3 AND 600", name="no_input_seconds"),
        CheckConstraint("overall_timeout_seconds BETWEEN 3 AND 3600", name="overall_timeout"),
        CheckConstraint("max_failures BETWEEN 1 AND 10", name="max_failures"),
        CheckConstraint("invalid_action IN ('replay', 'message', 'destination')", name="invalid_action"),
        CheckConstraint(f"timeout_dest_type IS NULL OR timeout_dest_type IN ({_DEST_CHECK})",
                        name="timeout_dest_type"),
        CheckConstraint(f"invalid_dest_type IS NULL OR invalid_dest_type IN ({_DEST_CHECK})",
                        name="invalid_dest_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    extension: Mapped[str | None] = mapped_column(String(16))  # internal short number, optional
    greeting_id: Mapped[int | None] = mapped_column(ForeignKey("audio_file.id", ondelete="SET NULL"))
    # Played instead of the greeting when it is repeated after no input ("charger un autre message").
    repeat_greeting_id: Mapped[int | None] = mapped_column(ForeignKey("audio_file.id", ondelete="SET NULL"))
    no_input_seconds: Mapped[int] = mapped_column(Integer, default=60)
    overall_timeout_seconds: Mapped[int] = mapped_column(Integer, default=180)
    # NULL: hang up when the overall timeout is reached.
    timeout_dest_type: Mapped[str | None] = mapped_column(String(16))
    timeout_dest_id: Mapped[int | None] = mapped_column(Integer)
    timeout_dest_value: Mapped[str | None] = mapped_column(String(32))
    invalid_action: Mapped[str] = mapped_column(String(16), default="replay")
    invalid_sound_id: Mapped[int | None] = mapped_column(ForeignKey("audio_file.id", ondelete="SET NULL"))
    invalid_dest_type: Mapped[str | None] = mapped_column(String(16))
    invalid_dest_id: Mapped[int | None] = mapped_column(Integer)
    invalid_dest_value: Mapped[str | None] = mapped_column(String(32))
    max_failures: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<IvrMenu {self.id} {self.name!r}>"


class IvrEntry(Base):
    """One choice of a menu: the digits pressed and where they lead."""
    __tablename__ = "ivr_entry"
    __table_args__ = (
        UniqueConstraint("menu_id", "digits"),
        CheckConstraint(f"dest_type IN ({_DEST_CHECK})", name="dest_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    menu_id: Mapped[int] = mapped_column(ForeignKey("ivr_menu.id", ondelete="CASCADE"), index=True)
    digits: Mapped[str] = mapped_column(String(4))
    label: Mapped[str | None] = mapped_column(String(60))
    dest_type: Mapped[str] = mapped_column(String(16))
    dest_id: Mapped[int | None] = mapped_column(Integer)
    dest_value: Mapped[str | None] = mapped_column(String(32))
