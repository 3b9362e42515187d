"""Custom console roles of a company ("Autorisations"): a named set of permissions, one per area of the
client menu, each read or write. An administrator login given a role is limited to it (a delegated
administrator); an administrator without one keeps every right."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column
from centrex.platform.db import Base

# The areas of the client menu a role can open, in menu order. Adding one: append it here, map its
# pages in webui/access.py (CLIENT_AREAS), regenerate schema.sql.
PERMISSION_AREAS = ("users", "numbers", "devices", "groups", "schedules", "queues", "ivr", "voicemail",
                    "audio", "call_rights", "scenario", "calls", "faxes", "network", "presence", "phonebook",
                    "history", "api")
LEVELS = ("read", "write")  # write includes read


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Role(Base):
    __tablename__ = "console_role"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("tenant_id", "id"),  # target of account (tenant_id, role_id): same company only
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = created_at_column()

    permissions: Mapped[list["RolePermission"]] = relationship(
        back_populates="role", cascade="all, delete-orphan", order_by="RolePermission.area")

    def grants(self) -> dict[str, str]:
        """{area: level} of this role."""
        return {p.area: p.level for p in self.permissions}

    def __repr__(self) -> str:
        return f"<Role {self.name!r}>"


class RolePermission(Base):
    """One area of the client menu a role opens, read-only or read and write."""
    __tablename__ = "console_role_permission"
    __table_args__ = (
        UniqueConstraint("role_id", "area"),
        CheckConstraint(_in("area", PERMISSION_AREAS), name="area"),
        CheckConstraint(_in("level", LEVELS), name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("console_role.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(8))

    role: Mapped[Role] = relationship(back_populates="permissions")
