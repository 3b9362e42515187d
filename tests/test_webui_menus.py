"""Voice menu pages through the Flask test client: Dupont's language tree, create/edit with keys, greetings,
timeouts and wrong-key handling, errors next to the field with nothing half-saved, delete refused while
something leads to the menu; ivr.conf then answers FreeSWITCH's captured request with what was saved."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import func, select

from centrex.models import AudioFile, AuditEntry, IvrEntry, IvrMenu, Number, RingGroup, User, VoicemailBox
from centrex.platform.db import db
from centrex.routing.numbers import point_number
from test_webui_operator import field_error
from webui_testing import ADMIN_MARTIN, OPERATOR, USER_DUPONT, login, post, text

pytestmark = pytest.mark.commit_demo  # the demo's own switch commands go out before each test

IVR_CAPTURE = "60-configuration-ivr.conf-menu_dupont.example_main.http"  # FreeSWITCH asking for a menu


def one(model, tenant, **where):
    query = select(model).where(model.tenant_id == tenant.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query).scalar_one_or_none()


def audit_count() -> int:
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


def ivr_conf(post_capture, menu: IvrMenu, domain="dupont.example"):
    response = post_capture(IVR_CAPTURE, replace={
        "Menu-Name=dupont.example_main": f"Menu-Name={domain}_ivr{menu.id}", "dupont.example": domain})
    assert response.status_code == 200
    return etree.fromstring(response.data)


def entries(menu: IvrMenu) -> dict[str, tuple]:
    rows = db.session.execute(select(IvrEntry).where(IvrEntry.menu_id == menu.id)).scalars()
    return {e.digits: (e.label, e.dest_type, e.dest_id, e.dest_value) for e in rows}


def test_dupont_language_tree_is_shown_root_first(admin, dupont):
    page = text(admin.get(f"/t/{dupont.id}/menus"))
    root = page.index('data-menu="Choix de la langue"')
    subs = [page.index(f'data-menu="{name}"') for name in ("Français", "Deutsch", "English")]
    assert root < min(subs)  # the root, then its three sub-menus below it
    assert "↳ Français" in page and "↳ Deutsch" in page and "↳ English" in page
    assert "Menu vocal · Français" in page  # key 1 of the root
    assert page.count("Groupe d’appels · Support (2001)") == 3  # key 1 of each language
    assert page.count("Groupe d’appels · Ventes (2002)") == 3
    assert page.count("Groupe d’appels · Piquet week-end (2003)") == 3
    assert page.count("Retour au premier menu") == 3  # key 0
    assert "Messagerie vocale · 8000 · Répondeur Dupont SA" in page  # after the overall timeout
    assert "Martin Sàrl" not in page


def test_admin_creates_a_menu_with_keys_and_freeswitch_gets_it(admin, dupont, post_capture):
    greeting = one(AudioFile, dupont, name="Accueil Français")
    sales = one(RingGroup, dupont, name="Ventes")
    sophie = one(User, dupont, extension="1002")
    box = one(VoicemailBox, dupont, number="8000")
    french = one(IvrMenu, dupont, name="Français")
    response = post(admin, f"/t/{dupont.id}/menus/new", {
        "name": "Soirée", "extension": "5100", "greeting_id": str(greeting.id), "repeat_greeting_id": "",
        "no_input_seconds": "20", "overall_timeout_seconds": "60",
        "timeout.type": "voicemail", "timeout.box": str(box.id),
        "invalid_action": "replay", "max_failures": "2",
        "keys.1.label": "Ventes", "keys.1.type": "ring_group", "keys.1.id.ring_group": str(sales.id),
        "keys.2.type": "user", "keys.2.id.user": str(sophie.id),
        "keys.star.type": "ivr", "keys.star.id.ivr": str(french.id),
        "keys.hash.type": "external", "keys.hash.value": "+41791234567",
        "keys.3.type": "", "keys.3.id.user": str(sophie.id),  # no kind chosen: the key stays unused
    })
    assert response.status_code == 302, text(response)[:2000]
    menu = one(IvrMenu, dupont, name="Soirée")
    assert (menu.extension, menu.greeting_id, menu.no_input_seconds, menu.overall_timeout_seconds) == (
        "5100", greeting.id, 20, 60)
    assert (menu.timeout_dest_type, menu.timeout_dest_id, menu.max_failures) == ("voicemail", box.id, 2)
    assert entries(menu) == {"1": ("Ventes", "ring_group", sales.id, None),
                             "2": (None, "user", sophie.id, None),
                             "*": (None, "ivr", french.id, None),
                             "#": (None, "external", None, "+41791234567")}
    doc = ivr_conf(post_capture, menu)
    name = f"dupont.example_ivr{menu.id}"
    [mine] = doc.xpath(f"//menus/menu[@name='{name}']")
    assert mine.get("timeout") == "20000" and mine.get("max-timeouts") == "3" and mine.get("max-failures") == "2"
    assert mine.get("exec-on-max-timeouts") == "transfer 8000 XML dupont.example"
    assert "/dupont.example/prompt/" in mine.get("greet-long")
    keys = {e.get("digits"): (e.get("action"), e.get("param")) for e in mine.xpath("entry")}
    hash_entry = one(IvrEntry, dupont, menu_id=menu.id, digits="#")
    assert keys == {"1": ("menu-exec-app", "transfer 2002 XML dupont.example"),
                    "2": ("menu-exec-app", "transfer 1002 XML dupont.example"),
                    "*": ("menu-sub", f"dupont.example_ivr{french.id}"),
                    "#": ("menu-exec-app", f"transfer dest-ivr_entry-{hash_entry.id} XML dupont.example")}
    assert doc.xpath(f"//menus/menu[@name='dupont.example_ivr{french.id}']")  # the sub-menu comes along


def test_editing_changes_keys_and_removes_the_unused_ones(admin, dupont, post_capture):
    english = one(IvrMenu, dupont, name="English")
    form = text(admin.get(f"/t/{dupont.id}/menus/{english.id}"))
    assert 'name="keys.0.type"' in form and 'name="keys.star.type"' in form
    support = one(RingGroup, dupont, name="Support")
    alain = one(User, dupont, extension="1001")
    before = audit_count()
    response = post(admin, f"/t/{dupont.id}/menus/{english.id}", {
        "name": "English", "no_input_seconds": "60", "overall_timeout_seconds": "180",
        "greeting_id": str(english.greeting_id),
        "timeout.type": "voicemail", "timeout.box": str(english.timeout_dest_id),
        "invalid_action": "destination", "invalid.type": "user", "invalid.id.user": str(alain.id),
        "max_failures": "3",
        "keys.1.label": "Support", "keys.1.type": "ring_group", "keys.1.id.ring_group": str(support.id),
        "keys.0.label": "Retour", "keys.0.type": "back",
        # keys 2 and 3 sent without a destination: removed
    })
    assert response.status_code == 302
    assert entries(english) == {"1": ("Support", "ring_group", support.id, None), "0": ("Retour", "back", None, None)}
    db.session.refresh(english)
    assert (english.invalid_action, english.invalid_dest_type, english.invalid_dest_id) == (
        "destination", "user", alain.id)
    changes = db.session.execute(select(AuditEntry.action, AuditEntry.object_type).where(AuditEntry.id > 0)
                                 .order_by(AuditEntry.id.desc()).limit(audit_count() - before)).all()
    assert sorted(a for a, _t in changes) == ["delete", "delete", "update", "update"]  # menu, key 0, keys 2 and 3
    doc = ivr_conf(post_capture, english)
    [mine] = doc.xpath(f"//menus/menu[@name='dupont.example_ivr{english.id}']")
    assert mine.get("exec-on-max-failures") == "transfer 1001 XML dupont.example"
    assert {e.get("digits"): e.get("action") for e in mine.xpath("entry")} == {"1": "menu-exec-app", "0": "menu-back"}


def test_errors_next_to_the_field_and_nothing_half_saved(admin, dupont):
    deutsch = one(IvrMenu, dupont, name="Deutsch")
    keys_before, before = entries(deutsch), audit_count()
    response = post(admin, f"/t/{dupont.id}/menus/{deutsch.id}", {
        "name": "Deutsch (neu)", "no_input_seconds": "60", "overall_timeout_seconds": "180",
        "invalid_action": "message", "invalid_sound_id": "", "max_failures": "3",
        "keys.1.type": "user", "keys.1.id.user": str(one(User, dupont, extension="1001").id),
    })
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "invalid_sound_id") == "Obligatoire."
    assert "Choisissez le message joué après une mauvaise touche." in page  # above the form
    # the menu was valid up to the key: a wrong outside number on key 5 undoes it all
    response = post(admin, f"/t/{dupont.id}/menus/{deutsch.id}", {
        "name": "Deutsch (neu)", "no_input_seconds": "60", "overall_timeout_seconds": "180",
        "invalid_action": "replay", "max_failures": "3",
        "keys.1.type": "user", "keys.1.id.user": str(one(User, dupont, extension="1001").id),
        "keys.5.type": "external", "keys.5.value": "zéro",
    })
    assert response.status_code == 422
    page = text(response)
    assert "Chiffres uniquement." in page.split('data-key="5"')[1].split('data-key="6"')[0]
    db.session.expire_all()
    assert one(IvrMenu, dupont, id=deutsch.id).name == "Deutsch"
    assert entries(deutsch) == keys_before and audit_count() == before
    response = post(admin, f"/t/{dupont.id}/menus/new", {
        "name": "Deutsch", "extension": "2001", "no_input_seconds": "90", "overall_timeout_seconds": "30",
        "invalid_action": "replay", "max_failures": "30"})
    page = text(response)
    assert response.status_code == 422
    assert field_error(page, "max_failures") == "Doit être compris entre 1 et 10."
    assert audit_count() == before
    response = post(admin, f"/t/{dupont.id}/menus/new", {
        "name": "Nuit", "no_input_seconds": "90", "overall_timeout_seconds": "30", "invalid_action": "replay"})
    assert field_error(text(response), "overall_timeout_seconds") == (
        "Plus court que le délai avant de rejouer l’annonce.")
    response = post(admin, f"/t/{dupont.id}/menus/new", {
        "name": "Nuit", "extension": "2001", "invalid_action": "replay"})  # the Support group's number
    assert field_error(text(response), "extension") == "Déjà utilisé dans cette entreprise."
    assert one(IvrMenu, dupont, name="Nuit") is None and audit_count() == before


def test_delete_refused_while_used_then_allowed(admin, dupont):
    french = one(IvrMenu, dupont, name="Français")
    response = post(admin, f"/t/{dupont.id}/menus/{french.id}/delete", follow_redirects=True)
    assert "Ce menu est encore utilisé." in text(response)  # key 1 of the root leads to it
    root = one(IvrMenu, dupont, name="Choix de la langue")
    number = db.session.execute(select(Number).where(Number.tenant_id == dupont.id, Number.is_main.is_(True))
                                ).scalar_one()
    point_number(number, dupont, {"dest_type": "ivr", "dest_id": root.id})
    db.session.commit()
    page = text(admin.get(f"/t/{dupont.id}/menus"))
    assert f"Répond au <span class=\"mono\">{number.e164}</span>" in page
    response = post(admin, f"/t/{dupont.id}/menus/{root.id}/delete", follow_redirects=True)
    assert "Ce menu est encore utilisé." in text(response) and one(IvrMenu, dupont, id=root.id)
    post(admin, f"/t/{dupont.id}/menus/new", {"name": "Temporaire", "invalid_action": "replay"})
    temporary = one(IvrMenu, dupont, name="Temporaire")
    before = audit_count()
    response = post(admin, f"/t/{dupont.id}/menus/{temporary.id}/delete", follow_redirects=True)
    assert "Menu vocal Temporaire supprimé." in text(response)
    assert one(IvrMenu, dupont, name="Temporaire") is None and audit_count() == before + 1


def test_the_key_choices_offer_only_this_company(admin, dupont, demo):
    english = one(IvrMenu, dupont, name="English")
    page = text(admin.get(f"/t/{dupont.id}/menus/{english.id}"))
    assert "Répondeur Dupont SA" in page and "Martin Sàrl" not in page
    keys_part = page.split('data-key="1"')[1].split("</section>")[0]
    assert f'value="{english.id}"' not in keys_part.split('data-destination="ivr"')[1].split("</select>")[0]
    martin_menu = one(IvrMenu, demo["martin.example"], name="Français")
    response = post(admin, f"/t/{dupont.id}/menus/{english.id}", {
        "name": "English", "invalid_action": "replay",
        "keys.7.type": "ivr", "keys.7.id.ivr": str(martin_menu.id)})
    assert response.status_code == 422 and "7" not in entries(english)


def test_roles_companies_and_csrf(client, dupont, demo):
    french = one(IvrMenu, dupont, name="Français")
    login(client, USER_DUPONT)
    assert client.get(f"/t/{dupont.id}/menus").status_code == 403
    assert client.get(f"/t/{dupont.id}/menus/{french.id}").status_code == 403
    login(client, ADMIN_MARTIN)
    martin = demo["martin.example"]
    assert client.get(f"/t/{dupont.id}/menus").status_code == 404
    assert client.get(f"/t/{martin.id}/menus/{french.id}").status_code == 404
    assert post(client, f"/t/{martin.id}/menus/{french.id}/delete").status_code == 404
    login(client, OPERATOR)
    assert "Choix de la langue" in text(client.get(f"/t/{dupont.id}/menus"))
    before = audit_count()
    assert client.post(f"/t/{dupont.id}/menus/new", data={"name": "Sans jeton"}).status_code == 400
    assert client.post(f"/t/{dupont.id}/menus/{french.id}",
                       data={"name": "Renommé", "invalid_action": "replay"}).status_code == 400
    assert one(IvrMenu, dupont, name="Sans jeton") is None and one(IvrMenu, dupont, id=french.id).name == "Français"
    assert audit_count() == before


def test_refusals_in_english_too(admin, dupont):
    """The service writes "Français. / English.": each reader gets their own half."""
    post(admin, "/lang", {"lang": "en"})
    french = one(IvrMenu, dupont, name="Français")
    page = text(post(admin, f"/t/{dupont.id}/menus/{french.id}/delete", follow_redirects=True))
    assert "This menu is still in use." in page and "encore utilisé" not in page
    response = post(admin, f"/t/{dupont.id}/menus/new", {
        "name": "Night", "invalid_action": "message", "no_input_seconds": "60", "overall_timeout_seconds": "180"})
    assert field_error(text(response), "invalid_sound_id") == "Required."
