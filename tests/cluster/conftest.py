"""The cluster suite: Kamailio (Debian's 5.6) as the registrar in front of the switches, configured by
kamailio/deploy.py, authenticating SIPp phones against the product's database on the throwaway PostgreSQL
cluster (upgraded by the product's migrations, loaded with the demo). Run with `make test-cluster`.
Without Kamailio, SIPp or PostgreSQL the suite is skipped with one line, unless CENTREX_REQUIRE_KAMAILIO=1."""
from __future__ import annotations

import itertools
import os
import random
import secrets
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "live"))  # SIPp scenarios, process helpers

from cluster_edge import FAILED_AUTH_LIMIT, Edge, missing  # noqa: E402
from live_product import BIN, REPO, create_database  # noqa: E402
from sipp import SIPP, Sipp, register_scenario  # noqa: E402

from smtp_server import free_port  # noqa: E402

ADMIN_URL = os.environ.get("CENTREX_TEST_PG_ADMIN_URL")
MISSING = missing() or ("SIPp not found (apt-get install sip-tester)" if SIPP is None else None) or (
    "the cluster suite needs PostgreSQL: run it through `make test-cluster`" if not ADMIN_URL else None)
REQUIRED = os.environ.get("CENTREX_REQUIRE_KAMAILIO") == "1"



def pytest_ignore_collect(collection_path, config):
    if MISSING and not REQUIRED:
        return collection_path.name.startswith("test_") or None
    return None


def pytest_report_header(config):
    if MISSING:
        required()
        return f"cluster suite SKIPPED: {MISSING}"
    return "cluster suite: Kamailio as registrar, SIPp phones"


def pytest_collection_modifyitems(config, items):
    if MISSING:
        required()  # also under -q, which shows no header


def required() -> None:
    if REQUIRED:
        raise pytest.UsageError(f"CENTREX_REQUIRE_KAMAILIO=1 but {MISSING}")


def libpq(url: str, **parts) -> str:
    """A SQLAlchemy URL as libpq/Kamailio write it (postgres://user@host:port/db)."""
    url = make_url(url).set(drivername="postgresql", **parts).render_as_string(hide_password=False)
    return url.replace("postgresql://", "postgres://", 1)


class Cluster:
    def __init__(self, root: Path, database_url: str, env: dict, edge: Edge):
        self.root, self.database_url, self.env, self.edge = root, database_url, env, edge
        self.sipp = Sipp(root / "sipp")
        self._ports = itertools.count(random.randrange(40000, 55000, 10), 10)
        self.engine = create_engine(database_url)
        from wsgi import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": env["CENTREX_SECRET_KEY"],
                               "SIP_SECRET_KEY": env["CENTREX_SIP_SECRET_KEY"], "ANSWER_CACHE": False,
                               "INSTANCE": env["CENTREX_INSTANCE"]})

    @contextmanager
    def data(self):
        """The product's services on the cluster database, committed at the end (one unit of work)."""
        from centrex.platform.unit_of_work import unit_of_work

        with self.app.app_context(), unit_of_work() as session:
            yield session

    def user(self, session, extension: str, domain: str):
        from centrex.models import Tenant, User

        return session.execute(select(User).join(Tenant).where(
            Tenant.domain == domain, User.extension == extension)).scalar_one()

    def secret(self, extension: str, domain: str) -> str:
        from centrex.directory.users import reveal_secret

        with self.data() as session:
            return reveal_secret(self.user(session, extension, domain))

    def register(self, extension: str, domain: str, password: str, *, expires: int = 3600, timeout: float = 8):
        """One REGISTER through the edge with these credentials, from a fresh port; the SIPp result."""
        port = next(self._ports)
        return self.sipp.run(f"register-{extension}-{domain}", self.edge.address, register_scenario(expires),
                             [extension, domain], port, "-au", extension, "-ap", password, timeout=timeout)

    def locations(self, extension: str, domain: str) -> list[str]:
        """The contacts Kamailio wrote back to its `location` table (schema kamailio)."""
        with self.engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT contact FROM kamailio.location WHERE username = :u AND domain = :d ORDER BY contact"),
                {"u": extension, "d": domain}).scalars())


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    database_url = create_database(ADMIN_URL, "centrex_cluster")
    env = {**os.environ, "PYTHONPATH": str(REPO), "FLASK_APP": "wsgi:create_app",
           "CENTREX_INSTANCE": str(root / "instance"), "CENTREX_DATABASE_URL": database_url,
           "CENTREX_SECRET_KEY": secrets.token_urlsafe(24), "CENTREX_SIP_SECRET_KEY": Fernet.generate_key().decode()}
    for command in (["init-db"], ["load-demo"]):  # the product's migrations, then the demo, as `make run`
        subprocess.run([str(BIN / "flask"), *command], cwd=REPO, env=env, check=True, capture_output=True)
    from kamailio.deploy import prepare_database

    prepare_database(libpq(database_url).replace("postgres://", "postgresql://", 1))
    edge = Edge(root / "kamailio", free_port(), libpq(database_url, username="kamailio"),
                failed_auth_limit=FAILED_AUTH_LIMIT, ban_seconds=300, sync_seconds=2)
    edge.start()
    cluster = Cluster(root, database_url, env, edge)
    yield cluster
    edge.stop()
    cluster.engine.dispose()


@pytest.fixture(scope="session")
def pool(cluster, tmp_path_factory):
    """Two FreeSWITCH nodes behind the edge and the product they ask (cluster_pool.py); skipped without
    FreeSWITCH unless CENTREX_REQUIRE_KAMAILIO=1."""
    from cluster_pool import INSTALL, start_pool

    if INSTALL is None:
        if REQUIRED:
            pytest.fail("CENTREX_REQUIRE_KAMAILIO=1 but no FreeSWITCH (CENTREX_FREESWITCH_HOME, /opt/freeswitch)")
        pytest.skip("no FreeSWITCH for the pool behind the edge (CENTREX_FREESWITCH_HOME, /opt/freeswitch)")
    pool = start_pool(cluster, tmp_path_factory.mktemp("pool"))
    yield pool
    for phone in pool.phones:
        phone.stop()
    for node in pool.nodes.values():
        node.stop()
    pool.product.stop()


@pytest.fixture
def edge(cluster, request):
    """The cluster, with a clean slate of failed authentications and bans; Kamailio's log of the test
    is printed when it fails."""
    cluster.edge.rpc("htable.flush", "authfail")
    cluster.edge.rpc("htable.flush", "ipban")
    offset = cluster.edge.log_size()
    yield cluster
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- Kamailio's log of this test ---\n{cluster.edge.log_since(offset)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
