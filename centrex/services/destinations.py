"""Typed destinations used by menus and queues: checked against the tenant's own objects when saved,
turned into the address the dialplan is re-entered with when a call is sent there."""
from __future__ import annotations

from sqlalchemy import select

from centrex.db import db
from centrex.errors import Invalid
from centrex.models import CallQueue, IvrEntry, IvrMenu, Tenant, User
from centrex.service_steps import Destination, dialplan_address, owner_destination
from centrex.services import numbers
from centrex.tenancy import scoped


def destination_from(values: dict, prefix: str = "") -> Destination | None:
    """`{prefix}dest_type/_id/_value` of a validated dict, or None when no type is given."""
    dest_type = values.get(f"{prefix}dest_type")
    if not dest_type:
        return None
    return Destination(dest_type, values.get(f"{prefix}dest_id"), values.get(f"{prefix}dest_value"))


def check_destination(tenant: Tenant, dest: Destination | None, *, field: str = "dest_id") -> None:
    """Refuse a destination whose target is not an object of this tenant (same rules as numbers)."""
    if dest is None or dest.dest_type in ("back", "top"):
        return
    try:
        numbers._check_destination(tenant, {"dest_type": dest.dest_type, "dest_id": dest.dest_id,
                                            "dest_value": dest.dest_value})
    except Invalid as exc:
        messages = list(exc.fields.values())[0] if exc.fields else [exc.message]
        raise Invalid(exc.message, fields={field: messages}) from exc


def transfer_target(tenant: Tenant, dest: Destination, owner: tuple[str, int]) -> str | None:
    """What `transfer <target> XML <domain>` dials to reach dest: a user's extension (routed like any
    internal call, with their forwarding rules) or a `dest-…` address (an outside number through its
    `owner`, e.g. ("ivr_entry", 12)); None when the target is gone."""
    if dest.dest_type == "user":
        return db.session.execute(select(User.extension).where(User.tenant_id == tenant.id,
                                                               User.id == dest.dest_id)).scalar_one_or_none()
    if dest.dest_type == "external":
        return dialplan_address(owner_destination(*owner))
    return dialplan_address(dest)


def resolve_address(tenant: Tenant, dest: Destination) -> Destination | None:
    """For the routing engine: the stored destination an owner address stands for (only what this tenant
    configured, so a dialled `dest-ivr_entry-N` of another company resolves to nothing); other addresses
    are returned as they are, for the engine to check like a number's destination."""
    kind, ref = dest.dest_type, dest.dest_id
    if kind == "ivr_entry":
        entry = db.session.execute(scoped(IvrEntry, tenant.id).where(IvrEntry.id == ref)).scalar_one_or_none()
        return Destination(entry.dest_type, entry.dest_id, entry.dest_value) if entry else None
    if kind in ("ivr_timeout", "ivr_invalid"):
        menu = db.session.execute(scoped(IvrMenu, tenant.id).where(IvrMenu.id == ref)).scalar_one_or_none()
        prefix = "timeout_" if kind == "ivr_timeout" else "invalid_"
        return destination_from(_columns(menu), prefix) if menu else None
    if kind == "queue_after":
        queue = db.session.execute(scoped(CallQueue, tenant.id).where(CallQueue.id == ref)
                                   ).scalar_one_or_none()
        return destination_from(_columns(queue), "after_") if queue else None
    return dest


def _columns(obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}
