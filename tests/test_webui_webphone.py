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


def test_the_users_voicemail_is_beside_the_phone(client, dupont):
    from centrex.voicemail.messages import messages_of_user, record_message

    record_message(domain="dupont.example", box="1001", message_uuid="beside-the-phone-1", caller_name="Julie Client",
                   caller_number="+41791112233", file_path="/tmp/none.wav", length_seconds=12)
    record_message(domain="dupont.example", box="1002", message_uuid="someone-elses-1", caller_name="Pour Sophie",
                   caller_number="+41790000000", file_path="/tmp/none.wav", length_seconds=3)
    db.session.commit()
    login(client, USER_DUPONT)
    page = text(client.get("/me/phone"))
    unread = sum(1 for m in messages_of_user(alain(dupont)) if m.read_at is None)  # the demo's past, and Julie's
    assert "Messagerie vocale" in page and f"{unread} à écouter" in page and unread >= 1
    assert "Julie Client" in page and 'data-dial="+41791112233"' in page and "12 s" in page
    assert "Pour Sophie" not in page  # only Alain's own box
    assert "/me/voicemail/messages/" in page  # each message plays in the page


def test_the_page_offers_an_announced_transfer(client, dupont):
    login(client, USER_DUPONT)
    page = text(client.get("/me/phone"))
    assert 'data-action="consult"' in page and "Transfert avec annonce" in page
    assert 'data-action="complete"' in page and "Passer l’appel" in page
