"""Conference rooms: a number to dial, an access code, an optional moderator code, 3 to 16 people."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base


class ConferenceRoom(Base):
    __tablename__ = "conference_room"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("max_members BETWEEN 3 AND 16", name="max_members"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    max_members: Mapped[int] = mapped_column(Integer, default=10)
    # Codes the participants type; FreeSWITCH compares them in clear, and people share them by mail.
    access_code: Mapped[str] = mapped_column(String(10))
    moderator_code: Mapped[str | None] = mapped_column(String(10))
    wait_for_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # "activer la fonction pour une période définie": open from/until (NULL = no limit).
    open_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    open_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
