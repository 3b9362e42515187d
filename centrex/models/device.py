"""A desk phone, known by its MAC address."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from centrex.db import Base
from centrex.models._types import created_at_column

VENDORS = ("yealink", "snom")


class Device(Base):
    __tablename__ = "device"
    __table_args__ = (
        CheckConstraint("vendor IN ('yealink', 'snom')", name="vendor"),
        CheckConstraint("length(mac) = 12", name="mac_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mac: Mapped[str] = mapped_column(String(12), unique=True)  # 12 lowercase hex digits
    vendor: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(32))
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="SET NULL"), index=True)
    label: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<Device {self.vendor} {self.mac}>"
