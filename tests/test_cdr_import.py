"""CDR import from the captured calls: the records match what FreeSWITCH itself recorded (Master.csv and the
xml_cdr posts), whichever path delivered the legs, however often, in whatever order."""
import random

import pytest
from sqlalchemy import func, select

from cdr_captures import (
    hangups,
    headers_of,
    master_csv,
    plain_text,
    session1_hangups,
    session2_hangups,
    with_fresh_uuids,
    xml_caller_profile,
    xml_cdr_posts,
    xml_variables,
)
from centrex.calls import journal as cdr
from centrex.freeswitch.cdr_legs import LegFormatError
from centrex.models import CallRecord, CdrJournal

pytestmark = pytest.mark.smoke


def esl_entries(messages):
    return [cdr.entry_from_event(headers_of(m), plain_text(m), node="127.0.0.1:8021") for m in messages]


def deliver(entries):
    """What the listener does per batch: journal (its own commit), then import."""
    new_calls = cdr.journal(entries)
    return cdr.import_calls(new_calls)


def record(call_uuid) -> CallRecord:
    from centrex.platform.db import db
    return db.session.execute(select(CallRecord).where(CallRecord.call_uuid == call_uuid)).scalar_one()


def stamp(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def test_first_session_calls_match_master_csv(session, demo):
    deliver(esl_entries(session1_hangups()))
    rows = master_csv()
    dupont = demo["dupont.example"]
    imported = session.execute(select(CallRecord)).scalars().all()
    assert {r.call_uuid for r in imported} == \
        {u for u, row in rows.items() if row["context"] == "dupont.example"}
    for rec in imported:
        row = rows[rec.call_uuid]
        assert rec.tenant_id == dupont.id
        # the phones sent "Alice" and "1002"; the record names the caller as the directory does
        # (effective_caller_id_name)
        directory_name = {"1001": "Alice Dupont", "1002": "Bob Dupont"}.get(row["caller_id_number"],
                                                                            row["caller_id_name"])
        # a call that reached voicemail leads to the box (4000 ran `voicemail default dupont.example 1002`)
        destination = rec.voicemail_box.partition("@")[0] if rec.voicemail_box else row["destination_number"]
        assert (rec.caller_name, rec.caller_number, rec.destination) == \
            (directory_name, row["caller_id_number"], destination)
        assert (stamp(rec.started_at), stamp(rec.answered_at), stamp(rec.ended_at)) == \
            (row["start_stamp"], row["answer_stamp"], row["end_stamp"])
        assert (rec.duration, rec.billsec, rec.hangup_cause) == \
            (int(row["duration"]), int(row["billsec"]), row["hangup_cause"])
        assert (rec.answered_leg_uuid or "") == row["bleg_uuid"]
        assert rec.accountcode == row["accountcode"]
        assert rec.direction == "internal"
    bridged = record("2d40f615-40fc-41da-ada8-c03158c7a001")
    assert (bridged.leg_count, bridged.answered_by) == (2, "1002")


def test_calls_of_no_known_tenant_stay_in_the_journal_visibly(session, demo):
    deliver(esl_entries(session1_hangups()))
    loopback_legs = [u for u, row in master_csv().items() if row["context"] == "default"]
    journaled = {j.leg_uuid: j for j in cdr.journal_problems(limit=100)}
    assert set(loopback_legs) <= set(journaled)
    for leg in loopback_legs:
        assert journaled[leg].status == "unknown_tenant"
        assert journaled[leg].detail.startswith("no tenant for: default")
    assert cdr.journal_summary()["unknown_tenant"] == len(loopback_legs)


def test_calls_match_the_xml_cdr_posts(session, demo):
    deliver(esl_entries(session1_hangups() + session2_hangups()))
    for name, xml in xml_cdr_posts().items():
        variables = xml_variables(xml)
        if "a_leg" not in name or variables.get("domain_name") != "dupont.example":
            continue
        rec = record(variables["uuid"])
        profile = xml_caller_profile(xml)
        assert (rec.caller_number, rec.destination) == \
            (profile["caller_id_number"], profile["destination_number"]), name
        assert rec.dialed_number == variables["sip_req_user"], name
        assert (rec.duration, rec.billsec) == (int(variables["duration"]), int(variables["billsec"])), name
        assert rec.hangup_cause == variables["hangup_cause"], name
        assert stamp(rec.started_at) == variables["start_stamp"], name
        assert rec.bridge_result == variables.get("originate_disposition"), name
        assert rec.answered_leg_uuid == variables.get("bridge_uuid"), name


def test_what_each_captured_outcome_led_to(session, demo):
    deliver(esl_entries(session1_hangups() + session2_hangups()))
    busy = record("3f762c54-c911-4f18-a28f-338549617965")
    assert (busy.bridge_result, busy.answered_by, busy.dialed_number, busy.destination) == \
        ("USER_BUSY", None, "2101", "7001")
    assert record("763bc310-49d1-4697-ae81-cb5e2e1d045c").bridge_result == "NO_ANSWER"
    assert record("3971ab84-b1e4-494a-b1f5-6ee1340d19f1").leg_count == 1  # no B leg was even created
    sequential = record("06a08297-e5a7-4256-88ef-447ff7f1ea5d")
    assert (sequential.answered_by, sequential.bridge_result) == ("1002", "SUCCESS")
    simultaneous = record("c8620949-a928-47eb-ab83-d381140b1092")
    assert (simultaneous.answered_by, simultaneous.leg_count) == ("1002", 3)  # 1001 lost the race
    ivr = record("886f1f28-0bdb-449d-a27d-910932f7e936")
    assert (ivr.dialed_number, ivr.answered_by) == ("5000", "1001")
    carrier = record("4b623488-2fa1-4185-af9a-249723fefec7")
    assert (carrier.direction, carrier.did, carrier.caller_number, carrier.answered_by) == \
        ("inbound", "+41215550100", "+41791234567", "1002")
    queue = record("5c093878-79a4-4781-b04a-e1297c92aa1f")
    assert (queue.answered_by, queue.leg_count) == ("1002", 2)  # the agent leg joins the member's call
    click = record("db85850d-ac3d-4c36-9d88-e630ef8c47ec")
    assert (click.answered_by, click.leg_count, click.direction) == ("1002", 2, "internal")
    deposit = record("8106a13f-aaaa-45cc-8520-3856b4c38b13")
    assert deposit.voicemail_box == "1002@dupont.example"
    assert deposit.voicemail_file.endswith(".wav")
    assert record("ef133b4a-57e8-4ec4-8898-2ceff32d13ec").voicemail_file is None  # left no message


def test_xml_cdr_records_alone_give_the_same_calls_as_the_events(session, demo):
    posts = xml_cdr_posts()
    deliver([cdr.entry_from_xml_cdr(xml) for xml in posts.values()])
    from_posts = {r.call_uuid: r for r in session.execute(select(CallRecord)).scalars()}
    session.execute(CallRecord.__table__.delete())
    session.execute(CdrJournal.__table__.delete())
    leg_uuids = {xml_variables(xml)["uuid"] for xml in posts.values()}
    messages = [m for m in session1_hangups() + session2_hangups() if headers_of(m)["Unique-ID"] in leg_uuids]
    deliver(esl_entries(messages))
    from_events = {r.call_uuid: r for r in session.execute(select(CallRecord)).scalars()}
    assert from_posts.keys() == from_events.keys() and len(from_posts) >= 10
    columns = [c for c in cdr.RECORD_COLUMNS if c not in ("imported_at",)]
    for key, rec in from_posts.items():
        assert {c: getattr(rec, c) for c in columns} == {c: getattr(from_events[key], c) for c in columns}


def test_every_leg_twice_in_any_order_and_by_both_paths_gives_one_record_per_call(session, demo):
    messages = session1_hangups() + session2_hangups()
    entries = esl_entries(messages) * 2 + [cdr.entry_from_xml_cdr(x) for x in xml_cdr_posts().values()]
    random.Random(7).shuffle(entries)
    for start in range(0, len(entries), 5):
        deliver(entries[start:start + 5])
    legs = {headers_of(m)["Unique-ID"] for m in messages}
    assert session.execute(select(func.count()).select_from(CdrJournal)).scalar_one() == len(legs)
    assert session.execute(select(func.count()).select_from(CallRecord)).scalar_one() == \
        len({e.call_uuid for e in entries if "dupont.example" in e.raw})
    once = {r.call_uuid: r.answered_by for r in session.execute(select(CallRecord)).scalars()}
    cdr.rebuild()
    assert {r.call_uuid: r.answered_by for r in session.execute(select(CallRecord)).scalars()} == once


def test_rebuild_recomputes_the_table_from_the_journal(session, demo):
    deliver(esl_entries(session2_hangups()))
    before = {r.call_uuid: (r.billsec, r.answered_by) for r in session.execute(select(CallRecord)).scalars()}
    session.execute(CallRecord.__table__.delete())
    counts = cdr.rebuild()
    after = {r.call_uuid: (r.billsec, r.answered_by) for r in session.execute(select(CallRecord)).scalars()}
    assert after == before and counts.imported == len(before)
    assert counts.unknown_tenant == 1  # the failed fax: a loopback call in context default


def test_b_leg_first_waits_for_its_call_then_completes_it(session, demo):
    b_leg, a_leg = [m for m in hangups("events-plain-outcome_d-sequential.bin")]
    counts = deliver(esl_entries([b_leg]))
    assert (counts.waiting, counts.imported) == (1, 0)
    assert cdr.journal_problems()[0].detail == "waiting for the call's first leg (A leg)"
    deliver(esl_entries([a_leg]))
    assert record(headers_of(a_leg)["Unique-ID"]).leg_count == 2
    assert cdr.journal_summary() == {"imported": 2}


def test_two_tenants_with_the_same_extensions_never_see_each_others_calls(session, demo):
    dupont, martin = demo["dupont.example"], demo["martin.example"]
    original = hangups("events-plain-outcome_d-sequential.bin")
    copy = with_fresh_uuids(original, {b"dupont.example": b"martin.example", b"accountcode: dupont":
                                       b"accountcode: martin"})
    deliver(esl_entries(original + copy))
    dupont_calls, martin_calls = cdr.calls(dupont.id), cdr.calls(martin.id)
    assert [c.call_uuid for c in dupont_calls] == [headers_of(original[1])["Unique-ID"]]
    assert [c.call_uuid for c in martin_calls] == [headers_of(copy[1])["Unique-ID"]]
    assert dupont_calls[0].answered_by == martin_calls[0].answered_by == "1002"


def test_a_carrier_call_without_domain_finds_its_tenant_by_the_did(session, demo):
    message = hangups("events-plain-external-did.bin.gz")
    stripped = with_fresh_uuids(message, {b"variable_domain_name: dupont.example\n": b"",
                                          b"dupont.example": b"elsewhere.invalid"})
    deliver(esl_entries(stripped))
    (call,) = cdr.calls(demo["dupont.example"].id)  # +41215550100 is Dupont SA's main number
    assert call.did == "+41215550100"


def test_unreadable_records_are_refused_with_a_reason():
    with pytest.raises(LegFormatError):
        cdr.entry_from_xml_cdr(b"%3Cnot-a-cdr%3E")
    with pytest.raises(LegFormatError):
        cdr.entry_from_xml_cdr(b"garbage")
