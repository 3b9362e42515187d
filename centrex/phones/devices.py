"""Desk phones: add by MAC, assign to a user, program keys, re-provision after a factory reset, retire.
Each phone gets its own provisioning credentials (a token it proves itself with) and its own web admin
password; neither is ever written to the audit log."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, select

from centrex.directory.users import secret_box
from centrex.freeswitch import commands
from centrex.models import DefaultKey, Device, DeviceKey, Tenant, UnknownDevice, User
from centrex.phones import catalogue
from centrex.phones.schemas import DeviceKeySchema, DeviceSettingsSchema
from centrex.platform import audit
from centrex.platform.crypto import new_sip_secret
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid, NotFound
from centrex.platform.forms import apply, load, replace_rows
from centrex.platform.ports import switch
from centrex.platform.schemas import DeviceSchema, normalise_mac

PARK_SLOTS = tuple("123456789")  # the park code + one of these (centrex.routing.engine: park_slot)
_schema = DeviceSchema()
_settings = DeviceSettingsSchema()
_key_schema = DeviceKeySchema()


def add_device(tenant: Tenant, data: dict) -> Device:
    """A new phone of this tenant; its first fetch within the bootstrap window gets its credentials."""
    data = dict(data)
    settings = {k: data.pop(k) for k in ("transfer_mode", "firmware_url") if k in data}
    values = load(_schema, data)
    settings = load(_settings, settings, partial=True)
    if db.session.execute(select(Device.id).where(Device.mac == values["mac"])).first():
        raise Conflict(N_("This MAC address is already registered."), fields={"mac": [N_("Already registered.")]})
    values["model"] = catalogue.checked(values["vendor"], values["model"])
    _check_owner_id(tenant.id, values.get("user_id"))
    device = Device(tenant_id=tenant.id, **values, **settings)
    device.admin_password_enc = secret_box().encrypt(new_sip_secret(16))
    _new_credentials(device)
    db.session.add(device)
    db.session.execute(delete(UnknownDevice).where(UnknownDevice.mac == device.mac))
    db.session.flush()
    audit.record("create", device, tenant_id=tenant.id, changes={**values, **settings})
    defaults = as_rows(default_keys(tenant.id))  # the company's default layout (centrex.phones.layouts)
    if defaults:
        set_device_keys(device, layout_for(device, defaults))
    return device


def unknown_device(mac: str) -> UnknownDevice:
    """The phone nobody owns that asked with this MAC (typed in any notation), else Invalid / NotFound."""
    try:
        mac = normalise_mac(mac)
    except Exception as exc:  # marshmallow's ValidationError: a person typed it
        raise Invalid(N_("A MAC address has 12 hexadecimal digits."), fields={"mac": [N_("Not a MAC.")]}) from exc
    unknown = db.session.get(UnknownDevice, mac)
    if unknown is None:
        raise NotFound(N_("No unknown phone with MAC %(mac)s asked for its configuration."), mac=mac)
    return unknown


def claim_unknown_device(tenant: Tenant, mac: str, data: dict) -> Device:
    """The admin claims a MAC that asked for its configuration: it becomes this tenant's device (of the
    model in `data`, else the one its User-Agent named)."""
    unknown = unknown_device(mac)
    mac = unknown.mac
    values = {"vendor": unknown.vendor, "model": unknown.model or "", **data, "mac": mac}
    values["model"] = catalogue.checked(unknown.vendor, values["model"])  # refused with the list
    return add_device(tenant, values)


def update_device(device: Device, data: dict) -> Device:
    data = dict(data)
    data.pop("mac", None)
    data.pop("vendor", None)
    values = load(_settings, data, partial=True)
    if "model" in values:
        values["model"] = catalogue.checked(device.vendor, values["model"])
    if "user_id" in values:
        _check_owner_id(device.tenant_id, values["user_id"])
    changed = apply(device, values)
    if changed:
        db.session.flush()
        audit.record("update", device, tenant_id=device.tenant_id, changes=changed)
    return device


def assign_device(device: Device, user: User | None) -> Device:
    """Give the phone to a user of the same tenant (None: unassign)."""
    return update_device(device, {"user_id": user.id if user else None})


def set_device_keys(device: Device, keys: list[dict]) -> list[DeviceKey]:
    """Replace the programmable keys; BLF targets must be users of the device's own tenant."""
    model = catalogue.find(device.vendor, device.model)
    loaded = checked_keys(device.tenant_id, keys, model.total_keys if model else 0,
                          N_("This phone has %(n)s keys with its expansion modules."))
    replace_rows(device.keys, (DeviceKey(tenant_id=device.tenant_id, **key) for key in loaded))
    db.session.flush()
    audit.record("set_keys", device, tenant_id=device.tenant_id,
                 changes={"keys": [f"{k['position']}:{k['kind']}" for k in loaded]})
    return list(device.keys)


