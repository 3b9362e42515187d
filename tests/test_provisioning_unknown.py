"""A phone that asks before it is added: recorded with the model its User-Agent names, listed for the
operator, and claimed by a company by its MAC address."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import Device, UnknownDevice
from centrex.platform.db import db
from tests.provisioning_helpers import device_auth, phone
from webui_testing import OPERATOR, login, post, text

pytestmark = pytest.mark.smoke

YEALINK_UA = "Yealink SIP-T46U 108.86.0.45 80:5e:c0:12:ab:cd"
SNOM_UA = "Mozilla/4.0 (compatible; snomD385-SIP 10.1.159.12 1.1.5-IFX-05.01.12)"


def test_an_unknown_phone_is_recorded_with_the_model_its_user_agent_names(client):
    assert client.get("/prov/805ec012abcd.cfg", headers={"User-Agent": YEALINK_UA}).status_code == 404
    assert client.get("/prov/snom-000413abcdef.xml", headers={"User-Agent": SNOM_UA}).status_code == 404
    assert db.session.get(UnknownDevice, "805ec012abcd").model == "T46U"
    assert db.session.get(UnknownDevice, "000413abcdef").model == "D385"


def test_the_operator_sees_it_and_a_company_claims_it(app, client, admin, dupont):
    client.get("/prov/805ec012abcd.cfg", headers={"User-Agent": YEALINK_UA})
    operator = app.test_client()
    login(operator, OPERATOR)
    page = text(operator.get("/operator/devices"))
    assert "805ec012abcd" in page and "Yealink T46U" in page
    offered = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "80:5E:C0:12:AB:CD"})
    assert offered.status_code == 200  # the model to confirm, preselected from its User-Agent
    assert '<option value="T46U" selected' in offered.get_data(as_text=True)
    assert "T54W" in text(offered) and "D385" not in text(offered)  # its vendor's models only
    assert db.session.execute(select(Device).where(Device.mac == "805ec012abcd")).first() is None
    claimed = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "805ec012abcd", "model": "T46U"})
    assert claimed.status_code == 302
    device = db.session.execute(select(Device).where(Device.mac == "805ec012abcd")).scalar_one()
    assert (device.tenant_id, device.model) == (dupont.id, "T46U")
    assert claimed.headers["Location"].endswith(f"/devices/{device.id}")
    assert db.session.get(UnknownDevice, "805ec012abcd") is None
    assert "805ec012abcd" not in text(operator.get("/operator/devices")).split('id="unknown"')[-1]


def test_the_model_is_chosen_when_its_user_agent_named_none_we_know(client, admin, dupont):
    client.get("/prov/snom-000413abcd99.xml", headers={"User-Agent": "snomD999-SIP 10.1.1.1"})
    offered = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "000413abcd99"})
    assert offered.status_code == 200 and " selected" not in offered.get_data(as_text=True).split('name="model"')[1]
    claimed = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "000413abcd99", "model": "D785"})
    assert claimed.status_code == 302
    device = db.session.execute(select(Device).where(Device.mac == "000413abcd99")).scalar_one()
    assert (device.vendor, device.model) == ("snom", "D785")


def test_a_mac_that_never_asked_cannot_be_claimed(client, admin, dupont):
    refused = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "805ec0999999"}, follow_redirects=True)
    assert "805ec0999999" in text(refused)
    assert db.session.execute(select(Device).where(Device.mac == "805ec0999999")).first() is None


def test_unknown_phones_behind_a_nat_do_not_lock_out_the_phones_that_prove_themselves(client, admin, dupont, app,
                                                                                       monkeypatch):
    """An office's unclaimed phones retry and lock their shared address; its provisioned phones, which
    send their own credentials, are served all the same."""
    monkeypatch.setitem(app.config, "PROV_LOCKOUT_FAILURES", 5)
    office = {"REMOTE_ADDR": "203.0.113.50"}
    device = phone(dupont, None, model="T54W", mac="805ec0000042")
    device.bootstrap_until = None
    db.session.commit()
    answers = [client.get(f"/prov/805ec0dd00{n:02d}.cfg", headers={"User-Agent": YEALINK_UA},
                          environ_base=office).status_code for n in range(8)]
    assert answers[:5] == [404] * 5 and set(answers[5:]) == {429}  # the address is locked for guesses
    own = client.get(f"/prov/{device.mac}.cfg", headers={"User-Agent": YEALINK_UA, **device_auth(device)},
                     environ_base=office)
    assert own.status_code == 200
