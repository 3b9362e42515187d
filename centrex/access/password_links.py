"""Console passwords set by the person, from a link sent by e-mail: an invitation (a new login) or a
reset (« Mot de passe oublié ? »). No table: the link is signed (itsdangerous, the app's secret key),
expires, and names each login with a fingerprint of its current password hash; setting the password
changes the hash, so a link works once. A new password also makes every older link of that login void.
A reset link covers every active login of its address (an address may have a login at several
companies); they all get the new password."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from centrex.access.accounts import MIN_PASSWORD, create_account, hash_login_password
from centrex.access.logins import give_login
from centrex.access.sessions import close_all_sessions
from centrex.models import Account, OutboxMessage, Tenant, User
from centrex.models._types import utcnow
from centrex.platform import audit, outbox
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid, Message

SALT = "console-password-link"
LIFETIME = {"invite": 7 * 24 * 3600, "reset": 3600}  # seconds a link of each kind is good for
PURPOSE = "password_link"
RESET_PAUSE_SECONDS = 300  # « Mot de passe oublié ? » sends an address one e-mail per five minutes at most


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _fingerprint(account: Account) -> str:
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:24]


def link_token(kind: str, accounts: list[Account]) -> str:
    return _signer().dumps({"k": kind, "a": [[a.id, _fingerprint(a)] for a in accounts]})


def accounts_of(token: str) -> tuple[str, list[Account]]:
    """The kind of link and the logins it opens; Invalid when it is forged, expired or already used."""
    used = Invalid(N_("This link has expired or has already been used. Ask for a new one."))
    try:
        kind = _signer().loads(token or "").get("k")
        payload = _signer().loads(token, max_age=LIFETIME.get(kind, 0))
    except (BadData, AttributeError):
        raise used from None
    wanted = dict((int(i), fp) for i, fp in payload.get("a", []))
    accounts = list(db.session.execute(select(Account).where(
        Account.id.in_(wanted), Account.active.is_(True)).order_by(Account.id)).scalars())
    if not accounts or len(accounts) != len(wanted) or any(_fingerprint(a) != wanted[a.id] for a in accounts):
        raise used
    return kind, accounts


def set_password_by_link(token: str, new: str, confirm: str) -> list[Account]:
    """The person's own password on every login the link names (each signed out elsewhere). Flushes."""
    kind, accounts = accounts_of(token)
    if len(new or "") < MIN_PASSWORD:
        raise Invalid(N_("The new password is too short."),
                      fields={"new_password": [Message.of(N_("At least %(n)s characters."), n=MIN_PASSWORD)]})
    if new != confirm:
        raise Invalid(N_("The two passwords differ."), fields={"confirm_password": [N_("The two passwords differ.")]})
    for account in accounts:
        account.password_hash = hash_login_password(account.email, new)
        close_all_sessions(account)
        db.session.flush()
        audit.record("accept_invitation" if kind == "invite" else "set_password_by_link", account,
                     tenant_id=account.tenant_id, changes={"password": "changed"})
    return accounts


def invite(tenant: Tenant, email: str, role: str, link_for, **kwargs) -> Account:
    """A new login of the company whose password nobody knows yet (a random one, never shown), and the
    invitation e-mail with the link to set it. `link_for(token)` makes the absolute URL. Flushes."""
    account = create_account(email, secrets.token_urlsafe(32), role, tenant=tenant, **kwargs)
    _send(account.email, "invite", [account], link_for, tenant.name)
    return account


def invite_employee(tenant: Tenant, user: User, email: str, link_for) -> Account:
    """The user's own console login (role user), by invitation like an administrator's. Flushes."""
    account = give_login(tenant, user, email, secrets.token_urlsafe(32))
    _send(account.email, "invite", [account], link_for, tenant.name)
    return account


def send_reset(email: str, link_for) -> OutboxMessage | None:
    """The reset e-mail to an address that has active logins, covering all of them; nothing (and no
    error) for an unknown address: the page answers the same either way. Flushes."""
    email = (email or "").strip().lower()
    accounts = list(db.session.execute(select(Account).where(
        Account.email == email, Account.active.is_(True)).order_by(Account.id)).scalars())
    if not accounts or _sent_lately(accounts[0]):
        return None
    names = sorted({n for n in db.session.execute(select(Tenant.name).where(
        Tenant.id.in_([a.tenant_id for a in accounts if a.tenant_id]))).scalars()})
    return _send(email, "reset", accounts, link_for, ", ".join(names) or "Centrex")


def _sent_lately(account: Account) -> bool:
    """A reset e-mail for this address went out a moment ago (nobody fills a mailbox from the login page)."""
    since = utcnow() - timedelta(seconds=RESET_PAUSE_SECONDS)
    return db.session.execute(select(OutboxMessage.id).where(
        OutboxMessage.purpose == PURPOSE, OutboxMessage.ref == f"reset/{account.id}",
        OutboxMessage.created_at > since)).first() is not None


def send_reset_of(account: Account, link_for) -> OutboxMessage:
    """An administrator sends one login of the company a reset link (the password stays until it is
    used); audited. Flushes."""
    tenant = db.session.get(Tenant, account.tenant_id) if account.tenant_id else None
    audit.record("send_password_link", account, tenant_id=account.tenant_id, changes={"email": account.email})
    return _send(account.email, "reset", [account], link_for, tenant.name if tenant else "Centrex")


def _send(email: str, kind: str, accounts: list[Account], link_for, company: str) -> OutboxMessage:
    link = link_for(link_token(kind, accounts))
    if kind == "invite":
        subject = f"Invitation : console de {company} / Invitation: {company}'s console"
        fr = (f"Vous êtes invité(e) à la console téléphonique de {company}. Choisissez votre mot de passe "
              f"(lien valable 7 jours, une seule fois) :")
        en = f"You are invited to {company}'s phone console. Choose your password (link good for 7 days, once):"
    else:
        subject = "Nouveau mot de passe / New password"
        fr = (f"Quelqu’un a demandé un nouveau mot de passe pour votre accès à la console ({company}). "
              f"Choisissez-le ici (lien valable une heure, une seule fois) ; sinon, ignorez ce message :")
        en = (f"Someone asked for a new password for your console login ({company}). Choose it here "
              f"(link good for one hour, once); otherwise ignore this message:")
    body = f"Bonjour,\n\n{fr}\n\n{link}\n\n-- \n\nHello,\n\n{en}\n\n{link}\n"
    return outbox.enqueue(accounts[0].tenant_id if len(accounts) == 1 else None, email, subject, body,
                          purpose=PURPOSE, ref=f"{kind}/{accounts[0].id}")
