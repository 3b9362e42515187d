"""Exactly-once CDRs. Every call leg FreeSWITCH reports (by event or by xml_cdr record) is first written
raw to the journal, unique by leg UUID, and committed on its own; the call record is then computed from
all journaled legs of that call and upserted by call UUID. Importing again, in any order, from any
path, gives the same single record; `rebuild()` recomputes every record from the journal.

These functions flush; the caller commits (journal first, import second: see esl_handlers)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from centrex.cdr_compose import compose
from centrex.cdr_legs import LegFormatError, leg_from_headers, leg_from_plain, leg_from_xml_cdr
from centrex.db import db
from centrex.models import CallRecord, CdrJournal, Number, Tenant
from centrex.models._types import utcnow
from centrex.tenancy import scoped

RECORD_COLUMNS = [c.name for c in CallRecord.__table__.columns if c.name not in ("id", "call_uuid")]


@dataclass
class JournalEntry:
    """A leg ready for the journal: its extracted fields and the text it came from."""
    leg: dict
    raw: str
    source: str  # "esl" or "xml_cdr"
    node: str = ""

    @property
    def leg_uuid(self) -> str:
        return self.leg["variable_uuid"]

    @property
    def call_uuid(self) -> str:
        return self.leg["call"]


@dataclass
class ImportCounts:
    imported: int = 0
    waiting: int = 0
    unknown_tenant: int = 0
    failed: int = 0
    calls: list[str] = field(default_factory=list, repr=False)


def entry_from_event(headers: dict[str, str], raw: str, node: str = "") -> JournalEntry:
    """A CHANNEL_HANGUP_COMPLETE event (decoded headers and the plain text received)."""
    return JournalEntry(leg_from_headers(headers), raw, "esl", node)


def entry_from_xml_cdr(data: bytes | str, node: str = "") -> JournalEntry:
    """An xml_cdr record (posted or spooled; URL-encoded or plain XML). Raises LegFormatError."""
    raw = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return JournalEntry(leg_from_xml_cdr(raw), raw, "xml_cdr", node)


def _dialect_insert(table):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def journal(entries: Iterable[JournalEntry]) -> set[str]:
    """Write legs to the journal, ignoring legs already there. Returns the calls that got a new leg."""
    rows, seen = [], set()
    for entry in entries:
        if entry.leg_uuid in seen:
            continue
        seen.add(entry.leg_uuid)
        rows.append({"leg_uuid": entry.leg_uuid, "call_uuid": entry.call_uuid, "source": entry.source,
                     "node": entry.node[:255], "raw": entry.raw, "leg": entry.leg, "status": "pending",
                     "received_at": utcnow()})
    if not rows:
        return set()
    statement = _dialect_insert(CdrJournal.__table__).on_conflict_do_nothing(
        index_elements=["leg_uuid"]).returning(CdrJournal.__table__.c.call_uuid)
    return set(db.session.execute(statement, rows).scalars())


def _lock_calls(keys: list[str]) -> None:
    """Serialise imports of the same call across processes (web, listener), so the last writer has
    seen every leg committed before it started."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest(CAST(:keys AS text[])) "
                                "WITH ORDINALITY AS t(k, n) ORDER BY n"), {"keys": keys})


