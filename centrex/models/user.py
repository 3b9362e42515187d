"""An employee of a tenant: an extension, a SIP account and a voicemail box."""
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column
from centrex.models.tenant import Tenant
from centrex.platform.db import Base

CALL_CLASSES = ("internal", "national", "mobile", "international")
CALLER_ID_MODES = ("direct", "main")


class User(Base):
    __tablename__ = "sip_user"
    __table_args__ = (
        UniqueConstraint("tenant_id", "extension"),
        CheckConstraint("call_class IN ('internal', 'national', 'mobile', 'international')",
                        name="call_class"),
        CheckConstraint("caller_id_mode IN ('direct', 'main')", name="caller_id_mode"),
        CheckConstraint("max_calls > 0", name="max_calls_positive"),
        CheckConstraint("twin_delay >= 0 AND twin_delay <= 30", name="twin_delay_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    extension: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(5))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # SIP credential: the secret encrypted with the operator's key, the digest FreeSWITCH checks.
    sip_secret_enc: Mapped[str] = mapped_column(String(512))
    sip_a1_hash: Mapped[str] = mapped_column(String(32))
    # Voicemail PIN: argon2 for us, md5(ext:domain:pin) for mod_voicemail's vm-a1-hash.
    vm_pin_hash: Mapped[str | None] = mapped_column(String(255))
    vm_a1_hash: Mapped[str | None] = mapped_column(String(32))
    mobile: Mapped[str | None] = mapped_column(String(16))
    # The mobile twin: the mobile rings with the user's phones, `twin_delay` seconds after them.
    twin_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    twin_delay: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_calls: Mapped[int] = mapped_column(Integer, default=2)
    caller_id_mode: Mapped[str] = mapped_column(String(8), default="direct")
    call_class: Mapped[str] = mapped_column(String(16), default="national")
    allow_premium: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at_column()

    tenant: Mapped[Tenant] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<User {self.extension}@{self.tenant_id}>"
