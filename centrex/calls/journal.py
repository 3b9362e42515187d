"""Exactly-once CDRs. Every call leg FreeSWITCH reports (by event or by xml_cdr record) is first written
raw to the journal, unique by leg UUID, and committed on its own; the call record is then computed from
all journaled legs of that call and upserted by call UUID. Importing again, in any order, from any
path, gives the same single record; `rebuild()` recomputes every record from the journal. A call that
cannot become a record yet says why in cdr_problem. The journal is insert-only.

These functions flush; the caller commits (journal first, import second: see esl_handlers)."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from centrex.calls.composition import compose
from centrex.freeswitch.cdr_legs import LegFormatError, leg_from_headers, leg_from_plain, leg_from_xml_cdr
from centrex.models import CallRecord, CdrJournal, CdrProblem, Number, Tenant
from centrex.models._types import utcnow
from centrex.platform import metrics
from centrex.platform.db import db
from centrex.platform.tenancy import scoped

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

    def add(self, other: ImportCounts) -> None:
        for name in ("imported", "waiting", "unknown_tenant", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ProblemLeg:
    """A journaled leg that is not (yet) part of a call record, with the reason."""
    leg_uuid: str
    call_uuid: str
    received_at: datetime
    status: str
    detail: str


def entry_from_event(headers: dict[str, str], raw: str, node: str = "") -> JournalEntry:
    """A CHANNEL_HANGUP_COMPLETE event (decoded headers and the plain text received)."""
    return JournalEntry(leg_from_headers(headers), raw, "esl", node)


def entry_from_plain(text: str, node: str = "") -> JournalEntry:
    """A CHANNEL_HANGUP_COMPLETE as `event plain` text (only the headers the import reads are decoded)."""
    return JournalEntry(leg_from_plain(text), text, "esl", node)


def entry_from_xml_cdr(data: bytes | str, node: str = "") -> JournalEntry:
    """An xml_cdr record (posted or spooled; URL-encoded or plain XML). Raises LegFormatError."""
    raw = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return JournalEntry(leg_from_xml_cdr(raw), raw, "xml_cdr", node)


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _dialect_insert(table):
    return (postgresql.insert if _postgres() else sqlite.insert)(table)


def _pg(sql: str, params: dict):
    """One statement with array parameters sent in binary (no per-element escaping: the raw events are
    large), through SQLAlchemy so that errors are its usual ones."""
    return db.session.connection().exec_driver_sql(sql, params)


def _cheap_compression() -> None:
    """lz4 instead of pglz for this connection's large values, when the server has it: the raw events
    are what PostgreSQL spends its time on when journaling. Once per pooled connection."""
    info = db.session.connection().connection.info
    if "centrex_lz4" not in info:
        info["centrex_lz4"] = bool(_pg("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                       "WHERE name = 'default_toast_compression'", {}).scalar())
        if info["centrex_lz4"]:
            _pg("SET default_toast_compression = 'lz4'", {})


_JOURNAL_UNNEST = (
    "INSERT INTO cdr_journal (leg_uuid, call_uuid, source, node, raw, leg, received_at) "
    "SELECT l, c, s, n, r, CAST(j AS json), now() FROM unnest(%(legs)b::text[], %(calls)b::text[], "
    "%(sources)b::text[], %(nodes)b::text[], %(raws)b::text[], %(jsons)b::text[]) AS t(l, c, s, n, r, j) "
    "ON CONFLICT (leg_uuid) DO NOTHING RETURNING call_uuid")


def journal(entries: Iterable[JournalEntry]) -> set[str]:
    """Write legs to the journal, ignoring legs already there. Returns the calls that got a new leg."""
    rows, seen = [], set()
    for entry in entries:
        if entry.leg_uuid not in seen:
            seen.add(entry.leg_uuid)
            rows.append(entry)
    if not rows:
        return set()
    if _postgres():  # one statement, arrays as parameters: thousands of legs a second
        _cheap_compression()
        return set(_pg(_JOURNAL_UNNEST, {
            "legs": [e.leg_uuid for e in rows], "calls": [e.call_uuid for e in rows],
            "sources": [e.source for e in rows], "nodes": [e.node[:255] for e in rows],
            "raws": [e.raw for e in rows], "jsons": [json.dumps(e.leg) for e in rows]}).scalars())
    statement = _dialect_insert(CdrJournal.__table__).on_conflict_do_nothing(
        index_elements=["leg_uuid"]).returning(CdrJournal.__table__.c.call_uuid)
    return set(db.session.execute(statement, [
        {"leg_uuid": e.leg_uuid, "call_uuid": e.call_uuid, "source": e.source, "node": e.node[:255],
         "raw": e.raw, "leg": e.leg, "received_at": utcnow()} for e in rows]).scalars())


def _lock_calls(keys: list[str]) -> None:
    """Serialise imports of the same call across processes (web, listener), so the last writer has
    seen every leg committed before it started."""
    if _postgres():
        _pg("SELECT pg_advisory_xact_lock(hashtext(k)) "
            "FROM unnest(%(keys)b::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n", {"keys": keys})


def _tenants(domains: set[str], numbers: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """{domain: tenant id} and {E.164: tenant id} for the candidates (one round trip on PostgreSQL)."""
    if _postgres():
        by_domain: dict[str, int] = {}
        by_number: dict[str, int] = {}
        for kind, key, tenant in _pg(
                "SELECT 'd', domain, id FROM tenant WHERE domain = ANY(%(domains)b::text[]) UNION ALL "
                "SELECT 'n', e164, tenant_id FROM did_number WHERE e164 = ANY(%(numbers)b::text[]) "
                "AND tenant_id IS NOT NULL", {"domains": list(domains), "numbers": list(numbers)}):
            (by_domain if kind == "d" else by_number)[key] = tenant
        return by_domain, by_number
    by_domain = dict(db.session.execute(
        select(Tenant.domain, Tenant.id).where(Tenant.domain.in_(domains))).all()) if domains else {}
    by_number = dict(db.session.execute(
        select(Number.e164, Number.tenant_id)
        .where(Number.e164.in_(numbers), Number.tenant_id.is_not(None))).all()) if numbers else {}
    return by_domain, by_number


def _array_type(column) -> str:
    return {int: "int", str: "text"}.get(column.type.python_type, "timestamptz")


_RECORD_UPSERT = (
    "INSERT INTO call_record (call_uuid, {columns}) SELECT * FROM unnest(%(call_uuid)b::text[], {arrays}) "
    "ON CONFLICT (call_uuid) DO UPDATE SET {updates}").format(
    columns=", ".join(RECORD_COLUMNS),
    arrays=", ".join(f"%({c})b::{_array_type(CallRecord.__table__.c[c])}[]" for c in RECORD_COLUMNS),
    updates=", ".join(f"{c} = EXCLUDED.{c}" for c in RECORD_COLUMNS))


def _upsert_records(records: list[dict]) -> None:
    if _postgres():
        _pg(_RECORD_UPSERT, {c: [r[c] for r in records] for c in ["call_uuid", *RECORD_COLUMNS]})
        return
    insert = _dialect_insert(CallRecord.__table__)
    db.session.execute(insert.on_conflict_do_update(
        index_elements=["call_uuid"], set_={c: insert.excluded[c] for c in RECORD_COLUMNS}), records)


def _set_problems(problems: dict[str, tuple[str, str, int]], solved: list[str]) -> None:
    if solved and _postgres():
        _pg("DELETE FROM cdr_problem WHERE call_uuid = ANY(%(keys)b::text[])", {"keys": solved})
    elif solved:
        db.session.execute(delete(CdrProblem).where(CdrProblem.call_uuid.in_(solved)))
    if problems:
        insert = _dialect_insert(CdrProblem.__table__)
        db.session.execute(insert.on_conflict_do_update(index_elements=["call_uuid"], set_={
            c: insert.excluded[c] for c in ("status", "detail", "legs", "updated_at")}),
            [{"call_uuid": k, "status": s, "detail": d, "legs": n, "updated_at": utcnow()}
             for k, (s, d, n) in problems.items()])


def _stored_legs(keys: list[str], skip: list[str]):
    """(call, leg) from the journal for these calls, except the legs in `skip`."""
    if _postgres():
        return _pg("SELECT call_uuid, leg FROM cdr_journal WHERE call_uuid = ANY(%(keys)b::text[]) "
                   "AND NOT leg_uuid = ANY(%(skip)b::text[])", {"keys": keys, "skip": skip})
    query = select(CdrJournal.call_uuid, CdrJournal.leg).where(CdrJournal.call_uuid.in_(keys))
    if skip:
        query = query.where(CdrJournal.leg_uuid.not_in(skip))
    return db.session.execute(query)


def import_calls(call_uuids: Iterable[str], fresh: Iterable[JournalEntry] = ()) -> ImportCounts:
    """(Re)compute the record of each call from its journaled legs. Idempotent. `fresh`: entries just
    journaled, whose legs need not be read back (the journal holds the same leg under the same UUID)."""
    keys = sorted(set(call_uuids))
    counts = ImportCounts(calls=keys)
    if not keys:
        return counts
    _lock_calls(keys)
    legs: dict[str, list[dict]] = defaultdict(list)
    wanted = set(keys)
    in_memory = {e.leg_uuid: e.leg for e in fresh if e.call_uuid in wanted}
    for leg in in_memory.values():
        legs[leg["call"]].append(leg)
    for call_uuid, leg in _stored_legs(keys, list(in_memory)):
        legs[call_uuid].append(leg)
    composed, problems = {}, {}
    for key in keys:
        try:
            result = compose(key, legs[key]) if legs[key] else None
        except Exception as exc:  # a record we cannot read must not block the others
            problems[key] = ("failed", f"{type(exc).__name__}: {exc}"[:255], len(legs[key]))
            continue
        if result is None:
            problems[key] = ("waiting", "waiting for the call's first leg (A leg)", len(legs[key]))
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
            problems[key] = ("unknown_tenant", f"no tenant for: {where}"[:255], len(legs[key]))
            continue
        records.append({**{c: None for c in RECORD_COLUMNS}, **result.fields, "tenant_id": tenant_id,
                        "imported_at": utcnow()})
    if records:
        _upsert_records(records)
    _set_problems(problems, [r["call_uuid"] for r in records])
    counts.imported = len(records)
    metrics.CDRS_IMPORTED.inc(len(records))
    for status, _, _ in problems.values():
        setattr(counts, status, getattr(counts, status) + 1)
    return counts


def pending_calls(limit: int = 500, *, after_id: int = 0) -> list[str]:
    """Calls with journaled legs that no record or problem accounts for yet (the process died between
    journal and import, or the import failed), among legs journaled after `after_id`."""
    recent = select(CdrJournal.call_uuid).where(CdrJournal.id > after_id).distinct().subquery()
    legs = func.count(CdrJournal.id)
    query = (select(recent.c.call_uuid)
             .join(CdrJournal, CdrJournal.call_uuid == recent.c.call_uuid)
             .outerjoin(CallRecord, CallRecord.call_uuid == recent.c.call_uuid)
             .outerjoin(CdrProblem, CdrProblem.call_uuid == recent.c.call_uuid)
             .group_by(recent.c.call_uuid, CallRecord.leg_count, CdrProblem.legs)
             .having(legs > func.coalesce(CallRecord.leg_count, CdrProblem.legs, 0))
             .limit(limit))
    return list(db.session.execute(query).scalars())


def pending_among(call_uuids: Iterable[str]) -> set[str]:
    """Those of these calls whose journaled legs no record or problem accounts for."""
    keys = set(call_uuids)
    if not keys:
        return set()
    legs = func.count(CdrJournal.id)
    return set(db.session.execute(
        select(CdrJournal.call_uuid).where(CdrJournal.call_uuid.in_(keys))
        .outerjoin(CallRecord, CallRecord.call_uuid == CdrJournal.call_uuid)
        .outerjoin(CdrProblem, CdrProblem.call_uuid == CdrJournal.call_uuid)
        .group_by(CdrJournal.call_uuid, CallRecord.leg_count, CdrProblem.legs)
        .having(legs > func.coalesce(CallRecord.leg_count, CdrProblem.legs, 0))).scalars())


def last_journal_id() -> int:
    return db.session.execute(select(func.coalesce(func.max(CdrJournal.id), 0))).scalar_one()


def rebuild(batch: int = 500) -> ImportCounts:
    """Recompute call_record (and the problem list) from the journal, re-reading every raw leg."""
    db.session.execute(delete(CallRecord))
    db.session.execute(delete(CdrProblem))
    total = ImportCounts()
    last_id, unreadable = 0, {}
    while rows := db.session.execute(
            select(CdrJournal.id, CdrJournal.source, CdrJournal.raw, CdrJournal.call_uuid)
            .where(CdrJournal.id > last_id).order_by(CdrJournal.id).limit(batch)).all():
        last_id = rows[-1].id
        for row in rows:
            try:
                leg = leg_from_plain(row.raw) if row.source == "esl" else leg_from_xml_cdr(row.raw)
            except LegFormatError as exc:
                unreadable[row.call_uuid] = ("failed", f"unreadable leg: {exc}"[:255], 1)
                continue
            db.session.execute(update(CdrJournal).where(CdrJournal.id == row.id)
                               .values(leg=leg, call_uuid=leg["call"]))
    while keys := pending_calls(batch):
        total.add(import_calls(keys))
    _set_problems(unreadable, [])
    total.failed += len(unreadable)
    return total


def _leg_status():
    return case((CdrProblem.status.is_not(None), CdrProblem.status),
                (CallRecord.id.is_not(None), literal("imported")), else_=literal("pending"))


def journal_summary() -> dict[str, int]:
    """How many journaled legs are in each state (imported, waiting, unknown_tenant, failed, pending)."""
    status = _leg_status().label("status")
    return dict(db.session.execute(
        select(status, func.count()).select_from(CdrJournal)
        .outerjoin(CallRecord, CallRecord.call_uuid == CdrJournal.call_uuid)
        .outerjoin(CdrProblem, CdrProblem.call_uuid == CdrJournal.call_uuid).group_by(status)).all())


def journal_problems(limit: int = 50) -> list[ProblemLeg]:
    """Legs not part of a record, newest first, with the reason (nothing is dropped silently)."""
    rows = db.session.execute(
        select(CdrJournal.leg_uuid, CdrJournal.call_uuid, CdrJournal.received_at, CdrProblem.status,
               CdrProblem.detail)
        .join(CdrProblem, CdrProblem.call_uuid == CdrJournal.call_uuid)
        .order_by(CdrJournal.id.desc()).limit(limit)).all()
    return [ProblemLeg(*row) for row in rows]


def calls(tenant_id: int, limit: int = 100) -> list[CallRecord]:
    """A tenant's calls, newest first."""
    return list(db.session.execute(scoped(CallRecord, tenant_id).order_by(CallRecord.started_at.desc(),
                                                                          CallRecord.id.desc())
                                   .limit(limit)).scalars())
