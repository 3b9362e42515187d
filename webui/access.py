"""Who is asking, and what they may see: the one place roles and tenant boundaries are enforced for the
console (and, later, the JSON API). Views declare their roles with @allow; tenant pages carry the tenant
in the URL (`tenant_id`), which @allow resolves to g.tenant or refuses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import g, request, session
from sqlalchemy import select

from centrex.audit import Actor
from centrex.db import db
from centrex.errors import Forbidden, NotFound
from centrex.models import Account, Tenant

OPERATOR, ADMIN, USER = "operator", "admin", "user"
STAFF = (OPERATOR, ADMIN)  # who may open a client's pages ("menu client")
ANYONE = "anyone"  # pages open before login (login, language)


class NotLoggedIn(Exception):
    """No valid session: the console sends people to the login page, the API answers 401."""


@dataclass(frozen=True)
class Principal:
    account_id: int
    email: str
    role: str
    tenant_id: int | None
    user_id: int | None

    def actor(self) -> Actor:
        """Who the audit log names for changes made in this request."""
        return Actor(self.email, request.remote_addr)


def session_marker(account: Account) -> str:
    """Changes when the password changes, so that older sessions stop working."""
    return account.password_hash[-16:]


def start_session(account: Account) -> None:
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME (checked on the signed cookie)
    session["account_id"] = account.id
    session["marker"] = session_marker(account)


def load_principal() -> Principal | None:
    """The logged-in account of this request, re-read from the database each time (deactivation and
    password changes take effect at once)."""
    account_id = session.get("account_id")
    if not isinstance(account_id, int):
        return None
    account = db.session.execute(select(Account).where(Account.id == account_id)).scalar_one_or_none()
    if account is None or not account.active or session.get("marker") != session_marker(account):
        session.clear()
        return None
    return Principal(account.id, account.email, account.role, account.tenant_id, account.user_id)


def current_principal() -> Principal | None:
    if "principal" not in g:
        g.principal = load_principal()
    return g.principal


def tenant_for(principal: Principal, tenant_id: int) -> Tenant:
    """The tenant a request names, if this principal may see it; NotFound otherwise (an admin of one
    client cannot even learn whether another client's id exists)."""
    if principal.role != OPERATOR and principal.tenant_id != tenant_id:
        raise NotFound("No such client.")
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("No such client.")
    return tenant


def allow(*roles: str):
    """Decorator for every console view: the roles that may open it. A `tenant_id` URL argument is
    replaced by g.tenant after the tenant check."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                raise NotLoggedIn()
            if principal.role not in roles:
                raise Forbidden("Your role does not give access to this page.")
            if "tenant_id" in kwargs:
                g.tenant = tenant_for(principal, kwargs.pop("tenant_id"))
            elif principal.tenant_id is not None:
                g.tenant = db.session.get(Tenant, principal.tenant_id)
            return view(*args, **kwargs)

        guarded.allowed_roles = roles
        return guarded

    return decorate


def public(view):
    """Marks a view open to anyone (the login page): every console view says who may open it."""
    view.allowed_roles = (ANYONE,)
    return view
