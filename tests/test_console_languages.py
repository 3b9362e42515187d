"""Every page and every refusal of the console in the reader's language: the whole console walked by its links
in French, each form submitted with wrong values, and no English sentence of the catalogue on any answer; in
English, no French word left."""

from __future__ import annotations

import html

import lxml.html
import pytest
from sqlalchemy import select

from centrex.models import User
from centrex.platform.db import db
from console_words import data_texts, english_sentences, french_words, untranslated, walk
from webui_testing import ADMIN_DUPONT, OPERATOR, USER_DUPONT, login, post, text

WHO = [OPERATOR, ADMIN_DUPONT, USER_DUPONT]


@pytest.mark.parametrize("email", WHO)
def test_every_refusal_of_the_console_is_in_french(client, dupont, email):
    client.set_cookie("console_lang", "fr")
    login(client, email)
    pages, answers = walk(client, "/")
    assert len(pages) > 5 and answers
    sentences = english_sentences()
    found = {where: bad for where, html in pages + answers if (bad := untranslated(html, sentences))}
    assert not found, found


def test_a_forward_refused_by_the_call_class_says_how_to_allow_it(admin, dupont):
    sophie = db.session.execute(select(User).filter_by(tenant_id=dupont.id, extension="1002")).scalar_one()
    refused = post(admin, f"/t/{dupont.id}/users/{sophie.id}/forwarding",
                   {"kind": "always", "dest.type": "external", "dest.value": "+41791112233"})
    assert refused.status_code == 422
    assert ("Sophie Martin ne peut pas appeler le +41791112233 : ses appels sont limités aux numéros de catégorie "
            "« national ». Pour l’autoriser, choisissez « national et mobiles » pour Sophie Martin dans Appels "
            "autorisés.") in html.unescape(text(refused))


@pytest.mark.parametrize("email", WHO)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_is_titled_as_its_menu_entry(client, dupont, email, lang):
    client.set_cookie("console_lang", lang)
    login(client, email)
    menu = lxml.html.fromstring(text(client.get("/", follow_redirects=True)))
    links = menu.xpath("//nav//section[contains(@class, 'menu')]//a")
    entries = [(a.get("href"), a.text_content().strip()) for a in links]
    assert len(entries) >= 3
    wrong = {}
    for href, label in entries:
        page = lxml.html.fromstring(text(client.get(href)))
        h1 = " ".join(page.xpath("string(//main//h1)").split())
        title = page.xpath("string(//title)").split(" · ")[0].strip()
        if not (h1.startswith(label) and title == label):
            wrong[label] = (title, h1)
    assert not wrong, wrong


@pytest.mark.parametrize("email", WHO)
def test_no_french_left_in_the_english_console(client, dupont, email):
    client.set_cookie("console_lang", "en")
    login(client, email)
    data = data_texts(db.session)  # before the walk's forms change some of it
    pages, answers = walk(client, "/")
    data += data_texts(db.session)
    found = {where: bad for where, html in pages + answers if (bad := french_words(html, data))}
    assert not found, found
