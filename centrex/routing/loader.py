"""Loads what the engine needs about a tenant, as plain values, in one query.

In `public` that is the DID and its tenant. In a tenant's context it is one UNION ALL statement for the
tenant row and its routing graph: users (routing columns only, never secrets), forwarding rules, ring
groups and members, schedules with ranges and exceptions, DIDs, and the service targets (IVR, queues…)
of centrex.routing.targets. A round-robin group rung by the plan costs one UPDATE afterwards. The statements are
built once: building (and hashing) such a statement costs far more than running it."""
from __future__ import annotations

from collections import defaultdict, namedtuple
from datetime import date
from operator import itemgetter

from flask import current_app
from sqlalchemy import Integer, String, bindparam, case, cast, exists, literal, null, select, union_all, update
from sqlalchemy.sql import ColumnElement

from centrex.features.audio import freeswitch_dir
from centrex.models import (
    AudioFile,
    BlockedPrefix,
    CallPolicy,
    CallQueue,
    ForwardRule,
    IvrEntry,
    IvrMenu,
    MohClass,
    Number,
    NumberAnnouncement,
    RingGroup,
    RingGroupMember,
    Schedule,
    ScheduleException,
    ScheduleRange,
    Tenant,
    User,
    UserVoicemail,
    VoicemailBox,
)
from centrex.models.licence import LicensedFeature
from centrex.platform.answer_cache import cache, notify_change, read_by
from centrex.platform.db import db, read_connection, read_rows
from centrex.routing.addresses import resolve_address
from centrex.routing.engine import dialing
from centrex.routing.engine.destinations import Dest, parse_dialplan_address
from centrex.routing.engine.plan import (
    BoxSettings,
    Call,
    ExceptionEntry,
    ForwardEntry,
    GroupEntry,
    MemberEntry,
    RangeEntry,
    RoutingSettings,
    ScheduleEntry,
    ServiceTarget,
    TenantConfig,
    UserEntry,
)
from centrex.routing.targets import service_kinds

_TENANT_COLUMNS = (Tenant.id, Tenant.domain, Tenant.name, Tenant.timezone, Tenant.country, Tenant.max_calls)
_BY_DID = (select(*_TENANT_COLUMNS).join(Number, Number.tenant_id == Tenant.id)
           .where(Number.e164 == bindparam("did"), Tenant.status == "active"))


def settings() -> RoutingSettings:
    cfg = current_app.config
    return RoutingSettings(
        gateway=cfg.get("CARRIER_GATEWAY", "carrier"),
        ring_seconds=int(cfg.get("USER_RING_SECONDS", 30)),
        external_min_ring=int(cfg.get("EXTERNAL_MIN_RING_SECONDS", 20)),
        hop_limit=int(cfg.get("ROUTING_HOP_LIMIT", 12)),
        voicemail_access=cfg.get("PROV_VOICEMAIL_NUMBER", "*97"),  # what the phones' keys dial
        pickup_prefix=cfg.get("PROV_PICKUP_PREFIX", "**"),
        park_prefix=cfg.get("PROV_PARK_PREFIX", "*6"),
    )


def load_config(call: Call) -> TenantConfig | None:
    """The configuration for a dialplan request: in `public`, of the tenant owning the dialled DID
    (just the tenant: the call is stamped and transferred); else of the active tenant named by the
    context. None when there is no such tenant or number."""
    if call.context == "public":
        did = dialing.carrier_e164(call.destination, current_app.config.get("CARRIER_COUNTRY", "CH"))
        if did is None:
            return None
        return cache.get(("routing-did", did), lambda: _tenant_by_did(did), company=_company)
    return cache.get(("routing", call.context), lambda: _load("domain", {"domain": call.context}), company=_company)


def _company(config: TenantConfig | None) -> int | None:
    return config.tenant_id if config is not None else None


def load_address(config: TenantConfig, number: str) -> Dest | None:
    """The destination a dialled `dest-…` address stands for in this tenant (a menu key, a menu's
    timeout or wrong-key rule, a queue's overflow), or None. Cached like the graph."""
    address = parse_dialplan_address(number)
    if address is None:
        return None
    return cache.get(("routing-address", config.tenant_id, number), lambda: _resolve(config.tenant_id, address),
                     company=lambda _dest: config.tenant_id)


