"""Small helpers to drive the console like a person: fill labelled fields, press buttons, wait."""

from __future__ import annotations

import time

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from centrex.demo.companies import DEMO_PASSWORD

WAIT = 15


def _redrawn(error: WebDriverException) -> bool:
    """The element was replaced under us: stale, or (Chromium 156, mid-navigation) a node that "does not
    belong to the document" any more."""
    return isinstance(error, StaleElementReferenceException) or "does not belong to the document" in str(error)


def _page_shows(driver, text: str) -> bool:
    try:
        return text in driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException as error:
        if _redrawn(error):
            return False  # the page was being replaced: look again at the next poll
        raise


def wait_for(driver, css: str):
    return WebDriverWait(driver, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def wait_text(driver, text: str):
    """Until the page shows `text` (the page may be replaced meanwhile: a stale body is looked up again)."""
    WebDriverWait(driver, WAIT).until(lambda d: _page_shows(d, text))


def click(driver, element) -> None:
    """Click as a person would: scrolled to the middle of the screen first (sticky bars cover edges)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def again_if_redrawn(action):
    """Do `action` once more when the page's script replaced the element meanwhile (a picker redrawn
    after a choice): a person acts on what the page shows now."""
    for attempt in range(3):
        try:
            return action()
        except WebDriverException as error:
            if attempt == 2 or not _redrawn(error):
                raise
            time.sleep(0.2)


def fill(driver, name: str, value: str) -> None:
    def typed():
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)
    again_if_redrawn(typed)


def choose(driver, name: str, visible_text: str) -> None:
    again_if_redrawn(lambda: Select(driver.find_element(By.NAME, name)).select_by_visible_text(visible_text))


def fill_in(driver, fields: dict[str, str]) -> None:
    """Fill each named field in turn as a person would: a list by its option's visible text, else typed."""
    for name, value in fields.items():
        if again_if_redrawn(lambda field=name: driver.find_element(By.NAME, field).tag_name) == "select":
            choose(driver, name, value)
        else:
            fill(driver, name, value)


def click_link(driver, text: str) -> None:
    again_if_redrawn(lambda: driver.find_element(By.PARTIAL_LINK_TEXT, text).click())


def submit(driver, button_text: str) -> None:
    buttons = [
        b
        for b in driver.find_elements(By.CSS_SELECTOR, "button[type=submit], button:not([type])")
        if b.text.strip() == button_text
    ]
    assert buttons, f"no button {button_text!r} on {driver.current_url}"
    click(driver, buttons[0])


def log_in(driver, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    driver.get(base + "/login")
    wait_for(driver, "input[name=email]")
    fill(driver, "email", email)
    fill(driver, "password", password)
    submit(driver, "Connexion")
    WebDriverWait(driver, WAIT).until(lambda d: "/login" not in d.current_url)


def open_menu(driver, base: str, email: str, entry: str) -> None:
    """Log in as `email` and open `entry` of the company's menu, as a person starts most tasks."""
    log_in(driver, base, email)
    wait_for(driver, ".menu-client")
    click_link(driver, entry)


def send_form(driver, shot: str, button: str, confirmation: str) -> None:
    """Screenshot the filled form (`shot`), press its `button`, wait until the page shows `confirmation`."""
    driver.snap(shot)
    submit(driver, button)
    wait_text(driver, confirmation)


def create_client(driver, base: str, name: str, domain: str, admin_email: str, admin_password: str,
                  max_users: str = "5") -> None:
    """The operator's « Nouveau client » form, filled and sent (the operator is logged in)."""
    driver.get(base + "/operator/clients/new")
    wait_for(driver, "input[name=domain]")
    for field, value in (("name", name), ("domain", domain), ("max_users", max_users),
                         ("admin_email", admin_email), ("admin_password", admin_password)):
        fill(driver, field, value)
    submit(driver, "Créer le client")
