"""The dry run: what the engine would do with a call at a given time, step by step, as JSON-ready data.

Same code path as the dialplan (load the tenant's configuration, `route()`), except that the engine
follows every fallback itself (`expand=True`) at the moment it would happen, and nothing is changed
(round-robin rotations are not advanced)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from centrex.platform.errors import N_, Invalid, NotFound
from centrex.routing.engine import dialing
from centrex.routing.engine.plan import (
    AccessPrompt,
    Announcement,
    Application,
    Call,
    Decision,
    EnterTenant,
    Hangup,
    HoldMusic,
    KeepLimits,
    Limit,
    MoveToMobile,
    Note,
    Park,
    Pickup,
    Plan,
    PlayError,
    ReceiveFax,
    Ring,
    StampTenant,
    Transfer,
    Voicemail,
)
from centrex.routing.engine.route import route
from centrex.routing.engine.schedule import local_time, wall_time_gap, zone
from centrex.routing.engine.wording import OUTCOME_WORDS, word
from centrex.routing.loader import load_tenant_config

_DIALLED = re.compile(r"^[0-9A-Za-z+*#_.@ ()/-]{1,64}$")


def explain_call(tenant_id: int, caller: str, destination: str, at: datetime) -> dict:
    """The plan for a call from `caller` (an extension of the tenant, or an outside number) to
    `destination` at `at` (naive: the tenant's local time). Raises NotFound / Invalid."""
    config = load_tenant_config(tenant_id)
    if config is None:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="tenant", id=tenant_id)
    caller, destination = (caller or "").strip(), (destination or "").strip()
    if not _DIALLED.match(destination):
        raise Invalid(N_("Not a number one can dial."), fields={"destination": [N_("Not a dialable number.")]})
    if not _DIALLED.match(caller or "x"):
        raise Invalid(N_("Not a caller number."), fields={"caller": [N_("Not a phone number or extension.")]})
    steps = []
    if at.tzinfo is None:
        clock = _clock_note(at, config.timezone)
        if clock is not None:
            steps.append({"kind": "decision", "text": word(clock), "note": clock.key})
        at = at.replace(tzinfo=zone(config.timezone))
    internal = caller in config.users
    if internal:
        destination = "".join(destination.split())
        plan = route(config, Call(config.domain, destination, caller=caller, caller_user=caller), at, expand=True)
    else:
        did = dialing.carrier_e164(destination, config.country)
        if did is not None and did in config.numbers:
            public = route(config, Call("public", did, caller=caller), at, expand=True)
            steps += _steps(public, config.timezone)
            destination = did
        plan = route(config, Call(config.domain, destination, caller=caller), at, expand=True)
    steps += _steps(plan, config.timezone)
    local = local_time(at, config.timezone)
    return {
        "tenant": {"id": config.tenant_id, "domain": config.domain, "name": config.name,
                   "timezone": config.timezone},
        "caller": caller, "caller_is_user": internal, "destination": destination,
        "at": local.isoformat(timespec="minutes"), "weekday": local.strftime("%A").lower(),
        "steps": steps,
    }


def _clock_note(wall: datetime, tz_name: str) -> Note | None:
    """A local time the clocks skip or show twice that night: what instant the engine really routes.
    (A naive time is taken with the offset before the change, fold=0, as zoneinfo does.)"""
    gap = wall_time_gap(wall, tz_name)
    if gap is None:
        return None
    tz = zone(tz_name)
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)

    def shown(instant: datetime) -> str:
        local = local_time(instant, tz_name)
        return f"{local:%H:%M} ({local.isoformat()[-6:]})"

    def utc(instant: datetime) -> str:
        return f"{instant.astimezone(timezone.utc):%H:%M}"

    common = {"wall": f"{wall:%H:%M}", "day": f"{wall:%Y-%m-%d}", "zone": tz_name}
    if gap == "missing":
        return Note.of("clock_missing", **common, utc=utc(first), actual=shown(first))
    return Note.of("clock_twice", **common, utc=utc(first), actual=shown(first), second=shown(second),
                   utc2=utc(second))


def _steps(plan: Plan, tz_name: str) -> list[dict]:
    out = []
    for index, (step, note) in enumerate(zip(plan.steps, plan.notes)):
        item = {"kind": _kind(step), "text": word(note), "note": note.key, **_detail(step)}
        branches = plan.branches.get(index)
        if branches:
            item["branches"] = [{
                "outcomes": list(outcomes),
                "when": {"fr": ", ".join(OUTCOME_WORDS[o][0] for o in outcomes),
                         "en": ", ".join(OUTCOME_WORDS[o][1] for o in outcomes)},
                "at": local_time(sub.at, tz_name).isoformat(timespec="seconds"),
                "steps": _steps(sub, tz_name),
            } for outcomes, sub in branches]
        out.append(item)
    return out


def _kind(step) -> str:
    return {Decision: "decision", EnterTenant: "set", StampTenant: "set", KeepLimits: "set", HoldMusic: "set",
            Limit: "limit", Ring: "ring", Transfer: "transfer",
            Voicemail: "voicemail", ReceiveFax: "fax", PlayError: "error", Hangup: "hangup", Pickup: "pickup",
            Announcement: "announcement", MoveToMobile: "move", AccessPrompt: "access", Park: "park"}.get(
        type(step), getattr(step, "kind", "step"))


def _detail(step) -> dict:
    if isinstance(step, Ring):
        return {"mode": step.mode, "timeout": step.timeout, "legs": [
            {"kind": leg.kind, "address": leg.address, "label": leg.label, "ring_seconds": leg.ring_seconds,
             **({"caller_id": leg.caller_id} if leg.caller_id else {}),
             **({"delay": leg.delay} if leg.delay else {})} for leg in step.legs]}
    if isinstance(step, EnterTenant):
        return {"domain": step.domain}
    if isinstance(step, StampTenant):
        return {"tenant_id": step.tenant_id, "domain": step.domain}
    if isinstance(step, HoldMusic):
        return {"hold_music_class": step.class_id}
    if isinstance(step, Limit):
        return {"scope": step.scope, "owner": step.owner, "max": step.max}
    if isinstance(step, Transfer):
        return {"number": step.number, "context": step.context}
    if isinstance(step, Voicemail):
        return {"box": step.box, "check": step.check, "language": step.language,
                **({"greeting": step.greeting} if step.greeting else {})}
    if isinstance(step, Announcement):
        return {"path": step.path}
    if isinstance(step, Pickup):
        return {"extension": step.extension}
    if isinstance(step, AccessPrompt):
        return {"extension": step.extension}
    if isinstance(step, MoveToMobile):
        return {"number": step.number}
    if isinstance(step, Park):
        return {"slot": step.slot}
    if isinstance(step, Application):
        return {"id": step.id, "key": step.key}
    if isinstance(step, ReceiveFax):
        return {"box_id": step.box_id}
    if isinstance(step, (PlayError, Hangup)):
        return {"cause": step.cause}
    return {}
