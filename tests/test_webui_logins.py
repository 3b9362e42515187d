"""A client's console logins ("Autorisations"): add administrators, deactivate and reactivate logins,
set a new password; never for another company, never one's own lock-out."""

from __future__ import annotations

from sqlalchemy import select

from centrex.demo.companies import DEMO_PASSWORD
from centrex.models import Account, AuditEntry
from centrex.platform.db import db
from password_link_helpers import choose_password, last_link
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, USER_DUPONT, login, post, text


def account(email: str) -> Account:
    return db.session.execute(select(Account).where(Account.email == email)).scalar_one()


def test_logins_page_lists_this_company_only(admin, demo):
    page = text(admin.get(f"/t/{demo['dupont.example'].id}/logins"))
    assert USER_DUPONT in page and ADMIN_DUPONT in page and ADMIN_MARTIN not in page


def test_deactivate_and_reactivate_a_login(app, admin, demo):
    dupont = demo["dupont.example"]
    alain = app.test_client()
    login(alain, USER_DUPONT)
    target = account(USER_DUPONT)
    post(admin, f"/t/{dupont.id}/logins/{target.id}/active", {"action": "deactivate"})
    assert account(USER_DUPONT).active is False
    assert alain.get("/me/").status_code == 302  # logged out at once
    post(admin, f"/t/{dupont.id}/logins/{target.id}/active", {"action": "activate"})
    assert account(USER_DUPONT).active is True
    actions = (
        db.session.execute(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "account",
                AuditEntry.object_id == target.id,
                AuditEntry.actor == ADMIN_DUPONT,
            )
        )
        .scalars()
        .all()
    )
    assert actions == ["deactivate", "activate"]


def test_an_admin_cannot_lock_themselves_out(admin, demo):
    me = account(ADMIN_DUPONT)
    response = post(admin, f"/t/{demo['dupont.example'].id}/logins/{me.id}/active", {"action": "deactivate"})
    assert "Vous ne pouvez pas désactiver votre propre accès." in text(
        admin.get(response.headers["Location"])
    )
    assert account(ADMIN_DUPONT).active is True


def test_send_an_employee_a_reset_link(app, admin, demo):
    """No password typed by the administrator: the employee chooses it from the e-mailed link."""
    target = account(USER_DUPONT)
    post(admin, f"/t/{demo['dupont.example'].id}/logins/{target.id}/password")
    assert choose_password(app.test_client(), last_link(USER_DUPONT), "un-nouveau-mot-de-passe").status_code == 302
    login(app.test_client(), USER_DUPONT, "un-nouveau-mot-de-passe")
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "send_password_link")).scalar_one()
    assert entry.changes == {"email": USER_DUPONT} and entry.actor == ADMIN_DUPONT


def test_add_an_administrator(app, admin, demo):
    dupont = demo["dupont.example"]
    response = post(
        admin,
        f"/t/{dupont.id}/logins",
        {"email": "direction@dupont.example"},
    )
    assert response.status_code == 302
    assert (account("direction@dupont.example").role, account("direction@dupont.example").tenant_id) == (
        "admin",
        dupont.id,
    )
    taken = post(admin, f"/t/{dupont.id}/logins", {"email": USER_DUPONT, "password": DEMO_PASSWORD})
    assert taken.status_code == 409 and "Cette adresse e-mail a déjà un compte." in text(taken)


def test_another_companys_login_is_out_of_reach(admin, demo):
    stranger = account(ADMIN_MARTIN)
    url = f"/t/{demo['dupont.example'].id}/logins/{stranger.id}"
    assert post(admin, f"{url}/active", {"action": "deactivate"}).status_code == 404
    assert post(admin, f"{url}/password", {"new_password": "pris-en-otage-123"}).status_code == 404
    assert account(ADMIN_MARTIN).active is True
