"""What the provisioning server asks of the core: who is this phone (credentials or the bootstrap
window, never the User-Agent), is this source locked out, record every download and every unknown MAC,
and the plain data a phone's file is made of. Vendor vocabulary stays in the provisioning/ adapter."""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from centrex.models import Device, ProvisioningDownload, ProvisioningLockout, UnknownDevice
from centrex.phones.devices import token_hash
from centrex.platform import metrics
from centrex.platform.db import db

if TYPE_CHECKING:
    from centrex.phones.profile import Phone

# How a phone got (or did not get) its file; the download log keeps these words.
SERVED, BOOTSTRAP, CHALLENGE = "served", "bootstrap", "challenge"
BAD_CREDENTIALS, WRONG_DEVICE, UNKNOWN_MAC = "bad_credentials", "wrong_device", "unknown_mac"
NOT_FOUND, BAD_REQUEST, LOCKED, REFUSED, ERROR = "not_found", "bad_request", "locked", "refused", "error"
FAILURES = {BAD_CREDENTIALS, WRONG_DEVICE, UNKNOWN_MAC, BAD_REQUEST}  # count towards a lockout


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(text: str | None, limit: int) -> str:
    """A request's own text (file name, User-Agent) made safe to store: control characters (NUL is
    refused by PostgreSQL) become '?'."""
    return _CONTROL.sub("?", text or "")[:limit]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass(frozen=True)
class Caller:
    """Who is asking, as the HTTP boundary saw it. The password is only compared, never stored."""
    ip: str | None
    user_agent: str = ""
    username: str | None = field(default=None)
    password: str | None = field(default=None, repr=False)


# --- lockout, shared by every worker through the database ---------------------------------------

def device_source(mac: str) -> str:
    """The lockout source of one known device (failures on it count from every address)."""
    return f"mac:{mac}"


def locked_until(source: str | None, now: datetime) -> datetime | None:
    if not source:
        return None
    until = aware(db.session.execute(
        select(ProvisioningLockout.locked_until).where(ProvisioningLockout.source == source)).scalar_one_or_none())
    return until if until and until > now else None


def _upsert(model):
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def record_failure(source: str | None, now: datetime) -> bool:
    """Count one failure for this source, an address or a device (atomically, whatever worker sees it);
    True when it is now locked out."""
    if not source:
        return False
    cfg = current_app.config
    window_start = now - timedelta(seconds=cfg.get("PROV_LOCKOUT_WINDOW_SECONDS", 600))
    table = ProvisioningLockout
    expired = table.window_started_at < window_start
    stmt = _upsert(table).values(source=source, failures=1, window_started_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[table.source], set_={
        "failures": case((expired, 1), else_=table.failures + 1),
        "window_started_at": case((expired, now), else_=table.window_started_at),
    }).returning(table.failures)
    failures = db.session.execute(stmt).scalar_one()
    if failures < cfg.get("PROV_LOCKOUT_FAILURES", 20):
        return False
    until = now + timedelta(seconds=cfg.get("PROV_LOCKOUT_SECONDS", 900))
    metrics.PROV_LOCKOUTS.inc()
    db.session.execute(update(table).where(table.source == source)
                       .values(locked_until=until, failures=0, window_started_at=now))
    current_app.logger.warning("provisioning: source %s locked out until %s after %d failures",
                               source, until.isoformat(timespec="seconds"), failures)
    return True


_DOWNLOAD = ProvisioningDownload.__table__
_LOG_COLUMNS = ("at", "tenant_id", "device_id", "mac", "ip", "user_agent", "file", "result", "status")
# Parameter names match no column: an INSERT or UPDATE would take such a key as one more value to set.
INSERT_DOWNLOAD = insert(_DOWNLOAD).values({name: bindparam(f"log_{name}") for name in _LOG_COLUMNS})


def download_params(caller: Caller, file: str, result: str, status: int, mac: str | None, tenant_id: int | None,
                    device_id: int | None, now: datetime) -> dict:
    """The parameters of INSERT_DOWNLOAD: the request's own text made printable, never a secret."""
    return {"log_at": now, "log_tenant_id": tenant_id, "log_device_id": device_id, "log_mac": mac,
            "log_ip": caller.ip, "log_user_agent": printable(caller.user_agent, 255),
            "log_file": printable(file, 128), "log_result": result, "log_status": status}


def record_download(caller: Caller, file: str, result: str, status: int, *, mac: str | None = None,
                    device: Phone | None = None, now: datetime | None = None) -> None:
    db.session.execute(INSERT_DOWNLOAD, download_params(
        caller, file, result, status, mac, device.tenant_id if device else None, device.id if device else None,
        now or utcnow()))


def record_unknown(mac: str, vendor: str, model: str | None, caller: Caller, now: datetime) -> None:
    """Remember a MAC nobody owns, for the admin to claim (one row per MAC, counting its requests)."""
    table = UnknownDevice
    ua = printable(caller.user_agent, 255)
    stmt = _upsert(table).values(mac=mac, vendor=vendor, model=model, last_ip=caller.ip, last_user_agent=ua,
                                 hits=1, first_seen_at=now, last_seen_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[table.mac], set_={
        "hits": table.hits + 1, "last_ip": caller.ip, "last_user_agent": ua, "last_seen_at": now,
        "model": model if model else table.model})
    db.session.execute(stmt)


# --- identity (the hot path's read and write: centrex.phones.fetch) ----------------------

def find_device(mac: str) -> Device | None:
    """MACs are unique across tenants: the MAC picks the device, and with it the one tenant it belongs to."""
    return db.session.execute(select(Device).where(Device.mac == mac)).scalar_one_or_none()


def authenticate(device: Phone, caller: Caller, now: datetime) -> str:
    """SERVED (its own credentials), BOOTSTRAP (the window is open: first boot or after a factory
    reset), CHALLENGE (no credentials: ask for them) or BAD_CREDENTIALS / WRONG_DEVICE. The token is
    checked against its SHA-256 in constant time (it is random: no slow hash needed)."""
    if caller.username is not None:
        if caller.username.lower() != device.mac:  # another phone's credentials: never its file
            return WRONG_DEVICE
        if device.prov_token_hash and hmac.compare_digest(
                token_hash(caller.password or ""), device.prov_token_hash):
            return SERVED
        return BOOTSTRAP if _bootstrap_open(device, now) else BAD_CREDENTIALS
    return BOOTSTRAP if _bootstrap_open(device, now) else CHALLENGE


def _bootstrap_open(device: Phone, now: datetime) -> bool:
    return device.bootstrap_until is not None and device.bootstrap_until > now
