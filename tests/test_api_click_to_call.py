"""Click-to-call end to end: the API sends the originate to FreeSWITCH over the event socket (the test ESL
server, python-ESL as client), and the call's progress follows the captured click-to-call's events as the
listener's handlers record them: the user's phone rings, the destination rings, they talk, it ends with
its call record; the CRM's webhook receiver hears each step, the last with the call record."""

from __future__ import annotations

import json
import time

import pytest

from api_testing import bearer, key_for
from centrex.demo.companies import load_demo
from centrex.platform import ports
from centrex.platform.db import db
from centrex.webhooks import delivery as webhook_delivery, subscriptions as webhooks
from esl_handlers import dispatch
from esl_handlers.commands import EslSwitch
from esl_handlers.dispatch import Event
from esl_handlers.listener import load_handlers
from esl_server import esl_server, read_capture, split_messages  # noqa: F401
from webhook_receiver import receiver  # noqa: F401

pytestmark = pytest.mark.smoke  # also run on SQLite, the embedded default

CAPTURE = "events-plain-click_to_call-originate.bin.gz"
CAPTURED_A_LEG = "db85850d-ac3d-4c36-9d88-e630ef8c47ec"  # the user's phone leg of the captured originate


def captured_call(call_id: str) -> list[Event]:
    """The captured click-to-call's events, its A leg renamed to our call's id (our origination_uuid)."""
    return [
        Event.from_plain(body.decode().replace(CAPTURED_A_LEG, call_id), node="127.0.0.1:8021")
        for headers, body, _raw in split_messages(read_capture(CAPTURE))
        if headers.get("Content-Type") == "text/event-plain"
    ]


def feed(events: list[Event]) -> None:
    """As the listener runs a chunk: per-event handlers, then batch handlers, each committing."""
    for event in events:
        for handler in dispatch.handlers_for(event):
            handler(event)
            db.session.commit()
    for handler, keys in dispatch.batch_handlers():
        mine = [event for event in events if event.key in keys]
        if mine:
            handler(mine)
            db.session.commit()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def dupont(app, committed, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    load_handlers()
    tenants = {t.domain: t for t in load_demo()["tenants"]}
    db.session.commit()
    return tenants["dupont.example"]


def test_click_to_call_rings_the_user_then_the_destination_and_reports_each_step(
    app, dupont, esl_server, receiver, monkeypatch
):
    monkeypatch.setattr(ports, "_switch", EslSwitch([esl_server.address]))
    key = key_for(dupont, ["calls:write", "calls:read"], rate_limit=10000)
    subscription, secret = webhooks.create_subscription(
        dupont, {"url": receiver.url, "events": ["call.ringing", "call.answered", "call.ended"]}
    )
    db.session.commit()
    api = app.test_client()

    placed = api.post("/api/v1/calls", json={"from_user": "1001", "to": "1002"}, headers=bearer(key))
    assert placed.status_code == 202, placed.get_json()
    call_id = placed.get_json()["id"]
    assert placed.get_json()["progress"] == "ringing_user"

    sent = (
        f"bgapi originate {{origination_uuid={call_id},origination_caller_id_number=1001,sip_authorized=true,"
        f"user_name=1001,domain_name=dupont.example,centrex_click_to_call={call_id}}}"
        f"user/1001@dupont.example 1002 XML dupont.example"
    )
    wait_for(lambda: sent in esl_server.commands)
    assert "event plain BACKGROUND_JOB" in esl_server.commands

    def progress():
        answer = api.get(f"/api/v1/calls/{call_id}", headers=bearer(key))
        assert answer.status_code == 200
        return answer.get_json()

    # the originate's outcome is recorded (by the background thread): the user answered, as the test
    # server says; nothing is live yet, so the destination is taken to be ringing
    wait_for(lambda: progress()["progress"] == "ringing_destination")

    events = captured_call(call_id)
    names = [e.key for e in events]
    b_create = names.index("CHANNEL_CREATE", 1)
    b_answer = names.index("CHANNEL_ANSWER", b_create)
    bridged = names.index("CHANNEL_BRIDGE")
    feed(events[:1])  # the user's phone rings
    assert progress()["progress"] == "ringing_user"
    feed(events[1 : b_create + 1])  # the user answered; the destination rings
    assert progress()["progress"] == "ringing_destination"
    feed(events[b_answer : bridged + 1])  # the destination answered: they talk
    talking = progress()
    assert talking["progress"] == "connected" and talking["answered_at"].startswith("2026-11-29T")
    live = api.get("/api/v1/calls", headers=bearer(key)).get_json()["items"]
    assert [sorted(leg["extension"] for leg in call["legs"]) for call in live] == [["1001", "1002"]]
    feed(events[bridged + 1 :])  # hang-ups and the records of both legs: imported
    ended = progress()
    assert ended["progress"] == "ended" and ended["hangup_cause"] == "NORMAL_CLEARING"
    assert ended["duration"] >= 0 and ended["ended_at"]
    assert api.get("/api/v1/calls", headers=bearer(key)).get_json()["items"] == []

    wait_for(lambda: webhook_delivery.deliver_due() == [] and len(receiver.received) >= 5)
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [(b["type"], b["data"].get("extension")) for b in bodies] == [
        ("call.ringing", "1001"),
        ("call.answered", "1001"),
        ("call.ringing", "1002"),
        ("call.answered", "1002"),
        ("call.ended", None),
    ]
    assert bodies[0]["data"]["click_to_call_id"] == call_id
    record = bodies[-1]["data"]
    assert (record["call_id"], record["click_to_call_id"], record["hangup_cause"]) == (
        call_id,
        call_id,
        "NORMAL_CLEARING",
    )


def test_a_refused_originate_says_why(app, dupont, esl_server, monkeypatch):
    monkeypatch.setattr(ports, "_switch", EslSwitch([esl_server.address]))
    key = key_for(dupont, ["calls:write", "calls:read"], rate_limit=10000)
    db.session.commit()
    api = app.test_client()
    original = esl_server._background_job

    def busy(conn, job, command):  # FreeSWITCH's answer when the user's phone is busy
        esl_server.bgapi_results[command] = "-ERR USER_BUSY\n"
        original(conn, job, command)

    monkeypatch.setattr(esl_server, "_background_job", busy)
    call_id = api.post(
        "/api/v1/calls", json={"from_user": "1001", "to": "1002"}, headers=bearer(key)
    ).get_json()["id"]

    def failed():
        return api.get(f"/api/v1/calls/{call_id}", headers=bearer(key)).get_json()["progress"] == "failed"

    wait_for(failed)
    shown = api.get(f"/api/v1/calls/{call_id}", headers=bearer(key)).get_json()
    assert shown["reason"].endswith("refused it: USER_BUSY")
