"""Every API endpoint x keys of two companies with the same extension numbers: a key sees and changes only
its own company (another company's ids answer 404, exactly like ids that do not exist, and change
nothing); a key without the endpoint's scope gets 403. Endpoints come from the API's own declarations,
so a new one is covered (or the test says how to pick its ids)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

import webui.api
from api_testing import bearer, key_for
from centrex.calls import click_to_call, live
from centrex.freeswitch import names
from centrex.models import (
    ApiCall,
    AuditEntry,
    CallRecord,
    ConferenceRoom,
    Device,
    ForwardRule,
    Number,
    RingGroup,
    Schedule,
    User,
    WebhookDelivery,
    WebhookSubscription,
)
from centrex.phones.devices import add_device
from centrex.platform.db import db
from centrex.routing.forwards import add_forward_rule
from centrex.routing.groups import create_ring_group
from centrex.routing.schedules import create_schedule
from centrex.webhooks import subscriptions as webhooks
from esl_switch import api_bodies, switch_on_esl  # noqa: F401 - fixture

OPERATIONS = list(webui.api.OPERATIONS)
# What only one company has: none of it may appear in the other company's answers.
ONLY = {
    "dupont.example": ("Claire Dumas", "Alain Dupont", "+41215550", "dupont.example"),
    "martin.example": ("Nadia Keller", "Pierre Martin", "Anne Rey", "+41225550", "martin.example"),
}
SHOWS_OWN = {"list_users", "list_numbers", "list_cdrs", "export_cdrs", "list_live_calls", "list_presence"}
_serial = itertools.count(10)


def first(model, tenant, *where):
    return (
        db.session.execute(select(model).where(model.tenant_id == tenant.id, *where).order_by(model.id))
        .scalars()
        .first()
    )


def user_1001(tenant) -> User:
    return first(User, tenant, User.extension == "1001")


def device_of(tenant) -> Device:
    return first(Device, tenant) or add_device(
        tenant,
        {
            "mac": f"0015651{next(_serial):05x}",
            "vendor": "yealink",
            "model": "T54W",
            "user_id": user_1001(tenant).id,
        },
    )


def group_of(tenant) -> RingGroup:
    """A group of the matrix's own (the demo's groups are used by schedules: they cannot be deleted)."""
    return first(RingGroup, tenant, RingGroup.name.like("Matrice%")) or create_ring_group(
        tenant, {"name": f"Matrice {tenant.name}", "members": [{"user_id": user_1001(tenant).id}]}
    )


def schedule_of(tenant) -> Schedule:
    """A schedule of the matrix's own (the demo's are used by numbers: they cannot be deleted)."""
    return first(Schedule, tenant, Schedule.name.like("Matrice%")) or create_schedule(
        tenant, {"name": f"Matrice {tenant.name}", "ranges": [
            {"days": "mon-fri", "start": "08:00", "end": "12:00",
             "dest": {"type": "user", "id": user_1001(tenant).id}}]})


def rule_of(tenant) -> ForwardRule:
    return first(ForwardRule, tenant) or add_forward_rule(
        user_1001(tenant), {"kind": "busy", "dest": {"type": "voicemail", "value": "1001"}}
    )


def webhook_of(tenant) -> WebhookSubscription:
    return (
        first(WebhookSubscription, tenant)
        or webhooks.create_subscription(
            tenant, {"url": f"https://crm.{tenant.domain}/hooks", "events": ["call.ringing"]}
        )[0]
    )


def delivery_of(tenant) -> WebhookDelivery:
    found = first(WebhookDelivery, tenant)
    if found is None:
        webhook_of(tenant)
        webhooks.emit(tenant.id, "call.ringing", f"matrix-{next(_serial)}", {"extension": "1001"})
        found = first(WebhookDelivery, tenant)
    return found


def call_of(tenant) -> str:
    found = first(ApiCall, tenant)
    return (found or click_to_call.place_call(tenant, {"from_user": "1001", "to": "1000"})).id


ARGUMENTS = {
    "call_id": call_of,
    "user_id": lambda t: user_1001(t).id,
    "number_id": lambda t: first(Number, t).id,
    "device_id": lambda t: device_of(t).id,
    "group_id": lambda t: group_of(t).id,
    "schedule_id": lambda t: schedule_of(t).id,
    "rule_id": lambda t: rule_of(t).id,
    "webhook_id": lambda t: webhook_of(t).id,
    "delivery_id": lambda t: delivery_of(t).id,
    "room_id": lambda t: first(ConferenceRoom, t).id,
    "member_id": lambda t: 1,  # FreeSWITCH's id of a participant: the room decides whose it is
}

# A valid body for each endpoint that takes one: refusals then come from the tenant check, not validation.
BODIES = {
    "create_user": lambda t: {"extension": str(3000 + next(_serial)), "name": "Nouvelle Personne"},
    "update_user": lambda t: {"name": "Nom changé"},
    "point_number": lambda t: {"label": "Réception"},
    "add_device": lambda t: {"mac": f"0015652{next(_serial):05x}", "vendor": "snom", "model": "D785"},
    "update_device": lambda t: {"label": "Accueil"},
    "set_device_keys": lambda t: {"keys": [{"position": 1, "kind": "line"}]},
    "set_default_keys": lambda t: {"keys": [{"position": 1, "kind": "line"}]},
    "apply_default_keys": lambda t: {"devices": [device_of(t).id]},
    "create_ring_group": lambda t: {
        "name": f"Groupe {next(_serial)}",
        "members": [{"user_id": user_1001(t).id}],
    },
    "update_ring_group": lambda t: {"ring_seconds": 25},
    "create_schedule": lambda t: {"name": f"Horaire {next(_serial)}",
                                  "default": {"type": "voicemail", "value": "1001"}},
    "update_schedule": lambda t: {"closed": True},
    "add_forward_rule": lambda t: {
        "kind": "no_answer",
        "ring_seconds": 20,
        "dest": {"type": "voicemail", "value": "1001"},
    },
    "update_forward_rule": lambda t: {"enabled": False},
    "create_webhook": lambda t: {"url": "https://crm.example.com/h", "events": ["call.ended"]},
    "update_webhook": lambda t: {"description": "CRM"},
    "place_call": lambda t: {"from_user": "1001", "to": "1002"},
    "send_message": lambda t: {"to_user_id": first(User, t, User.extension == "1002").id, "body": "Bonjour"},
}
# Bodies naming another company's objects: refused as unknown, never linked.
FOREIGN_BODIES = {
    "add_device": lambda other: {
        "mac": "001565fedcba",
        "vendor": "yealink",
        "model": "T54W",
        "user_id": user_1001(other).id,
    },
    "update_device": lambda other: {"user_id": user_1001(other).id},
    "set_device_keys": lambda other: {"keys": [{"position": 1, "kind": "blf", "target_user_id": user_1001(other).id}]},
    "set_default_keys": lambda other: {"keys": [{"position": 1, "kind": "blf", "target_user_id": user_1001(other).id}]},
    "apply_default_keys": lambda other: {"devices": [device_of(other).id]},
    "create_ring_group": lambda other: {"name": "Intrus", "members": [{"user_id": user_1001(other).id}]},
    "update_ring_group": lambda other: {"members": [{"user_id": user_1001(other).id}]},
    "create_schedule": lambda other: {"name": "Intrus", "default": {"type": "user", "id": user_1001(other).id}},
    "update_schedule": lambda other: {"default": {"type": "user", "id": user_1001(other).id}},
    "point_number": lambda other: {"dest_type": "user", "dest_id": user_1001(other).id},
    "add_forward_rule": lambda other: {"kind": "always", "dest": {"type": "user", "id": user_1001(other).id}},
    "send_message": lambda other: {"to_user_id": user_1001(other).id, "body": "Intrus"},
}


def url_of(op, objects_of) -> str:
    missing = {a for a in _arguments(op) if a not in ARGUMENTS}
    assert not missing, f"{op.rule}: tell the matrix how to pick {missing} (ARGUMENTS)"
    path = op.rule
    for name in _arguments(op):
        path = re.sub(rf"<(\w+:)?{name}>", str(ARGUMENTS[name](objects_of)), path)
    return "/api/v1" + path


def _arguments(op) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", op.rule)


def audit_rows() -> int:
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


def call(client, op, url, key, body=None):
    return client.open(url, method=op.method, json=body, headers=bearer(key))


def calls_of(tenant) -> None:
    """A call record, a live call and a registration of the company's 1001 (its name, its number)."""
    user = user_1001(tenant)
    number = first(Number, tenant, Number.dest_type == "user", Number.dest_id == user.id).e164
    started = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
    db.session.add(
        CallRecord(
            tenant_id=tenant.id,
            call_uuid=f"call-{tenant.id}",
            direction="outbound",
            caller_name=user.name,
            caller_number=number,
            dialed_number="+41213123456",
            destination="+41213123456",
            started_at=started,
            ended_at=started,
            duration=5,
        )
    )
    live.upsert_channels(
        "127.0.0.1:8021",
        [
            live.ChannelState(
                uuid=f"leg-{tenant.id}",
                call_uuid=f"leg-{tenant.id}",
                direction="outbound",
                presence=f"1001@{tenant.domain}",
                caller_number=number,
                destination="1001",
                state="active",
            )
        ],
    )
    live.upsert_registrations(
        "127.0.0.1:8021",
        [
            live.RegistrationState(
                extension="1001",
                domain=tenant.domain,
                call_id=f"reg-{tenant.id}",
                contact=f"sip:1001@{number}",
            )
        ],
    )


