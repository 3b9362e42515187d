"""A user's SIP account for setting up a phone by hand: where it registers (the provisioning settings), the
QR code's content, and the welcome e-mail refused for a user without an address."""
from __future__ import annotations

from sqlalchemy import select

from centrex.directory.sip_accounts import sip_account
from centrex.directory.users import reveal_secret
from centrex.models import OutboxMessage, User
from centrex.platform.db import db
from webui_testing import post, text


def user(tenant, ext):
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == ext)).scalar_one()


def test_the_account_follows_the_provisioning_settings(app, dupont):
    alain = user(dupont, "1001")
    assert sip_account(alain).uri() == "sip:1001@dupont.example:5060;transport=udp"
    app.config.update(PROV_SIP_OUTBOUND_PROXY="sbc.operateur.example", PROV_SIP_PORT=5061,
                      PROV_SIP_TRANSPORT="tls")
    try:
        account = sip_account(alain)
        assert (account.domain, account.server, account.port) == ("dupont.example", "sbc.operateur.example", 5061)
        assert account.uri() == "sip:1001@sbc.operateur.example:5061;transport=tls"
    finally:
        app.config.update(PROV_SIP_OUTBOUND_PROXY="", PROV_SIP_PORT=5060, PROV_SIP_TRANSPORT="udp")


def test_no_welcome_email_without_an_address_and_reset_still_replaces(admin, dupont):
    alain = user(dupont, "1001")
    alain.email = None
    db.session.commit()
    response = post(admin, f"/t/{dupont.id}/users/{alain.id}/welcome")
    assert "Alain Dupont n’a pas d’adresse e-mail." in text(admin.get(response.headers["Location"]))
    assert db.session.execute(select(OutboxMessage)).first() is None
    before = reveal_secret(alain)
    page = text(post(admin, f"/t/{dupont.id}/users/{alain.id}/secret"))
    db.session.expire_all()
    assert "Nouveau mot de passe SIP" in page and reveal_secret(alain) != before and reveal_secret(alain) in page
