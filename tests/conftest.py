"""Test fixtures: the app on PostgreSQL (CENTREX_TEST_DATABASE_URL, set by `make test`) or SQLite,
each test in a transaction rolled back through a savepoint, and factories for test data."""
from __future__ import annotations

import atexit
import base64
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

# This run's own metrics files (centrex.platform.metrics reads the variable at import): a scrape counts
# this process's traffic only, never another test run's or a benchmark's in the same clone.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="centrex-test-metrics-")
atexit.register(shutil.rmtree, os.environ["PROMETHEUS_MULTIPROC_DIR"], True)

from alembic import command  # noqa: E402

from centrex.platform import migrations  # noqa: E402
from centrex.platform.audit import Actor, acting_as  # noqa: E402
from centrex.platform.crypto import SecretBox, use_cheap_hashing  # noqa: E402
from centrex.platform.db import db  # noqa: E402
from wsgi import create_app  # noqa: E402

pytest_plugins = ["smtp_server", "fax_helpers", "esl_server"]  # real SMTP server, fax spool, test ESL server


# tests/fixtures/freeswitch: what FreeSWITCH 1.10.12 posted and sent, captured live (its README says how)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "freeswitch"

XMLCURL_USER = "freeswitch"
XMLCURL_PASSWORD = "test-xmlcurl-secret"
TEST_SIP_KEY = SecretBox.new_key()
ON_POSTGRES = bool(os.environ.get("CENTREX_TEST_DATABASE_URL"))
use_cheap_hashing()


def pytest_collection_modifyitems(config, items):
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run through `make test`)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("CENTREX_TEST_DATABASE_URL") or \
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'centrex-test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    os.environ["CENTREX_INSTANCE"] = str(instance)
    application = create_app({
        "TESTING": True,
        "ANSWER_CACHE": False,  # tests/test_answer_cache.py turns it on with committed data
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "SIP_SECRET_KEY": TEST_SIP_KEY,
        "XMLCURL_USERNAME": XMLCURL_USER,
        "XMLCURL_PASSWORD": XMLCURL_PASSWORD,
        "XMLCURL_ALLOWED_NETWORKS": ["127.0.0.1/32", "::1/128"],
    })
    with application.app_context():
        db.drop_all()
        db.create_all()
        # create_all builds the models' schema, which tests/test_migrations.py proves equal to head's
        command.stamp(migrations.alembic_config(), "head", purge=True)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app):
    """A database session whose work is rolled back at the end of the test (savepoint pattern):
    commits made by the code under test release savepoints inside one outer transaction."""
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.session_factory.kw["join_transaction_mode"] = "create_savepoint"
        try:
            with acting_as(Actor("test")):
                yield db.session
        finally:
            db.session.remove()
            db.session.session_factory.kw.pop("join_transaction_mode", None)
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def committed(app):
    """For tests whose code runs in other threads or processes (servers, listeners): real commits,
    and every table emptied afterwards."""
    with app.app_context(), acting_as(Actor("test")):
        yield db.session
        db.session.rollback()
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if ON_POSTGRES:
                conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture
def demo(session):
    """Both demo companies (Dupont SA and Martin Sàrl) as `make run` loads them."""
    from centrex.demo.companies import load_demo

    return {tenant.domain: tenant for tenant in load_demo()["tenants"]}


@pytest.fixture
def dupont(request, demo, session):
    """Dupont SA (dupont.example), the demo company most tests act on. In a module marked `commit_demo`
    the demo is committed first: its own after-commit work (switch commands) is done, a test sees its own."""
    if request.node.get_closest_marker("commit_demo"):
        session.commit()
    return demo["dupont.example"]


@pytest.fixture
def admin(client, dupont):
    """The test client, logged in to the console as Dupont SA's administrator."""
    from webui_testing import ADMIN_DUPONT, login

    login(client, ADMIN_DUPONT)
    return client


def xmlcurl_headers() -> dict:
    token = base64.b64encode(f"{XMLCURL_USER}:{XMLCURL_PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "freeswitch-xml/1.0"}


def read_capture(name: str) -> tuple[str, bytes]:
    """(request path, urlencoded body) of a captured mod_xml_curl request in fixtures/xml_curl/."""
    raw = (FIXTURES / "xml_curl" / name).read_bytes()
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    path = head.split(b"\n", 1)[0].split()[1].decode()
    return path, body.strip()


@pytest.fixture
def post_capture(client):
    """Replay a captured mod_xml_curl request against the app, as FreeSWITCH would (from 127.0.0.1)."""
    def post(name: str, *, path: str | None = None, replace: dict | None = None):
        capture_path, body = read_capture(name)
        for old, new in (replace or {}).items():
            body = body.replace(old.encode(), new.encode())
        return client.post(path or capture_path, data=body, headers=xmlcurl_headers(),
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})
    return post
