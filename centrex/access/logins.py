"""Console login management beyond creation: logins recorded, passwords changed, employee logins."""

from __future__ import annotations

from sqlalchemy import select

from centrex.access.accounts import MIN_PASSWORD, create_account, hash_login_password
from centrex.access.sessions import close_all_sessions
from centrex.models import Account, Tenant, User
from centrex.models._types import utcnow
from centrex.platform import audit
from centrex.platform.crypto import verify_password
from centrex.platform.db import db
from centrex.platform.errors import N_, DomainError, Invalid, Message


def record_login(account: Account) -> None:
    account.last_login_at = utcnow()
    db.session.flush()
    audit.record("login", account, tenant_id=account.tenant_id, changes={"email": account.email})


def change_password(account: Account, current: str, new: str, confirm: str) -> None:
    if not verify_password(account.password_hash, current or ""):
        raise Invalid(N_("The current password is not correct."), fields={"current_password": [N_("Not correct.")]})
    if len(new or "") < MIN_PASSWORD:
        raise Invalid(
            N_("The new password is too short."),
            fields={"new_password": [Message.of(N_("At least %(n)s characters."), n=MIN_PASSWORD)]},
        )
    if new != confirm:
        raise Invalid(N_("The two passwords differ."), fields={"confirm_password": [N_("The two passwords differ.")]})
    account.password_hash = hash_login_password(account.email, new)
    close_all_sessions(account)
    db.session.flush()
    audit.record("change_password", account, tenant_id=account.tenant_id, changes={"password": "changed"})


def login_of(user: User) -> Account | None:
    return db.session.execute(select(Account).where(Account.user_id == user.id)).scalar_one_or_none()


def give_login(tenant: Tenant, user: User, email: str, password: str) -> Account:
    """An employee's own console login (role user), tied to their extension."""
    if login_of(user) is not None:
        raise Invalid(
            N_("This user already has a console login."), fields={"login_email": [N_("Already has a login.")]}
        )
    try:
        return create_account(email, password, "user", tenant=tenant, user=user)
    except DomainError as exc:  # name the form's fields, not the account's
        raise type(exc)(exc.text, fields={f"login_{k}": v for k, v in exc.fields.items()}) from exc


def set_active(account: Account, active: bool, *, by: Account) -> Account:
    """Let a login in or keep it out (nobody locks themselves out)."""
    if account.id == by.id and not active:
        raise Invalid(N_("You cannot deactivate your own login."))
    if account.active != active:
        account.active = active
        db.session.flush()
        audit.record(
            "activate" if active else "deactivate",
            account,
            tenant_id=account.tenant_id,
            changes={"email": account.email, "active": active},
        )
    return account
