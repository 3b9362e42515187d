"""Calls leaving the company (the outbound half of the routing engine): emergency numbers, call classes
and premium rates of the user and the company, blocked prefixes, the caller ID shown outside, and a user's
mobile (the twin that rings with their phones, moving a call to it, the access number it calls out
through): an outgoing call like any other. Pure, as the engine: mixed into its router, which provides
`config`, `settings`, `call`, `presented` and `error`."""
from __future__ import annotations

from collections.abc import Callable

from centrex.routing.engine import dialing
from centrex.routing.engine.plan import (
    AccessPrompt,
    Call,
    Decision,
    Leg,
    Limit,
    MoveToMobile,
    Note,
    Plan,
    Ring,
    RoutingSettings,
    TenantConfig,
    UserEntry,
)


class OutboundRules:
    # provided by the engine's router
    config: TenantConfig
    settings: RoutingSettings
    call: Call
    presented: str | None
    error: Callable[[Plan, str, Note], None]

    def emergency(self, plan: Plan, caller: UserEntry, digits: str) -> None:
        leg = Leg("external", digits, self.settings.outbound_timeout, label=digits,
                  caller_id=self.caller_number(caller))
        plan.then(Ring((leg,), "simultaneous", self.settings.outbound_timeout),
                  Note.of("emergency", number=digits))

    def outbound(self, plan: Plan, caller: UserEntry, number: str) -> None:
        c = self.config
        dialled = dialing.classify(number, c.country)
        blocked = self.blocked_prefix(dialled.number if dialled.kind != "invalid" else number)
        if blocked is not None:  # before validity: a refused range is refused, listed in the plan or not
            prefix, label = blocked
            return self.error(plan, "OUTGOING_CALL_BARRED", Note.of(
                "prefix_blocked", number=dialled.number, prefix=prefix, label=label or prefix))
        if dialled.kind == "invalid":
            return self.error(plan, "INVALID_NUMBER_FORMAT", Note.of("invalid_number", number=number))
        if not dialing.allowed(caller.call_class, dialled.needs):
            return self.error(plan, "OUTGOING_CALL_BARRED", Note.of(
                "class_denied", number=dialled.number, name=caller.name, call_class=caller.call_class,
                needs=dialled.needs))
        if not dialing.allowed(c.call_ceiling, dialled.needs):
            return self.error(plan, "OUTGOING_CALL_BARRED", Note.of(
                "class_ceiling", number=dialled.number, call_class=c.call_ceiling, needs=dialled.needs))
        if dialled.premium and not c.premium_allowed:
            return self.error(plan, "OUTGOING_CALL_BARRED", Note.of("premium_company", number=dialled.number))
        if dialled.premium and not caller.allow_premium:
            return self.error(plan, "OUTGOING_CALL_BARRED", Note.of("premium_denied", number=dialled.number))
        plan.then(Limit("tenant", c.domain, c.max_calls, "NORMAL_CIRCUIT_CONGESTION"),
                  Note.of("tenant_limit", max=c.max_calls))
        seconds = self.settings.outbound_timeout
        leg = Leg("external", dialled.number, seconds, label=dialled.number, caller_id=self.caller_number(caller))
        plan.then(Ring((leg,), "simultaneous", seconds, caller_id_name=c.name or None),
                  Note.of("outbound", number=dialled.number, kind=dialled.kind,
                          caller_id=self.caller_number(caller) or "-"))

    def blocked_prefix(self, number: str) -> tuple[str, str] | None:
        """The company's blocked (prefix, label) the number falls in, dialled as +…, 00… or 0…."""
        if not self.config.blocked_prefixes:
            return None
        e164 = dialing.carrier_e164(number, self.config.country) if not number.startswith("+") else number
        if not e164:
            return None
        return next(((p, label) for p, label in self.config.blocked_prefixes if e164.startswith(p)), None)

    def caller_number(self, user: UserEntry) -> str | None:
        direct = self.config.direct_numbers.get(user.id)
        if user.caller_id_mode == "main":
            return self.config.main_number or direct
        return direct or self.config.main_number

    def twin(self, plan: Plan, user: UserEntry, seconds: int) -> Leg | None:
        """The user's mobile twin, ringing with the phones after its delay and at least the minimum time a
        mobile needs; its ring time counts from the start of the call, as FreeSWITCH's leg_timeout does."""
        if user.twin_delay is None or not user.mobile:
            return None
        number, refused = self.twin_number(user)
        if number is None:
            plan.then(Decision(), Note.of(refused, name=user.name, number=user.mobile))
            return None
        delay = user.twin_delay
        total = max(seconds, delay + self.settings.external_min_ring)
        plan.then(Decision(), Note.of("twin", name=user.name, number=number, delay=delay, seconds=total - delay))
        return Leg("external", number, total, label=f"{user.name} (mobile)", caller_id=self.presented, delay=delay)

    def access(self, plan: Plan) -> None:
        """A call to the company's access number: only from a user's mobile (by caller ID; the PIN asked
        next proves it), and only from outside."""
        c = self.config
        number = dialing.carrier_e164(self.call.caller, c.country)
        user = next((u for u in c.users.values() if number and u.mobile == number and u.has_voicemail), None)
        if self.call.caller_user is not None or user is None:
            return self.error(plan, "CALL_REJECTED", Note.of("access_unknown", number=self.call.caller or "-"))
        plan.then(AccessPrompt(user.extension), Note.of("access_prompt", name=user.name, number=number))

    def move_to_mobile(self, plan: Plan, user: UserEntry | None) -> None:
        """The call moves from the user's desk phone to their twin mobile. Refused quietly (nothing happens,
        the call goes on at the desk) when the user has no twin any more or may not call it: the other
        party's leg runs this plan, so it must never end the call."""
        if user is None or user.twin_delay is None or not user.mobile:
            plan.then(Decision(), Note.of("move_no_twin", extension=self.call.move_from or ""))
            return
        number, refused = self.twin_number(user)
        if number is None:
            plan.then(Decision(), Note.of(refused, name=user.name, number=user.mobile))
            return
        seconds = max(self.settings.ring_seconds, self.settings.external_min_ring)
        plan.then(MoveToMobile(number, self.presented, seconds),
                  Note.of("move_to_mobile", name=user.name, number=number, seconds=seconds))

    def twin_number(self, user: UserEntry) -> tuple[str | None, str]:
        """The user's mobile twin if their call rights and the company's let them call it, with why not
        (a note key) otherwise: the twin is an outgoing call like any other."""
        c = self.config
        dialled = dialing.classify(user.mobile or "", c.country)
        if dialled.kind in ("invalid", "emergency") or not dialled.number.startswith("+"):
            return None, "twin_invalid"
        if self.blocked_prefix(dialled.number) is not None or (dialled.premium and not (
                c.premium_allowed and user.allow_premium)):
            return None, "twin_barred"
        if not (dialing.allowed(user.call_class, dialled.needs) and dialing.allowed(c.call_ceiling, dialled.needs)):
            return None, "twin_barred"
        return dialled.number, ""

    def callable_external(self, number: str | None) -> str | None:
        """An external number we may ring on someone's behalf: valid, not premium-rate, not blocked."""
        dialled = dialing.classify(number or "", self.config.country)
        if dialled.kind in ("invalid", "emergency") or dialled.premium or not dialled.number.startswith("+"):
            return None
        if self.blocked_prefix(dialled.number) is not None:  # the company pays for forwards too
            return None
        return dialled.number

    def _presented_number(self) -> str | None:
        """The caller ID shown on external legs: the original caller when we know their number."""
        caller = self.config.users.get(self.call.caller_user or "")
        if caller is not None:
            return self.caller_number(caller)
        number = dialing.carrier_e164(self.call.caller, self.config.country)
        return number or self.config.main_number
