"""The embedded default (SQLite, as `make run` uses it) under a small office's traffic, for real: a file
database, several processes answering round-robin dialplan requests (each one writes the group's rotation)
while another imports call records in a loop, as the ESL listener does, and another posts legs to /cdr as
mod_xml_cdr does. No caller may get "not found", no rotation step and no call record may be lost."""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
import uuid

import pytest
from lxml import etree
from sqlalchemy import func, select

from cdr_captures import CDR_DIR, UUID_RE, session1_hangups, with_fresh_uuids
from centrex.models import RingGroup
from centrex.platform.audit import Actor, acting_as
from centrex.platform.db import db
from conftest import TEST_SIP_KEY, XMLCURL_PASSWORD, XMLCURL_USER, read_capture, xmlcurl_headers
from wsgi import create_app

pytestmark = pytest.mark.smoke

INTERNAL = "25-dialplan-call-1001-to-1002.http"
DIALPLAN_PROCESSES = 3
REQUESTS_EACH = 40
SALES_MEMBERS = {"1001", "1002", "1005"}  # Dupont's "Ventes" group (2002)


def make_app(url: str, instance: str):
    os.environ["CENTREX_INSTANCE"] = instance
    return create_app({
        "TESTING": True, "ANSWER_CACHE": False, "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key", "SIP_SECRET_KEY": TEST_SIP_KEY,
        "XMLCURL_USERNAME": XMLCURL_USER, "XMLCURL_PASSWORD": XMLCURL_PASSWORD,
        "XMLCURL_ALLOWED_NETWORKS": ["127.0.0.1/32", "::1/128"]})


def child_logs_to_stderr() -> None:
    """The app's warnings and tracebacks of a child process on its stderr (shown when the test fails)."""
    logging.getLogger().addHandler(logging.StreamHandler(sys.stderr))


def first_rung(response) -> str:
    """Who the answer rings first, or what went wrong instead."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    document = etree.fromstring(response.data)
    bridges = document.xpath("//action[@application='bridge']/@data")
    if not bridges:
        return "not found" if document.xpath("//result[@status='not found']") else "no bridge"
    return bridges[0].split("|")[0].split("user/")[1].split("@")[0]


def answer_dialplan_requests(url, instance, start, results):
    """One web worker: REQUESTS_EACH calls to the round-robin group 2002, as FreeSWITCH posts them."""
    child_logs_to_stderr()
    app = make_app(url, instance)
    path, body = read_capture(INTERNAL)
    body = body.replace(b"Destination-Number=1002", b"Destination-Number=2002")
    client = app.test_client()
    start.wait()
    answers = []
    for _ in range(REQUESTS_EACH):
        answers.append(first_rung(client.post(path, data=body, headers=xmlcurl_headers(),
                                              environ_base={"REMOTE_ADDR": "127.0.0.1"})))
    results.put(("dialplan", answers))


def import_call_records(url, instance, start, dialplan_done, results):
    """The ESL listener: batches of hang-up events (the captured calls, fresh UUIDs each time) through the
    CDR handler and the listener's commit, until the dialplan workers are done."""
    from esl_handlers.cdr_events import journal_and_import
    from esl_handlers.dispatch import Event

    child_logs_to_stderr()
    app = make_app(url, instance)
    captured = session1_hangups()
    start.wait()
    legs, failures, batches = 0, [], 0
    while not dialplan_done.is_set() or batches < 3:
        messages = with_fresh_uuids(captured)
        events = [Event.from_plain(m.split(b"\n\n", 1)[1].decode(), "127.0.0.1:8021") for m in messages]
        with app.app_context():
            try:
                journal_and_import(events)
                db.session.commit()
            except Exception as exc:  # what the listener would log as a traceback
                db.session.rollback()
                failures.append(repr(exc)[:300])
            finally:
                db.session.remove()
        legs += len(events)
        batches += 1
    results.put(("cdr", (legs, batches, failures)))


def demo_file(tmp_path):
    """(url, instance folder, app, id of the sales group made round robin) on a fresh SQLite file."""
    from centrex.demo.companies import load_demo
    from centrex.routing.groups import update_ring_group

    url, instance = f"sqlite:///{tmp_path / 'centrex.sqlite'}", str(tmp_path / "instance")
    os.makedirs(instance)
    app = make_app(url, instance)
    with app.app_context(), acting_as(Actor("test")):
        db.create_all()
        load_demo()
        sales = db.session.execute(select(RingGroup).where(RingGroup.name == "Ventes")).scalar_one()
        update_ring_group(sales, {"strategy": "round_robin"})
        db.session.commit()
        sales_id = sales.id
        db.session.remove()
        db.engine.dispose()
    return url, instance, app, sales_id