def checked_keys(tenant_id: int, keys: list[dict], last: int, too_far: str) -> list[dict]:
    """The keys validated (kinds, numbers, slots, BLF colleagues of this tenant, positions up to `last`,
    else Invalid with the `too_far` message and `n`=last)."""
    if not isinstance(keys, list):
        raise Invalid(N_("Expected a list of keys."))
    loaded = [load(_key_schema, key) for key in keys]
    positions = [key["position"] for key in loaded]
    if len(set(positions)) != len(positions):
        raise Invalid(N_("Two keys cannot share a position."), fields={"position": [N_("Duplicate.")]})
    for index, position in enumerate(positions):
        if position > last:
            raise Invalid(too_far, n=last, fields={f"{index}.position": [N_("Beyond the phone's last key.")]})
    for index, key in enumerate(loaded):
        if key["kind"] == "blf":
            if key["target_user_id"] is None:
                raise Invalid(N_("A BLF key watches a colleague."),
                              fields={f"{index}.target_user_id": [N_("Required.")]})
            _check_owner_id(tenant_id, key["target_user_id"])
        else:
            key["target_user_id"] = None
        if key["kind"] in ("speed_dial", "transfer") and not key["number"]:
            raise Invalid(N_("A speed dial or transfer key needs a number."),
                          fields={f"{index}.number": [N_("Required.")]})
        if key["kind"] == "park" and (key["number"] or "") not in PARK_SLOTS:
            raise Invalid(N_("A park key parks on a slot from 1 to 9."),
                          fields={f"{index}.number": [N_("A slot from 1 to 9.")]})
    return loaded


KEY_FIELDS = ("position", "kind", "target_user_id", "number", "label")


def default_keys(tenant_id: int) -> list[DefaultKey]:
    """The company's default key layout (set in centrex.phones.layouts)."""
    return list(db.session.execute(select(DefaultKey).where(DefaultKey.tenant_id == tenant_id)
                                   .order_by(DefaultKey.position)).scalars())


def as_rows(keys) -> list[dict]:
    """Key rows (a phone's or the default's) as the dicts set_device_keys takes."""
    return [{name: getattr(key, name) for name in KEY_FIELDS} for key in keys]


def layout_for(device: Device, keys: list[dict]) -> list[dict]:
    """The default keys this phone has room for (its own keys, not its expansion modules')."""
    model = catalogue.find(device.vendor, device.model)
    room = model.keys if model else 0
    return [key for key in keys if key["position"] <= room]


def reprovision_after_factory_reset(device: Device) -> None:
    """The seed's red button: new provisioning credentials and an open bootstrap window, so the reset
    phone (which lost its credentials) may fetch its file once. The boundary commits, then calls
    send_check_sync() so the phone reboots and fetches."""
    _new_credentials(device)
    db.session.flush()
    audit.record("reprovision", device, tenant_id=device.tenant_id,
                 changes={"credentials": "regenerated", "bootstrap_until": device.bootstrap_until})


def _check_sync_target(device: Device) -> tuple[str, str, str] | None:
    """(extension, domain, sofia profile) the phone registers as; None when the device has no user."""
    user = db.session.get(User, device.user_id) if device.user_id else None
    if user is None:
        return None
    return user.extension, user.tenant.domain, current_app.config.get("PROV_SOFIA_PROFILE", "internal")


def check_sync_command(device: Device) -> str | None:
    """The command that makes FreeSWITCH NOTIFY check-sync to the phones registered as the device's user
    (None when the device has no user to register as)."""
    target = _check_sync_target(device)
    if target is None:
        return None
    extension, domain, profile = target
    return commands.check_sync(profile, extension, domain)


def send_check_sync(device: Device) -> dict[str, str]:
    """Ask every FreeSWITCH node to NOTIFY the phone (raises ports.SwitchError when that fails)."""
    target = _check_sync_target(device)
    if target is None:
        raise Invalid(N_("This phone has no user: it is not registered, so it cannot be told to reboot."))
    extension, domain, profile = target
    replies = switch().check_sync(extension, domain, profile)
    audit.record("check_sync", device, tenant_id=device.tenant_id,
                 changes={"command": commands.check_sync(profile, extension, domain)})
    return replies


def retire_device(device: Device) -> None:
    audit.record("delete", device, tenant_id=device.tenant_id, changes={"mac": device.mac})
    db.session.delete(device)
    db.session.flush()


def reveal_admin_password(device: Device) -> str:
    """The phone's web admin password, for the admin who must log into the phone (audited)."""
    audit.record("reveal_admin_password", device, tenant_id=device.tenant_id)
    return secret_box().decrypt(device.admin_password_enc)


def provisioning_token(device: Device) -> str:
    """The phone's provisioning password, for the phone's own files and nowhere else."""
    return secret_box().decrypt(device.prov_token_enc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_credentials(device: Device) -> None:
    token = secrets.token_urlsafe(24)
    device.prov_token_enc = secret_box().encrypt(token)
    device.prov_token_hash = token_hash(token)
    hours = current_app.config.get("PROV_BOOTSTRAP_HOURS", 24)
    device.bootstrap_until = datetime.now(timezone.utc) + timedelta(hours=hours)


def _check_owner_id(tenant_id: int, user_id: int | None) -> None:
    if user_id is None:
        return
    if db.session.execute(select(User.id).where(User.id == user_id, User.tenant_id == tenant_id)).first() is None:
        raise Invalid(N_("This user does not exist in this company."), fields={"user_id": [N_("Unknown.")]})
