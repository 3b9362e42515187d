"""What the provisioning server asks of the core: who is this phone (credentials or the bootstrap
window, never the User-Agent), is this source locked out, record every download and every unknown MAC,
and the plain data a phone's file is made of. Vendor vocabulary stays in the provisioning/ adapter."""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from centrex.db import db
from centrex.models import Device, DeviceKey, ProvisioningDownload, ProvisioningLockout, Tenant, UnknownDevice, User
from centrex.services.devices import provisioning_token, token_hash
from centrex.services.users import reveal_secret, secret_box
from centrex.tenancy import scoped

# How a phone got (or did not get) its file; the download log keeps these words.
SERVED, BOOTSTRAP, CHALLENGE = "served", "bootstrap", "challenge"
BAD_CREDENTIALS, WRONG_DEVICE, UNKNOWN_MAC = "bad_credentials", "wrong_device", "unknown_mac"
NOT_FOUND, BAD_REQUEST, LOCKED, REFUSED = "not_found", "bad_request", "locked", "refused"
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

def locked_until(ip: str | None, now: datetime) -> datetime | None:
    if not ip:
        return None
    until = aware(db.session.execute(
        select(ProvisioningLockout.locked_until).where(ProvisioningLockout.ip == ip)).scalar_one_or_none())
    return until if until and until > now else None


def _upsert(model):
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def record_failure(ip: str | None, now: datetime) -> bool:
    """Count one failure for this source (atomically, whatever worker sees it); True when it is now
    locked out."""
    if not ip:
        return False
    cfg = current_app.config
    window_start = now - timedelta(seconds=cfg.get("PROV_LOCKOUT_WINDOW_SECONDS", 600))
    table = ProvisioningLockout
    expired = table.window_started_at < window_start
    stmt = _upsert(table).values(ip=ip, failures=1, window_started_at=now)
    stmt = stmt.on_conflict_do_update(index_elements=[table.ip], set_={
        "failures": case((expired, 1), else_=table.failures + 1),
        "window_started_at": case((expired, now), else_=table.window_started_at),
    }).returning(table.failures)
    failures = db.session.execute(stmt).scalar_one()
    if failures < cfg.get("PROV_LOCKOUT_FAILURES", 20):
        return False
    until = now + timedelta(seconds=cfg.get("PROV_LOCKOUT_SECONDS", 900))
    db.session.execute(update(table).where(table.ip == ip)
                       .values(locked_until=until, failures=0, window_started_at=now))
    current_app.logger.warning("provisioning: source %s locked out until %s after %d failures",
                               ip, until.isoformat(timespec="seconds"), failures)
    return True


def record_download(caller: Caller, file: str, result: str, status: int, *, mac: str | None = None,
                    device: Device | None = None, now: datetime | None = None) -> None:
    db.session.execute(_INSERT_DOWNLOAD, {
        "at": now or utcnow(), "tenant_id": device.tenant_id if device else None,
        "device_id": device.id if device else None, "mac": mac, "ip": caller.ip,
        "user_agent": printable(caller.user_agent, 255), "file": printable(file, 128), "result": result, "status": status})


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


# --- identity --------------------------------------------------------------------------------------

def find_device(mac: str) -> Device | None:
    """MACs are unique across tenants: the MAC picks the device, and with it the one tenant it belongs to."""
    return db.session.execute(select(Device).where(Device.mac == mac)).scalar_one_or_none()


@dataclass
class Lookup:
    device: Device | None
    tenant: Tenant | None = None
    user: User | None = None  # the device's user, joined inside the device's tenant only
    locked_until: datetime | None = None


# The hot path's statements are built once (building SQLAlchemy statements costs more than running them).
_LOOKUP = (select(Device, Tenant, User,
                  select(ProvisioningLockout.locked_until).where(ProvisioningLockout.ip == bindparam("ip"))
                  .scalar_subquery())
           .join(Tenant, Tenant.id == Device.tenant_id)
           .outerjoin(User, (User.id == Device.user_id) & (User.tenant_id == Device.tenant_id))
           .where(Device.mac == bindparam("mac")))
_TARGET = aliased(User)
_KEYS = (scoped(DeviceKey, bindparam("tenant_id")).add_columns(_TARGET.extension, _TARGET.name)
         .outerjoin(_TARGET, (_TARGET.id == DeviceKey.target_user_id) & (_TARGET.tenant_id == DeviceKey.tenant_id))
         .where(DeviceKey.device_id == bindparam("device_id")).order_by(DeviceKey.position))
_INSERT_DOWNLOAD = insert(ProvisioningDownload)


def lookup(mac: str, ip: str | None, now: datetime) -> Lookup:
    """One round trip on the hot path: the device, its tenant, its user and this source's lockout."""
    row = db.session.execute(_LOOKUP, {"mac": mac, "ip": ip or ""}).first()
    if row is None:
        return Lookup(None, locked_until=locked_until(ip, now))
    device, tenant, user, until = row
    until = aware(until)
    return Lookup(device, tenant, user, until if until and until > now else None)


