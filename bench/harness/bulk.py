"""Many tenants and users, inserted with plain SQL: the a1-hash computed (md5), the secret encrypted once
per user with the operator's key, no argon2 and no audit rows (they are not what the directory reads)."""
from __future__ import annotations

import secrets as _secrets
from collections.abc import Callable

from sqlalchemy import insert, select, text

from centrex.models import Number, Tenant, User
from centrex.platform.crypto import SecretBox, digest_a1
from centrex.platform.db import db

BATCH = 5000


def add_tenants(first: int, count: int, users_per_tenant: int, sip_secret_key: str,
                secret_of: Callable[[str, str], str] | None = None) -> tuple[int, int]:
    """Tenants t<first>.bench.example ... each with users 1000.. and a direct number each, plus a main
    number. Commits. Returns (tenants, users) added. `secret_of(extension, domain)`: the users' SIP
    secrets (default: random ones)."""
    box = SecretBox(sip_secret_key)
    numbers = range(first, first + count)
    db.session.execute(insert(Tenant), [
        {"domain": _domain(n), "name": f"Bench {n}", "timezone": "Europe/Zurich", "language": "fr",
         "country": "CH", "status": "active", "max_calls": 10} for n in numbers])
    ids = dict(db.session.execute(select(Tenant.domain, Tenant.id)
                                  .where(Tenant.domain.in_([_domain(n) for n in numbers]))).all())
    users = []
    for n in numbers:
        domain = _domain(n)
        for i in range(users_per_tenant):
            extension = str(1000 + i)
            secret = secret_of(extension, domain) if secret_of else _secrets.token_urlsafe(15)
            users.append({"tenant_id": ids[domain], "extension": extension, "name": f"User {extension}",
                          "enabled": True, "sip_secret_enc": box.encrypt(secret),
                          "sip_a1_hash": digest_a1(extension, domain, secret), "max_calls": 2,
                          "caller_id_mode": "direct", "call_class": "national", "allow_premium": False})
    for start in range(0, len(users), BATCH):
        db.session.execute(insert(User), users[start:start + BATCH])
    rows = db.session.execute(select(User.id, User.tenant_id, User.extension)
                              .where(User.tenant_id.in_(list(ids.values())))).all()
    tenant_number = {tid: n for n, tid in ((n, ids[_domain(n)]) for n in numbers)}
    dids = [{"e164": f"+419{tenant_number[t]:05d}{int(ext):04d}", "tenant_id": t, "dest_type": "user",
             "dest_id": uid, "is_main": False} for uid, t, ext in rows]
    dids += [{"e164": f"+419{n:05d}0000", "tenant_id": ids[_domain(n)], "dest_type": None, "dest_id": None,
              "is_main": True} for n in numbers]
    for start in range(0, len(dids), BATCH):
        db.session.execute(insert(Number), dids[start:start + BATCH])
    db.session.commit()
    return count, len(users)


def analyze() -> None:
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))


def counts() -> tuple[int, int]:
    tenants = db.session.execute(text("SELECT count(*) FROM tenant")).scalar_one()
    users = db.session.execute(text("SELECT count(*) FROM sip_user")).scalar_one()
    return tenants, users


def _domain(n: int) -> str:
    return f"t{n:05d}.bench.example"


def tenant_domain(n: int) -> str:
    """The domain of bulk tenant number n."""
    return _domain(n)
