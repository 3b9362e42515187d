"""The listener over the real wire: python-ESL connected to the test ESL server over TCP, the captured
events replayed, records and live state checked in the database (committed: the listener has its own
threads and sessions)."""
import logging
import time

import pytest
from sqlalchemy import select

from cdr_captures import headers_of, master_csv, session1_hangups, session2_hangups
from centrex.calls import live
from centrex.demo.companies import load_demo
from centrex.models import CallRecord, CdrJournal, LiveChannel, LiveRegistration, Tenant
from centrex.platform.db import db
from esl_handlers import dispatch
from esl_server import capture_events, esl_server  # noqa: F401
from esl_switch import switch_on_esl  # noqa: F401 - fixture
from listener_helpers import count, running_listener, wait_until

pytestmark = pytest.mark.smoke


@pytest.fixture
def tenants(committed):
    load_demo()
    committed.commit()
    return {t.domain: t.id for t in committed.execute(select(Tenant)).scalars()}


def dupont_calls(messages) -> set[str]:
    return {headers_of(m)["Unique-ID"] for m in messages if b"Caller-Context: dupont.example" in m
            and b"variable_domain_name: dupont.example" in m}


def test_subscribes_to_just_the_events_its_handlers_need(app, esl_server, tenants):
    with running_listener(app, esl_server) as listener:
        esl_server.wait_subscribed()
    subscription = next(c for c in esl_server.commands if c.startswith("event plain "))
    names = subscription.split()[2:]
    assert names == listener.events == ["HEARTBEAT", *dispatch.subscribed_events()]
    assert {"CHANNEL_HANGUP_COMPLETE", "CHANNEL_CREATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP"} <= set(names)
    custom = names[names.index("CUSTOM") + 1:]  # FreeSWITCH reads every name after CUSTOM as a subclass
    assert {"sofia::register", "sofia::unregister", "sofia::expire"} <= set(custom)
    assert all("::" in name for name in custom)
    assert "ALL" not in names and "CHANNEL_STATE" not in names and "CODEC" not in names
    # after subscribing, the snapshot that resynchronises live state
    assert "api sofia status profile internal reg" in esl_server.commands
    assert "api show channels as json" in esl_server.commands


def test_captured_calls_replayed_over_the_wire_become_their_records(app, esl_server, tenants):
    with running_listener(app, esl_server):
        esl_server.wait_subscribed()
        esl_server.broadcast(capture_events("events-plain-all.bin.gz"))  # the whole first session, ALL events
        expected = dupont_calls(session1_hangups())
        wait_until(lambda: count(CallRecord) == len(expected), what="the first session's calls")
    rows = master_csv()
    for record in db.session.execute(select(CallRecord)).scalars():
        row = rows[record.call_uuid]
        # what was dialled is FreeSWITCH's destination_number (the destination is what answered: the
        # voicemail box 1002 for a call to 4000)
        assert (record.caller_number, record.dialed_number, record.billsec, record.hangup_cause) == \
            (row["caller_id_number"], row["destination_number"], int(row["billsec"]), row["hangup_cause"])
        assert record.tenant_id == tenants["dupont.example"]


def test_duplicated_events_and_a_dropped_connection_still_give_one_record_per_call(app, esl_server, tenants):
    messages = session2_hangups()
    legs = {headers_of(m)["Unique-ID"] for m in messages}
    with running_listener(app, esl_server):
        first = esl_server.wait_subscribed()
        half = len(messages) // 2
        esl_server.broadcast([m for m in messages[:half] for _ in range(2)])  # every event twice
        esl_server.drop(notice=True)  # FreeSWITCH goes away mid-stream
        esl_server.wait_subscribed(count=1, timeout=15)
        assert esl_server.live()[0] is not first[0]
        esl_server.broadcast(messages)  # after the reconnect, everything again (duplicates included)
        wait_until(lambda: count(CdrJournal) == len(legs), what="every leg journaled")
        wait_until(lambda: count(CallRecord) == len(dupont_like(messages)), what="every call imported")
    assert count(CdrJournal) == len(legs)
    assert len(set(db.session.execute(select(CallRecord.call_uuid)).scalars())) == count(CallRecord)


def dupont_like(messages):
    """Calls of the stream that belong to a tenant (loopback calls in context default do not)."""
    from centrex.freeswitch.cdr_legs import leg_from_headers

    return {leg_from_headers(headers_of(m))["call"] for m in messages if b"dupont.example" in m}


def test_a_slow_handler_does_not_stall_reading(app, esl_server, tenants):
    handled = []

    def slow(event):
        time.sleep(0.02)
        handled.append(event)

    dispatch.on("CHANNEL_CREATE")(slow)
    try:
        with running_listener(app, esl_server) as listener:
            esl_server.wait_subscribed()
            creates = capture_events("events-plain-all.bin.gz", event_names={"CHANNEL_CREATE"}) * 2
            esl_server.broadcast(creates)
            reader = listener.readers[0]
            wait_until(lambda: reader.events_read >= len(creates), timeout=5,
                       what="the reader to read everything")
            assert len(handled) < len(creates) / 2  # the socket was read long before the handler finished
            wait_until(lambda: len(handled) == len(creates), timeout=20, what="the slow handler")
    finally:
        dispatch._handlers["CHANNEL_CREATE"].remove(slow)


