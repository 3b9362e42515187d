"""A new client made usable from the console alone, in French: the operator creates it with its first
administrator and licence, gives it numbers and sets (then changes) its main number; the administrator
creates the first user, who has no direct number."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from browser.browser_pages import choose, click, create_client, fill, log_in, submit, wait_for, wait_text
from centrex.models import AuditEntry, Number, Tenant, User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def _numbers(tenant_id: int) -> dict[str, bool]:
    db.session.rollback()  # a new transaction sees what the server committed
    rows = db.session.execute(select(Number).where(Number.tenant_id == tenant_id)).scalars()
    return {n.e164: n.is_main for n in rows}


def test_operator_sets_up_a_client_that_works(live_server, browser):
    log_in(browser, live_server, "operator@centrex.example")
    create_client(browser, live_server, "Favre Fiduciaire", "favre.example", "admin@favre.example",
                  "un-mot-de-passe-long")
    wait_text(browser, "Client Favre Fiduciaire créé.")
    wait_text(browser, "Aucun numéro pour l’instant.")
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == "favre.example")).scalar_one()

    # A first number from the pool: the main number, since the client has none.
    choose(browser, "number_id", "021 555 01 20")
    assert browser.find_element(By.NAME, "main").is_selected()
    submit(browser, "+ Attribuer ce numéro")
    wait_text(browser, "021 555 01 20 appartient maintenant à Favre Fiduciaire.")
    assert _numbers(tenant.id) == {"+41215550120": True}

    # A second one, not main; then the operator changes the main number to it.
    give = browser.find_element(By.CSS_SELECTOR, "form[action$='/numbers'] select[name=number_id]")
    choose_in = [o for o in give.find_elements(By.TAG_NAME, "option") if o.text == "021 555 01 21"]
    click(browser, choose_in[0])
    submit(browser, "+ Attribuer ce numéro")
    wait_text(browser, "021 555 01 21 appartient maintenant à Favre Fiduciaire.")
    assert _numbers(tenant.id) == {"+41215550120": True, "+41215550121": False}
    main = browser.find_element(By.CSS_SELECTOR, "form[action$='/main-number'] select[name=number_id]")
    click(browser, [o for o in main.find_elements(By.TAG_NAME, "option") if o.text == "021 555 01 21"][0])
    submit(browser, "Définir comme numéro principal")
    wait_text(browser, "021 555 01 21 est maintenant le numéro principal de Favre Fiduciaire.")
    browser.snap("client-numbers")
    assert _numbers(tenant.id) == {"+41215550120": False, "+41215550121": True}  # one main number, always
    audited = db.session.execute(select(AuditEntry).where(
        AuditEntry.tenant_id == tenant.id, AuditEntry.action == "set_main").order_by(AuditEntry.id)).scalars().all()
    assert [(a.changes["main_number"], a.changes["former"]) for a in audited] == [
        ("+41215550120", None), ("+41215550121", "+41215550120")]

    # The client's administrator creates the first user, without a direct number.
    browser.delete_all_cookies()
    log_in(browser, live_server, "admin@favre.example", "un-mot-de-passe-long")
    browser.get(f"{live_server}/t/{tenant.id}/users/new")
    wait_for(browser, "input[name=name]")
    fill(browser, "extension", "100")
    fill(browser, "name", "Luc Favre")
    submit(browser, "Créer l’utilisateur")
    wait_text(browser, "Utilisateur Luc Favre créé.")
    db.session.rollback()
    luc = db.session.execute(select(User).where(User.tenant_id == tenant.id)).scalar_one()
    assert (luc.extension, luc.name, luc.enabled) == ("100", "Luc Favre", True)
    assert _numbers(tenant.id) == {"+41215550120": False, "+41215550121": True}  # no number taken
