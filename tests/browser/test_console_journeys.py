"""The console's main journeys in a real browser (headless Chromium), each checked in the database too."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import (
    choose,
    click,
    click_link,
    fill,
    log_in,
    open_menu,
    send_form,
    submit,
    wait_for,
    wait_text,
)
from centrex.models import Account, AuditEntry, Device, Number, Tenant, User
from centrex.platform.crypto import digest_a1, verify_password
from centrex.platform.db import db
from centrex.routing.numbers import assign_number

pytestmark = pytest.mark.slow


def test_operator_creates_a_client(live_server, browser):
    log_in(browser, live_server, "operator@centrex.example")
    wait_for(browser, ".menu-general")
    browser.snap("clients")
    click_link(browser, "Nouveau client")
    wait_for(browser, "input[name=domain]")
    fill(browser, "name", "Favre Fiduciaire")
    fill(browser, "domain", "favre.example")
    fill(browser, "max_users", "5")
    fill(browser, "admin_email", "admin@favre.example")
    fill(browser, "admin_password", "un-mot-de-passe-long")
    send_form(browser, "new-client", "Créer le client", "Client Favre Fiduciaire créé.")
    db.session.rollback()  # a new transaction sees what the server committed
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == "favre.example")).scalar_one()
    assert (tenant.name, tenant.max_users, tenant.status) == ("Favre Fiduciaire", 5, "active")
    admin = db.session.execute(select(Account).where(Account.email == "admin@favre.example")).scalar_one()
    assert (admin.role, admin.tenant_id) == ("admin", tenant.id)
    assert admin.password_hash.startswith("$argon2")
    created = db.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "tenant", AuditEntry.tenant_id == tenant.id)
    ).scalar_one()
    assert created.actor == "operator@centrex.example" and created.source_ip == "127.0.0.1"


def test_admin_adds_a_phone_and_a_user(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    free = db.session.execute(select(Number).where(Number.e164 == "+41215550120")).scalar_one()
    assign_number(free, dupont)  # the operator gave Dupont SA one more number
    db.session.commit()
    open_menu(browser, live_server, "admin@dupont.example", "Téléphones")
    click_link(browser, "Ajouter un téléphone")
    wait_for(browser, "input[name=mac]")
    fill(browser, "mac", "80:5E:C0:12:34:56")
    choose(browser, "model", "Yealink T54W · 27 touches + modules EXP50 (jusqu’à 3)")
    fill(browser, "label", "Bureau d'accueil")
    submit(browser, "Enregistrer")
    wait_text(browser, "Téléphone 805ec0123456 enregistré.")

    click_link(browser, "Utilisateurs")
    click_link(browser, "Ajouter un utilisateur")
    wait_for(browser, "input[name=name]")
    assert browser.find_element(By.NAME, "extension").get_attribute("value") == "1006"  # next free extension
    fill(browser, "name", "Emma Blanc")
    fill(browser, "email", "emma.blanc@dupont.example")
    fill(browser, "vm_pin", "135792")
    choose(browser, "call_class", "national et mobiles")
    fill(browser, "max_calls", "3")
    click(browser, browser.find_element(By.CSS_SELECTOR, f"input[name=numbers][value='{free.id}']"))
    phone = db.session.execute(select(Device).where(Device.mac == "805ec0123456")).scalar_one()
    click(browser, browser.find_element(By.CSS_SELECTOR, f"input[name=devices][value='{phone.id}']"))
    send_form(browser, "new-user", "Créer l’utilisateur", "Utilisateur Emma Blanc créé.")
    browser.snap("users")

    db.session.rollback()  # a new transaction sees what the server committed
    user = db.session.execute(select(User).where(User.name == "Emma Blanc")).scalar_one()
    assert (user.extension, user.call_class, user.max_calls) == ("1006", "mobile", 3)
    assert user.tenant.domain == "dupont.example"
    assert db.session.get(Device, phone.id).user_id == user.id
    number = db.session.get(Number, free.id)
    assert (number.dest_type, number.dest_id) == ("user", user.id)
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'Emma Blanc')]]")
    assert "021 555 01 20" in row.text and "T54W" in row.text


def test_user_changes_their_voicemail_pin(live_server, browser):
    log_in(browser, live_server, "alain.dupont@dupont.example")
    wait_text(browser, "Code PIN de messagerie")
    fill(browser, "vm_pin", "246813")
    fill(browser, "vm_pin_confirm", "246831")
    submit(browser, "Changer mon code PIN")
    wait_text(browser, "Les deux codes PIN sont différents.")  # next to the field, in French
    fill(browser, "vm_pin", "246813")
    fill(browser, "vm_pin_confirm", "246813")
    submit(browser, "Changer mon code PIN")
    wait_text(browser, "Votre code PIN de messagerie est changé.")
    browser.snap("profile")
    db.session.rollback()  # a new transaction sees what the server committed
    user = db.session.execute(select(User).where(User.email == "alain.dupont@dupont.example")).scalar_one()
    assert verify_password(user.vm_pin_hash, "246813")
    assert user.vm_a1_hash == digest_a1("1001", "dupont.example", "246813")


def test_language_switch_and_phone_layout(live_server, browser):
    log_in(browser, live_server, "admin@dupont.example")
    browser.find_element(By.CSS_SELECTOR, "button[name=lang][value=en]").click()
    wait_text(browser, "Overview")
    # A phone: the page is laid out for 390 px (emulated: window resizes are asynchronous in headless mode).
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
    )
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.innerWidth") <= 400)

    def menu_shown(driver) -> bool:
        return driver.find_element(By.CSS_SELECTOR, ".sidebar").is_displayed()

    WebDriverWait(browser, 10).until(lambda d: not menu_shown(d))
    browser.snap("phone-closed")
    browser.find_element(By.CSS_SELECTOR, "label.nav-button").click()
    WebDriverWait(browser, 10).until(menu_shown)
    browser.snap("phone-open")
    click_link(browser, "Users")
    wait_text(browser, "Add a user")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone (tables scroll inside their box)"