def _resolve(tenant_id: int, address) -> Dest | None:
    tenant = db.session.get(Tenant, tenant_id)
    found = resolve_address(tenant, address) if tenant is not None else None
    return found if found is not None and found.kind else None


# What resolve_address reads: a change to any of these drops cached addresses.
_ADDRESS_SOURCES = tuple(select(model) for model in (Tenant, IvrEntry, IvrMenu, CallQueue))
read_by(lambda: _ADDRESS_SOURCES)


def _tenant_by_did(did: str) -> TenantConfig | None:
    row = read_connection().execute(_BY_DID, {"did": did}).first()
    return _tenant_only(row) if row else None


def load_tenant_config(tenant_id: int) -> TenantConfig | None:
    """The whole routing configuration of a tenant (active or not), e.g. for the dry run."""
    return _load("id", {"tenant_id": tenant_id})


def advance_rotations(tenant_id: int, group_ids) -> None:
    """Round robin: the next call starts one member further. Flushes; route_call (centrex.routing.calls)
    commits."""
    if group_ids:
        db.session.execute(update(RingGroup)
                           .where(RingGroup.tenant_id == tenant_id, RingGroup.id.in_(sorted(group_ids)))
                           .values(rotation=RingGroup.rotation + 1))
        notify_change(db.session, {tenant_id})  # cached routing graphs hold the old rotation


def _tenant_only(row) -> TenantConfig:
    return TenantConfig(tenant_id=row.id, domain=row.domain, name=row.name, timezone=row.timezone,
                        country=row.country, max_calls=row.max_calls, settings=settings())


# --- the routing graph in one query --------------------------------------------------------------
# Each kind of row is one SELECT of the UNION ALL, its columns put in shared slots (4 integers, 6 texts);
# `_part` declares them by name and `_named` reads a row back as that kind's named tuple (`row.extension`).

_INTS = 4
_TEXTS = 6
_ROW_TYPES: dict[str, tuple[type, int, int]] = {}  # kind -> (named tuple, its int and text counts), by _part
_POSITIONS: dict[str, dict[str, int]] = {}  # kind -> {column name: its index in the UNION's row}, by _part


def _part(kind: str, id_col, *, ref=None, pos=None, ints: dict | None = None, texts: dict | None = None):
    """The SELECT of one kind of row: `ints`/`texts` name its integer and text columns (at most 4 and 6)."""
    ints, texts = ints or {}, texts or {}
    row_type = namedtuple(f"{kind.replace(':', '_')}_row", ("id", "ref", "pos", *ints, *texts))  # type: ignore[misc]
    _ROW_TYPES[kind] = (row_type, len(ints), len(texts))
    _POSITIONS[kind] = {"id": 1, "ref": 2, "pos": 3, **{name: 4 + n for n, name in enumerate(ints)},
                        **{name: 4 + _INTS + n for n, name in enumerate(texts)}}
    int_cols = list(ints.values()) + [None] * (_INTS - len(ints))
    text_cols = list(texts.values()) + [None] * (_TEXTS - len(texts))

    def as_int(col):
        return cast(null(), Integer) if col is None else cast(col, Integer)

    def as_text(col):
        return cast(null(), String) if col is None else cast(col, String)

    columns = [literal(kind, String).label("kind"), as_int(id_col).label("id"), as_int(ref).label("ref"),
               as_int(pos).label("pos")]
    columns += [as_int(c).label(f"i{n}") for n, c in enumerate(int_cols, 1)]
    columns += [as_text(c).label(f"t{n}") for n, c in enumerate(text_cols, 1)]
    return select(*columns)


def _named(row):
    """A row of the UNION as the named tuple its kind declared."""
    row_type, n_ints, n_texts = _ROW_TYPES[row[0]]  # kind, id, ref, pos, ints..., texts...
    return row_type(row[1], row[2], row[3], *row[4:4 + n_ints], *row[4 + _INTS:4 + _INTS + n_texts])


_GETTERS: dict[tuple[str, tuple[str, ...]], itemgetter] = {}


def _columns(kind: str, *names: str) -> itemgetter:
    """A getter of these columns of a row of `kind`, in this order: for the kinds a company has by the
    hundred (users, numbers), read straight from psycopg's tuple, without a named tuple per row."""
    getter = _GETTERS.get((kind, names))
    if getter is None:
        getter = _GETTERS[kind, names] = itemgetter(*(_POSITIONS[kind][name] for name in names))
    return getter


