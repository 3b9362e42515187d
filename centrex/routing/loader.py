"""Loads the slice of a tenant's configuration a call needs, as plain values for the engine."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from centrex.db import db
from centrex.models import Tenant, User
from centrex.routing.plan import Call, TenantConfig, UserEntry


def load_config(call: Call) -> TenantConfig | None:
    """The active tenant whose context the call is in, with the users the call mentions; None if unknown."""
    tenant = db.session.execute(
        select(Tenant.id, Tenant.domain, Tenant.timezone, Tenant.max_calls)
        .where(Tenant.domain == call.context, Tenant.status == "active")).first()
    if tenant is None:
        return None
    wanted = {x for x in (call.destination, call.caller_user) if x}
    rows = db.session.execute(
        select(User.id, User.extension, User.name, User.max_calls)
        .where(User.tenant_id == tenant.id, User.enabled.is_(True), User.extension.in_(wanted))).all()
    return TenantConfig(tenant_id=tenant.id, domain=tenant.domain, timezone=tenant.timezone,
                        max_calls=tenant.max_calls,
                        users={r.extension: UserEntry(r.id, r.extension, r.name, r.max_calls) for r in rows},
                        ring_seconds=current_app.config.get("USER_RING_SECONDS", 30))
