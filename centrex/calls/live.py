"""Live state of the switch per tenant: who is registered where, which channels are up. Kept current from
events and replaced wholesale by a node's snapshot after each reconnect (see esl_handlers.live).
The console's "who is busy" view, BLF presence and the device network map read it through the queries
at the end. Functions flush; the caller commits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from centrex.models import Device, LiveChannel, LiveRegistration, Tenant, User
from centrex.models._types import utcnow
from centrex.platform.db import db
from centrex.platform.tenancy import scoped


@dataclass
class ChannelState:
    """What an event or a `show channels` row says about one channel."""
    uuid: str
    call_uuid: str | None = None
    direction: str | None = None
    presence: str | None = None  # user@domain of the tenant user on this leg, when FreeSWITCH knows it
    domains: list[str] = field(default_factory=list)  # where to look for the tenant, in order
    caller_number: str | None = None
    destination: str | None = None
    state: str = "ringing"  # ringing, early, active, held
    other_uuid: str | None = None
    created_at: datetime | None = None
    answered_at: datetime | None = None
    new: bool = True  # False: only update a channel we know (events that can trail its hangup)


@dataclass
class RegistrationState:
    """What a sofia::register event or a `sofia status profile … reg` entry says about one contact."""
    extension: str
    domain: str
    call_id: str
    contact: str | None = None
    user_agent: str | None = None
    network_ip: str | None = None
    network_port: int | None = None
    expires_at: datetime | None = None


def _insert(table):
    return (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)


def tenant_ids(domains) -> dict[str, int]:
    """{domain: tenant id} for the domains that are tenants (one query)."""
    wanted = {d.lower() for d in domains if d}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Tenant.domain, Tenant.id).where(Tenant.domain.in_(wanted))).all())


def _channel_row(node: str, channel: ChannelState, tenants: dict[str, int]) -> dict:
    user, _, host = (channel.presence or "").partition("@")
    candidates = ([host] if host else []) + channel.domains
    tenant_id = next((tenants[d.lower()] for d in candidates if d and d.lower() in tenants), None)
    own_user = bool(user and host and tenant_id is not None and tenants.get(host.lower()) == tenant_id)
    extension = user if own_user else None
    return {"uuid": channel.uuid, "node": node, "tenant_id": tenant_id, "call_uuid": channel.call_uuid,
            "direction": channel.direction, "extension": extension, "caller_number": channel.caller_number,
            "destination": channel.destination, "state": channel.state, "other_uuid": channel.other_uuid,
            "created_at": channel.created_at, "answered_at": channel.answered_at, "updated_at": utcnow()}


def upsert_channels(node: str, channels: list[ChannelState]) -> None:
    """Create or update channels; what a later event does not say keeps its earlier value. A state that
    is not `new` never creates a row (CHANNEL_UNBRIDGE comes after CHANNEL_HANGUP, for one)."""
    if not channels:
        return
    tenants = tenant_ids(d for c in channels for d in [c.presence.partition("@")[2] if c.presence else None,
                                                       *c.domains])
    table = LiveChannel.__table__
    keep = ("tenant_id", "call_uuid", "direction", "extension", "caller_number", "destination", "other_uuid",
            "created_at", "answered_at")
    for channel in channels:  # in event order: a later event about the same channel wins
        row = _channel_row(node, channel, tenants)
        if not channel.new:
            db.session.execute(update(table).where(table.c.uuid == channel.uuid).values(
                **{c: func.coalesce(row[c], table.c[c]) for c in keep},
                state=row["state"], node=node, updated_at=row["updated_at"]))
            continue
        insert = _insert(table).values(row)
        db.session.execute(insert.on_conflict_do_update(index_elements=["uuid"], set_={
            **{c: func.coalesce(insert.excluded[c], table.c[c]) for c in keep},
            "state": insert.excluded.state, "node": insert.excluded.node,
            "updated_at": insert.excluded.updated_at}))


def remove_channels(uuids: list[str]) -> None:
    if uuids:
        db.session.execute(delete(LiveChannel).where(LiveChannel.uuid.in_(uuids)))


def _registration_rows(node: str, registrations: list[RegistrationState]) -> list[dict]:
    tenants = tenant_ids(r.domain for r in registrations)
    return [{"tenant_id": tenants[r.domain.lower()], "extension": r.extension, "call_id": r.call_id,
             "node": node,
             "contact": r.contact, "user_agent": r.user_agent, "network_ip": r.network_ip,
             "network_port": r.network_port, "expires_at": r.expires_at, "updated_at": utcnow()}
            for r in registrations if r.domain and r.domain.lower() in tenants]


def upsert_registrations(node: str, registrations: list[RegistrationState]) -> int:
    """Record registered contacts of known tenants (others are ignored); returns how many were kept."""
    rows = _registration_rows(node, registrations)
    if rows:
        insert = _insert(LiveRegistration.__table__)
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["tenant_id", "extension", "call_id"],
            set_={c: insert.excluded[c] for c in ("node", "contact", "user_agent", "network_ip",
                                                  "network_port", "expires_at", "updated_at")}), rows)
    return len(rows)


def remove_registration(extension: str, domain: str, call_id: str | None) -> None:
    """A contact unregistered or expired (without a Call-ID: every contact of that user)."""
    tenant = tenant_ids([domain]).get(domain.lower())
    if tenant is None:
        return
    statement = delete(LiveRegistration).where(LiveRegistration.tenant_id == tenant,
                                               LiveRegistration.extension == extension)
    if call_id:
        statement = statement.where(LiveRegistration.call_id == call_id)
    db.session.execute(statement)


def resync(node: str, registrations: list[RegistrationState], channels: list[ChannelState]) -> None:
    """Replace what we believed about this node by its snapshot (after a reconnect: events were missed)."""
    db.session.execute(delete(LiveRegistration).where(LiveRegistration.node == node))
    db.session.execute(delete(LiveChannel).where(LiveChannel.node == node))
    upsert_registrations(node, registrations)
    upsert_channels(node, channels)


# -- queries for the console --------------------------------------------------------------------------
def registrations(tenant_id: int, *, at: datetime | None = None) -> list[LiveRegistration]:
    """A tenant's registered contacts (not expired), by extension."""
    now = at or utcnow()
    return list(db.session.execute(
        scoped(LiveRegistration, tenant_id)
        .where(or_(LiveRegistration.expires_at.is_(None), LiveRegistration.expires_at > now))
        .order_by(LiveRegistration.extension, LiveRegistration.call_id)).scalars())


