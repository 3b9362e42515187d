"""Console logins: operator staff, tenant admins and employees."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from centrex.models import Account, Tenant, User
from centrex.models.account import ROLES
from centrex.platform import audit
from centrex.platform.crypto import hash_password, salt_of, shared_salt, verify_passwords
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid, Message

MIN_PASSWORD = 10


def login_salt(email: str) -> bytes:
    """Every login of one address is hashed with this salt, so checking a password against all of them
    costs one argon2 computation: the time a login takes says nothing of how many companies the address
    has a login at (a company could otherwise give a login to an address and time its own login)."""
    return shared_salt("console login", email)


def hash_login_password(email: str, password: str) -> str:
    return hash_password(password, login_salt(email))


def create_account(email: str, password: str, role: str, tenant: Tenant | None = None,
                   user: User | None = None) -> Account:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise Invalid(N_("A valid email address is needed."), fields={"email": [N_("Not a valid email address.")]})
    if role not in ROLES:
        raise Invalid(N_("Unknown role %(role)s."), role=role, fields={"role": [N_("Unknown role.")]})
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(N_("The password needs at least %(n)s characters."), n=MIN_PASSWORD,
                      fields={"password": [Message.of(N_("At least %(n)s characters."), n=MIN_PASSWORD)]})
    if role != "operator" and tenant is None:
        raise Invalid(N_("An admin or user account belongs to a company."))
    if user is not None and (tenant is None or user.tenant_id != tenant.id):
        raise Invalid(N_("The user belongs to another company."))
    same_company = Account.tenant_id.is_(None) if tenant is None else Account.tenant_id == tenant.id
    if db.session.execute(select(Account.id).where(Account.email == email, same_company)).first():
        # Only this company's (or the operator's own) logins are looked at: whether the address has a login
        # at another client of the operator is none of this company's business.
        raise Conflict(N_("This email address already has an account."), fields={"email": [N_("Already used.")]})
    account = Account(email=email, password_hash=hash_login_password(email, password), role=role,
                      tenant_id=tenant.id if tenant else None, user_id=user.id if user else None)
    db.session.add(account)
    db.session.flush()
    audit.record("create", account, tenant_id=account.tenant_id, changes={"email": email, "role": role})
    return account


_stand_in_hash: list[str] = []  # made at first use (with the hashing parameters in force then)


def authenticate(email: str, password: str) -> list[Account]:
    """The active logins of this e-mail address that this password opens (one address may have a login at
    several companies; most have one), else []. One argon2 computation whether the address is unknown, has
    one login or several (a stand-in hash for the unknown; one salt per address): no oracle by timing.
    A login hashed before logins shared their address's salt is hashed again with it when it opens."""
    email = (email or "").strip().lower()
    candidates = db.session.execute(
        select(Account).where(Account.email == email, Account.active.is_(True)).order_by(Account.id)
    ).scalars().all()
    if not candidates:
        if not _stand_in_hash:
            _stand_in_hash.append(hash_password(secrets.token_urlsafe(16)))
        verify_passwords(_stand_in_hash, password)  # the same computation as for a known address
        return []
    opened = [a for a, ok in zip(candidates, verify_passwords([a.password_hash for a in candidates], password))
              if ok]
    for account in opened:
        if salt_of(account.password_hash) != login_salt(email):
            account.password_hash = hash_login_password(email, password)
    if opened:
        db.session.flush()
    return opened
