"""« Téléphone » in French, in a real Chromium: Alain Dupont opens his web phone from the menu, sees the
dial pad, his colleagues to click and his recent calls; the page says plainly that it cannot reach the
switch (there is none behind this test server) and stays usable on a phone-sized (390 px) screen."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser.browser_pages import WAIT, log_in, wait_for, wait_text


def test_an_employee_opens_the_web_phone_on_a_small_screen(live_server, browser):
    log_in(browser, live_server, "alain.dupont@dupont.example")
    browser.set_window_size(390, 844)
    browser.find_element(By.CSS_SELECTOR, "label.nav-button").click()
    browser.find_element(By.LINK_TEXT, "Téléphone").click()
    panel = wait_for(browser, "[data-webphone]")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Téléphone")
    keys = [b.text for b in panel.find_elements(By.CSS_SELECTOR, ".dialpad button")]
    assert keys == list("123456789*0#")
    shown = [b.text for b in panel.find_elements(By.CSS_SELECTOR, ".webphone-actions button") if b.is_displayed()]
    assert shown == ["Appeler"]  # no call yet: answer, hang up, hold… come with one
    colleagues = browser.find_element(By.CSS_SELECTOR, ".presence-dial").text
    assert "Claire Dumas" in colleagues and "Alain Dupont" not in colleagues
    wait_text(browser, "Appels récents")
    # No switch behind this server: the page says so instead of waiting for ever.
    WebDriverWait(browser, WAIT).until(lambda d: panel.get_attribute("data-state") == "failed")
    assert "Impossible de se connecter au central téléphonique." in panel.text
    panel.find_element(By.CSS_SELECTOR, '[data-key="4"]').click()
    panel.find_element(By.CSS_SELECTOR, '[data-key="2"]').click()
    assert panel.find_element(By.NAME, "number").get_attribute("value") == "42"
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.snap("webphone-390px")
