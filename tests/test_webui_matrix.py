"""Every console route x every role x two companies with the same extension numbers: nobody sees or
changes what is not theirs. Routes are discovered from the app's URL map, so new pages are covered."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

import esl_handlers.fax  # noqa: F401 - registers the fax handlers (the matrix's faxes arrive by event)
import webui
from centrex.access.roles import create_role
from centrex.demo.companies import RECEPTION_RIGHTS
from centrex.directory.users import create_user
from centrex.fax.boxes import create_box
from centrex.features.conferences import create_room
from centrex.models import (
    Account,
    AuditEntry,
    CallQueue,
    ConferenceRoom,
    Device,
    Fax,
    FaxBox,
    ForwardRule,
    IvrMenu,
    Number,
    PhonebookEntry,
    RingGroup,
    Role,
    Schedule,
    Tenant,
    User,
)
from centrex.phones.devices import add_device
from centrex.phones.phonebooks import add_entry
from centrex.platform.db import db
from centrex.routing.forwards import add_forward_rule
from centrex.routing.groups import create_ring_group
from centrex.routing.schedules import create_schedule
from centrex.tenants.branding import save_branding
from conftest import FIXTURES
from fax_helpers import as_our_dialplan_sets_it, captured_events, dispatch_event
from webui.access import ANYONE, CLIENT_AREAS, CLIENT_MENU, EVERY_STAFF
from webui_testing import ADMIN_DUPONT, OPERATOR, RECEPTION_DUPONT, USER_DUPONT, login, token

RX_FAILED = captured_events(FIXTURES / "esl" / "bgapi-originate-fax-fail-with-events.bin",
                            "CUSTOM::spandsp::rxfaxresult")[0]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ROLES = {"anonymous": None, "operator": OPERATOR, "admin": ADMIN_DUPONT, "user": USER_DUPONT,
         "delegated": RECEPTION_DUPONT}  # an administrator of Dupont limited by the role « Réception »
# What only Martin Sàrl (the other company) has: none of it may appear on Dupont's pages.
MARTIN_ONLY = ("martin.example", "Martin Sàrl", "Nadia Keller", "Pierre Martin", "Anne Rey", "+4122555")
# What is private to other employees of Dupont: never on Alain Dupont's own pages (their names may be,
# e.g. as forwarding targets).
COLLEAGUES_ONLY = ("sophie.martin@", "+41215550101", "+41791234568", "Contact de Claire")


def console_routes():
    probe = Flask("route-probe")
    probe.config["SECRET_KEY"] = "probe"
    webui.init_app(probe)
    for rule in sorted(probe.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] in webui.BLUEPRINT_NAMES and not rule.endpoint.endswith(".static"):
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield pytest.param(rule, method, id=f"{method} {rule.rule}")


ROUTES = list(console_routes())


def test_every_console_view_declares_who_may_open_it(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in webui.BLUEPRINT_NAMES and not rule.endpoint.endswith(".static"):
            assert getattr(app.view_functions[rule.endpoint], "allowed_roles", None), rule.endpoint


def test_the_matrix_covers_the_console(app):
    assert len(ROUTES) >= 40
    assert {r.values[0].endpoint for r in ROUTES} == {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in webui.BLUEPRINT_NAMES and not rule.endpoint.endswith(".static")
    }


def one_of(model, tenant: Tenant):
    """A row of this company, looked up again each time (an earlier request may have removed one)."""
    row = (
        db.session.execute(select(model).where(model.tenant_id == tenant.id).order_by(model.id))
        .scalars()
        .first()
    )
    if row is None and model is Device:
        # 12 hex digits whatever the tenant id (PostgreSQL's sequences keep growing across tests)
        row = add_device(tenant, {"mac": f"001565{tenant.id:06x}", "vendor": "yealink", "model": "T54W"})
    assert row is not None, f"no {model.__name__} in {tenant.domain}"
    return row


def conference_room(tenant: Tenant, *, spare: bool) -> ConferenceRoom:
    """Room 3000 of the demo, or room 3099, made again after a role deleted it (client.conference_delete)."""
    number = "3099" if spare else "3000"
    room = db.session.execute(select(ConferenceRoom).where(
        ConferenceRoom.tenant_id == tenant.id, ConferenceRoom.number == number)).scalar_one_or_none()
    if room is None:
        room = create_room(tenant, {"number": number, "name": "Salle test", "access_code": "482913"})
        db.session.commit()
    return room


def spare_user(tenant: Tenant) -> User:
    """A user nobody routes to, made again after a role deleted it (client.user_delete)."""
    user = db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == "1099")
    ).scalar_one_or_none()
    if user is None:
        user = create_user(tenant, {"extension": "1099", "name": "Remplaçant"})
        db.session.commit()
    return user


def extension_1001(tenant: Tenant) -> User:
    """Extension 1001 exists in both companies (Alain Dupont, Pierre Martin)."""
    return db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == "1001")
    ).scalar_one()


def phonebook_entry(tenant: Tenant, rule) -> int:
    """Self-care pages name the user's own contacts; the client menu names the company's."""
    owner = extension_1001(tenant) if rule.endpoint.startswith("me.") else None
    whose = PhonebookEntry.owner_user_id == owner.id if owner else PhonebookEntry.owner_user_id.is_(None)
    query = select(PhonebookEntry).where(PhonebookEntry.tenant_id == tenant.id, whose)
    entry = db.session.execute(query.order_by(PhonebookEntry.id)).scalars().first()
    return (entry or add_entry(tenant, {"name": "Fiduciaire", "number": "+41215559999"}, owner=owner)).id


def routing_object(model, tenant: Tenant) -> int:
    """A ring group, schedule or forwarding rule (of extension 1001) of this company, made if missing."""
    query = select(model).where(model.tenant_id == tenant.id)
    if model is ForwardRule:
        query = query.where(ForwardRule.user_id == extension_1001(tenant).id)
    row = db.session.execute(query.order_by(model.id)).scalars().first()
    if row is None and model is RingGroup:
        row = create_ring_group(
            tenant, {"name": "Groupe test", "members": [{"user_id": extension_1001(tenant).id}]}
        )
    elif row is None and model is Schedule:
        row = create_schedule(tenant, {"name": "Horaire test"})
    elif row is None:
        row = add_forward_rule(
            extension_1001(tenant), {"kind": "busy", "dest": {"type": "voicemail", "value": "1001"}}
        )
    db.session.commit()  # as the console finds it: saved
    return row.id


def api_object(kind: str):
    """The company's API key, webhook subscription or delivery (created when an earlier request removed it)."""
    from centrex.access import api_tokens
    from centrex.models import ApiToken, WebhookDelivery, WebhookSubscription
    from centrex.webhooks import subscriptions as webhooks

    def pick(tenant, rule):
        model = {"token": ApiToken, "webhook": WebhookSubscription, "delivery": WebhookDelivery}[kind]
        row = db.session.execute(select(model).where(model.tenant_id == tenant.id).order_by(model.id)).scalars().first()
        if row is None and kind == "token":
            row = api_tokens.create_token(tenant, {"name": "CRM", "scopes": ["users:read"]})[0]
        if row is None and kind in ("webhook", "delivery"):
            webhooks.create_subscription(tenant, {"url": "https://crm.example.com/h", "events": ["call.ringing"]})
            webhooks.emit(tenant.id, "call.ringing", f"matrix-{tenant.id}-{audit_rows()}", {})
            row = db.session.execute(select(model).where(model.tenant_id == tenant.id)).scalars().first()
        return row.id

    return pick


