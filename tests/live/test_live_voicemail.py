"""Voicemail through the live switch: a caller who finds the line busy leaves a message (speaking: SIPp
plays real G.711 audio), the box owner gets the e-mail with the recording and their phone's lamp lights
(an unsolicited MWI NOTIFY, as a Yealink with no MWI subscription receives it), in each language the
console offers."""
from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from sipp import PCAPS, call_scenario
from sqlalchemy import select

pytestmark = pytest.mark.live

# The recordings each box language plays (FreeSWITCH has no Italian pack: the English one).
PACKS = {"fr": "fr/ca/june", "de": "de/de/daedalus3", "en": "en/us/callie", "it": "en/us/callie"}
SPEECH = str(PCAPS / "g711a.pcap")  # 7 s of speech (236 RTP packets of 30 ms); min-record-len is 3 s


def leave_message(live, extension: str, box: str):
    """`extension` calls `box` and speaks twice 7 s: over the greeting (without its RTP FreeSWITCH's
    playback does not advance: the profiles set no rtp-timer-name), then after the beep, so that more than
    min-record-len is recorded however long the prompts took; hangs up 8 s after the second part began."""
    play = f'  <nop><action><exec play_pcap_audio="{SPEECH}"/></action></nop>\n'
    scenario = call_scenario(auth=True, talk_ms=8000, media=SPEECH).replace(
        play, play + '  <pause milliseconds="7100"/>\n' + play, 1)
    return live.sipp.run(f"voicemail-{extension}-{box}", live.internal, scenario,
                         [extension, box, "dupont.example", extension, "dupont.example"], live.port(),
                         "-au", extension, "-ap", live.secret(extension, "dupont.example"), timeout=60)


@pytest.fixture
def sophies_box(phones):
    """Sophie's (1002) box as the test sets it; put back as it was afterwards (the database is shared)."""
    from centrex.models import Tenant, User
    from centrex.voicemail import boxes as voicemail

    def box(session):
        user = session.execute(select(User).join(Tenant).where(
            Tenant.domain == "dupont.example", User.extension == "1002")).scalar_one()
        return user, voicemail.user_box(user)

    with phones.data() as session:
        user, row = box(session)
        before = {"email_mode": row.email_mode, "keep_after_email": row.keep_after_email,
                  "language": row.language}

    def set_box(values: dict) -> str:
        with phones.data() as session:
            user, row = box(session)
            voicemail.update_box(user.tenant, row, values)
            return user.email

    yield set_box
    set_box(before)


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
def test_busy_line_takes_a_message_mailed_with_the_recording_and_lights_the_lamp(phones, sophies_box,
                                                                                 language):
    live = phones
    live.at("2026-12-07 10:00")
    # the box e-mails the recording (and keeps it), and speaks `language`
    address = sophies_box({"email_mode": "attach", "keep_after_email": True, "language": language})
    owner = live.phone("1002", behaviour="busy")  # busy → her voicemail (no forward rule of her own)
    rows = len(_messages(live, "1002"))
    mails = len(live.smtp.received)
    started, calling, log = time.monotonic(), datetime.now(), live.switch.log_size()
    result = leave_message(live, "1001", "1002")
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
    assert caller == "1001" and seconds >= 5, (caller, seconds)
    notify = live.wait_for(lambda: _lamp_on(owner, calling), 15, what="MWI NOTIFY Messages-Waiting: yes")[-1]
    assert "1002@dupont.example" in (notify.first_line + notify.text)
