"""Call detail records: the raw journal of every call leg FreeSWITCH reported, and one record per call
computed from it (rebuildable at any time from the journal)."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from centrex.db import Base
from centrex.models._types import created_at_column

JOURNAL_SOURCES = ("esl", "xml_cdr")
JOURNAL_STATUSES = ("pending", "imported", "waiting", "unknown_tenant", "failed")
CALL_DIRECTIONS = ("internal", "inbound", "outbound")


class CdrJournal(Base):
    """One call leg exactly as FreeSWITCH reported it (CHANNEL_HANGUP_COMPLETE or an xml_cdr record).
    Unique by leg UUID: whichever path delivers a leg first wins, the others are duplicates."""
    __tablename__ = "cdr_journal"
    __table_args__ = (
        CheckConstraint("source IN ('esl', 'xml_cdr')", name="source"),
        CheckConstraint("status IN ('pending', 'imported', 'waiting', 'unknown_tenant', 'failed')",
                        name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    call_uuid: Mapped[str] = mapped_column(String(64), index=True)  # the call this leg belongs to
    source: Mapped[str] = mapped_column(String(8))
    node: Mapped[str] = mapped_column(String(255), default="")
    raw: Mapped[str] = mapped_column(Text)  # the event / record as received
    leg: Mapped[dict] = mapped_column(JSON)  # the fields the import reads, extracted from `raw`
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    detail: Mapped[str | None] = mapped_column(String(255))  # why it is not imported, for people
    # Known once imported; NULL while the leg's tenant is unknown.
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    received_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<CdrJournal {self.leg_uuid} call={self.call_uuid} {self.status}>"


class CallRecord(Base):
    """One call, whatever its legs: who called whom, when, how it ended, where it led."""
    __tablename__ = "call_record"
    __table_args__ = (
        CheckConstraint("direction IN ('internal', 'inbound', 'outbound')", name="direction"),
        CheckConstraint("fax_status IS NULL OR fax_status IN ('ok', 'failed')", name="fax_status"),
        CheckConstraint("duration >= 0 AND billsec >= 0", name="durations"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"), index=True)
    call_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    direction: Mapped[str] = mapped_column(String(8))
    caller_name: Mapped[str | None] = mapped_column(String(120))
    caller_number: Mapped[str | None] = mapped_column(String(64))
    dialed_number: Mapped[str | None] = mapped_column(String(64))  # what the caller dialled
    destination: Mapped[str | None] = mapped_column(String(64))  # where the dialplan took it last
    did: Mapped[str | None] = mapped_column(String(32))  # the public number dialled (inbound calls)
    answered_by: Mapped[str | None] = mapped_column(String(64))  # extension whose phone took the call
    answered_leg_uuid: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration: Mapped[int] = mapped_column(Integer, default=0)
    billsec: Mapped[int] = mapped_column(Integer, default=0)
    hangup_cause: Mapped[str | None] = mapped_column(String(64))
    bridge_result: Mapped[str | None] = mapped_column(String(64))  # originate_disposition
    voicemail_box: Mapped[str | None] = mapped_column(String(64))
    voicemail_file: Mapped[str | None] = mapped_column(String(512))
    fax_status: Mapped[str | None] = mapped_column(String(8))
    fax_pages: Mapped[int | None] = mapped_column(Integer)
    fax_file: Mapped[str | None] = mapped_column(String(512))
    recording_file: Mapped[str | None] = mapped_column(String(512))
    accountcode: Mapped[str | None] = mapped_column(String(64))
    leg_count: Mapped[int] = mapped_column(Integer, default=1)
    imported_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<CallRecord {self.call_uuid} {self.direction} {self.caller_number}->{self.dialed_number}>"
