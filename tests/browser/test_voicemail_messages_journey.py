"""Voicemail messages in French: Alain Dupont plays a new message in « Messagerie vocale » (it becomes read,
here and in mod_voicemail: `vm_read` over the switch port), marks it new again, downloads one and forwards
one by e-mail (the outbox holds the mail with the recording); Dupont's administrator does the same in the
shared box 8000; the page fits a 390 px phone."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import click, click_link, log_in, wait_for, wait_text
from centrex.models import OutboxMessage, VoicemailMessage
from centrex.platform.db import db
from esl_switch import api_commands, switch_on_esl  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow
FIRST = "5e1d0c2a-7d43-4c55-9a51-000000001001"  # Fiduciaire Rochat, the newest in Alain's box
SHARED = "5e1d0c2a-7d43-4c55-9a51-000000008000"


def _message(uuid: str) -> VoicemailMessage:
    db.session.rollback()  # a new transaction sees what the server committed
    return db.session.execute(select(VoicemailMessage).where(VoicemailMessage.message_uuid == uuid)).scalar_one()


def _row(browser, message_id: int):
    return browser.find_element(By.CSS_SELECTOR, f"tr[data-message='{message_id}']")


def _forward(browser, message_id: int, address: str) -> None:
    row = _row(browser, message_id)
    click(browser, row.find_element(By.CSS_SELECTOR, "details.forward summary"))
    row.find_element(By.NAME, "email").send_keys(address)
    click(browser, row.find_element(By.CSS_SELECTOR, "details.forward button[type=submit]"))


def _download_headers(browser, message_id: int) -> list:
    link = _row(browser, message_id).find_element(By.LINK_TEXT, "Télécharger").get_attribute("href")
    return browser.execute_async_script(
        "var done = arguments[1]; fetch(arguments[0]).then(function (r) { r.arrayBuffer().then(function (b) {"
        " done([r.status, r.headers.get('Content-Disposition'), b.byteLength]); }); });", link)


def test_voicemail_messages_read_download_forward(live_server, switch_on_esl, browser):  # noqa: F811
    first, shared = _message(FIRST), _message(SHARED)
    assert first.read_at is None and shared.read_at is None
    log_in(browser, live_server, "alain.dupont@dupont.example")
    browser.get(live_server + "/me/voicemail")
    wait_text(browser, "Fiduciaire Rochat")
    assert "Nouveau" in _row(browser, first.id).text
    delete = _row(browser, first.id).find_element(By.XPATH, ".//button[.='Supprimer']")
    assert delete.rect["x"] + delete.rect["width"] <= 1366 - 40, "the actions are visible on a laptop"
    browser.snap("mine-new")

    # Playing it in the page marks it read (console.js) — without a reload.
    audio = _row(browser, first.id).find_element(By.TAG_NAME, "audio")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].muted = true", audio)
    ActionChains(browser).move_to_element_with_offset(audio, -audio.size["width"] // 2 + 20, 0).click().perform()
    WebDriverWait(browser, 10).until(lambda d: _row(d, first.id).get_attribute("class") == "message-read")
    assert "Nouveau" not in _row(browser, first.id).text
    assert _message(FIRST).read_at is not None
    WebDriverWait(browser, 5).until(lambda _: f"vm_read 1001@dupont.example read {FIRST}"
                                    in api_commands(switch_on_esl))

    browser.refresh()
    wait_text(browser, "Fiduciaire Rochat")
    click(browser, _row(browser, first.id).find_element(By.XPATH, ".//button[.='Marquer comme nouveau']"))
    wait_text(browser, "Le message est marqué comme nouveau.")
    assert _message(FIRST).read_at is None and "Nouveau" in _row(browser, first.id).text
    assert f"vm_read 1001@dupont.example unread {FIRST}" in api_commands(switch_on_esl)

    status, disposition, size = _download_headers(browser, first.id)
    assert status == 200 and disposition.startswith("attachment") and ".wav" in disposition and size > 1000

    _forward(browser, first.id, "comptable@fiduciaire-rochat.example")
    wait_text(browser, "Le message part à comptable@fiduciaire-rochat.example.")
    db.session.rollback()
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "voicemail_forward")
                              ).scalar_one()
    assert mail.recipients == ["comptable@fiduciaire-rochat.example"]
    assert "Fiduciaire Rochat" in mail.subject and "Alain Dupont" in mail.subject
    assert [a.filename.endswith(".wav") and len(a.data) > 1000 for a in mail.attachments] == [True]

    _forward(browser, first.id, "pas-une-adresse@")
    # The browser refuses the address before sending it (type=email).
    assert browser.execute_script(
        "return document.querySelector(\"tr[data-message='\" + arguments[0] + \"'] input[name=email]\")"
        ".validity.valid", first.id) is False

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    browser.refresh()
    wait_text(browser, "Fiduciaire Rochat")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.snap("mine-390")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # The administrator, in the shared box 8000's page.
    browser.delete_all_cookies()
    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    click_link(browser, "Messagerie partagée")
    browser.get(f"{live_server}/t/{shared.tenant_id}/voicemail/{shared.shared_box_id}")
    wait_for(browser, f"tr[data-message='{shared.id}']")
    assert "Nouveau" in _row(browser, shared.id).text
    click(browser, _row(browser, shared.id).find_element(By.XPATH, ".//button[.='Marquer comme lu']"))
    wait_text(browser, "Le message est marqué comme lu.")
    assert _message(SHARED).read_at is not None
    assert f"vm_read 8000@dupont.example read {SHARED}" in api_commands(switch_on_esl)
    _forward(browser, shared.id, "direction@dupont.example")
    wait_text(browser, "Le message part à direction@dupont.example.")
    browser.snap("shared-box")
