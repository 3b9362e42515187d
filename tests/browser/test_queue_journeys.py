"""Queues and voice menus in a real browser: the admin creates a queue with two agents, puts the second
first with the arrow, saves, and FreeSWITCH (the test ESL server, reached by python-ESL) is told at once;
the voice menu page shows Dupont's language tree."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import choose, click_link, fill, open_menu, send_form, wait_for, wait_text
from centrex.models import CallQueue, QueueAgent, User
from centrex.platform.db import db
from esl_switch import esl_server, switch_on_esl  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow


def test_admin_creates_a_queue_with_two_agents(live_server, browser, switch_on_esl):
    open_menu(browser, live_server, "admin@dupont.example", "Files d’attente")
    wait_text(browser, "Réclamations")
    click_link(browser, "Ajouter une file")
    wait_for(browser, "input[name=name]")
    fill(browser, "name", "Commandes")
    fill(browser, "extension", "2200")
    choose(browser, "strategy", "Dans l’ordre, du haut de la liste")
    choose(browser, "agents.0", "1002 · Sophie Martin")
    choose(browser, "agents.1", "1005 · Marc Rochat")
    browser.find_element(By.CSS_SELECTOR, "button[name=move][value='1:up']").click()  # Marc first
    wait_for(browser, "select[name='agents.0'] option[selected]")
    assert browser.find_element(By.CSS_SELECTOR, "select[name='agents.0'] option[selected]").text == (
        "1005 · Marc Rochat")
    fill(browser, "max_wait_seconds", "60")
    choose(browser, "after.type", "Messagerie vocale")
    choose(browser, "after.box", "8000 · Répondeur Dupont SA")
    send_form(browser, "queue-form", "Enregistrer", "File Commandes enregistrée.")
    row = browser.find_element(By.XPATH, "//tr[td[contains(., 'Commandes')]]")
    assert "1. 1005 · Marc Rochat" in row.text and "2. 1002 · Sophie Martin" in row.text
    browser.snap("queue-list")

    db.session.rollback()
    queue = db.session.execute(select(CallQueue).where(CallQueue.name == "Commandes")).scalar_one()
    agents = db.session.execute(select(User.extension).join(QueueAgent, QueueAgent.user_id == User.id)
                                .where(QueueAgent.queue_id == queue.id).order_by(QueueAgent.position)).scalars()
    assert list(agents) == ["1005", "1002"]
    assert (queue.strategy, queue.max_wait_seconds, queue.after_dest_type) == ("top-down", 60, "voicemail")
    name = f"q{queue.id}@dupont.example"
    sent = [c[len("api "):] for c in switch_on_esl.commands if c.startswith("api ")]
    assert sent[0] == f"callcenter_config queue load {name}"
    assert [c for c in sent if " tier add " in c] == [
        f"callcenter_config tier add {name} 1005@dupont.example 1 1",
        f"callcenter_config tier add {name} 1002@dupont.example 1 2"]


def test_admin_sees_the_language_menu_tree(live_server, browser):
    open_menu(browser, live_server, "admin@dupont.example", "Menu vocal")
    wait_text(browser, "Choix de la langue")
    cards = [c.get_attribute("data-menu") for c in browser.find_elements(By.CSS_SELECTOR, "[data-menu]")]
    assert cards[:4] == ["Choix de la langue", "Français", "Deutsch", "English"]
    browser.snap("menu-tree")
    french = browser.find_element(By.CSS_SELECTOR, "[data-menu='Français']")
    french.find_element(By.PARTIAL_LINK_TEXT, "Modifier").click()
    wait_for(browser, "select[name='keys.1.type']")
    key_one = browser.find_element(By.CSS_SELECTOR, "[data-key='1']")
    shown = [s for s in key_one.find_elements(By.CSS_SELECTOR, "select") if s.is_displayed()]
    assert [s.get_attribute("name") for s in shown] == ["keys.1.type", "keys.1.id.ring_group"]
    assert "Support (2001)" in shown[1].find_element(By.CSS_SELECTOR, "option[selected]").text
    browser.snap("menu-form")
