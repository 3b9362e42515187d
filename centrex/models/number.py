"""A public number (DID, E.164) of the operator's pool, owned by a tenant, pointing somewhere."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

DESTINATION_TYPES = ("user", "ring_group", "ivr", "queue", "voicemail", "conference", "fax",
                     "schedule", "external", "hangup", "access")


class Number(Base):
    __tablename__ = "did_number"
    __table_args__ = (
        CheckConstraint("e164 LIKE '+%'", name="e164"),
        CheckConstraint(
            "dest_type IS NULL OR dest_type IN ('user', 'ring_group', 'ivr', 'queue', 'voicemail', "
            "'conference', 'fax', 'schedule', 'external', 'hangup', 'access')", name="dest_type"),
        CheckConstraint("dest_type IS NULL OR tenant_id IS NOT NULL", name="dest_needs_tenant"),
        CheckConstraint("NOT is_main OR tenant_id IS NOT NULL", name="main_needs_tenant"),
        # At most one main number per company.
        Index("uq_did_number_main", "tenant_id", unique=True,
              postgresql_where=text("is_main"), sqlite_where=text("is_main")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    e164: Mapped[str] = mapped_column(String(16), unique=True)
    # NULL tenant: a free number of the operator's pool.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    label: Mapped[str | None] = mapped_column(String(120))
    dest_type: Mapped[str | None] = mapped_column(String(16))
    dest_id: Mapped[int | None] = mapped_column(Integer)
    dest_value: Mapped[str | None] = mapped_column(String(32))
    # The company's main number: the caller ID of users who chose it, and of users with no direct line.
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<Number {self.e164} -> {self.dest_type}:{self.dest_id or self.dest_value}>"
