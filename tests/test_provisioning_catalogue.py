"""The model catalogue: a device is one of the supported models (else refused with the list, in the
console and the API), and every catalogued model gets its files and its keys."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from api_testing import bearer, keys  # noqa: F401
from centrex.models import User
from centrex.phones import catalogue
from centrex.phones.devices import set_device_keys, update_device
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from tests.provisioning_helpers import device_auth, parse_xml, parse_yealink, phone
from webui_testing import post, text

pytestmark = pytest.mark.smoke


def _user(tenant):
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == "1001")).scalar_one()


def test_the_catalogue_covers_the_current_families_and_names_its_sources():
    yealink, snom = catalogue.names("yealink"), catalogue.names("snom")
    for family in ("T30", "T31G", "T33G", "T41S", "T46S", "T48S", "T43U", "T46U", "T48U", "T53W", "T54W",
                   "T57W", "T58W"):
        assert family in yealink
    for family in ("D315", "D345", "D385", "D712", "D715", "D717", "D725", "D735", "D745", "D765", "D785"):
        assert family in snom
    assert all(model.source for model in catalogue.MODELS)
    assert catalogue.find("yealink", "t58w").files == ("y000000000150.cfg", "<mac>.cfg")
    assert catalogue.find("snom", "D385").files == ("snomD385.htm", "snomD385-<MAC>.htm", "snom-<MAC>.xml")


def test_an_unknown_model_is_refused_with_the_list(dupont):
    with pytest.raises(Invalid) as refused:
        phone(dupont, None, model="T99X")
    message = refused.value.message
    assert "T99X" in message and "T54W" in message and "T58W" in message and "D785" not in message
    with pytest.raises(Invalid):
        phone(dupont, None, vendor="snom", model="T54W", mac="000413000009")  # a Yealink model for Snom
    device = phone(dupont, None, model="t46u")
    assert device.model == "T46U"  # the catalogue's spelling
    with pytest.raises(Invalid):
        update_device(device, {"model": "D785"})


def test_the_api_lists_the_models_and_refuses_an_unknown_one(client, keys):
    listed = client.get("/api/v1/device-models", headers=bearer(keys["dupont"]))
    assert listed.status_code == 200
    rows = {row["model"]: row for row in listed.get_json()["items"]}
    assert rows["T46U"]["expansion_module"] == "EXP43" and rows["T46U"]["module_keys"] == 60
    assert rows["D385"]["vendor"] == "snom" and rows["T58W"]["files"][0] == "y000000000150.cfg"
    refused = client.post("/api/v1/devices", headers=bearer(keys["dupont"]),
                          json={"mac": "001565abab01", "vendor": "yealink", "model": "W73P"})
    assert refused.status_code == 422
    body = refused.get_json()
    assert "T54W" in str(body) and "model" in body["fields"]


def test_the_console_offers_the_models_as_a_choice(admin, dupont):
    form = text(admin.get(f"/t/{dupont.id}/devices/new"))
    assert '<select id="f-model" name="model"' in form
    assert 'value="T58W"' in form and 'value="D385"' in form
    refused = post(admin, f"/t/{dupont.id}/devices/new", {"mac": "001565abab02", "vendor": "yealink",
                                                         "model": "T99X"})
    assert refused.status_code == 422 and "T54W" in text(refused)


@pytest.mark.parametrize("model", catalogue.names("yealink"))
def test_every_yealink_model_gets_its_common_file_and_its_last_key(client, dupont, model):
    entry = catalogue.find("yealink", model)
    if entry.common_code:
        common = client.get(f"/prov/y000000000{entry.common_code}.cfg")
        assert common.status_code == 200 and model in common.get_data(as_text=True).splitlines()[1]
    device = phone(dupont, _user(dupont), model=model)
    if entry.total_keys == 0:
        return
    set_device_keys(device, [{"position": entry.total_keys, "kind": "speed_dial", "number": "1000"}])
    values = parse_yealink(client.get(f"/prov/{device.mac}.cfg", headers=device_auth(device)).get_data(as_text=True))
    typed = [key for key, value in values.items() if key.endswith(".type") and value == "13"]
    expected = (f"expansion_module.{entry.module.max_modules}.key.{entry.module.keys}.type" if entry.module
                else f"linekey.{entry.keys}.type")
    assert typed == [expected]


@pytest.mark.parametrize("model", catalogue.names("snom"))
def test_every_snom_model_gets_its_factory_file_and_its_last_key(client, dupont, model):
    entry = catalogue.find("snom", model)
    factory = client.get(f"/prov/snom{model}.htm")
    assert factory.status_code == 200
    device = phone(dupont, _user(dupont), vendor="snom", model=model, mac="000413000077")
    set_device_keys(device, [{"position": entry.total_keys, "kind": "speed_dial", "number": "1000"}])
    root = parse_xml(client.get("/prov/snom-000413000077.xml", headers=device_auth(device)).get_data())
    fkeys = {int(k.get("idx")): k.text for k in root.find("functionKeys")}
    assert fkeys == {entry.total_keys - 1: "speed 1000"}


def test_a_key_past_the_last_module_is_refused(dupont):
    device = phone(dupont, None, model="T41S")  # 15 line keys, no expansion module
    set_device_keys(device, [{"position": 15, "kind": "dnd"}])
    with pytest.raises(Invalid) as refused:
        set_device_keys(device, [{"position": 16, "kind": "dnd"}])
    assert "15" in refused.value.message
