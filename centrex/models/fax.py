"""Fax boxes (a tenant's fax number and where its faxes go) and faxes, each a row with a visible state.

Received faxes: received -> converted -> emailed, or failed (with the reason).
Sent faxes (email to fax): received (mail accepted) -> converted (fax TIFF ready, waiting for a dial
attempt) -> sending (originate under way) -> sent, or back to converted for a retry, or failed."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column, utcnow
from centrex.platform.db import Base

FAX_DIRECTIONS = ("in", "out")
FAX_STATES = ("received", "converted", "emailed", "sending", "sent", "failed")


class FaxBox(Base):
    __tablename__ = "fax_box"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        # One sender per box of a company; other companies may use the same address (no oracle between them):
        # the mail's subject (the box's secret) says which box it is for.
        UniqueConstraint("tenant_id", "sender_email"),
        CheckConstraint("retention_days > 0", name="retention_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # Where received faxes are emailed (a list of addresses).
    emails: Mapped[list] = mapped_column(JSON, default=list)
    # Email to fax: the one address allowed to send, and the box's secret (argon2), given as the subject.
    sender_email: Mapped[str | None] = mapped_column(String(254), index=True)
    secret_hash: Mapped[str | None] = mapped_column(String(255))
    retention_days: Mapped[int] = mapped_column(Integer, default=90)
    created_at: Mapped[datetime] = created_at_column()

    @property
    def sends_faxes(self) -> bool:
        return bool(self.sender_email and self.secret_hash)

    def __repr__(self) -> str:
        return f"<FaxBox {self.id} {self.name}>"


class Fax(Base):
    __tablename__ = "fax"
    __table_args__ = (
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        CheckConstraint("state IN ('received', 'converted', 'emailed', 'sending', 'sent', 'failed')",
                        name="state"),
        CheckConstraint("direction = 'out' OR state NOT IN ('sending', 'sent')", name="in_states"),
        CheckConstraint("direction = 'in' OR state <> 'emailed'", name="out_states"),
        CheckConstraint("pages >= 0", name="pages_positive"),
        Index("ix_fax_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    box_id: Mapped[int | None] = mapped_column(ForeignKey("fax_box.id", ondelete="SET NULL"), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(16), default="received")
    # The box's number and the other side: the caller (in) or the number dialled (out).
    local_number: Mapped[str | None] = mapped_column(String(32))
    remote_number: Mapped[str | None] = mapped_column(String(32))
    remote_station_id: Mapped[str | None] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    total_pages: Mapped[int | None] = mapped_column(Integer)
    success: Mapped[bool | None] = mapped_column(Boolean)
    result_code: Mapped[int | None] = mapped_column(Integer)
    result_text: Mapped[str | None] = mapped_column(String(255))
    transfer_rate: Mapped[int | None] = mapped_column(Integer)
    call_uuid: Mapped[str | None] = mapped_column(String(64), unique=True)
    job_uuid: Mapped[str | None] = mapped_column(String(64), index=True)
    tiff_path: Mapped[str | None] = mapped_column(String(500))
    pdf_path: Mapped[str | None] = mapped_column(String(500))
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Email to fax: who asked (gets the report) and the mail it came from.
    requested_by: Mapped[str | None] = mapped_column(String(254))
    mail_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    box: Mapped[FaxBox | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Fax {self.id} {self.direction} {self.state}>"
