"""A person with a login at two client companies (an accountant) logs in once and chooses the company,
in a real browser; each company's administrator invited the address without learning of the other, and
the person chose the password from each invitation's link."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import click, fill, log_in, submit, wait_for, wait_text
from centrex.demo.companies import DEMO_PASSWORD
from centrex.models import Tenant
from centrex.platform.db import db
from password_link_helpers import last_link

pytestmark = pytest.mark.slow

ACCOUNTANT = "fiduciaire@conseil.example"


def give_login_as(browser, live_server, admin: str, domain: str) -> None:
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == domain)).scalar_one()
    browser.delete_all_cookies()
    log_in(browser, live_server, admin)
    wait_for(browser, ".menu-client")
    browser.get(f"{live_server}/t/{tenant.id}/logins")
    wait_for(browser, "input[name=email]")
    fill(browser, "email", ACCOUNTANT)
    submit(browser, "Envoyer l’invitation")
    wait_text(browser, f"Invitation envoyée à {ACCOUNTANT}")
    assert "déjà un compte" not in browser.page_source
    # The accountant opens the invitation's link and chooses the password (the same at both companies).
    browser.delete_all_cookies()
    db.session.rollback()  # see what the server committed
    browser.get(live_server + last_link(ACCOUNTANT))
    wait_text(browser, "Bienvenue")
    fill(browser, "new_password", DEMO_PASSWORD)
    fill(browser, "confirm_password", DEMO_PASSWORD)
    submit(browser, "Enregistrer mon mot de passe")
    wait_text(browser, "Votre mot de passe est enregistré.")


def test_one_login_two_companies_the_person_chooses(live_server, browser):
    give_login_as(browser, live_server, "admin@martin.example", "martin.example")
    give_login_as(browser, live_server, "admin@dupont.example", "dupont.example")

    browser.delete_all_cookies()
    browser.get(live_server + "/login")
    wait_for(browser, "input[name=email]")
    fill(browser, "email", ACCOUNTANT)
    fill(browser, "password", DEMO_PASSWORD)
    submit(browser, "Connexion")
    wait_text(browser, "Quelle entreprise ?")
    browser.snap("login-company-choice")
    choices = [label.text.strip() for label in browser.find_elements(By.CSS_SELECTOR, "label.choice")]
    assert choices == ["Dupont SA", "Martin Sàrl"]
    martin = browser.find_element(By.XPATH, "//label[contains(., 'Martin Sàrl')]/input")
    click(browser, martin)
    submit(browser, "Ouvrir")
    wait_for(browser, ".menu-client")
    assert "/t/" in browser.current_url and "Martin Sàrl" in browser.find_element(By.TAG_NAME, "main").text
    db.session.rollback()
