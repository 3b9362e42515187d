"""The production path of an xml_curl answer, on a real engine and pool (committed data): autocommit
reads that leave no trace on the pooled connection, and answers that survive PostgreSQL dropping it."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

import centrex.platform.db
from centrex.demo.companies import load_demo
from centrex.models import Tenant
from centrex.platform.audit import Actor, acting_as
from centrex.platform.db import db
from xmlcurl_helpers import a1_hashes, parse_document

pytestmark = pytest.mark.postgres

REGISTER = "21-directory-sip_auth-register-1001-password.http"
CALL = "25-dialplan-call-1001-to-1002.http"


@pytest.fixture
def loaded(app):
    """The demo committed, and no app context left pushed: each request then has its own context and
    session, checks a connection out of the pool and returns it, as under gunicorn."""
    with app.app_context(), acting_as(Actor("test")):
        load_demo()
        db.session.commit()
        db.session.remove()
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # drop the requests' pooled connections before emptying the tables
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def post(client, capture):
    from conftest import read_capture, xmlcurl_headers
    path, body = read_capture(capture)
    return client.post(path, data=body, headers=xmlcurl_headers(), environ_base={"REMOTE_ADDR": "127.0.0.1"})


def expected_hash(app) -> str:
    with app.app_context():
        value = a1_hashes("dupont.example")["1001"]
        db.session.remove()
    return value


def answered(response) -> str:
    return parse_document(response).xpath("string(//user/params/param[@name='a1-hash']/@value)")


def test_lookups_through_the_pool_are_answered_in_autocommit(loaded, app):
    """No BEGIN/ROLLBACK round trips around an answer's SELECTs: every connection an answer takes from a
    pool (the lookups run straight through psycopg, see centrex.platform.db.read_rows), and every statement
    run through SQLAlchemy, is in autocommit."""
    expected = expected_hash(app)
    modes = []

    def record(conn, cursor, statement, *_):
        modes.append(conn.connection.dbapi_connection.autocommit)

    def checked_out(dbapi_connection, *_):
        modes.append(dbapi_connection.autocommit)
    event.listen(Engine, "before_cursor_execute", record)
    event.listen(Pool, "checkout", checked_out)
    try:
        for _ in range(3):
            assert answered(post(loaded, REGISTER)) == expected
            assert b"user/1002@dupont.example" in post(loaded, CALL).data
    finally:
        event.remove(Engine, "before_cursor_execute", record)
        event.remove(Pool, "checkout", checked_out)
    assert modes and all(modes)


def test_autocommit_of_a_lookup_does_not_leak_into_the_next_transaction(loaded, app):
    assert answered(post(loaded, REGISTER)) == expected_hash(app)
    with app.app_context():  # a pooled connection a lookup used, now for someone who writes
        assert db.session.connection().connection.dbapi_connection.autocommit is False
        db.session.add(Tenant(domain="half-row.example", name="Half row"))
        db.session.flush()
        db.session.rollback()
        assert db.session.execute(text("SELECT count(*) FROM tenant WHERE domain = 'half-row.example'")
                                  ).scalar_one() == 0


def _drop_our_connections(app) -> int:
    """What a PostgreSQL restart does to the pool: every other backend of this database is terminated."""
    killer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with killer.connect() as conn:
        killed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    killer.dispose()
    return killed


def _pool_two_lookup_connections(app) -> None:
    """Two connections in the lookups' pool, as under load: after a restart both are dead, and the retry
    must not take the other one."""
    with app.app_context():
        engine = centrex.platform.db.autocommit_engine()
        first, second = engine.raw_connection(), engine.raw_connection()
        first.close()
        second.close()
        assert engine.pool.checkedin() >= 2
        db.session.remove()


def test_a_dropped_busy_connection_is_replaced_within_the_request(loaded, app, caplog):
    expected = expected_hash(app)
    assert answered(post(loaded, REGISTER)) == expected
    _pool_two_lookup_connections(app)
    assert _drop_our_connections(app) >= 2
    assert answered(post(loaded, REGISTER)) == expected  # retried on a fresh connection
    assert "database connection lost" in caplog.text


def test_a_dropped_idle_connection_is_replaced_at_checkout(loaded, app, monkeypatch, caplog):
    expected = expected_hash(app)
    assert answered(post(loaded, REGISTER)) == expected
    monkeypatch.setattr(centrex.platform.db, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    assert _drop_our_connections(app) >= 1
    assert answered(post(loaded, REGISTER)) == expected
    assert "database connection lost" not in caplog.text  # the ping caught it, not the retry
