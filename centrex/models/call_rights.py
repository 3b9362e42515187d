"""Where a company's phones may call ("Autoriser les appels vers"): a ceiling on every user's call class,
premium-rate numbers allowed or not for the whole company, and destination prefixes refused to everyone.
No row for a company means no company-wide limit (ceiling international, premium left to each user)."""
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.platform.db import Base

MAX_BLOCKED_PREFIXES = 100


class CallPolicy(Base):
    """The company-wide rules, at most one row per company."""
    __tablename__ = "call_policy"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("max_call_class IN ('internal', 'national', 'mobile', 'international')",
                        name="max_call_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    max_call_class: Mapped[str] = mapped_column(String(16), default="international")
    allow_premium: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<CallPolicy {self.tenant_id} {self.max_call_class}>"


class BlockedPrefix(Base):
    """An E.164 prefix (+882, +4190…) no user of the company may call."""
    __tablename__ = "blocked_prefix"
    __table_args__ = (
        UniqueConstraint("tenant_id", "prefix"),
        CheckConstraint("substr(prefix, 1, 1) = '+'", name="prefix_plus"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80), default="")

    def __repr__(self) -> str:
        return f"<BlockedPrefix {self.prefix}@{self.tenant_id}>"
