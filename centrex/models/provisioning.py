"""What the provisioning server remembers about the phones that call it: unknown MACs waiting to be
claimed, every download, and the source addresses locked out after repeated failures."""
from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import utcnow
from centrex.platform.db import Base


class UnknownDevice(Base):
    """A MAC that asked for its configuration but is nobody's device yet (operator-wide, no tenant)."""
    __tablename__ = "prov_unknown_device"

    mac: Mapped[str] = mapped_column(String(12), primary_key=True)
    vendor: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(32))
    last_ip: Mapped[str | None] = mapped_column(String(64))
    last_user_agent: Mapped[str | None] = mapped_column(String(255))
    hits: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProvisioningDownload(Base):
    """One request to the provisioning server and what we answered (never any secret)."""
    __tablename__ = "prov_download"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # No foreign keys: the history outlives the device it describes.
    tenant_id: Mapped[int | None] = mapped_column(Integer, index=True)
    device_id: Mapped[int | None] = mapped_column(Integer, index=True)
    mac: Mapped[str | None] = mapped_column(String(12), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    file: Mapped[str] = mapped_column(String(128))
    result: Mapped[str] = mapped_column(String(24))
    status: Mapped[int] = mapped_column(Integer)


class ProvisioningLockout(Base):
    """Failures per source in a sliding window; locked_until set once there were too many. A source is an
    address ("203.0.113.7") or a known device ("mac:001565abcdef"), counted apart. Kept in the database so
    every web worker sees the same count."""
    __tablename__ = "prov_lockout"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
