"""Ring groups: create, change, delete. Validated, flushed, audited; a change that would make calls go
round in a circle is refused (and leaves nothing behind: it runs in a savepoint)."""
from __future__ import annotations

from sqlalchemy import select

from centrex.models import RingGroup, RingGroupMember, Tenant, User
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.forms import apply, load, replace_rows
from centrex.routing.checks import (
    destination,
    extension_free,
    external_number,
    refuse_if_referenced,
    refuse_loop,
)
from centrex.routing.engine.destinations import Dest
from centrex.routing.schemas import RingGroupSchema

_schema = RingGroupSchema()


def create_ring_group(tenant: Tenant, data: dict) -> RingGroup:
    values = load(_schema, data)
    with db.session.begin_nested():
        extension_free(tenant.id, values["extension"])
        group = RingGroup(tenant_id=tenant.id, name=values["name"], extension=values["extension"],
                          strategy=values["strategy"], ring_seconds=values["ring_seconds"])
        _set_no_answer(group, destination(tenant, values["no_answer"], field="no_answer"))
        db.session.add(group)
        db.session.flush()
        members = _set_members(group, tenant, values["members"])
        db.session.flush()
        refuse_loop(tenant, Dest("ring_group", group.id))
    audit.record("create", group, tenant_id=tenant.id, changes={
        **{k: values[k] for k in ("name", "extension", "strategy", "ring_seconds")},
        "no_answer": _text(group), "members": members})
    return group


def update_ring_group(group: RingGroup, data: dict) -> RingGroup:
    values = load(_schema, data, partial=True)
    tenant = db.session.get(Tenant, group.tenant_id)
    with db.session.begin_nested():
        if "extension" in values:
            extension_free(tenant.id, values["extension"], group_id=group.id)
        changed = apply(group, {k: values[k] for k in ("name", "extension", "strategy", "ring_seconds")
                                if k in values})
        if "no_answer" in values:
            before = _text(group)
            _set_no_answer(group, destination(tenant, values["no_answer"], field="no_answer"))
            if _text(group) != before:
                changed["no_answer"] = _text(group)
        if "members" in values:
            changed["members"] = _set_members(group, tenant, values["members"])
        db.session.flush()
        refuse_loop(tenant, Dest("ring_group", group.id))
    if changed:
        audit.record("update", group, tenant_id=tenant.id, changes=changed)
    return group


def delete_ring_group(group: RingGroup) -> None:
    refuse_if_referenced(group.tenant_id, "ring_group", group.id)
    audit.delete_row(group, tenant_id=group.tenant_id, changes={"name": group.name})


def _set_no_answer(group: RingGroup, dest: Dest | None) -> None:
    group.no_answer_type = dest.kind if dest else None
    group.no_answer_id = dest.id if dest else None
    group.no_answer_value = dest.value if dest else None


def _set_members(group: RingGroup, tenant: Tenant, members: list[dict]) -> str:
    """Replace the members (order = ringing order); returns them as text for the audit row."""
    rows, described = [], []
    for position, member in enumerate(members):
        field = f"members.{position}"
        if member["user_id"] is not None:
            user = db.session.execute(select(User).where(User.id == member["user_id"],
                                                         User.tenant_id == tenant.id)).scalar_one_or_none()
            if user is None:
                raise Invalid(N_("This user does not exist in this company."), fields={field: [N_("Unknown user.")]})
            rows.append(RingGroupMember(tenant_id=tenant.id, position=position, user_id=user.id,
                                        ring_seconds=member["ring_seconds"]))
            described.append(f"user {user.extension}")
        else:
            number = external_number(tenant, member["external"], field)
            rows.append(RingGroupMember(tenant_id=tenant.id, position=position, external_number=number,
                                        ring_seconds=member["ring_seconds"]))
            described.append(number)
    replace_rows(group.members, rows)
    return ", ".join(described)


def _text(group: RingGroup) -> str | None:
    if not group.no_answer_type:
        return None
    return str(Dest(group.no_answer_type, group.no_answer_id, group.no_answer_value))
