"""ivr.conf: the captured request (fixture 60) answered with the whole menu tree of the demo, in the
structure mod_dptools' ivr app and switch_ivr_menu_stack_xml_build read; never another tenant's menu."""
from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from centrex.models import IvrMenu
from centrex.platform.db import db
from xmlcurl_helpers import captured_answer, is_not_found, parse_document

pytestmark = pytest.mark.smoke
CAPTURE = "60-configuration-ivr.conf-menu_dupont.example_main.http"
# switch_ivr_menu_stack_xml_build reads these menu attributes and these entry actions (switch_ivr_menu.c).
MENU_ATTRIBUTES = {"name", "greet-long", "greet-short", "invalid-sound", "exit-sound", "transfer-sound",
                   "timeout", "max-failures", "max-timeouts", "exec-on-max-failures", "exec-on-max-timeouts",
                   "confirm-macro", "confirm-key", "tts-engine", "tts-voice", "confirm-attempts", "digit-len",
                   "inter-digit-timeout", "pin", "pin-file", "bad-pin-file"}
ENTRY_ACTIONS = {"menu-exit", "menu-sub", "menu-exec-app", "menu-play-sound", "menu-back", "menu-top"}


def menu_id(demo, domain: str, name: str) -> int:
    return db.session.execute(select(IvrMenu.id).where(IvrMenu.tenant_id == demo[domain].id,
                                                       IvrMenu.name == name)).scalar_one()


def ask(post_capture, menu_name: str, domain: str = "dupont.example"):
    return parse_document(post_capture(CAPTURE, replace={"Menu-Name=dupont.example_main": f"Menu-Name={menu_name}",
                                                "dupont.example": domain}))


def test_the_captured_answer_uses_only_what_freeswitch_reads():
    """Our vocabulary check itself is checked against the answer FreeSWITCH accepted in the capture."""
    accepted = captured_answer(CAPTURE)
    for menu in accepted.xpath("//menus/menu"):
        assert set(menu.attrib) <= MENU_ATTRIBUTES
        assert {e.get("action") for e in menu.xpath("entry")} <= ENTRY_ACTIONS


def test_dupont_root_menu_answers_the_whole_language_tree(demo, post_capture):
    root_name = f"dupont.example_ivr{menu_id(demo, 'dupont.example', 'Choix de la langue')}"
    doc = ask(post_capture, root_name)
    config = doc.xpath("/document/section[@name='configuration']/configuration[@name='ivr.conf']")
    assert len(config) == 1
    menus = config[0].xpath("menus/menu")
    names = [m.get("name") for m in menus]
    assert names[0] == root_name and len(menus) == 4
    for menu in menus:
        assert set(menu.attrib) <= MENU_ATTRIBUTES
        assert menu.get("timeout") == "60000"          # repeat after 60 s without a key
        assert menu.get("max-timeouts") == "3"         # 3 x 60 s = the 180 s overall timeout
        for entry in menu.xpath("entry"):
            assert entry.get("action") in ENTRY_ACTIONS and entry.get("digits")
            if entry.get("action") == "menu-sub":      # FreeSWITCH builds sub-menus from this same answer
                assert entry.get("param") in names
    root = menus[0]
    assert root.get("exec-on-max-timeouts") == "hangup NORMAL_CLEARING"
    subs = {e.get("digits"): e.get("param") for e in root.xpath("entry[@action='menu-sub']")}
    assert set(subs) == {"1", "2", "3"}
    french = menus[names.index(subs["1"])]
    apps = {e.get("digits"): e.get("param") for e in french.xpath("entry[@action='menu-exec-app']")}
    # The manual's groups, by the short numbers the routing engine knows (centrex.demo.routing).
    assert apps == {"1": "transfer 2001 XML dupont.example", "2": "transfer 2002 XML dupont.example",
                    "3": "transfer 2003 XML dupont.example"}
    assert french.xpath("entry[@digits='0']/@action") == ["menu-top"]
    assert french.get("exec-on-max-timeouts") == "transfer 8000 XML dupont.example"  # the shared box
    assert french.get("greet-long").endswith(".wav") and "/dupont.example/prompt/" in french.get("greet-long")


