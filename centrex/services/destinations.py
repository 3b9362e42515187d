"""Typed destinations used by menus and queues: checked against the tenant's own objects when saved,
turned into the address the dialplan is re-entered with when a call is sent there."""
from __future__ import annotations

from sqlalchemy import select

from centrex.db import db
from centrex.errors import Invalid
from centrex.models import Tenant, User
from centrex.service_steps import Destination, dialplan_address
from centrex.services import numbers


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
        raise Invalid(exc.message, fields={field: list(exc.fields.values())[0] if exc.fields else [exc.message]}
                      ) from exc


def transfer_target(tenant: Tenant, dest: Destination) -> str | None:
    """What `transfer <target> XML <domain>` dials to reach dest: a user's extension (routed like any
    internal call, with their forwarding rules) or a `dest-…` address; None when the target is gone."""
    if dest.dest_type == "user":
        return db.session.execute(select(User.extension).where(User.tenant_id == tenant.id,
                                                               User.id == dest.dest_id)).scalar_one_or_none()
    return dialplan_address(dest)
