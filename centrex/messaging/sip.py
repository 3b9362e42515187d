"""Messages to and from desk phones and softphones (SIP MESSAGE). A phone's message reaches FreeSWITCH's
chat routing (mod_sms, freeswitch/chatplan/centrex.xml), which fires it as a MESSAGE event; the ESL
listener hands it to `receive`. The sender is the authenticated From (the internal profile challenges
MESSAGE like INVITE), so its domain is its company: a message to another domain, or to nobody of that
company, is refused and stored nowhere. What a colleague should see on their phones goes out with
FreeSWITCH's `chat` command, once the message is committed, to the node(s) their phones are registered
with (`relay_after_commit`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from centrex.calls import live
from centrex.freeswitch import commands
from centrex.freeswitch.sync import call_after_commit
from centrex.messaging import conversations
from centrex.models import ChatMessage, Conversation, Tenant, User
from centrex.platform.db import db
from centrex.platform.ports import SwitchError, switch
from centrex.platform.tenancy import scoped, tenant_by_domain

log = logging.getLogger("centrex.messaging")


@dataclass(frozen=True)
class PhoneMessage:
    """What FreeSWITCH reported of one SIP MESSAGE."""
    from_user: str
    from_host: str
    to_user: str
    to_host: str
    body: str


def _user(tenant: Tenant, extension: str) -> User | None:
    return db.session.execute(scoped(User, tenant.id).where(User.extension == extension,
                                                            User.enabled.is_(True))).scalar_one_or_none()


def receive(message: PhoneMessage) -> ChatMessage | None:
    """Store a phone's message in the private conversation of sender and recipient (flushed) and relay
    it to the recipient's phones after the commit; None (and nothing stored) when it is refused."""
    from_host, to_host = message.from_host.lower(), message.to_host.lower()
    if from_host != to_host:
        log.warning("SIP MESSAGE from %s@%s to %s@%s refused: another company's domain",
                    message.from_user, from_host, message.to_user, to_host)
        return None
    tenant = tenant_by_domain(from_host)
    sender = _user(tenant, message.from_user) if tenant else None
    recipient = _user(tenant, message.to_user) if tenant else None
    if tenant is None or sender is None or recipient is None or sender.id == recipient.id:
        log.warning("SIP MESSAGE from %s@%s to %s@%s refused: no such pair of colleagues",
                    message.from_user, from_host, message.to_user, to_host)
        return None
    conversation = conversations.private_with(sender, recipient)
    stored = conversations.post(conversation, sender, message.body, channel="sip")
    relay_after_commit(conversation, sender, stored)
    return stored


def relay_commands(conversation: Conversation, sender: User, message: ChatMessage) -> list[tuple[str, str]]:
    """(node, `chat` command) for every node where another member has a phone registered (a group's
    message carries the group's name in front). Members with no registered phone, and nodes where they
    have none, get nothing: for a user it cannot find registered, sofia sends the MESSAGE to
    sip:user@<company domain>, out to wherever that domain's DNS points."""
    tenant = db.session.get(Tenant, conversation.tenant_id)
    text = message.body if conversation.kind == "private" else f"[{conversation.name}] {message.body}"
    nodes: dict[str, set[str]] = {}
    for registration in live.registrations(tenant.id):
        nodes.setdefault(registration.extension, set()).add(registration.node)
    relayed = []
    for user in conversations.members(conversation):
        if user.id == sender.id:
            continue
        try:
            command = commands.chat(f"{sender.extension}@{tenant.domain}", f"{user.extension}@{tenant.domain}", text)
        except ValueError as exc:  # not an address FreeSWITCH can take: the message stays in the console
            log.warning("SIP MESSAGE to %s@%s not relayed: %s", user.extension, tenant.domain, exc)
            continue
        relayed += [(node, command) for node in sorted(nodes.get(user.extension, ()))]
    return relayed


def relay_after_commit(conversation: Conversation, sender: User, message: ChatMessage) -> None:
    """Once committed, send the message to the other members' registered phones (relay_commands)."""
    relayed = relay_commands(conversation, sender, message)
    if relayed:
        call_after_commit(lambda: _send(relayed))


def _send(relayed: list[tuple[str, str]]) -> None:
    """Never raises: the message is stored whatever FreeSWITCH says."""
    try:
        port = switch()
    except SwitchError as exc:
        log.warning("%d SIP MESSAGE(s) not relayed: %s", len(relayed), exc)
        return
    for node, command in relayed:
        try:
            port.api(command, node=node)
        except SwitchError as exc:
            log.warning("FreeSWITCH %s did not relay a SIP MESSAGE: %s", node, exc)


def post_and_relay(conversation: Conversation, sender: User, body: str) -> ChatMessage:
    """A message typed in the console: stored (flushed), and sent to the other members' phones once
    committed."""
    message = conversations.post(conversation, sender, body)
    relay_after_commit(conversation, sender, message)
    return message
