"""The call scenario's « what happens if someone calls at … » without the switch's internals, its dates as
people read them, in French and English (the JSON answer keeps every step)."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from centrex.models import Number
from centrex.platform.db import db
from console_words import visible_text
from webui_testing import text


@pytest.mark.parametrize("lang, expected", [
    ("fr", ["Appel de +41791234567 vers +41215550100 le samedi 12 décembre 2026 à 10:00",
            "Horaire « Heures d'ouverture », samedi 12 décembre 2026 à 10:00 : plage Piquet 07:00–19:00.",
            "Groupe « Piquet week-end » : 4 numéros l’un après l’autre, 80 s en tout.",
            "Si occupé, pas de réponse, téléphone hors ligne, échec : Messagerie vocale 1000."]),
    ("en", ["Call from +41791234567 to +41215550100 on Saturday, December 12, 2026 at 10:00",
            'Schedule "Heures d\'ouverture", Saturday, December 12, 2026 at 10:00: range Piquet 07:00–19:00.',
            "If busy, no answer, phone offline, failure: Voicemail box 1000."]),
])
def test_what_happens_if_someone_calls_in_words(admin, dupont, lang, expected):
    number = db.session.execute(select(Number).filter_by(e164="+41215550100")).scalar_one()
    admin.set_cookie("console_lang", lang)
    page = html.unescape(text(admin.get(
        f"/t/{dupont.id}/scenario?number={number.id}&caller=%2B41791234567&day=2026-12-12&time=10:00")))
    words = visible_text(page)
    for sentence in expected:
        assert sentence in words
    for internal in ("compteurs", "counters", "plan de numérotation", "dialplan", "marqué au nom", "stamped",
                     "2026-12-12", "+01:00"):
        assert internal not in words, internal
    answer = admin.get(f"/t/{dupont.id}/scenario/explain.json?destination=%2B41215550100&at=2026-12-12T10:00")
    assert "keep_limits" in {step["note"] for step in answer.get_json()["steps"]}  # the JSON keeps them
