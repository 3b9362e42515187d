"""The operator's general menu through the Flask test client: clients, number pool, devices, history,
licences and white label; errors next to the field, in French; nothing half-saved."""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
from sqlalchemy import func, select

from centrex.models import Account, AuditEntry, Number, Tenant, User
from centrex.models.branding import Branding
from centrex.phones.devices import add_device
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, OPERATOR, login, post, text

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


@pytest.fixture
def operator(client, demo):
    login(client, OPERATOR)
    return client


def field_error(html: str, name: str) -> str:
    """The message shown under one field."""
    match = re.search(rf'<p class="field-error" id="{re.escape(name)}-error">([^<]*)</p>', html)
    assert match, f"no error under {name}"
    return match.group(1)


def new_client(operator, **fields):
    """The operator's "new client" form sent: French, Zurich, Switzerland, 4 calls unless `fields` say otherwise."""
    form = {"language": "fr", "timezone": "Europe/Zurich", "country": "CH", "max_calls": "4", **fields}
    return post(operator, "/operator/clients/new", form)


def test_clients_list_with_counts_and_search(operator, demo):
    page = text(operator.get("/operator/clients"))
    assert "Dupont SA" in page and "Martin Sàrl" in page
    assert re.search(r"dupont\.example.*?<td class=\"num\">6</td>", page, re.S)
    found = text(operator.get("/operator/clients?q=martin"))
    assert "Martin Sàrl" in found and "Dupont SA" not in found


def test_operator_creates_a_client_with_its_admin(operator):
    response = new_client(operator, name="Favre Fiduciaire", domain="Favre.Example", max_users="3",
                          admin_email="admin@favre.example", admin_password="un-mot-de-passe-long")
    assert response.status_code == 302
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == "favre.example")).scalar_one()
    assert (tenant.max_calls, tenant.max_users) == (4, 3)
    admin = db.session.execute(select(Account).where(Account.email == "admin@favre.example")).scalar_one()
    assert admin.role == "admin" and admin.tenant_id == tenant.id
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.object_type == "tenant", AuditEntry.tenant_id == tenant.id)
    ).scalar_one()
    assert entry.actor == OPERATOR and entry.source_ip == "127.0.0.1"


def test_invalid_client_shows_errors_next_to_fields_and_saves_nothing(operator):
    before = db.session.execute(select(func.count(Tenant.id))).scalar_one()
    response = new_client(operator, name="", domain="pas un domaine", timezone="Mars/Olympus", max_calls="0")
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "domain") == "Ce n’est pas un domaine SIP valable."
    assert field_error(page, "timezone") == "Fuseau horaire inconnu."
    assert field_error(page, "max_calls") == "Doit être compris entre 1 et 10000."
    assert 'value="pas un domaine"' in page  # what was typed stays in the form
    assert db.session.execute(select(func.count(Tenant.id))).scalar_one() == before


def test_a_bad_admin_login_rolls_back_the_new_client(operator):
    response = new_client(operator, name="Half Saved", domain="half.example", admin_email="admin@half.example",
                          admin_password="court")
    assert response.status_code == 422
    assert field_error(text(response), "admin_password") == "Au moins 10 caractères."
    assert db.session.execute(select(Tenant).where(Tenant.domain == "half.example")).first() is None


def test_duplicate_domain_in_english(operator):
    post(operator, "/lang", {"lang": "en"})
    response = new_client(operator, name="Copy", domain="dupont.example")
    assert response.status_code == 409
    assert field_error(text(response), "domain") == "Already used."
    assert "The domain dupont.example is already used." in text(response)


