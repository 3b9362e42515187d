"""The per-process answer cache: answers served without the database, and never stale after a
committed change, in this process or another one (PostgreSQL NOTIFY)."""
from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from lxml import etree
from sqlalchemy import event, select, text

from centrex.demo.companies import load_demo
from centrex.directory.users import update_user
from centrex.models import User
from centrex.platform.answer_cache import cache, watched_tables
from centrex.platform.db import db
from conftest import read_capture, xmlcurl_headers

pytestmark = pytest.mark.postgres


@pytest.fixture
def cached_app(app, committed):
    load_demo()
    committed.commit()
    app.config["ANSWER_CACHE"] = True
    cache.clear()
    client = app.test_client()
    wait_until(lambda: post(client, "21-directory-sip_auth-register-1001-password.http") is not None
               and cache._listening)
    yield client
    app.config["ANSWER_CACHE"] = False
    cache.clear()


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail("condition not met in time")


def post(client, capture, replace=None):
    path, body = read_capture(capture)
    for old, new in (replace or {}).items():
        body = body.replace(old.encode(), new.encode())
    response = client.post(path, data=body, headers=xmlcurl_headers(), environ_base={"REMOTE_ADDR": "127.0.0.1"})
    db.session.remove()  # the request's end (this test shares its app context with the requests)
    assert response.status_code == 200
    return etree.fromstring(response.data)


def a1_of(document) -> str:
    return document.xpath("string(//user/params/param[@name='a1-hash']/@value)")


@contextmanager
def counted_queries():
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_repeated_register_is_answered_without_the_database(cached_app):
    first = post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    with counted_queries() as statements:
        again = post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    assert statements == []
    assert a1_of(again) == a1_of(first) != ""


def test_a_committed_change_is_seen_at_once(cached_app, committed):
    before = a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http"))
    alain = committed.execute(select(User).where(User.name == "Alain Dupont")).scalar_one()
    update_user(alain, {"sip_secret": "a-brand-new-secret-42"})
    committed.commit()
    expected = alain.sip_a1_hash
    assert expected != before
    wait_until(lambda: a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http")) == expected, 2.0)


def test_a_change_from_another_process_invalidates(cached_app, app):
    before = a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http"))
    # Another process (here: another connection, outside the ORM) changes the hash and notifies.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE sip_user SET sip_a1_hash = 'ffffffffffffffffffffffffffffffff' "
                          "WHERE extension = '1001' AND name = 'Alain Dupont'"))
        conn.execute(text("SELECT pg_notify('centrex_config', '')"))
    wait_until(lambda: a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http"))
               == "ffffffffffffffffffffffffffffffff", 2.0)
    assert before != "ffffffffffffffffffffffffffffffff"


def test_a_lost_channel_falls_back_to_the_database(cached_app, committed):
    post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    committed.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE query LIKE 'LISTEN centrex_config%' AND pid <> pg_backend_pid()"))
    committed.commit()
    wait_until(lambda: not cache._listening, 5.0)
    alain = committed.execute(select(User).where(User.name == "Alain Dupont")).scalar_one()
    update_user(alain, {"sip_secret": "changed-while-deaf-1"})
    committed.commit()
    expected = alain.sip_a1_hash
    assert a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http")) == expected
    wait_until(lambda: cache._listening, 10.0)


def test_dialplan_sees_a_new_forward_rule(cached_app, committed):
    from centrex.routing.forwards import add_forward_rule

    def bridges():
        doc = post(cached_app, "25-dialplan-call-1001-to-1002.http")
        return " ".join(doc.xpath("//action[@application='bridge']/@data"))

    assert "user/1002@dupont.example" in bridges()
    sophie = committed.execute(select(User).where(User.name == "Sophie Martin")).scalar_one()
    julie_id = committed.execute(select(User.id).where(User.name == "Julie Bernard")).scalar_one()
    add_forward_rule(sophie, {"kind": "always", "dest": {"type": "user", "id": julie_id}})
    committed.commit()
    wait_until(lambda: "user/1004@dupont.example" in bridges(), 2.0)
    assert "user/1002@dupont.example" not in bridges()


def test_the_cache_watches_what_the_answers_read():
    assert {"sip_user", "tenant", "did_number", "ring_group", "forward_rule", "schedule_range"} <= watched_tables()
    # what callers hear: greetings, announcements, hold music
    assert {"user_voicemail", "voicemail_box", "audio_file", "number_announcement", "moh_class"} <= watched_tables()


