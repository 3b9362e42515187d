"""Custom console roles of a company: create, change, delete; give one to an administrator login (a
delegated administrator) or take it back. Validated, flushed, audited; never across companies."""
from __future__ import annotations

from marshmallow import Schema, fields
from sqlalchemy import func

from centrex.models import Account, Tenant
from centrex.models.role import LEVELS, PERMISSION_AREAS, Role, RolePermission
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import load
from centrex.platform.schemas import Text
from centrex.platform.tenancy import scoped


class RoleSchema(Schema):
    name = Text(80, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=255))
    # {area: "read" | "write"}; an area left out is closed
    permissions = fields.Dict(keys=fields.String(validate=validate.OneOf(PERMISSION_AREAS)),
                              values=fields.String(validate=validate.OneOf(LEVELS)), load_default=dict)


_schema = RoleSchema()


def roles_of(tenant_id: int) -> list[Role]:
    return list(db.session.execute(scoped(Role, tenant_id).order_by(Role.name)).scalars())


def logins_with(role: Role) -> list[Account]:
    return list(db.session.execute(scoped(Account, role.tenant_id).where(Account.role_id == role.id)
                                   .order_by(Account.email)).scalars())


def create_role(tenant: Tenant, data: dict) -> Role:
    values = load(_schema, data)
    _name_free(tenant.id, values["name"])
    role = Role(tenant_id=tenant.id, name=values["name"].strip(), description=values["description"].strip())
    db.session.add(role)
    db.session.flush()
    _set_permissions(role, values["permissions"])
    db.session.flush()
    audit.record("create", role, tenant_id=tenant.id, changes={
        "name": role.name, "description": role.description, "permissions": _text(role.grants())})
    return role


def update_role(role: Role, data: dict) -> Role:
    values = load(_schema, data, partial=True)
    changed = {}
    if "name" in values and values["name"].strip() != role.name:
        _name_free(role.tenant_id, values["name"], role_id=role.id)
        role.name = changed["name"] = values["name"].strip()
    if "description" in values and values["description"].strip() != role.description:
        role.description = changed["description"] = values["description"].strip()
    if "permissions" in values and values["permissions"] != role.grants():
        _set_permissions(role, values["permissions"])
        changed["permissions"] = _text(values["permissions"])
    db.session.flush()
    if changed:
        audit.record("update", role, tenant_id=role.tenant_id, changes=changed)
    return role


def delete_role(role: Role) -> None:
    """Refused while a login has this role: its holder would silently become a full administrator."""
    holders = logins_with(role)
    if holders:
        raise Conflict(N_("The role is given to %(n)s login(s): give them another role first."), n=len(holders),
                       fields={"logins": [a.email for a in holders]})
    audit.delete_row(role, tenant_id=role.tenant_id, changes={"name": role.name})


def assign_role(account: Account, role: Role | None, *, by: Account | None = None) -> Account:
    """Limit an administrator login of the company to `role`, or give it full rights back (None).
    Nobody limits their own login (they would lose the page that gives rights back)."""
    if by is not None and by.id == account.id and role is not None:
        raise Invalid(N_("You cannot limit your own login."), fields={"role_id": [N_("Not your own login.")]})
    if account.role != "admin":
        raise Invalid(N_("Only an administrator login can have a custom role."),
                      fields={"role_id": [N_("Only for administrators.")]})
    if role is not None and role.tenant_id != account.tenant_id:
        raise Invalid(N_("This role does not exist in this company."), fields={"role_id": [N_("Unknown role.")]})
    new_id = role.id if role else None
    if account.role_id != new_id:
        account.role_id = new_id
        db.session.flush()
        audit.record("assign_role", account, tenant_id=account.tenant_id,
                     changes={"email": account.email, "custom_role": role.name if role else None})
    return account


def _name_free(tenant_id: int, name: str, role_id: int | None = None) -> None:
    query = scoped(Role, tenant_id).where(func.lower(Role.name) == name.strip().lower())
    if role_id is not None:
        query = query.where(Role.id != role_id)
    if db.session.execute(query.with_only_columns(Role.id)).first():
        raise Conflict(N_("A role of this name already exists."), fields={"name": [N_("Already used.")]})


def _set_permissions(role: Role, grants: dict[str, str]) -> None:
    """Change rows in place (a row deleted and re-added in one flush would clash on (role, area))."""
    kept = []
    for permission in role.permissions:
        if permission.area in grants:
            permission.level = grants[permission.area]
            kept.append(permission)
    have = {p.area for p in kept}
    kept += [RolePermission(tenant_id=role.tenant_id, area=area, level=grants[area])
             for area in PERMISSION_AREAS if area in grants and area not in have]
    role.permissions[:] = kept


def _text(grants: dict[str, str]) -> str:
    """For the audit row: 'calls:read, groups:write' in catalogue order."""
    return ", ".join(f"{a}:{grants[a]}" for a in PERMISSION_AREAS if a in grants)

