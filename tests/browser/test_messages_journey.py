"""« Messages », in French, in two real browsers: Alain starts a conversation with Sophie, they write to
each other and each sees the other's words arrive without reloading; at phone size the conversation takes
the screen; an employee of another company finds nothing of it."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser.browser_pages import click, log_in, submit, wait_for, wait_text

ALAIN = "alain.dupont@dupont.example"
SOPHIE = "sophie.martin@dupont.example"
PIERRE = "pierre.martin@martin.example"  # Martin Sàrl


def open_messages(driver, base: str, email: str) -> None:
    log_in(driver, base, email)
    menu = driver.find_element(By.CSS_SELECTOR, ".nav-button")
    if menu.is_displayed():  # a phone-sized screen: the menu is folded under ☰
        click(driver, menu)
    click(driver, wait_for(driver, "nav a[href$='/me/messages']"))
    wait_text(driver, "Nouvelle conversation")


def write(driver, text: str) -> None:
    box = driver.find_element(By.NAME, "body")
    box.send_keys(text)
    submit(driver, "Envoyer")
    wait_text(driver, text)


def test_two_colleagues_chat_live_and_another_company_sees_nothing(browser, second_browser, live_server):
    alain, sophie = browser, second_browser
    open_messages(alain, live_server, ALAIN)
    click(alain, alain.find_element(By.CSS_SELECTOR, ".chat-new summary"))
    Select(alain.find_element(By.NAME, "user_id")).select_by_visible_text("Sophie Martin (1002)")
    submit(alain, "Ouvrir la conversation")
    wait_text(alain, "Aucun message pour l’instant.")
    conversation_url = alain.current_url
    assert re.search(r"/me/messages/\d+$", conversation_url)
    write(alain, "Bonjour Sophie, tu as reçu le devis Müller ?")

    sophie.set_window_size(390, 844)  # a phone-sized screen
    open_messages(sophie, live_server, SOPHIE)
    entry = wait_for(sophie, ".conversations li a")
    assert "Alain Dupont" in entry.text and entry.find_element(By.CSS_SELECTOR, ".unread").text == "1"
    sophie.snap("list-390")
    click(sophie, entry)
    wait_text(sophie, "Bonjour Sophie, tu as reçu le devis Müller ?")
    assert not sophie.find_element(By.CSS_SELECTOR, ".chat-list").is_displayed()  # one pane at a time
    author = sophie.find_element(By.CSS_SELECTOR, ".thread li:not(.mine) .sender")
    assert author.is_displayed() and author.text == "Alain Dupont"
    width = sophie.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"

    write(alain, "Il faudrait le renvoyer avant midi.")  # Sophie's page shows it by itself
    wait_text(sophie, "Il faudrait le renvoyer avant midi.")
    write(sophie, "Oui, je m'en occupe.")
    wait_text(alain, "Oui, je m'en occupe.")
    sophie.snap("conversation-390")
    alain.snap("conversation")

    pierre = second_browser
    pierre.delete_all_cookies()
    pierre.set_window_size(1366, 900)
    open_messages(pierre, live_server, PIERRE)
    wait_text(pierre, "Aucune conversation pour l’instant")
    assert "Müller" not in pierre.find_element(By.TAG_NAME, "body").text
    pierre.get(conversation_url)
    wait_text(pierre, "Introuvable")
    assert "Müller" not in pierre.page_source