_statements: dict = {}


def _graph_statement(by: str):
    """The UNION ALL for a tenant found by active domain or by id."""
    statement = _statements.get(by)
    if statement is None:
        tenant_id: ColumnElement[int]
        if by == "domain":
            tenant_id = (select(Tenant.id).where(Tenant.domain == bindparam("domain"), Tenant.status == "active")
                         .scalar_subquery())
        else:
            tenant_id = bindparam("tenant_id", type_=Integer)
        statement = _statements[by] = _graph_query(tenant_id)
    return statement


read_by(lambda: (_BY_DID, _graph_statement("domain")))


def _graph_query(tenant_id):
    has_vm = case((User.vm_a1_hash.is_not(None), 1), else_=0)
    parts = [
        _part("tenant", Tenant.id, ints={"max_calls": Tenant.max_calls},
              texts={"domain": Tenant.domain, "name": Tenant.name, "timezone": Tenant.timezone,
                     "country": Tenant.country, "language": Tenant.language})
        .where(Tenant.id == tenant_id),
        _part("user", User.id, ints={"max_calls": User.max_calls, "has_voicemail": has_vm,
                                     "allow_premium": User.allow_premium,
                                     "twin_delay": case((User.twin_enabled.is_(True), User.twin_delay), else_=None)},
              texts={"extension": User.extension, "name": User.name, "call_class": User.call_class,
                     "caller_id_mode": User.caller_id_mode, "language": User.language, "mobile": User.mobile})
        .where(User.tenant_id == tenant_id, User.enabled.is_(True)),
        # What voicemail plays: the box's language and uploaded greeting (a user's box, a shared box).
        _part("user_box", UserVoicemail.id, ref=UserVoicemail.user_id,
              texts={"language": UserVoicemail.language, "greeting": AudioFile.stored_name})
        .outerjoin(AudioFile, AudioFile.id == UserVoicemail.greeting_id)
        .where(UserVoicemail.tenant_id == tenant_id),
        _part("shared_box", VoicemailBox.id, texts={"number": VoicemailBox.number, "language": VoicemailBox.language,
                                                    "greeting": AudioFile.stored_name})
        .outerjoin(AudioFile, AudioFile.id == VoicemailBox.greeting_id)
        .where(VoicemailBox.tenant_id == tenant_id),
        # Early-media announcements per number, and the class of hold music played by default.
        _part("announcement", NumberAnnouncement.id, texts={"e164": Number.e164, "audio": AudioFile.stored_name})
        .join(Number, Number.id == NumberAnnouncement.number_id)
        .join(AudioFile, AudioFile.id == NumberAnnouncement.audio_id)
        .where(NumberAnnouncement.tenant_id == tenant_id, NumberAnnouncement.enabled.is_(True)),
        _part("hold_music", MohClass.id).where(MohClass.tenant_id == tenant_id, MohClass.is_default.is_(True)),
        _part("fwd", ForwardRule.id, ref=ForwardRule.user_id,
              ints={"enabled": ForwardRule.enabled, "ring_seconds": ForwardRule.ring_seconds,
                    "schedule_id": ForwardRule.schedule_id, "dest_id": ForwardRule.dest_id},
              texts={"kind": ForwardRule.kind, "dest_type": ForwardRule.dest_type,
                     "dest_value": ForwardRule.dest_value})
        .where(ForwardRule.tenant_id == tenant_id),
        _part("group", RingGroup.id, ints={"ring_seconds": RingGroup.ring_seconds, "rotation": RingGroup.rotation,
                                           "dest_id": RingGroup.no_answer_id},
              texts={"name": RingGroup.name, "extension": RingGroup.extension, "strategy": RingGroup.strategy,
                     "dest_type": RingGroup.no_answer_type, "dest_value": RingGroup.no_answer_value})
        .where(RingGroup.tenant_id == tenant_id),
        _part("member", RingGroupMember.id, ref=RingGroupMember.group_id, pos=RingGroupMember.position,
              ints={"user_id": RingGroupMember.user_id, "ring_seconds": RingGroupMember.ring_seconds},
              texts={"external_number": RingGroupMember.external_number})
        .where(RingGroupMember.tenant_id == tenant_id),
        _part("schedule", Schedule.id, ints={"dest_id": Schedule.default_id,
                                             "closed": case((Schedule.closed_since.is_not(None), 1), else_=0)},
              texts={"name": Schedule.name, "dest_type": Schedule.default_type, "dest_value": Schedule.default_value})
        .where(Schedule.tenant_id == tenant_id),
        _part("range", ScheduleRange.id, ref=ScheduleRange.schedule_id, pos=ScheduleRange.position,
              ints={"days": ScheduleRange.days, "start": ScheduleRange.start_minute, "end": ScheduleRange.end_minute,
                    "dest_id": ScheduleRange.dest_id},
              texts={"label": ScheduleRange.label, "dest_type": ScheduleRange.dest_type,
                     "dest_value": ScheduleRange.dest_value})
        .where(ScheduleRange.tenant_id == tenant_id),
        _part("exception", ScheduleException.id, ref=ScheduleException.schedule_id,
              ints={"yearly": ScheduleException.yearly, "dest_id": ScheduleException.dest_id},
              texts={"day": ScheduleException.day, "label": ScheduleException.label,
                     "dest_type": ScheduleException.dest_type, "dest_value": ScheduleException.dest_value})
        .where(ScheduleException.tenant_id == tenant_id),
        _part("did", Number.id, ints={"is_main": Number.is_main, "dest_id": Number.dest_id},
              texts={"e164": Number.e164, "dest_type": Number.dest_type, "dest_value": Number.dest_value})
        .where(Number.tenant_id == tenant_id),
        # Company-wide call rights: the ceiling on call classes, premium numbers, blocked prefixes.
        _part("call_policy", CallPolicy.id, ints={"allow_premium": CallPolicy.allow_premium},
              texts={"max_call_class": CallPolicy.max_call_class})
        .where(CallPolicy.tenant_id == tenant_id),
        _part("blocked", BlockedPrefix.id, texts={"prefix": BlockedPrefix.prefix, "label": BlockedPrefix.label})
        .where(BlockedPrefix.tenant_id == tenant_id),
        _part("overflow", CallQueue.id, texts={"dest_type": CallQueue.after_dest_type})
        .where(CallQueue.tenant_id == tenant_id, CallQueue.after_dest_type.is_not(None)),
    ]
    for spec in service_kinds():
        model = spec.model
        target = (_part(f"target:{spec.kind}", model.id,
                        texts={"key": spec.column(spec.key) or model.id, "number": spec.column(spec.number),
                               "label": spec.column(spec.label)})
                  .where(model.tenant_id == tenant_id))
        if spec.feature:  # a service taken out of the client's licence is no longer reached by any call
            target = target.where(exists().where(LicensedFeature.tenant_id == tenant_id,
                                                 LicensedFeature.feature == spec.feature))
        parts.append(target)
    return union_all(*parts)