def authenticate(device: Device, caller: Caller, now: datetime) -> str:
    """SERVED (its own credentials), BOOTSTRAP (the window is open: first boot or after a factory
    reset), CHALLENGE (no credentials: ask for them) or BAD_CREDENTIALS / WRONG_DEVICE."""
    if caller.username is not None:
        if caller.username.lower() != device.mac:  # another phone's credentials: never its file
            return WRONG_DEVICE
        if device.prov_token_hash and hmac.compare_digest(
                token_hash(caller.password or ""), device.prov_token_hash):
            return SERVED
        return BOOTSTRAP if _bootstrap_open(device, now) else BAD_CREDENTIALS
    return BOOTSTRAP if _bootstrap_open(device, now) else CHALLENGE


def _bootstrap_open(device: Device, now: datetime) -> bool:
    until = aware(device.bootstrap_until)
    return until is not None and until > now


_MARK_SEEN = (update(Device).where(Device.id == bindparam("device_id")).values(
    last_ip=bindparam("ip"), last_user_agent=bindparam("ua"), last_seen_at=bindparam("now"),
    last_provisioned_at=case((bindparam("served"), bindparam("now")), else_=Device.last_provisioned_at),
    bootstrap_until=case((bindparam("close"), None), else_=Device.bootstrap_until)))


def mark_seen(device: Device, caller: Caller, now: datetime, *, carries_credentials: bool,
              bootstrap: bool) -> None:
    """Record where the phone is (network map) and when it got its file; a bootstrap that handed out
    the credentials closes the window."""
    ua = printable(caller.user_agent, 255)
    last_seen = aware(device.last_seen_at)
    stale = last_seen is None or now - last_seen > timedelta(seconds=60)
    if carries_credentials or stale or device.last_ip != caller.ip or device.last_user_agent != ua:
        db.session.execute(_MARK_SEEN, {"device_id": device.id, "ip": caller.ip, "ua": ua, "now": now,
                                        "served": carries_credentials, "close": carries_credentials and bootstrap})


# --- what a phone's files are made of ---------------------------------------------------------------

@dataclass
class SipAccount:
    extension: str
    display_name: str
    domain: str
    password: str = field(repr=False)


@dataclass
class KeyView:
    position: int
    kind: str
    label: str
    number: str | None = None  # speed dial number, or the BLF target's extension


@dataclass
class DeviceProfile:
    """Plain data for the vendor templates."""
    mac: str
    vendor: str
    model: str
    tenant_domain: str
    tenant_name: str
    timezone: str
    language: str
    country: str
    transfer_mode: str
    firmware_url: str | None
    admin_password: str = field(repr=False)
    prov_username: str = ""
    prov_token: str = field(default="", repr=False)
    account: SipAccount | None = None
    keys: list[KeyView] = field(default_factory=list)
    user_id: int | None = None
    tenant_id: int = 0
    settings: dict = field(default_factory=dict)


def build_profile(device: Device, tenant: Tenant | None = None, user: User | None = None) -> DeviceProfile:
    """Everything the phone's file says, loaded with the device's tenant scope only (pass the tenant
    and user from lookup() to save the queries)."""
    cfg = current_app.config
    if tenant is None:
        tenant = db.session.get(Tenant, device.tenant_id)
        if device.user_id is not None:
            user = db.session.execute(
                scoped(User, device.tenant_id).where(User.id == device.user_id)).scalar_one_or_none()
    account = None
    if user is not None and user.enabled:
        account = SipAccount(user.extension, user.name, tenant.domain, reveal_secret(user))
    rows = db.session.execute(_KEYS, {"tenant_id": device.tenant_id, "device_id": device.id}).all()
    keys = []
    for key, target_extension, target_name in rows:
        if key.kind == "blf":
            if target_extension is None:
                continue
            keys.append(KeyView(key.position, "blf", key.label or target_name, target_extension))
            continue
        keys.append(KeyView(key.position, key.kind, key.label or "", key.number))
    language = (user.language if user and user.language else tenant.language) or "fr"
    return DeviceProfile(
        mac=device.mac, vendor=device.vendor, model=device.model, tenant_domain=tenant.domain,
        tenant_name=tenant.name, timezone=tenant.timezone, language=language, country=tenant.country,
        transfer_mode=device.transfer_mode, firmware_url=device.firmware_url,
        admin_password=secret_box().decrypt(device.admin_password_enc) if device.admin_password_enc else "",
        prov_username=device.mac, prov_token=provisioning_token(device) if device.prov_token_enc else "",
        account=account, keys=keys, user_id=user.id if user else None, tenant_id=device.tenant_id,
        settings={
            "sip_outbound_proxy": cfg.get("PROV_SIP_OUTBOUND_PROXY") or "",
            "sip_port": cfg.get("PROV_SIP_PORT", 5060),
            "sip_transport": cfg.get("PROV_SIP_TRANSPORT", "udp"),
            "ntp_server": cfg.get("PROV_NTP_SERVER", "pool.ntp.org"),
            "voicemail_number": cfg.get("PROV_VOICEMAIL_NUMBER", "*97"),
            "pickup_prefix": cfg.get("PROV_PICKUP_PREFIX", "**"),
        })
