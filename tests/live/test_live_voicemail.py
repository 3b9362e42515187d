"""Voicemail through the live switch: a caller who finds the line busy leaves a message (speaking: SIPp
plays real G.711 audio), the box owner gets the e-mail with the recording and their phone's lamp lights
(an unsolicited MWI NOTIFY, as a Yealink with no MWI subscription receives it), in each language the
console offers."""
from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from sipp import PCAPS

pytestmark = pytest.mark.live

# The recordings each box language plays (FreeSWITCH has no Italian pack: the English one).
PACKS = {"fr": "fr/ca/june", "de": "de/de/daedalus3", "en": "en/us/callie", "it": "en/us/callie"}
SPEECH = str(PCAPS / "g711a.pcap")  # 7 s of speech (236 RTP packets of 30 ms); min-record-len is 3 s


def _set_box(live, extension: str, language: str) -> str:
    """The owner's box e-mails the recording (and keeps it); the box speaks `language`. The owner's address."""
    from centrex.models import Tenant, User
    from centrex.services import voicemail

    with live.data() as session:
        user = session.execute(select(User).join(Tenant).where(
            Tenant.domain == "dupont.example", User.extension == extension)).scalar_one()
        voicemail.update_box(user.tenant, voicemail.user_box(user),
                             {"email_mode": "attach", "keep_after_email": True, "language": language})
        return user.email


def _mail_to(live, address: str, since: int):
    for received in live.smtp.received[since:]:
        if address in received.rcpt_tos:
            return received.message
    return None


def _messages(live, box: str) -> list[tuple[str, int]]:
    """(caller number, length in seconds) of the console's rows for this box of Dupont, oldest first."""
    from centrex.models import Tenant, VoicemailMessage

    with live.data() as session:
        return [(m.caller_number, m.length_seconds) for m in session.execute(
            select(VoicemailMessage).join(Tenant, Tenant.id == VoicemailMessage.tenant_id).where(
                Tenant.domain == "dupont.example", VoicemailMessage.box == box).order_by(VoicemailMessage.id)
        ).scalars()]


def _lamp_on(phone, since: datetime) -> list:
    """MWI NOTIFYs saying "new messages" that the phone received after `since` (not the one at REGISTER)."""
    return [m for m in phone.uas.received("NOTIFY") if m.at >= since
            and (m.header("Event") or "").startswith("message-summary") and "Messages-Waiting: yes" in m.text]


@pytest.mark.parametrize("language", ["fr", "de", "en", "it"])
def test_busy_line_takes_a_message_mailed_with_the_recording_and_lights_the_lamp(phones, language):
    live = phones
    live.at("2026-12-07 10:00")
    address = _set_box(live, "1002", language)
    owner = live.phone("1002", behaviour="busy")  # busy → her voicemail (no forward rule of her own)
    rows = len(_messages(live, "1002"))
    mails = len(live.smtp.received)
    started, calling, log = time.monotonic(), datetime.now(), live.switch.log_size()
    result = live.call("1001", "1002", talk_ms=9000, media=SPEECH)
    took = time.monotonic() - started

    assert result.final == 200, result.output
    hung_up_on = [m for m in result.messages if m.direction == "received" and m.method == "BYE"]
    assert not hung_up_on, f"the switch hung up on the caller after {took:.1f} s (language {language})"
    played = re.findall(r"done playing file (\S+)", live.switch.log_since(log))
    prompts = [path for path in played if "/voicemail/vm-" in path]
    assert prompts and all(f"/{PACKS[language]}/voicemail/" in path for path in prompts), played
    message = live.wait_for(lambda: _mail_to(live, address, mails), 20, what="the new-message e-mail")
    attachments = [part for part in message.walk() if part.get_filename()]
    assert attachments and attachments[0].get_content_type().startswith("audio/"), message.as_string()[:2000]
    assert len(attachments[0].get_payload(decode=True)) > 8000 * 2  # more than a second of recording
    caller, seconds = live.wait_for(lambda: _messages(live, "1002")[rows:], 10, what="the message row")[0]
    assert caller == "1001" and seconds >= 3, (caller, seconds)  # mod_voicemail keeps 3 s or more
    notify = live.wait_for(lambda: _lamp_on(owner, calling), 15, what="MWI NOTIFY Messages-Waiting: yes")[-1]
    assert "1002@dupont.example" in (notify.first_line + notify.text)
