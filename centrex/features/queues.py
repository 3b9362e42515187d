"""Call queues (mod_callcenter). mod_callcenter reads callcenter.conf at load and keeps queues, agents and
tiers in its own database, so every change is also applied live over ESL after the commit:
`callcenter_config queue load|reload|unload`, `agent add|del|set`, `tier add|del|set`."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from marshmallow import Schema, fields
from sqlalchemy import func, select

from centrex.freeswitch import commands, names
from centrex.freeswitch.sync import command_after_commit
from centrex.models import CallQueue, MohClass, QueueAgent, Tenant, User
from centrex.models.ivr import FINAL_DESTINATION_TYPES
from centrex.models.queue import QUEUE_STRATEGIES
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import EXTENSION_RE, Text
from centrex.platform.tenancy import get_scoped, scoped
from centrex.routing.addresses import check_destination, short_number_free
from centrex.routing.engine.destinations import Dest
from centrex.tenants import licences


class CallQueueSchema(Schema):
    name = Text(60, required=True)
    extension = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(
        EXTENSION_RE, error=N_("A short number is 2 to 6 digits and does not start with 0.")))
    strategy = fields.String(load_default="longest-idle-agent", validate=validate.OneOf(QUEUE_STRATEGIES))
    moh_class_id = fields.Integer(allow_none=True, load_default=None)
    max_wait_seconds = fields.Integer(load_default=0, validate=validate.Range(min=0, max=7200))
    after_dest_type = fields.String(allow_none=True, load_default=None,
                                    validate=validate.OneOf(FINAL_DESTINATION_TYPES))
    after_dest_id = fields.Integer(allow_none=True, load_default=None)
    after_dest_value = fields.String(allow_none=True, load_default=None,
                                     validate=validate.Regexp(r"^\+?[0-9]{2,20}$", error=N_("Digits only.")))


_schema = CallQueueSchema()


def queue_name(tenant: Tenant, queue: CallQueue) -> str:
    return names.queue(tenant.domain, queue.id)


def agent_name(tenant: Tenant, user: User) -> str:
    return names.agent(tenant.domain, user.extension)


def agent_contact(tenant: Tenant, extension: str) -> str:
    return commands.agent_contact(extension, tenant.domain, current_app.config["QUEUE_AGENT_RING_SECONDS"])


def create_queue(tenant: Tenant, data: dict) -> CallQueue:
    licences.require(tenant, "queues")
    values = load(_schema, data)
    _check(tenant, values, None)
    queue = CallQueue(tenant_id=tenant.id, **values)
    db.session.add(queue)
    db.session.flush()
    audit.record("create", queue, tenant_id=tenant.id, changes=values)
    command_after_commit(commands.queue_load(queue_name(tenant, queue)))
    return queue


def update_queue(tenant: Tenant, queue: CallQueue, data: dict) -> CallQueue:
    _own(tenant, queue)
    values = load(_schema, data, partial=True)
    merged = {key: getattr(queue, key) for key in _schema.fields} | values
    _check(tenant, merged, queue)
    changed = apply(queue, values)
    if changed:
        db.session.flush()
        audit.record("update", queue, tenant_id=tenant.id, changes=changed)
        command_after_commit(commands.queue_reload(queue_name(tenant, queue)))
    return queue


def delete_queue(tenant: Tenant, queue: CallQueue) -> None:
    _own(tenant, queue)
    from centrex.models import Number
    if db.session.execute(select(Number.id).where(Number.tenant_id == tenant.id, Number.dest_type == "queue",
                                                  Number.dest_id == queue.id)).first():
        raise Conflict(N_("A number still leads to this queue."),
                       fields={"queue": [N_("Still the destination of a number.")]})
    from centrex.models import IvrEntry, IvrMenu
    leads_here = [(IvrEntry, IvrEntry.dest_type, IvrEntry.dest_id),
                  (IvrMenu, IvrMenu.timeout_dest_type, IvrMenu.timeout_dest_id),
                  (IvrMenu, IvrMenu.invalid_dest_type, IvrMenu.invalid_dest_id),
                  (CallQueue, CallQueue.after_dest_type, CallQueue.after_dest_id)]
    for model, kind, ref in leads_here:
        if db.session.execute(scoped(model, tenant.id).where(kind == "queue", ref == queue.id)).first():
            raise Conflict(N_("A voice menu or a queue still leads to this queue."),
                           fields={"queue": [N_("Still the destination of a menu or a queue.")]})
    name = queue_name(tenant, queue)
    for member in agents_of(queue):
        _remove_agent_commands(tenant, queue, member.user, name)
    audit.delete_row(queue, tenant_id=tenant.id, changes={"name": queue.name})
    command_after_commit(commands.queue_unload(name))


def set_agents(tenant: Tenant, queue: CallQueue, user_ids: list[int]) -> list[QueueAgent]:
    """Make the queue's agents exactly these users, in this order (position 1 first)."""
    _own(tenant, queue)
    if len(set(user_ids)) != len(user_ids):
        raise Invalid(N_("A user appears twice."), fields={"user_ids": [N_("Duplicates.")]})
    users = {u.id: u for u in db.session.execute(
        scoped(User, tenant.id).where(User.id.in_(user_ids or [0]))).scalars()}
    unknown = [i for i in user_ids if i not in users]
    if unknown:
        raise Invalid(N_("These users are not in this company."), fields={"user_ids": [str(i) for i in unknown]})
    name = queue_name(tenant, queue)
    current = {a.user_id: a for a in agents_of(queue)}
    for user_id, member in current.items():
        if user_id not in user_ids:
            _remove_agent_commands(tenant, queue, member.user, name)
            db.session.delete(member)
    result = []
    for position, user_id in enumerate(user_ids, start=1):
        user, member = users[user_id], current.get(user_id)
        agent = agent_name(tenant, user)
        if member is None:
            member = QueueAgent(tenant_id=tenant.id, queue_id=queue.id, user_id=user_id, position=position)
            db.session.add(member)
            for command in commands.agent_add(agent, agent_contact(tenant, user.extension)):
                command_after_commit(command)
            command_after_commit(commands.tier_add(name, agent, position))
        elif member.position != position:
            member.position = position
            command_after_commit(commands.tier_set_position(name, agent, position))
        result.append(member)
    db.session.flush()
    audit.record("set_agents", queue, tenant_id=tenant.id, changes={"user_ids": ",".join(map(str, user_ids))})
    return result


