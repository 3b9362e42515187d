"""Loads what the engine needs about a tenant, as plain values, in one query.

In `public` that is the DID and its tenant. In a tenant's context it is one UNION ALL statement for the
tenant row and its routing graph: users (routing columns only, never secrets), forwarding rules, ring
groups and members, schedules with ranges and exceptions, DIDs, and the service targets (IVR, queues…)
features declared. A round-robin group rung by the plan costs one UPDATE afterwards. The statements are
built once: building (and hashing) such a statement costs far more than running it."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import Integer, String, bindparam, case, cast, exists, literal, null, select, union_all, update

from centrex.answer_cache import cache, notify_change, read_by
from centrex.db import db, read_connection
from centrex.models.licence import LicensedFeature
from centrex.models import (AudioFile, BlockedPrefix, CallPolicy, CallQueue, ForwardRule, IvrEntry, IvrMenu,
                            MohClass, Number, NumberAnnouncement, RingGroup, RingGroupMember, Schedule,
                            ScheduleException, ScheduleRange, Tenant, User, UserVoicemail, VoicemailBox)
from centrex.routing import dialing, targets
from centrex.service_steps import parse_dialplan_address
from centrex.services.audio import freeswitch_dir
from centrex.services.destinations import resolve_address
from centrex.routing.plan import (BoxSettings, Call, Dest, ExceptionEntry, ForwardEntry, GroupEntry, MemberEntry,
                                  RangeEntry, RoutingSettings, ScheduleEntry, ServiceTarget, TenantConfig,
                                  UserEntry)

_TENANT_COLUMNS = (Tenant.id, Tenant.domain, Tenant.name, Tenant.timezone, Tenant.country, Tenant.max_calls)
_BY_DID = (select(*_TENANT_COLUMNS).join(Number, Number.tenant_id == Tenant.id)
           .where(Number.e164 == bindparam("did"), Tenant.status == "active"))
_INTS = 4
_TEXTS = 5


def settings() -> RoutingSettings:
    cfg = current_app.config
    return RoutingSettings(
        gateway=cfg.get("CARRIER_GATEWAY", "carrier"),
        ring_seconds=int(cfg.get("USER_RING_SECONDS", 30)),
        external_min_ring=int(cfg.get("EXTERNAL_MIN_RING_SECONDS", 20)),
        hop_limit=int(cfg.get("ROUTING_HOP_LIMIT", 12)),
        voicemail_access=cfg.get("PROV_VOICEMAIL_NUMBER", "*97"),  # what the phones' keys dial
        pickup_prefix=cfg.get("PROV_PICKUP_PREFIX", "**"),
    )


def load_config(call: Call) -> TenantConfig | None:
    """The configuration for a dialplan request: in `public`, of the tenant owning the dialled DID
    (just the tenant: the call is stamped and transferred); else of the active tenant named by the
    context. None when there is no such tenant or number."""
    if call.context == "public":
        did = dialing.carrier_e164(call.destination, current_app.config.get("CARRIER_COUNTRY", "CH"))
        if did is None:
            return None
        return cache.get(("routing-did", did), lambda: _tenant_by_did(did))
    return cache.get(("routing", call.context), lambda: _load("domain", {"domain": call.context}))


def load_address(config: TenantConfig, number: str) -> Dest | None:
    """The destination a dialled `dest-…` address stands for in this tenant (a menu key, a menu's
    timeout or wrong-key rule, a queue's overflow), or None. Cached like the graph."""
    address = parse_dialplan_address(number)
    if address is None:
        return None
    return cache.get(("routing-address", config.tenant_id, number), lambda: _resolve(config.tenant_id, address))


def _resolve(tenant_id: int, address) -> Dest | None:
    tenant = db.session.get(Tenant, tenant_id)
    found = resolve_address(tenant, address) if tenant is not None else None
    if found is None or not found.dest_type:
        return None
    return Dest(found.dest_type, found.dest_id, found.dest_value)


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
    """Round robin: the next call starts one member further. Flushes; the request commits."""
    if group_ids:
        db.session.execute(update(RingGroup)
                           .where(RingGroup.tenant_id == tenant_id, RingGroup.id.in_(sorted(group_ids)))
                           .values(rotation=RingGroup.rotation + 1))
        notify_change(db.session)  # cached routing graphs hold the old rotation


def _tenant_only(row) -> TenantConfig:
    return TenantConfig(tenant_id=row.id, domain=row.domain, name=row.name, timezone=row.timezone,
                        country=row.country, max_calls=row.max_calls, settings=settings())


# --- the routing graph in one query --------------------------------------------------------------


def _select(kind: str, id_col, *, ref=None, pos=None, ints=(), texts=()):
    ints = list(ints) + [None] * (_INTS - len(ints))
    texts = list(texts) + [None] * (_TEXTS - len(texts))

    def as_int(col):
        return cast(null(), Integer) if col is None else cast(col, Integer)

    def as_text(col):
        return cast(null(), String) if col is None else cast(col, String)

    columns = [literal(kind, String).label("kind"), as_int(id_col).label("id"), as_int(ref).label("ref"),
               as_int(pos).label("pos")]
    columns += [as_int(c).label(f"i{n}") for n, c in enumerate(ints, 1)]
    columns += [as_text(c).label(f"t{n}") for n, c in enumerate(texts, 1)]
    return select(*columns)


_statements: dict = {}


LICENCE_OF_SERVICE = {"ivr": "ivr", "queue": "queues", "conference": "conferences", "fax": "fax"}


def _graph_statement(by: str):
    """The UNION ALL for a tenant found by active domain or by id, per set of declared service models."""
    found = targets.specs()
    key = (by, tuple((spec.kind, spec.model, spec.key, spec.number, spec.label) for spec in found))
    statement = _statements.get(key)
    if statement is None:
        if by == "domain":
            tenant_id = (select(Tenant.id).where(Tenant.domain == bindparam("domain"), Tenant.status == "active")
                         .scalar_subquery())
        else:
            tenant_id = bindparam("tenant_id", type_=Integer)
        statement = _statements[key] = _graph_query(tenant_id, found)
    return statement


read_by(lambda: (_BY_DID, _graph_statement("domain")))


def _graph_query(tenant_id, found):
    has_vm = case((User.vm_a1_hash.is_not(None), 1), else_=0)
    parts = [
        _select("tenant", Tenant.id, ints=(Tenant.max_calls,),
                texts=(Tenant.domain, Tenant.name, Tenant.timezone, Tenant.country, Tenant.language))
        .where(Tenant.id == tenant_id),
        _select("user", User.id, ints=(User.max_calls, has_vm, User.allow_premium),
                texts=(User.extension, User.name, User.call_class, User.caller_id_mode, User.language))
        .where(User.tenant_id == tenant_id, User.enabled.is_(True)),
        # What voicemail plays: the box's language and uploaded greeting (a user's box, a shared box).
        _select("user_box", UserVoicemail.id, ref=UserVoicemail.user_id,
                texts=(UserVoicemail.language, AudioFile.stored_name))
        .outerjoin(AudioFile, AudioFile.id == UserVoicemail.greeting_id)
        .where(UserVoicemail.tenant_id == tenant_id),
        _select("shared_box", VoicemailBox.id, texts=(VoicemailBox.number, VoicemailBox.language, AudioFile.stored_name))
        .outerjoin(AudioFile, AudioFile.id == VoicemailBox.greeting_id)
        .where(VoicemailBox.tenant_id == tenant_id),
        # Early-media announcements per number, and the class of hold music played by default.
        _select("announcement", NumberAnnouncement.id, texts=(Number.e164, AudioFile.stored_name))
        .join(Number, Number.id == NumberAnnouncement.number_id)
        .join(AudioFile, AudioFile.id == NumberAnnouncement.audio_id)
        .where(NumberAnnouncement.tenant_id == tenant_id, NumberAnnouncement.enabled.is_(True)),
        _select("hold_music", MohClass.id).where(MohClass.tenant_id == tenant_id, MohClass.is_default.is_(True)),
        _select("fwd", ForwardRule.id, ref=ForwardRule.user_id,
                ints=(ForwardRule.enabled, ForwardRule.ring_seconds, ForwardRule.schedule_id, ForwardRule.dest_id),
                texts=(ForwardRule.kind, ForwardRule.dest_type, ForwardRule.dest_value))
        .where(ForwardRule.tenant_id == tenant_id),
        _select("group", RingGroup.id, ints=(RingGroup.ring_seconds, RingGroup.rotation, RingGroup.no_answer_id),
                texts=(RingGroup.name, RingGroup.extension, RingGroup.strategy, RingGroup.no_answer_type,
                       RingGroup.no_answer_value))
        .where(RingGroup.tenant_id == tenant_id),
        _select("member", RingGroupMember.id, ref=RingGroupMember.group_id, pos=RingGroupMember.position,
                ints=(RingGroupMember.user_id, RingGroupMember.ring_seconds),
                texts=(RingGroupMember.external_number,))
        .where(RingGroupMember.tenant_id == tenant_id),
        _select("schedule", Schedule.id, ints=(Schedule.default_id,),
                texts=(Schedule.name, Schedule.default_type, Schedule.default_value))
        .where(Schedule.tenant_id == tenant_id),
        _select("range", ScheduleRange.id, ref=ScheduleRange.schedule_id, pos=ScheduleRange.position,
                ints=(ScheduleRange.days, ScheduleRange.start_minute, ScheduleRange.end_minute, ScheduleRange.dest_id),
                texts=(ScheduleRange.label, ScheduleRange.dest_type, ScheduleRange.dest_value))
        .where(ScheduleRange.tenant_id == tenant_id),
        _select("exception", ScheduleException.id, ref=ScheduleException.schedule_id,
                ints=(ScheduleException.yearly, ScheduleException.dest_id),
                texts=(ScheduleException.day, ScheduleException.label, ScheduleException.dest_type,
                       ScheduleException.dest_value))
        .where(ScheduleException.tenant_id == tenant_id),
        _select("did", Number.id, ints=(Number.is_main, Number.dest_id),
                texts=(Number.e164, Number.dest_type, Number.dest_value))
        .where(Number.tenant_id == tenant_id),
        # Company-wide call rights: the ceiling on call classes, premium numbers, blocked prefixes.
        _select("call_policy", CallPolicy.id, ints=(CallPolicy.allow_premium,),
                texts=(CallPolicy.max_call_class,))
        .where(CallPolicy.tenant_id == tenant_id),
        _select("blocked", BlockedPrefix.id, texts=(BlockedPrefix.prefix, BlockedPrefix.label))
        .where(BlockedPrefix.tenant_id == tenant_id),
        _select("overflow", CallQueue.id, texts=(CallQueue.after_dest_type,))
        .where(CallQueue.tenant_id == tenant_id, CallQueue.after_dest_type.is_not(None)),
    ]
    for spec in found:
        model = spec.model
        target = (_select(f"target:{spec.kind}", model.id,
                          texts=(getattr(model, spec.key) if spec.key else model.id,
                                 getattr(model, spec.number) if spec.number else None,
                                 getattr(model, spec.label) if spec.label else None))
                  .where(model.tenant_id == tenant_id))
        feature = LICENCE_OF_SERVICE.get(spec.kind)
        if feature:  # a service taken out of the client's licence is no longer reached by any call
            target = target.where(exists().where(LicensedFeature.tenant_id == tenant_id,
                                                 LicensedFeature.feature == feature))
        parts.append(target)
    return union_all(*parts)


class _FileNames:
    """Audio file paths as FreeSWITCH opens them, for one tenant and kind of file."""

    def __init__(self, domain: str, kind: str):
        self.base = None
        self.domain, self.kind = domain, kind

    def path(self, stored_name: str | None) -> str | None:
        if not stored_name:
            return None
        if self.base is None:
            self.base = freeswitch_dir(self.domain, self.kind)
        return f"{self.base}/{stored_name}"


def _dest(kind, dest_id, value) -> Dest | None:
    return Dest(kind, dest_id, value) if kind else None


def _load(by: str, params: dict) -> TenantConfig | None:
    """Build the TenantConfig from the rows of the graph statement; None when there is no tenant row."""
    tenant, users, forwards, groups, members = None, {}, defaultdict(list), {}, defaultdict(list)
    schedules, ranges, exceptions = {}, defaultdict(list), defaultdict(list)
    numbers, direct, main, found, overflows = {}, {}, None, {}, set()
    user_boxes, shared_boxes, announcements, hold_music = {}, [], {}, None
    ceiling, premium_allowed, blocked = "international", True, []
    rows = read_connection().execute(_graph_statement(by), params).all()
    for kind, rid, ref, pos, i1, i2, i3, i4, t1, t2, t3, t4, t5 in rows:
        if kind == "user":
            users[t1] = UserEntry(rid, t1, t2, i1, bool(i2), t3, bool(i3), t4, t5)
        elif kind == "member":
            members[ref].append((pos or 0, rid, MemberEntry(i1, t1, i2)))
        elif kind == "did":
            numbers[t1] = _dest(t2, i2, t3)
            if i1 and main is None:
                main = t1
            if t2 == "user" and i2 is not None and (i2 not in direct or rid < direct[i2][0]):
                direct[i2] = (rid, t1)  # the oldest number pointing at the user, as the directory
        elif kind == "fwd":
            forwards[ref].append(ForwardEntry(rid, ref, t1, Dest(t2, i4, t3), bool(i1), i2, i3))
        elif kind == "range":
            ranges[ref].append((pos or 0, rid, RangeEntry(i1, i2, i3, _dest(t2, i4, t3), t1)))
        elif kind == "exception":
            exceptions[ref].append(ExceptionEntry(date.fromisoformat(str(t1)[:10]), _dest(t3, i2, t4), bool(i1), t2))
        elif kind == "group":
            groups[rid] = (t1, t3, i1, _dest(t4, i3, t5), t2, i2 or 0)
        elif kind == "schedule":
            schedules[rid] = (t1, _dest(t2, i1, t3))
        elif kind == "overflow":
            overflows.add(rid)
        elif kind == "tenant":
            tenant = (rid, t1, t2, t3, t4, i1, t5)
        elif kind == "user_box":
            user_boxes[ref] = (t1, t2)
        elif kind == "shared_box":
            shared_boxes.append((t1, t2, t3))
        elif kind == "announcement":
            announcements[t1] = t2
        elif kind == "call_policy":
            ceiling, premium_allowed = t1 or ceiling, bool(i1)
        elif kind == "blocked":
            blocked.append((t1, t2 or ""))
        elif kind == "hold_music" and (hold_music is None or rid < hold_music):
            hold_music = rid
        elif kind.startswith("target:"):
            service = kind.split(":", 1)[1]
            found[(service, rid)] = ServiceTarget(service, rid, t1 or str(rid), t3, t2)
    if tenant is None:
        return None
    tenant_id, domain, name, tz_name, country, max_calls, language = tenant
    greetings = _FileNames(domain, "greeting")
    boxes = {number: BoxSettings(lang, greetings.path(stored))
             for number, lang, stored in shared_boxes}
    for user in users.values():
        if user.id in user_boxes:
            lang, stored = user_boxes[user.id]
            boxes[user.extension] = BoxSettings(lang, greetings.path(stored))
    prompts = _FileNames(domain, "prompt")
    return TenantConfig(
        language=language or "fr", boxes=boxes,
        announcements={e164: prompts.path(stored) for e164, stored in announcements.items()},
        hold_music=hold_music,
        tenant_id=tenant_id, domain=domain, name=name, timezone=tz_name, country=country, max_calls=max_calls,
        users=users, forwards={uid: tuple(sorted(rules, key=lambda f: f.id)) for uid, rules in forwards.items()},
        groups={gid: GroupEntry(gid, g_name, strategy, seconds, tuple(m for _, _, m in sorted(members[gid])),
                                no_answer, extension, rotation)
                for gid, (g_name, strategy, seconds, no_answer, extension, rotation) in groups.items()},
        schedules={sid: ScheduleEntry(sid, s_name, tuple(rng for _, _, rng in sorted(ranges[sid])),
                                      tuple(sorted(exceptions[sid], key=lambda e: e.day)), default)
                   for sid, (s_name, default) in schedules.items()},
        numbers=numbers, main_number=main, direct_numbers={uid: e164 for uid, (_, e164) in direct.items()},
        targets=found, queue_overflows=frozenset(overflows),
        call_ceiling=ceiling, premium_allowed=premium_allowed, blocked_prefixes=tuple(sorted(blocked)),
        settings=settings())
