"""Console logins: operator staff, tenant admins and employees."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from centrex import audit
from centrex.crypto import hash_password, verify_password
from centrex.db import db
from centrex.errors import N_, Conflict, Invalid, Message
from centrex.models import Account, Tenant, User
from centrex.models.account import ROLES

MIN_PASSWORD = 10


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
    if db.session.execute(select(Account.id).where(Account.email == email)).first():
        raise Conflict(N_("This email address already has an account."), fields={"email": [N_("Already used.")]})
    account = Account(email=email, password_hash=hash_password(password), role=role,
                      tenant_id=tenant.id if tenant else None, user_id=user.id if user else None)
    db.session.add(account)
    db.session.flush()
    audit.record("create", account, tenant_id=account.tenant_id, changes={"email": email, "role": role})
    return account


_stand_in_hash: list[str] = []  # made at first use (with the hashing parameters in force then)


def authenticate(email: str, password: str) -> Account | None:
    """The account of this e-mail and password, else None, in the same time whether the address is known
    or not (a stand-in hash is verified for unknown or inactive logins): no address oracle by timing."""
    account = db.session.execute(
        select(Account).where(Account.email == (email or "").strip().lower())).scalar_one_or_none()
    if account is None or not account.active:
        if not _stand_in_hash:
            _stand_in_hash.append(hash_password(secrets.token_urlsafe(16)))
        verify_password(_stand_in_hash[0], password)
        return None
    return account if verify_password(account.password_hash, password) else None
