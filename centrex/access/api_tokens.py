"""API tokens of a tenant: created (the key is shown once), checked on every API request, rate limited
per token across every web worker (the counter lives in the database), revoked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from marshmallow import Schema, fields
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from centrex.models import ApiRateWindow, ApiToken, Tenant
from centrex.models.api import SCOPES
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.forms import load
from centrex.platform.schemas import Text
from centrex.platform.tenancy import scoped
from centrex.tenants import licences

KEY_PREFIX = "cxk_"
LAST_USED_PRECISION = timedelta(minutes=1)  # last_used_at is written at most once a minute per token


class ApiTokenSchema(Schema):
    name = Text(80, required=True)
    scopes = fields.List(
        fields.String(validate=validate.OneOf(SCOPES)),
        required=True,
        validate=validate.Length(min=1, max=len(SCOPES)),
    )
    rate_limit = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=10000))


_schema = ApiTokenSchema()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(tenant: Tenant, data: dict, *, created_by: str | None = None) -> tuple[ApiToken, str]:
    """A new token; returns it with its key, which is never stored nor shown again."""
    licences.require(tenant, "api")
    values = load(_schema, data)
    prefix = secrets.token_hex(6)
    while db.session.execute(select(ApiToken.id).where(ApiToken.prefix == prefix)).first():
        prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        tenant_id=tenant.id,
        name=values["name"],
        prefix=prefix,
        secret_hash=_hash(secret),
        scopes=sorted(set(values["scopes"])),
        created_by=created_by,
        rate_limit=values["rate_limit"] or current_app.config["API_RATE_LIMIT_PER_MINUTE"],
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "create",
        token,
        tenant_id=tenant.id,
        changes={
            "name": token.name,
            "prefix": prefix,
            "scopes": ",".join(token.scopes),
            "rate_limit": token.rate_limit,
        },
    )
    return token, f"{KEY_PREFIX}{prefix}_{secret}"


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = datetime.now(timezone.utc)
        db.session.flush()
        audit.record("revoke", token, tenant_id=token.tenant_id, changes={"name": token.name})
    return token


def tokens_of(tenant_id: int) -> list[ApiToken]:
    return list(
        db.session.execute(
            scoped(ApiToken, tenant_id).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        ).scalars()
    )


def authenticate(key: str) -> ApiToken | None:
    """The active token this key belongs to, or None (unknown, malformed, wrong secret or revoked)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    prefix, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not sep or not secret:
        return None
    token = db.session.execute(select(ApiToken).where(ApiToken.prefix == prefix)).scalar_one_or_none()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    return token if token.revoked_at is None else None


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the next minute starts


def consume_request(token: ApiToken, now: datetime | None = None) -> RateDecision:
    """Count one request of this token in the current minute (one statement, safe across workers) and
    say whether it is within the token's limit. Flushes; the caller commits it on its own, before the
    request's work, so refused and failed requests count too."""
    now = now or datetime.now(timezone.utc)
    minute = int(now.timestamp()) // 60
    table = ApiRateWindow.__table__
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)
    statement = (
        insert.values(token_id=token.id, minute=minute, count=1)
        .on_conflict_do_update(index_elements=["token_id", "minute"], set_={"count": table.c.count + 1})
        .returning(table.c.count)
    )
    count = db.session.execute(statement).scalar_one()
    if count == 1:  # first request of a new minute: forget the older ones
        db.session.execute(
            delete(ApiRateWindow).where(ApiRateWindow.token_id == token.id, ApiRateWindow.minute < minute)
        )
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_PRECISION:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return RateDecision(
        count <= token.rate_limit,
        token.rate_limit,
        max(token.rate_limit - count, 0),
        60 - int(now.timestamp()) % 60,
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
