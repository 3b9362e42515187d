"""Console login: hashed passwords, throttling per account and per address (shared through the database
by every worker), sessions that expire and end, CSRF on every form, safe redirects, French by default."""

from __future__ import annotations

import itsdangerous.timed
import pytest
from sqlalchemy import select

from centrex.demo.companies import DEMO_PASSWORD
from centrex.models import Account, AuditEntry, Tenant
from centrex.models.login_attempt import LoginAttempt
from centrex.platform.db import db
from webui_testing import ADMIN_DUPONT, OPERATOR, USER_DUPONT, csrf_of, login, post, text

pytestmark = pytest.mark.smoke


def try_login(client, email, password, ip="203.0.113.7", **kw):
    page = client.get("/login", environ_base={"REMOTE_ADDR": ip})
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.data)},
        environ_base={"REMOTE_ADDR": ip},
        **kw,
    )


@pytest.mark.parametrize(
    "email,home", [(OPERATOR, "/operator/clients"), (ADMIN_DUPONT, "/t/{dupont}/"), (USER_DUPONT, "/me/")]
)
def test_each_role_lands_on_its_menu(client, demo, email, home):
    response = try_login(client, email, DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == home.format(dupont=demo["dupont.example"].id)
    account = db.session.execute(select(Account).where(Account.email == email)).scalar_one()
    assert account.password_hash.startswith("$argon2") and DEMO_PASSWORD not in account.password_hash
    assert account.last_login_at is not None
    entry = (
        db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "login").order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert (entry.actor, entry.source_ip, entry.object_id) == (email, "203.0.113.7", account.id)


def test_wrong_password_is_refused_and_counted(client, demo):
    response = try_login(client, ADMIN_DUPONT, "not-the-password")
    assert response.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in text(response)
    attempt = db.session.execute(select(LoginAttempt)).scalars().one()
    assert (attempt.email, attempt.source_ip, attempt.succeeded) == (ADMIN_DUPONT, "203.0.113.7", False)
    assert client.get("/t/1/").status_code == 302  # still not logged in


def test_brute_force_on_one_account_is_throttled_even_with_the_right_password(client, demo):
    for _ in range(5):
        assert try_login(client, ADMIN_DUPONT, "guess").status_code == 401
    blocked = try_login(client, ADMIN_DUPONT, DEMO_PASSWORD)
    assert blocked.status_code == 429
    assert "Trop de tentatives échouées" in text(blocked)
    # Other accounts from another address are not blocked by it.
    assert try_login(client, USER_DUPONT, DEMO_PASSWORD, ip="198.51.100.9").status_code == 302


def test_one_address_trying_many_accounts_is_throttled(client, demo):
    for i in range(20):
        assert try_login(client, f"nobody{i}@example.org", "guess", ip="192.0.2.66").status_code == 401
    assert try_login(client, OPERATOR, DEMO_PASSWORD, ip="192.0.2.66").status_code == 429
    assert try_login(client, OPERATOR, DEMO_PASSWORD, ip="192.0.2.67").status_code == 302


def test_a_success_resets_the_account_counter(client, demo):
    for _ in range(4):
        try_login(client, ADMIN_DUPONT, "guess")
    assert try_login(client, ADMIN_DUPONT, DEMO_PASSWORD).status_code == 302
    for _ in range(4):
        assert try_login(client, ADMIN_DUPONT, "guess").status_code == 401


def test_the_throttle_is_shared_by_every_worker(app, committed):
    """Two WSGI apps (as two gunicorn workers) on one database: failures seen by one block the other."""
    from centrex.demo.companies import load_demo
    from wsgi import create_app

    load_demo()
    committed.commit()
    keys = ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "SIP_SECRET_KEY", "XMLCURL_PASSWORD")
    other_worker = create_app({key: app.config[key] for key in keys})
    try:
        for _ in range(5):
            assert try_login(app.test_client(), ADMIN_DUPONT, "guess").status_code == 401
        assert try_login(other_worker.test_client(), ADMIN_DUPONT, DEMO_PASSWORD).status_code == 429
    finally:
        with other_worker.app_context():
            db.session.remove()
            db.engine.dispose()


def test_missing_or_forged_csrf_token_is_refused_and_changes_nothing(client, demo):
    login(client, ADMIN_DUPONT)
    tenant = demo["dupont.example"]
    before = db.session.execute(select(AuditEntry.id)).all()
    data = {
        "vm_pin": "",
        "extension": "1010",
        "name": "Intrus",
        "max_calls": "2",
        "caller_id_mode": "direct",
        "call_class": "national",
    }
    for token in (None, "forged-token"):
        form = dict(data, **({"csrf_token": token} if token else {}))
        response = client.post(f"/t/{tenant.id}/users/new", data=form)
        assert response.status_code == 400
        assert "Ce formulaire a expiré" in text(response)
    assert db.session.execute(select(AuditEntry.id)).all() == before
    # The login form and the language switch are protected too.
    assert client.post("/login", data={"email": OPERATOR, "password": DEMO_PASSWORD}).status_code == 400


