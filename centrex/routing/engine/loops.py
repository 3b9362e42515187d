"""Loop detection on the configuration graph: where can a call go on its own from a destination?

Edges are the automatic moves of a call: a user's forwarding rules (every kind, switched on or not, any
schedule: a rule switched on later must not close a circle), a group's no-answer destination, a
schedule's range/holiday/default destinations, and an external number that is one of the tenant's own
DIDs (the call would come straight back). Ringing phones, voicemail, IVR menus are not moves."""
from __future__ import annotations

from centrex.routing.engine import dialing
from centrex.routing.engine.destinations import Dest
from centrex.routing.engine.plan import TenantConfig


def _node(dest: Dest | None, config: TenantConfig) -> Dest | None:
    if dest is None:
        return None
    if dest.kind == "external":
        did = dialing.carrier_e164(dest.value or "", config.country)
        return Dest("external", None, did) if did else None
    if dest.kind in ("user", "ring_group", "schedule"):
        return Dest(dest.kind, dest.id)
    return None


def successors(config: TenantConfig, node: Dest) -> list[Dest]:
    found: list[Dest | None] = []
    if node.kind == "user":
        found = [rule.dest for rule in config.forwards.get(node.id, ())]
    elif node.kind == "ring_group":
        group = config.groups.get(node.id)
        found = [group.no_answer] if group else []
    elif node.kind == "schedule":
        schedule = config.schedules.get(node.id)
        if schedule:
            found = [r.dest for r in schedule.ranges] + [e.dest for e in schedule.exceptions] + [schedule.default]
    elif node.kind == "external":
        found = [config.numbers.get(node.value)]
    return [n for n in (_node(d, config) for d in found) if n is not None]


def find_loop(config: TenantConfig, start: Dest) -> list[Dest] | None:
    """A path start -> … -> start if the call can come back to `start` on its own, else None."""
    origin = _node(start, config)
    if origin is None:
        return None
    stack = [(origin, [origin])]
    seen = set()
    while stack:
        node, path = stack.pop()
        for nxt in successors(config, node):
            if nxt == origin:
                return path + [nxt]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None
