"""Writes audit rows. The boundary (request, CLI, job) says who is acting; services say what changed."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from centrex.models import AuditEntry
from centrex.platform.db import db

SECRET_FIELDS = {"sip_secret", "password", "vm_pin", "sip_secret_enc", "sip_a1_hash", "vm_pin_hash",
                 "vm_a1_hash", "password_hash"}


@dataclass(frozen=True)
class Actor:
    name: str
    source_ip: str | None = None


SYSTEM = Actor("system")
_current: ContextVar[Actor] = ContextVar("centrex_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def redact(changes: dict) -> dict:
    return {k: ("***" if k in SECRET_FIELDS else v) for k, v in changes.items()}


def record(action: str, obj, *, tenant_id: int | None, changes: dict | None = None) -> AuditEntry:
    """Add one audit row for `obj` in the current transaction (flushed, never committed here)."""
    actor = current_actor()
    entry = AuditEntry(actor=actor.name, source_ip=actor.source_ip, tenant_id=tenant_id, action=action,
                       object_type=type(obj).__tablename__, object_id=getattr(obj, "id", None),
                       changes=redact({k: _plain(v) for k, v in (changes or {}).items()}))
    db.session.add(entry)
    db.session.flush()
    return entry


def delete_row(obj, *, tenant_id: int | None, changes: dict | None = None) -> None:
    """Delete `obj`, with the audit row that says what it was (`changes`); flushed."""
    record("delete", obj, tenant_id=tenant_id, changes=changes)
    db.session.delete(obj)
    db.session.flush()


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
