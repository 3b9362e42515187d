"""What the operator sees of the switches: every FreeSWITCH node the product talks to (CENTREX_ESL_NODES)
and every node of the edge's pool (switch_node), each with its state in the pool, its health as its own
`status` tells it, its registrations and channels (the live state the ESL listener keeps), and, in a cluster,
the registrations Kamailio holds per company (its `location` table)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect, select, text

from centrex.freeswitch.commands import SwitchStatus
from centrex.models import LiveChannel, LiveRegistration, SwitchNode
from centrex.platform.db import db
from centrex.platform.errors import N_
from centrex.platform.ports import SwitchError, switch

EDGE_SCHEMA = "kamailio"  # kamailio/deploy.py: Kamailio's own tables, in the product's database


@dataclass(frozen=True)
class NodeView:
    name: str
    esl_address: str  # host:port, as the ESL listener names the node in the live state
    sip_address: str | None  # where the edge sends calls; None: not in the edge's pool
    drained: bool | None  # None: not in the edge's pool (a single FreeSWITCH, or not added yet)
    node_id: int | None
    registrations: int
    channels: int
    status: SwitchStatus | None  # None: unreachable (problem says why)
    problem: str | None  # a message key (not configured) or the switch port's words (unreachable)


def esl_address(spec: str) -> str:
    """host:port of a CENTREX_ESL_NODES entry ("host:port:password"), never its password."""
    host, _, rest = spec.partition(":")
    return f"{host}:{rest.partition(':')[0]}"


def _counts(model) -> dict[str, int]:
    rows = db.session.execute(select(model.node, func.count()).group_by(model.node))
    return {node: count for node, count in rows}


def nodes(esl_nodes: list[str]) -> list[NodeView]:
    """The pool's nodes (by name) then the configured ESL nodes the pool does not list, each asked its status."""
    pool = list(db.session.execute(select(SwitchNode).order_by(SwitchNode.name)).scalars())
    known = {node.esl_address for node in pool}
    configured = [esl_address(spec) for spec in esl_nodes]
    registrations, channels = _counts(LiveRegistration), _counts(LiveChannel)
    rows = [(node.name, node.esl_address, node.sip_address, node.drained, node.id) for node in pool]
    rows += [(address, address, None, None, None) for address in configured if address not in known]
    views = []
    for name, address, sip_address, drained, node_id in rows:
        status, problem = None, None
        if address not in configured:
            problem = N_("Not in CENTREX_ESL_NODES: this console cannot ask it.")
        else:
            try:
                status = switch().node_status(address)
            except SwitchError as exc:
                problem = str(exc)
        views.append(NodeView(name, address, sip_address, drained, node_id, registrations.get(address, 0),
                              channels.get(address, 0), status, problem))
    return views


def edge_registrations() -> dict[str, int] | None:
    """Contacts Kamailio holds per SIP domain (its usrloc table `kamailio.location` in this database, which
    kamailio/deploy.py creates and lets the product read); None without one (a single FreeSWITCH)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql" or not inspect(connection).has_table("location", schema=EDGE_SCHEMA):
        return None
    rows = db.session.execute(text(f"SELECT domain, count(*) FROM {EDGE_SCHEMA}.location GROUP BY domain "
                                   "ORDER BY domain"))
    return {domain or "": count for domain, count in rows}
