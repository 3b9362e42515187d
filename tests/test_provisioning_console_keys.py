"""Programmable keys from the console: drawn as the model lays them out, saved into the phone's file,
copied to other phones; the firmware URL set in the phone's form."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import Device, User
from centrex.phones.devices import set_device_keys
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, parse_xml, parse_yealink, phone
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
    assert refused.status_code == 422
    assert "Une numérotation abrégée ou une touche de transfert a besoin d’un numéro." in text(refused)


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


def test_park_and_transfer_keys_reach_yealink_and_snom_files(client, admin, dupont):
    """A park key dials the park code + its slot (Yealink type 10; Snom orbit or speed, as wazo-snom),
    a transfer key its number (Yealink type 3; Snom `transfer`)."""
    yealink = phone(dupont, _user(dupont, "1001"), model="T54W")
    saved = post(admin, f"/t/{dupont.id}/devices/{yealink.id}/keys", {
        "kind_3": "park", "number_3": "2", "label_3": "Parking", "kind_4": "transfer", "number_4": "1000"})
    assert saved.status_code == 302
    values = parse_yealink(client.get(f"/prov/{yealink.mac}.cfg", headers=device_auth(yealink)).get_data(as_text=True))
    assert (values["linekey.3.type"], values["linekey.3.value"], values["linekey.3.label"]) == ("10", "*62", "Parking")
    assert (values["linekey.4.type"], values["linekey.4.value"]) == ("3", "1000")
    for model, park in (("D725", "orbit *62"), ("D785", "speed *62")):
        snom = phone(dupont, _user(dupont, "1002"), vendor="snom", model=model, mac=f"000413{model[1:]}ab1")
        set_device_keys(snom, [{"position": 1, "kind": "park", "number": "2"},
                               {"position": 2, "kind": "transfer", "number": "+41791234567"}])
        own = client.get(f"/prov/snom-{snom.mac.upper()}.xml", headers=device_auth(snom))
        fkeys = {k.get("idx"): k.text for k in parse_xml(own.get_data()).find("functionKeys")}
        assert fkeys == {"0": park, "1": "transfer +41791234567"}, model


def test_a_park_key_needs_a_slot(admin, dupont):
    device = phone(dupont, None, model="T46U")
    refused = post(admin, f"/t/{dupont.id}/devices/{device.id}/keys", {"kind_1": "park", "number_1": "12"})
    assert refused.status_code == 422 and "Une touche de parcage parque sur une place de 1 à 9." in text(refused)


def test_the_api_takes_park_and_transfer_keys(client, keys, dupont):
    device = phone(dupont, None, model="T46U")
    url = f"/api/v1/devices/{device.id}/keys"
    no_number = client.put(url, headers=bearer(keys["dupont"]), json={"keys": [{"position": 1, "kind": "transfer"}]})
    assert no_number.status_code == 422 and "0.number" in no_number.get_json()["fields"]
    accepted = client.put(url, headers=bearer(keys["dupont"]), json={"keys": [
        {"position": 1, "kind": "park", "number": "9"}, {"position": 2, "kind": "transfer", "number": "2001"}]})
    assert accepted.status_code == 200, accepted.get_json()
