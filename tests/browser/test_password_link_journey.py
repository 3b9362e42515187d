"""« Mot de passe oublié ? » in French, in a real browser: Alain asks for a link from the login page, chooses
a new password from the e-mailed link, logs in with it; the link does not work a second time. And the
employee login given on the user's page is an invitation, not a typed password."""
from __future__ import annotations

from sqlalchemy import select

from browser.browser_pages import click_link, fill, log_in, submit, wait_for, wait_text
from centrex.models import Account, Tenant, User
from centrex.platform.db import db
from password_link_helpers import last_link

ALAIN = "alain.dupont@dupont.example"


def choose(browser, password: str) -> None:
    fill(browser, "new_password", password)
    fill(browser, "confirm_password", password)
    submit(browser, "Enregistrer mon mot de passe")


def test_forgotten_password_by_email_link(live_server, browser):
    browser.get(live_server + "/login")
    click_link(browser, "Mot de passe oublié ?")
    wait_for(browser, "input[name=email]")
    fill(browser, "email", ALAIN)
    browser.snap("password-forgot")
    submit(browser, "M’envoyer un lien")
    wait_text(browser, f"Si {ALAIN} a un accès à la console, un lien pour choisir un nouveau mot de passe "
                       "est en route.")
    db.session.rollback()
    link = last_link(ALAIN)
    browser.get(live_server + link)
    wait_text(browser, f"Le nouveau mot de passe de {ALAIN}.")
    fill(browser, "new_password", "alain-2026-neuf")
    fill(browser, "confirm_password", "autre-chose-2026")
    submit(browser, "Enregistrer mon mot de passe")
    wait_text(browser, "Les deux mots de passe sont différents.")
    choose(browser, "alain-2026-neuf")
    wait_text(browser, "Votre mot de passe est enregistré. Connectez-vous avec.")
    log_in(browser, live_server, ALAIN, "alain-2026-neuf")
    wait_text(browser, "Mon profil")
    browser.delete_all_cookies()
    browser.get(live_server + link)
    wait_text(browser, "Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.")
    browser.snap("password-link-used")


def test_employee_login_is_an_invitation(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    claire = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1000")
                                ).scalar_one()
    db.session.delete(db.session.execute(select(Account).where(Account.user_id == claire.id)).scalar_one())
    db.session.commit()
    log_in(browser, live_server, "admin@dupont.example")
    browser.get(f"{live_server}/t/{dupont.id}/users/{claire.id}")
    wait_text(browser, "Il reçoit un e-mail avec un lien pour choisir son mot de passe.")
    fill(browser, "login_email", "claire@dupont.example")
    submit(browser, "Enregistrer")
    wait_text(browser, "Cet utilisateur se connecte avec claire@dupont.example.")
    browser.delete_all_cookies()
    db.session.rollback()
    browser.get(live_server + last_link("claire@dupont.example"))
    wait_text(browser, "Bienvenue ! Choisissez le mot de passe de claire@dupont.example")
    choose(browser, "claire-choisit-2026")
    wait_text(browser, "Votre mot de passe est enregistré.")
    log_in(browser, live_server, "claire@dupont.example", "claire-choisit-2026")
    wait_text(browser, "Mon profil")
