"""Bring mod_callcenter's own tables back in line with ours: after FreeSWITCH missed a live change (it was
unreachable when the change was committed) or kept agents of deleted users in its database. Reads the
`callcenter_config … list` tables, sends the difference. Only objects of our tenants' domains are
touched."""
from __future__ import annotations

from sqlalchemy import select

from centrex.features.queues import callcenter_config
from centrex.freeswitch import commands as fs
from centrex.freeswitch.names import domain_of
from centrex.models import Tenant
from centrex.platform.db import db
from centrex.platform.ports import SwitchError, switch


def reconcile_callcenter(node: str | None = None) -> list[tuple[str, str | None]]:
    """Compare one node's queues, agents and tiers with ours and send it what differs:
    [(command, None when applied or FreeSWITCH's refusal)]."""
    domains = set(db.session.execute(select(Tenant.domain)).scalars())

    def ours(name: str) -> bool:
        return domain_of(name) in domains

    port = switch()
    loaded_queues = {row["name"] for row in port.callcenter_table("queue", node=node)}
    loaded_agents = {row["name"] for row in port.callcenter_table("agent", node=node)}
    loaded_tiers = {(row["queue"], row["agent"]): row for row in port.callcenter_table("tier", node=node)}
    queues, agents, tiers = callcenter_config()
    wanted_queues = {q.name for q in queues}
    wanted_agents = {a.name: a for a in agents}
    wanted_tiers = {(t.queue, t.agent): t for t in tiers}
    commands = []
    for name in sorted(wanted_queues - loaded_queues):
        commands.append(fs.queue_load(name))
    for agent in sorted(set(wanted_agents) - loaded_agents):
        commands += fs.agent_add(agent, wanted_agents[agent].contact)
    for (queue, agent), tier in sorted(wanted_tiers.items()):
        row = loaded_tiers.get((queue, agent))
        if row is None:
            commands.append(fs.tier_add(queue, agent, tier.position))
        elif row.get("position") != str(tier.position):
            commands.append(fs.tier_set_position(queue, agent, tier.position))
    for queue, agent in sorted(set(loaded_tiers) - set(wanted_tiers)):
        if ours(queue) or ours(agent):
            commands.append(fs.tier_del(queue, agent))
    for agent in sorted(loaded_agents - set(wanted_agents)):
        if ours(agent):
            commands.append(fs.agent_del(agent))
    for name in sorted(loaded_queues - wanted_queues):
        if ours(name):
            commands.append(fs.queue_unload(name))
    results: list[tuple[str, str | None]] = []
    for command in commands:
        try:
            port.api(command, node=node)
            results.append((command, None))
        except SwitchError as exc:
            results.append((command, str(exc)))
    return results
