"""route(config, call, at) -> Plan. No database, no Flask, no FreeSWITCH in here."""
from __future__ import annotations

from datetime import datetime

from centrex.routing.plan import Call, Hangup, Plan, Ring, Target, TenantConfig


def route(config: TenantConfig, call: Call, at: datetime) -> Plan:
    plan = Plan(tenant_id=config.tenant_id, context=config.domain, at=at)
    user = config.users.get(call.destination)
    if user is not None:
        return plan.then(
            Ring((Target("user", user.extension, config.ring_seconds),), timeout=config.ring_seconds),
            f"{call.destination} is {user.name}: ring their phones for {config.ring_seconds} s",
        ).then(Hangup("NO_ANSWER"), "nobody answered: end the call")
    return plan.then(Hangup("UNALLOCATED_NUMBER"), f"{call.destination} is not a number of {config.domain}")
