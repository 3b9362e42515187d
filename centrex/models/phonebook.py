"""Phonebooks the desk phones show: the company's (shared) and each user's personal one."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base


class PhonebookEntry(Base):
    """A contact; owner_user_id NULL means the company phonebook, else that user's personal one."""
    __tablename__ = "phonebook_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<PhonebookEntry {self.name}>"