def test_tables_of_logs_do_not_invalidate():
    assert not {"audit_entry", "prov_download", "outbox_message"} & watched_tables()


def test_a_change_in_one_company_keeps_the_other_companies_answers(cached_app, committed):
    post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    martin = {"dupont.example": "martin.example"}
    before = a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http", martin))
    flushes = cache._generation
    someone = committed.execute(select(User).join(User.tenant).where(
        User.extension == "1001", User.tenant.has(domain="martin.example"))).scalar_one()
    update_user(someone, {"sip_secret": "martins-new-secret-77"})
    committed.commit()
    expected = someone.sip_a1_hash
    wait_until(lambda: a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http", martin))
               == expected != before, 2.0)
    assert cache._generation > flushes  # the NOTIFY came and was acted on
    with counted_queries() as statements:
        dupont = post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    assert statements == []  # Dupont's answer survived Martin's change
    assert a1_of(dupont) != ""


def test_a_notify_naming_other_companies_keeps_an_answer_and_one_naming_its_company_drops_it(cached_app, app):
    post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    dupont_id = db.session.execute(text("SELECT id FROM tenant WHERE domain = 'dupont.example'")).scalar_one()
    flushes = cache._generation
    with db.engine.begin() as conn:
        others = f"{dupont_id + 1000},{dupont_id + 1001}"
        conn.execute(text("SELECT pg_notify('centrex_config', :ids)"), {"ids": others})
    wait_until(lambda: cache._generation > flushes, 2.0)
    with counted_queries() as statements:
        post(cached_app, "21-directory-sip_auth-register-1001-password.http")
    assert statements == []
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE sip_user SET sip_a1_hash = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' "
                          "WHERE extension = '1001' AND name = 'Alain Dupont'"))
        conn.execute(text("SELECT pg_notify('centrex_config', :ids)"), {"ids": str(dupont_id)})
    wait_until(lambda: a1_of(post(cached_app, "21-directory-sip_auth-register-1001-password.http"))
               == "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", 2.0)


def test_a_not_found_answer_goes_with_any_change(cached_app, committed):
    """A "no such user" depends on no company's rows yet: the company that creates the user drops it."""
    from centrex.directory.users import create_user
    from centrex.models import Tenant

    def new_user_found():
        doc = post(cached_app, "21-directory-sip_auth-register-1001-password.http",
                   {"1001": "1077"})
        return a1_of(doc) != ""

    assert not new_user_found()
    dupont = committed.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    create_user(dupont, {"name": "Nouveau Collègue", "extension": "1077"})
    committed.commit()
    wait_until(new_user_found, 2.0)


def test_notify_payloads():
    from centrex.platform.answer_cache import companies_of

    assert companies_of("") is None
    assert companies_of("5,7") == {5, 7}
    assert companies_of("5,x") is None  # unreadable: everything goes


def test_another_process_change_drops_that_company_routing_graph_only(cached_app, app):
    """The routing graph is cached per company: a change committed elsewhere (another process: here
    another connection, outside the ORM) with its NOTIFY naming Dupont is seen on Dupont's next call,
    while Martin's graph stays cached."""
    def bridges(domain):
        doc = post(cached_app, "25-dialplan-call-1001-to-1002.http", {"dupont.example": domain})
        return " ".join(doc.xpath("//action[@application='bridge']/@data"))

    assert "user/1002@dupont.example" in bridges("dupont.example")
    assert "user/1002@martin.example" in bridges("martin.example")
    assert {("routing", "dupont.example"), ("routing", "martin.example")} <= set(cache._data)
    with db.engine.begin() as conn:
        dupont = conn.execute(text("SELECT id FROM tenant WHERE domain = 'dupont.example'")).scalar_one()
        conn.execute(text("UPDATE sip_user SET enabled = false WHERE extension = '1002' AND tenant_id = :t"),
                     {"t": dupont})
        conn.execute(text("SELECT pg_notify('centrex_config', :companies)"), {"companies": str(dupont)})
    wait_until(lambda: "user/1002@dupont.example" not in bridges("dupont.example"), 2.0)
    assert ("routing", "martin.example") in cache._data