def test_registrations_and_channels_follow_the_events(app, esl_server, tenants):
    dupont = tenants["dupont.example"]
    esl_server.reply("sofia status profile internal reg", "\nRegistrations:\n" + "=" * 97 +
                     "\n\nTotal items returned: 0\n" + "=" * 97 + "\n")
    with running_listener(app, esl_server):
        esl_server.wait_subscribed()
        esl_server.broadcast(capture_events("events-plain-register.bin"))
        regs = wait_until(lambda: len(live.registrations(dupont)) == 2 and live.registrations(dupont),
                          what="registrations")
        assert {(r.extension, r.network_ip, r.network_port, r.user_agent) for r in regs} == \
            {("1001", "127.0.0.1", 5070, "SIPp-capture"), ("1002", "127.0.0.1", 5072, "SIPp-capture")}
        call = capture_events("events-plain-external-did.bin.gz")
        answered = [m for m in call if b"Event-Name: CHANNEL_BRIDGE" in m]
        esl_server.broadcast(call[:call.index(answered[0]) + 1])
        wait_until(lambda: live.busy(dupont) == {"1002": "active"}, what="1002 busy")
        carrier = db.session.execute(select(LiveChannel).where(LiveChannel.extension.is_(None))).scalar_one()
        assert (carrier.tenant_id, carrier.caller_number) == (dupont, "+41791234567")
        esl_server.broadcast(call[call.index(answered[0]) + 1:])
        wait_until(lambda: count(LiveChannel) == 0, what="the channels to go")
    assert live.busy(dupont) == {}


def test_after_a_reconnect_the_snapshot_replaces_live_state(app, esl_server, tenants):
    dupont = tenants["dupont.example"]
    esl_server.load_replies("api-show-channels-during-call.bin")
    with running_listener(app, esl_server):
        esl_server.wait_subscribed()
        # snapshot: 1001 and 1002 registered (api-replies.bin) and the 1001 -> 1002 call up
        wait_until(lambda: live.busy(dupont) == {"1001": "active", "1002": "active"}, what="snapshot")
        assert {r.extension for r in live.registrations(dupont)} == {"1001", "1002"}
        # FreeSWITCH comes back with no call and only 1002 registered (api-replies-2.bin, after flush)
        esl_server.reply("show channels as json", '{"row_count": 0}\n')
        esl_server.reply("sofia status profile internal reg",
                         esl_server.api_replies["sofia status profile internal reg"][-1])
        esl_server.drop()
        wait_until(lambda: live.busy(dupont) == {}, timeout=15, what="resync after reconnect")
        assert [r.extension for r in live.registrations(dupont)] == ["1002"]


def test_live_state_of_two_tenants_with_the_same_extensions_is_kept_apart(app, esl_server, tenants):
    from cdr_captures import with_fresh_uuids

    dupont, martin = tenants["dupont.example"], tenants["martin.example"]
    esl_server.reply("sofia status profile internal reg", "\nRegistrations:\n\nTotal items returned: 0\n")
    register = capture_events("events-plain-register.bin")
    with running_listener(app, esl_server):
        esl_server.wait_subscribed()
        esl_server.broadcast(register + with_fresh_uuids(register[:], {b"dupont.example": b"martin.example"}))
        wait_until(lambda: count(LiveRegistration) == 4, what="four registrations")
        call = capture_events("events-plain-outcome_d-sequential.bin")
        creates = [m for m in call if b"Event-Name: CHANNEL_CREATE" in m]
        esl_server.broadcast(with_fresh_uuids(creates, {b"dupont.example": b"martin.example"}))
        wait_until(lambda: len(live.busy(martin)) == 2, what="martin's 1001 and 1002 busy")
    assert live.busy(dupont) == {}
    assert set(live.busy(martin)) == {"1001", "1002"}
    assert {r.tenant_id for r in live.registrations(martin)} == {martin}
    assert len(live.registrations(dupont)) == len(live.registrations(martin)) == 2


def test_unreachable_freeswitch_is_retried_with_backoff_and_said_clearly(app, esl_server, tenants, caplog):
    esl_server.refuse()
    with caplog.at_level(logging.WARNING, logger="centrex.esl"):
        with running_listener(app, esl_server):
            wait_until(lambda: len([r for r in caplog.records if "unreachable" in r.getMessage()]) >= 2,
                       timeout=6, what="two retries")
            esl_server.listen()
            esl_server.wait_subscribed(timeout=10)
    messages = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    node = f"127.0.0.1:{esl_server.port}"
    assert messages[:2] == [f"FreeSWITCH {node} unreachable (connection refused); retrying in 1 s",
                            f"FreeSWITCH {node} unreachable (connection refused); retrying in 2 s"]


def test_after_connecting_the_queues_freeswitch_missed_are_sent_again(app, switch_on_esl, tenants):
    """FreeSWITCH was unreachable when a queue changed: once the listener is connected again, the
    differences between mod_callcenter's tables (the capture's) and ours go over ESL."""
    from centrex.models import CallQueue

    server = switch_on_esl
    server.load_replies("api-callcenter-config.bin")  # still has support@dupont.example, not our queues
    complaints = db.session.execute(select(CallQueue).where(CallQueue.tenant_id == tenants["dupont.example"],
                                                            CallQueue.name == "Réclamations")).scalar_one()
    with running_listener(app, server):
        server.wait_subscribed()
        wanted = f"api callcenter_config queue load q{complaints.id}@dupont.example"
        wait_until(lambda: wanted in server.commands, what="the missed queue to be loaded")
        wait_until(lambda: "api callcenter_config queue unload support@dupont.example" in server.commands,
                   what="the stale queue to be unloaded")
    assert not [c for c in server.commands if "martin.example" in c and "unload" in c]
