"""A client company: one SIP domain, one dialplan context."""
from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

TENANT_STATUSES = ("active", "suspended")


class Tenant(Base):
    __tablename__ = "tenant"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'suspended')", name="status"),
        CheckConstraint("max_calls > 0", name="max_calls_positive"),
        CheckConstraint("default_call_class IN ('internal', 'national', 'mobile', 'international')",
                        name="default_call_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Zurich")
    language: Mapped[str] = mapped_column(String(5), default="fr")
    country: Mapped[str] = mapped_column(String(2), default="CH")
    status: Mapped[str] = mapped_column(String(16), default="active")
    max_calls: Mapped[int] = mapped_column(Integer, default=10)
    max_users: Mapped[int | None] = mapped_column(Integer)
    # The call class a new user gets unless told otherwise.
    default_call_class: Mapped[str] = mapped_column(String(16), default="national", server_default="national")
    created_at: Mapped[datetime] = created_at_column()

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def accountcode(self) -> str:
        """The CDR account code FreeSWITCH stamps on this tenant's calls."""
        return self.domain

    def __repr__(self) -> str:
        return f"<Tenant {self.domain}>"
