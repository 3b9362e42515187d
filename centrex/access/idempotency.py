"""Idempotency-Key for the API's POSTs: the first answer is kept per token and key for a day and replayed
when the same request is sent again (a client retrying after a timeout creates nothing twice); the same key
with another request is refused. Services only flush: the answer is stored in the request's transaction."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select

from centrex.models import ApiIdempotentAnswer, ApiToken
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid

KEPT = timedelta(hours=24)


@dataclass(frozen=True)
class Kept:
    status: int
    body: dict | list | None


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join((method.encode(), path.encode(), body))).hexdigest()


def kept_answer(token: ApiToken, key: str, print_: str, now: datetime | None = None) -> Kept | None:
    """The answer kept for this key, or None (never used, or expired); Invalid when the key was used for
    another request."""
    now = now or datetime.now(timezone.utc)
    row = db.session.execute(
        select(ApiIdempotentAnswer).where(ApiIdempotentAnswer.token_id == token.id, ApiIdempotentAnswer.key == key)
    ).scalar_one_or_none()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=timezone.utc)
    if expires <= now:
        db.session.delete(row)
        db.session.flush()
        return None
    if row.fingerprint != print_:
        raise Invalid(N_("This Idempotency-Key was already used for another request: use a new key."),
                      fields={"Idempotency-Key": [N_("Already used for another request.")]})
    return Kept(row.status, row.body)


def keep_answer(token: ApiToken, key: str, print_: str, status: int, body, now: datetime | None = None) -> None:
    """Keep the first answer (in the request's transaction), and forget this token's expired ones."""
    now = now or datetime.now(timezone.utc)
    db.session.execute(delete(ApiIdempotentAnswer).where(ApiIdempotentAnswer.token_id == token.id,
                                                         ApiIdempotentAnswer.expires_at < now))
    db.session.add(ApiIdempotentAnswer(token_id=token.id, key=key, fingerprint=print_, status=status, body=body,
                                       expires_at=now + KEPT))
    db.session.flush()
