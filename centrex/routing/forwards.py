"""A user's call forwarding rules: add, change (switch on/off without deleting), delete.

An external destination must fit the user's own call class (a user must not reach, by forwarding calls
to themselves, numbers they may not dial); a rule that would make calls go round in a circle is refused."""
from __future__ import annotations

from centrex.models import ForwardRule, Schedule, Tenant, User
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.forms import load
from centrex.platform.tenancy import scoped
from centrex.routing.checks import destination, refuse_loop
from centrex.routing.engine.destinations import Dest
from centrex.routing.schemas import ForwardRuleSchema

_schema = ForwardRuleSchema()


def add_forward_rule(user: User, data: dict) -> ForwardRule:
    values = load(_schema, data)
    tenant = db.session.get(Tenant, user.tenant_id)
    with db.session.begin_nested():
        dest = destination(tenant, values["dest"], field="dest", owner=user)
        _check_schedule(tenant.id, values["schedule_id"])
        rule = ForwardRule(tenant_id=tenant.id, user_id=user.id, kind=values["kind"], enabled=values["enabled"],
                           ring_seconds=values["ring_seconds"], schedule_id=values["schedule_id"],
                           dest_type=dest.kind, dest_id=dest.id, dest_value=dest.value)
        db.session.add(rule)
        db.session.flush()
        refuse_loop(tenant, Dest("user", user.id))
    audit.record("create", rule, tenant_id=tenant.id, changes={
        "user": user.extension, "kind": rule.kind, "enabled": rule.enabled, "ring_seconds": rule.ring_seconds,
        "schedule_id": rule.schedule_id, "dest": str(dest)})
    return rule


def update_forward_rule(rule: ForwardRule, data: dict) -> ForwardRule:
    values = load(_schema, data, partial=True)
    tenant = db.session.get(Tenant, rule.tenant_id)
    user = db.session.get(User, rule.user_id)
    changed = {}
    with db.session.begin_nested():
        if "dest" in values:
            dest = destination(tenant, values["dest"], field="dest", owner=user)
            if (dest.kind, dest.id, dest.value) != (rule.dest_type, rule.dest_id, rule.dest_value):
                rule.dest_type, rule.dest_id, rule.dest_value = dest.kind, dest.id, dest.value
                changed["dest"] = str(dest)
        if "schedule_id" in values:
            _check_schedule(tenant.id, values["schedule_id"])
        for key in ("kind", "enabled", "ring_seconds", "schedule_id"):
            if key in values and getattr(rule, key) != values[key]:
                setattr(rule, key, values[key])
                changed[key] = values[key]
        db.session.flush()
        refuse_loop(tenant, Dest("user", user.id))
    if changed:
        audit.record("update", rule, tenant_id=tenant.id, changes={"user": user.extension, **changed})
    return rule


def set_forward_enabled(rule: ForwardRule, enabled: bool) -> ForwardRule:
    """Switch a rule on or off; it stays configured."""
    return update_forward_rule(rule, {"enabled": enabled})


def delete_forward_rule(rule: ForwardRule) -> None:
    audit.delete_row(rule, tenant_id=rule.tenant_id, changes={"kind": rule.kind})


def forward_rules(user: User) -> list[ForwardRule]:
    return list(db.session.execute(scoped(ForwardRule, user.tenant_id).where(ForwardRule.user_id == user.id)
                                   .order_by(ForwardRule.id)).scalars())


def _check_schedule(tenant_id: int, schedule_id: int | None) -> None:
    if schedule_id is None:
        return
    if db.session.execute(scoped(Schedule, tenant_id).where(Schedule.id == schedule_id)).first() is None:
        raise Invalid(N_("This schedule does not exist in this company."),
                      fields={"schedule_id": [N_("Unknown schedule.")]})
