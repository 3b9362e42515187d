"""Every text of the console exists in French, and the committed compiled catalogue matches its source."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import webui
from webui.i18n import CORE_MESSAGES, PATTERNS, translate_message

pytestmark = pytest.mark.smoke

WEBUI = Path(webui.__file__).resolve().parent
CATALOGUE = WEBUI / "translations" / "fr" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEBUI), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_console_text_has_a_french_translation():
    catalogue = read_po((CATALOGUE / "messages.po").open("rb"))
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - translated.keys())
    assert not missing, f"run `make translations` and translate: {missing}"


def test_compiled_catalogue_matches_its_source():
    source = read_po((CATALOGUE / "messages.po").open("rb"))
    compiled = read_mo((CATALOGUE / "messages.mo").open("rb"))
    expected = {m.id: m.string for m in source if m.id and m.string and not m.fuzzy}
    assert {m.id: m.string for m in compiled if m.id} == expected, "run `make translations` (pybabel compile)"


def test_core_messages_are_translated(app):
    with app.test_request_context(headers={"Cookie": "console_lang=fr"}):
        assert translate_message("Already used.") == "Déjà utilisé."
        assert (
            translate_message("Extension 1001 is already used in this company.")
            == "Le numéro interne 1001 est déjà utilisé dans cette entreprise."
        )
        assert (
            translate_message("Must be greater than or equal to 1 and less than or equal to 50.")
            == "Doit être compris entre 1 et 50."
        )
        assert translate_message("Something new from the core.") == "Something new from the core."
    with app.test_request_context(headers={"Cookie": "console_lang=en"}):
        assert translate_message("Already used.") == "Already used."
    assert len(CORE_MESSAGES) > 40 and len(PATTERNS) > 10
