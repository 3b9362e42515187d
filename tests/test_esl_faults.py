"""Faults, with `flask esl run` as its own process on the test PostgreSQL: kill -9 mid-stream then restart,
and the database unavailable for a while. After each, every call has exactly one record."""
import os
import signal
import subprocess
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from cdr_captures import SESSION2_SLICES, hangups, spool_dir_copy, with_fresh_uuids
from centrex.demo.companies import load_demo
from centrex.models import CallRecord, CdrJournal
from centrex.platform.db import db
from esl_handlers.listener import load_handlers
from esl_server import capture_events, esl_server  # noqa: F401
from listener_helpers import TcpProxy, count, listener_process, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FIRST = SESSION2_SLICES[:5] + SESSION2_SLICES[8:]  # outcomes a-e, moh, conference, click-to-call
SECOND = ["events-plain-ivr-dtmf-transfer.bin", "events-plain-external-did.bin.gz",
          "events-plain-callcenter.bin.gz"]
SECOND_POSTS = ["xml_cdr-post-ivr-a_leg.http", "xml_cdr-post-external-did-a_leg.http",
                "xml_cdr-post-callcenter-member-a_leg.http"]
SECOND_CALLS = {"886f1f28-0bdb-449d-a27d-910932f7e936", "4b623488-2fa1-4185-af9a-249723fefec7",
                "5c093878-79a4-4781-b04a-e1297c92aa1f"}


def calls_of(names) -> set[str]:
    from centrex.freeswitch.cdr_legs import leg_from_plain

    return {leg_from_plain(m.split(b"\n\n", 1)[1].decode())["call"] for m in hangups(*names)}


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def no_duplicates() -> None:
    db.session.rollback()
    assert db.session.execute(select(func.count(func.distinct(CallRecord.call_uuid)))).scalar_one() == \
        count(CallRecord)
    assert db.session.execute(select(func.count(func.distinct(CdrJournal.leg_uuid)))).scalar_one() == \
        count(CdrJournal)


@pytest.fixture
def demo_committed(committed):
    load_demo()
    committed.commit()
    load_handlers()
    return committed


def test_kill_9_mid_stream_then_restart_loses_and_duplicates_nothing(demo_committed, esl_server, tmp_path):
    url = os.environ["CENTREX_TEST_DATABASE_URL"]
    spool, log = tmp_path / "spool", tmp_path / "listener.log"
    listener = listener_process(url, esl_server.address, tmp_path / "instance", spool=spool, log=log)
    try:
        esl_server.wait_subscribed(timeout=30)
        esl_server.broadcast(capture_events(*FIRST))
        first = calls_of(FIRST)
        wait_until(lambda: count(CallRecord, CallRecord.call_uuid.in_(first)) == len(first), timeout=20,
                   what="the first calls")
        esl_server.broadcast(capture_events(*SECOND) * 3)  # the second calls, and duplicates
        listener.send_signal(signal.SIGKILL)  # mid-stream: some of it read, some journaled, some not
        assert listener.wait(timeout=10) == -signal.SIGKILL
        # FreeSWITCH's backstop: the records it could not post while we were down sit in its spool
        spool_dir_copy(spool, SECOND_POSTS)
        listener = listener_process(url, esl_server.address, tmp_path / "instance", spool=spool, log=log)
        esl_server.wait_subscribed(timeout=30)
        # a call after the restart
        late = with_fresh_uuids(capture_events("events-plain-outcome_d-sequential.bin"))
        esl_server.broadcast(late)
        expected = first | SECOND_CALLS | calls_of_messages(late)
        wait_until(lambda: count(CallRecord) == len(expected), timeout=30, what="every call once")
        wait_until(lambda: not any(spool.glob("*.xml")), timeout=10, what="the spool emptied")
    finally:
        code = stop(listener)
    assert code == 0, log.read_text()[-3000:]
    assert set(db.session.execute(select(CallRecord.call_uuid)).scalars()) == expected
    no_duplicates()
    answered = dict(db.session.execute(select(CallRecord.call_uuid, CallRecord.answered_by)).all())
    assert answered["4b623488-2fa1-4185-af9a-249723fefec7"] == "1002"  # from events or from the spool alike
    assert answered["5c093878-79a4-4781-b04a-e1297c92aa1f"] == "1002"


def calls_of_messages(messages) -> set[str]:
    from centrex.freeswitch.cdr_legs import leg_from_plain

    return {leg_from_plain(m.split(b"\n\n", 1)[1].decode())["call"] for m in messages
            if b"Event-Name: CHANNEL_HANGUP_COMPLETE" in m}


def test_database_unavailable_for_a_while_loses_nothing(demo_committed, esl_server, tmp_path):
    url = urlsplit(os.environ["CENTREX_TEST_DATABASE_URL"])
    proxy = TcpProxy(url.hostname, url.port)
    through_proxy = url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}").geturl()
    log = tmp_path / "listener.log"
    listener = listener_process(through_proxy, esl_server.address, tmp_path / "instance", log=log)
    try:
        esl_server.wait_subscribed(timeout=30)
        esl_server.broadcast(capture_events(*FIRST[:3]))
        first = calls_of(FIRST[:3])
        wait_until(lambda: count(CallRecord) == len(first), timeout=20, what="the first calls")
        proxy.cut()  # PostgreSQL unreachable for the listener (its pooled connections die too)
        esl_server.broadcast(capture_events(*FIRST[3:], *SECOND))
        wait_until(lambda: "database unavailable" in log.read_text(), timeout=20, what="the outage noticed")
        time.sleep(1.5)  # a few retries while down
        assert count(CallRecord) == len(first)
        proxy.restore()
        expected = calls_of(FIRST + SECOND)
        wait_until(lambda: count(CallRecord) == len(expected), timeout=40, what="every call after the outage")
    finally:
        code = stop(listener)
        proxy.close()
    assert code == 0, log.read_text()[-3000:]
    assert set(db.session.execute(select(CallRecord.call_uuid)).scalars()) == expected
    no_duplicates()
    text = log.read_text()
    assert "database unavailable" in text and "retrying" in text
    assert "Traceback" not in text


def test_stop_on_sigterm_finishes_what_was_read(demo_committed, esl_server, tmp_path):
    log = tmp_path / "listener.log"
    listener = listener_process(os.environ["CENTREX_TEST_DATABASE_URL"], esl_server.address,
                                tmp_path / "instance", log=log)
    try:
        esl_server.wait_subscribed(timeout=30)
        messages = capture_events(*SESSION2_SLICES)
        expected = calls_of(SESSION2_SLICES)
        esl_server.broadcast(messages)
        wait_until(lambda: count(CdrJournal) >= 1, timeout=20, what="the first leg")
    finally:
        code = stop(listener)
    assert code == 0
    assert "SIGTERM received" in log.read_text()
    db.session.rollback()
    assert count(CallRecord) == len(expected)  # nothing read was left behind
