"""route(config, call, at) -> Plan. No database, no Flask, no FreeSWITCH in here.

A plan is a short list of steps that ends either in something that keeps the call (voicemail, IVR,
queue…), a hang-up, or a Ring whose `fallback` says where each failure outcome goes. The switch then
comes back with the outcome (a continuation) and the engine runs again from that fallback, at that
moment: a schedule met after 30 s of ringing is evaluated 30 s later. For the dry run (`expand=True`)
the engine follows every fallback itself, at the time it would happen."""
from __future__ import annotations

from datetime import datetime, timedelta

from centrex.routing.engine import dialing
from centrex.routing.engine.destinations import ADDRESS_PREFIX, dialplan_address, owner_destination
from centrex.routing.engine.outbound import OutboundRules
from centrex.routing.engine.outcomes import end_cause
from centrex.routing.engine.plan import (
    OUTCOMES,
    Announcement,
    Application,
    Call,
    Decision,
    Dest,
    EnterTenant,
    GroupEntry,
    Hangup,
    HoldMusic,
    KeepLimits,
    Leg,
    Limit,
    Note,
    Park,
    Pickup,
    Plan,
    PlayError,
    ReceiveFax,
    Ring,
    StampTenant,
    TenantConfig,
    Transfer,
    UserEntry,
    Voicemail,
)
from centrex.routing.engine.schedule import evaluate, hhmm, is_open

EXPAND_BUDGET = 200  # steps a dry run may write, whatever the configuration

_CAUSE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
SKIP = "skip"  # fallback entry (not an outcome): the user the forwarding comes from


def _skipped(fallback: dict) -> frozenset[int]:
    dest = fallback.get(SKIP)
    return frozenset((dest.id,)) if dest is not None and dest.kind == "user" and dest.id is not None else frozenset()


def route(config: TenantConfig, call: Call, at: datetime, *, expand: bool = False) -> Plan:
    """The plan for `call` at instant `at` (aware; naive is taken as UTC)."""
    router = _Router(config, call, expand)
    plan = Plan(tenant_id=config.tenant_id, context=call.context, domain=config.domain, at=at,
                gateway=config.settings.gateway)
    if call.context == "public":
        router.public(plan)
    elif call.continuation is not None:
        router.resume(plan, at)
    else:
        router.fresh(plan, at)
    return plan


