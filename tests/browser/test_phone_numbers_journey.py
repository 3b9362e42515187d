"""Phone numbers as people type them, in French: "079 555 12 34", "+41 79 …", "0041 79 …" are read with the
company's country, stored in E.164, and shown back in the Swiss national format."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import choose, click, fill, log_in, submit, wait_for, wait_text
from centrex.models import Number, PhonebookEntry, RingGroup, Tenant, User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def _dupont() -> Tenant:
    return db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()


def _value(browser, name: str) -> str:
    return browser.find_element(By.NAME, name).get_attribute("value")


def test_admin_types_numbers_the_swiss_way(live_server, browser):
    dupont = _dupont()
    alain = db.session.execute(select(User).where(User.tenant_id == dupont.id, User.extension == "1001")).scalar_one()
    on_call = db.session.execute(
        select(RingGroup).where(RingGroup.tenant_id == dupont.id, RingGroup.extension == "2003")).scalar_one()
    base = f"{live_server}/t/{dupont.id}"
    log_in(browser, live_server, "admin@dupont.example")

    # A user's mobile, typed as on a business card, refused first when it is not a number.
    browser.get(f"{base}/users/{alain.id}")
    wait_for(browser, "input[name=mobile]")
    fill(browser, "mobile", "079 55x")
    submit(browser, "Enregistrer")
    wait_text(browser, "Ce n’est pas un numéro de téléphone (p. ex. ")
    fill(browser, "mobile", "079 555 12 34")
    submit(browser, "Enregistrer")
    wait_text(browser, "Modifications enregistrées.")
    browser.get(f"{base}/users/{alain.id}")
    wait_for(browser, "input[name=mobile]")
    assert _value(browser, "mobile") == "079 555 12 34"

    # An outside member of a ring group, typed with 0041.
    browser.get(f"{base}/groups/{on_call.id}")
    wait_for(browser, "select[name='members.0.who']")
    row = len(on_call.members)
    choose(browser, f"members.{row}.who", "Un numéro externe →")
    fill(browser, f"members.{row}.external", "0041 78 666 22 33")
    fill(browser, f"members.{row}.ring_seconds", "20")
    submit(browser, "Enregistrer")
    wait_text(browser, "enregistré")
    browser.get(f"{base}/groups")
    wait_text(browser, "078 666 22 33")

    # The company phonebook, typed in international format with spaces.
    browser.get(f"{base}/phonebook")
    wait_for(browser, "input[name=number]")
    fill(browser, "name", "Fiduciaire Favre")
    fill(browser, "number", "+41 32 555 11 77")
    submit(browser, "Ajouter")
    wait_text(browser, "Fiduciaire Favre")
    wait_text(browser, "032 555 11 77")
    browser.snap("phonebook")

    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.get(User, alain.id).mobile == "+41795551234"
    externals = [m.external_number for m in db.session.get(RingGroup, on_call.id).members if m.external_number]
    assert "+41786662233" in externals
    entry = db.session.execute(select(PhonebookEntry).where(PhonebookEntry.name == "Fiduciaire Favre")).scalar_one()
    assert entry.number == "+41325551177"


def test_operator_adds_a_pool_number_as_written(live_server, browser):
    log_in(browser, live_server, "operator@centrex.example")
    browser.get(f"{live_server}/operator/numbers")
    click(browser, wait_for(browser, "details.card summary"))
    fill(browser, "e164", "021 555 01 99")
    submit(browser, "Ajouter")
    wait_text(browser, "021 555 01 99")
    browser.snap("pool")
    db.session.rollback()
    assert db.session.execute(select(Number).where(Number.e164 == "+41215550199")).scalar_one().tenant_id is None
    assert "+41215550199" not in browser.find_element(By.TAG_NAME, "body").text  # shown as people read it
