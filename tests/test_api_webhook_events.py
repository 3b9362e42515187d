"""FreeSWITCH events (captured bytes) become webhook events for the tenant they belong to: a phone
ringing with the caller's number, answered, a voicemail left, a fax received. Same extension numbers in
both demo companies: only the company whose domain the event names hears about it, and only once."""

from __future__ import annotations

import gzip
import shutil

from sqlalchemy import select

import esl_handlers.webhooks  # noqa: F401 - registers the handlers, as the listener's load does
from centrex.freeswitch import fax_contract
from centrex.models import FaxBox, User, WebhookDelivery, WebhookEvent
from centrex.platform.db import db
from centrex.webhooks import subscriptions as webhooks
from conftest import FIXTURES
from esl_handlers.dispatch import Event
from fax_helpers import FAX_TIFF, as_our_dialplan_sets_it, captured_events, dispatch_event, esl_messages

CALL = captured_events(FIXTURES / "esl" / "events-plain-call-1001-to-1002.bin")
RX_OK = captured_events(FIXTURES / "fax" / "fax-events-plain.bin", "CUSTOM::spandsp::rxfaxresult")[0]


def all_events(name: str) -> list[Event]:
    raw = gzip.decompress((FIXTURES / "esl" / name).read_bytes())
    return [
        Event.from_plain(body.decode(), node="127.0.0.1:8021")
        for headers, body in esl_messages(raw)
        if headers.get("Content-Type") == "text/event-plain"
    ]


def subscribe_both(demo, events):
    return {
        domain: webhooks.create_subscription(tenant, {"url": f"https://crm.{domain}/h", "events": events})[0]
        for domain, tenant in demo.items()
    }


def emitted(kind: str) -> list[WebhookEvent]:
    return list(
        db.session.execute(
            select(WebhookEvent).where(WebhookEvent.event_type == kind).order_by(WebhookEvent.id)
        ).scalars()
    )


def test_a_ringing_phone_and_its_answer_reach_only_the_company_of_the_call(session, demo):
    subscriptions = subscribe_both(demo, ["call.ringing", "call.answered"])
    for event in CALL:
        dispatch_event(event)
    for event in CALL:  # replayed (a reconnect): nothing twice
        dispatch_event(event)
    dupont = demo["dupont.example"]
    sophie = db.session.execute(
        select(User).where(User.tenant_id == dupont.id, User.extension == "1002")
    ).scalar_one()
    [ringing] = emitted("call.ringing")
    [answered] = emitted("call.answered")
    for event in (ringing, answered):
        assert event.tenant_id == dupont.id
        data = event.payload
        assert (data["extension"], data["user_id"], data["user_name"]) == ("1002", sophie.id, "Sophie Martin")
        assert data["caller_number"] == "1001"
        assert data["leg_id"] != data["call_id"]  # the B leg, in the call of the A leg
    assert ringing.payload["ringing_at"].startswith("2026-11-29T")
    assert answered.payload["answered_at"] >= ringing.payload["ringing_at"]
    deliveries = db.session.execute(select(WebhookDelivery.subscription_id)).scalars().all()
    assert sorted(deliveries) == [subscriptions["dupont.example"].id] * 2


def test_a_voicemail_left_names_the_box_and_the_caller(session, demo):
    subscribe_both(demo, ["voicemail.left"])
    for event in all_events("events-plain-all.bin.gz"):
        if event.key == "CUSTOM::vm::maintenance":
            dispatch_event(event)
    [left] = emitted("voicemail.left")
    assert left.tenant_id == demo["dupont.example"].id
    assert {k: left.payload[k] for k in ("box", "caller_number", "caller_name", "seconds", "folder")} == {
        "box": "1002",
        "caller_number": "1001",
        "caller_name": "Alice Dupont",
        "seconds": 5,
        "folder": "inbox",
    }
    assert left.payload["message_id"] == "msg_4a422039-cd6f-4b5c-b2f9-d575d38af764"


