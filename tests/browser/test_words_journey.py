"""The console's words in a real browser, French then English: a forward refused by the call class says how
to allow it, the administrator allows it, the history tells what was done in words, the call scenario
reads dates as people do, and each menu entry opens a page titled as the entry."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import choose, click_link, fill, log_in, submit, wait_for, wait_text
from centrex.models import User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def body(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def on_a_phone(browser) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.innerWidth") <= 400)


def on_a_laptop(browser) -> None:
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_refusal_history_and_scenario_in_words(live_server, browser):
    sophie = db.session.execute(select(User).where(User.name == "Sophie Martin")).scalar_one()
    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    browser.get(f"{live_server}/t/{sophie.tenant_id}/users/{sophie.id}/forwarding")
    choose(browser, "kind", "Toujours")
    choose(browser, "dest.type", "Un numéro externe")
    fill(browser, "dest.value", "+41791112233")
    submit(browser, "Ajouter")
    wait_text(browser, "Pour l’autoriser, choisissez « national et mobiles » pour Sophie Martin dans Appels "
                       "autorisés.")
    browser.snap("forward-refused-1366")

    click_link(browser, "Appels autorisés")  # as the message says
    wait_for(browser, f"select[name='users.{sophie.id}.call_class']")
    choose(browser, f"users.{sophie.id}.call_class", "national et mobiles")
    submit(browser, "Enregistrer")
    wait_text(browser, "Appels autorisés enregistrés.")

    browser.find_element(By.LINK_TEXT, "Historique").click()  # the history of changes, not of calls
    wait_text(browser, "Utilisateur Sophie Martin (1002)")
    words = body(browser)
    assert "Peut appeler : national et mobiles" in words
    assert "update" not in words and "sip_user" not in words and "call_class" not in words
    choose(browser, "object_type", "Utilisateur")
    choose(browser, "action", "Modification")
    submit(browser, "Filtrer")
    wait_text(browser, "Peut appeler : national et mobiles")
    browser.snap("history-1366")
    on_a_phone(browser)
    browser.snap("history-390")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the history must not scroll sideways on a phone"
    on_a_laptop(browser)

    for entry in ("Téléphones", "Autorisations", "Vue d’ensemble"):
        browser.find_element(By.LINK_TEXT, entry).click()
        WebDriverWait(browser, 10).until(lambda d, title=entry: d.title.startswith(title))
        wait_text(browser, entry)
        assert browser.find_element(By.CSS_SELECTOR, "main h1").text.startswith(entry)

    click_link(browser, "Scénario d’appels")
    wait_for(browser, "input[name=day]")
    browser.execute_script("document.querySelector('input[name=day]').value = '2026-12-12';"
                           "document.querySelector('input[name=time]').value = '10:00';")
    submit(browser, "Essayer")
    wait_text(browser, "le samedi 12 décembre 2026 à 10:00")
    words = body(browser)
    assert "compteurs" not in words and "2026-12-12" not in words
    show_the_answer = "document.querySelector('.dry-run').scrollIntoView({block: 'center'})"
    browser.execute_script(show_the_answer)
    browser.snap("scenario-1366")
    on_a_phone(browser)
    browser.execute_script(show_the_answer)
    browser.snap("scenario-390")
    on_a_laptop(browser)

    browser.find_element(By.CSS_SELECTOR, "button[name=lang][value=en]").click()
    wait_text(browser, "on Saturday, December 12, 2026 at 10:00")
    browser.find_element(By.LINK_TEXT, "History").click()
    wait_text(browser, "User Sophie Martin (1002)")
    assert "May call: national and mobile" in body(browser)
    browser.snap("history-en-1366")
