"""Each model family's file parses in its vendor's format and carries the keys that firmware reads.
The known-good key names below say where each one comes from (looked up with `search`)."""
from __future__ import annotations

import pytest

from centrex.directory.users import reveal_secret
from centrex.models import User
from centrex.phones.devices import set_device_keys
from centrex.phones.phonebooks import add_entry
from tests.provisioning_helpers import device_auth, parse_xml, parse_yealink, phone, snom_settings

pytestmark = pytest.mark.smoke

WAZO_YEALINK = "wazo-provd-plugins plugins/wazo-yealink/v86/templates/base.tpl"
WAZO_YEALINK_COMMON = "wazo-provd-plugins plugins/wazo-yealink/v86/common.py"
FUSION_T46S = "fusionpbx resources/templates/provision/yealink/t46s/{$mac}.cfg"
YEALINK_KEYS = {
    "account.1.enable": WAZO_YEALINK, "account.1.label": WAZO_YEALINK, "account.1.display_name": FUSION_T46S,
    "account.1.auth_name": WAZO_YEALINK, "account.1.user_name": WAZO_YEALINK, "account.1.password": WAZO_YEALINK,
    "account.1.sip_server.1.address": WAZO_YEALINK, "account.1.sip_server.1.port": WAZO_YEALINK,
    "account.1.sip_server.1.transport_type": WAZO_YEALINK,
    "account.1.outbound_proxy_enable": FUSION_T46S, "account.1.outbound_proxy.1.address": FUSION_T46S,
    "voice_mail.number.1": WAZO_YEALINK, "account.1.subscribe_mwi": WAZO_YEALINK,
    "account.1.subscribe_mwi_to_vm": "FusionPBX yealink/t46u/{$mac}.cfg",
    "account.1.subscribe_mwi_expires": "FusionPBX yealink/t46u/{$mac}.cfg",
    "remote_phonebook.data.1.url": WAZO_YEALINK, "remote_phonebook.data.1.name": WAZO_YEALINK,
    "static.security.user_password": WAZO_YEALINK, "lang.gui": WAZO_YEALINK, "lang.wui": WAZO_YEALINK,
    "local_time.ntp_server1": WAZO_YEALINK, "local_time.time_zone": WAZO_YEALINK_COMMON,
    "local_time.summer_time": WAZO_YEALINK_COMMON, "local_time.dst_time_type": WAZO_YEALINK_COMMON,
    "local_time.start_time": WAZO_YEALINK_COMMON, "local_time.end_time": WAZO_YEALINK_COMMON,
    "local_time.offset_time": WAZO_YEALINK_COMMON,
    "transfer.dsskey_deal_type": WAZO_YEALINK,
    "transfer.semi_attend_tran_enable": "Yealink W53P/W80 admin guide, Call Transfer Configuration",
    "transfer.blind_tran_on_hook_enable": "Yealink SIP-T48G admin guide, call transfer",
    "sip.notify_reboot_enable": WAZO_YEALINK,
    "static.auto_provision.server.username": "public Yealink templates (search: static.auto_provision.server.url)",
    "static.auto_provision.server.password": "public Yealink templates (search: static.auto_provision.server.url)",
    "linekey.1.type": WAZO_YEALINK_COMMON, "linekey.1.value": WAZO_YEALINK_COMMON,
    "linekey.1.label": WAZO_YEALINK_COMMON, "linekey.1.line": WAZO_YEALINK_COMMON,
    "linekey.2.extension": WAZO_YEALINK_COMMON + " (BLF pickup code)",
}
# linekey.X.type: 15 line, 16 BLF, 13 speed dial (wazo common.py); 5 DND (Yealink T29G admin guide);
# 2 forward (Yealink admin guides, DSS key types).
WAZO_SNOM = "wazo-provd-plugins plugins/wazo-snom/common/templates/base.tpl"
FUSION_D785 = "fusionpbx resources/templates/provision/snom/D785/{$mac}.xml"
SNOM_KEYS = {
    "user_active[1]": WAZO_SNOM, "user_realname[1]": WAZO_SNOM, "user_name[1]": WAZO_SNOM,
    "user_pname[1]": WAZO_SNOM, "user_pass[1]": WAZO_SNOM, "user_host[1]": WAZO_SNOM,
    "user_outbound[1]": WAZO_SNOM, "user_mailbox[1]": WAZO_SNOM, "language": WAZO_SNOM,
    "web_language": WAZO_SNOM, "tone_scheme": WAZO_SNOM, "ntp_server": WAZO_SNOM, "utc_offset": WAZO_SNOM,
    "dst": WAZO_SNOM, "timezone": WAZO_SNOM, "dkey_directory": WAZO_SNOM, "http_user": WAZO_SNOM,
    "http_pass": WAZO_SNOM, "admin_mode_password": WAZO_SNOM, "setting_server": WAZO_SNOM,
    "http_client_user": FUSION_D785, "http_client_pass": FUSION_D785, "quick_transfer": FUSION_D785,
}


