"""The operator's number pool: add numbers, give them to tenants, point them at a destination."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from centrex.models import Number, Tenant
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import NumberSchema
from centrex.routing.engine.destinations import Dest
from centrex.routing.targets import target_kind

_schema = NumberSchema()


def add_number(data: dict, tenant: Tenant | None = None) -> Number:
    values = load(_schema, data, country=tenant.country if tenant else current_app.config["CARRIER_COUNTRY"])
    if db.session.execute(select(Number.id).where(Number.e164 == values["e164"])).first():
        raise Conflict(N_("%(number)s is already in the pool."), number=values["e164"],
                       fields={"e164": [N_("Already in the pool.")]})
    if values["is_main"] and tenant is None:
        raise Invalid(N_("Only a company's number can be its main number."),
                      fields={"is_main": [N_("Needs a company.")]})
    number = Number(e164=values["e164"], label=values["label"], tenant_id=tenant.id if tenant else None)
    db.session.add(number)
    db.session.flush()
    if values["is_main"] and tenant is not None:
        set_main_number(tenant, number)
    audit.record("create", number, tenant_id=number.tenant_id,
                 changes={"e164": number.e164, "is_main": number.is_main})
    if tenant and values.get("dest_type"):
        point_number(number, tenant, values)
    return number


def assign_number(number: Number, tenant: Tenant | None) -> Number:
    """Give a pool number to a tenant, or take it back (tenant None) — destination cleared, no longer main.
    The audit row says where it routed before and whether it was its company's main number."""
    before = {"from_tenant_id": number.tenant_id, "was_main": number.is_main,
              "former_destination": f"{number.dest_type}:{number.dest_id or number.dest_value or ''}".rstrip(":")
              if number.dest_type else None}
    changed = apply(number, {"tenant_id": tenant.id if tenant else None, "dest_type": None,
                             "dest_id": None, "dest_value": None, "is_main": False})
    if changed:
        db.session.flush()
        audit.record("assign", number, tenant_id=tenant.id if tenant else None,
                     changes={"e164": number.e164, **changed, **{k: v for k, v in before.items() if v}})
    return number


def set_main_number(tenant: Tenant, number: Number) -> Number:
    """Make `number` the company's main number (its caller ID for who has no direct line); the former
    main number stays the company's, no longer main."""
    if number.tenant_id != tenant.id:
        raise Invalid(N_("This number does not belong to this company."),
                      fields={"main_number": [N_("Unknown number.")]})
    former = db.session.execute(select(Number).where(Number.tenant_id == tenant.id, Number.is_main.is_(True),
                                                     Number.id != number.id)).scalar_one_or_none()
    if former is None and number.is_main:
        return number
    if former is not None:
        former.is_main = False
        db.session.flush()  # the old main number first: one main number per company (unique index)
    number.is_main = True
    db.session.flush()
    audit.record("set_main", number, tenant_id=tenant.id,
                 changes={"main_number": number.e164, "former": former.e164 if former else None})
    return number


def point_number(number: Number, tenant: Tenant, data: dict) -> Number:
    if number.tenant_id != tenant.id:
        raise Invalid(N_("This number does not belong to this company."))
    values = load(_schema, {"e164": number.e164, **data}, partial=True)
    columns = {key: values.get(key) for key in ("dest_type", "dest_id", "dest_value")}
    check_destination(tenant, Dest.from_columns(columns))
    if "label" in values:
        columns["label"] = values["label"]
    changed = apply(number, columns)
    if changed:
        db.session.flush()
        audit.record("update", number, tenant_id=tenant.id, changes=changed)
    return number


def check_destination(tenant: Tenant, dest: Dest | None) -> None:
    """Refuse a destination this company cannot send calls to: a row of another company or of no kind
    we know (see centrex.routing.targets), an external destination without a number."""
    if dest is None or dest.kind in ("hangup", "access"):  # access: the company's dial-in for mobiles
        return
    if dest.kind == "external":
        if not dest.value:
            raise Invalid(N_("An external destination needs a number."), fields={"dest_value": [N_("Required.")]})
        return
    spec = target_kind(dest.kind)
    if spec is None:
        raise Invalid(N_("Destinations of type %(kind)s are not available yet."), kind=dest.kind,
                      fields={"dest_type": [N_("Not available.")]})
    model = spec.model
    if dest.id is None or db.session.execute(
            select(model.id).where(model.id == dest.id, model.tenant_id == tenant.id)).first() is None:
        raise Invalid(N_("The destination does not exist in this company."), fields={"dest_id": [N_("Unknown.")]})
