"""The demo with a past (`make run`), in a real browser, in French: the call history shows a week of calls
per day, an employee's voicemail the messages callers left, the fax page the fax received."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import func, select

from browser.browser_pages import click_link, log_in, wait_for, wait_text
from centrex.demo.companies import DUPONT_STAFF
from centrex.demo.history import OUTSIDE, load_demo_history
from centrex.models import Tenant, VoicemailMessage
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def test_history_voicemail_and_fax_of_the_demo_week(live_server, browser, committed):
    loaded = load_demo_history()
    committed.commit()
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    box, _ = db.session.execute(  # the employee whose box got the most messages this week
        select(VoicemailMessage.box, func.count()).where(VoicemailMessage.tenant_id == dupont.id)
        .group_by(VoicemailMessage.box).order_by(func.count().desc(), VoicemailMessage.box)).first()
    messages = db.session.execute(select(VoicemailMessage).where(
        VoicemailMessage.tenant_id == dupont.id, VoicemailMessage.box == box)).scalars().all()

    log_in(browser, live_server, "admin@dupont.example")
    wait_for(browser, ".menu-client")
    click_link(browser, "Historique d’appels")
    wait_text(browser, "Historique d’appels de Dupont SA")
    days = browser.find_elements(By.XPATH, "//h2[.='Appels par jour']/following-sibling::ol[1]/li")
    assert len(days) >= 7, [d.text for d in days]
    assert all(int(d.find_element(By.CLASS_NAME, "value").text) > 0 for d in days)
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "répondus" in text and "manqués" in text
    assert any(name and name in text for name, _ in OUTSIDE), "calls from the company's contacts"
    browser.snap("history-1366")

    click_link(browser, "Fax")
    wait_text(browser, "+41215559998")
    assert "Entrant" in browser.find_element(By.TAG_NAME, "body").text
    browser.snap("fax-1366")

    browser.delete_all_cookies()
    local = next(local for ext, _, local, *_ in DUPONT_STAFF if ext == box)
    log_in(browser, live_server, f"{local}@dupont.example")
    click_link(browser, "Messagerie vocale")
    wait_for(browser, "#messages tbody tr")
    rows = browser.find_elements(By.CSS_SELECTOR, "#messages tbody tr")
    assert len(rows) == len(messages) >= 2 and loaded["voicemail"] >= 3
    named = [m.caller_name for m in messages if m.caller_name]
    assert all(name in rows_text for name in named for rows_text in [" ".join(r.text for r in rows)])
    browser.snap("voicemail-1366")