@pytest.fixture
def dupont_users(dupont, app, monkeypatch):
    """Dupont SA (conftest) and its users by extension; phones are told to use the operator's SBC."""
    monkeypatch.setitem(app.config, "PROV_SIP_OUTBOUND_PROXY", "sbc.operator.example")
    return dupont, {u.extension: u for u in tenant_users(dupont)}


def tenant_users(tenant):
    from centrex.platform.db import db
    from centrex.platform.tenancy import scoped
    return db.session.execute(scoped(User, tenant.id)).scalars().all()


KEYS = [{"position": 1, "kind": "line"}, {"position": 2, "kind": "blf", "target_user_id": None},
        {"position": 3, "kind": "speed_dial", "number": "+41791234567", "label": "Mobile Alain"},
        {"position": 4, "kind": "dnd", "label": "NPD"}, {"position": 5, "kind": "forward", "label": "Renvoi"},
        {"position": 6, "kind": "voicemail", "label": "Messagerie"}]


def _keys(users, blf_on="1000", extra=()):
    keys = [dict(k) for k in KEYS] + list(extra)
    keys[1]["target_user_id"] = users[blf_on].id
    return keys


@pytest.mark.parametrize("model,family_key", [
    ("T46S", "expansion_module.1.key.1.type"),  # T4x: EXP40, 40 keys a module
    ("T54W", "expansion_module.1.key.1.type"),  # T5x: EXP50, 60 keys a module
])
def test_yealink_device_file_parses_and_carries_known_keys(client, dupont_users, model, family_key):
    tenant, users = dupont_users
    device = phone(tenant, users["1001"], model=model, transfer_mode="blind")
    line_keys = {"T46S": 27, "T54W": 27}[model]
    set_device_keys(device, _keys(users, extra=[
        {"position": line_keys + 1, "kind": "blf", "target_user_id": users["1002"].id}]))
    response = client.get(f"/prov/{device.mac}.cfg", headers=device_auth(device))
    assert response.status_code == 200
    values = parse_yealink(response.get_data(as_text=True))
    missing = [key for key in YEALINK_KEYS if key not in values]
    assert not missing, missing
    assert values["account.1.user_name"] == "1001" and values["account.1.auth_name"] == "1001"
    assert values["account.1.password"] == reveal_secret(users["1001"])
    assert values["account.1.sip_server.1.address"] == "dupont.example"
    assert values["account.1.outbound_proxy.1.address"] == "sbc.operator.example"
    assert values["account.1.display_name"] == "Alain Dupont"
    assert values["lang.gui"] == "French"
    assert values["transfer.dsskey_deal_type"] == "2"
    assert (values["local_time.time_zone"], values["local_time.start_time"],
            values["local_time.end_time"]) == ("+1", "3/5/7/2", "10/5/7/3")
    assert [values[f"linekey.{n}.type"] for n in range(1, 7)] == ["15", "16", "13", "5", "2", "13"]
    assert values["linekey.2.value"] == "1000" and values["linekey.2.label"] == "Claire Dumas"
    assert values["linekey.6.value"] == "*97"
    # MWI: the phone subscribes to its own account's message-summary (the lamp; live: test_live_phones)
    assert (values["account.1.subscribe_mwi"], values["account.1.subscribe_mwi_to_vm"]) == ("1", "0")
    assert values[family_key] == "16" and values["expansion_module.1.key.1.value"] == "1002"


def test_yealink_common_file_has_no_secret_and_parses(client, dupont_users):
    response = client.get("/prov/y000000000066.cfg")
    assert response.status_code == 200
    values = parse_yealink(response.get_data(as_text=True))
    assert values["lang.gui"] == "French" and values["static.auto_provision.power_on"] == "1"
    assert not any("password" in key for key in values)
    assert client.get("/prov/y000000000999.cfg").status_code == 404


