"""Bring mod_callcenter's own tables back in line with ours: after FreeSWITCH missed a live change (it was
unreachable when the change was committed) or kept agents of deleted users in its database. Reads the
`callcenter_config … list` tables, sends the difference. Only objects of our tenants' domains are
touched."""
from __future__ import annotations

from sqlalchemy import select

from centrex.db import db
from centrex.models import Tenant
from centrex.ports import SwitchError, switch
from centrex.services.queues import callcenter_config


def parse_table(body: str) -> list[dict[str, str]]:
    """A `callcenter_config … list` reply: a `|` header line, rows, and a final `+OK` line."""
    lines = [line for line in body.splitlines() if line.strip()]
    if not lines or "|" not in lines[0]:
        return []
    header = lines[0].split("|")
    return [dict(zip(header, line.split("|"))) for line in lines[1:] if line != "+OK" and "|" in line]


def reconcile_callcenter(node: str | None = None) -> list[tuple[str, str | None]]:
    """Compare one node's queues, agents and tiers with ours and send it what differs:
    [(command, None when applied or FreeSWITCH's refusal)]."""
    domains = set(db.session.execute(select(Tenant.domain)).scalars())

    def ours(name: str) -> bool:
        return name.rpartition("@")[2] in domains

    port = switch()
    loaded_queues = {row["name"] for row in parse_table(port.api("callcenter_config queue list", node=node))}
    loaded_agents = {row["name"] for row in parse_table(port.api("callcenter_config agent list", node=node))}
    loaded_tiers = {(row["queue"], row["agent"]): row for row in
                    parse_table(port.api("callcenter_config tier list", node=node))}
    queues, agents, tiers = callcenter_config()
    wanted_queues = {q.name for q in queues}
    wanted_agents = {a.name: a for a in agents}
    wanted_tiers = {(t.queue, t.agent): t for t in tiers}
    commands = []
    for name in sorted(wanted_queues - loaded_queues):
        commands.append(f"callcenter_config queue load {name}")
    for agent in sorted(set(wanted_agents) - loaded_agents):
        commands += [f"callcenter_config agent add {agent} callback",
                     f"callcenter_config agent set contact {agent} {wanted_agents[agent].contact}",
                     f"callcenter_config agent set status {agent} Available"]
    for (queue, agent), tier in sorted(wanted_tiers.items()):
        row = loaded_tiers.get((queue, agent))
        if row is None:
            commands.append(f"callcenter_config tier add {queue} {agent} 1 {tier.position}")
        elif row.get("position") != str(tier.position):
            commands.append(f"callcenter_config tier set position {queue} {agent} {tier.position}")
    for queue, agent in sorted(set(loaded_tiers) - set(wanted_tiers)):
        if ours(queue) or ours(agent):
            commands.append(f"callcenter_config tier del {queue} {agent}")
    for agent in sorted(loaded_agents - set(wanted_agents)):
        if ours(agent):
            commands.append(f"callcenter_config agent del {agent}")
    for name in sorted(loaded_queues - wanted_queues):
        if ours(name):
            commands.append(f"callcenter_config queue unload {name}")
    results: list[tuple[str, str | None]] = []
    for command in commands:
        try:
            port.api(command, node=node)
            results.append((command, None))
        except SwitchError as exc:
            results.append((command, str(exc)))
    return results
