"""New-voicemail e-mail: mod_voicemail's captured vm::maintenance `leave-message` event goes through the
ESL handler into the shared outbox, and a real SMTP server (aiosmtpd) receives the mail, with the
recording when the box asks for it; retried when the server is down at first; sent once."""
from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from sqlalchemy import select

from centrex.demo.services import tone_wav
from centrex.freeswitch.sync import pending_commands
from centrex.models import OutboxMessage, User
from centrex.platform import outbox
from centrex.platform.db import db
from centrex.voicemail import boxes as voicemail
from conftest import FIXTURES
from esl_handlers.dispatch import Event, handlers_for
from esl_handlers.voicemail import voicemail_maintenance
from smtp_server import smtp_server  # noqa: F401 - fixture

pytestmark = pytest.mark.smoke
CAPTURED_PATH = ("/opt/freeswitch/var/lib/freeswitch/storage/voicemail/default/dupont.example/1002/"
                 "msg_4a422039-cd6f-4b5c-b2f9-d575d38af764.wav")


def captured_leave_message() -> str:
    """The `leave-message` event mod_voicemail sent after the deposit for 1002@dupont.example."""
    data = gzip.decompress((FIXTURES / "esl" / "events-plain-all.bin.gz").read_bytes())
    pos = 0
    while pos < len(data):
        end = data.index(b"\n\n", pos)
        headers = dict(line.split(": ", 1) for line in data[pos:end].decode().split("\n"))
        length = int(headers.get("Content-Length", 0))
        body = data[end + 2:end + 2 + length].decode()
        if "VM-Action: leave-message" in body:
            return body
        pos = end + 2 + length
    raise AssertionError("no leave-message event in the capture")


def deliver(event_text: str, recording: str | None = None, domain: str | None = None) -> None:
    if recording is not None:
        event_text = event_text.replace(CAPTURED_PATH, recording)
    if domain is not None:
        event_text = event_text.replace("VM-Domain: dupont.example", f"VM-Domain: {domain}")
    event = Event.from_plain(event_text, node="127.0.0.1:8021")
    assert voicemail_maintenance in handlers_for(event)
    voicemail_maintenance(event)


def set_box(demo, domain, extension, **settings):
    tenant = demo[domain]
    user = db.session.execute(select(User).where(User.tenant_id == tenant.id,
                                                 User.extension == extension)).scalar_one()
    voicemail.update_box(tenant, voicemail.user_box(user), settings)
    return user


def test_new_message_is_mailed_with_the_recording(session, demo, smtp_server, tmp_path):
    sophie = set_box(demo, "dupont.example", "1002", email_mode="attach")
    recording = tmp_path / "msg.wav"
    recording.write_bytes(tone_wav(440, 2.0))
    deliver(captured_leave_message(), str(recording))
    session.commit()
    assert [state for _, state in outbox.deliver_due()] == ["sent"]
    [received] = smtp_server.received
    assert received.rcpt_tos == [sophie.email]
    mail = received.message
    assert mail["Subject"] == ("Nouveau message vocal de Alice Dupont (1001) / "
                               "New voicemail from Alice Dupont (1001)")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert body.index("Nouveau message") < body.index("New message")  # French first
    assert "Durée : 0:05" in body and "Length: 0:05" in body and "est joint" in body
    [part] = list(mail.iter_attachments())
    assert part.get_content_type() == "audio/wav" and part.get_content() == recording.read_bytes()
    assert part.get_filename().startswith("message-1002-") and part.get_filename().endswith(".wav")
    assert pending_commands() == []  # the message stays in the box


def test_smtp_down_at_first_then_delivered_once(session, demo, smtp_server, tmp_path):
    set_box(demo, "dupont.example", "1002", email_mode="notify")
    smtp_server.stop()
    deliver(captured_leave_message(), str(tmp_path / "absent.wav"))
    deliver(captured_leave_message(), str(tmp_path / "absent.wav"))  # the same event twice: one mail
    session.commit()
    assert [state for _, state in outbox.deliver_due()] == ["waiting"]
    smtp_server.start()
    later = outbox.utcnow() + timedelta(seconds=120)  # after the first backoff (60 s)
    assert [state for _, state in outbox.deliver_due(now=later)] == ["sent"]
    assert outbox.deliver_due(now=later + timedelta(hours=5)) == []
    assert len(smtp_server.received) == 1
    body = smtp_server.received[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "depuis votre téléphone" in body and not list(smtp_server.received[0].message.iter_attachments())
    message = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "voicemail")).scalar_one()
    assert (message.state, message.attempts) == ("sent", 2)


def test_email_only_box_deletes_the_message_once_attached(session, demo, tmp_path):
    session.commit()  # the demo's own commands are gone: only this event's remain
    set_box(demo, "dupont.example", "1002", email_mode="attach", keep_after_email=False)
    recording = tmp_path / "msg.wav"
    recording.write_bytes(tone_wav(440))
    event = captured_leave_message()
    deliver(event, str(recording))
    uuid = Event.from_plain(event).get("VM-UUID")
    assert pending_commands() == [f"vm_delete 1002@dupont.example {uuid}"]


def test_recording_not_reachable_is_said_and_kept(session, demo, tmp_path):
    session.commit()
    set_box(demo, "dupont.example", "1002", email_mode="attach", keep_after_email=False)
    deliver(captured_leave_message(), str(tmp_path / "not-here.wav"))
    message = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "voicemail")).scalar_one()
    assert not message.attachments and "n’a pas pu être joint" in message.body
    assert pending_commands() == []  # never delete what the mail does not carry


def test_no_mail_when_the_box_wants_none_or_is_another_companys(session, demo, tmp_path):
    set_box(demo, "martin.example", "1002", email_mode="attach")  # Martin's 1002, same extension
    deliver(captured_leave_message(), str(tmp_path / "x.wav"))     # Dupont's 1002 wants no mail
    deliver(captured_leave_message(), str(tmp_path / "x.wav"), domain="nowhere.example")
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "voicemail")).first() is None
    deliver(captured_leave_message(), str(tmp_path / "x.wav"), domain="martin.example")
    [message] = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "voicemail")).scalars()
    assert message.recipients == ["anne.rey@martin.example"] and message.tenant_id == demo["martin.example"].id


def test_other_vm_events_are_ignored(session, demo):
    set_box(demo, "dupont.example", "1002", email_mode="notify")
    deliver(captured_leave_message().replace("VM-Action: leave-message", "VM-Action: mwi-update"))
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == "voicemail")).first() is None