def test_suspend_and_activate(operator, demo):
    tenant = demo["martin.example"]
    assert post(operator, f"/operator/clients/{tenant.id}/status", {"action": "suspend"}).status_code == 302
    assert db.session.get(Tenant, tenant.id).status == "suspended"
    assert "Suspendu" in text(operator.get("/operator/clients"))
    post(operator, f"/operator/clients/{tenant.id}/status", {"action": "activate"})
    assert db.session.get(Tenant, tenant.id).status == "active"
    actions = (
        db.session.execute(
            select(AuditEntry.changes)
            .where(
                AuditEntry.object_type == "tenant",
                AuditEntry.action == "update",
                AuditEntry.tenant_id == tenant.id,
            )
            .order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert actions == [{"status": "suspended"}, {"status": "active"}]


def test_edit_client_settings(operator, demo):
    tenant = demo["dupont.example"]
    response = post(
        operator,
        f"/operator/clients/{tenant.id}",
        {
            "name": "Dupont & Fils SA",
            "language": "fr",
            "timezone": "Europe/Paris",
            "country": "FR",
            "max_calls": "12",
            "max_users": "",
        },
    )
    assert response.status_code == 302
    tenant = db.session.get(Tenant, tenant.id)
    assert (tenant.name, tenant.timezone, tenant.max_calls, tenant.max_users) == (
        "Dupont & Fils SA",
        "Europe/Paris",
        12,
        None,
    )
    assert tenant.domain == "dupont.example"


def test_number_pool_add_assign_release(operator, demo):
    page = text(operator.get("/operator/numbers?show=free"))
    assert "021 555 01 20" in page and "021 555 01 02" not in page
    assert (
        post(operator, "/operator/numbers", {"e164": "+41215550130", "label": "Réserve"}).status_code == 302
    )
    number = db.session.execute(select(Number).where(Number.e164 == "+41215550130")).scalar_one()
    assert number.tenant_id is None
    martin = demo["martin.example"]
    post(operator, f"/operator/numbers/{number.id}/assign", {"tenant": str(martin.id)})
    assert db.session.get(Number, number.id).tenant_id == martin.id
    post(operator, f"/operator/numbers/{number.id}/assign", {"tenant": ""})
    assert db.session.get(Number, number.id).tenant_id is None
    again = post(operator, "/operator/numbers", {"e164": "021 555 01 30"})  # the same number, written nationally
    assert again.status_code == 409
    bad = post(operator, "/operator/numbers", {"e164": "021 55"})
    assert bad.status_code == 422
    assert field_error(text(bad), "e164") == "Ce n’est pas un numéro de téléphone (p. ex. 078 123 45 67)."


def test_all_devices_of_every_client(operator, demo):
    add_device(demo["dupont.example"], {"mac": "001565aaaaaa", "vendor": "yealink", "model": "T54W"})
    add_device(demo["martin.example"], {"mac": "000413bbbbbb", "vendor": "snom", "model": "D785"})
    db.session.commit()
    page = text(operator.get("/operator/devices"))
    assert "001565aaaaaa" in page and "000413bbbbbb" in page
    only = text(operator.get(f"/operator/devices?tenant={demo['martin.example'].id}"))
    assert "000413bbbbbb" in only and "001565aaaaaa" not in only


def test_history_filters(operator, demo):
    martin = demo["martin.example"]
    post(operator, f"/operator/clients/{martin.id}/status", {"action": "suspend"})
    page = text(operator.get(f"/operator/history?tenant={martin.id}&actor=operator&action=update"))
    rows = re.findall(r"<tr>\s*<td class=\"nowrap\">", page)
    assert len(rows) == 1 and "suspendu" in page and "127.0.0.1" in page  # the status in words
    assert "Rien ne correspond" in text(operator.get("/operator/history?since=2999-01-01"))
    everything = text(operator.get("/operator/history"))
    assert "Dupont SA" in everything and "Martin Sàrl" in everything


def test_licence_is_enforced_when_the_admin_adds_users(operator, app, demo):
    dupont = demo["dupont.example"]
    assert (
        post(operator, f"/operator/licences/{dupont.id}", {"max_users": "6", "max_calls": "10"}).status_code
        == 302
    )
    assert db.session.get(Tenant, dupont.id).max_users == 6
    assert "6 / 6" in text(operator.get("/operator/licences"))
    admin = app.test_client()
    login(admin, ADMIN_DUPONT)
    response = post(
        admin,
        f"/t/{dupont.id}/users/new",
        {
            "extension": "1006",
            "name": "Siège en trop",
            "max_calls": "2",
            "caller_id_mode": "direct",
            "call_class": "national",
            "enabled": "on",
        },
    )
    assert response.status_code == 409
    assert "La licence permet 6 utilisateurs ; tous les postes sont pris." in text(response)
    assert (
        db.session.execute(select(func.count(User.id)).where(User.tenant_id == dupont.id)).scalar_one() == 6
    )


def test_white_label_logo_and_colours(operator, app, demo):
    dupont = demo["dupont.example"]
    response = post(
        operator,
        f"/operator/clients/{dupont.id}/branding",
        {
            "display_name": "Dupont Téléphonie",
            "primary_colour": "#0B5D1E",
            "accent_colour": "#f0a500",
            "email_sender_name": "Dupont SA – Téléphonie",
            "delivery_address": "Rue du Lac 1\n1000 Lausanne",
            "logo": (__import__("io").BytesIO(PNG), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    branding = db.session.execute(select(Branding).where(Branding.tenant_id == dupont.id)).scalar_one()
    assert (branding.primary_colour, branding.logo_type, branding.logo) == ("#0b5d1e", "image/png", PNG)
    admin = app.test_client()
    login(admin, ADMIN_DUPONT)
    page = text(admin.get(f"/t/{dupont.id}/"))
    assert "--brand: #0b5d1e" in page and "Dupont Téléphonie" in page
    logo = admin.get(f"/t/{dupont.id}/logo")
    assert logo.status_code == 200 and logo.data == PNG and logo.mimetype == "image/png"
    assert "--brand: #0b5d1e" not in text(operator.get(f"/t/{demo['martin.example'].id}/"))


def test_white_label_refuses_what_is_not_an_image(operator, demo):
    dupont = demo["dupont.example"]
    response = post(
        operator,
        f"/operator/clients/{dupont.id}/branding",
        {
            "primary_colour": "red",
            "accent_colour": "#f0a500",
            "logo": (__import__("io").BytesIO(b"<svg onload=alert(1)>"), "logo.svg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "primary_colour") == "Une couleur s’écrit #RRVVBB."
    assert db.session.execute(select(Branding).where(Branding.tenant_id == dupont.id)).first() is None


def test_call_history_is_in_the_general_menu(operator):
    page = text(operator.get("/operator/clients"))
    assert '<a href="/operator/calls">Historique d’appels</a>' in page
    assert "Arrive avec l’import des tickets d’appels (CDR)." not in page


def test_operator_adds_an_administrator_to_a_client(operator, app, demo):
    martin = demo["martin.example"]
    response = post(
        operator,
        f"/operator/clients/{martin.id}/admins",
        {"admin_email": "direction@martin.example", "admin_password": "mot-de-passe-direction"},
    )
    assert response.status_code == 302
    account = db.session.execute(
        select(Account).where(Account.email == "direction@martin.example")
    ).scalar_one()
    assert (account.role, account.tenant_id) == ("admin", martin.id)
    refused = post(
        operator,
        f"/operator/clients/{martin.id}/admins",
        {"admin_email": "direction@martin.example", "admin_password": "mot-de-passe-direction"},
    )
    assert "Cette adresse e-mail a déjà un compte." in text(operator.get(refused.headers["Location"]))
    direction = app.test_client()
    login(direction, "direction@martin.example", "mot-de-passe-direction")
    assert direction.get(f"/t/{martin.id}/users").status_code == 200
    assert direction.get(f"/t/{demo['dupont.example'].id}/users").status_code == 404


def test_white_label_sender_name_for_emails(operator, demo):
    from centrex.tenants.branding import email_from

    dupont = demo["dupont.example"]
    assert email_from(dupont.id, "noreply@centrex.example") == "noreply@centrex.example"
    post(
        operator,
        f"/operator/clients/{dupont.id}/branding",
        {"primary_colour": "#123a6b", "accent_colour": "#3d8fd6", "email_sender_name": "Dupont SA – Téléphonie"},
    )
    sender = email_from(dupont.id, "noreply@centrex.example")
    assert sender == "Dupont SA – Téléphonie <noreply@centrex.example>"
    from centrex.platform import outbox
    queued = outbox.enqueue(dupont.id, ["alain.dupont@dupont.example"], "Nouveau fax", "Bonjour", [],
                            purpose="fax", ref="white-label-test")
    message = outbox.build_email(queued)  # the email package encodes the name on the wire
    assert message["From"].addresses[0].display_name == "Dupont SA – Téléphonie"
    assert message["From"].addresses[0].addr_spec == parseaddr(operator.application.config["SMTP_SENDER"])[1]
    platform = outbox.build_email(outbox.enqueue(None, ["ops@centrex.example"], "Rapport", "-", [], purpose="notice",
                                                 ref="white-label-platform"))
    assert platform["From"] == operator.application.config["SMTP_SENDER"]
    assert email_from(demo["martin.example"].id, "noreply@centrex.example") == "noreply@centrex.example"
