"""One e-mail address, logins at several companies: a company cannot learn that an address has a login at
another client of the operator (no cross-tenant address oracle), and a person with logins at two companies
chooses which one a password opens."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from centrex.access.accounts import authenticate, create_account
from centrex.demo.companies import DEMO_PASSWORD
from centrex.models import Account
from centrex.platform.db import db
from centrex.platform.errors import Conflict
from password_link_helpers import choose_password, last_link
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, OPERATOR, csrf_of, login, post, text

SHARED = "fiduciaire@conseil.example"  # an accountant who looks after both companies' phones


def logins_of(email: str) -> list[Account]:
    return list(db.session.execute(select(Account).where(Account.email == email).order_by(Account.id)).scalars())


def sign_in(client, email, password):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_of(page.data)})


def invited(client, password):
    """The accountant follows the newest invitation and chooses this password."""
    chosen = choose_password(client.application.test_client(), last_link(SHARED), password)
    assert chosen.status_code == 302


@pytest.fixture
def shared_login(client, demo):
    """Martin's administrator gives the accountant a login, then Dupont's does the same, same password."""
    login(client, ADMIN_MARTIN)
    made = post(client, f"/t/{demo['martin.example'].id}/logins", {"email": SHARED})
    assert made.status_code == 302
    invited(client, DEMO_PASSWORD)
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/me/password").data)})
    login(client, ADMIN_DUPONT)
    return client


def test_an_address_with_a_login_elsewhere_is_accepted_like_any_new_one(shared_login, demo):
    dupont = demo["dupont.example"]
    response = post(shared_login, f"/t/{dupont.id}/logins", {"email": SHARED})
    assert response.status_code == 302, text(response)
    assert [(a.tenant_id, a.role) for a in logins_of(SHARED)] == [
        (demo["martin.example"].id, "admin"), (dupont.id, "admin")]
    # The same address twice in one company is still refused, in the company's own words.
    again = post(shared_login, f"/t/{dupont.id}/logins", {"email": SHARED})
    assert again.status_code == 409 and "Cette adresse e-mail a déjà un compte." in text(again)


def test_operator_staff_addresses_stay_unique_among_the_staff(demo):
    with pytest.raises(Conflict):
        create_account(OPERATOR, DEMO_PASSWORD, "operator")
    # … and a client company may still use that address for its own login: it is another company's business.
    assert create_account(OPERATOR, DEMO_PASSWORD, "admin", tenant=demo["dupont.example"]).tenant_id is not None


def test_one_password_opening_two_companies_asks_which_one(client, shared_login, demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    post(shared_login, f"/t/{dupont.id}/logins", {"email": SHARED})
    invited(client, DEMO_PASSWORD)
    client.post("/logout", data={"csrf_token": csrf_of(client.get(f"/t/{dupont.id}/").data)})

    choice = sign_in(client, SHARED, DEMO_PASSWORD)
    assert choice.status_code == 200
    page = text(choice)
    assert "Quelle entreprise ?" in page and "Dupont SA" in page and "Martin Sàrl" in page
    assert DEMO_PASSWORD not in page  # the choice carries the logins it opened, never the password
    by_company = {a.tenant_id: a for a in logins_of(SHARED)}
    token = page.split('name="token" value="')[1].split('"')[0]

    chosen = client.post("/login/company", data={"token": token, "account": by_company[martin.id].id,
                                                  "csrf_token": csrf_of(choice.data)})
    assert chosen.status_code == 302 and chosen.headers["Location"] == f"/t/{martin.id}/"
    assert client.get(f"/t/{martin.id}/").status_code == 200
    assert client.get(f"/t/{dupont.id}/").status_code == 404  # one company per session (others: not found)


def test_the_choice_cannot_name_a_login_the_password_did_not_open(client, shared_login, demo):
    dupont = demo["dupont.example"]
    post(shared_login, f"/t/{dupont.id}/logins", {"email": SHARED})
    invited(client, "un-autre-mot-de-passe")
    client.post("/logout", data={"csrf_token": csrf_of(client.get(f"/t/{dupont.id}/").data)})

    # Different passwords: each opens its own company directly, no choice to make.
    direct = sign_in(client, SHARED, "un-autre-mot-de-passe")
    assert direct.status_code == 302 and direct.headers["Location"] == f"/t/{dupont.id}/"
    client.post("/logout", data={"csrf_token": csrf_of(client.get(f"/t/{dupont.id}/").data)})

    martin_login = next(a for a in logins_of(SHARED) if a.tenant_id == demo["martin.example"].id)
    admin_dupont = logins_of(ADMIN_DUPONT)[0]
    signer = URLSafeTimedSerializer(client.application.secret_key, salt="console-login-choice")
    page = client.get("/login")
    # A token of the Martin login only, with Dupont's administrator picked: refused, nothing opened.
    forged = client.post("/login/company", data={"token": signer.dumps([martin_login.id]),
                                                  "account": admin_dupont.id, "csrf_token": csrf_of(page.data)})
    assert forged.status_code == 400 and "Martin Sàrl" in text(forged) and "Dupont SA" not in text(forged)
    assert client.get(f"/t/{dupont.id}/").status_code == 302  # still logged out
    # A token not signed by us: back to the login page.
    page = client.get("/login")
    bad = client.post("/login/company", data={"token": "x" + signer.dumps([admin_dupont.id]),
                                              "account": admin_dupont.id, "csrf_token": csrf_of(page.data)})
    assert bad.status_code == 302 and bad.headers["Location"] == "/login"


def test_authenticate_checks_one_hash_for_an_unknown_address_and_each_login_for_a_known_one(demo):
    assert authenticate("personne@nulle-part.example", DEMO_PASSWORD) == []
    assert [a.email for a in authenticate(ADMIN_DUPONT.upper(), DEMO_PASSWORD)] == [ADMIN_DUPONT]
    assert authenticate(ADMIN_DUPONT, "pas-le-bon-mot-de-passe") == []


def test_a_login_costs_one_hash_computation_however_many_companies_the_address_has(demo, monkeypatch):
    """A company that gives a login to an address and times its own login learns nothing: the password is
    checked against every login of the address with one argon2 computation (one salt per address)."""
    from argon2 import low_level

    create_account(SHARED, DEMO_PASSWORD, "admin", tenant=demo["martin.example"])
    create_account(SHARED, "mot-de-passe-de-dupont", "admin", tenant=demo["dupont.example"])
    computations = []
    real = low_level.hash_secret
    monkeypatch.setattr(low_level, "hash_secret", lambda *a, **kw: computations.append(1) or real(*a, **kw))
    for email, password, opened in ((SHARED, DEMO_PASSWORD, 1), (SHARED, "mot-de-passe-de-dupont", 1),
                                    (SHARED, "faux-mot-de-passe", 0), (ADMIN_DUPONT, DEMO_PASSWORD, 1),
                                    ("inconnu@nulle-part.example", DEMO_PASSWORD, 0)):
        computations.clear()
        assert len(authenticate(email, password)) == opened
        assert len(computations) == 1, (email, password)


def test_a_login_hashed_with_its_own_salt_gets_the_address_salt_when_it_opens(demo):
    from centrex.access.accounts import login_salt
    from centrex.platform.crypto import hash_password, salt_of

    account = logins_of(ADMIN_DUPONT)[0]
    account.password_hash = hash_password(DEMO_PASSWORD)  # as hashed before logins shared a salt
    db.session.flush()
    assert salt_of(account.password_hash) != login_salt(ADMIN_DUPONT)
    assert authenticate(ADMIN_DUPONT, DEMO_PASSWORD) == [account]
    assert salt_of(account.password_hash) == login_salt(ADMIN_DUPONT)
    assert authenticate(ADMIN_DUPONT, DEMO_PASSWORD) == [account]
