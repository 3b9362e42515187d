"""Device lifecycle services the console calls: add, assign, keys, re-provision, retire; all audited,
all scoped to the device's tenant."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from centrex.models import AuditEntry, Device, DeviceKey, User
from centrex.phones.devices import (
    add_device,
    assign_device,
    check_sync_command,
    provisioning_token,
    reprovision_after_factory_reset,
    retire_device,
    reveal_admin_password,
    send_check_sync,
    set_device_keys,
    update_device,
)
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from centrex.platform.ports import SwitchError, set_switch, switch
from centrex.platform.tenancy import scoped
from esl_handlers.commands import EslSwitch
from esl_server import esl_server  # noqa: F401  (the test ESL server fixture)
from tests.provisioning_helpers import basic, parse_yealink

pytestmark = pytest.mark.smoke


@contextmanager
def wired_switch(implementation):
    """The switch port wired to `implementation` for the block, then back to what the app had."""
    try:
        previous = switch()
    except SwitchError:
        previous = None
    set_switch(implementation)
    try:
        yield implementation
    finally:
        set_switch(previous)


def users_of(tenant):
    return {u.extension: u for u in db.session.execute(scoped(User, tenant.id)).scalars()}


def audit_actions(device_id):
    return [row.action for row in db.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "device", AuditEntry.object_id == device_id)
        .order_by(AuditEntry.id)).scalars()]


def test_add_assign_keys_reprovision_retire(demo):
    dupont = demo["dupont.example"]
    users = users_of(dupont)
    device = add_device(dupont, {"mac": "80:5E:C0:11:22:33", "vendor": "yealink", "model": "T54W",
                                 "transfer_mode": "new_call"})
    assert device.mac == "805ec0112233" and device.transfer_mode == "new_call" and device.bootstrap_until
    assert len(reveal_admin_password(device)) == 16
    assign_device(device, users["1003"])
    assert check_sync_command(device) == "sofia profile internal check_sync 1003@dupont.example"
    set_device_keys(device, [{"position": 1, "kind": "line"},
                             {"position": 2, "kind": "blf", "target_user_id": users["1000"].id, "label": "Accueil"}])
    assert [(k.position, k.kind) for k in device.keys] == [(1, "line"), (2, "blf")]
    token = provisioning_token(device)
    reprovision_after_factory_reset(device)
    assert provisioning_token(device) != token
    device_id = device.id
    retire_device(device)
    assert db.session.get(Device, device_id) is None
    assert db.session.execute(select(DeviceKey).where(DeviceKey.device_id == device_id)).first() is None
    actions = audit_actions(device_id)
    assert actions == ["create", "reveal_admin_password", "update", "set_keys", "reprovision", "delete"]
    changes = " ".join(str(row.changes) for row in db.session.execute(select(AuditEntry)).scalars())
    assert token not in changes and provisioning_token(db.session.get(Device, device_id) or device) not in changes


def test_keys_and_owners_stay_inside_the_tenant(demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    device = add_device(dupont, {"mac": "001565777777", "vendor": "yealink", "model": "T46S"})
    stranger = users_of(martin)["1001"]  # same extension as Dupont's 1001, other company
    with pytest.raises(Invalid):
        set_device_keys(device, [{"position": 1, "kind": "blf", "target_user_id": stranger.id}])
    with pytest.raises(Invalid):
        assign_device(device, stranger)
    with pytest.raises(Invalid):
        set_device_keys(device, [{"position": 1, "kind": "speed_dial", "number": "12\n34"}])
    with pytest.raises(Invalid):
        set_device_keys(device, [{"position": 1, "kind": "line"}, {"position": 1, "kind": "dnd"}])
    with pytest.raises(Invalid):
        update_device(device, {"label": "Bureau\r\naccount.1.password = x"})
    with pytest.raises(Invalid):
        update_device(device, {"firmware_url": "ftp://evil/fw.rom"})
    update_device(device, {"firmware_url": "https://fw.operator.example/yealink/66.86.0.15.rom"})
    assert device.firmware_url.endswith(".rom") and device.user_id is None


def test_check_sync_without_a_switch_says_so(demo):
    dupont = demo["dupont.example"]
    device = add_device(dupont, {"mac": "001565888888", "vendor": "yealink", "model": "T46S",
                                 "user_id": users_of(dupont)["1001"].id})
    with wired_switch(None), pytest.raises(SwitchError):
        send_check_sync(device)
    unassigned = add_device(dupont, {"mac": "001565888889", "vendor": "snom", "model": "D785"})
    with pytest.raises(Invalid):
        send_check_sync(unassigned)


def test_the_red_button_reaches_freeswitch_and_the_reset_phone_gets_its_new_credentials(client, demo, esl_server):
    """Re-provision after a factory reset, end to end: new credentials and an open window, committed at
    the boundary; check-sync sent over ESL (python-ESL against the test server speaking the wire
    protocol, with FreeSWITCH's captured reply); then the reset phone, with its old token, gets its file
    once with the new one."""
    dupont = demo["dupont.example"]
    device = add_device(dupont, {"mac": "001565000301", "vendor": "yealink", "model": "T46S",
                                 "user_id": users_of(dupont)["1001"].id})
    old_token = provisioning_token(device)
    device.bootstrap_until = None
    reprovision_after_factory_reset(device)
    db.session.commit()
    with wired_switch(EslSwitch([esl_server.address])) as esl:
        replies = send_check_sync(device)
        esl.close()
    assert "api sofia profile internal check_sync 1001@dupont.example" in esl_server.commands
    assert list(replies.values()) == ["+OK syncing all registrations matching specified call_id\n"]
    assert audit_actions(device.id)[-2:] == ["reprovision", "check_sync"]
    response = client.get(f"/prov/{device.mac}.cfg", headers=basic(device.mac, old_token))
    assert response.status_code == 200
    assert parse_yealink(response.get_data(as_text=True))["static.auto_provision.server.password"] \
        == provisioning_token(device) != old_token
