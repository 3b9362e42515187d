"""« Téléphone » (webui/views/webphone.py): the employee's page and what JsSIP gets to register — the HA1 and
realm, never the SIP secret — and a Content-Security-Policy that opens the one WebSocket and nothing more."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from centrex.directory.users import reveal_secret
from centrex.models import User
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, USER_DUPONT, login, text


def alain(dupont) -> User:
    return db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()


def test_the_page_lists_colleagues_to_call_and_loads_the_vendored_sip_library(client, dupont):
    login(client, USER_DUPONT)
    response = client.get("/me/phone")
    page = text(response)
    assert response.status_code == 200 and "Téléphone" in page and "Clavier" in page
    assert 'data-dial="1000"' in page and "Claire Dumas" in page and 'data-dial="1001"' not in page  # not oneself
    assert "/console-static/vendor/jssip.min.js" in page and "Pierre Martin" not in page
    assert client.get("/console-static/vendor/jssip.min.js").status_code == 200


def test_the_account_gives_the_ha1_and_realm_never_the_secret(client, dupont):
    login(client, USER_DUPONT)
    response = client.get("/me/phone/account.json")
    account = response.get_json()
    secret = reveal_secret(alain(dupont))
    assert account["uri"] == "sip:1001@dupont.example" and account["realm"] == "dupont.example"
    assert account["ha1"] == hashlib.md5(f"1001:dupont.example:{secret}".encode()).hexdigest()
    assert secret not in response.get_data(as_text=True) and secret not in text(client.get("/me/phone"))
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("setting, origin", [
    ("", "wss://dupont.example:7443"),
    ("wss://sip.operator.example:8443/ws", "wss://sip.operator.example:8443"),
])
def test_the_csp_opens_the_phones_websocket_and_nothing_more(app, client, dupont, setting, origin):
    app.config["WEBPHONE_WSS_URL"] = setting
    login(client, USER_DUPONT)
    policy = client.get("/me/phone").headers["Content-Security-Policy"]
    assert policy.endswith(f"; connect-src 'self' {origin}") and policy.count("connect-src") == 1
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert client.get("/me/phone/account.json").get_json()["wss_url"] == (setting or origin)
    assert "connect-src" not in client.get("/me/").headers["Content-Security-Policy"]


def test_only_an_employee_has_a_web_phone(client, dupont):
    login(client, ADMIN_DUPONT)
    assert client.get("/me/phone").status_code in (302, 403)
    assert client.get("/me/phone/account.json").status_code in (302, 403)
