"""A company's default key layout: the administrator sets the keys once (e.g. BLF keys on the reception
colleagues, voicemail, DND), every phone added afterwards starts with them, and "apply the default" gives
them to phones that exist. One layout for every phone of the company, whatever its model: it covers the
phone's own keys (positions 1 to the largest phone's count, never an expansion module), and a phone with
fewer keys gets the keys it has."""
from __future__ import annotations

from sqlalchemy import select

from centrex.models import DefaultKey, Device, Tenant
from centrex.phones import catalogue
from centrex.phones.devices import checked_keys, set_device_keys
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_

KEY_FIELDS = ("position", "kind", "target_user_id", "number", "label")
# The phone with the most keys of its own (modules aside): the default layout's last position.
LAST_POSITION = max(model.keys for model in catalogue.MODELS)


def default_keys(tenant_id: int) -> list[DefaultKey]:
    return list(db.session.execute(select(DefaultKey).where(DefaultKey.tenant_id == tenant_id)
                                   .order_by(DefaultKey.position)).scalars())


def as_rows(keys) -> list[dict]:
    """Key rows (a phone's or the default's) as the dicts set_device_keys / set_default_keys take."""
    return [{name: getattr(key, name) for name in KEY_FIELDS} for key in keys]


def set_default_keys(tenant: Tenant, keys: list[dict]) -> list[DefaultKey]:
    """Replace the company's default layout (validated as a phone's keys, BLF colleagues of this company)."""
    loaded = checked_keys(tenant.id, keys, LAST_POSITION,
                          N_("A default layout covers the phones' own keys: %(n)s at most."))
    for row in default_keys(tenant.id):
        db.session.delete(row)
    db.session.flush()
    db.session.add_all(DefaultKey(tenant_id=tenant.id, **key) for key in loaded)
    db.session.flush()
    audit.record("set_default_keys", tenant, tenant_id=tenant.id,
                 changes={"keys": [f"{k['position']}:{k['kind']}" for k in loaded]})
    return default_keys(tenant.id)


def layout_for(device: Device, keys: list[dict]) -> list[dict]:
    """The default keys this phone has room for (its own keys)."""
    model = catalogue.find(device.vendor, device.model)
    room = model.keys if model else 0
    return [key for key in keys if key["position"] <= room]


def apply_default_keys(tenant: Tenant, devices: list[Device]) -> int:
    """Give these phones (of this company) the default layout, in place of their keys; how many."""
    keys = as_rows(default_keys(tenant.id))
    for device in devices:
        assert device.tenant_id == tenant.id, "a phone of another company"
        set_device_keys(device, layout_for(device, keys))
    return len(devices)


def start_with_default_keys(device: Device) -> None:
    """A new phone: the company's default layout, if it has one (no audit row of its own: the phone's
    creation says it, and set_device_keys records the keys)."""
    keys = as_rows(default_keys(device.tenant_id))
    if keys:
        set_device_keys(device, layout_for(device, keys))