def agents_of(queue: CallQueue) -> list[QueueAgent]:
    return list(db.session.execute(scoped(QueueAgent, queue.tenant_id).where(QueueAgent.queue_id == queue.id)
                                   .order_by(QueueAgent.position)).scalars())


# --- what callcenter.conf holds -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class QueueView:
    name: str
    strategy: str
    moh_stream: str | None
    max_wait_seconds: int


@dataclass(frozen=True, slots=True)
class AgentView:
    name: str
    contact: str


@dataclass(frozen=True, slots=True)
class TierView:
    queue: str
    agent: str
    position: int


def callcenter_config(queue_name_filter: str | None = None, agent_filter: str | None = None
                      ) -> tuple[list[QueueView], list[AgentView], list[TierView]]:
    """Queues, agents and tiers of every active tenant, or only the queue / the agent FreeSWITCH asked for."""
    rows = db.session.execute(
        select(Tenant, CallQueue, QueueAgent, User)
        .join(CallQueue, CallQueue.tenant_id == Tenant.id)
        .outerjoin(QueueAgent, QueueAgent.queue_id == CallQueue.id)
        .outerjoin(User, (User.id == QueueAgent.user_id) & (User.tenant_id == Tenant.id))
        .where(Tenant.status == "active")
        .order_by(Tenant.id, CallQueue.id, QueueAgent.position)).all()
    streams = _streams({tenant.id: tenant for tenant, *_ in rows})
    queues, agents, tiers = {}, {}, []
    for tenant, queue, member, user in rows:
        name = queue_name(tenant, queue)
        if name not in queues:
            moh = streams.get((tenant.id, queue.moh_class_id)) or streams.get((tenant.id, None))
            queues[name] = QueueView(name, queue.strategy, moh, queue.max_wait_seconds)
        if member is None or user is None or not user.enabled:
            continue
        agent = agent_name(tenant, user)
        agents[agent] = AgentView(agent, agent_contact(tenant, user.extension))
        tiers.append(TierView(name, agent, member.position))
    if queue_name_filter:
        return [q for q in queues.values() if q.name == queue_name_filter], [], []
    if agent_filter:
        return [], [a for a in agents.values() if a.name == agent_filter], []
    return list(queues.values()), list(agents.values()), tiers


def _streams(tenants: dict[int, Tenant]) -> dict[tuple[int, int | None], str]:
    """local_stream URLs by (tenant, class id), and by (tenant, None) for the tenant's default class."""
    streams = {}
    classes = select(MohClass).where(MohClass.tenant_id.in_(tenants or [0]))
    for moh_class in db.session.execute(classes).scalars():
        url = names.moh_stream(tenants[moh_class.tenant_id].domain, moh_class.id)
        streams[(moh_class.tenant_id, moh_class.id)] = url
        if moh_class.is_default:
            streams[(moh_class.tenant_id, None)] = url
    return streams


def _remove_agent_commands(tenant: Tenant, queue: CallQueue, user: User, name: str) -> None:
    agent = agent_name(tenant, user)
    command_after_commit(commands.tier_del(name, agent))
    other_queues = db.session.execute(select(func.count(QueueAgent.id)).where(
        QueueAgent.tenant_id == tenant.id, QueueAgent.user_id == user.id, QueueAgent.queue_id != queue.id)
    ).scalar_one()
    if not other_queues:
        command_after_commit(commands.agent_del(agent))


def _check(tenant: Tenant, values: dict, queue: CallQueue | None) -> None:
    if values.get("moh_class_id") is not None:
        get_scoped(MohClass, tenant.id, values["moh_class_id"])
    dest = Dest.from_columns(values, "after_")
    if dest and dest.kind == "queue" and queue is not None and dest.id == queue.id:
        raise Invalid(N_("A queue cannot overflow into itself."), fields={"after_dest_id": [N_("Same queue.")]})
    check_destination(tenant, dest, field="after_dest_id")
    if values.get("max_wait_seconds") == 0 and dest is not None:
        raise Invalid(N_("Set a maximum wait for the destination after it to be used."),
                      fields={"max_wait_seconds": [N_("Required with a destination after the wait.")]})
    short_number_free(tenant, values.get("extension"), mine=("queue", queue.id if queue else None))
    same_name = scoped(CallQueue, tenant.id).where(CallQueue.name == values["name"])
    if queue is not None:
        same_name = same_name.where(CallQueue.id != queue.id)
    if db.session.execute(same_name).first():
        raise Conflict(N_("A queue named %(name)s exists already."), name=values["name"],
                       fields={"name": [N_("Already used.")]})


def _columns(queue: CallQueue) -> dict:
    return {key: getattr(queue, key) for key in _schema.fields}


def _own(tenant: Tenant, queue: CallQueue) -> None:
    if queue.tenant_id != tenant.id:
        raise Invalid(N_("This queue does not belong to this company."))
