"""One number for desk and mobile, in French: Alain Dupont, an employee, has his mobile ring with his desk
phone from « Mon profil », five seconds after it; taking the mobile away while the twin is on is refused."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import fill, log_in, submit, wait_for, wait_text
from centrex.models import User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def test_employee_turns_on_the_mobile_twin(live_server, browser):
    log_in(browser, live_server, "alain.dupont@dupont.example")
    browser.get(f"{live_server}/me/")
    wait_for(browser, "input[name=twin_enabled]")
    fill(browser, "mobile", "+33 6 12 34 56 78")  # abroad: Alain may call it (international)
    browser.find_element(By.NAME, "twin_enabled").click()
    fill(browser, "twin_delay", "5")
    browser.snap("filled")
    submit(browser, "Enregistrer")
    wait_text(browser, "Modifications enregistrées.")
    assert browser.find_element(By.NAME, "twin_enabled").is_selected()
    assert browser.find_element(By.NAME, "twin_delay").get_attribute("value") == "5"
    db.session.rollback()  # a new transaction sees what the server committed
    alain = db.session.execute(select(User).where(User.email == "alain.dupont@dupont.example")).scalar_one()
    assert (alain.mobile, alain.twin_enabled, alain.twin_delay) == ("+33612345678", True, 5)

    browser.find_element(By.NAME, "mobile").clear()  # no mobile, no twin
    submit(browser, "Enregistrer")
    wait_text(browser, "Il faut un numéro de mobile pour que le mobile sonne avec les téléphones.")
    browser.snap("refused")
    db.session.rollback()
    assert db.session.get(User, alain.id).mobile == "+33612345678"
