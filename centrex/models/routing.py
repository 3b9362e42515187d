"""Call routing configuration: ring groups, schedules (time routing) and per-user forwarding rules.

A destination is always a typed reference (dest_type, dest_id, dest_value), as on a DID: the target may
be deleted later, so the engine resolves it defensively at call time."""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from centrex.models._types import created_at_column
from centrex.platform.db import Base

STRATEGIES = ("simultaneous", "sequential", "round_robin")
FORWARD_KINDS = ("always", "busy", "no_answer", "offline")
_DEST_TYPES_SQL = ("'user', 'ring_group', 'ivr', 'queue', 'voicemail', 'conference', 'fax', "
                   "'schedule', 'external', 'hangup'")


def _dest_check(prefix: str = "dest") -> CheckConstraint:
    return CheckConstraint(f"{prefix}_type IS NULL OR {prefix}_type IN ({_DEST_TYPES_SQL})",
                           name=f"{prefix}_type")


class RingGroup(Base):
    """Several phones rung together or in turn; when nobody answers, the call goes on (cascade)."""
    __tablename__ = "ring_group"
    __table_args__ = (
        UniqueConstraint("tenant_id", "extension"),
        CheckConstraint("strategy IN ('simultaneous', 'sequential', 'round_robin')", name="strategy"),
        CheckConstraint("ring_seconds BETWEEN 5 AND 300", name="ring_seconds"),
        _dest_check("no_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    extension: Mapped[str | None] = mapped_column(String(16))  # internal short number, optional
    strategy: Mapped[str] = mapped_column(String(16), default="simultaneous")
    ring_seconds: Mapped[int] = mapped_column(Integer, default=30)  # default per member / whole group
    no_answer_type: Mapped[str | None] = mapped_column(String(16))
    no_answer_id: Mapped[int | None] = mapped_column(Integer)
    no_answer_value: Mapped[str | None] = mapped_column(String(32))
    # Round robin: where the next call starts. Advanced by the dialplan, read with the config.
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at_column()

    members: Mapped[list["RingGroupMember"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="RingGroupMember.position")

    def __repr__(self) -> str:
        return f"<RingGroup {self.name!r} {self.strategy}>"


class RingGroupMember(Base):
    """One member: a user's phones, or an external number (a mobile) rung through the carrier."""
    __tablename__ = "ring_group_member"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (external_number IS NULL)", name="user_or_external"),
        CheckConstraint("ring_seconds IS NULL OR ring_seconds BETWEEN 5 AND 300", name="ring_seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("ring_group.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    external_number: Mapped[str | None] = mapped_column(String(16))  # E.164
    ring_seconds: Mapped[int | None] = mapped_column(Integer)  # None: the group's

    group: Mapped[RingGroup] = relationship(back_populates="members")


class Schedule(Base):
    """Time routing: weekly ranges each pointing somewhere, holidays, and a default destination.
    « Fermé maintenant »: while `closed_since` is set, every call goes to the default destination, whatever
    the ranges and holidays say, until someone opens it again."""
    __tablename__ = "schedule"
    __table_args__ = (UniqueConstraint("tenant_id", "name"), _dest_check("default"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    default_type: Mapped[str | None] = mapped_column(String(16))
    default_id: Mapped[int | None] = mapped_column(Integer)
    default_value: Mapped[str | None] = mapped_column(String(32))
    closed_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(254))  # who pressed « Fermé maintenant »
    created_at: Mapped[datetime] = created_at_column()

    ranges: Mapped[list["ScheduleRange"]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="ScheduleRange.position")
    exceptions: Mapped[list["ScheduleException"]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="ScheduleException.day")

    def __repr__(self) -> str:
        return f"<Schedule {self.name!r}>"


class ScheduleRange(Base):
    """Weekdays (bit 0 = Monday … bit 6 = Sunday) from start to end minute, local time of the tenant.
    end <= start means the range runs across midnight into the next day."""
    __tablename__ = "schedule_range"
    __table_args__ = (
        CheckConstraint("days BETWEEN 1 AND 127", name="days"),
        CheckConstraint("start_minute BETWEEN 0 AND 1439", name="start_minute"),
        CheckConstraint("end_minute BETWEEN 1 AND 1440", name="end_minute"),
        _dest_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    label: Mapped[str | None] = mapped_column(String(120))
    days: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)
    dest_type: Mapped[str | None] = mapped_column(String(16))
    dest_id: Mapped[int | None] = mapped_column(Integer)
    dest_value: Mapped[str | None] = mapped_column(String(32))

    schedule: Mapped[Schedule] = relationship(back_populates="ranges")


class ScheduleException(Base):
    """A holiday or exception date (every year if `yearly`): its own destination, else the default."""
    __tablename__ = "schedule_exception"
    __table_args__ = (UniqueConstraint("schedule_id", "day"), _dest_check())

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    yearly: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str | None] = mapped_column(String(120))
    dest_type: Mapped[str | None] = mapped_column(String(16))
    dest_id: Mapped[int | None] = mapped_column(Integer)
    dest_value: Mapped[str | None] = mapped_column(String(32))

    schedule: Mapped[Schedule] = relationship(back_populates="exceptions")


class ForwardRule(Base):
    """A user's call forwarding: always / when busy / after N s without answer / when offline.
    Switched off with `enabled`, kept; limited to the ranges of a schedule when `schedule_id` is set.
    Several rules of a kind may exist (e.g. different schedules): the first active one (by id) applies."""
    __tablename__ = "forward_rule"
    __table_args__ = (
        CheckConstraint("kind IN ('always', 'busy', 'no_answer', 'offline')", name="kind"),
        CheckConstraint("ring_seconds IS NULL OR ring_seconds BETWEEN 5 AND 300", name="ring_seconds"),
        CheckConstraint("dest_type IS NOT NULL", name="dest_required"),
        _dest_check(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("sip_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    ring_seconds: Mapped[int | None] = mapped_column(Integer)  # no_answer: ring this long first
    # RESTRICT: deleting the schedule must not silently turn a time-limited rule into a permanent one.
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedule.id", ondelete="RESTRICT"), index=True)
    dest_type: Mapped[str] = mapped_column(String(16))
    dest_id: Mapped[int | None] = mapped_column(Integer)
    dest_value: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<ForwardRule {self.kind} user={self.user_id} -> {self.dest_type}>"
