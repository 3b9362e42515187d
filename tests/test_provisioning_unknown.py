"""A phone that asks before it is added: recorded with the model its User-Agent names, listed for the
operator, and claimed by a company by its MAC address."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from centrex.models import Device, UnknownDevice
from centrex.platform.db import db
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
    claimed = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "80:5E:C0:12:AB:CD"})
    assert claimed.status_code == 302
    device = db.session.execute(select(Device).where(Device.mac == "805ec012abcd")).scalar_one()
    assert (device.tenant_id, device.model) == (dupont.id, "T46U")
    assert claimed.headers["Location"].endswith(f"/devices/{device.id}")
    assert db.session.get(UnknownDevice, "805ec012abcd") is None
    assert "805ec012abcd" not in text(operator.get("/operator/devices")).split('id="unknown"')[-1]


def test_a_mac_that_never_asked_cannot_be_claimed(client, admin, dupont):
    refused = post(admin, f"/t/{dupont.id}/devices/claim", {"mac": "805ec0999999"}, follow_redirects=True)
    assert "805ec0999999" in text(refused)
    assert db.session.execute(select(Device).where(Device.mac == "805ec0999999")).first() is None
