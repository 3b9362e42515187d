"""The JSON API for CRMs: per-tenant tokens (hashed, scoped, rate limited), click-to-call requests, and
webhooks (subscriptions with their own signing secret, events, deliveries retried with backoff)."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column, utcnow
from centrex.platform.db import Base

SCOPES = (
    "users:read",
    "users:write",
    "numbers:read",
    "numbers:write",
    "devices:read",
    "devices:write",
    "groups:read",
    "groups:write",
    "forwarding:read",
    "forwarding:write",
    "cdr:read",
    "calls:read",
    "calls:write",
    "conferences:read",
    "conferences:write",
    "presence:read",
    "webhooks:read",
    "webhooks:write",
    "messages:read",
    "messages:write",
)
WEBHOOK_EVENTS = ("call.ringing", "call.answered", "call.ended", "voicemail.left", "fax.received")
DELIVERY_STATES = ("waiting", "sending", "delivered", "failed")
CALL_STATES = ("dialing", "connecting", "failed")


class ApiToken(Base):
    """A tenant's API key. The key itself is shown once; we keep its public prefix (to find it) and a
    SHA-256 of its secret part (the secret is 256 random bits: a slow hash adds nothing)."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("rate_limit > 0", name="rate_limit_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    rate_limit: Mapped[int] = mapped_column(Integer, default=120)  # requests per minute
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix} {self.name!r}>"


class ApiRateWindow(Base):
    """Requests of one token in one minute: shared by every web worker, so the limit holds across them."""

    __tablename__ = "api_rate_window"

    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True)
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix time // 60
    count: Mapped[int] = mapped_column(Integer, default=0)


class ApiIdempotentAnswer(Base):
    """The first answer to a POST sent with an Idempotency-Key, per token, replayed when the same request
    comes again with that key (until expires_at); `fingerprint` (SHA-256 of method, path and body) tells a
    repeat from another request reusing the key."""

    __tablename__ = "api_idempotent_answer"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict | list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ApiCall(Base):
    """A click-to-call request: ring the user's phone, then the destination. Its id is the A leg's UUID
    (origination_uuid), so the live channels and the call record say how it went on."""

    __tablename__ = "api_call"
    __table_args__ = (CheckConstraint("state IN ('dialing', 'connecting', 'failed')", name="state"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="SET NULL"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id", ondelete="SET NULL"), index=True)
    from_extension: Mapped[str] = mapped_column(String(16))
    to_number: Mapped[str] = mapped_column(String(32))  # as the destination is dialled
    state: Mapped[str] = mapped_column(String(16), default="dialing")
    reason: Mapped[str | None] = mapped_column(String(255))  # why it failed, FreeSWITCH's cause
    job_uuid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class WebhookSubscription(Base):
    """A URL of a tenant's CRM that wants some events, signed with this subscription's own secret
    (encrypted at rest with the operator's key: we need it back to sign)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(120))
    events: Mapped[list] = mapped_column(JSON, default=list)
    secret_enc: Mapped[str] = mapped_column(String(512))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<WebhookSubscription {self.id} {self.url}>"


class WebhookEvent(Base):
    """Something that happened, once: `ref` makes it idempotent (a replayed FreeSWITCH event, or the
    call record seen by two paths, gives one event)."""

    __tablename__ = "webhook_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    event_type: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(160), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at_column()


class WebhookDelivery(Base):
    """One event to one subscription: waiting -> sending -> delivered | failed, with its tries."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        CheckConstraint("state IN ('waiting', 'sending', 'delivered', 'failed')", name="state"),
        CheckConstraint("attempts >= 0 AND max_attempts > 0", name="attempts"),
        Index("ix_webhook_delivery_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    event: Mapped[WebhookEvent] = relationship(lazy="joined", innerjoin=True)
    attempt_log: Mapped[list["WebhookAttempt"]] = relationship(
        back_populates="delivery",
        cascade="all, delete-orphan",
        order_by="WebhookAttempt.id",
        passive_deletes=True,
    )


class WebhookAttempt(Base):
    """One try of a delivery: when, what the receiver answered (or why it could not be reached), how long."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = created_at_column()
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")