def test_snom_files_parse_and_carry_known_keys(client, dupont_users):
    tenant, users = dupont_users
    device = phone(tenant, users["1000"], vendor="snom", model="D785", mac="000413a1b2c3",
                   transfer_mode="attended")
    set_device_keys(device, _keys(users, blf_on="1001"))
    common = parse_xml(client.get("/prov/snomD785.htm").get_data(as_text=True))
    assert common.tag == "setting-files" and common[0].get("url").endswith("/prov/snomD785.xml")
    model = parse_xml(client.get("/prov/snomD785.xml").get_data(as_text=True))
    assert snom_settings(model)["language"] == "Francais"
    htm = client.get("/prov/snomD785-000413A1B2C3.htm", headers=device_auth(device))
    assert htm.status_code == 200
    url = parse_xml(htm.get_data(as_text=True))[0].get("url")
    assert url.endswith("/prov/snom-000413A1B2C3.xml")
    response = client.get("/prov/snom-000413A1B2C3.xml", headers=device_auth(device))
    assert response.status_code == 200
    root = parse_xml(response.get_data(as_text=True))
    settings = snom_settings(root)
    missing = [key for key in SNOM_KEYS if key not in settings]
    assert not missing, missing
    assert settings["user_name[1]"] == "1000" and settings["user_host[1]"] == "dupont.example"
    assert settings["user_pass[1]"] == reveal_secret(users["1000"])
    assert settings["user_outbound[1]"] == "sbc.operator.example:5060;transport=udp"
    assert settings["quick_transfer"] == "attended" and settings["utc_offset"] == "+3600"
    assert settings["dst"] == "3600 03.05.07 02:00:00 10.05.07 03:00:00"
    fkeys = {int(k.get("idx")): k.text for k in root.find("functionKeys")}
    assert fkeys[0] == "line" and fkeys[1] == "blf <sip:1001@dupont.example>|**"
    assert fkeys[2] == "speed +41791234567" and fkeys[3] == "keyevent F_DND"


def test_phonebooks_in_each_vendor_format(client, dupont_users):
    tenant, users = dupont_users
    add_entry(tenant, {"name": "Fiduciaire Rochat & Fils", "number": "+41215551234"})
    add_entry(tenant, {"name": "Maman", "number": "+41791110000"}, owner=users["1001"])
    add_entry(tenant, {"name": "Garage <Favre>", "number": "+41215559999"}, owner=users["1002"])
    yl = phone(tenant, users["1001"])
    sn = phone(tenant, users["1002"], vendor="snom", model="D765", mac="000413000002")
    company = parse_xml(client.get(f"/prov/phonebook/{yl.mac}/company.xml", headers=device_auth(yl)).get_data())
    assert company.tag == "YealinkIPPhoneDirectory"
    names = [e.findtext("Name") for e in company.iter("DirectoryEntry")]
    assert "Fiduciaire Rochat & Fils" in names and "Claire Dumas" in names and "Maman" not in names
    personal = parse_xml(client.get(f"/prov/phonebook/{yl.mac}/personal.xml", headers=device_auth(yl)).get_data())
    assert [e.findtext("Telephone") for e in personal.iter("DirectoryEntry")] == ["+41791110000"]
    menu = parse_xml(client.get(f"/prov/phonebook/{sn.mac}/index.xml", headers=device_auth(sn)).get_data())
    assert menu.tag == "SnomIPPhoneMenu" and len(menu.findall("MenuItem")) == 2
    snom_personal = parse_xml(client.get(f"/prov/phonebook/{sn.mac}/personal.xml",
                                         headers=device_auth(sn)).get_data())
    assert snom_personal.tag == "SnomIPPhoneDirectory"
    assert [e.findtext("Name") for e in snom_personal.iter("DirectoryEntry")] == ["Garage <Favre>"]


def test_yealink_keys_past_the_phone_go_to_its_family_of_expansion_modules():
    """EXP40 modules (T46S/T48S) hold 40 keys, up to 6; EXP50 modules (T5x) 60, up to 3 (wazo-yealink
    common.py); EXP43 modules (T43U/T46U/T48U) 60 on three pages, up to 3 (EXP43 data sheet)."""
    from provisioning.yealink import MODELS, key_name

    t46s, t54w, t46u = MODELS["T46S"], MODELS["T54W"], MODELS["T46U"]
    # the 41st key of a T46U's modules is the first of its module's third page, not the next module
    assert [key_name(27 + n, t46u) for n in (1, 40, 41, 60, 61, 180)] == [
        "expansion_module.1.key.1", "expansion_module.1.key.40", "expansion_module.1.key.41",
        "expansion_module.1.key.60", "expansion_module.2.key.1", "expansion_module.3.key.60"]
    assert key_name(27 + 181, t46u) is None and key_name(16, MODELS["T42S"]) is None
    assert [key_name(n, t46s) for n in (1, 27, 28, 67, 68, 267)] == [
        "linekey.1", "linekey.27", "expansion_module.1.key.1", "expansion_module.1.key.40",
        "expansion_module.2.key.1", "expansion_module.6.key.40"]
    assert key_name(268, t46s) is None
    assert [key_name(n, t54w) for n in (28, 88, 207)] == [
        "expansion_module.1.key.1", "expansion_module.2.key.1", "expansion_module.3.key.60"]
    assert key_name(208, t54w) is None and key_name(1, None) is None
