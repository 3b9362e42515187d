"""What a client's licence includes besides its seats: the optional services the operator sells."""
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centrex.platform.db import Base

LICENSED_FEATURES = ("queues", "ivr", "conferences", "fax", "api")


class LicensedFeature(Base):
    """One optional service a client may use (a row present: included in its licence)."""
    __tablename__ = "licensed_feature"
    __table_args__ = (
        UniqueConstraint("tenant_id", "feature"),
        CheckConstraint("feature IN ('queues', 'ivr', 'conferences', 'fax', 'api')", name="feature"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), index=True)
    feature: Mapped[str] = mapped_column(String(16))
