"""Every text of the console and every message of the core exists in French, the core raises its messages by
key (marked for extraction), and the committed compiled catalogue matches its source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import centrex
import webui
from centrex.platform.errors import N_, Conflict, Invalid, Message
from centrex.platform.forms import load
from centrex.platform.schemas import NumberSchema
from webui.i18n import translate

pytestmark = pytest.mark.smoke

WEBUI = Path(webui.__file__).resolve().parent
CORE = Path(centrex.__file__).resolve().parent
CATALOGUE = WEBUI / "translations" / "fr" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def source_messages(folder: Path = WEBUI, methods=METHODS) -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(folder), methods, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _translated(catalogue) -> dict[str, tuple[str, ...]]:
    """Each translated message by its (singular) id: its translation, every plural form of it."""
    found = {}
    for m in catalogue:
        key = m.id if isinstance(m.id, str) else m.id[0]
        forms = (m.string,) if isinstance(m.string, str) else tuple(m.string)
        if key and all(forms) and not m.fuzzy:
            found[key] = forms
    return found


def french_catalogue() -> dict[str, tuple[str, ...]]:
    return _translated(read_po((CATALOGUE / "messages.po").open("rb")))


def test_every_console_text_has_a_french_translation():
    missing = sorted(source_messages() - french_catalogue().keys())
    assert not missing, f"run `make translations` and translate: {missing}"


def test_every_message_key_of_the_core_has_a_french_translation():
    """The keys marked N_ in centrex/ (errors, field messages, validators) are in the French catalogue: a
    reworded message without its translation fails here instead of showing English in the French console."""
    keys = source_messages(CORE, [("**.py", "python")])
    assert len(keys) > 200 and "Extension %(ext)s is already used in this company." in keys
    missing = sorted(keys - french_catalogue().keys())
    assert not missing, f"run `make translations` and translate: {missing}"


ERRORS = {"DomainError", "Invalid", "NotFound", "Conflict", "Forbidden", "ValidationError", "_refuse"}


def _unmarked(node) -> list:
    """String literals (plain or f-strings) where a message key (N_(...), a Message) is expected."""
    if isinstance(node, (ast.JoinedStr, ast.Constant)) and isinstance(getattr(node, "value", ""), str):
        return [node]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [bad for item in node.elts for bad in _unmarked(item)]
    if isinstance(node, ast.Dict):
        return [bad for value in node.values for bad in _unmarked(value)]
    return []


def test_the_core_raises_its_messages_by_key():
    """Every error raised in centrex/ names its message with a marked key, fields included: no English text
    the console would have to recognise."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
                args = node.args[:1] + [k.value for k in node.keywords if k.arg == "fields"]
                found += [f"{path.relative_to(CORE)}:{bad.lineno}" for arg in args for bad in _unmarked(arg)]
    assert not found, f"wrap the message in N_(...) (or Message.of(N_(...), ...)): {found}"


def test_compiled_catalogue_matches_its_source():
    compiled = _translated(read_mo((CATALOGUE / "messages.mo").open("rb")))
    assert compiled == french_catalogue(), "run `make translations` (pybabel compile)"


def test_core_messages_are_translated_by_key(app):
    taken = Conflict(N_("Extension %(ext)s is already used in this company."), ext="1001",
                     fields={"extension": [N_("Already used.")]})
    assert taken.message == str(taken) == "Extension 1001 is already used in this company."  # the API's English
    with pytest.raises(Invalid) as refused:
        load(NumberSchema(), {"e164": "+41215550100", "label": "x" * 500})
    too_long = refused.value.fields["label"][0]
    assert too_long == "Length must be between 1 and 120."  # marshmallow's English, as the API answers it
    with app.test_request_context(headers={"Cookie": "console_lang=fr"}):
        assert translate(taken.text) == "Le numéro interne 1001 est déjà utilisé dans cette entreprise."
        assert translate(taken.fields["extension"][0]) == "Déjà utilisé."
        assert translate(too_long) == "La longueur doit être comprise entre 1 et 120."
        assert translate(Message.of(N_("%(tenant)s's licence does not include %(feature)s."), tenant="Dupont SA",
                                    feature=Message.of(N_("call queues")))) == \
            "La licence de Dupont SA n’inclut pas les files d’attente."
        assert translate("claire.dumas@dupont.example") == "claire.dumas@dupont.example"  # data, not a key
    with app.test_request_context(headers={"Cookie": "console_lang=en"}):
        assert translate(taken.text) == "Extension 1001 is already used in this company."
        assert translate(taken.fields["extension"][0]) == "Already used."
