"""Instant messages to and from desk phones on the live switch: a phone's SIP MESSAGE goes through
FreeSWITCH's chat routing (mod_sms, freeswitch/chatplan/) to the product, which stores it in the
conversation of the two colleagues and relays it to the recipient's registered phones; a message typed
in the console reaches the colleague's phones as SIP MESSAGE; another company's phone reaches nobody."""
from __future__ import annotations

import re
import time

import pytest
from live_messages import body_of, messages_received, send_message, wait_for_listener
from sqlalchemy import select

from webui_testing import login, post

pytestmark = pytest.mark.live

ALAIN = "alain.dupont@dupont.example"  # 1001 of Dupont SA
SOPHIE = "sophie.martin@dupont.example"  # 1002 of Dupont SA


@pytest.fixture
def phones(phones):
    wait_for_listener(phones)
    return phones


def stored(live, text: str) -> list:
    """(tenant domain, sender extension, channel) of every stored message with this text."""
    from centrex.models import ChatMessage, Tenant, User

    with live.data() as session:
        rows = session.execute(select(Tenant.domain, User.extension, ChatMessage.channel)
                               .join(Tenant, Tenant.id == ChatMessage.tenant_id)
                               .join(User, User.id == ChatMessage.sender_user_id)
                               .where(ChatMessage.body == text)).all()
        return [tuple(row) for row in rows]


def console(live, email: str):
    client = live.app.test_client()
    login(client, email)
    return client


def online(live, client, extension: str) -> None:
    """Until the product's live state has `extension` registered (the relay only goes to registered phones)."""
    live.wait_for(lambda: any(p["extension"] == extension and p["state"] != "offline"
                              for p in client.get("/me/colleagues.json").get_json()["people"]),
                  timeout=15, what=f"{extension} registered in the live state")


def bodies(phone) -> list[str]:
    return [body_of(m) for m in messages_received(phone)]


def test_a_desk_phone_message_is_stored_shown_in_the_console_and_rings_the_colleague(phones):
    live = phones
    sophie_phone = live.phone("1002", "dupont.example")
    live.phone("1001", "dupont.example")
    sophie = console(live, SOPHIE)
    online(live, sophie, "1002")
    text = "Bruno appelle a 15 h, tu peux le prendre ?"
    started = time.monotonic()
    result = send_message(live, "1001", "dupont.example", "1002", text)
    assert result.responses("MESSAGE")[-1] in (200, 202), (result.responses("MESSAGE"), result.output)
    assert live.wait_for(lambda: stored(live, text), timeout=15, what="the message in the database") == \
        [("dupont.example", "1001", "sip")]
    live.wait_for(lambda: text in bodies(sophie_phone), timeout=15, what="1002's phone got the MESSAGE")
    relayed = [m for m in messages_received(sophie_phone) if body_of(m) == text]
    assert len(relayed) == 1 and "1001@dupont.example" in relayed[0].header("From")
    print(f"phone -> database -> colleague's phone: {time.monotonic() - started:.1f} s")

    polled = sophie.get("/me/messages/updates.json").get_json()
    mine = [c for c in polled["conversations"] if c["title"] == "Alain Dupont"]
    assert mine and mine[0]["unread"] >= 1 and mine[0]["last"] == text
    assert text in sophie.get(mine[0]["url"]).get_data(as_text=True)


def test_a_console_message_reaches_the_colleagues_desk_phone(phones):
    live = phones
    alain_phone = live.phone("1001", "dupont.example")
    sophie = console(live, SOPHIE)
    online(live, sophie, "1001")
    with live.data() as session:
        from centrex.models import Tenant, User

        alain_id = session.execute(select(User.id).join(Tenant, Tenant.id == User.tenant_id).where(
            Tenant.domain == "dupont.example", User.extension == "1001")).scalar_one()
    opened = post(sophie, "/me/messages/new", {"kind": "private", "user_id": str(alain_id)})
    conversation = re.search(r"/me/messages/(\d+)$", opened.headers["Location"])[1]
    text = "Réunion déplacée à 16 h | salle 2"
    sent = post(sophie, f"/me/messages/{conversation}", {"body": text}, headers={"X-Requested-With": "fetch"})
    assert sent.status_code == 201, sent.get_data(as_text=True)
    expected = "Réunion déplacée à 16 h \u00a6 salle 2"  # `chat` splits on "|": the relay shows a broken bar
    live.wait_for(lambda: expected in bodies(alain_phone), timeout=15, what="1001's phone got the MESSAGE")
    got = [m for m in messages_received(alain_phone) if body_of(m) == expected][0]
    assert "1002@dupont.example" in got.header("From")
    assert stored(live, text) == [("dupont.example", "1002", "console")]


def test_another_company_phone_reaches_nobody(phones):
    live = phones
    sophie_phone = live.phone("1002", "dupont.example")
    live.phone("1001", "martin.example")
    text = "Message de Martin pour Dupont"
    result = send_message(live, "1001", "martin.example", "1002", text, to_domain="dupont.example")
    assert result.responses("MESSAGE"), result.output  # the switch answered (challenge, then its answer)
    control = "Message interne Martin"  # sent after it: once this one is stored, the first was handled
    send_message(live, "1001", "martin.example", "1002", control)
    live.wait_for(lambda: stored(live, control), timeout=15, what="Martin's own message stored")
    assert stored(live, text) == []
    time.sleep(1.0)
    assert text not in bodies(sophie_phone)