class _FileNames:
    """Audio file paths as FreeSWITCH opens them, for one tenant and kind of file."""

    def __init__(self, domain: str, kind: str):
        self.base: str | None = None
        self.domain, self.kind = domain, kind

    def path(self, stored_name: str | None) -> str | None:
        if not stored_name:
            return None
        if self.base is None:
            self.base = freeswitch_dir(self.domain, self.kind)
        return f"{self.base}/{stored_name}"


def _dest(row) -> Dest | None:
    return Dest.stored(row.dest_type, row.dest_id, row.dest_value)


def _load(by: str, params: dict) -> TenantConfig | None:
    """Build the TenantConfig from the rows of the graph statement; None when there is no tenant row."""
    tenant, users, forwards, groups, members = None, {}, defaultdict(list), {}, defaultdict(list)
    schedules, ranges, exceptions = {}, defaultdict(list), defaultdict(list)
    direct: dict[int, tuple[int, str]]  # user id -> (number row id, E.164)
    main: str | None
    numbers, direct, main, found, overflows = {}, {}, None, {}, set()
    user_boxes, shared_boxes, announcements, hold_music = {}, [], {}, None
    ceiling, premium_allowed, blocked = "international", True, []
    rows = read_rows(_graph_statement(by), params)  # psycopg's tuples: the statement is compiled once
    user_columns = _columns("user", "id", "extension", "name", "max_calls", "has_voicemail", "call_class",
                            "allow_premium", "caller_id_mode", "language", "mobile", "twin_delay")
    did_columns = _columns("did", "id", "e164", "is_main", "dest_type", "dest_id", "dest_value")
    for raw in rows:
        kind = raw[0]
        if kind == "user":
            (user_id, extension, name, max_calls, has_voicemail, call_class, allow_premium, caller_id_mode,
             language, mobile, twin_delay) = user_columns(raw)
            users[extension] = UserEntry(user_id, extension, name, max_calls, bool(has_voicemail), call_class,
                                         bool(allow_premium), caller_id_mode, language, mobile, twin_delay)
            continue
        if kind == "did":
            number_id, e164, is_main, dest_type, dest_id, dest_value = did_columns(raw)
            numbers[e164] = Dest(dest_type, dest_id, dest_value) if dest_type else None
            if is_main and main is None:
                main = e164
            if dest_type == "user" and dest_id is not None and (dest_id not in direct
                                                                or number_id < direct[dest_id][0]):
                direct[dest_id] = (number_id, e164)  # the oldest number pointing at the user, as the directory
            continue
        row = _named(raw)
        if kind == "member":
            members[row.ref].append((row.pos or 0, row.id,
                                     MemberEntry(row.user_id, row.external_number, row.ring_seconds)))
        elif kind == "fwd":
            forwards[row.ref].append(ForwardEntry(row.id, row.ref, row.kind, Dest(row.dest_type, row.dest_id,
                                                                                  row.dest_value),
                                                  bool(row.enabled), row.ring_seconds, row.schedule_id))
        elif kind == "range":
            ranges[row.ref].append((row.pos or 0, row.id,
                                    RangeEntry(row.days, row.start, row.end, _dest(row), row.label)))
        elif kind == "exception":
            exceptions[row.ref].append(ExceptionEntry(date.fromisoformat(str(row.day)[:10]), _dest(row),
                                                      bool(row.yearly), row.label))
        elif kind == "group":
            groups[row.id] = row
        elif kind == "schedule":
            schedules[row.id] = row
        elif kind == "overflow":
            overflows.add(row.id)
        elif kind == "tenant":
            tenant = row
        elif kind == "user_box":
            user_boxes[row.ref] = row
        elif kind == "shared_box":
            shared_boxes.append(row)
        elif kind == "announcement":
            announcements[row.e164] = row.audio
        elif kind == "call_policy":
            ceiling, premium_allowed = row.max_call_class or ceiling, bool(row.allow_premium)
        elif kind == "blocked":
            blocked.append((row.prefix, row.label or ""))
        elif kind == "hold_music" and (hold_music is None or row.id < hold_music):
            hold_music = row.id
        elif kind.startswith("target:"):
            service = kind.split(":", 1)[1]
            found[(service, row.id)] = ServiceTarget(service, row.id, row.key or str(row.id), row.label, row.number)
    if tenant is None:
        return None
    domain = tenant.domain
    greetings = _FileNames(domain, "greeting")
    boxes = {box.number: BoxSettings(box.language, greetings.path(box.greeting)) for box in shared_boxes}
    for user in users.values():
        if user.id in user_boxes:
            box = user_boxes[user.id]
            boxes[user.extension] = BoxSettings(box.language, greetings.path(box.greeting))
    prompts = _FileNames(domain, "prompt")
    return TenantConfig(
        language=tenant.language or "fr", boxes=boxes,
        announcements={e164: prompts.path(stored) for e164, stored in announcements.items()},
        hold_music=hold_music,
        tenant_id=tenant.id, domain=domain, name=tenant.name, timezone=tenant.timezone, country=tenant.country,
        max_calls=tenant.max_calls,
        users=users, forwards={uid: tuple(sorted(rules, key=lambda f: f.id)) for uid, rules in forwards.items()},
        groups={gid: GroupEntry(gid, g.name, g.strategy, g.ring_seconds,
                                tuple(m for _, _, m in sorted(members[gid])), _dest(g), g.extension, g.rotation or 0)
                for gid, g in groups.items()},
        schedules={sid: ScheduleEntry(sid, s.name, tuple(rng for _, _, rng in sorted(ranges[sid])),
                                      tuple(sorted(exceptions[sid], key=lambda e: e.day)), _dest(s),
                                      bool(s.closed))
                   for sid, s in schedules.items()},
        numbers=numbers, main_number=main, direct_numbers={uid: e164 for uid, (_, e164) in direct.items()},
        targets=found, queue_overflows=frozenset(overflows),
        call_ceiling=ceiling, premium_allowed=premium_allowed, blocked_prefixes=tuple(sorted(blocked)),
        settings=settings())
