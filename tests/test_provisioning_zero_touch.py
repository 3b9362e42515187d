"""What a factory phone needs, and what its file sets explicitly rather than trusting firmware defaults:
registration expiry, DTMF mode, codec order and SRTP, from one place (the operator's configuration)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import User
from centrex.phones.devices import assign_device
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, parse_xml, parse_yealink, phone, snom_settings
from webui_testing import text

pytestmark = pytest.mark.smoke


@pytest.fixture
def explicit(app, monkeypatch):
    for key, value in {"PROV_REGISTER_EXPIRY": 300, "PROV_DTMF": "sip_info", "PROV_CODECS": ("pcma", "g722"),
                       "PROV_SRTP": "mandatory"}.items():
        monkeypatch.setitem(app.config, key, value)


def test_yealink_files_set_expiry_dtmf_codecs_and_srtp(client, dupont, explicit):
    device = phone(dupont, None, model="T54W")
    values = parse_yealink(client.get(f"/prov/{device.mac}.cfg", headers=device_auth(device)).get_data(as_text=True))
    assert "account.1.sip_server.1.expires" not in values  # no user: no account to configure
    assign_device(device, db.session.execute(select(User).where(User.tenant_id == dupont.id,
                                                                 User.extension == "1001")).scalar_one())
    values = parse_yealink(client.get(f"/prov/{device.mac}.cfg", headers=device_auth(device)).get_data(as_text=True))
    assert values["account.1.sip_server.1.expires"] == "300" and values["account.1.dtmf.type"] == "2"
    assert values["account.1.srtp_encryption"] == "2"
    assert (values["account.1.codec.pcma.priority"], values["account.1.codec.g722.priority"]) == ("1", "2")
    assert values["account.1.codec.pcmu.enable"] == "0" and "account.1.codec.pcmu.priority" not in values


def test_snom_files_set_expiry_dtmf_codecs_and_srtp(client, dupont, explicit):
    owner = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1002")).scalar_one()
    device = phone(dupont, owner, vendor="snom", model="D785", mac="000413fa0001")
    settings = snom_settings(parse_xml(client.get("/prov/snom-000413FA0001.xml",
                                                  headers=device_auth(device)).get_data()))
    assert settings["user_expiry[1]"] == "300" and settings["user_dtmf_info[1]"] == "sip_info_only"
    assert settings["codec_priority_list[1]"] == "pcma,g722,telephone-event"
    assert (settings["user_srtp[1]"], settings["user_savp[1]"]) == ("on", "mandatory")


def test_the_equipment_page_shows_the_provisioning_address(admin, dupont, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROV_BASE_URL", "https://prov.operator.example/prov")
    page = text(admin.get(f"/t/{dupont.id}/devices"))
    assert '<span class="mono" id="prov-url">https://prov.operator.example/prov/</span>' in page
    assert "option DHCP 66" in page