def service_object(model):
    """A queue or voice menu of this company (made again when an earlier request deleted it)."""
    from centrex.features.ivr import create_menu
    from centrex.features.queues import create_queue

    def pick(tenant, rule):
        row = db.session.execute(select(model).where(model.tenant_id == tenant.id).order_by(model.id)).scalars().first()
        if row is None:
            make = create_queue if model is CallQueue else create_menu
            row = make(tenant, {"name": "Objet test"})
        db.session.commit()
        return row.id

    return pick


def fax_of(tenant: Tenant) -> int:
    """A fax of this company: the captured failed-reception event on its fax box (made if missing)."""
    fax = db.session.execute(select(Fax).where(Fax.tenant_id == tenant.id).order_by(Fax.id)).scalars().first()
    if fax is None:
        box = db.session.execute(select(FaxBox).where(FaxBox.tenant_id == tenant.id)).scalars().first()
        box = box or create_box(tenant, {"name": "Fax test", "emails": [f"fax@{tenant.domain}"]})
        call = {"Unique-ID": f"matrix-fax-{tenant.domain}"}  # one call per company (faxes are unique by call)
        dispatch_event(as_our_dialplan_sets_it(RX_FAILED, box.id, tenant.id, tenant.domain, **call))
        fax = db.session.execute(select(Fax).where(Fax.tenant_id == tenant.id)).scalars().one()
    db.session.commit()
    return fax.id


