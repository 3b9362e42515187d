"""White label settings of one client: logo, colours, the sender name of its e-mails."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import utcnow
from centrex.platform.db import Base

LOGO_TYPES = ("image/png", "image/jpeg")


class Branding(Base):
    __tablename__ = "branding"
    __table_args__ = (
        CheckConstraint("logo_type IS NULL OR logo_type IN ('image/png', 'image/jpeg')", name="logo_type"),
        CheckConstraint("primary_colour LIKE '#%' AND length(primary_colour) = 7", name="primary_colour"),
        CheckConstraint("accent_colour LIKE '#%' AND length(accent_colour) = 7", name="accent_colour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(60))
    primary_colour: Mapped[str] = mapped_column(String(7), default="#123a6b")
    accent_colour: Mapped[str] = mapped_column(String(7), default="#3d8fd6")
    email_sender_name: Mapped[str | None] = mapped_column(String(120))
    delivery_address: Mapped[str | None] = mapped_column(String(500))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
