"""Programmable keys from the console: drawn as the model lays them out, saved into the phone's file,
copied to other phones; the firmware URL set in the phone's form."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import Device, User
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, parse_yealink, phone
from webui_testing import post, text

pytestmark = pytest.mark.smoke


def _user(tenant, extension):
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)).scalar_one()


def test_keys_are_drawn_as_the_model_lays_them_out(admin, dupont):
    device = phone(dupont, _user(dupont, "1001"), model="T46U")
    page = text(admin.get(f"/t/{dupont.id}/devices/{device.id}/keys"))
    assert 'name="kind_27"' in page and 'name="kind_28"' not in page
    with_module = text(admin.get(f"/t/{dupont.id}/devices/{device.id}/keys?modules=1"))
    assert "EXP43" in with_module and 'name="kind_87"' in with_module and 'name="kind_88"' not in with_module


def test_keys_saved_in_the_console_reach_the_phone_and_copy_to_others(client, admin, dupont):
    device = phone(dupont, _user(dupont, "1001"), model="T46U")
    other = phone(dupont, _user(dupont, "1002"), model="T54W", mac="805ec0000099")
    claire = _user(dupont, "1000")
    saved = post(admin, f"/t/{dupont.id}/devices/{device.id}/keys?modules=1", {
        "kind_1": "line", "kind_2": "blf", "target_2": str(claire.id), "label_2": "Réception",
        "kind_28": "speed_dial", "number_28": "+41791234567", "label_28": "Mobile"})
    assert saved.status_code == 302
    values = parse_yealink(client.get(f"/prov/{device.mac}.cfg", headers=device_auth(device)).get_data(as_text=True))
    blf = (values["linekey.2.type"], values["linekey.2.value"], values["linekey.2.label"])
    assert blf == ("16", "1000", "Réception")
    assert (values["expansion_module.1.key.1.type"], values["expansion_module.1.key.1.value"]) == ("13", "+41791234567")
    copied = post(admin, f"/t/{dupont.id}/devices/{device.id}/keys/copy", {"devices": str(other.id)})
    assert copied.status_code == 302
    assert [(k.position, k.kind) for k in db.session.get(Device, other.id).keys] == [
        (1, "line"), (2, "blf"), (28, "speed_dial")]


def test_a_wrong_key_is_refused_with_its_reason(admin, dupont):
    device = phone(dupont, None, model="T41S")
    refused = post(admin, f"/t/{dupont.id}/devices/{device.id}/keys", {"kind_3": "speed_dial"})
    assert refused.status_code == 422 and "Une numérotation abrégée a besoin d’un numéro." in text(refused)


def test_the_firmware_url_is_set_in_the_phone_form(admin, dupont):
    device = phone(dupont, None, model="T54W")
    url = "https://fw.operator.example/yealink/96.86.0.45.rom"
    saved = post(admin, f"/t/{dupont.id}/devices/{device.id}", {"model": "T54W", "transfer_mode": "blind",
                                                                "firmware_url": url})
    assert saved.status_code == 302 and db.session.get(Device, device.id).firmware_url == url


def test_the_api_reads_and_replaces_a_phones_keys(client, keys, dupont):
    device = phone(dupont, _user(dupont, "1001"), model="T46U")
    claire = _user(dupont, "1000")
    url = f"/api/v1/devices/{device.id}/keys"
    put = client.put(url, headers=bearer(keys["dupont"]), json={"keys": [
        {"position": 2, "kind": "blf", "target_user_id": claire.id}, {"position": 68, "kind": "dnd"}]})
    assert put.status_code == 200, put.get_json()
    listed = client.get(url, headers=bearer(keys["dupont"])).get_json()["items"]
    assert [(k["position"], k["kind"], k["target_user_id"]) for k in listed] == [
        (2, "blf", claire.id), (68, "dnd", None)]
    too_far = client.put(url, headers=bearer(keys["dupont"]), json={"keys": [{"position": 208, "kind": "dnd"}]})
    assert too_far.status_code == 422  # a T46U has 27 keys + 3 EXP43 modules of 60