def audio_of(tenant: Tenant, rule) -> int:
    """An audio file of this company; on self-care pages the greeting of extension 1001's own box."""
    from centrex.demo.services import tone_wav
    from centrex.features import audio
    from centrex.models import AudioFile
    from centrex.voicemail import boxes as voicemail

    if rule.endpoint.startswith("me."):
        box = voicemail.user_box(extension_1001(tenant))
        if box.greeting_id is None:
            greeting = audio.store_upload(tenant, kind="greeting", name="Annonce", filename="a.wav",
                                          data=tone_wav(440))
            voicemail.update_box(tenant, box, {"greeting_id": greeting.id})
        db.session.commit()
        return box.greeting_id
    query = select(AudioFile).where(AudioFile.tenant_id == tenant.id, AudioFile.kind == "greeting")
    row = db.session.execute(query.order_by(AudioFile.id)).scalars().first()  # greetings: unused, deletable
    row = row or audio.store_upload(tenant, kind="greeting", name="Accueil", filename="a.wav", data=tone_wav(494))
    db.session.commit()
    return row.id


def moh_class_of(tenant: Tenant, rule) -> int:
    from centrex.features import moh
    from centrex.models import MohClass

    row = db.session.execute(select(MohClass).where(MohClass.tenant_id == tenant.id).order_by(MohClass.id)
                             ).scalars().first()
    row = row or moh.create_moh_class(tenant, {"name": "Musique test"})
    db.session.commit()
    return row.id


def shared_box_of(tenant: Tenant, rule) -> int:
    from centrex.models import VoicemailBox
    from centrex.voicemail import boxes as voicemail

    row = db.session.execute(select(VoicemailBox).where(VoicemailBox.tenant_id == tenant.id)
                             .order_by(VoicemailBox.id)).scalars().first()
    row = row or voicemail.create_shared_box(tenant, {"number": "8000", "name": "Répondeur test", "pin": "864209"})
    db.session.commit()
    return row.id


def voicemail_message_of(tenant: Tenant, rule) -> int:
    """A message with its recording: of extension 1001 on self-care pages, of the first shared box (the
    box_id above) in the client menu."""
    from centrex.demo.services import tone_wav
    from centrex.models import VoicemailBox, VoicemailMessage
    from centrex.voicemail import messages as voicemail_messages

    if rule.endpoint.startswith("me."):
        owner, box = VoicemailMessage.user_id == extension_1001(tenant).id, "1001"
    else:
        box_pk = shared_box_of(tenant, rule)
        owner, box = VoicemailMessage.shared_box_id == box_pk, db.session.get(VoicemailBox, box_pk).number
    row = db.session.execute(select(VoicemailMessage).where(VoicemailMessage.tenant_id == tenant.id, owner)
                             .order_by(VoicemailMessage.id)).scalars().first()
    if row is None:
        uuid = f"matrix-{tenant.id}-{audit_rows()}"
        path = voicemail_messages.switch_path(tenant, box, f"msg_{uuid}.wav")
        local = voicemail_messages.local_path_for(path)
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(tone_wav(440))
        row = voicemail_messages.record_message(domain=tenant.domain, box=box, message_uuid=uuid,
                                                caller_number="+41215559999", file_path=path, length_seconds=1)
    db.session.commit()
    return row.id


