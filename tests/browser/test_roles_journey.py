"""« Autorisations » in a real browser: an administrator makes a custom role with the checkbox grid,
gives it to the reception's login, and the reception then works within that role only."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from browser.browser_pages import click, click_link, fill, log_in, open_menu, send_form, submit, wait_for, wait_text
from centrex.models import Account, PhonebookEntry, Role
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def menu_entries(driver) -> set[str]:
    return {a.text.strip() for a in driver.find_elements(By.CSS_SELECTOR, ".menu-client a")}


def test_admin_makes_a_role_and_the_reception_works_within_it(live_server, browser):
    open_menu(browser, live_server, "admin@dupont.example", "Autorisations")
    click_link(browser, "Rôles")
    click_link(browser, "Ajouter un rôle")
    wait_for(browser, "input[name=name]")
    fill(browser, "name", "Standardiste")
    for box in ("perm.presence.read", "perm.phonebook.write"):
        click(browser, browser.find_element(By.NAME, box))
    send_form(browser, "role-form", "Enregistrer", "Rôle Standardiste enregistré.")

    click_link(browser, "Accès à la console")
    reception = db.session.execute(
        select(Account).where(Account.email == "reception@dupont.example")
    ).scalar_one()
    form = browser.find_element(By.CSS_SELECTOR, f"form[action$='/logins/{reception.id}/role']")  # this row's
    Select(form.find_element(By.NAME, "role_id")).select_by_visible_text("Standardiste")
    click(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    wait_text(browser, "reception@dupont.example a maintenant le rôle Standardiste.")
    db.session.rollback()  # a new transaction sees what the server committed
    role = db.session.execute(select(Role).where(Role.name == "Standardiste")).scalar_one()
    assert role.grants() == {"presence": "read", "phonebook": "write"}
    assert db.session.get(Account, reception.id).role_id == role.id

    browser.delete_all_cookies()
    log_in(browser, live_server, "reception@dupont.example")
    wait_for(browser, ".menu-client")
    assert menu_entries(browser) == {"Vue d’ensemble", "Qui est au téléphone", "Annuaire"}
    click_link(browser, "Annuaire")
    wait_for(browser, "input[name=number]")
    fill(browser, "name", "Fiduciaire Favre")
    fill(browser, "number", "+41215557777")
    submit(browser, "Ajouter")
    wait_text(browser, "Fiduciaire Favre")
    browser.snap("reception-phonebook")
    db.session.rollback()
    assert db.session.execute(
        select(PhonebookEntry).where(PhonebookEntry.name == "Fiduciaire Favre")
    ).scalar_one()
    browser.get(browser.current_url.rsplit("/phonebook", 1)[0] + "/users")
    wait_text(browser, "Votre rôle ne donne pas accès à cette page.")
