"""The operator sets registration expiry, DTMF mode, codec order and SRTP for one company's phones (its
client page, « Téléphones »): every Yealink and Snom file of that company says so, another company's
files keep the operator-wide defaults; the client's administrator cannot change them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import Tenant, User
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, parse_xml, parse_yealink, phone, snom_settings
from webui_testing import login, post, text

pytestmark = pytest.mark.smoke

CHOICES = {"register_expiry": "300", "dtmf": "sip_info", "codecs": "PCMA, g722", "srtp": "mandatory"}


def _user(tenant, extension):
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)).scalar_one()


def _files(client, tenant, mac_end: str) -> tuple[dict, dict]:
    """(Yealink values, Snom settings) of a T54W and a D785 of this company's user 1001."""
    owner = _user(tenant, "1001")
    yealink = phone(tenant, owner, model="T54W", mac=f"805ec000{mac_end}")
    snom = phone(tenant, owner, vendor="snom", model="D785", mac=f"00041300{mac_end}")
    cfg = client.get(f"/prov/{yealink.mac}.cfg", headers=device_auth(yealink))
    xml = client.get(f"/prov/snom-{snom.mac.upper()}.xml", headers=device_auth(snom))
    assert cfg.status_code == xml.status_code == 200
    return parse_yealink(cfg.get_data(as_text=True)), snom_settings(parse_xml(xml.get_data()))


def test_one_companys_phone_settings_reach_its_files_only(client, demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    login(client, "operator@centrex.example")
    page = text(client.get(f"/operator/clients/{dupont.id}/phones"))
    assert "Durée d’enregistrement (secondes)" in page and "Par défaut (rfc2833)" in page
    saved = post(client, f"/operator/clients/{dupont.id}/phones", CHOICES)
    assert saved.status_code == 302

    yealink, snom = _files(client, dupont, "0a01")
    assert yealink["account.1.sip_server.1.expires"] == "300" and yealink["account.1.dtmf.type"] == "2"
    assert yealink["account.1.srtp_encryption"] == "2"
    assert (yealink["account.1.codec.pcma.priority"], yealink["account.1.codec.g722.priority"]) == ("1", "2")
    assert yealink["account.1.codec.pcmu.enable"] == "0"
    assert (snom["user_expiry[1]"], snom["user_dtmf_info[1]"], snom["user_savp[1]"]) == ("300", "sip_info_only",
                                                                                       "mandatory")
    assert snom["codec_priority_list[1]"] == "pcma,g722,telephone-event"

    yealink, snom = _files(client, martin, "0b01")  # the operator's defaults (CENTREX_PROV_*)
    assert yealink["account.1.sip_server.1.expires"] == "600" and yealink["account.1.dtmf.type"] == "1"
    assert yealink["account.1.srtp_encryption"] == "0" and yealink["account.1.codec.g722.priority"] == "1"
    assert (snom["user_expiry[1]"], snom["user_dtmf_info[1]"], snom["user_savp[1]"]) == ("600", "off", "off")
    assert snom["codec_priority_list[1]"] == "g722,pcma,pcmu,telephone-event"

    back = post(client, f"/operator/clients/{dupont.id}/phones", {"register_expiry": "", "dtmf": "", "codecs": "",
                                                                  "srtp": ""})
    assert back.status_code == 302
    yealink, _ = _files(client, dupont, "0c01")
    assert yealink["account.1.sip_server.1.expires"] == "600"  # empty: the default again


def test_wrong_values_are_refused_with_their_reason(client, demo):
    dupont = demo["dupont.example"]
    login(client, "operator@centrex.example")
    refused = post(client, f"/operator/clients/{dupont.id}/phones", {**CHOICES, "codecs": "g722,speex"})
    assert refused.status_code == 422 and "chacun une fois" in text(refused)
    too_short = post(client, f"/operator/clients/{dupont.id}/phones", {**CHOICES, "register_expiry": "5"})
    assert too_short.status_code == 422


def test_the_clients_administrator_cannot_set_them(admin, dupont):
    assert admin.get(f"/operator/clients/{dupont.id}/phones").status_code in (403, 404)
    refused = post(admin, f"/operator/clients/{dupont.id}/phones", CHOICES)
    assert refused.status_code in (403, 404)
    assert db.session.execute(select(Tenant).where(Tenant.id == dupont.id)).scalar_one()
    from centrex.phones.company_settings import phone_settings_of

    assert phone_settings_of(dupont.id) is None
