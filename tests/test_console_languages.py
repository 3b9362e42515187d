"""Every page and every refusal of the console in the reader's language: the whole console walked by its links
in French, each form submitted with wrong values, and no English sentence of the catalogue on any answer; in
English, no French word left."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from centrex.models import User
from centrex.platform.db import db
from console_words import english_sentences, untranslated, walk
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
