"""A company default call class, in French: Dupont's administrator lets new users call mobiles, and the
next user created gets that class without anyone choosing it."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from browser.browser_pages import choose, fill, log_in, submit, wait_for, wait_text
from centrex.models import AuditEntry, Tenant, User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def test_new_users_get_the_company_call_class(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    assert dupont.default_call_class == "national"
    log_in(browser, live_server, "admin@dupont.example")
    browser.get(f"{live_server}/t/{dupont.id}/call-rights")
    wait_for(browser, "select[name=default_call_class]")
    choose(browser, "default_call_class", "national et mobiles")
    submit(browser, "Enregistrer")
    wait_text(browser, "Appels autorisés enregistrés.")

    browser.get(f"{live_server}/t/{dupont.id}/users/new")
    wait_for(browser, "input[name=name]")
    shown = Select(browser.find_element(By.NAME, "call_class")).first_selected_option.text
    assert shown == "national et mobiles"
    fill(browser, "name", "Emma Blanc")
    submit(browser, "Créer l’utilisateur")
    wait_text(browser, "Utilisateur Emma Blanc créé.")

    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.get(Tenant, dupont.id).default_call_class == "mobile"
    emma = db.session.execute(select(User).where(User.name == "Emma Blanc")).scalar_one()
    assert emma.call_class == "mobile"
    changed = db.session.execute(select(AuditEntry).where(
        AuditEntry.object_type == "tenant", AuditEntry.tenant_id == dupont.id,
        AuditEntry.action == "update")).scalars().all()
    assert [(a.actor, a.changes) for a in changed] == [("admin@dupont.example", {"default_call_class": "mobile"})]
