"""Helpers for the console tests: log in through the real login form, post forms with their CSRF token."""

from __future__ import annotations

import re

from centrex.demo.companies import DEMO_PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')

OPERATOR = "operator@centrex.example"
ADMIN_DUPONT = "admin@dupont.example"
ADMIN_MARTIN = "admin@martin.example"
RECEPTION_DUPONT = "reception@dupont.example"  # Dupont's delegated administrator (custom role « Réception »)
USER_DUPONT = "alain.dupont@dupont.example"  # extension 1001 of Dupont SA
USER_MARTIN = "pierre.martin@martin.example"  # extension 1001 of Martin Sàrl


def csrf_of(html: str | bytes) -> str:
    text = html.decode() if isinstance(html, bytes) else html
    match = CSRF_RE.search(text)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = DEMO_PASSWORD):
    token = csrf_of(client.get("/login").data)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.data[:500]
    return response


def token(client) -> str:
    """A CSRF token for the current session (every logged-in page carries one, e.g. in the logout form)."""
    page = client.get("/me/password")
    if page.status_code != 200:
        page = client.get("/login")
    return csrf_of(page.data)


def post(client, url: str, data: dict | None = None, **kw):
    data = dict(data or {})
    data.setdefault("csrf_token", token(client))
    return client.post(url, data=data, **kw)


def text(response) -> str:
    return response.get_data(as_text=True)
