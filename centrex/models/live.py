"""Live state of the switch, kept current from events and resynchronised after every reconnect:
SIP registrations and active channels, per tenant."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import utcnow
from centrex.platform.db import Base


class LiveRegistration(Base):
    """One registered contact of a user (a user may register several phones)."""
    __tablename__ = "live_registration"
    __table_args__ = (UniqueConstraint("tenant_id", "extension", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    extension: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(255))
    node: Mapped[str] = mapped_column(String(255), index=True)
    contact: Mapped[str | None] = mapped_column(String(512))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    network_ip: Mapped[str | None] = mapped_column(String(64))
    network_port: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class LiveChannel(Base):
    """One active channel (a call leg) on a node. The tenant is unknown until an event names it
    (a carrier call is in `public` until the dialplan sets its tenant)."""
    __tablename__ = "live_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(64), unique=True)
    node: Mapped[str] = mapped_column(String(255), index=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    call_uuid: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str | None] = mapped_column(String(8))  # FreeSWITCH's inbound/outbound
    extension: Mapped[str | None] = mapped_column(String(64))  # the tenant user on this leg
    caller_number: Mapped[str | None] = mapped_column(String(64))
    destination: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="ringing")  # ringing, early, answered
    other_uuid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
