"""Schedules in a real browser, in French: a new schedule with five time ranges added row by row (and one
removed) without a reload, the holidays of Vaud imported, a copy, « Fermé maintenant » and back; the form
and the list at 1366 px and 390 px."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import choose, click, click_link, fill, open_menu, send_form, wait_for
from centrex.models import Schedule
from centrex.platform.db import db

pytestmark = pytest.mark.slow

RANGES = [("mon", "08:00", "12:00"), ("mon", "13:30", "17:30"), ("tue", "08:00", "12:00"),
          ("wed", "08:00", "12:00"), ("fri", "09:00", "16:00")]


def at_width(browser, width: int, shot: str) -> None:
    """The page as a phone (390) or a laptop (1366) shows it: nothing wider than the screen."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width, shot
    browser.snap(shot)
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    # back to the laptop's layout before going on (the menu is folded under ☰ at phone width)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.documentElement.clientWidth") > 600)


def button(browser, text: str):
    return next(b for b in browser.find_elements(By.TAG_NAME, "button") if b.text.strip() == text)


def fill_range(browser, row: int, day: str, start: str, end: str) -> None:
    click(browser, browser.find_element(By.NAME, f"ranges.{row}.day.{day}"))
    for name, value in (("start", start), ("end", end)):
        field = browser.find_element(By.NAME, f"ranges.{row}.{name}")
        browser.execute_script("arguments[0].value = arguments[1]", field, value)
    choose(browser, f"ranges.{row}.dest.type", "Utilisateur")
    choose(browser, f"ranges.{row}.dest.id.user", "1000 · Claire Dumas")


def test_a_schedule_with_five_ranges_added_row_by_row(live_server, browser):
    open_menu(browser, live_server, "admin@dupont.example", "Plages horaires")
    click_link(browser, "Ajouter une plage horaire")
    wait_for(browser, "input[name=name]")
    fill(browser, "name", "Accueil 2027")
    fill_range(browser, 0, *RANGES[0])
    for row in range(1, 6):  # one row too many, removed below
        click(browser, button(browser, "+ Ajouter une plage"))
        wait_for(browser, f"input[name='ranges.{row}.start']")
    browser.find_element(By.NAME, "ranges.0.label").send_keys("Lundi matin")  # typed before: still there
    for row, values in enumerate(RANGES[1:], start=1):
        fill_range(browser, row, *values)
    extra = browser.find_element(By.CSS_SELECTOR, "[data-rows=ranges] [data-row='5']")
    click(browser, extra.find_element(By.CSS_SELECTOR, "[data-remove-row]"))
    assert not browser.find_elements(By.NAME, "ranges.5.start")
    assert browser.find_element(By.NAME, "ranges.0.label").get_attribute("value") == "Lundi matin"
    choose(browser, "default.type", "Messagerie vocale")
    at_width(browser, 390, "schedule-form-390")
    send_form(browser, "schedule-form-1366", "Enregistrer", "Plage horaire Accueil 2027 enregistrée.")

    db.session.rollback()
    schedule = db.session.execute(select(Schedule).where(Schedule.name == "Accueil 2027")).scalar_one()
    assert [(r.start_minute, r.end_minute) for r in schedule.ranges] == [
        (480, 720), (810, 1050), (480, 720), (480, 720), (540, 960)]
    assert schedule.ranges[0].label == "Lundi matin"
    at_width(browser, 390, "schedules-390")
    browser.snap("schedules-1366")


def list_card(browser, name: str):
    return browser.find_element(By.XPATH, f"//section[contains(@class,'card')][.//h2[contains(., \"{name}\")]]")


def press_on_card(browser, name: str, text: str) -> None:
    card = list_card(browser, name)
    found = [e for e in card.find_elements(By.CSS_SELECTOR, "a, button") if e.text.strip() == text]
    assert found, f"no {text!r} on {name}"
    click(browser, found[0])


def test_holidays_of_vaud_a_copy_and_closed_now_with_the_dry_run(live_server, browser):
    open_menu(browser, live_server, "admin@dupont.example", "Plages horaires")
    wait_for(browser, ".page-head")
    press_on_card(browser, "Heures équipe des ventes", "Jours fériés officiels")
    wait_for(browser, "select[name=subdivision]")
    choose(browser, "year", "2027")
    choose(browser, "subdivision", "Vaud")
    at_width(browser, 390, "holidays-390")
    send_form(browser, "holidays-1366", "Importer les jours fériés",
              "9 jours fériés ajoutés à Heures équipe des ventes :")
    assert "Vendredi saint" in browser.find_element(By.CSS_SELECTOR, ".alert-ok").text
    assert "26.03.2027" in list_card(browser, "Heures équipe des ventes").text

    press_on_card(browser, "Heures équipe des ventes", "Dupliquer")
    wait_for(browser, "input[name=name]")
    assert browser.find_element(By.NAME, "name").get_attribute("value") == "Heures équipe des ventes (copie)"
    fill(browser, "name", "Ventes été")
    send_form(browser, "copy-form", "Enregistrer", "Plage horaire Ventes été enregistrée.")
    db.session.rollback()
    copy = db.session.execute(select(Schedule).where(Schedule.name == "Ventes été")).scalar_one()
    assert len(copy.exceptions) == 9 and copy.ranges[0].start_minute == 480

    press_on_card(browser, "Heures d'ouverture", "Fermer maintenant")
    wait_for(browser, ".closed-now")
    assert "Fermé maintenant" in list_card(browser, "Heures d'ouverture").text
    at_width(browser, 390, "schedules-closed-390")
    browser.snap("schedules-closed-1366")
    click_link(browser, "Scénario d’appels")
    choose(browser, "number", "021 555 01 00 · Numéro principal")
    browser.execute_script("document.querySelector('[name=day]').value = '2027-03-02';"
                           "document.querySelector('[name=time]').value = '10:00';")
    click(browser, button(browser, "Essayer"))
    wait_for(browser, ".dry-run")
    assert "fermé par « Fermé maintenant »" in browser.find_element(By.CSS_SELECTOR, ".dry-run").text
    browser.snap("dry-run-closed")

    click_link(browser, "Plages horaires")
    press_on_card(browser, "Heures d'ouverture", "Rouvrir")
    wait_for(browser, ".alert-ok")
    assert not list_card(browser, "Heures d'ouverture").find_elements(By.CSS_SELECTOR, ".closed-now")
    db.session.rollback()
    office = db.session.execute(select(Schedule).where(Schedule.name == "Heures d'ouverture")).scalar_one()
    assert office.closed_since is None
