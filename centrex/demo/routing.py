"""The call routing of Dupont SA, as the client's manual describes it (seed 002), as real data.

- Office hours Mon–Fri 08:00–12:00 and 14:00–18:00: the main number rings Mme Dumas (Claire, 1000).
- Outside them (and on holidays): the main number's answering machine (Claire's box 1000).
- Sat/Sun 07:00–19:00: on-call service, employees' mobiles one after the other.
- Support team (short number 2001, internal only) → sales team → main number (its schedule, its voicemail).
- Sales number: Mon–Fri 08:00–12:00 all sales phones at once; afternoons and no answer → main number.
- Alain Dupont: offline → his mobile; no answer after 60 s → his second office; busy → sales team."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from centrex.directory.users import update_user
from centrex.models import Number, Tenant, User
from centrex.platform.db import db
from centrex.routing.forwards import add_forward_rule
from centrex.routing.groups import create_ring_group
from centrex.routing.numbers import point_number
from centrex.routing.schedules import create_schedule

ALAIN_SECOND_OFFICE = "+41325551177"  # his office in Neuchâtel
SUPPORT_EXTENSION, SALES_EXTENSION, ON_CALL_EXTENSION = "2001", "2002", "2003"

# Public holidays of the canton of Vaud: fixed ones every year, movable ones for 2026.
HOLIDAYS = [
    (date(2026, 1, 1), True, "Nouvel An"),
    (date(2026, 1, 2), True, "Saint-Berchtold"),
    (date(2026, 4, 3), False, "Vendredi saint"),
    (date(2026, 4, 6), False, "Lundi de Pâques"),
    (date(2026, 5, 14), False, "Ascension"),
    (date(2026, 5, 25), False, "Lundi de Pentecôte"),
    (date(2026, 8, 1), True, "Fête nationale"),
    (date(2026, 9, 21), False, "Lundi du Jeûne fédéral"),
    (date(2026, 12, 25), True, "Noël"),
]


def _user(tenant: Tenant, extension: str) -> User:
    return db.session.execute(select(User).where(User.tenant_id == tenant.id,
                                                 User.extension == extension)).scalar_one()


def _number(tenant: Tenant, e164: str) -> Number:
    return db.session.execute(select(Number).where(Number.tenant_id == tenant.id,
                                                   Number.e164 == e164)).scalar_one()


def load_routing_demo(tenant: Tenant, main_number: str, sales_number: str) -> dict:
    """Groups, schedules, forwarding and DID destinations of Dupont SA. Flushes; the caller commits."""
    users = {ext: _user(tenant, ext) for ext in ("1000", "1001", "1002", "1003", "1004", "1005")}
    main_box = {"type": "voicemail", "value": "1000"}

    on_call = create_ring_group(tenant, {
        "name": "Piquet week-end", "extension": ON_CALL_EXTENSION, "strategy": "sequential", "ring_seconds": 20,
        "members": [{"external": users[ext].mobile} for ext in ("1002", "1003", "1004", "1005")],
        "no_answer": main_box})
    office = create_schedule(tenant, {
        "name": "Heures d'ouverture",
        "ranges": [
            {"label": "Bureau matin", "days": "mon-fri", "start": "08:00", "end": "12:00",
             "dest": {"type": "user", "id": users["1000"].id}},
            {"label": "Bureau après-midi", "days": "mon-fri", "start": "14:00", "end": "18:00",
             "dest": {"type": "user", "id": users["1000"].id}},
            {"label": "Piquet", "days": "sat,sun", "start": "07:00", "end": "19:00",
             "dest": {"type": "ring_group", "id": on_call.id}},
        ],
        "exceptions": [{"day": day.isoformat(), "yearly": yearly, "label": label} for day, yearly, label in HOLIDAYS],
        "default": main_box})
    main_schedule = {"type": "schedule", "id": office.id}
    sales = create_ring_group(tenant, {
        "name": "Ventes", "extension": SALES_EXTENSION, "strategy": "simultaneous", "ring_seconds": 30,
        "members": [{"user_id": users[ext].id} for ext in ("1001", "1002", "1005")],
        "no_answer": main_schedule})
    support = create_ring_group(tenant, {
        "name": "Support", "extension": SUPPORT_EXTENSION, "strategy": "simultaneous", "ring_seconds": 25,
        "members": [{"user_id": users[ext].id} for ext in ("1003", "1004")],
        "no_answer": {"type": "ring_group", "id": sales.id}})
    sales_hours = create_schedule(tenant, {
        "name": "Heures équipe des ventes",
        "ranges": [{"label": "Ventes au bureau", "days": "mon-fri", "start": "08:00", "end": "12:00",
                    "dest": {"type": "ring_group", "id": sales.id}}],
        "default": main_schedule})

    point_number(_number(tenant, main_number), tenant, {"dest_type": "schedule", "dest_id": office.id})
    point_number(_number(tenant, sales_number), tenant, {"dest_type": "schedule", "dest_id": sales_hours.id})

    alain = users["1001"]
    update_user(alain, {"call_class": "international"})  # the boss may forward to his mobile and abroad
    add_forward_rule(alain, {"kind": "offline", "dest": {"type": "external", "value": alain.mobile}})
    add_forward_rule(alain, {"kind": "no_answer", "ring_seconds": 60,
                             "dest": {"type": "external", "value": ALAIN_SECOND_OFFICE}})
    add_forward_rule(alain, {"kind": "busy", "dest": {"type": "ring_group", "id": sales.id}})
    return {"support": support, "sales": sales, "on_call": on_call, "office_hours": office,
            "sales_hours": sales_hours}
