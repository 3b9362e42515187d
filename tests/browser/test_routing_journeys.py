"""Routing in a real browser: the admin adds a call group, routes a number to it and sees the call
scenario picture; a user sets "forward on no answer after 20 s" and the dialplan that the xml_curl
endpoint then returns (over HTTP, as FreeSWITCH would ask) follows it."""

from __future__ import annotations

import urllib.request

import pytest
from lxml import etree
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from browser.browser_pages import (
    again_if_redrawn,
    choose,
    click_link,
    fill,
    open_menu,
    send_form,
    submit,
    wait_for,
    wait_text,
)
from centrex.models import ForwardRule, Number, RingGroup, Tenant, User
from centrex.platform.db import db
from centrex.routing.numbers import assign_number
from conftest import read_capture, xmlcurl_headers

pytestmark = pytest.mark.slow


def test_admin_adds_a_call_group_and_sees_the_call_scenario(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    free = db.session.execute(select(Number).where(Number.e164 == "+41215550120")).scalar_one()
    assign_number(free, dupont)
    db.session.commit()

    open_menu(browser, live_server, "admin@dupont.example", "Groupes d’appels")
    click_link(browser, "Ajouter un groupe d’appels")
    wait_for(browser, "input[name=name]")
    fill(browser, "name", "Accueil")
    fill(browser, "extension", "2050")
    choose(browser, "strategy", "L’un après l’autre")
    choose(browser, "members.0.who", "1000 · Claire Dumas")
    choose(browser, "members.1.who", "1003 · Luc Favre")
    choose(browser, "no_answer.type", "Messagerie vocale")
    choose(browser, "no_answer.box", "Messagerie de 1000 · Claire Dumas")
    send_form(browser, "group-form", "Enregistrer", "Groupe d’appels Accueil enregistré.")

    click_link(browser, "Numéros")
    again_if_redrawn(lambda: browser.find_element(By.XPATH, "//tr[td[contains(., '021 555 01 20')]]")
                     .find_element(By.PARTIAL_LINK_TEXT, "Modifier").click())
    choose(browser, "dest_type", "Groupe d’appels")
    choose(browser, "dest_id_ring_group", "Accueil")
    submit(browser, "Enregistrer")
    wait_text(browser, "Modifications enregistrées.")

    click_link(browser, "Scénario d’appels")
    choose(browser, "number", "021 555 01 20")
    submit(browser, "Afficher")
    wait_for(browser, "svg g.node-ring_group")
    # the chosen number's picture, read in one go (the page showed the main number's picture before,
    # which has a ring group too, and a picture may be drawn again while it is read)
    def titles_of_the_new_picture():
        titles = browser.execute_script(
            "return [...document.querySelectorAll('svg .node-title')].map(e => e.textContent.trim())")
        return titles if titles and titles[0] == "+41215550120" else None
    titles = WebDriverWait(browser, 15).until(lambda _driver: titles_of_the_new_picture())
    assert titles[:2] == ["+41215550120", "Accueil"]
    assert "1000 · Claire Dumas" in titles or any("Messagerie" in t for t in titles)
    browser.snap("scenario")

    db.session.rollback()
    group = db.session.execute(select(RingGroup).where(RingGroup.name == "Accueil")).scalar_one()
    number = db.session.get(Number, free.id)
    assert (number.dest_type, number.dest_id) == ("ring_group", group.id)
    assert [m.user_id for m in group.members] == [
        db.session.execute(
            select(User.id).where(User.tenant_id == dupont.id, User.extension == e)
        ).scalar_one()
        for e in ("1000", "1003")
    ]


def dialplan_over_http(base: str) -> list[tuple[str, str]]:
    """Alain (1001) calls Sophie (1002): the captured mod_xml_curl request, posted to the running server."""
    path, body = read_capture("25-dialplan-call-1001-to-1002.http")
    request = urllib.request.Request(base + path, data=body, headers=xmlcurl_headers(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        root = etree.fromstring(answer.read())
    return [(a.get("application"), a.get("data")) for a in root.xpath("//action")]


def test_user_forwards_on_no_answer_after_20_s_and_the_dialplan_follows(live_server, browser):
    assert ("bridge", "[leg_timeout=30]user/1002@dupont.example") in dialplan_over_http(live_server)
    open_menu(browser, live_server, "sophie.martin@dupont.example", "Renvois d’appel")
    wait_for(browser, "select[name=kind]")
    choose(browser, "kind", "Si pas de réponse")
    fill(browser, "ring_seconds", "20")
    choose(browser, "dest.type", "Utilisateur")
    choose(browser, "dest.id.user", "1003 · Luc Favre")
    send_form(browser, "forwarding-form", "Ajouter", "Renvoi enregistré.")
    browser.snap("forwarding")

    actions = dialplan_over_http(live_server)
    assert ("bridge", "[leg_timeout=20]user/1002@dupont.example") in actions
    db.session.rollback()
    luc = db.session.execute(select(User).where(User.email == "luc.favre@dupont.example")).scalar_one()
    fallback = next(d for a, d in actions if a == "set" and d.startswith("centrex_fallback="))
    assert f"no_answer=user:{luc.id}:" in fallback
    rule = db.session.execute(select(ForwardRule).where(ForwardRule.dest_id == luc.id)).scalar_one()
    assert (rule.kind, rule.ring_seconds) == ("no_answer", 20)
