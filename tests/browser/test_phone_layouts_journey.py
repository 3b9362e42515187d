"""Desk phone keys in the console, in French: park and transfer keys on a phone, and the company's
default layout that new phones start with and that the administrator applies to phones that exist.
Screenshots (CENTREX_SCREENSHOTS=1) of both pages at 1366 px and 390 px."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from browser.browser_pages import click, click_link, fill, fill_in, log_in, submit, wait_for, wait_text
from browser.test_phones_journey import open_keys_page
from centrex.models import Device, Tenant, User
from centrex.platform.db import db


def _dupont():
    return db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()


def _keys(device_id: int) -> list[tuple]:
    db.session.expire_all()
    return [(k.position, k.kind, k.number) for k in db.session.get(Device, device_id).keys]


def _snap_both_widths(browser, name: str) -> None:
    browser.snap(f"{name}-1366")
    browser.set_window_size(390, 844)
    browser.snap(f"{name}-390")
    browser.set_window_size(1366, 900)


def test_admin_gives_a_phone_park_and_transfer_keys(live_server, browser):
    from centrex.phones.devices import add_device

    dupont = _dupont()
    desk = add_device(dupont, {"mac": "805ec0c1c2c3", "vendor": "yealink", "model": "T46U", "label": "Accueil"})
    db.session.commit()
    open_keys_page(live_server, browser, desk)
    park = "Parcage d’appel (place 1 à 9 dans Numéro)"
    fill_in(browser, {"kind_1": park, "number_1": "1", "label_1": "Parking 1",
                      "kind_2": "Transfert vers le numéro", "number_2": "1000", "label_2": "Vers l’accueil",
                      "kind_3": park, "number_3": "12"})  # no such slot: refused with the reason, the form kept
    submit(browser, "Enregistrer")
    wait_text(browser, "Une touche de parcage parque sur une place de 1 à 9.")
    assert browser.find_element(By.NAME, "number_2").get_attribute("value") == "1000"
    fill(browser, "number_3", "2")
    submit(browser, "Enregistrer")
    wait_text(browser, "Touches de 805ec0c1c2c3 enregistrées.")
    _snap_both_widths(browser, "keys-page")
    assert _keys(desk.id) == [(1, "park", "1"), (2, "transfer", "1000"), (3, "park", "2")]


def test_default_layout_for_new_phones_and_applied_to_others(live_server, browser):
    from centrex.phones.devices import add_device

    dupont = _dupont()
    claire = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1000")).scalar_one()
    older = add_device(dupont, {"mac": "805ec0d1d2d3", "vendor": "snom", "model": "D785", "label": "Salle"})
    db.session.commit()
    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    click_link(browser, "Téléphones")
    click_link(browser, "Touches par défaut")
    wait_text(browser, "Chaque téléphone ajouté désormais reçoit ces touches")
    fill_in(browser, {"kind_1": "Ligne", "kind_2": "Collègue (BLF, interception)", "target_2": f"1000 · {claire.name}",
                      "label_2": "Accueil", "kind_3": "Messagerie vocale", "kind_4": "Ne pas déranger"})
    submit(browser, "Enregistrer")
    wait_text(browser, "Touches par défaut enregistrées : les nouveaux téléphones les reçoivent.")
    _snap_both_widths(browser, "default-layout-page")

    click(browser, browser.find_element(By.CSS_SELECTOR, f"input[name=devices][value='{older.id}']"))
    submit(browser, "Appliquer")
    wait_text(browser, "Touches par défaut appliquées à 1 téléphones.")
    assert [k[:2] for k in _keys(older.id)] == [(1, "line"), (2, "blf"), (3, "voicemail"), (4, "dnd")]

    click_link(browser, "Retour")
    click_link(browser, "Ajouter un téléphone")
    fill(browser, "mac", "80:5E:C0:D4:D5:D6")
    Select(browser.find_element(By.NAME, "model")).select_by_value("T31G")  # 2 keys: the first two only
    submit(browser, "Enregistrer")
    wait_text(browser, "Téléphone 805ec0d4d5d6 enregistré.")
    new = db.session.execute(select(Device).where(Device.mac == "805ec0d4d5d6")).scalar_one()
    assert [k[:2] for k in _keys(new.id)] == [(1, "line"), (2, "blf")]


def test_operator_sets_one_companys_phone_settings(live_server, browser):
    dupont = _dupont()
    log_in(browser, live_server, "operator@centrex.example")
    browser.get(f"{live_server}/operator/clients/{dupont.id}")
    click_link(browser, "Réglages des téléphones")
    wait_text(browser, "Les réglages de chaque téléphone de Dupont SA")
    fill_in(browser, {"register_expiry": "300", "dtmf": "SIP INFO", "codecs": "pcma,g722", "srtp": "Obligatoire"})
    submit(browser, "Enregistrer")
    wait_text(browser, "Réglages des téléphones de Dupont SA enregistrés")
    _snap_both_widths(browser, "operator-phone-settings")
    from centrex.phones.company_settings import phone_settings_of

    db.session.expire_all()
    row = phone_settings_of(dupont.id)
    assert (row.register_expiry, row.dtmf, row.codecs, row.srtp) == (300, "sip_info", "pcma,g722", "mandatory")
