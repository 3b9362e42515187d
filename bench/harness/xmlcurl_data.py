"""The xml_curl benches' data: a dataset (the demo plus bulk tenants) in a fresh database, the
environment the product runs with, and request bodies naming many distinct users (one captured
request per user, rewritten)."""
from __future__ import annotations

import base64
import random
import re
import secrets
from dataclasses import dataclass

import harness
from harness import bulk
from harness.database import fresh_database

REGISTER = "21-directory-sip_auth-register-1001-password.http"
CALL = "25-dialplan-call-1001-to-1002.http"
_CAPTURED_DOMAIN = b"dupont.example"
_CAPTURED_TENANT = re.compile(rb"(?<=[=])dupont(?=&)")  # variable_domain_tenant, variable_accountcode
_CAPTURED_CALLER = re.compile(rb"(?<![0-9])1001(?![0-9])")
_CAPTURED_CALLEE = re.compile(rb"(?<![0-9])1002(?![0-9])")


@dataclass(frozen=True)
class Dataset:
    name: str
    bulk_tenants: int
    users_per_tenant: int


SMALL = Dataset("small", bulk_tenants=20, users_per_tenant=50)     # ~1,000 users (+ the demo)
LARGE = Dataset("large", bulk_tenants=1000, users_per_tenant=50)   # ~50,000 users (+ the demo)


def product_env(work) -> dict[str, str]:
    """CENTREX_* settings of the product under bench (fresh keys, xml_curl credentials, loopback only)."""
    return {"CENTREX_INSTANCE": str(work / "instance"), "CENTREX_SECRET_KEY": secrets.token_urlsafe(32),
            "CENTREX_SIP_SECRET_KEY": harness.sip_secret_key(), "CENTREX_XMLCURL_USERNAME": "freeswitch",
            "CENTREX_XMLCURL_PASSWORD": secrets.token_urlsafe(18),
            "CENTREX_XMLCURL_ALLOWED_NETWORKS": "127.0.0.1/32,::1/128"}


def xmlcurl_headers(env: dict[str, str]) -> dict[str, str]:
    """The headers mod_xml_curl sends (its form, its user agent, our credentials)."""
    token = base64.b64encode(f"freeswitch:{env['CENTREX_XMLCURL_PASSWORD']}".encode()).decode()
    return {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "freeswitch-xml/1.0",
            "Authorization": "Basic " + token}


def build_dataset(dataset: Dataset, env: dict) -> tuple[str, tuple[int, int]]:
    """A fresh database with the schema, the demo (Dupont SA, Martin Sàrl) and the bulk tenants."""
    from centrex.demo.companies import load_demo
    from centrex.platform.audit import Actor, acting_as
    from centrex.platform.crypto import use_cheap_hashing
    from centrex.platform.db import db
    from wsgi import create_app

    use_cheap_hashing()  # the demo's console logins only; nothing here is timed
    url = fresh_database(f"bench_xmlcurl_{dataset.name}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), acting_as(Actor("bench")):
        db.create_all()
        load_demo()
        db.session.commit()
        for first in range(0, dataset.bulk_tenants, 200):
            bulk.add_tenants(first, min(200, dataset.bulk_tenants - first), dataset.users_per_tenant,
                             env["CENTREX_SIP_SECRET_KEY"])
        bulk.analyze()
        size = bulk.counts()
        db.session.remove()
        db.engine.dispose()
    return url, size


def distinct_users(dataset: Dataset, seed: int) -> list[tuple[str, str, str]]:
    """Every bulk user once, in a shuffled order, each with a colleague to call:
    [(domain, extension, colleague's extension)]."""
    rng = random.Random(seed)
    users = []
    for n in range(dataset.bulk_tenants):
        for i in range(dataset.users_per_tenant):
            other = (i + rng.randrange(1, dataset.users_per_tenant)) % dataset.users_per_tenant
            users.append((bulk.tenant_domain(n), str(1000 + i), str(1000 + other)))
    rng.shuffle(users)
    return users


def user_body(captured: bytes, domain: str, extension: str, callee: str) -> bytes:
    """The captured request (1001@dupont.example, calling 1002) as asked by/for another user."""
    body = _CAPTURED_CALLEE.sub(callee.encode(), _CAPTURED_CALLER.sub(extension.encode(), captured))
    body = body.replace(_CAPTURED_DOMAIN, domain.encode())
    return _CAPTURED_TENANT.sub(domain.split(".")[0].encode(), body)