class _Router(OutboundRules):
    def __init__(self, config: TenantConfig, call: Call, expand: bool):
        self.config = config
        self.call = call
        self.expand = expand
        self.budget = EXPAND_BUDGET
        self.settings = config.settings
        self.presented = self._presented_number()
        self.did: str | None = None  # the company number the call came in on, if any
        # Users not to ring again: the one whose busy/no-answer/offline forwarding brought the call here.
        self.skip_users: frozenset[int] = frozenset()

    # --- entry points --------------------------------------------------------------------------

    def public(self, plan: Plan) -> None:
        """A carrier call to one of the tenant's DIDs: stamp the tenant on the channel, count it
        against the tenant's cap, and continue in the tenant's context with the DID as number."""
        c = self.config
        did = dialing.carrier_e164(self.call.destination, c.country) or self.call.destination
        plan.then(EnterTenant(c.domain), Note.of("public_did", number=did, tenant=c.name or c.domain))
        plan.then(StampTenant(c.tenant_id, c.domain), Note.of("tenant_stamp", tenant=c.domain))
        plan.then(KeepLimits(), Note.of("keep_limits"))
        plan.then(Limit("tenant", c.domain, c.max_calls, "USER_BUSY"),
                  Note.of("tenant_limit", max=c.max_calls))
        plan.then(Transfer(did, c.domain), Note.of("enter_tenant", number=did, context=c.domain))

    def fresh(self, plan: Plan, at: datetime) -> None:
        c, number = self.config, self.call.destination
        if self.call.move_from is not None:  # a desk phone's *1, run on the other party's leg
            return self.move_to_mobile(plan, c.users.get(self.call.move_from))
        caller = c.users.get(self.call.caller_user or "")
        if caller is not None and dialing.is_emergency(dialing.clean(number), c.country) \
                and not number.startswith(("+", "0")):
            return self.emergency(plan, caller, dialing.clean(number))
        if caller is not None:
            plan.then(KeepLimits(), Note.of("keep_limits"))
            plan.then(Limit("user", caller.extension, caller.max_calls, "USER_BUSY"),
                      Note.of("user_limit", name=caller.name, max=caller.max_calls))
        if c.hold_music is not None:  # on every leg of the call: the party put on hold hears the holder's music
            plan.then(HoldMusic(c.hold_music), Note.of("hold_music"))
        if caller is not None and number == self.settings.voicemail_access:
            if not caller.has_voicemail:
                return self.error(plan, "UNALLOCATED_NUMBER", Note.of("no_voicemail", name=caller.name))
            box = caller.extension
            return self.end(plan, Voicemail(box, check=True, language=self.box_language(box, caller)),
                            Note.of("voicemail_check", box=caller.extension))
        prefix = self.settings.pickup_prefix
        if caller is not None and prefix and number.startswith(prefix) and number[len(prefix):] in c.users:
            picked = c.users[number[len(prefix):]]
            return self.end(plan, Pickup(picked.extension), Note.of("pickup", name=picked.name))
        slot = self.park_slot(number)
        if caller is not None and slot is not None:
            return self.end(plan, Park(slot), Note.of("park", slot=slot))
        if number.startswith(ADDRESS_PREFIX):  # a menu key, a menu's timeout, a queue's overflow…
            if self.call.address is None:
                return self.error(plan, "UNALLOCATED_NUMBER", Note.of("number_unassigned", number=number))
            return self.dest(plan, self.call.address, at, 0)
        internal = self.internal_destination(number)
        if internal is not None:
            return self.dest(plan, internal, at, 0)
        did = dialing.carrier_e164(number, c.country)
        if did is not None and did in c.numbers:
            target, self.did = c.numbers[did], did
            if target is None:
                return self.error(plan, "UNALLOCATED_NUMBER", Note.of("number_unassigned", number=did))
            if did in c.announcements:
                plan.then(Announcement(c.announcements[did]), Note.of("announcement", number=did))
            return self.dest(plan, target, at, 0,
                             why=Note.of("own_number" if caller else "incoming_did", number=did))
        if caller is not None:
            return self.outbound(plan, caller, number)
        self.error(plan, "UNALLOCATED_NUMBER", Note.of("unallocated", number=number, tenant=c.domain))

    def resume(self, plan: Plan, at: datetime) -> None:
        cont = self.call.continuation
        dest = cont.fallback.get(cont.outcome) or cont.fallback.get("failed")
        self.skip_users = _skipped(cont.fallback)
        if dest is None:
            plan.then(Hangup(end_cause(cont.outcome)), Note.of("no_fallback", outcome=cont.outcome))
            return
        self.dest(plan, dest, at, cont.hops, after=cont.fallback.get("then"),
                  why=Note.of("continuation", outcome=cont.outcome))

    def park_slot(self, number: str) -> str | None:
        """The parking slot (1-9) a park code names (e.g. *61), else None."""
        prefix = self.settings.park_prefix
        rest = number[len(prefix):] if prefix and number.startswith(prefix) else ""
        return rest if len(rest) == 1 and rest in "123456789" else None

    # --- destinations --------------------------------------------------------------------------

    def internal_destination(self, number: str) -> Dest | None:
        """An extension, a group's or a service's short number of this tenant."""
        c = self.config
        user = c.users.get(number)
        if user is not None:
            return Dest("user", user.id)
        for group in c.groups.values():
            if group.extension and group.extension == number:
                return Dest("ring_group", group.id)
        for target in c.targets.values():
            if target.number and target.number == number:
                return Dest(target.kind, target.id)
        return None

    def dest(self, plan: Plan, dest: Dest, at: datetime, hops: int, *, after: Dest | None = None,
             why: Note | None = None) -> None:
        """Append the steps that send the call to `dest`. `after`: where a plain external number goes
        when it fails (the voicemail of the user who forwarded there)."""
        hops += 1
        if why is not None:
            plan.then(Decision(), why)
        if hops > self.settings.hop_limit:
            return self.end(plan, Hangup("EXCHANGE_ROUTING_ERROR"),
                            Note.of("hop_limit", limit=self.settings.hop_limit))
        kind, c = dest.kind, self.config
        if kind == "user":
            user = c.user_by_id(dest.id)
            if user is None:
                return self.missing(plan, dest)
            return self.user(plan, user, at, hops)
        if kind == "ring_group":
            group = c.groups.get(dest.id)
            if group is None:
                return self.missing(plan, dest)
            return self.group(plan, group, at, hops, after)
        if kind == "schedule":
            return self.schedule(plan, dest, at, hops, after)
        if kind == "external":
            return self.external(plan, dest, at, hops, after)
        if kind == "voicemail":
            box = self.voicemail_box(dest)
            if box is None:
                return self.missing(plan, dest)
            settings = c.boxes.get(box)
            step = Voicemail(box, language=self.box_language(box, c.users.get(box)),
                             greeting=settings.greeting if settings else None)
            return self.end(plan, step, Note.of("voicemail_greeting" if step.greeting else "voicemail", box=box))
        if kind in ("ivr", "queue", "conference", "fax"):
            return self.service(plan, dest)
        if kind == "access":
            return self.access(plan)
        if kind == "hangup":
            cause = dest.value if dest.value and set(dest.value) <= _CAUSE_CHARS else "NORMAL_CLEARING"
            return self.end(plan, Hangup(cause), Note.of("hangup", cause=cause))
        return self.missing(plan, dest)

    def user(self, plan: Plan, user: UserEntry, at: datetime, hops: int) -> None:
        rules = self.active_forwards(user, at)
        voicemail = Dest("voicemail", value=user.extension) if user.has_voicemail else None
        always = rules.get("always")
        if always is not None:
            return self.dest(plan, always.dest, at, hops, after=voicemail,
                             why=Note.of("forward_always", name=user.name, target=self.label(always.dest)))
        no_answer = rules.get("no_answer")
        seconds = (no_answer.ring_seconds if no_answer and no_answer.ring_seconds else self.settings.ring_seconds)
        busy, offline = rules.get("busy"), rules.get("offline")
        fallback = {
            "busy": busy.dest if busy else voicemail or Dest("hangup", value="USER_BUSY"),
            "no_answer": no_answer.dest if no_answer else voicemail or Dest("hangup", value="NO_ANSWER"),
            "offline": (offline.dest if offline else no_answer.dest if no_answer
                        else voicemail or Dest("hangup", value="USER_NOT_REGISTERED")),
            "failed": voicemail or Dest("hangup", value="NORMAL_TEMPORARY_FAILURE"),
        }
        if voicemail is not None and any(d != voicemail for d in fallback.values()):
            fallback["then"] = voicemail
        if any(d.kind in ("ring_group", "schedule") for d in fallback.values()):
            fallback[SKIP] = Dest("user", user.id)  # a team he belongs to must not ring him again
        legs, timeout = [Leg("user", user.extension, seconds, label=user.name)], seconds
        twin = self.twin(plan, user, seconds)
        if twin is not None:
            legs.append(twin)
            timeout = twin.ring_seconds
        ring = Ring(tuple(legs), "simultaneous", timeout, tuple(fallback.items()), hops,
                    move_from=user.extension if twin is not None else None)
        self.ring(plan, ring, at, Note.of("ring_user", name=user.name, extension=user.extension, seconds=seconds))

    def group(self, plan: Plan, group: GroupEntry, at: datetime, hops: int, after: Dest | None) -> None:
        members = list(group.members)
        if group.strategy == "round_robin" and members:
            start = group.rotation % len(members)
            members = members[start:] + members[:start]
            plan.rotations.add(group.id)
        legs = []
        for member in members:
            seconds = member.ring_seconds or group.ring_seconds
            if member.user_id is not None:
                user = self.config.user_by_id(member.user_id)
                if user is not None and user.id in self.skip_users:
                    plan.then(Decision(), Note.of("group_skips_origin", name=user.name, extension=user.extension,
                                                  group=group.name))
                elif user is not None:
                    legs.append(Leg("user", user.extension, seconds, label=user.name))
            else:
                number = self.callable_external(member.external)
                if number is not None:
                    legs.append(Leg("external", number, max(seconds, self.settings.external_min_ring),
                                    label=number, caller_id=self.presented))
        target = group.no_answer or after or Dest("hangup", value="NO_ANSWER")
        if not legs:
            return self.dest(plan, target, at, hops, why=Note.of("group_empty", name=group.name))
        mode = "simultaneous" if group.strategy == "simultaneous" else "sequential"
        timeout = (max(leg.ring_seconds for leg in legs) if mode == "simultaneous"
                   else sum(leg.ring_seconds for leg in legs))
        fallback = [(o, target) for o in OUTCOMES]
        if after is not None and after != target:
            fallback.append(("then", after))
        self.ring(plan, Ring(tuple(legs), mode, timeout, tuple(fallback), hops), at,
                  Note.of(f"ring_group_{group.strategy}", name=group.name, count=len(legs), seconds=timeout))

    def schedule(self, plan: Plan, dest: Dest, at: datetime, hops: int, after: Dest | None) -> None:
        schedule = self.config.schedules.get(dest.id)
        if schedule is None:
            return self.missing(plan, dest)
        match = evaluate(schedule, at, self.config.timezone)
        when = match.local.strftime("%Y-%m-%d %H:%M")
        if match.kind == "closed":
            why = Note.of("schedule_closed", name=schedule.name, when=when)
        elif match.kind == "exception":
            why = Note.of("schedule_exception", name=schedule.name, when=when, label=match.exception.label or "")
        elif match.kind == "range":
            rng = match.range
            why = Note.of("schedule_range", name=schedule.name, when=when, label=rng.label or "",
                          start=hhmm(rng.start), end=hhmm(rng.end % 1440))
        else:
            why = Note.of("schedule_default", name=schedule.name, when=when)
        self.dest(plan, match.dest or Dest("hangup", value="NORMAL_CLEARING"), at, hops, after=after, why=why)

    def external(self, plan: Plan, dest: Dest, at: datetime, hops: int, after: Dest | None) -> None:
        c = self.config
        did = dialing.carrier_e164(dest.value or "", c.country)
        if did is not None and did in c.numbers and c.numbers[did] is not None:
            return self.dest(plan, c.numbers[did], at, hops, after=after, why=Note.of("own_number", number=did))
        number = self.callable_external(dest.value)
        if number is None:
            return self.error(plan, "INVALID_NUMBER_FORMAT", Note.of("bad_external", number=dest.value or ""))
        seconds = max(self.settings.ring_seconds, self.settings.external_min_ring)
        target = after or Dest("hangup", value="NO_ANSWER")
        leg = Leg("external", number, seconds, label=number, caller_id=self.presented)
        self.ring(plan, Ring((leg,), "simultaneous", seconds, tuple((o, target) for o in OUTCOMES), hops), at,
                  Note.of("ring_external", number=number, seconds=seconds))

    def service(self, plan: Plan, dest: Dest) -> None:
        c = self.config
        target = c.targets.get((dest.kind, dest.id)) if dest.id is not None else None
        if target is None:
            return self.missing(plan, dest)
        label = target.label or target.key
        if dest.kind == "ivr":
            return self.end(plan, Application("ivr", target.id, target.key),
                            Note.of("ivr", name=label))
        if dest.kind == "queue":
            then = (dialplan_address(owner_destination("queue_after", target.id))
                    if target.id in c.queue_overflows else None)
            return self.end(plan, Application("queue", target.id, target.key, then),
                            Note.of("queue", name=label))
        if dest.kind == "conference":
            return self.end(plan, Application("conference", target.id, target.key, language=c.language),
                            Note.of("conference", name=label))
        self.end(plan, ReceiveFax(target.id, self.did or c.main_number, c.name), Note.of("fax", name=label))

    def voicemail_box(self, dest: Dest) -> str | None:
        c = self.config
        if dest.id is not None:
            target = c.targets.get(("voicemail", dest.id))
            return target.key if target else None
        user = c.users.get(dest.value or "")
        if user is not None and user.has_voicemail:
            return user.extension
        for target in c.targets.values():
            if target.kind == "voicemail" and target.key == dest.value:
                return target.key
        return None

    def box_language(self, box: str, owner: UserEntry | None) -> str:
        """The box's own language, else its owner's, else the company's."""
        settings = self.config.boxes.get(box)
        return (settings and settings.language) or (owner and owner.language) or self.config.language

    # --- plumbing ------------------------------------------------------------------------------

    def label(self, dest: Dest) -> str:
        """A destination as people name it: "Alain Dupont (1001)", "Ventes", "+41791234567"."""
        c, kind = self.config, dest.kind
        if kind == "user":
            user = c.user_by_id(dest.id)
            return f"{user.name} ({user.extension})" if user else f"user #{dest.id}"
        if kind == "ring_group":
            group = c.groups.get(dest.id)
            return group.name if group else f"ring_group #{dest.id}"
        if kind == "schedule":
            schedule = c.schedules.get(dest.id)
            return schedule.name if schedule else f"schedule #{dest.id}"
        if kind in ("external", "hangup") or (kind == "voicemail" and dest.id is None):
            return f"{kind} {dest.value or ''}".strip()
        target = c.targets.get((kind, dest.id))
        return f"{kind} {target.label or target.key}" if target else f"{kind} #{dest.id}"

    def active_forwards(self, user: UserEntry, at: datetime) -> dict:
        rules = {}
        for rule in self.config.forwards.get(user.id, ()):
            if not rule.enabled or rule.kind in rules:
                continue
            if rule.schedule_id is not None:
                schedule = self.config.schedules.get(rule.schedule_id)
                if schedule is None or not is_open(schedule, at, self.config.timezone):
                    continue
            rules[rule.kind] = rule
        return rules

    def ring(self, plan: Plan, ring: Ring, at: datetime, why: Note) -> None:
        self.end(plan, ring, why)
        if not self.expand or not ring.fallback:
            return
        index = len(plan.steps) - 1
        then = dict(ring.fallback).get("then")
        skip = _skipped(dict(ring.fallback))
        by_dest: dict[Dest, list[str]] = {}
        for outcome, dest in ring.fallback:
            if outcome not in ("then", SKIP):
                by_dest.setdefault(dest, []).append(outcome)
        branches = []
        for dest, outcomes in by_dest.items():
            # Busy and offline come back at once; "no answer" after the ringing time.
            later = at + timedelta(seconds=ring.timeout) if "no_answer" in outcomes else at
            sub = Plan(tenant_id=plan.tenant_id, context=plan.domain, domain=plan.domain, at=later,
                       gateway=plan.gateway)
            if self.budget <= 0:
                sub.then(Decision(), Note.of("truncated"))
            else:  # as the continuation would: only this ring's own "skip" applies there
                outer, self.skip_users = self.skip_users, skip
                self.dest(sub, dest, later, ring.hops, after=then)
                self.skip_users = outer
            plan.rotations |= sub.rotations
            branches.append((tuple(outcomes), sub))
        plan.branches[index] = branches

    def end(self, plan: Plan, step, why: Note) -> None:
        self.budget -= 1
        plan.then(step, why)

    def missing(self, plan: Plan, dest: Dest) -> None:
        self.error(plan, "UNALLOCATED_NUMBER", Note.of("missing_target", kind=dest.kind, target=self.label(dest)))

    def error(self, plan: Plan, cause: str, why: Note) -> None:
        self.end(plan, PlayError(cause), why)