def post_xml_cdr_records(url, instance, start, dialplan_done, results):
    """mod_xml_cdr: both legs of the captured call 1001 -> 1002 posted to /cdr (fresh UUIDs each time)."""
    child_logs_to_stderr()
    app = make_app(url, instance)
    bodies = [(CDR_DIR / f"xml_cdr-post-call-1001-to-1002-{leg}.http").read_bytes().replace(b"\r\n", b"\n")
              .split(b"\n\n", 1)[1] for leg in ("a_leg", "b_leg")]
    client = app.test_client()
    start.wait()
    posts, refused = 0, []
    while not dialplan_done.is_set() or posts < 6:
        fresh: dict[bytes, bytes] = {}
        for body in bodies:
            body = UUID_RE.sub(lambda m: fresh.setdefault(m.group(0), str(uuid.uuid4()).encode()), body)  # noqa: B023
            response = client.post("/cdr", data=body, headers=xmlcurl_headers(),
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
            posts += 1
            if response.status_code != 200:
                refused.append(f"{response.status_code} {response.data[:80]!r}")
    results.put(("xml_cdr", (posts, refused)))


def test_round_robin_calls_and_cdr_imports_share_the_sqlite_file(tmp_path):
    from centrex.calls import journal as cdr
    from centrex.models import CdrJournal

    url, instance, app, sales_id = demo_file(tmp_path)

    context = multiprocessing.get_context("fork")
    start, dialplan_done, results = context.Event(), context.Event(), context.Queue()
    workers = [context.Process(target=answer_dialplan_requests, args=(url, instance, start, results))
               for _ in range(DIALPLAN_PROCESSES)]
    importer = context.Process(target=import_call_records, args=(url, instance, start, dialplan_done, results))
    poster = context.Process(target=post_xml_cdr_records, args=(url, instance, start, dialplan_done, results))
    others = [importer, poster]
    for process in [*others, *workers]:
        process.start()
    started = time.monotonic()
    start.set()
    collected = {"dialplan": [], "cdr": [], "xml_cdr": []}
    try:
        while len(collected["dialplan"]) < len(workers):
            kind, value = results.get(timeout=240)
            collected[kind].append(value)
        dialplan_done.set()
        while not collected["cdr"] or not collected["xml_cdr"]:
            kind, value = results.get(timeout=240)
            collected[kind].append(value)
    finally:
        dialplan_done.set()
        for process in [*others, *workers]:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    elapsed = time.monotonic() - started

    answers = [a for worker in collected["dialplan"] for a in worker]
    assert len(answers) == DIALPLAN_PROCESSES * REQUESTS_EACH
    wrong = [a for a in answers if a not in SALES_MEMBERS]
    (legs, batches, failures), = collected["cdr"]
    (posts, refused), = collected["xml_cdr"]
    assert (len(wrong), len(failures), len(refused)) == (0, 0, 0), \
        f"{len(wrong)} of {len(answers)} calls not rung ({sorted(set(wrong))}); " \
        f"{len(failures)} of {batches} CDR batches failed: {failures[:2]}; " \
        f"{len(refused)} of {posts} xml_cdr posts refused: {refused[:2]}"
    assert set(answers) == SALES_MEMBERS  # the rotation moved: each member was rung first by some call
    with app.app_context():
        assert db.session.get(RingGroup, sales_id).rotation == len(answers)  # every call moved it on
        assert db.session.execute(select(func.count(CdrJournal.id))).scalar_one() == legs + posts
        assert cdr.pending_calls() == []  # every journaled call became a record (or a visible problem)
        db.session.remove()
        db.engine.dispose()
    print(f"{len(answers)} dialplan answers, {batches} CDR batches ({legs} legs), {posts} xml_cdr posts "
          f"in {elapsed:.1f} s")


def test_a_rotation_that_cannot_be_written_still_rings_the_group(tmp_path, monkeypatch, caplog):
    """Another process holds SQLite's write lock longer than the busy timeout: the call is still rung
    (this rotation step is lost and logged), never answered "not found"."""
    import sqlite3

    import centrex.platform.db

    url, instance, app, sales_id = demo_file(tmp_path)
    monkeypatch.setattr(centrex.platform.db, "SQLITE_BUSY_TIMEOUT_MS", 300)  # for the app's new connections
    path, body = read_capture(INTERNAL)
    body = body.replace(b"Destination-Number=1002", b"Destination-Number=2002")
    blocker = sqlite3.connect(tmp_path / "centrex.sqlite", isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # a long writer elsewhere (a stuck import, a CLI rebuild)
        started = time.monotonic()
        response = app.test_client().post(path, data=body, headers=xmlcurl_headers(),
                                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
        waited = time.monotonic() - started
    finally:
        blocker.rollback()
        blocker.close()
    assert first_rung(response) in SALES_MEMBERS
    assert 0.25 < waited < 10  # it waited its turn for the busy timeout (0.3 s), not for ever
    assert "rotation of groups" in caplog.text
    with app.app_context():
        assert db.session.get(RingGroup, sales_id).rotation == 0
        db.session.remove()
        db.engine.dispose()
