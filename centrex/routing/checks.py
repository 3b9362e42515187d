"""Checks shared by the routing services: a destination exists in the tenant and may be used, no circle,
nothing left pointing at a row being deleted."""
from __future__ import annotations

from sqlalchemy import select

from centrex.models import ForwardRule, Number, RingGroup, Schedule, ScheduleException, ScheduleRange, Tenant, User
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid, Message
from centrex.routing.addresses import short_number_free
from centrex.routing.call_rights import blocked_prefixes
from centrex.routing.engine import dialing
from centrex.routing.engine.destinations import Dest
from centrex.routing.engine.loops import find_loop
from centrex.routing.loader import load_tenant_config
from centrex.routing.targets import target_kind


def destination(tenant: Tenant, dest: Dest | None, *, field: str, owner: User | None = None) -> Dest | None:
    """`dest` (as DestinationSchema loads it) checked against `tenant`, normalised; Invalid otherwise.
    `owner`: the user whose forwarding this is; an external number must fit their call class."""
    if dest is None:
        return None
    kind, dest_id, value = dest.kind, dest.id, dest.value
    if kind == "external":
        return Dest("external", None, _external(tenant, value, field, owner))
    if kind == "voicemail":
        return _voicemail(tenant, dest_id, value, field)
    if kind == "hangup":
        return Dest("hangup", None, value)
    spec = target_kind(kind)
    if spec is None:
        raise Invalid(N_("Destinations of type %(kind)s are not available yet."), kind=kind,
                      fields={field: [N_("Not available.")]})
    _exists(spec.model, tenant.id, dest_id, field)
    return Dest(kind, dest_id)


def _exists(model, tenant_id: int, obj_id: int | None, field: str) -> None:
    if obj_id is None or db.session.execute(
            select(model.id).where(model.id == obj_id, model.tenant_id == tenant_id)).first() is None:
        raise Invalid(N_("The destination does not exist in this company."),
                      fields={field: [N_("Unknown destination.")]})


# A call class as the console names it ("May call"), for messages that tell how to allow a call.
CALL_CLASS_WORDS = {"internal": Message.of(N_("internal only")), "national": Message.of(N_("national")),
                    "mobile": Message.of(N_("national and mobile")),
                    "international": Message.of(N_("international"))}


def external_number(tenant: Tenant, value: str | None, field: str, owner: User | None = None) -> str:
    return _external(tenant, value, field, owner)


def _external(tenant: Tenant, value: str | None, field: str, owner: User | None) -> str:
    dialled = dialing.classify(value or "", tenant.country)
    if dialled.kind == "invalid" or not dialled.number.startswith("+"):
        raise Invalid(N_("This is not a phone number we can call."),
                      fields={field: [N_("Not a valid number.")]})
    if dialled.premium:
        raise Invalid(N_("Premium-rate numbers cannot be a destination."),
                      fields={field: [N_("Premium-rate number.")]})
    blocked = next((p.prefix for p in blocked_prefixes(tenant.id)
                    if dialled.number.startswith(p.prefix)), None)
    if blocked is not None:
        raise Invalid(N_("Numbers starting with %(prefix)s are blocked for the whole company."), prefix=blocked,
                      fields={field: [N_("Blocked for the company.")]})
    if owner is not None and not dialing.allowed(owner.call_class, dialled.needs):
        raise Invalid(N_("%(name)s may not call %(number)s: they may call %(call_class)s numbers. To allow it, "
                         "choose “%(needed)s” for %(name)s under Allowed calls."), name=owner.name,
                      number=dialled.number, call_class=CALL_CLASS_WORDS.get(owner.call_class, owner.call_class),
                      needed=CALL_CLASS_WORDS.get(dialled.needs, dialled.needs),
                      fields={field: [N_("Not allowed for this user's call class.")]})
    return dialled.number


def _voicemail(tenant: Tenant, box_id: int | None, box: str | None, field: str) -> Dest:
    if box_id is not None:
        _exists(target_kind("voicemail").model, tenant.id, box_id, field)
        return Dest("voicemail", box_id)
    has_box = db.session.execute(select(User.id).where(
        User.tenant_id == tenant.id, User.extension == box, User.vm_a1_hash.is_not(None))).first()
    if has_box is None:
        raise Invalid(N_("There is no voicemail box %(box)s in this company."), box=box,
                      fields={field: [N_("Unknown voicemail box.")]})
    return Dest("voicemail", None, box)


def refuse_loop(tenant: Tenant, start: Dest) -> None:
    """After the change is flushed: refuse it if a call could now come back to `start` on its own."""
    config = load_tenant_config(tenant.id)
    path = find_loop(config, start) if config else None
    if path:
        names = " → ".join(_name(config, node) for node in path)
        raise Conflict(N_("This would route calls in a circle: %(names)s."), names=names,
                       fields={"_schema": [Message.of(N_("Loop: %(names)s"), names=names)]})


def _name(config, node: Dest) -> str:
    if node.kind == "user":
        user = config.user_by_id(node.id)
        return user.name if user else f"user #{node.id}"
    if node.kind == "ring_group":
        return config.groups[node.id].name if node.id in config.groups else f"group #{node.id}"
    if node.kind == "schedule":
        return config.schedules[node.id].name if node.id in config.schedules else f"schedule #{node.id}"
    return node.value or node.kind


def refuse_if_referenced(tenant_id: int, kind: str, obj_id: int) -> None:
    """Deleting a group or schedule that a number, a schedule, a group or a rule still uses is refused."""
    def uses(model, type_col, id_col):
        return select(model.id).where(model.tenant_id == tenant_id, type_col == kind, id_col == obj_id).limit(1)

    checks = [
        (N_("a number"), uses(Number, Number.dest_type, Number.dest_id)),
        (N_("a ring group"), uses(RingGroup, RingGroup.no_answer_type, RingGroup.no_answer_id)),
        (N_("a schedule"), uses(Schedule, Schedule.default_type, Schedule.default_id)),
        (N_("a time range"), uses(ScheduleRange, ScheduleRange.dest_type, ScheduleRange.dest_id)),
        (N_("a holiday"), uses(ScheduleException, ScheduleException.dest_type,
                                           ScheduleException.dest_id)),
        (N_("a forwarding rule"), uses(ForwardRule, ForwardRule.dest_type, ForwardRule.dest_id)),
    ]
    if kind == "schedule":
        checks.append((N_("a forwarding rule"), select(ForwardRule.id).where(
            ForwardRule.tenant_id == tenant_id, ForwardRule.schedule_id == obj_id).limit(1)))
    for what, query in checks:
        if db.session.execute(query).first() is not None:
            raise Conflict(N_("Still used by %(what)s: change that first."), what=Message.of(what))


def extension_free(tenant_id: int, extension: str | None, *, group_id: int | None = None) -> None:
    """A group's short number must not be a user's extension, another group's, a service's, or an
    emergency number."""
    short_number_free(db.session.get(Tenant, tenant_id), extension, mine=("ring_group", group_id))
