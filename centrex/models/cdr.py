"""Call detail records: the raw journal of every call leg FreeSWITCH reported, and one record per call
computed from it (rebuildable at any time from the journal)."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from centrex.models._types import created_at_column
from centrex.platform.db import Base

JOURNAL_SOURCES = ("esl", "xml_cdr")
PROBLEM_STATUSES = ("waiting", "unknown_tenant", "failed")
CALL_DIRECTIONS = ("internal", "inbound", "outbound")


class CdrJournal(Base):
    """One call leg exactly as FreeSWITCH reported it (CHANNEL_HANGUP_COMPLETE or an xml_cdr record).
    Unique by leg UUID: whichever path delivers a leg first wins, the others are duplicates. Written once,
    never updated (only `rebuild` re-derives `leg` and `call_uuid` from `raw`)."""
    __tablename__ = "cdr_journal"
    __table_args__ = (CheckConstraint("source IN ('esl', 'xml_cdr')", name="source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_uuid: Mapped[str] = mapped_column(String(64), unique=True)
    call_uuid: Mapped[str] = mapped_column(String(64), index=True)  # the call this leg belongs to
    source: Mapped[str] = mapped_column(String(8))
    node: Mapped[str] = mapped_column(String(255), default="")
    raw: Mapped[str] = mapped_column(Text)  # the event / record as received
    leg: Mapped[dict] = mapped_column(JSON)  # the fields the import reads, extracted from `raw`
    received_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<CdrJournal {self.leg_uuid} call={self.call_uuid}>"


class CdrProblem(Base):
    """A journaled call that is not a call record, and why: waiting for its A leg, no known tenant, or
    unreadable. Kept visible for operators (`flask cdr pending`); gone once the call is imported."""
    __tablename__ = "cdr_problem"
    __table_args__ = (CheckConstraint("status IN ('waiting', 'unknown_tenant', 'failed')", name="status"),)

    call_uuid: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(255))
    legs: Mapped[int] = mapped_column(Integer)  # journaled legs when last tried: a new leg means try again
    updated_at: Mapped[datetime] = created_at_column()


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
    leg_count: Mapped[int] = mapped_column(Integer, default=1)  # journaled legs it was computed from
    imported_at: Mapped[datetime] = created_at_column()

    def __repr__(self) -> str:
        return f"<CallRecord {self.call_uuid} {self.direction} {self.caller_number}->{self.dialed_number}>"
