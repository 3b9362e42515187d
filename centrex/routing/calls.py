"""The call use case: what the dialplan request asks the core. Load the tenant's routing configuration,
route the call at that moment, and move round-robin groups on once their call is planned."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from centrex.platform.unit_of_work import unit_of_work
from centrex.routing.engine.plan import Call, Plan
from centrex.routing.engine.route import route
from centrex.routing.loader import advance_rotations, load_address, load_config

log = logging.getLogger("centrex.routing.calls")


def route_call(call: Call, at: datetime) -> Plan | None:
    """The plan for this call, or None when its context is no tenant of ours (for "public": the
    dialled number is no DID of ours)."""
    config = load_config(call)
    if config is None:
        return None
    if call.context != "public" and call.continuation is None:
        call = replace(call, address=load_address(config, call.destination))
    plan = route(config, call, at)
    if plan.rotations:
        _advance_rotations(config.tenant_id, plan.rotations)
    return plan


def _advance_rotations(tenant_id: int, group_ids) -> None:
    """Round robin moves on in its own short write transaction, after the reads (see begin_write). The
    plan is made: if the write fails, the call is still rung (the next call may start at the same
    member), never answered "not found"."""
    try:
        with unit_of_work(write=True):
            advance_rotations(tenant_id, group_ids)
    except Exception:
        log.exception("round robin: rotation of groups %s not advanced; the call is routed anyway",
                      sorted(group_ids))
