"""Desk phones in the console, in French: a phone plugged in before it was added is listed for the
operator, and Dupont's administrator claims it by its MAC address and gives it to a user."""
from __future__ import annotations

import urllib.error
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from browser.browser_pages import choose, click_link, fill, fill_in, log_in, submit, wait_for, wait_text
from centrex.models import Device, User
from centrex.platform.db import db

MAC = "805ec0a1b2c3"


def test_an_unknown_phone_is_listed_and_claimed(live_server, browser):
    request = urllib.request.Request(f"{live_server}/prov/{MAC}.cfg",
                                     headers={"User-Agent": "Yealink SIP-T54W 96.86.0.45 80:5e:c0:a1:b2:c3"})
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 404  # nobody's phone yet: recorded, then refused

    log_in(browser, live_server, "operator@centrex.example")
    browser.get(f"{live_server}/operator/devices")
    wait_text(browser, "Téléphones en attente d’être réclamés")
    row = browser.find_element(By.XPATH, f"//td[text()='{MAC}']/..")
    assert "Yealink T54W" in row.text
    browser.snap("unknown-phones")
    browser.delete_all_cookies()

    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    click_link(browser, "Téléphones")
    fill(browser, "mac", "80:5E:C0:A1:B2:C3")
    submit(browser, "Réclamer")
    wait_text(browser, "Il s’est présenté comme")  # the model to confirm, preselected from its User-Agent
    model = Select(browser.find_element(By.NAME, "model"))
    assert model.first_selected_option.get_attribute("value") == "T54W"
    browser.snap("claim-model")
    submit(browser, "Réclamer")
    wait_text(browser, f"Téléphone {MAC} réclamé : attribuez-le à un utilisateur.")
    choose(browser, "user_id", "1003 · Luc Favre")
    browser.snap("claimed-phone")
    submit(browser, "Enregistrer")
    wait_text(browser, f"Téléphone {MAC} enregistré.")
    device = db.session.execute(select(Device).where(Device.mac == MAC)).scalar_one()
    user = db.session.get(User, device.user_id)
    assert (device.model, user.extension) == ("T54W", "1003")


def open_keys_page(live_server, browser, device) -> None:
    """Dupont's administrator on the phone's keys page, reached from the phone's own page."""
    log_in(browser, live_server, "admin@dupont.example")
    browser.get(f"{live_server}/t/{device.tenant_id}/devices/{device.id}")
    click_link(browser, "Touches programmables")
    wait_for(browser, "select[name=kind_1]")


def test_admin_programs_a_phones_keys_and_copies_them(live_server, browser):
    from centrex.models import Tenant
    from centrex.phones.devices import add_device

    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    users = {u.extension: u for u in db.session.execute(select(User).where(User.tenant_id == dupont.id)).scalars()}
    desk = add_device(dupont, {"mac": "805ec0b1b2b3", "vendor": "yealink", "model": "T46U",
                               "user_id": users["1001"].id, "label": "Bureau Alain"})
    spare = add_device(dupont, {"mac": "805ec0b1b2b4", "vendor": "yealink", "model": "T54W", "label": "Salle"})
    db.session.commit()
    open_keys_page(live_server, browser, desk)
    fill_in(browser, {"kind_1": "Ligne", "kind_2": "Collègue (BLF, interception)", "target_2": "1000 · Claire Dumas",
                      "kind_3": "Numérotation abrégée", "number_3": "+41791234567", "label_3": "Mobile Alain"})
    submit(browser, "+ Module d’extension")  # saves, then draws the phone's first module too
    wait_for(browser, "select[name=kind_28]")
    wait_text(browser, "Module EXP43 n° 1")
    browser.snap("keys-layout")
    choose(browser, "kind_28", "Ne pas déranger")
    submit(browser, "Enregistrer")
    wait_text(browser, "Touches de 805ec0b1b2b3 enregistrées.")
    browser.find_element(By.CSS_SELECTOR, f"input[name=devices][value='{spare.id}']").click()
    submit(browser, "Copier")
    wait_text(browser, "Touches copiées sur 1 téléphone.")
    db.session.expire_all()
    assert [(k.position, k.kind) for k in db.session.get(Device, spare.id).keys] == [
        (1, "line"), (2, "blf"), (3, "speed_dial"), (28, "dnd")]
