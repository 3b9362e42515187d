"""Login rate limiting per account and per source address, stored in the database so that every web
worker counts the same attempts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import delete, func, select

from centrex.models.login_attempt import LoginAttempt
from centrex.platform.db import db

KEEP = timedelta(days=1)


def _limits() -> tuple[timedelta, int, int]:
    cfg = current_app.config
    return (
        timedelta(seconds=cfg.get("LOGIN_WINDOW_SECONDS", 900)),
        cfg.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        cfg.get("LOGIN_MAX_FAILURES_PER_IP", 20),
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)


def retry_after(email: str, source_ip: str, now: datetime | None = None) -> int:
    """Seconds before this account or this address may try again (0: go ahead)."""
    now = now or _now()
    window, per_account, per_ip = _limits()
    since = now - window
    email = (email or "").strip().lower()
    last_success = db.session.execute(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True), LoginAttempt.at >= since
        )
    ).scalar_one()
    account_from = max(since, _aware(last_success)) if last_success else since
    waits = [
        _wait(_failures(LoginAttempt.email == email, account_from), per_account, window, now),
        _wait(_failures(LoginAttempt.source_ip == source_ip, since), per_ip, window, now),
    ]
    return max(waits)


def _failures(who, since: datetime):
    """The times of the failed attempts by `who` (an account, an address) since then."""
    return select(LoginAttempt.at).where(who, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)


def _wait(query, limit: int, window: timedelta, now: datetime) -> int:
    """When `limit` failures or more fall in the window: seconds until the oldest that counts leaves it."""
    times = [
        _aware(t) for t in db.session.execute(query.order_by(LoginAttempt.at.desc()).limit(limit)).scalars()
    ]
    if len(times) < limit:
        return 0
    return max(1, int((times[-1] + window - now).total_seconds()) + 1)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)  # SQLite drops the offset


def note_attempt(email: str, source_ip: str, succeeded: bool) -> None:
    """Record one attempt (flushed; the login view commits it even when the login fails)."""
    db.session.add(
        LoginAttempt(
            email=(email or "").strip().lower()[:254], source_ip=(source_ip or "?")[:64], succeeded=succeeded
        )
    )
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < _now() - KEEP))
    db.session.flush()
