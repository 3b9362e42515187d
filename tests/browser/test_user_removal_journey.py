"""An administrator deletes a user, in French: the page says what goes and what stays; a user calls are
still routed to is refused with the reason; Alain's direct number goes to a colleague, nothing half-done."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import func, select

from browser.browser_pages import choose, click_link, log_in, submit, wait_text
from centrex.models import AuditEntry, Device, ForwardRule, Number, RingGroupMember, Tenant, User
from centrex.platform.db import db

pytestmark = pytest.mark.slow


def _user(tenant: Tenant, extension: str) -> User | None:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id,
                                                 User.extension == extension)).scalar_one_or_none()


def test_admin_deletes_a_user_or_is_told_why_not(live_server, browser):
    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    claire, alain, heir = _user(dupont, "1000"), _user(dupont, "1001"), _user(dupont, "1002")
    alain_id = alain.id
    phone = Device(tenant_id=dupont.id, mac="805ec0aa0001", vendor="yealink", model="T54W", user_id=alain.id)
    db.session.add(phone)
    db.session.commit()
    assert db.session.execute(select(func.count(ForwardRule.id)).where(ForwardRule.user_id == alain_id)).scalar_one()
    log_in(browser, live_server, "admin@dupont.example")

    # Claire still receives the main number's calls: refused, with the reason, and no button to try.
    browser.get(f"{live_server}/t/{dupont.id}/users/{claire.id}")
    click_link(browser, "Supprimer")
    wait_text(browser, "Pas encore possible")
    wait_text(browser, "la plage horaire « ")
    assert not browser.find_elements(By.CSS_SELECTOR, "button.btn-danger")
    browser.snap("refused")

    # Alain: his direct number goes to Pierre's colleague 1002; phones stay, unassigned.
    browser.get(f"{live_server}/t/{dupont.id}/users/{alain_id}/delete")
    wait_text(browser, "021 555 01 02")
    wait_text(browser, "Téléphones conservés, sans utilisateur : 805ec0aa0001.")
    choose(browser, "numbers_to", f"1002 · {heir.name}")
    browser.snap("consequences")
    submit(browser, "Supprimer l’utilisateur")
    wait_text(browser, "Utilisateur Alain Dupont supprimé.")

    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.get(User, alain_id) is None and db.session.get(User, claire.id) is not None
    direct = db.session.execute(select(Number).where(Number.e164 == "+41215550102")).scalar_one()
    assert (direct.tenant_id, direct.dest_type, direct.dest_id) == (dupont.id, "user", heir.id)
    assert db.session.get(Device, phone.id).user_id is None
    assert db.session.execute(select(func.count(ForwardRule.id)).where(
        ForwardRule.user_id == alain_id)).scalar_one() == 0
    assert db.session.execute(select(func.count(RingGroupMember.id)).where(
        RingGroupMember.user_id == alain_id)).scalar_one() == 0
    deleted = db.session.execute(select(AuditEntry).where(
        AuditEntry.object_type == "sip_user", AuditEntry.action == "delete")).scalar_one()
    assert (deleted.actor, deleted.object_id, deleted.changes["numbers_to"]) == ("admin@dupont.example", alain_id,
                                                                                "1002")
