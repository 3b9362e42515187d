"""Typed destinations used by menus and queues: checked against the tenant's own objects when saved,
turned into what the dialplan is re-entered with when a call is sent there, and the internal short
numbers people dial (one per object of a company: users, groups, queues, menus, rooms, shared boxes)."""
from __future__ import annotations

from sqlalchemy import select

from centrex.models import CallQueue, IvrEntry, IvrMenu, Tenant
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.tenancy import scoped
from centrex.routing import numbers
from centrex.routing.engine import dialing
from centrex.routing.engine.destinations import Dest, dialplan_address, owner_destination
from centrex.routing.targets import TARGET_KINDS, target_kind


def _short_numbers():
    """(kind, model, column) of every kind people reach by dialling a short number of the company."""
    return [(spec.kind, spec.model, spec.column(spec.number)) for spec in TARGET_KINDS.values() if spec.number]


def check_destination(tenant: Tenant, dest: Dest | None, *, field: str = "dest_id") -> None:
    """Refuse a destination whose target is not an object of this tenant (same rules as numbers)."""
    if dest is None or dest.kind in ("back", "top"):
        return
    try:
        numbers.check_destination(tenant, dest)
    except Invalid as exc:
        messages = list(exc.fields.values())[0] if exc.fields else [exc.text]
        raise Invalid(exc.text, fields={field: messages}) from exc


def short_number_free(tenant: Tenant, number: str | None, *, mine: tuple[str, int | None],
                      field: str = "extension") -> None:
    """A short number is one thing of the company only (`mine`: the kind and id being saved)."""
    if not number:
        return
    if dialing.is_emergency(number, tenant.country):
        raise Invalid(N_("Emergency numbers cannot be used."),
                      fields={field: [N_("Emergency number.")]})
    for kind, model, column in _short_numbers():
        query = scoped(model, tenant.id).where(column == number)
        if kind == mine[0] and mine[1] is not None:
            query = query.where(model.id != mine[1])
        if db.session.execute(query).first():
            raise Conflict(N_("%(number)s is already in use."), number=number,
                           fields={field: [N_("Already used in this company.")]})


def transfer_target(tenant: Tenant, dest: Dest, owner: tuple[str, int]) -> str | None:
    """What `transfer <target> XML <domain>` dials to reach dest: its short number when it has one (the
    routing engine knows those: a user is then routed with their forwarding rules), else a `dest-…`
    address; an outside number always through its `owner`, e.g. ("ivr_entry", 12). None: target gone."""
    if dest.kind == "external":
        return dialplan_address(owner_destination(*owner))
    spec = target_kind(dest.kind)
    if spec is None or spec.number is None:
        return dialplan_address(dest)
    model, column = spec.model, spec.column(spec.number)
    row = db.session.execute(select(model.id, column).where(model.tenant_id == tenant.id,
                                                            model.id == dest.id)).first()
    if row is None:
        return None
    return row[1] or dialplan_address(dest)


def resolve_address(tenant: Tenant, dest: Dest) -> Dest | None:
    """For the routing engine: the stored destination an owner address stands for (only what this tenant
    configured, so a dialled `dest-ivr_entry-N` of another company resolves to nothing); other addresses
    are returned as they are, for the engine to check like a number's destination."""
    kind, ref = dest.kind, dest.id
    if kind == "ivr_entry":
        entry = db.session.execute(scoped(IvrEntry, tenant.id).where(IvrEntry.id == ref)).scalar_one_or_none()
        return Dest(entry.dest_type, entry.dest_id, entry.dest_value) if entry else None
    if kind in ("ivr_timeout", "ivr_invalid"):
        menu = db.session.execute(scoped(IvrMenu, tenant.id).where(IvrMenu.id == ref)).scalar_one_or_none()
        prefix = "timeout_" if kind == "ivr_timeout" else "invalid_"
        return Dest.from_columns(_columns(menu), prefix) if menu else None
    if kind == "queue_after":
        queue = db.session.execute(scoped(CallQueue, tenant.id).where(CallQueue.id == ref)
                                   ).scalar_one_or_none()
        return Dest.from_columns(_columns(queue), "after_") if queue else None
    return dest


def _columns(obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}
