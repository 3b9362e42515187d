"""Snom files as the phone reads them: firmware settings only from the file firmware_status names, the admin
menus closed to the desk user, the company's zone as a Snom zone code, a quick_transfer value the phone
knows, and a factory phone led from snom<MODEL>.htm to its own file."""
from __future__ import annotations

import pytest

from centrex.phones.devices import update_device
from tests.provisioning_helpers import device_auth, parse_xml, phone, snom_settings

pytestmark = pytest.mark.smoke

MAC = "000413c0ffee"
FIRMWARE = "https://fw.operator.example/snom/snomD785-10.1.152.12-SIP-r.bin"


def _settings(client, device):
    response = client.get(f"/prov/snom-{MAC.upper()}.xml", headers=device_auth(device))
    assert response.status_code == 200
    root = parse_xml(response.get_data())
    return root, snom_settings(root)


def test_firmware_comes_from_the_file_firmware_status_names(client, dupont):
    device = phone(dupont, None, vendor="snom", model="D785", mac=MAC)
    root, settings = _settings(client, device)
    assert "firmware_status" not in settings and root.find("firmware-settings") is None
    update_device(device, {"firmware_url": FIRMWARE})
    root, settings = _settings(client, device)
    assert root.find("firmware-settings") is None  # ignored inside <settings>: never sent there
    status_url = settings["firmware_status"]
    assert status_url.endswith(f"/prov/snomD785-{MAC.upper()}-firmware.xml")
    path = status_url[status_url.index("/prov/"):]
    assert client.get("/prov/snomD785-000413000000-firmware.xml").status_code == 404  # no such phone
    firmware = parse_xml(client.get(path, headers=device_auth(device)).get_data())
    assert firmware.tag == "firmware-settings" and firmware.findtext("firmware") == FIRMWARE


def test_admin_menus_are_closed_and_the_zone_is_a_snom_code(client, dupont):
    device = phone(dupont, None, vendor="snom", model="D785", mac=MAC)
    _, settings = _settings(client, device)
    assert settings["admin_mode"] == "off" and settings["admin_mode_password"]
    assert settings["timezone"] == "CHE+1"  # Dupont SA: Europe/Zurich
    dupont.timezone = "Europe/Paris"
    _, settings = _settings(client, device)
    assert settings["timezone"] == "FRA+1" and settings["utc_offset"] == "+3600"


@pytest.mark.parametrize("mode,quick,on_hangup", [("blind", "blind", "off"), ("attended", "attended", "off"),
                                                  ("new_call", "new_call", "off"),
                                                  ("semi_attended", "attended", "on")])
def test_quick_transfer_is_a_value_the_phone_knows(client, dupont, mode, quick, on_hangup):
    device = phone(dupont, None, vendor="snom", model="D785", mac=MAC, transfer_mode=mode)
    _, settings = _settings(client, device)
    assert (settings["quick_transfer"], settings["transfer_on_hangup"]) == (quick, on_hangup)


def test_a_factory_phone_is_led_from_the_model_file_to_its_own(client, dupont):
    phone(dupont, None, vendor="snom", model="D385", mac=MAC)
    container = parse_xml(client.get("/prov/snomD385.htm").get_data())
    model_url = container[0].get("url")
    model_settings = snom_settings(parse_xml(client.get(model_url[model_url.index("/prov/"):]).get_data()))
    own = model_settings["setting_server"].replace("{mac}", MAC.upper())  # the phone fills in its MAC
    assert own.endswith(f"/prov/snomD385-{MAC.upper()}.htm")
    htm = client.get(own[own.index("/prov/"):])  # a factory phone: no credentials, bootstrap window open
    assert htm.status_code == 200
    assert parse_xml(htm.get_data())[0].get("url").endswith(f"/prov/snom-{MAC.upper()}.xml")
