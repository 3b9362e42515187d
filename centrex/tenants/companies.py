"""Create, update and suspend tenants (the operator's clients)."""
from __future__ import annotations

from sqlalchemy import select

from centrex.models import Tenant
from centrex.models.licence import LICENSED_FEATURES, LicensedFeature
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict
from centrex.platform.forms import apply, load
from centrex.platform.schemas import TenantSchema

_schema = TenantSchema()


def create_tenant(data: dict) -> Tenant:
    values = load(_schema, data)
    if db.session.execute(select(Tenant.id).where(Tenant.domain == values["domain"])).first():
        raise Conflict(N_("The domain %(domain)s is already used."), domain=values["domain"],
                       fields={"domain": [N_("Already used.")]})
    tenant = Tenant(**values)
    db.session.add(tenant)
    db.session.flush()
    audit.record("create", tenant, tenant_id=tenant.id, changes=values)
    db.session.add_all(LicensedFeature(tenant_id=tenant.id, feature=f) for f in LICENSED_FEATURES)
    db.session.flush()
    return tenant


def update_tenant(tenant: Tenant, data: dict) -> Tenant:
    values = load(_schema, data, partial=True)
    values.pop("domain", None)  # the domain is the tenant's identity on every phone and in every CDR
    changed = apply(tenant, values)
    if changed:
        db.session.flush()
        audit.record("update", tenant, tenant_id=tenant.id, changes=changed)
    return tenant


def set_status(tenant: Tenant, status: str) -> Tenant:
    return update_tenant(tenant, {"status": status})
