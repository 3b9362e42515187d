"""This area's live FreeSWITCH commands end to end: the real command client (python-ESL) against the test
ESL server speaking the captured wire protocol. Queue, agent and hold-music changes are sent once the
transaction commits (nothing on rollback); conference controls use the captured replies; a new voicemail
event goes from the ESL listener to a real SMTP server."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from centrex.features import conferences, moh, queues
from centrex.features.callcenter_sync import reconcile_callcenter
from centrex.models import CallQueue, ConferenceRoom, OutboxMessage, Tenant, User
from centrex.platform import outbox
from centrex.platform.db import db
from centrex.platform.errors import DomainError
from centrex.voicemail import boxes as voicemail
from esl_server import read_capture, split_messages
from esl_switch import api_commands, esl_server, switch_on_esl  # noqa: F401 - fixtures
from listener_helpers import running_listener, wait_until
from smtp_server import smtp_server  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


def one(model, tenant, **where):
    query = select(model).where(model.tenant_id == tenant.id)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return db.session.execute(query).scalar_one()


@pytest.fixture
def dupont(dupont, session, switch_on_esl):
    """Dupont SA (conftest), the demo committed onto the test switch and its commands cleared."""
    session.commit()  # the demo's own commands go out here
    switch_on_esl.commands.clear()
    return dupont


def test_queue_changes_reach_freeswitch_after_the_commit(dupont, switch_on_esl, session):
    server = switch_on_esl
    queue = queues.create_queue(dupont, {"name": "Commandes", "extension": "2200"})
    sophie = one(User, dupont, extension="1002")
    queues.set_agents(dupont, queue, [sophie.id])
    name = f"q{queue.id}@dupont.example"
    for command in (f"callcenter_config queue load {name}",
                    f"callcenter_config tier add {name} 1002@dupont.example 1 1"):
        server.reply(command, "+OK\n")
    assert api_commands(server) == []  # nothing before the commit: FreeSWITCH would read old data
    session.commit()
    assert api_commands(server) == [
        f"callcenter_config queue load {name}",
        "callcenter_config agent add 1002@dupont.example callback",
        "callcenter_config agent set contact 1002@dupont.example [leg_timeout=15]user/1002@dupont.example",
        "callcenter_config agent set status 1002@dupont.example Available",
        f"callcenter_config tier add {name} 1002@dupont.example 1 1"]
    server.commands.clear()
    queues.update_queue(dupont, queue, {"strategy": "ring-all"})
    session.rollback()
    assert api_commands(server) == []  # rolled back: FreeSWITCH is not told anything


def test_hold_music_class_is_started_and_stopped(dupont, switch_on_esl, session):
    music = moh.create_moh_class(dupont, {"name": "Jazz"})
    session.commit()
    moh.delete_moh_class(dupont, music)
    session.commit()
    assert api_commands(switch_on_esl) == [f"start_local_stream dupont.example_moh{music.id}",
                                           f"stop_local_stream dupont.example_moh{music.id}"]


def test_conference_controls_with_the_captured_replies(dupont, switch_on_esl):
    room = one(ConferenceRoom, dupont, number="3000")  # 3000-dupont.example, as in the capture
    members = conferences.list_members(dupont, room)
    assert [(m.member_id, m.caller_number, m.can_speak) for m in members] == [(2, "1001", True), (1, "1001", True)]
    assert conferences.mute(dupont, room, 1) == "+OK mute 1"
    assert [m.can_speak for m in conferences.list_members(dupont, room)] == [True, False]
    assert conferences.unmute(dupont, room, 1) == "+OK unmute 1"
    assert conferences.kick(dupont, room, 1) == "+OK kicked 1"
    with pytest.raises(DomainError) as info:
        conferences.kick(dupont, room, 999)  # -ERR Non-Existant ID 999
    assert info.value.status == 422 and "member_id" in info.value.fields
    assert api_commands(switch_on_esl) == [
        "conference 3000-dupont.example list", "conference 3000-dupont.example mute 1",
        "conference 3000-dupont.example list", "conference 3000-dupont.example unmute 1",
        "conference 3000-dupont.example kick 1", "conference 3000-dupont.example kick 999"]


def test_empty_room_and_dial_in(demo, switch_on_esl):
    martin = demo["martin.example"]
    room = one(ConferenceRoom, martin, number="3000")
    switch_on_esl.reply("conference 3000-martin.example list", "-ERR Conference 3000-martin.example not found\n")
    assert conferences.list_members(martin, room) == []
    job = conferences.dial_in(martin, room, "1001")
    assert len(job) == 36
    [originate] = [c for c in switch_on_esl.commands if c.startswith("bgapi originate")]
    assert originate == ("bgapi originate {origination_caller_id_number=3000,origination_caller_id_name=3000}"
                         "user/1001@martin.example &conference(3000-martin.example@martin.example_conf+424242)")


def test_reconcile_with_the_captured_callcenter_tables(dupont, switch_on_esl):
    server = switch_on_esl
    server.load_replies("api-callcenter-config.bin")  # FreeSWITCH still has the capture's support@dupont.example
    complaints = one(CallQueue, dupont, name="Réclamations")
    name = f"q{complaints.id}@dupont.example"
    results = dict(reconcile_callcenter())
    assert f"callcenter_config queue load {name}" in results
    assert f"callcenter_config tier add {name} 1003@dupont.example 1 1" in results
    assert "callcenter_config tier del support@dupont.example 1001@dupont.example" in results
    assert "callcenter_config agent del 1002@dupont.example" in results
    assert "callcenter_config queue unload support@dupont.example" in results
    assert not [c for c in results if "martin" in c and "dupont" in c]
    sent = api_commands(server)
    assert sent[:3] == ["callcenter_config queue list", "callcenter_config agent list",
                        "callcenter_config tier list"]
    assert sent[3:] == list(results)


def test_new_voicemail_event_through_the_listener_to_smtp(app, committed, switch_on_esl, smtp_server, tmp_path):
    from centrex.demo.companies import load_demo
    load_demo()
    committed.commit()
    # Dupont's 1002 (the captured event's box), not Martin's 1002: both companies have that extension
    dupont = committed.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    sophie = one(User, dupont, extension="1002")
    voicemail.update_box(dupont, voicemail.user_box(sophie), {"email_mode": "notify"})
    committed.commit()
    data = read_capture("events-plain-all.bin.gz")
    [event] = [raw for _, body, raw in split_messages(data) if b"VM-Action: leave-message" in body]
    with running_listener(app, switch_on_esl):
        switch_on_esl.wait_subscribed("CUSTOM")
        assert switch_on_esl.broadcast([event]) == 1
        message = wait_until(lambda: committed.execute(select(OutboxMessage).where(
            OutboxMessage.purpose == "voicemail")).scalar_one_or_none(), timeout=30,  # loaded CI machines
            what="the voicemail e-mail")
    assert message.recipients == [sophie.email]
    smtp_server.stop()
    assert [state for _, state in outbox.deliver_due()] == ["waiting"]  # the SMTP server is down
    smtp_server.start()
    assert [state for _, state in outbox.deliver_due(now=outbox.utcnow() + timedelta(minutes=2))] == ["sent"]
    assert len(smtp_server.received) == 1 and smtp_server.received[0].rcpt_tos == [sophie.email]