def test_session_expires(client, demo, monkeypatch, app):
    login(client, USER_DUPONT)
    assert client.get("/me/").status_code == 200
    later = itsdangerous.timed.time.time() + app.permanent_session_lifetime.total_seconds() + 5
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.get("/me/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_in_use_lives_on_and_an_idle_one_ends_on_the_server(client, demo, app):
    from datetime import datetime, timedelta, timezone

    from centrex.models import ConsoleSession

    login(client, USER_DUPONT)
    row = db.session.execute(select(ConsoleSession)).scalars().one()
    lifetime = app.permanent_session_lifetime
    row.expires_at = datetime.now(timezone.utc) + lifetime / 4  # used late in its life
    db.session.commit()
    assert client.get("/me/").status_code == 200
    db.session.expire_all()
    left = row.expires_at.replace(tzinfo=row.expires_at.tzinfo or timezone.utc) - datetime.now(timezone.utc)
    assert left > lifetime - timedelta(minutes=1)  # a whole lifetime again
    row.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)  # left alone too long
    db.session.commit()
    response = client.get("/me/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_cookie_is_http_only_and_expires(client, demo, app):
    response = try_login(client, USER_DUPONT, DEMO_PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_logout_ends_the_session(client, demo):
    login(client, USER_DUPONT)
    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/me/").status_code == 302


def test_a_cookie_copied_before_logout_no_longer_opens_anything(app, demo):
    """Audit finding 5: the signed cookie kept working after logout (nothing was revoked on the server)."""
    browser = app.test_client()
    login(browser, USER_DUPONT)
    stolen = browser.get_cookie("session").value
    post(browser, "/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/me/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_session_cookie_carries_a_random_token_and_nothing_of_the_account(app, demo, client):
    login(client, USER_DUPONT)
    content = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    assert set(content) - {"_permanent", "csrf_token", "_flashes", "lang"} == {"sid"}
    account = db.session.execute(select(Account).where(Account.email == USER_DUPONT)).scalar_one()
    assert account.password_hash[-16:] not in client.get_cookie("session").value
    assert len(content["sid"]) >= 40


def test_an_unknown_address_costs_a_password_check_like_a_known_one(client, demo, monkeypatch):
    """No address oracle by timing: the unknown e-mail is checked against a real hash too."""
    from argon2 import low_level

    checked = []
    real = low_level.hash_secret
    # argon2's own computation, each call written down (the salt it used)
    monkeypatch.setattr(low_level, "hash_secret", lambda secret, salt, *a, **kw: checked.append(salt) or real(
        secret, salt, *a, **kw))
    try_login(client, "nobody@dupont.example", "whatever-password")
    try_login(client, USER_DUPONT, "whatever-password")
    assert len(checked) == 2 and checked[0] != checked[1]  # one each: the stand-in's, the login's


def test_password_change_ends_other_sessions(app, demo):
    first, second = app.test_client(), app.test_client()
    login(first, USER_DUPONT)
    login(second, USER_DUPONT)
    response = post(
        first,
        "/me/password",
        {
            "current_password": DEMO_PASSWORD,
            "new_password": "nouveau-secret-1",
            "confirm_password": "nouveau-secret-1",
        },
    )
    assert response.status_code == 302
    assert first.get("/me/").status_code == 200  # this browser stays in
    assert second.get("/me/").status_code == 302  # the other session is over
    assert try_login(app.test_client(), USER_DUPONT, "nouveau-secret-1").status_code == 302


def test_deactivated_account_is_logged_out_at_once(client, demo):
    login(client, ADMIN_DUPONT)
    account = db.session.execute(select(Account).where(Account.email == ADMIN_DUPONT)).scalar_one()
    account.active = False
    db.session.commit()
    assert client.get(f"/t/{account.tenant_id}/").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_off_site(client, demo, target):
    page = client.get("/login")
    response = client.post(
        f"/login?next={target}",
        data={"email": OPERATOR, "password": DEMO_PASSWORD, "csrf_token": csrf_of(page.data)},
    )
    assert response.headers["Location"] == "/operator/clients"


def test_login_returns_to_the_page_asked_for(client, demo):
    response = client.get("/operator/numbers?show=free")
    assert response.headers["Location"].endswith("/login?next=/operator/numbers?show%3Dfree")
    page = client.get(response.headers["Location"])
    response = client.post(
        response.headers["Location"],
        data={"email": OPERATOR, "password": DEMO_PASSWORD, "csrf_token": csrf_of(page.data)},
    )
    assert response.headers["Location"] == "/operator/numbers?show=free"


def test_french_by_default_english_on_request(client, demo):
    page = client.get("/login")
    assert '<html lang="fr">' in text(page) and "Connexion" in text(page)
    response = client.post("/lang", data={"lang": "en", "next": "/login", "csrf_token": csrf_of(page.data)})
    assert response.headers["Location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en">' in text(page) and "Log in" in text(page) and "Connexion" not in text(page)


def test_security_headers(client, demo):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_suspended_client_admin_sees_the_suspension(client, demo):
    tenant = demo["dupont.example"]
    tenant.status = "suspended"
    db.session.commit()
    login(client, ADMIN_DUPONT)
    assert "est suspendu" in text(client.get(f"/t/{tenant.id}/"))
    assert db.session.get(Tenant, tenant.id).status == "suspended"