def test_destinations_without_a_short_number_and_outside_numbers(demo, post_capture):
    from centrex.features import ivr, queues
    from centrex.models import CallQueue, IvrEntry
    tenant = demo["dupont.example"]
    menu = db.session.get(IvrMenu, menu_id(demo, "dupont.example", "Deutsch"))
    queue = queues.create_queue(tenant, {"name": "Sans numéro"})
    ivr.set_entry(tenant, menu, {"digits": "4", "dest_type": "queue", "dest_id": queue.id})
    ivr.set_entry(tenant, menu, {"digits": "5", "dest_type": "external", "dest_value": "+41791234567"})
    outside = db.session.execute(select(IvrEntry.id).where(IvrEntry.menu_id == menu.id,
                                                           IvrEntry.digits == "5")).scalar_one()
    doc = ask(post_capture, f"dupont.example_ivr{menu.id}")
    apps = {e.get("digits"): e.get("param") for e in doc.xpath(f"//menu[@name='dupont.example_ivr{menu.id}']/entry")}
    assert apps["4"] == f"transfer dest-queue-{queue.id} XML dupont.example"
    # An outside number is addressed through its menu entry, never as a dialable number.
    assert apps["5"] == f"transfer dest-ivr_entry-{outside} XML dupont.example"
    assert db.session.get(CallQueue, queue.id).extension is None


def test_same_menu_names_in_two_tenants_never_mix(demo, post_capture):
    dupont_id = menu_id(demo, "dupont.example", "Français")
    martin_id = menu_id(demo, "martin.example", "Français")
    assert dupont_id != martin_id
    martin = ask(post_capture, f"martin.example_ivr{martin_id}", domain="martin.example")
    assert [m.get("name") for m in martin.xpath("//menu")] == [f"martin.example_ivr{martin_id}"]
    assert b"dupont" not in etree.tostring(martin)
    # Dupont's menu id under Martin's domain, or asked from Martin's calls: not found.
    assert is_not_found(ask(post_capture, f"martin.example_ivr{dupont_id}", domain="martin.example"))
    crossed = post_capture(CAPTURE, replace={
        "Menu-Name=dupont.example_main": f"Menu-Name=dupont.example_ivr{dupont_id}",
        "Caller-Context=dupont.example": "Caller-Context=martin.example"})
    assert is_not_found(parse_document(crossed))


def test_invalid_key_settings_map_to_freeswitch_failures(demo, post_capture):
    from centrex.features import ivr
    tenant = demo["dupont.example"]
    menu = db.session.get(IvrMenu, menu_id(demo, "dupont.example", "English"))
    alain = demo_user(demo, "1001")
    ivr.update_menu(tenant, menu, {"invalid_action": "destination", "invalid_dest_type": "user",
                                   "invalid_dest_id": alain, "no_input_seconds": 30,
                                   "overall_timeout_seconds": 100, "timeout_dest_type": None})
    doc = ask(post_capture, f"dupont.example_ivr{menu.id}")
    english = doc.xpath(f"//menu[@name='dupont.example_ivr{menu.id}']")[0]
    assert english.get("max-failures") == "1"
    assert english.get("exec-on-max-failures") == "transfer 1001 XML dupont.example"
    assert english.get("timeout") == "30000" and english.get("max-timeouts") == "4"
    assert english.get("exec-on-max-timeouts") == "hangup NORMAL_CLEARING"


def demo_user(demo, extension):
    from centrex.models import User
    return db.session.execute(select(User.id).where(User.tenant_id == demo["dupont.example"].id,
                                                    User.extension == extension)).scalar_one()


@pytest.mark.parametrize("menu_name", ["dupont.example_main", "dupont.example_ivr999999", "nonsense",
                                       "../etc_ivr1", ""])
def test_unknown_menus_get_not_found(demo, post_capture, menu_name):
    assert is_not_found(ask(post_capture, menu_name))


def test_suspended_tenant_menus_are_not_served(demo, post_capture):
    from centrex.tenants.companies import set_status
    root = menu_id(demo, "dupont.example", "Choix de la langue")
    set_status(demo["dupont.example"], "suspended")
    assert is_not_found(ask(post_capture, f"dupont.example_ivr{root}"))
