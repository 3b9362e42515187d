"""The FreeSWITCH pool behind the edge: list, add, drain and return nodes. These functions flush; the
caller commits; every edge sees the view switch_dispatch change and reloads its dispatcher (kamailio.cfg)."""
from __future__ import annotations

import re

from sqlalchemy import select

from centrex.models import SwitchNode
from centrex.platform import audit
from centrex.platform.db import db

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
SIP_ADDRESS = re.compile(r"^sip:[A-Za-z0-9.-]{1,200}(:[0-9]{1,5})?$")
ESL_ADDRESS = re.compile(r"^[A-Za-z0-9.-]{1,200}:[0-9]{1,5}$")


def all_nodes() -> list[SwitchNode]:
    return list(db.session.execute(select(SwitchNode).order_by(SwitchNode.name)).scalars())


def node_named(name: str) -> SwitchNode | None:
    return db.session.execute(select(SwitchNode).where(SwitchNode.name == name)).scalar_one_or_none()


def problems(name: str, sip_address: str, esl_address: str) -> list[str]:
    """What is wrong with a new node's values (empty: fine)."""
    found = []
    if not NAME.match(name):
        found.append(f"name {name!r}: lower-case letters, digits, . _ - (64 at most)")
    elif node_named(name) is not None:
        found.append(f"name {name!r}: already a node")
    if not SIP_ADDRESS.match(sip_address):
        found.append(f"SIP address {sip_address!r}: sip:HOST[:PORT] of the node's edge-facing profile")
    if not ESL_ADDRESS.match(esl_address):
        found.append(f"ESL address {esl_address!r}: HOST:PORT of the node's event socket")
    return found


def add_node(name: str, sip_address: str, esl_address: str) -> SwitchNode:
    node = SwitchNode(name=name, sip_address=sip_address, esl_address=esl_address, drained=False)
    db.session.add(node)
    db.session.flush()
    audit.record("create", node, tenant_id=None,
                 changes={"name": name, "sip_address": sip_address, "esl_address": esl_address})
    return node


def set_drained(node: SwitchNode, drained: bool) -> None:
    """A drained node takes no new call from the edge (dispatcher flags 4); its calls go on."""
    if node.drained != drained:
        node.drained = drained
        audit.record("update", node, tenant_id=None, changes={"drained": drained})
    db.session.flush()
