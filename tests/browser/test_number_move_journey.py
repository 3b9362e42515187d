"""The operator moves numbers in use, in French: the console first names what the number routes to now
(and that it is a main number), moves it only when confirmed, and the audit log keeps where it was."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from browser.browser_pages import click, log_in, submit, wait_text
from centrex.models import AuditEntry, Number, Tenant
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def _number(e164: str) -> Number:
    db.session.rollback()  # a new transaction sees what the server committed
    return db.session.execute(select(Number).where(Number.e164 == e164)).scalar_one()


def _assign(browser, number: Number, client: str) -> None:
    form = browser.find_element(By.CSS_SELECTOR, f"form[action*='/numbers/{number.id}/assign']")
    Select(form.find_element(By.NAME, "tenant")).select_by_visible_text(client)
    click(browser, form.find_element(By.CSS_SELECTOR, "button"))


def test_operator_moves_numbers_in_use_only_when_confirmed(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    martin = db.session.execute(select(Tenant).where(Tenant.domain == "martin.example")).scalar_one()
    direct, main = _number("+41215550102"), _number("+41215550100")
    alain_id, schedule_id = direct.dest_id, main.dest_id
    log_in(browser, live_server, "operator@centrex.example")

    browser.get(f"{live_server}/operator/numbers")
    _assign(browser, direct, "Martin Sàrl")
    wait_text(browser, "Déplacer le 021 555 01 02 ?")
    wait_text(browser, "Alain Dupont")  # what it routes to now
    browser.snap("confirm-direct")
    assert _number("+41215550102").tenant_id == dupont.id  # nothing moved before the confirmation
    submit(browser, "Le déplacer quand même")
    wait_text(browser, "021 555 01 02 appartient maintenant à Martin Sàrl.")
    moved = _number("+41215550102")
    assert (moved.tenant_id, moved.dest_type, moved.dest_id) == (martin.id, None, None)

    _assign(browser, main, "— parc libre —")
    wait_text(browser, "c’est le numéro principal de Dupont SA")
    submit(browser, "Le reprendre quand même")
    wait_text(browser, "021 555 01 00 est de nouveau libre.")
    freed = _number("+41215550100")
    assert (freed.tenant_id, freed.is_main, freed.dest_type) == (None, False, None)

    rows = db.session.execute(select(AuditEntry).where(AuditEntry.action == "assign").order_by(AuditEntry.id)
                              ).scalars().all()
    assert [(r.actor, r.changes["e164"], r.changes["from_tenant_id"], r.changes.get("former_destination"),
             r.changes.get("was_main")) for r in rows[-2:]] == [
        ("operator@centrex.example", "+41215550102", dupont.id, f"user:{alain_id}", None),
        ("operator@centrex.example", "+41215550100", dupont.id, f"schedule:{schedule_id}", True)]
