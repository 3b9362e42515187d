"""Getting phones on line, in French: Dupont's administrator reads Alain's SIP account, shows its secret
(unchanged, in the history) and sends him the welcome e-mail with the QR code; Alain sees which of his
phones are registered."""
from __future__ import annotations

import email
from datetime import timedelta

from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import log_in, submit, wait_for, wait_text
from centrex.directory.users import reveal_secret
from centrex.models import AuditEntry, LiveRegistration, OutboxMessage, Tenant, User
from centrex.models._types import utcnow
from centrex.phones.devices import add_device
from centrex.platform import outbox
from centrex.platform.db import db


def snap_both(browser, name: str) -> None:
    """Screenshots at laptop and phone widths (kept with CENTREX_SCREENSHOTS=1)."""
    browser.snap(f"{name}-1366")
    browser.set_window_size(390, 844)
    browser.snap(f"{name}-390")
    browser.set_window_size(1366, 900)


def _alain():
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    user = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()
    return dupont, user


def test_admin_shows_the_sip_account_and_sends_the_welcome_email(live_server, browser):
    dupont, alain = _alain()
    before = alain.sip_secret_enc
    log_in(browser, live_server, "admin@dupont.example")
    browser.get(f"{live_server}/t/{dupont.id}/users/{alain.id}")
    card = wait_for(browser, "#sip-account")
    for words in ("Compte SIP", "Serveur SIP", "dupont.example", "5060", "UDP"):
        assert words in card.text
    snap_both(browser, "sip-account")
    submit(browser, "Afficher le mot de passe SIP")
    wait_text(browser, "inchangé")
    shown = browser.find_element(By.ID, "sip-secret").text
    browser.snap("sip-secret-shown")
    db.session.expire_all()
    alain = db.session.get(User, alain.id)
    assert shown == reveal_secret(alain) and alain.sip_secret_enc == before  # shown, not reset
    audit = db.session.execute(select(AuditEntry).where(AuditEntry.action == "reveal_secret",
                                                        AuditEntry.object_id == alain.id)).scalars().all()
    assert [a.actor for a in audit] == ["admin@dupont.example"]

    browser.get(f"{live_server}/t/{dupont.id}/users/{alain.id}")
    submit(browser, "Envoyer l’e-mail de bienvenue")
    wait_text(browser, "E-mail de bienvenue envoyé à alain.dupont@dupont.example.")
    db.session.expire_all()
    queued = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "welcome")).scalar_one()
    mail = email.message_from_bytes(outbox.build_email(queued).as_bytes())
    assert mail["To"] == "alain.dupont@dupont.example"
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "Utilisateur / User name : 1001" in text and f"Mot de passe / Password : {shown}" in text
    qr = next(p for p in mail.walk() if p.get_content_type() == "image/png").get_payload(decode=True)
    assert qr.startswith(b"\x89PNG")


def test_employee_sees_which_of_his_phones_are_registered(live_server, browser):
    dupont, alain = _alain()
    add_device(dupont, {"mac": "805ec0c1c2c3", "vendor": "yealink", "model": "T46U", "user_id": alain.id,
                        "label": "Bureau"})
    db.session.commit()
    log_in(browser, live_server, "alain.dupont@dupont.example")
    browser.get(f"{live_server}/me/")
    phones = wait_for(browser, "#my-phones")
    assert "Yealink T46U · Bureau — Non enregistré" in phones.text
    db.session.add(LiveRegistration(tenant_id=dupont.id, extension="1001", call_id="c1", node="fs1",
                                    user_agent="Yealink SIP-T46U 108.86", network_ip="192.0.2.10",
                                    expires_at=utcnow() + timedelta(minutes=10)))
    db.session.commit()
    browser.refresh()
    phones = wait_for(browser, "#my-phones")
    assert "Yealink T46U · Bureau — Enregistré 192.0.2.10" in phones.text
    snap_both(browser, "my-phones")
