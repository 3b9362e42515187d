"""Console sessions kept on the server (audit finding 5): the cookie holds a random token and nothing of the
account; the database holds its hash, so logging out, changing or resetting the password, or deactivating
the login ends it at once."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update

from centrex.models import Account, ConsoleSession
from centrex.platform.db import db


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(account: Account, lifetime_seconds: int) -> str:
    """A new session of this account; its token (for the cookie). Flushes; also forgets its ended ones."""
    now = datetime.now(timezone.utc)
    db.session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account.id,
                                                    ConsoleSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    db.session.add(ConsoleSession(token_hash=_hash(token), account_id=account.id, created_at=now,
                                  expires_at=now + timedelta(seconds=lifetime_seconds)))
    db.session.flush()
    return token


def account_of(token: object, lifetime_seconds: int) -> Account | None:
    """The active account of a live session (one query), else None. A session in use lives on: past half
    its lifetime, it is given a whole one again (the write happens at most once per half lifetime)."""
    if not isinstance(token, str) or not token or len(token) > 128:
        return None
    now = datetime.now(timezone.utc)
    found = db.session.execute(
        select(Account, ConsoleSession.expires_at).join(ConsoleSession, ConsoleSession.account_id == Account.id)
        .where(ConsoleSession.token_hash == _hash(token), ConsoleSession.expires_at > now,
               Account.active.is_(True))).first()
    if found is None:
        return None
    account, expires_at = found
    if _aware(expires_at) < now + timedelta(seconds=lifetime_seconds / 2):
        db.session.execute(update(ConsoleSession).where(ConsoleSession.token_hash == _hash(token))
                           .values(expires_at=now + timedelta(seconds=lifetime_seconds)))
        db.session.commit()  # on its own, before the request's work
    return account


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite gives naive datetimes


def close_session(token: object) -> None:
    if isinstance(token, str) and token:
        db.session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))


def close_all_sessions(account: Account) -> None:
    """Every browser of this account is signed out (a password changed or reset)."""
    db.session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account.id))
