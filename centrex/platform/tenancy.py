"""Tenant scoping at the query layer: every read of tenant data goes through here."""
from __future__ import annotations

from sqlalchemy import Select, select

from centrex.models import Tenant
from centrex.platform.db import db
from centrex.platform.errors import N_, NotFound


def scoped(model, tenant_id: int) -> Select:
    """`SELECT model WHERE model.tenant_id = :tenant_id` — the only way views list tenant data."""
    return select(model).where(model.tenant_id == tenant_id)


def get_scoped(model, tenant_id: int, obj_id: int):
    """One object of this tenant, or NotFound (never another tenant's row)."""
    obj = db.session.execute(scoped(model, tenant_id).where(model.id == obj_id)).scalar_one_or_none()
    if obj is None:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind=model.__name__, id=obj_id)
    return obj


def tenant_by_domain(domain: str) -> Tenant | None:
    return db.session.execute(select(Tenant).where(Tenant.domain == domain.lower())).scalar_one_or_none()


def require_tenant(domain: str) -> Tenant:
    tenant = tenant_by_domain(domain)
    if tenant is None:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="tenant", id=domain)
    return tenant
