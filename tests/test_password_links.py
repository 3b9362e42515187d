"""Console passwords chosen from e-mailed links: invitations, « Mot de passe oublié ? » (no oracle),
single use, expiry, an address with logins at two companies, and the typed-password CLI kept."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from centrex.access.accounts import authenticate
from centrex.demo.companies import DEMO_PASSWORD
from centrex.models import Account, AuditEntry, OutboxMessage
from centrex.platform.db import db
from password_link_helpers import choose_password, last_link
from webui_testing import USER_DUPONT, csrf_of, login, post, text


def account(email: str) -> Account:
    return db.session.execute(select(Account).where(Account.email == email)).scalar_one()


def links_sent() -> int:
    return len(db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "password_link")).all())


def forgot(client, email: str):
    page = client.get("/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_of(page.data)},
                       follow_redirects=True)


def test_invited_administrator_chooses_the_password_once(app, admin, demo):
    dupont = demo["dupont.example"]
    response = post(admin, f"/t/{dupont.id}/logins", {"email": "direction@dupont.example"})
    assert response.status_code == 302
    assert "Invitation envoyée à direction@dupont.example" in text(admin.get(response.headers["Location"]))
    invited = account("direction@dupont.example")
    assert (invited.role, invited.tenant_id) == ("admin", dupont.id)
    assert authenticate("direction@dupont.example", "") == []  # nobody knows its password yet
    link = last_link("direction@dupont.example")
    person = app.test_client()
    assert "Bienvenue" in text(person.get(link))
    refused = choose_password(person, link, "direction-2026", "autre-chose-2026")
    assert refused.status_code == 422 and "Les deux mots de passe sont différents." in text(refused)
    assert choose_password(person, link, "direction-2026").status_code == 302
    login(person, "direction@dupont.example", "direction-2026")
    again = person.get(link)
    assert again.status_code == 410 and "Ce lien a expiré ou a déjà servi." in text(again)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "accept_invitation")).scalar_one()
    assert entry.actor == "direction@dupont.example" and entry.changes == {"password": "***"}


def test_forgotten_password_answers_the_same_for_unknown_addresses(app, demo):
    client = app.test_client()
    unknown = forgot(client, "personne@dupont.example")
    assert links_sent() == 0
    known = forgot(client, USER_DUPONT)
    assert links_sent() == 1
    forgot(client, USER_DUPONT)
    assert links_sent() == 1  # one e-mail per address per five minutes, whatever the page is asked
    said = "un lien pour choisir un nouveau mot de passe est en route"
    assert said in text(unknown) and said in text(known)
    said_to = [re.search(r'role="status">([^<]*)<', text(r)).group(1) for r in (unknown, known)]
    assert said_to[0].replace("personne@dupont.example", "X") == said_to[1].replace(USER_DUPONT, "X")


def test_a_reset_link_covers_the_address_at_every_company_and_dies_with_a_new_password(app, admin, demo,
                                                                                         monkeypatch):
    from centrex.access import password_links
    from centrex.access.accounts import create_account
    from centrex.access.logins import change_password

    create_account(USER_DUPONT, "autre-entreprise-1", "admin", tenant=demo["martin.example"])
    db.session.commit()
    forgot(app.test_client(), USER_DUPONT)
    link = last_link(USER_DUPONT)
    person = app.test_client()
    assert "2 entreprises" in text(person.get(link))
    assert choose_password(person, link, "un-seul-mot-de-passe").status_code == 302
    assert len(authenticate(USER_DUPONT, "un-seul-mot-de-passe")) == 2
    # a second link, then the person changes the password another way: the link no longer works
    monkeypatch.setattr(password_links, "RESET_PAUSE_SECONDS", 0)
    forgot(app.test_client(), USER_DUPONT)
    second = last_link(USER_DUPONT)
    change_password(account_at(USER_DUPONT, demo["dupont.example"].id), "un-seul-mot-de-passe",
                    "encore-un-autre-1", "encore-un-autre-1")
    db.session.commit()
    assert app.test_client().get(second).status_code == 410


def account_at(email, tenant_id):
    return db.session.execute(select(Account).where(Account.email == email, Account.tenant_id == tenant_id)
                              ).scalar_one()


@pytest.mark.parametrize("tamper", ["expired", "forged"])
def test_expired_or_forged_links_are_refused(app, demo, monkeypatch, tamper):
    forgot(app.test_client(), USER_DUPONT)
    link = last_link(USER_DUPONT)
    if tamper == "forged":
        link = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    else:
        from centrex.access import password_links
        monkeypatch.setitem(password_links.LIFETIME, "reset", -1)
    response = app.test_client().get(link)
    assert response.status_code == 410 and "Demandez-en un nouveau." in text(response)
    login(app.test_client(), USER_DUPONT, DEMO_PASSWORD)  # the password is unchanged


def test_admin_sends_a_reset_link_instead_of_typing_a_password(app, admin, demo):
    target = account(USER_DUPONT)
    response = post(admin, f"/t/{demo['dupont.example'].id}/logins/{target.id}/password")
    assert f"Un lien pour choisir un nouveau mot de passe a été envoyé à {USER_DUPONT}." in text(
        admin.get(response.headers["Location"]))
    login(app.test_client(), USER_DUPONT, DEMO_PASSWORD)  # unchanged until the link is used
    assert choose_password(app.test_client(), last_link(USER_DUPONT), "choisi-par-moi-1").status_code == 302
    login(app.test_client(), USER_DUPONT, "choisi-par-moi-1")
