"""Custom roles (« Autorisations »): a delegated administrator reads and changes exactly what the role
grants, the menu shows nothing else, roles never cross companies, and every change is audited."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

import webui
from centrex.access.roles import assign_role
from centrex.models import Account, ApiToken, AuditEntry, PhonebookEntry, RingGroup, Role, Schedule, User
from centrex.models.api import SCOPES
from centrex.platform.db import db
from centrex.platform.errors import Invalid
from password_link_helpers import choose_password, last_link
from webui.access import CLIENT_AREAS, CLIENT_MENU, SCOPE_AREAS
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, RECEPTION_DUPONT, login, post, text


def client_menu_endpoints() -> set[str]:
    probe = Flask("area-probe")
    probe.config["SECRET_KEY"] = "probe"
    webui.init_app(probe)
    return {
        r.endpoint
        for r in probe.url_map.iter_rules()
        if r.endpoint.startswith(CLIENT_MENU + ".") and not r.endpoint.endswith(".static")
    }


def test_every_client_menu_page_declares_its_area():
    missing = sorted(client_menu_endpoints() - CLIENT_AREAS.keys())
    assert not missing, f"add these client-menu endpoints to CLIENT_AREAS in webui/access.py: {missing}"


def test_the_area_map_names_only_existing_pages():
    stale = sorted(CLIENT_AREAS.keys() - client_menu_endpoints())
    assert not stale, f"CLIENT_AREAS names endpoints that do not exist: {stale}"


def test_every_api_scope_has_an_area():
    missing = sorted({s.partition(":")[0] for s in SCOPES} - SCOPE_AREAS.keys())
    assert not missing, f"add these API scopes to SCOPE_AREAS in webui/access.py: {missing}"


def account(email: str) -> Account:
    return db.session.execute(select(Account).where(Account.email == email)).scalar_one()


def role_named(tenant, name: str) -> Role:
    return db.session.execute(select(Role).where(Role.tenant_id == tenant.id, Role.name == name)).scalar_one()


def count(model, *where) -> int:
    return db.session.execute(select(func.count(model.id)).where(*where)).scalar_one()


def audit_of(object_type: str, actor: str) -> list[tuple[str, dict]]:
    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.changes)
        .where(AuditEntry.object_type == object_type, AuditEntry.actor == actor)
        .order_by(AuditEntry.id)
    )
    return [tuple(r) for r in rows]


@pytest.fixture
def reception(app, demo):
    browser = app.test_client()
    login(browser, RECEPTION_DUPONT)
    return browser


READABLE = (
    "calls",
    "calls.csv",
    "presence",
    "phonebook",
    "groups",
    "schedules",
    "groups/new",
    "schedules/new",
    "",
)
CLOSED = (
    "users",
    "users/new",
    "numbers",
    "devices",
    "devices/new",
    "scenario",
    "history",
    "faxes",
    "network",
    "api",
    "api/webhooks",
    "logins",
    "roles",
    "roles/new",
)


def test_the_reception_opens_what_its_role_grants_and_nothing_else(reception, dupont):
    for page in READABLE:
        assert reception.get(f"/t/{dupont.id}/{page}").status_code == 200, page
    for page in CLOSED:
        assert reception.get(f"/t/{dupont.id}/{page}").status_code == 403, page
    assert reception.get("/operator/clients").status_code == 403
    assert reception.get("/me/").status_code == 403  # an administrator, not an employee


def test_the_reception_changes_groups_and_schedules(reception, dupont):
    alain = db.session.execute(
        select(User).where(User.tenant_id == dupont.id, User.extension == "1001")
    ).scalar_one()
    response = post(
        reception,
        f"/t/{dupont.id}/groups/new",
        {
            "name": "Accueil bis",
            "strategy": "simultaneous",
            "ring_seconds": "25",
            "members.0.who": f"user:{alain.id}",
        },
    )
    assert response.status_code == 302, text(response)[:800]
    response = post(reception, f"/t/{dupont.id}/schedules/new", {"name": "Horaire réception"})
    assert response.status_code == 302, text(response)[:800]
    assert count(RingGroup, RingGroup.name == "Accueil bis", RingGroup.tenant_id == dupont.id) == 1
    assert count(Schedule, Schedule.name == "Horaire réception", Schedule.tenant_id == dupont.id) == 1
    assert [a for a, _c in audit_of("ring_group", RECEPTION_DUPONT)] == ["create"]
    assert [a for a, _c in audit_of("schedule", RECEPTION_DUPONT)] == ["create"]


def test_read_only_and_closed_areas_refuse_changes(reception, dupont):
    before = count(AuditEntry)
    phonebook = count(PhonebookEntry, PhonebookEntry.tenant_id == dupont.id)
    response = post(reception, f"/t/{dupont.id}/phonebook", {"name": "Pirate", "number": "+41215559900"})
    assert response.status_code == 403
    assert "Votre rôle vous permet de voir cette page, pas de la modifier." in text(response)
    assert count(PhonebookEntry, PhonebookEntry.tenant_id == dupont.id) == phonebook
    assert 'class="read-only"' in text(reception.get(f"/t/{dupont.id}/phonebook"))  # says so, hides "Add"
    assert 'class="read-only"' not in text(reception.get(f"/t/{dupont.id}/groups"))
    users = count(User, User.tenant_id == dupont.id)
    response = post(reception, f"/t/{dupont.id}/users/new", {"extension": "1050", "name": "Intrus"})
    assert response.status_code == 403 and count(User, User.tenant_id == dupont.id) == users
    # no self-promotion: logins and roles are for administrators with full rights
    me = account(RECEPTION_DUPONT)
    assert post(reception, f"/t/{dupont.id}/logins/{me.id}/role", {"role_id": ""}).status_code == 403
    assert (
        post(
            reception, f"/t/{dupont.id}/logins", {"email": "x@dupont.example"}
        ).status_code
        == 403
    )
    assert (
        post(reception, f"/t/{dupont.id}/roles/new", {"name": "Tout", "perm.users.write": "on"}).status_code
        == 403
    )
    assert account(RECEPTION_DUPONT).role_id is not None
    assert count(AuditEntry) == before


def nav_links(page: str) -> set[str]:
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0] if "<nav" in page else page
    return set(re.findall(r'href="/t/\d+/([a-z_./-]*)"', nav))


def test_the_menu_shows_only_what_the_role_can_read(reception, admin, dupont):
    shown = nav_links(text(reception.get(f"/t/{dupont.id}/")))
    assert {"", "groups", "schedules", "calls", "presence", "phonebook"} <= shown
    assert not shown & {
        "users",
        "numbers",
        "devices",
        "logins",
        "scenario",
        "history",
        "faxes",
        "network",
        "api",
    }
    dashboard = text(reception.get(f"/t/{dupont.id}/"))
    assert f'href="/t/{dupont.id}/users' not in dashboard and f'href="/t/{dupont.id}/devices' not in dashboard
    page = text(reception.get(f"/t/{dupont.id}/calls"))
    assert "Files d’attente" not in page and "Files d'attente" not in page  # "soon" entries too
    full = nav_links(text(admin.get(f"/t/{dupont.id}/")))
    assert {"users", "numbers", "devices", "logins", "groups", "calls", "api"} <= full


def test_an_admin_creates_a_role_and_limits_a_login_with_it(app, admin, dupont):
    response = post(
        admin,
        f"/t/{dupont.id}/roles/new",
        {
            "name": "Comptabilité",
            "description": "Factures",
            "perm.calls.read": "on",
            "perm.faxes.write": "on",
        },
    )
    assert response.status_code == 302, text(response)[:800]
    role = role_named(dupont, "Comptabilité")
    assert role.grants() == {"calls": "read", "faxes": "write"}
    post(
        admin,
        f"/t/{dupont.id}/logins",
        {"email": "compta@dupont.example", "role_id": str(role.id)},
    )
    assert account("compta@dupont.example").role_id == role.id
    compta = app.test_client()
    choose_password(compta, last_link("compta@dupont.example"), "compta-pass-1")
    login(compta, "compta@dupont.example", "compta-pass-1")
    assert compta.get(f"/t/{dupont.id}/faxes").status_code == 200
    assert compta.get(f"/t/{dupont.id}/groups").status_code == 403
    # rights change at once (read again on each request); taking the role back gives full rights
    post(admin, f"/t/{dupont.id}/roles/{role.id}", {"name": "Comptabilité", "perm.groups.read": "on"})
    assert role_named(dupont, "Comptabilité").grants() == {"groups": "read"}
    assert compta.get(f"/t/{dupont.id}/groups").status_code == 200
    assert compta.get(f"/t/{dupont.id}/faxes").status_code == 403
    target = account("compta@dupont.example")
    post(admin, f"/t/{dupont.id}/logins/{target.id}/role", {"role_id": ""})
    assert account("compta@dupont.example").role_id is None
    assert compta.get(f"/t/{dupont.id}/users").status_code == 200
    assert [a for a, _c in audit_of("console_role", ADMIN_DUPONT)] == ["create", "update"]
    changes = dict(audit_of("console_role", ADMIN_DUPONT))
    assert changes["create"]["permissions"] == "calls:read, faxes:write"
    assert changes["update"]["permissions"] == "groups:read"
    assigned = [c["custom_role"] for a, c in audit_of("account", ADMIN_DUPONT) if a == "assign_role"]
    assert assigned == ["Comptabilité", None]


def test_role_form_errors_sit_next_to_their_field(admin, dupont):
    response = post(admin, f"/t/{dupont.id}/roles/new", {"name": "", "perm.calls.read": "on"})
    assert response.status_code == 422
    page = text(response)
    assert re.search(r'id="f-name"[^>]*aria-invalid="true"', page)
    assert 'id="name-error"' in page
    response = post(admin, f"/t/{dupont.id}/roles/new", {"name": "réception"})  # names are case-insensitive
    assert response.status_code == 409 and "Déjà utilisé." in text(response)
    response = post(admin, f"/t/{dupont.id}/roles/new", {"name": "Pirate", "perm.operator.write": "on"})
    assert response.status_code == 422 and count(Role, Role.name == "Pirate") == 0


def test_english_labels(admin, dupont):
    admin.set_cookie("console_lang", "en")
    page = text(admin.get(f"/t/{dupont.id}/roles/new"))
    assert "Who is on the phone" in page and "Write" in page
    admin.delete_cookie("console_lang")
    page = text(admin.get(f"/t/{dupont.id}/roles/new"))
    assert "Écriture" in page and "Lecture" in page


def test_a_role_in_use_cannot_be_deleted(admin, dupont):
    role = role_named(dupont, "Réception")
    response = post(admin, f"/t/{dupont.id}/roles/{role.id}/delete")
    page = text(admin.get(response.headers["Location"]))
    assert "Ce rôle est attribué à 1 accès" in page and RECEPTION_DUPONT in page
    assert count(Role, Role.id == role.id) == 1
    post(admin, f"/t/{dupont.id}/logins/{account(RECEPTION_DUPONT).id}/role", {"role_id": ""})
    post(admin, f"/t/{dupont.id}/roles/{role.id}/delete")
    assert count(Role, Role.id == role.id) == 0
    assert [a for a, _c in audit_of("console_role", ADMIN_DUPONT)] == ["delete"]


def test_an_admin_cannot_limit_their_own_login(admin, dupont):
    role = role_named(dupont, "Réception")
    response = post(
        admin, f"/t/{dupont.id}/logins/{account(ADMIN_DUPONT).id}/role", {"role_id": str(role.id)}
    )
    assert "Vous ne pouvez pas limiter votre propre accès." in text(admin.get(response.headers["Location"]))
    assert account(ADMIN_DUPONT).role_id is None


def test_roles_never_cross_companies(app, demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    reception_role = role_named(dupont, "Réception")
    martin_admin = app.test_client()
    login(martin_admin, ADMIN_MARTIN)
    assert "Réception" not in text(martin_admin.get(f"/t/{martin.id}/roles"))
    assert martin_admin.get(f"/t/{martin.id}/roles/{reception_role.id}").status_code == 404
    assert post(martin_admin, f"/t/{martin.id}/roles/{reception_role.id}/delete").status_code == 404
    assert martin_admin.get(f"/t/{dupont.id}/roles").status_code == 404
    # Martin's admin gives one of Martin's logins Dupont's role: refused, nothing changes
    post(
        martin_admin,
        f"/t/{martin.id}/logins",
        {"email": "second@martin.example"},
    )
    second = account("second@martin.example")
    response = post(
        martin_admin, f"/t/{martin.id}/logins/{second.id}/role", {"role_id": str(reception_role.id)}
    )
    assert "Ce rôle n’existe pas dans cette entreprise." in text(
        martin_admin.get(response.headers["Location"])
    )
    assert account("second@martin.example").role_id is None
    # and Dupont's reception cannot open Martin's pages at all
    reception = app.test_client()
    login(reception, RECEPTION_DUPONT)
    assert reception.get(f"/t/{martin.id}/calls").status_code == 404


def test_the_database_refuses_a_role_of_another_company(demo, session):
    reception_role = role_named(demo["dupont.example"], "Réception")
    martin_admin = account(ADMIN_MARTIN)
    with pytest.raises(Invalid):
        assign_role(martin_admin, reception_role)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        martin_admin.role_id = reception_role.id
        db.session.flush()


def test_forms_without_csrf_are_refused(admin, dupont):
    response = admin.post(f"/t/{dupont.id}/roles/new", data={"name": "Sans jeton", "perm.calls.read": "on"})
    assert response.status_code == 400 and count(Role, Role.name == "Sans jeton") == 0
    role = role_named(dupont, "Réception")
    response = admin.post(f"/t/{dupont.id}/logins/{account(RECEPTION_DUPONT).id}/role", data={"role_id": ""})
    assert response.status_code == 400 and account(RECEPTION_DUPONT).role_id == role.id


def test_a_delegated_admin_gives_api_keys_no_more_than_its_role(app, admin, dupont):
    post(
        admin,
        f"/t/{dupont.id}/roles/new",
        {"name": "Intégration", "perm.api.write": "on", "perm.calls.read": "on", "perm.users.read": "on"},
    )
    post(
        admin,
        f"/t/{dupont.id}/logins",
        {
            "email": "crm@dupont.example",
            "role_id": str(role_named(dupont, "Intégration").id),
        },
    )
    crm = app.test_client()
    choose_password(crm, last_link("crm@dupont.example"), "crm-password-1")
    login(crm, "crm@dupont.example", "crm-password-1")
    offered = set(re.findall(r'name="scopes" value="([a-z:]+)"', text(crm.get(f"/t/{dupont.id}/api"))))
    assert offered == {
        "users:read",
        "forwarding:read",
        "cdr:read",
        "calls:read",
        "conferences:read",  # the rooms' participants, read like the calls of the moment
        "webhooks:read",
        "webhooks:write",
    }
    refused = post(crm, f"/t/{dupont.id}/api", {"name": "Trop", "scopes": ["users:read", "users:write"]})
    assert refused.status_code == 403 and "Votre rôle ne peut pas donner ces droits." in text(refused)
    assert count(ApiToken, ApiToken.name == "Trop") == 0
    assert (
        post(crm, f"/t/{dupont.id}/api", {"name": "CRM", "scopes": ["users:read", "cdr:read"]}).status_code
        == 201
    )
    assert count(ApiToken, ApiToken.name == "CRM", ApiToken.tenant_id == dupont.id) == 1
