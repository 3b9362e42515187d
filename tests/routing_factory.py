"""Hand-built tenant configurations for the pure engine tests (no database)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from centrex.routing.engine.plan import (
    Decision,
    Dest,
    ForwardEntry,
    GroupEntry,
    MemberEntry,
    RoutingSettings,
    TenantConfig,
    UserEntry,
)

ZURICH = ZoneInfo("Europe/Zurich")
DOMAIN = "acme.example"

STAFF = {  # extension: (id, name, has voicemail)
    "1000": (1, "Claire Dumas", True),
    "1001": (2, "Alain Dupont", True),
    "1002": (3, "Sophie Martin", True),
    "1003": (4, "Luc Favre", False),
}


def local(text: str) -> datetime:
    """'2026-12-01 09:00' in Zurich."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZURICH)


def users(**overrides) -> dict:
    found = {ext: UserEntry(uid, ext, name, has_voicemail=vm) for ext, (uid, name, vm) in STAFF.items()}
    for ext, changes in overrides.items():
        found[ext] = replace(found[ext], **changes)
    return found


def config(**kw) -> TenantConfig:
    base = dict(tenant_id=7, domain=DOMAIN, name="Acme SA", timezone="Europe/Zurich", country="CH",
                max_calls=10, users=users(), settings=RoutingSettings(gateway="carrier"))
    base.update(kw)
    return TenantConfig(**base)


def forward(rule_id, user_id, kind, dest, **kw) -> ForwardEntry:
    return ForwardEntry(rule_id, user_id, kind, dest, **kw)


def group(group_id, name, *members, **kw) -> GroupEntry:
    return GroupEntry(group_id, name, members=tuple(members), **kw)


def member_user(user_id, seconds=None) -> MemberEntry:
    return MemberEntry(user_id=user_id, ring_seconds=seconds)


def member_external(number, seconds=None) -> MemberEntry:
    return MemberEntry(external=number, ring_seconds=seconds)


def actions(plan) -> list:
    """The executable steps of a plan (explanations left out)."""
    return [s for s in plan.steps if not isinstance(s, Decision)]


def user_dest(user_id) -> Dest:
    return Dest("user", user_id)