def test_a_received_fax_is_announced_with_its_record(session, demo, fax_spool):
    subscribe_both(demo, ["fax.received"])
    tenant = demo["dupont.example"]
    box = session.execute(select(FaxBox).where(FaxBox.tenant_id == tenant.id)).scalar_one()
    event = as_our_dialplan_sets_it(RX_OK, box.id, tenant.id, tenant.domain)
    target = fax_contract.tenant_dir(tenant.domain, "in") / f"{event.headers['Unique-ID']}.tif"
    shutil.copy(FIXTURES / FAX_TIFF, target)
    dispatch_event(event)
    [received] = emitted("fax.received")
    assert received.tenant_id == tenant.id
    data = received.payload
    assert data["fax_id"] is not None and data["box_id"] == box.id
    assert (data["caller_number"], data["success"], data["pages"], data["remote_station_id"]) == (
        "1001",
        True,
        1,
        "+3215551001",
    )


def test_nothing_is_stored_without_a_subscription(session, demo):
    for event in CALL:
        dispatch_event(event)
    assert db.session.execute(select(WebhookEvent)).first() is None


def test_calls_recorded_another_way_are_announced_once_by_the_worker(session, demo):
    from datetime import datetime, timedelta, timezone

    from centrex.models import CallRecord, WebhookSubscription
    from centrex.webhooks import calls as webhook_calls

    subscribe_both(demo, ["call.ended"])
    dupont = demo["dupont.example"]
    now = datetime.now(timezone.utc)
    subscribed_at = db.session.execute(select(WebhookSubscription.created_at)).scalars().first()
    older = (
        subscribed_at if subscribed_at.tzinfo else subscribed_at.replace(tzinfo=timezone.utc)
    ) - timedelta(minutes=5)
    for uuid, imported in (("before-subscribing", older), ("from-xml-cdr", now)):
        db.session.add(
            CallRecord(
                tenant_id=dupont.id,
                call_uuid=uuid,
                direction="inbound",
                caller_number="+41791112233",
                started_at=now,
                imported_at=imported,
            )
        )
    db.session.commit()
    assert webhook_calls.catch_up() == 1
    assert webhook_calls.catch_up() == 0
    [ended] = emitted("call.ended")
    assert (ended.tenant_id, ended.payload["call_id"], ended.payload["caller_number"]) == (
        dupont.id,
        "from-xml-cdr",
        "+41791112233",
    )


def test_imported_calls_are_announced_only_to_companies_listening_for_them(session, demo):
    """The listener announces a whole batch at once: only the companies subscribed to `call.ended` get
    events, and nothing is stored for the others."""
    from datetime import datetime, timezone

    from centrex.models import CallRecord
    from centrex.webhooks import calls as webhook_calls

    dupont, martin = demo["dupont.example"], demo["martin.example"]
    webhooks.create_subscription(dupont, {"url": "https://crm.dupont.example/h", "events": ["call.ended"]})
    webhooks.create_subscription(martin, {"url": "https://crm.martin.example/h", "events": ["call.ringing"]})
    now = datetime.now(timezone.utc)
    for tenant, uuid in ((dupont, "d-1"), (dupont, "d-2"), (martin, "m-1")):
        db.session.add(CallRecord(tenant_id=tenant.id, call_uuid=uuid, direction="inbound",
                                  caller_number="+41791112233", started_at=now, imported_at=now))
    db.session.flush()
    assert webhook_calls.announce_calls(["d-1", "m-1", "d-2", "d-1"]) == 2
    assert sorted((e.tenant_id, e.payload["call_id"]) for e in emitted("call.ended")) == [
        (dupont.id, "d-1"), (dupont.id, "d-2")]
    assert webhook_calls.announce_calls(["d-1"]) == 1 and len(emitted("call.ended")) == 2  # once per call
