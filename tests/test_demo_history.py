"""The demo's past (`flask load-demo --with-history`): a week of calls that went through the CDR journal
and import as CHANNEL_HANGUP_COMPLETE legs, voicemail messages, a received fax; loaded once."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from centrex.calls import journal
from centrex.demo.history import DEMO_NODE, load_demo_history
from centrex.freeswitch.cdr_legs import leg_from_plain
from centrex.models import CallRecord, CdrJournal, CdrProblem, Fax, VoicemailMessage
from centrex.platform.db import db
from webui_testing import USER_DUPONT, login

ZURICH = ZoneInfo("Europe/Zurich")
NOW = datetime(2026, 12, 7, 15, 30, tzinfo=ZURICH)  # a Monday afternoon


def _records(tenant_id: int) -> list[CallRecord]:
    return list(db.session.execute(select(CallRecord).where(CallRecord.tenant_id == tenant_id)).scalars())


def _counts() -> tuple[int, ...]:
    return tuple(db.session.execute(select(func.count()).select_from(model)).scalar_one()
                 for model in (CdrJournal, CallRecord, VoicemailMessage, Fax))


def test_a_week_of_calls_goes_through_the_cdr_import(dupont, demo, session):
    loaded = load_demo_history(now=NOW)
    session.commit()

    legs = list(db.session.execute(select(CdrJournal).where(CdrJournal.node == DEMO_NODE)).scalars())
    assert len(legs) == loaded["legs"] == 2 * loaded["calls"]
    assert all(leg.raw.startswith("Event-Name: CHANNEL_HANGUP_COMPLETE\n") and leg.source == "esl" for leg in legs)
    assert all(leg_from_plain(leg.raw)["variable_uuid"] == leg.leg_uuid for leg in legs)
    assert db.session.execute(select(func.count()).select_from(CdrProblem)).scalar_one() == 0

    calls = _records(dupont.id)
    martin = _records(demo["martin.example"].id)
    assert len(calls) + len(martin) == loaded["calls"] and len(calls) > 100 and 5 <= len(martin) < 40
    assert {c.direction for c in calls} == {"inbound", "outbound", "internal"}
    inbound = [c for c in calls if c.direction == "inbound"]
    assert {c.did for c in inbound} >= {"+41215550100", "+41215550110", "+41215550102"}
    assert any(c.answered_at is None for c in inbound), "missed calls"
    assert any(c.voicemail_box for c in inbound), "calls that ended on voicemail"
    assert all(c.answered_by == "1000" for c in inbound if c.did == "+41215550100" and c.billsec and
               not c.voicemail_box), "the main number rings the reception"
    outbound = [c for c in calls if c.direction == "outbound"]
    assert all(c.destination.startswith("+") and c.caller_number.startswith("10") for c in outbound)

    local = [c.started_at.replace(tzinfo=c.started_at.tzinfo or ZoneInfo("UTC")).astimezone(ZURICH) for c in calls]
    assert all(NOW - timedelta(days=7) <= t < NOW for t in local)
    assert len({t.date() for t in local}) >= 7, "calls on each of the 7 days"
    assert all(8 <= t.hour < 18 for t in local), "none at night"
    per_hour = [sum(1 for t in local if t.hour == h and t.weekday() < 5) for h in range(24)]
    assert per_hour[10] > per_hour[12] and per_hour[15] > per_hour[13], "busiest 9–11 and 14–16"

    before = {c.call_uuid: (c.direction, c.answered_by, c.billsec, c.voicemail_box) for c in calls}
    journal.rebuild()  # the records are what the journal's legs give, recomputed from scratch
    session.commit()
    assert {c.call_uuid: (c.direction, c.answered_by, c.billsec, c.voicemail_box)
            for c in _records(dupont.id)} == before

    messages = list(db.session.execute(select(VoicemailMessage).where(
        VoicemailMessage.tenant_id == dupont.id, VoicemailMessage.received_at >= NOW - timedelta(days=7)
    )).scalars())
    in_calls = {c.voicemail_file for c in calls if c.voicemail_file}
    history_messages = [m for m in messages if m.file_path in in_calls]
    assert len(history_messages) >= 3, "the newest calls to voicemail left their message"
    fax = db.session.execute(select(Fax).where(Fax.tenant_id == dupont.id)).scalar_one()
    assert (fax.direction, fax.state, fax.pages, fax.remote_number) == ("in", "received", 1, "+41215559998")


def test_the_console_shows_the_past(client, dupont, session):
    load_demo_history(now=datetime.now(ZURICH))
    session.commit()
    alain_messages = db.session.execute(select(VoicemailMessage).where(
        VoicemailMessage.tenant_id == dupont.id, VoicemailMessage.box == "1001")).scalars().all()

    login(client, "admin@dupont.example")
    page = client.get(f"/t/{dupont.id}/calls").get_data(as_text=True)
    per_day = page.split("<h2>Appels par jour</h2>", 1)[1].split("</ol>", 1)[0]
    assert per_day.count('<span class="value">') >= 7, "calls per day for a week"
    faxes = client.get(f"/t/{dupont.id}/faxes").get_data(as_text=True)
    assert "+41215559998" in faxes and "Entrant" in faxes
    client.post("/logout")

    login(client, USER_DUPONT)
    mine = client.get("/me/voicemail").get_data(as_text=True)
    assert all((m.caller_name or m.caller_number[-2:]) in mine for m in alain_messages)


def test_loading_twice_adds_nothing(dupont, session):
    first = load_demo_history(now=NOW)
    session.commit()
    counts = _counts()
    again = load_demo_history(now=NOW + timedelta(days=1))  # the next `make run`, a day later
    session.commit()
    assert first["calls"] > 0 and again == {"calls": 0, "legs": 0, "voicemail": 0, "fax": 0}
    assert _counts() == counts


def test_flask_load_demo_with_history_loads_the_past_once(app, session):
    runner = app.test_cli_runner()
    assert "Demo history" not in runner.invoke(args=["load-demo"]).output  # tests keep today's demo alone
    assert _counts()[:2] == (0, 0)
    first = runner.invoke(args=["load-demo", "--with-history"]).output
    assert "Demo already loaded." in first and "legs through the CDR import" in first
    counts = _counts()
    assert "Demo history already loaded." in runner.invoke(args=["load-demo", "--with-history"]).output
    assert _counts() == counts and counts[0] > 200
