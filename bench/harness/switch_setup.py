"""What both switch benches stand on: a PostgreSQL database with 2,000 users in 100 companies (their
secrets derived by switch_answers.bench_secret), and the backends a switch can be pointed at, each a
gunicorn with 2 sync workers as in production: the product, the constant answers, and product variants."""
from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from harness import bulk
from harness.database import fresh_database, postmaster_pid
from harness.live_switch_load import Backend, load_average
from harness.server import Gunicorn
from harness.switch_answers import bench_secret
from harness.xmlcurl_data import product_env

COMPANIES, USERS_PER_COMPANY = 100, 20
# backend name -> extra environment of its gunicorn
BACKENDS = {
    "product": {},
    "constant": {"BENCH_SWITCH_CONSTANT": "1"},
    "product-no-max-registrations": {"BENCH_DROP_MAX_REGISTRATIONS": "1"},
    "product-no-user-cache": {"BENCH_DROP_USER_CACHE": "1"},
}


def prepare(prefix: str, companies: int = COMPANIES, users_per_company: int = USERS_PER_COMPANY
            ) -> tuple[Path, dict, str]:
    """Print the load average; a work folder, the product's CENTREX_* settings (also in os.environ) and
    the bench database's URL."""
    print(f"load average at start: {load_average()}", flush=True)
    work = Path(tempfile.mkdtemp(prefix=prefix))
    env = product_env(work)
    os.environ.update(env)
    return work, env, build_database(env, companies, users_per_company)


def build_database(env: dict, companies: int = COMPANIES, users_per_company: int = USERS_PER_COMPANY) -> str:
    """A fresh database: the schema and the bulk companies (no demo). Its URL."""
    from centrex.platform.audit import Actor, acting_as
    from centrex.platform.crypto import use_cheap_hashing
    from centrex.platform.db import db
    from wsgi import create_app

    use_cheap_hashing()
    url = fresh_database("bench_switch")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), acting_as(Actor("bench")):
        db.create_all()
        bulk.add_tenants(0, companies, users_per_company, env["CENTREX_SIP_SECRET_KEY"], secret_of=bench_secret)
        bulk.analyze()
        db.session.remove()
        db.engine.dispose()
    return url


def users(companies: int = COMPANIES, users_per_company: int = USERS_PER_COMPANY) -> list[tuple[str, str, str]]:
    """(extension, domain, secret) of every bulk user, company after company."""
    return [(str(1000 + i), bulk.tenant_domain(n), bench_secret(str(1000 + i), bulk.tenant_domain(n)))
            for n in range(companies) for i in range(users_per_company)]


def did(extension: str, domain: str) -> str:
    """The direct number bulk.add_tenants gave this user."""
    return f"+419{int(domain[1:6]):05d}{int(extension):04d}"


def start_backends(stack: ExitStack, env: dict, database_url: str, work, names) -> dict[str, Backend]:
    """A gunicorn per backend name (see BACKENDS), closed with `stack`. Each backend's CPU counts its
    gunicorn's process tree and PostgreSQL's."""
    postgres = postmaster_pid(database_url)
    credentials = f"{env['CENTREX_XMLCURL_USERNAME']}:{env['CENTREX_XMLCURL_PASSWORD']}"
    backends = {}
    for number, name in enumerate(names):
        server = stack.enter_context(Gunicorn(f"switch-{number}", {**env, "CENTREX_DATABASE_URL": database_url,
                                                                   **BACKENDS[name]}, work))
        backends[name] = Backend(name, server.url, credentials, [server.pid, postgres])
    return backends
