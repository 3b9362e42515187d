"""A person who logs in to the console: operator staff, a tenant admin or an employee. An admin may
carry a custom role of the same company (role_id): a delegated administrator limited to that role.

An e-mail address is unique within one company (and among the operator's staff), not across companies:
a company cannot learn that an address has a login elsewhere, and a person who works for two clients of
the operator has a login at each (the login page asks which company when one password opens several)."""
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

ROLES = ("operator", "admin", "user")


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("role IN ('operator', 'admin', 'user')", name="role"),
        CheckConstraint("role = 'operator' OR tenant_id IS NOT NULL", name="tenant_for_non_operator"),
        CheckConstraint("role <> 'user' OR user_id IS NOT NULL", name="user_for_user_role"),
        CheckConstraint("role = 'admin' OR role_id IS NULL", name="custom_role_for_admin"),
        # A custom role of the login's own company only (the pair must exist in console_role).
        ForeignKeyConstraint(["tenant_id", "role_id"], ["console_role.tenant_id", "console_role.id"],
                             name="fk_account_role_same_tenant", ondelete="RESTRICT"),
        UniqueConstraint("tenant_id", "email", name="uq_account_tenant_email"),
        Index("uq_account_operator_email", "email", unique=True,
              postgresql_where=text("tenant_id IS NULL"), sqlite_where=text("tenant_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    role_id: Mapped[int | None] = mapped_column(index=True)  # custom role (delegated admin), or full rights
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class ConsoleSession(Base):
    """A signed-in browser. Its cookie carries only a random token, kept here as its SHA-256: logging out,
    a password change or reset, and the end of its lifetime end it on the server, whatever the cookie."""
    __tablename__ = "console_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