ARGUMENTS = {
    "audio_id": audio_of,
    "class_id": moh_class_of,
    "box_id": shared_box_of,
    "message_id": voicemail_message_of,
    "token_id": api_object("token"),
    "webhook_id": api_object("webhook"),
    "delivery_id": api_object("delivery"),
    "tenant_id": lambda tenant, rule: tenant.id,
    "room_id": lambda tenant, rule: conference_room(tenant, spare=rule.endpoint == "client.conference_delete").id,
    "member_id": lambda tenant, rule: 1,
    "user_id": lambda tenant, rule: (spare_user(tenant) if rule.endpoint == "client.user_delete"
                                     else extension_1001(tenant)).id,
    "number_id": lambda tenant, rule: one_of(Number, tenant).id,
    "device_id": lambda tenant, rule: one_of(Device, tenant).id,
    "entry_id": phonebook_entry,
    "group_id": lambda tenant, rule: routing_object(RingGroup, tenant),
    "schedule_id": lambda tenant, rule: routing_object(Schedule, tenant),
    "rule_id": lambda tenant, rule: routing_object(ForwardRule, tenant),
    "fax_id": lambda tenant, rule: fax_of(tenant),
    "queue_id": service_object(CallQueue),
    "menu_id": service_object(IvrMenu),
    "account_id": lambda tenant, rule: db.session.execute(
        select(Account.id).where(Account.user_id == extension_1001(tenant).id)
    ).scalar_one(),
}


def custom_role(tenant: Tenant, rule) -> int:
    """A custom role of this company (Dupont's « Réception » is in use; Martin's is made if missing)."""
    query = select(Role).where(Role.tenant_id == tenant.id).order_by(Role.id)
    role = db.session.execute(query).scalars().first()
    if role is None:
        role = create_role(tenant, {"name": "Standard", "permissions": {"calls": "read"}})
        db.session.commit()
    return role.id


ARGUMENTS["role_id"] = custom_role


def password_link(tenant: Tenant, rule) -> str:
    """A reset link of Alain's login at Dupont, whatever the company: the link is the capability (it
    opens its login's password page to whoever holds it), not a page of a company's console."""
    from centrex.access.password_links import link_token

    dupont = db.session.execute(select(Tenant).where(Tenant.domain == "dupont.example")).scalar_one()
    alain = db.session.execute(select(Account).where(Account.user_id == extension_1001(dupont).id)).scalar_one()
    return link_token("reset", [alain])


ARGUMENTS["token"] = password_link


def switch_node(tenant: Tenant, rule) -> int:
    """A FreeSWITCH node of the edge's pool: the platform's, no company's (only the operator drains it)."""
    from centrex.cluster.nodes import add_node
    from centrex.models import SwitchNode

    node = db.session.execute(select(SwitchNode).order_by(SwitchNode.id)).scalars().first()
    if node is None:
        node = add_node("fs-a", "sip:127.0.0.1:5070", "127.0.0.1:8021")
        db.session.commit()
    return node.id


ARGUMENTS["node_id"] = switch_node


def conversation_of(tenant: Tenant, rule) -> int:
    """Alain's (1001) private conversation with Claire (1000) in this company, made the first time."""
    from centrex.messaging.conversations import private_with

    claire = db.session.execute(select(User).where(User.tenant_id == tenant.id, User.extension == "1000")
                                ).scalar_one()
    conversation = private_with(extension_1001(tenant), claire)
    db.session.commit()
    return conversation.id


ARGUMENTS["conversation_id"] = conversation_of
# « Messages » is for people with an extension: administrators may chat when their login has one; the
# matrix's administrators have none, and are told so (403 with the reason).
EXTENSION_ONLY = {"me.messages", "me.conversation", "me.send", "me.start", "me.messages_updates"}


