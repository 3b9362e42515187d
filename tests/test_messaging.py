"""Instant messaging, the domain: private and group conversations, unread counts, members only, one
company only; and what a phone's SIP MESSAGE becomes (centrex.messaging.sip)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from centrex.freeswitch import commands
from centrex.messaging import conversations as chat
from centrex.messaging.sip import PhoneMessage, receive
from centrex.models import ChatMessage, Conversation, User
from centrex.platform.db import db
from centrex.platform.errors import Invalid, NotFound
from esl_switch import switch_on_esl  # noqa: F401 - the fixture


def user(tenant, extension: str) -> User:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == extension)
                              ).scalar_one()


@pytest.fixture
def martin(demo):
    return demo["martin.example"]


def test_a_private_conversation_is_one_per_pair_and_counts_what_the_other_has_not_read(dupont):
    alain, bruno = user(dupont, "1001"), user(dupont, "1002")
    conversation = chat.private_with(alain, bruno)
    assert chat.private_with(bruno, alain).id == conversation.id
    chat.post(conversation, alain, "  Tu as le dossier Müller ?  ")
    chat.post(conversation, alain, "C'est urgent")
    assert [s.unread for s in chat.overview(bruno)] == [2]
    assert [s.unread for s in chat.overview(alain)] == [0]  # one has read what one wrote
    assert chat.overview(bruno)[0].title == alain.name and chat.overview(alain)[0].title == bruno.name
    assert chat.overview(bruno)[0].last.body == "C'est urgent"
    chat.mark_read(conversation, bruno)
    assert chat.unread_total(bruno) == 0
    reply = chat.post(conversation, bruno, "Oui, je te l'envoie")
    assert chat.unread_total(alain) == 1
    assert [m.body for m in chat.messages(conversation)] == ["Tu as le dossier Müller ?", "C'est urgent",
                                                             "Oui, je te l'envoie"]
    assert chat.messages(conversation, after=reply.id) == []
    assert [m.body for m in chat.messages(conversation, before=reply.id, limit=1)] == ["C'est urgent"]


def test_a_group_has_a_name_and_its_members_only(dupont):
    claire, alain, bruno, other = (user(dupont, e) for e in ("1000", "1001", "1002", "1003"))
    group = chat.create_group(claire, "Équipe vente", [alain.id, bruno.id])
    assert [u.extension for u in chat.members(group)] == ["1000", "1001", "1002"]
    chat.post(group, alain, "Réunion à 14 h")
    assert chat.unread_total(claire) == 1 and chat.unread_total(bruno) == 1 and chat.unread_total(other) == 0
    assert chat.overview(bruno)[0].title == "Équipe vente"
    assert chat.conversation_for(bruno, group.id).id == group.id
    with pytest.raises(NotFound):
        chat.conversation_for(other, group.id)  # not a member: it does not exist for them
    with pytest.raises(NotFound):
        chat.post(group, other, "Je peux venir ?")


def test_wrong_input_is_refused_with_the_field(dupont):
    alain, bruno = user(dupont, "1001"), user(dupont, "1002")
    with pytest.raises(Invalid) as empty:
        chat.post(chat.private_with(alain, bruno), alain, "   ")
    assert "body" in empty.value.fields
    with pytest.raises(Invalid) as long:
        chat.post(chat.private_with(alain, bruno), alain, "x" * (chat.MAX_BODY + 1))
    assert "body" in long.value.fields
    with pytest.raises(Invalid):
        chat.create_group(alain, "", [bruno.id])
    with pytest.raises(Invalid):
        chat.create_group(alain, "Seul", [alain.id])
    with pytest.raises(Invalid):
        chat.private_with(alain, alain)


def test_another_company_is_out_of_reach(dupont, martin):
    alain, bruno = user(dupont, "1001"), user(dupont, "1002")
    pierre = user(martin, "1001")
    conversation = chat.private_with(alain, bruno)
    with pytest.raises(NotFound):
        chat.conversation_for(pierre, conversation.id)
    with pytest.raises(Invalid):
        chat.private_with(pierre, alain)
    with pytest.raises(Invalid):
        chat.private_with_id(pierre, alain.id)
    with pytest.raises(Invalid):
        chat.create_group(pierre, "Espions", [alain.id])
    assert chat.overview(pierre) == []


def test_a_phone_message_lands_in_the_private_conversation_and_another_domain_is_refused(dupont, martin):
    alain, bruno = user(dupont, "1001"), user(dupont, "1002")
    stored = receive(PhoneMessage("1001", "DUPONT.example", "1002", "dupont.example", "Rappelle-moi"))
    assert stored is not None and stored.channel == "sip" and stored.sender_user_id == alain.id
    assert stored.conversation_id == chat.private_with(alain, bruno).id
    assert chat.unread_total(bruno) == 1
    before = db.session.execute(select(func.count(ChatMessage.id))).scalar()
    assert receive(PhoneMessage("1001", "martin.example", "1002", "dupont.example", "Bonjour")) is None
    assert receive(PhoneMessage("1001", "dupont.example", "1999", "dupont.example", "Personne")) is None
    assert receive(PhoneMessage("1001", "nowhere.example", "1002", "nowhere.example", "Inconnu")) is None
    assert db.session.execute(select(func.count(ChatMessage.id))).scalar() == before
    assert db.session.execute(select(func.count(Conversation.id)).where(Conversation.tenant_id == martin.id)
                              ).scalar() == 0


def test_the_chat_command_is_one_line_and_the_text_cannot_cut_it():
    assert commands.chat("1001@dupont.example", "1002@dupont.example", "Salut |\nça va ?") == \
        "chat sip|1001@dupont.example|internal/1002@dupont.example|Salut \u00a6 ça va ?|text/plain"
    with pytest.raises(ValueError):
        commands.chat("1001@dupont.example", "1002@dupont.example|x", "Salut")


def registered(tenant, extension: str, node: str = "127.0.0.1:8021") -> None:
    from centrex.models import LiveRegistration

    db.session.add(LiveRegistration(tenant_id=tenant.id, extension=extension, call_id=f"reg-{extension}-{node}",
                                    node=node, contact=f"sip:{extension}@192.0.2.10:5060"))
    db.session.flush()


def test_messages_go_to_the_registered_phones_of_the_other_members_only(dupont):
    from centrex.messaging.sip import relay_commands

    alain, sophie, luc = user(dupont, "1001"), user(dupont, "1002"), user(dupont, "1003")
    registered(dupont, "1001")
    registered(dupont, "1002")  # Luc has no phone registered: nothing is sent for him
    registered(dupont, "1002", node="10.0.0.2:8021")  # Sophie's softphone is on a second switch
    group = chat.create_group(alain, "Équipe", [sophie.id, luc.id])
    assert relay_commands(group, alain, chat.post(group, alain, "Bonjour")) == [
        ("10.0.0.2:8021", "chat sip|1001@dupont.example|internal/1002@dupont.example|[Équipe] Bonjour|text/plain"),
        ("127.0.0.1:8021", "chat sip|1001@dupont.example|internal/1002@dupont.example|[Équipe] Bonjour|text/plain")]
    stored = receive(PhoneMessage("1002", "dupont.example", "1001", "dupont.example", "Bien reçu"))
    conversation = chat.conversation_for(sophie, stored.conversation_id)
    assert relay_commands(conversation, sophie, stored) == [
        ("127.0.0.1:8021", "chat sip|1002@dupont.example|internal/1001@dupont.example|Bien reçu|text/plain")]


def test_the_listener_takes_only_what_our_chatplan_fired():
    from esl_handlers.dispatch import Event
    from esl_handlers.messaging import phone_message

    fired = {"Event-Name": "MESSAGE", "proto": "sip", "centrex_chat": "inbound", "from_user": "1001",
             "from_host": "dupont.example", "to_user": "1002", "to_host": "dupont.example"}
    assert phone_message(Event(fired, body="Salut\n")) == PhoneMessage("1001", "dupont.example", "1002",
                                                                      "dupont.example", "Salut")
    assert phone_message(Event({**fired, "centrex_chat": ""}, body="Salut")) is None  # not through the chatplan
    assert phone_message(Event({**fired, "Nonblocking-Delivery": "true"}, body="Salut")) is None  # core's copy
    assert phone_message(Event({**fired, "proto": "global"}, body="Salut")) is None  # our own `chat` relay
    assert phone_message(Event({**fired, "from_host": ""}, body="Salut")) is None


def test_a_deleted_colleague_leaves_the_words_without_a_name(dupont):
    from centrex.directory.removal import delete_user

    alain, leaving = user(dupont, "1001"), user(dupont, "1005")  # 1005 answers no queue
    conversation = chat.private_with(alain, leaving)
    chat.post(conversation, leaving, "Je pars à la fin du mois")
    delete_user(leaving)
    db.session.expire_all()
    [summary] = chat.overview(alain)
    assert summary.title == "" and summary.unread == 1
    assert [(m.body, m.sender_user_id) for m in chat.messages(conversation)] == [("Je pars à la fin du mois", None)]


def test_after_the_commit_the_chat_command_goes_to_the_phones_node(committed, switch_on_esl):
    """The real ESL command client against the test ESL server: what FreeSWITCH would be told."""
    from centrex.demo.companies import load_demo
    from centrex.messaging.sip import post_and_relay
    from centrex.platform.unit_of_work import unit_of_work
    from esl_switch import api_commands

    dupont = {t.domain: t for t in load_demo()["tenants"]}["dupont.example"]
    committed.commit()
    node = switch_on_esl.address.rsplit(":", 1)[0]  # host:port, as the listener names a node
    registered(dupont, "1002", node=node)
    with unit_of_work():
        message = post_and_relay(chat.private_with(user(dupont, "1001"), user(dupont, "1002")),
                                 user(dupont, "1001"), "Salut")
        assert not [c for c in api_commands(switch_on_esl) if c.startswith("chat ")]  # not before the commit
    assert message.id
    assert [c for c in api_commands(switch_on_esl) if c.startswith("chat ")] == [
        "chat sip|1001@dupont.example|internal/1002@dupont.example|Salut|text/plain"]
