"""On a 390 px phone the console's menu folds under ☰ and opens with the keyboard alone (Tab, Space), the
language switch shows both languages whole and switches, all without a JavaScript error; a table of
fields (the licences) reads as cards and still saves."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import click, log_in, wait_text
from browser.layout_pages import LAPTOP, PHONE, set_width, watch_errors
from centrex.models import Tenant
from centrex.platform.db import db
from centrex.tenants.licences import features_of

pytestmark = pytest.mark.slow


def press(driver, key: str) -> None:
    """A key pressed on whatever has the focus, as a person does."""
    ActionChains(driver).send_keys(key).perform()


def tab_into_menu(driver) -> bool:
    """Tab past the top bar's brand, languages and logout until an entry of the menu has the focus."""
    for _ in range(8):
        press(driver, Keys.TAB)
        if driver.switch_to.active_element.find_elements(By.XPATH, "ancestor::nav[@id='menu']"):
            return True
    return False


def menu_shown(driver) -> bool:
    return driver.find_element(By.CSS_SELECTOR, "nav.sidebar").is_displayed()


def inside_screen(driver, css: str) -> list[str]:
    """The elements matching `css` that are not wholly on the screen, sideways."""
    return driver.execute_script("""
      return Array.from(document.querySelectorAll(arguments[0])).filter(function (el) {
        const box = el.getBoundingClientRect();
        let clip = {left: 0, right: window.innerWidth};
        for (let up = el.parentElement; up; up = up.parentElement) {
          if (getComputedStyle(up).overflowX === "visible") { continue; }
          const b = up.getBoundingClientRect();
          clip = {left: Math.max(clip.left, b.left), right: Math.min(clip.right, b.right)};
        }
        return box.left < clip.left - 1 || box.right > clip.right + 1 || box.width < 10;
      }).map((el) => el.outerHTML.slice(0, 80));""", css)


def test_phone_menu_opens_with_the_keyboard_and_the_language_switch_is_whole(live_server, browser):
    watch_errors(browser)
    set_width(browser, PHONE)
    log_in(browser, live_server, "admin@dupont.example")
    wait_text(browser, "Vue d’ensemble")
    assert not menu_shown(browser), "on a phone the menu starts folded"
    assert inside_screen(browser, ".lang-switch button, .topbar .link-button, .nav-button") == []
    browser.snap("phone-menu-closed")

    # The keyboard alone: the first Tab reaches the menu switch, Space opens it, Tab goes into the menu.
    press(browser, Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("id") == "nav-toggle" and focused.accessible_name == "Menu"
    press(browser, Keys.SPACE)
    WebDriverWait(browser, 5).until(menu_shown)
    browser.snap("phone-menu-open")
    assert inside_screen(browser, "nav.sidebar a") == [], "every menu entry whole on the screen"
    assert tab_into_menu(browser), "Tab reaches the menu's entries"
    press(browser, Keys.ESCAPE)  # Escape folds it, the focus back on its switch; Space opens it again
    WebDriverWait(browser, 5).until(lambda d: not menu_shown(d))
    assert browser.switch_to.active_element.get_attribute("id") == "nav-toggle"
    press(browser, Keys.SPACE)
    WebDriverWait(browser, 5).until(menu_shown)
    assert tab_into_menu(browser)
    press(browser, Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda d: "/t/" in d.current_url and not menu_shown(d))

    # The language switch, whole at 390 px, switches to English and back.
    browser.find_element(By.CSS_SELECTOR, "button[name=lang][value=en]").click()
    wait_text(browser, "Log out")
    assert inside_screen(browser, ".lang-switch button, .topbar .link-button") == []
    browser.find_element(By.CSS_SELECTOR, "button[name=lang][value=fr]").click()
    wait_text(browser, "Déconnexion")

    # On a laptop the menu is always there and its switch is out of the way (not even in the Tab order).
    set_width(browser, LAPTOP)
    WebDriverWait(browser, 5).until(menu_shown)
    assert not browser.find_element(By.ID, "nav-toggle").is_displayed()
    assert browser.execute_script("return window.__layoutErrors") == []


def test_operator_changes_a_licence_on_a_phone(live_server, browser):
    """The licences table as cards: each field under its column's name, saved by the row's button."""
    set_width(browser, PHONE)
    log_in(browser, live_server, "operator@centrex.example")
    browser.get(live_server + "/operator/licences")
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'Martin Sàrl')]]")
    calls = row.find_element(By.NAME, "max_calls")
    assert calls.find_element(By.XPATH, "ancestor::td").get_attribute("data-label") == "Appels simultanés"
    assert inside_screen(browser, "table input:not([type=hidden]), table button") == []
    calls.clear()
    calls.send_keys("7")
    row.find_element(By.XPATH, ".//label[contains(., 'Fax')]/input").click()
    click(browser, row.find_element(By.XPATH, ".//button[.='Enregistrer']"))
    wait_text(browser, "Licence de Martin Sàrl enregistrée.")
    db.session.rollback()  # a new transaction sees what the server committed
    martin = db.session.execute(select(Tenant).where(Tenant.domain == "martin.example")).scalar_one()
    assert martin.max_calls == 7
    assert "fax" not in features_of(martin.id)
