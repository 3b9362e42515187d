"""Call queues (mod_callcenter): a strategy, ordered agents (users), hold music, a maximum wait and
where the caller goes after it."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column
from centrex.models.user import User
from centrex.platform.db import Base

QUEUE_STRATEGIES = ("top-down", "ring-all", "longest-idle-agent", "round-robin")


class CallQueue(Base):
    __tablename__ = "call_queue"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("tenant_id", "extension"),
        CheckConstraint("strategy IN ('top-down', 'ring-all', 'longest-idle-agent', 'round-robin')",
                        name="strategy"),
        CheckConstraint("max_wait_seconds BETWEEN 0 AND 7200", name="max_wait"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    extension: Mapped[str | None] = mapped_column(String(16))  # internal short number, optional
    strategy: Mapped[str] = mapped_column(String(24), default="longest-idle-agent")
    moh_class_id: Mapped[int | None] = mapped_column(ForeignKey("moh_class.id", ondelete="SET NULL"))
    max_wait_seconds: Mapped[int] = mapped_column(Integer, default=0)  # 0: wait until someone answers
    # Where the caller goes when the maximum wait is reached (NULL: hang up).
    after_dest_type: Mapped[str | None] = mapped_column(String(16))
    after_dest_id: Mapped[int | None] = mapped_column(Integer)
    after_dest_value: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = created_at_column()


class QueueAgent(Base):
    """A user answering a queue, at a position (order for top-down and round-robin)."""
    __tablename__ = "queue_agent"
    __table_args__ = (UniqueConstraint("queue_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("call_queue.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