def _tenants(domains: set[str], numbers: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    by_domain = dict(db.session.execute(select(Tenant.domain, Tenant.id).where(Tenant.domain.in_(domains))).all()) \
        if domains else {}
    by_number = dict(db.session.execute(
        select(Number.e164, Number.tenant_id).where(Number.e164.in_(numbers), Number.tenant_id.is_not(None))).all()) \
        if numbers else {}
    return by_domain, by_number


def import_calls(call_uuids: Iterable[str]) -> ImportCounts:
    """(Re)compute the record of each call from its journaled legs. Idempotent."""
    keys = sorted(set(call_uuids))
    counts = ImportCounts(calls=keys)
    if not keys:
        return counts
    _lock_calls(keys)
    legs: dict[str, list[dict]] = defaultdict(list)
    for call_uuid, leg in db.session.execute(
            select(CdrJournal.call_uuid, CdrJournal.leg).where(CdrJournal.call_uuid.in_(keys))):
        legs[call_uuid].append(leg)
    composed, outcome = {}, {}
    for key in keys:
        try:
            result = compose(key, legs[key]) if legs[key] else None
        except Exception as exc:  # a record we cannot read must not block the others
            outcome[key] = ("failed", f"{type(exc).__name__}: {exc}"[:255], None)
            continue
        if result is None:
            outcome[key] = ("waiting", "waiting for the call's first leg (A leg)", None)
        else:
            composed[key] = result
    by_domain, by_number = _tenants({d for c in composed.values() for d in c.tenant_domains},
                                    {n for c in composed.values() for n in c.tenant_numbers})
    records = []
    for key, result in composed.items():
        tenant_id = next((by_domain[d] for d in result.tenant_domains if d in by_domain), None) or \
            next((by_number[n] for n in result.tenant_numbers if n in by_number), None)
        if tenant_id is None:
            where = ", ".join(result.tenant_domains + result.tenant_numbers) or "nothing to go by"
            outcome[key] = ("unknown_tenant", f"no tenant for: {where}"[:255], None)
            continue
        records.append({**{c: None for c in RECORD_COLUMNS}, **result.fields, "tenant_id": tenant_id,
                        "imported_at": utcnow()})
        outcome[key] = ("imported", None, tenant_id)
    if records:
        table = CallRecord.__table__
        insert = _dialect_insert(table)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["call_uuid"], set_={c: insert.excluded[c] for c in RECORD_COLUMNS}), records)
    journal_table = CdrJournal.__table__
    db.session.execute(
        update(journal_table).where(journal_table.c.call_uuid == bindparam("key"))
        .values(status=bindparam("new_status"), detail=bindparam("new_detail"), tenant_id=bindparam("tenant")),
        [{"key": k, "new_status": s, "new_detail": d, "tenant": t} for k, (s, d, t) in outcome.items()])
    for status, _, _ in outcome.values():
        setattr(counts, status, getattr(counts, status) + 1)
    return counts


def pending_calls(limit: int = 500) -> list[str]:
    """Calls with legs journaled but not yet imported (an import failed, or the process died between)."""
    return list(db.session.execute(select(CdrJournal.call_uuid).where(CdrJournal.status == "pending")
                                   .group_by(CdrJournal.call_uuid).limit(limit)).scalars())


def pending_among(call_uuids: Iterable[str]) -> set[str]:
    """Those of these calls that have legs journaled but not imported."""
    keys = set(call_uuids)
    if not keys:
        return set()
    return set(db.session.execute(select(CdrJournal.call_uuid).where(
        CdrJournal.call_uuid.in_(keys), CdrJournal.status == "pending")).scalars())


def rebuild(batch: int = 500) -> ImportCounts:
    """Recompute the whole call_record table from the journal (re-reading every raw leg)."""
    db.session.execute(delete(CallRecord))
    total = ImportCounts()
    last_id = 0
    while True:
        rows = db.session.execute(select(CdrJournal.id, CdrJournal.source, CdrJournal.raw)
                                  .where(CdrJournal.id > last_id).order_by(CdrJournal.id).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1].id
        changes = []
        for row in rows:
            try:
                leg = leg_from_plain(row.raw) if row.source == "esl" else leg_from_xml_cdr(row.raw)
                changes.append({"row_id": row.id, "new_leg": leg, "call": leg["call"], "new_status": "pending",
                                "new_detail": None})
            except LegFormatError as exc:
                changes.append({"row_id": row.id, "new_leg": {}, "call": "", "new_status": "failed",
                                "new_detail": str(exc)[:255]})
        table = CdrJournal.__table__
        for row in changes:
            values = {"status": row["new_status"], "detail": row["new_detail"], "tenant_id": None}
            if row["call"]:
                values.update(leg=row["new_leg"], call_uuid=row["call"])
            db.session.execute(update(table).where(table.c.id == row["row_id"]).values(**values))
        total.failed += sum(1 for row in changes if row["new_status"] == "failed")
    while keys := pending_calls(batch):
        counts = import_calls(keys)
        for name in ("imported", "waiting", "unknown_tenant", "failed"):
            setattr(total, name, getattr(total, name) + getattr(counts, name))
    return total


def journal_summary() -> dict[str, int]:
    """How many journaled legs are in each state (imported, waiting, unknown_tenant, failed, pending)."""
    return dict(db.session.execute(select(CdrJournal.status, func.count()).group_by(CdrJournal.status)).all())


def journal_problems(limit: int = 50) -> list[CdrJournal]:
    """Legs not imported, newest first, with the reason (for operators: nothing is dropped silently)."""
    return list(db.session.execute(select(CdrJournal).where(CdrJournal.status != "imported")
                                   .order_by(CdrJournal.id.desc()).limit(limit)).scalars())


def calls(tenant_id: int, limit: int = 100) -> list[CallRecord]:
    """A tenant's calls, newest first."""
    return list(db.session.execute(scoped(CallRecord, tenant_id).order_by(CallRecord.started_at.desc(),
                                                                          CallRecord.id.desc())
                                   .limit(limit)).scalars())