@pytest.fixture
def companies(demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "CLICK_TO_CALL_INLINE", True)  # no thread on the test's connection
    for tenant in demo.values():
        for make in (device_of, group_of, rule_of, delivery_of, calls_of):
            make(tenant)
    db.session.commit()
    return demo["dupont.example"], demo["martin.example"]


def rooms_on_the_switch(server, tenants) -> None:
    """Room 3000 of each company with the two members of the captured `conference … list` reply."""
    listed = api_bodies("api-replies-2.bin")[2]  # conference 3000-dupont.example list
    for tenant in tenants:
        room = names.conference_room(tenant.domain, "3000")
        server.reply(f"conference {room} list", listed.replace("dupont.example", tenant.domain))
        for verb in ("mute", "unmute", "kick"):
            server.reply(f"conference {room} {verb} 1", f"+OK {verb} 1\n")


def test_the_matrix_covers_every_endpoint(app):
    assert len(OPERATIONS) >= 25
    declared = {f"api.{op.endpoint}" for op in OPERATIONS}
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routed - declared == {"api.openapi_json"}


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.rule}")
def test_every_endpoint_keeps_each_company_to_itself_and_needs_its_scope(client, companies, op, request):
    dupont, martin = companies
    if op.tag == "conferences":  # live rooms: FreeSWITCH (the test ESL server) answers for both companies
        rooms_on_the_switch(request.getfixturevalue("switch_on_esl"), companies)
    other_scope = "presence:read" if op.scope != "presence:read" else "cdr:read"
    url, sent = url_of(op, dupont), BODIES.get(op.endpoint, lambda t: None)(dupont)
    before = audit_rows()
    answer = call(client, op, url, key_for(dupont, [other_scope]), sent)
    assert answer.status_code == 403
    assert answer.get_json() == {"error": f"This API key lacks the scope {op.scope}.", "fields": {}}
    assert audit_rows() == before + 1  # the key created just now, nothing else
    for own, other in ((dupont, martin), (martin, dupont)):
        key = key_for(own)
        if _arguments(op):
            url, sent = url_of(op, other), BODIES.get(op.endpoint, lambda t: None)(own)
            before = audit_rows()
            crossed = call(client, op, url, key, sent)
            where = f"{own.domain} key, {other.domain} ids: {op.method} {op.rule}"
            assert crossed.status_code == 404, f"{where} -> {crossed.status_code} {crossed.get_json()}"
            assert crossed.get_json() == {"error": crossed.get_json()["error"], "fields": {}}
            assert audit_rows() == before, f"{where}: a refused request changed something"
        if op.endpoint in FOREIGN_BODIES:
            url, sent = url_of(op, own), FOREIGN_BODIES[op.endpoint](other)
            before = audit_rows()
            refused = call(client, op, url, key, sent)
            assert (
                refused.status_code == 422
            ), f"{op.endpoint} linked {other.domain}'s object: {refused.get_json()}"
            assert audit_rows() == before
        answer = call(client, op, url_of(op, own), key, BODIES.get(op.endpoint, lambda t: None)(own))
        assert answer.status_code == op.status, f"{own.domain} {op.method} {op.rule}: {answer.get_json()}"
        shown = answer.get_data(as_text=True)
        leaked = [marker for marker in ONLY[other.domain] if marker in shown]
        assert not leaked, f"{own.domain} {op.method} {op.rule} shows {leaked}"
        if op.endpoint in SHOWS_OWN:  # the check above is not vacuous: the company's own data is there
            assert any(
                marker in shown for marker in ONLY[own.domain]
            ), f"{op.rule} shows nothing of {own.domain}"
        if op.method != "GET":
            entry = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
            assert entry.actor == "api:CRM" and entry.tenant_id == own.id


def test_without_a_valid_key_every_endpoint_answers_401(client, companies):
    dupont, _ = companies
    for op in OPERATIONS:
        for headers in (
            {},
            {"Authorization": "Bearer cxk_000000000000_wrong"},
            {"Authorization": "Basic eDp5"},
        ):
            answer = client.open(url_of(op, dupont), method=op.method, headers=headers)
            assert answer.status_code == 401, op.rule
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
