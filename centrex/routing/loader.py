"""Loads what the engine needs about a tenant, as plain values, in few queries.

A dialplan request costs one query for the tenant (or, in `public`, for the DID and its tenant) and one
UNION ALL query for the tenant's routing graph: users (routing columns only, never secrets), forwarding
rules, ring groups and members, schedules with ranges and exceptions, DIDs, and the service targets
(IVR, queues…) features declared. A round-robin group rung by the plan costs one UPDATE afterwards."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import Integer, String, case, cast, literal, null, select, union_all, update

from centrex.db import db
from centrex.models import (ForwardRule, Number, RingGroup, RingGroupMember, Schedule, ScheduleException,
                            ScheduleRange, Tenant, User)
from centrex.routing import dialing, targets
from centrex.routing.plan import (Call, Dest, ExceptionEntry, ForwardEntry, GroupEntry, MemberEntry,
                                  RangeEntry, RoutingSettings, ScheduleEntry, ServiceTarget, TenantConfig,
                                  UserEntry)

_TENANT_COLUMNS = (Tenant.id, Tenant.domain, Tenant.name, Tenant.timezone, Tenant.country, Tenant.max_calls)
_INTS = 4
_TEXTS = 5


def settings() -> RoutingSettings:
    cfg = current_app.config
    return RoutingSettings(
        gateway=cfg.get("CARRIER_GATEWAY", "carrier"),
        ring_seconds=int(cfg.get("USER_RING_SECONDS", 30)),
        external_min_ring=int(cfg.get("EXTERNAL_MIN_RING_SECONDS", 20)),
        hop_limit=int(cfg.get("ROUTING_HOP_LIMIT", 12)),
        fax_spool=cfg.get("FAX_SPOOL_DIR", "/var/spool/centrex/fax"),
    )


def load_config(call: Call) -> TenantConfig | None:
    """The configuration for a dialplan request: in `public`, of the tenant owning the dialled DID
    (just the tenant: the call is stamped and transferred); else of the active tenant named by the
    context. None when there is no such tenant or number."""
    if call.context == "public":
        did = dialing.carrier_e164(call.destination, current_app.config.get("CARRIER_COUNTRY", "CH"))
        if did is None:
            return None
        row = db.session.execute(
            select(*_TENANT_COLUMNS).join(Number, Number.tenant_id == Tenant.id)
            .where(Number.e164 == did, Tenant.status == "active")).first()
        return _tenant_only(row) if row else None
    row = db.session.execute(select(*_TENANT_COLUMNS)
                             .where(Tenant.domain == call.context, Tenant.status == "active")).first()
    return load_graph(row) if row else None


def load_tenant_config(tenant_id: int) -> TenantConfig | None:
    row = db.session.execute(select(*_TENANT_COLUMNS).where(Tenant.id == tenant_id)).first()
    return load_graph(row) if row else None


def advance_rotations(tenant_id: int, group_ids) -> None:
    """Round robin: the next call starts one member further. Flushes; the request commits."""
    if group_ids:
        db.session.execute(update(RingGroup)
                           .where(RingGroup.tenant_id == tenant_id, RingGroup.id.in_(sorted(group_ids)))
                           .values(rotation=RingGroup.rotation + 1))


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


def _graph_query(tenant_id: int):
    has_vm = case((User.vm_a1_hash.is_not(None), 1), else_=0)
    parts = [
        _select("user", User.id, ints=(User.max_calls, has_vm, User.allow_premium),
                texts=(User.extension, User.name, User.call_class, User.caller_id_mode))
        .where(User.tenant_id == tenant_id, User.enabled.is_(True)),
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
    ]
    for spec in targets.specs():
        model = spec.model
        parts.append(
            _select(f"target:{spec.kind}", model.id,
                    texts=(getattr(model, spec.key) if spec.key else model.id,
                           getattr(model, spec.number) if spec.number else None,
                           getattr(model, spec.label) if spec.label else None))
            .where(model.tenant_id == tenant_id))
    return union_all(*parts)


def _dest(kind, dest_id, value) -> Dest | None:
    return Dest(kind, dest_id, value) if kind else None


def load_graph(tenant) -> TenantConfig:
    """Build the TenantConfig of `tenant` (a row with id, domain, name, timezone, country, max_calls)."""
    users, forwards, groups, members = {}, defaultdict(list), {}, defaultdict(list)
    schedules, ranges, exceptions = {}, defaultdict(list), defaultdict(list)
    numbers, direct, main, found = {}, {}, None, {}
    for r in db.session.execute(_graph_query(tenant.id)):
        kind = r.kind
        if kind == "user":
            users[r.t1] = UserEntry(r.id, r.t1, r.t2, r.i1, bool(r.i2), r.t3, bool(r.i3), r.t4)
        elif kind == "fwd":
            forwards[r.ref].append(ForwardEntry(r.id, r.ref, r.t1, Dest(r.t2, r.i4, r.t3), bool(r.i1), r.i2, r.i3))
        elif kind == "group":
            groups[r.id] = r
        elif kind == "member":
            members[r.ref].append((r.pos or 0, r.id, MemberEntry(r.i1, r.t1, r.i2)))
        elif kind == "schedule":
            schedules[r.id] = r
        elif kind == "range":
            ranges[r.ref].append((r.pos or 0, r.id, RangeEntry(r.i1, r.i2, r.i3, _dest(r.t2, r.i4, r.t3), r.t1)))
        elif kind == "exception":
            day = date.fromisoformat(str(r.t1)[:10])
            exceptions[r.ref].append(ExceptionEntry(day, _dest(r.t3, r.i2, r.t4), bool(r.i1), r.t2))
        elif kind == "did":
            numbers[r.t1] = _dest(r.t2, r.i2, r.t3)
            if r.i1 and main is None:
                main = r.t1
            if r.t2 == "user" and r.i2 is not None and (r.i2 not in direct or r.id < direct[r.i2][0]):
                direct[r.i2] = (r.id, r.t1)  # the oldest number pointing at the user, as the directory
        elif kind.startswith("target:"):
            service = kind.split(":", 1)[1]
            found[(service, r.id)] = ServiceTarget(service, r.id, r.t1 or str(r.id), r.t3, r.t2)
    return TenantConfig(
        tenant_id=tenant.id, domain=tenant.domain, name=tenant.name, timezone=tenant.timezone,
        country=tenant.country, max_calls=tenant.max_calls, users=users,
        forwards={uid: tuple(sorted(rules, key=lambda f: f.id)) for uid, rules in forwards.items()},
        groups={gid: GroupEntry(gid, g.t1, g.t3, g.i1, tuple(m for _, _, m in sorted(members[gid])),
                                _dest(g.t4, g.i3, g.t5), g.t2, g.i2 or 0) for gid, g in groups.items()},
        schedules={sid: ScheduleEntry(sid, s.t1, tuple(rng for _, _, rng in sorted(ranges[sid])),
                                      tuple(sorted(exceptions[sid], key=lambda e: e.day)),
                                      _dest(s.t2, s.i1, s.t3)) for sid, s in schedules.items()},
        numbers=numbers, main_number=main, direct_numbers={uid: e164 for uid, (_, e164) in direct.items()},
        targets=found, settings=settings())