def channels(tenant_id: int) -> list[LiveChannel]:
    """A tenant's active channels, grouped by call."""
    return list(db.session.execute(scoped(LiveChannel, tenant_id)
                                   .order_by(LiveChannel.call_uuid, LiveChannel.created_at)).scalars())


def busy(tenant_id: int) -> dict[str, str]:
    """{extension: state} of the tenant's users who have a channel up (ringing, early, active, held);
    the busiest state wins when a user has several channels."""
    rank = {"ringing": 1, "early": 2, "held": 3, "active": 4}
    out: dict[str, str] = {}
    for channel in channels(tenant_id):
        if channel.extension and rank.get(channel.state, 0) >= rank.get(out.get(channel.extension, ""), 0):
            out[channel.extension] = channel.state
    return out


def device_addresses(tenant_id: int, *,
                     at: datetime | None = None) -> list[tuple[Device, list[LiveRegistration]]]:
    """The network map: each of the tenant's phones with the contacts its user registered from. A user
    with several contacts: those whose user agent names the phone's vendor, if any do."""
    by_extension: dict[str, list[LiveRegistration]] = {}
    for registration in registrations(tenant_id, at=at):
        by_extension.setdefault(registration.extension, []).append(registration)
    rows = db.session.execute(scoped(Device, tenant_id).add_columns(User.extension)
                              .outerjoin(User, (User.id == Device.user_id) & (User.tenant_id == tenant_id))
                              .order_by(Device.id)).all()
    out = []
    for device, extension in rows:
        found = by_extension.get(extension, []) if extension else []
        same_vendor = [r for r in found if r.user_agent and device.vendor.lower() in r.user_agent.lower()]
        out.append((device, same_vendor or found))
    return out


def calls_now(tenant_id: int) -> int:
    """How many of the tenant's calls are up now (ringing or talking): its channels, counted by call."""
    return len({channel.call_uuid or channel.uuid for channel in channels(tenant_id)})
