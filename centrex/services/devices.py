"""Desk phones: add by MAC, assign to a user, retire."""
from __future__ import annotations

from sqlalchemy import select

from centrex import audit
from centrex.db import db
from centrex.errors import Conflict, Invalid
from centrex.models import Device, Tenant, User
from centrex.schemas import DeviceSchema
from centrex.services import apply, load

_schema = DeviceSchema()


def add_device(tenant: Tenant, data: dict) -> Device:
    values = load(_schema, data)
    if db.session.execute(select(Device.id).where(Device.mac == values["mac"])).first():
        raise Conflict("This MAC address is already registered.", fields={"mac": ["Already registered."]})
    _check_owner(tenant, values.get("user_id"))
    device = Device(tenant_id=tenant.id, **values)
    db.session.add(device)
    db.session.flush()
    audit.record("create", device, tenant_id=tenant.id, changes=values)
    return device


def update_device(device: Device, data: dict) -> Device:
    values = load(_schema, data, partial=True)
    values.pop("mac", None)
    if "user_id" in values:
        _check_owner_id(device.tenant_id, values["user_id"])
    changed = apply(device, values)
    if changed:
        db.session.flush()
        audit.record("update", device, tenant_id=device.tenant_id, changes=changed)
    return device


def retire_device(device: Device) -> None:
    audit.record("delete", device, tenant_id=device.tenant_id, changes={"mac": device.mac})
    db.session.delete(device)
    db.session.flush()


def _check_owner(tenant: Tenant, user_id: int | None) -> None:
    _check_owner_id(tenant.id, user_id)


def _check_owner_id(tenant_id: int, user_id: int | None) -> None:
    if user_id is None:
        return
    if db.session.execute(select(User.id).where(User.id == user_id, User.tenant_id == tenant_id)).first() is None:
        raise Invalid("This user does not exist in this company.", fields={"user_id": ["Unknown."]})
