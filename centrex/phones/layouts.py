"""A company's default key layout: the administrator sets the keys once (e.g. BLF keys on the reception
colleagues, voicemail, DND), every phone added afterwards starts with them, and "apply the default" gives
them to phones that exist. One layout for every phone of the company, whatever its model: it covers the
phone's own keys (positions 1 to the largest phone's count, never an expansion module), and a phone with
fewer keys gets the keys it has."""
from __future__ import annotations

from centrex.models import DefaultKey, Device, Tenant
from centrex.phones import catalogue
from centrex.phones.devices import as_rows, checked_keys, default_keys, layout_for, set_device_keys
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.tenancy import scoped

# The phone with the most keys of its own (modules aside): the default layout's last position.
LAST_POSITION = max(model.keys for model in catalogue.MODELS)


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


def phones_of(tenant: Tenant, device_ids: list[int]) -> list[Device]:
    """The company's phones with these ids, else Invalid (another company's phone is never touched)."""
    wanted = set(device_ids)
    found = list(db.session.execute(scoped(Device, tenant.id).where(Device.id.in_(wanted))
                                    .order_by(Device.id)).scalars())
    if len(found) != len(wanted):
        raise Invalid(N_("No such phone in this company."), fields={"devices": [N_("Unknown.")]})
    return found


def apply_default_keys(tenant: Tenant, devices: list[Device]) -> int:
    """Give these phones (of this company) the default layout, in place of their keys; how many."""
    keys = as_rows(default_keys(tenant.id))
    for device in devices:
        assert device.tenant_id == tenant.id, "a phone of another company"
        set_device_keys(device, layout_for(device, keys))
    return len(devices)