def delegated_may(endpoint: str, method: str) -> bool:
    """What the demo role « Réception » opens: its areas (GET: read; POST: write), pages for all staff."""
    if not endpoint.startswith(CLIENT_MENU + "."):
        return True
    area = CLIENT_AREAS.get(endpoint)
    level = RECEPTION_RIGHTS.get(area)
    return area == EVERY_STAFF or level == "write" or (level == "read" and method == "GET")


def url_for_target(rule, tenant: Tenant, objects_of: Tenant) -> str:
    """The rule's URL in `tenant`'s pages, naming objects of `objects_of` (the same company, or the
    other one: an id guessed across companies)."""
    missing = rule.arguments - ARGUMENTS.keys()
    assert not missing, f"{rule.rule}: tell the matrix how to pick {missing} of a company (ARGUMENTS)"
    return rule.build(
        {
            name: ARGUMENTS[name](tenant if name == "tenant_id" else objects_of, rule)
            for name in rule.arguments
        }
    )[1]


def audit_rows() -> int:
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


@pytest.fixture
def companies(demo, app, fax_spool):
    for tenant in demo.values():
        save_branding(tenant, {"primary_colour": "#224466", "accent_colour": "#3388cc"}, logo=PNG)
        add_device(tenant, {"mac": f"00156500{tenant.id:04x}", "vendor": "yealink", "model": "T54W"})
        add_entry(tenant, {"name": "Fiduciaire", "number": "+41215559999"})
        add_entry(tenant, {"name": "Contact perso", "number": "+41215559998"}, owner=extension_1001(tenant))
        claire = db.session.execute(
            select(User).where(User.tenant_id == tenant.id, User.extension == "1000")
        ).scalar_one()
        add_entry(tenant, {"name": "Contact de Claire", "number": "+41215559997"}, owner=claire)
    db.session.commit()
    clients = {}
    for role, email in ROLES.items():
        clients[role] = app.test_client()
        if email:
            login(clients[role], email)
    return demo["dupont.example"], demo["martin.example"], clients


@pytest.mark.parametrize("rule,method", ROUTES)
def test_route_for_every_role_and_company(app, companies, rule, method):
    dupont, martin, clients = companies
    allowed = app.view_functions[rule.endpoint].allowed_roles
    tenant_bound = bool(rule.arguments)
    targets = [(dupont, dupont), (martin, martin)]
    if "tenant_id" in rule.arguments and rule.arguments - {"tenant_id"}:
        targets.append((dupont, martin))  # Dupont's pages, Martin's object ids
    for role, client in clients.items():
        for target, objects_of in targets:
            url = url_for_target(rule, target, objects_of)
            crossed = target is martin or objects_of is martin
            before = audit_rows()
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token(client)})
            status = response.status_code
            body = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
            where = f"{role} {method} {url} ({target.domain}) -> {status}"
            assert status < 500, where
            as_role = "admin" if role == "delegated" else role
            if ANYONE in allowed:
                pass
            elif role == "anonymous":
                assert status == 302 and "/login" in response.headers["Location"], where
            elif as_role not in allowed:
                assert status == 403, where
            elif role in ("admin", "delegated") and rule.endpoint in EXTENSION_ONLY:
                assert status == 403 and (not body or "réservés aux personnes qui ont un poste" in body), where
            elif role != "operator" and target is martin and tenant_bound:
                assert status == 404, where
            elif role == "delegated" and not delegated_may(rule.endpoint, method):
                assert status == 403, where
            elif objects_of is not target:
                assert status == 404, where
            else:
                assert status not in (403, 404), where
            if status == 403 or (status == 404 and crossed):
                assert audit_rows() == before, f"{where}: a refused request changed something"
            if role in ("admin", "user", "delegated") and status == 200:
                leaked = [s for s in MARTIN_ONLY if s in body]
                assert not leaked, f"{where}: shows {leaked}"
            if role == "user" and status == 200:
                leaked = [s for s in COLLEAGUES_ONLY if s in body]
                assert not leaked, f"{where}: shows colleagues' {leaked}"
            if rule.endpoint == "auth.logout" and ROLES[role]:
                login(client, ROLES[role])
