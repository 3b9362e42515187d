"""The history of changes ("Historique") in words a person reads, in French and in English: what was done, to
what by its name, the changed fields by their labels and destinations by their names; its filters too."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import select

import centrex
from centrex.access.roles import assign_role, create_role
from centrex.models import Account, Number, RingGroup, User
from centrex.platform.audit import Actor, acting_as
from centrex.platform.db import db
from centrex.routing.groups import update_ring_group
from centrex.routing.numbers import point_number
from console_words import visible_text
from webui.audit_words import ACTIONS, FIELDS, OBJECTS, REFERENCES
from webui_testing import text

CORE = Path(centrex.__file__).resolve().parent
# What people must not read: the names of actions, tables and columns of the database.
INTERNALS = re.compile(r"\b(assign_role|did_number|sip_user|ring_group|dest_type|dest_id|dest_value|custom_role|"
                       r"update|create|#\d+)\b")


@pytest.fixture
def changes(dupont):
    """Three changes of Dupont's administrator: a number pointed to Sophie Martin, Sophie added to the
    Support group, a login given a console role."""
    def one(model, **where):
        return db.session.execute(select(model).filter_by(tenant_id=dupont.id, **where)).scalars().first()

    sophie = one(User, extension="1002")
    with acting_as(Actor("admin@dupont.example", "192.0.2.7")):
        point_number(one(Number, e164="+41215550106"), dupont,
                     {"dest_type": "user", "dest_id": sophie.id, "dest_value": None})
        support = one(RingGroup, extension="2001")
        members = [{"user_id": m.user_id, "external": None, "ring_seconds": m.ring_seconds}
                   for m in support.members if m.user_id != sophie.id]
        update_ring_group(support, {"members": [*members, {"user_id": sophie.id, "external": None}]})
        role = create_role(dupont, {"name": "Standard", "permissions": {"presence": "read"}})
        assign_role(one(Account, email="reception@dupont.example"), role)
    db.session.commit()


def history_text(client, url: str, lang: str) -> str:
    client.set_cookie("console_lang", lang)
    return html.unescape(text(client.get(url)))


def test_the_history_speaks_french(admin, dupont, changes):
    page = history_text(admin, f"/t/{dupont.id}/history", "fr")
    words = visible_text(page)
    assert "Modification Numéro +41215550106 Destination : Utilisateur · Sophie Martin (1002)" in words
    assert ("Modification Groupe d’appels Support Membres : Luc Favre (1003), Julie Bernard (1004), "
            "Sophie Martin (1002)") in words
    assert "Rôle dans la console changé" in words and "Rôle dans la console : Standard" in words
    assert "admin@dupont.example depuis 192.0.2.7" in words
    assert "Autorisations : Qui est au téléphone (lecture)" in words  # the role's rights by their menu names
    assert not INTERNALS.findall(words), INTERNALS.findall(words)
    assert '<option value="assign_role">Rôle dans la console changé</option>' in page
    assert '<option value="did_number">Numéro</option>' in page
    filtered = visible_text(history_text(admin, f"/t/{dupont.id}/history?object_type=did_number", "fr"))
    assert "Sophie Martin (1002)" in filtered and "Standard" not in filtered.split("Sur quoi", 2)[-1]


def test_settings_are_in_the_words_of_their_forms(admin, dupont):
    """The demo's history: ringing orders, schedules' ranges and holidays, voicemail e-mail modes as the
    console's forms say them, not as stored (top-down, yearly, mon-fri, notify, ISO dates)."""
    words = visible_text(history_text(admin, f"/t/{dupont.id}/history?object_type=schedule", "fr"))
    assert "lun.-ven. 08:00-12:00 → Utilisateur · Claire Dumas (1000)" in words
    assert "1 janv. 2026 chaque année → la destination par défaut" in words
    words = visible_text(history_text(admin, f"/t/{dupont.id}/history?object_type=ring_group", "fr"))
    assert "Ordre de sonnerie : L’un après l’autre" in words and "Ordre de sonnerie : Tous en même temps" in words
    for kind in ("schedule", "ring_group", "call_queue", "voicemail_box", "did_number", "fax_box"):
        words = visible_text(history_text(admin, f"/t/{dupont.id}/history?object_type={kind}", "fr"))
        for stored in ("yearly", "mon-fri", "top-down", "sequential", "simultaneous", "notify", "2026-01-01",
                       "#None", "['"):
            assert stored not in words, (kind, stored)


def test_the_history_speaks_english(admin, dupont, changes):
    words = visible_text(history_text(admin, f"/t/{dupont.id}/history", "en"))
    assert "Modification Number +41215550106 Destination: User · Sophie Martin (1002)" in words
    assert "Console role changed" in words and "Console role: Standard" in words
    assert not INTERNALS.findall(words), INTERNALS.findall(words)


def recorded_in_the_core() -> tuple[set[str], set[str]]:
    """The actions written by audit.record("…") and the keys of its changes={…} literals, from the source."""
    actions, keys = {"activate", "deactivate", "mute", "unmute", "kick"}, set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record":
                if node.args and isinstance(node.args[0], ast.Constant):
                    actions.add(node.args[0].value)
                for keyword in node.keywords:
                    if keyword.arg == "changes" and isinstance(keyword.value, ast.Dict):
                        keys |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
    return actions, keys


def test_every_action_and_field_of_the_history_has_words():
    actions, keys = recorded_in_the_core()
    assert len(actions) > 20 and "assign_role" in actions
    assert not actions - ACTIONS.keys(), sorted(actions - ACTIONS.keys())
    assert not keys - FIELDS.keys() - REFERENCES.keys(), sorted(keys - FIELDS.keys() - REFERENCES.keys())
    assert {"sip_user", "did_number", "ring_group", "account", "tenant"} <= OBJECTS.keys()
