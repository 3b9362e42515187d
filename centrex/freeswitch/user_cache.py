"""FreeSWITCH's own user cache, kept true: the directory answer of a user carries `cacheable` (xmlcurl/
directory.py), so FreeSWITCH keeps the merged <user> (key "id" + user + domain) and asks Centrex again only
when it expires. Every transaction that changes what that answer says sends, once committed, to every
node: `xml_flush_cache id <extension> <domain>` for each user row it changed (before and after, so a
renamed extension is dropped too), or `xml_flush_cache` (everything) for a change of a company, of a
number (the users' caller id) or of more users than is worth naming. A node that misses the command
serves the old answer at most USER_CACHE_MS. `HOOK` does it, once the app factory has registered it."""
from __future__ import annotations

from itertools import chain

from sqlalchemy import inspect, select

from centrex.freeswitch.sync import command_after_commit
from centrex.models import Tenant, User
from centrex.platform.unit_of_work import TransactionHook

# How long FreeSWITCH may keep a user's answer (ms): the bound on staleness if a flush is lost.
USER_CACHE_MS = 300_000
# Tables whose rows change every user's answer of a company (tenant: domain, name, status, language;
# did_number: the caller id numbers): their change flushes the whole cache.
COMPANY_WIDE = frozenset({"tenant", "did_number"})
MOST_USERS_NAMED = 50
# The user columns the answer is made of (centrex.directory.lookup): a change of another one flushes nothing.
ANSWERED = ("extension", "tenant_id", "enabled", "name", "sip_a1_hash", "vm_a1_hash", "max_calls", "language",
            "caller_id_mode")

FLUSH_ALL = "xml_flush_cache"


def flush_user(extension: str, domain: str) -> str:
    return f"xml_flush_cache id {extension} {domain}"


def _values(obj, attribute: str) -> set:
    history = inspect(obj).attrs[attribute].history
    return {*history.added, *history.unchanged, *history.deleted} - {None}


def _answered_changed(user: User) -> bool:
    attributes = inspect(user).attrs
    return any(attributes[name].history.has_changes() for name in ANSWERED)


def _flush_commands(session) -> list[str]:
    users: list[User] = []
    for obj in chain(session.new, session.dirty, session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table in COMPANY_WIDE:
            return [FLUSH_ALL]
        if table == User.__tablename__ and (obj in session.new or obj in session.deleted or _answered_changed(obj)):
            users.append(obj)
    pairs = {(extension, tenant_id) for user in users
             for extension in _values(user, "extension") for tenant_id in _values(user, "tenant_id")}
    if not pairs:
        return []
    if len(pairs) > MOST_USERS_NAMED:
        return [FLUSH_ALL]
    tenant_ids = {tenant_id for _ext, tenant_id in pairs}
    domains = dict(session.connection().execute(
        select(Tenant.id, Tenant.domain).where(Tenant.id.in_(tenant_ids))).all())
    return sorted(flush_user(extension, domains[tenant_id]) for extension, tenant_id in pairs
                  if tenant_id in domains)


def _queue_flushes(session) -> None:
    for command in _flush_commands(session):
        command_after_commit(command)


# Registered by the app factory (wsgi.create_app), after centrex.freeswitch.sync's hook.
HOOK = TransactionHook("switch_user_cache", flushed=_queue_flushes)
