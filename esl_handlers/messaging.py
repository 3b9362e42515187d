"""SIP MESSAGE from phones: FreeSWITCH's chatplan (freeswitch/chatplan/centrex.xml) marks each message a
phone sent with `centrex_chat=inbound` and fires it as a MESSAGE event; centrex.messaging.sip stores it
and relays it to the recipient's phones."""
from __future__ import annotations

from centrex.messaging.sip import PhoneMessage, receive
from esl_handlers.dispatch import Event, on

CHATPLAN_MARK = ("centrex_chat", "inbound")


def phone_message(event: Event) -> PhoneMessage | None:
    """The message of a MESSAGE event our chatplan fired; None for any other MESSAGE event (FreeSWITCH's
    core fires a copy of every message it has handled, with a delivery header: never the phone's)."""
    if event.get(CHATPLAN_MARK[0]) != CHATPLAN_MARK[1] or (event.get("proto") or "sip") != "sip":
        return None
    if event.get("Nonblocking-Delivery") or event.get("Delivery-Failure"):
        return None
    fields = [event.get(name) or "" for name in ("from_user", "from_host", "to_user", "to_host")]
    if not all(fields):
        return None
    return PhoneMessage(*fields, body=(event.body or "").strip())


@on("MESSAGE")
def sip_message(event: Event) -> None:
    message = phone_message(event)
    if message is not None and message.body:
        receive(message)
