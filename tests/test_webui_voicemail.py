"""Voicemail in the console: the shared boxes of the client menu (PIN never shown back), a user's own box
and messages in self-care. Messages come from mod_voicemail's captured `leave-message` event through the
real ESL handler; they are played from the storage root only (a path escaping it gives 404), and deleting
one removes the row and sends `vm_delete` to FreeSWITCH (the test ESL server) after the commit."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, update

from centrex.demo.services import tone_wav
from centrex.models import Number, User, UserVoicemail, VoicemailBox, VoicemailMessage
from centrex.platform.crypto import verify_password
from centrex.platform.db import db
from centrex.voicemail import messages as voicemail_messages
from esl_switch import esl_server, switch_on_esl  # noqa: F401 - fixtures
from test_services_voicemail_mail import CAPTURED_PATH, captured_leave_message, deliver
from webui_testing import ADMIN_DUPONT, ADMIN_MARTIN, USER_DUPONT, USER_MARTIN, login, post, text

pytestmark = pytest.mark.commit_demo  # the demo's own switch commands go out before each test

CAPTURED_UUID = "8106a13f-aaaa-45cc-8520-3856b4c38b13"


def user(tenant, extension) -> User:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)
                              ).scalar_one()


def messages_of(owner: User) -> list[VoicemailMessage]:
    return voicemail_messages.messages_of_user(owner)


@pytest.fixture
def captured_message(app, dupont):
    """The captured deposit for 1002@dupont.example, its recording placed where FreeSWITCH named it."""
    root = Path(app.config["VOICEMAIL_STORAGE"])
    recording = root / "default" / "dupont.example" / "1002" / Path(CAPTURED_PATH).name
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(tone_wav(440, 1.0))
    deliver(captured_leave_message(), str(recording))
    db.session.commit()
    return db.session.execute(select(VoicemailMessage).where(VoicemailMessage.message_uuid == CAPTURED_UUID)
                              ).scalar_one()


def test_the_captured_leave_message_event_creates_the_message_row(dupont, captured_message):
    sophie = user(dupont, "1002")
    row = captured_message
    assert (row.tenant_id, row.user_id, row.shared_box_id, row.box) == (dupont.id, sophie.id, None, "1002")
    assert (row.caller_name, row.caller_number, row.length_seconds) == ("Alice Dupont", "1001", 5)
    assert int(row.received_at.timestamp()) == 1795947433
    deliver(captured_leave_message())  # the same event again (reconnect, replay): still one row
    db.session.commit()
    assert [m.message_uuid for m in messages_of(sophie)] == [CAPTURED_UUID]


def test_the_same_box_number_in_another_company_gets_its_own_row(demo, dupont):
    martin = demo["martin.example"]
    deliver(captured_leave_message(), domain="martin.example")  # 1002 exists in both companies
    deliver(captured_leave_message())
    db.session.commit()
    rows = db.session.execute(select(VoicemailMessage).where(VoicemailMessage.message_uuid == CAPTURED_UUID)
                              .order_by(VoicemailMessage.tenant_id)).scalars().all()
    assert [(r.tenant_id, r.user_id) for r in rows] == [
        (dupont.id, user(dupont, "1002").id), (martin.id, user(martin, "1002").id)]


def test_a_user_lists_and_plays_own_messages_only(client, dupont, captured_message):
    login(client, USER_DUPONT)
    page = client.get("/me/voicemail")
    assert page.status_code == 200
    body = text(page)
    alain = user(dupont, "1001")
    mine = messages_of(alain)
    assert len(mine) == 2 and "Fiduciaire Rochat" in body and "Alice Dupont" not in body  # Sophie's message
    played = client.get(f"/me/voicemail/messages/{mine[0].id}")
    assert played.status_code == 200 and played.mimetype == "audio/wav" and played.data[:4] == b"RIFF"
    assert client.get(f"/me/voicemail/messages/{captured_message.id}").status_code == 404  # a colleague's
    assert post(client, f"/me/voicemail/messages/{captured_message.id}/delete").status_code == 404
    assert db.session.get(VoicemailMessage, captured_message.id) is not None


@pytest.mark.parametrize("trick", ["/etc/passwd", "{root}/../../../etc/passwd.wav",
                                   "{root}/default/martin.example/1001/msg_x.wav",
                                   "{root}/default/dupont.example/1002/msg_x.wav",
                                   "{root}/default/dupont.example/1001/x.sh",
                                   "{root}/default/dupont.example/1001/link.wav"])
def test_a_path_outside_the_box_in_the_storage_root_is_never_served(app, client, dupont, tmp_path, trick):
    root = Path(app.config["VOICEMAIL_STORAGE"])
    outside = tmp_path / "secret.wav"
    outside.write_bytes(tone_wav(300, 0.5))
    link = root / "default" / "dupont.example" / "1001" / "link.wav"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(outside)
    for target in ("martin.example/1001", "dupont.example/1002"):
        (root / "default" / target).mkdir(parents=True, exist_ok=True)
        (root / "default" / target / "msg_x.wav").write_bytes(tone_wav(300, 0.5))
    message = messages_of(user(dupont, "1001"))[0]
    message.file_path = trick.format(root=root)
    db.session.commit()
    login(client, USER_DUPONT)
    assert client.get(f"/me/voicemail/messages/{message.id}").status_code == 404


def test_deleting_a_message_sends_vm_delete_after_the_commit(client, dupont, switch_on_esl):
    login(client, USER_DUPONT)
    message = messages_of(user(dupont, "1001"))[0]
    uuid, message_id = message.message_uuid, message.id
    switch_on_esl.reply(f"vm_delete 1001@dupont.example {uuid}", "+OK\n")
    response = post(client, f"/me/voicemail/messages/{message_id}/delete")
    assert response.status_code == 302
    assert db.session.get(VoicemailMessage, message_id) is None
    assert f"api vm_delete 1001@dupont.example {uuid}" in switch_on_esl.commands


def test_self_care_settings_pin_and_greeting(app, client, dupont, tmp_path):
    login(client, USER_DUPONT)
    alain = user(dupont, "1001")
    response = post(client, "/me/voicemail", {"language": "en", "email_mode": "notify", "email_to": "",
                                               "keep_after_email": "on"})
    assert response.status_code == 302
    box = db.session.execute(select(UserVoicemail).where(UserVoicemail.user_id == alain.id)).scalar_one()
    assert (box.language, box.email_mode, box.keep_after_email, box.email_to) == ("en", "notify", True, None)
    refused = post(client, "/me/voicemail", {"email_mode": "notify"})  # "e-mail only" without the recording
    assert refused.status_code == 422 and 'id="keep_after_email-error"' in text(refused)
    db.session.refresh(box)
    assert box.keep_after_email is True
    assert post(client, "/me/voicemail/pin", {"vm_pin": "802417", "vm_pin_confirm": "714208"}).status_code == 422
    assert post(client, "/me/voicemail/pin", {"vm_pin": "246801", "vm_pin_confirm": "246801"}).status_code == 302
    db.session.refresh(alain)
    assert verify_password(alain.vm_pin_hash, "246801")
    assert "246801" not in text(client.get("/me/voicemail"))
    if shutil.which("sox") is None:
        return
    fake = post(client, "/me/voicemail/greeting", {"file": (io.BytesIO(b"MZ" + b"\x00" * 500), "accueil.mp3")},
                content_type="multipart/form-data")
    assert fake.status_code == 422 and "pas un MP3 lisible" in text(fake)
    wav = tmp_path / "greeting.wav"
    subprocess.run(["sox", "-n", "-r", "16000", str(wav), "synth", "1", "sine", "500"], check=True)
    response = post(client, "/me/voicemail/greeting", {"file": (io.BytesIO(wav.read_bytes()), "bonjour.wav")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(box)
    assert box.greeting_id is not None
    assert client.get(f"/me/voicemail/greeting/{box.greeting_id}").data[:4] == b"RIFF"


def test_shared_boxes_are_managed_and_the_pin_never_shown(client, dupont, demo):
    login(client, ADMIN_DUPONT)
    page = text(client.get(f"/t/{dupont.id}/voicemail"))
    assert "Répondeur Dupont SA" in page and "Martin Sàrl" not in page
    bad = post(client, f"/t/{dupont.id}/voicemail/new", {"number": "8100", "name": "Support", "pin": "12"})
    assert bad.status_code == 422 and 'id="pin-error"' in text(bad)
    assert db.session.execute(select(VoicemailBox).where(VoicemailBox.number == "8100")).first() is None
    response = post(client, f"/t/{dupont.id}/voicemail/new", {
        "number": "8100", "name": "Support", "pin": "975310", "language": "de", "email_mode": "attach",
        "email_to": "support@dupont.example", "keep_after_email": "on", "enabled": "on"})
    assert response.status_code == 302
    box = db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == dupont.id,
                                                        VoicemailBox.number == "8100")).scalar_one()
    assert (box.language, box.email_mode, box.email_to) == ("de", "attach", "support@dupont.example")
    assert verify_password(box.pin_hash, "975310")
    edit = text(client.get(f"/t/{dupont.id}/voicemail/{box.id}"))
    assert "975310" not in edit and box.pin_hash not in edit and "support@dupont.example" in edit
    response = post(client, f"/t/{dupont.id}/voicemail/{box.id}", {
        "number": "8100", "name": "Support technique", "email_mode": "none", "keep_after_email": "on",
        "enabled": "on"})
    assert response.status_code == 302
    db.session.refresh(box)
    assert box.name == "Support technique" and verify_password(box.pin_hash, "975310")  # PIN kept
    assert post(client, f"/t/{dupont.id}/voicemail/{box.id}/delete").status_code == 302
    assert db.session.get(VoicemailBox, box.id) is None


def test_the_admin_plays_and_deletes_the_shared_box_messages(client, dupont, demo):
    box = db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == dupont.id)).scalars().first()
    [message] = voicemail_messages.messages_of_box(box)
    login(client, ADMIN_DUPONT)
    assert "079 555 00 00" in text(client.get(f"/t/{dupont.id}/voicemail/{box.id}"))
    played = client.get(f"/t/{dupont.id}/voicemail/{box.id}/messages/{message.id}")
    assert played.status_code == 200 and played.mimetype == "audio/wav"
    alain_message = messages_of(user(dupont, "1001"))[0]  # a user's message is not a shared box's
    assert client.get(f"/t/{dupont.id}/voicemail/{box.id}/messages/{alain_message.id}").status_code == 404
    martin = demo["martin.example"]
    martin_box = db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == martin.id)).scalar_one()
    assert client.get(f"/t/{dupont.id}/voicemail/{martin_box.id}").status_code == 404
    assert client.get(f"/t/{martin.id}/voicemail").status_code == 404
    assert post(client, f"/t/{dupont.id}/voicemail/{box.id}/messages/{message.id}/delete").status_code == 302
    assert voicemail_messages.messages_of_box(box) == []


@pytest.mark.parametrize("who,status", [(USER_DUPONT, 403), (ADMIN_MARTIN, 404), (USER_MARTIN, 403)])
def test_other_roles_and_companies_cannot_open_the_shared_boxes(client, dupont, who, status):
    login(client, who)
    box = db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == dupont.id)).scalars().first()
    [message] = voicemail_messages.messages_of_box(box)
    assert client.get(f"/t/{dupont.id}/voicemail").status_code == status
    assert client.get(f"/t/{dupont.id}/voicemail/{box.id}/messages/{message.id}").status_code == status
    assert post(client, f"/t/{dupont.id}/voicemail/{box.id}/delete").status_code == status
    assert db.session.get(VoicemailBox, box.id) is not None


def test_a_form_without_csrf_token_changes_nothing(client, dupont):
    login(client, USER_DUPONT)
    message = messages_of(user(dupont, "1001"))[0]
    assert client.post(f"/me/voicemail/messages/{message.id}/delete").status_code == 400
    assert client.post("/me/voicemail/pin", data={"vm_pin": "918273", "vm_pin_confirm": "918273"}).status_code == 400
    assert db.session.get(VoicemailMessage, message.id) is not None


def test_deleting_a_shared_box_also_removes_its_recordings_in_freeswitch(client, dupont, switch_on_esl):
    box = db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == dupont.id)).scalars().first()
    [message] = voicemail_messages.messages_of_box(box)
    db.session.execute(update(Number).where(Number.tenant_id == dupont.id, Number.dest_type == "voicemail",
                                            Number.dest_id == box.id).values(dest_type=None, dest_id=None))
    db.session.commit()
    box_id, uuid = box.id, message.message_uuid
    login(client, ADMIN_DUPONT)
    switch_on_esl.reply(f"vm_delete {box.number}@dupont.example {uuid}", "+OK\n")
    assert post(client, f"/t/{dupont.id}/voicemail/{box_id}/delete").status_code == 302
    assert db.session.get(VoicemailBox, box_id) is None
    assert f"api vm_delete {box.number}@dupont.example {uuid}" in switch_on_esl.commands
