"""The provisioning hot path: a phone fetching its own file. On PostgreSQL it costs one statement (one
round trip, autocommitted): it reads the device with its tenant, user, keys and the source's lockout,
and, when the request carries this phone's own credentials (locked out or not), also
records the download and where the phone is (network map), in the same statement. The company's phone
settings (the operator's overrides) come in the same read. Elsewhere (SQLite),
and for every other outcome, a read then a write. Statements are built once (building one costs more
than running it); on PostgreSQL the read is compiled once too and sent by the driver itself (prepared,
plain tuples back: SQLAlchemy's per-execution result machinery cost more than the query). The MAC picks
the device; everything else is joined inside the device's tenant only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, bindparam, case, func, insert, literal, select, update

from centrex.models import Device, DeviceKey, PhoneSettings, ProvisioningDownload, ProvisioningLockout, Tenant, User
from centrex.phones.devices import token_hash
from centrex.phones.profile import Phone, PhoneFile, PhoneKey
from centrex.phones.provisioning import (
    BOOTSTRAP,
    INSERT_DOWNLOAD,
    REFUSED,
    SERVED,
    Caller,
    aware,
    download_params,
    locked_until,
    printable,
)
from centrex.platform.db import db, driver_rows


@dataclass(frozen=True)
class Found:
    phone: Phone | None
    locked: bool                      # this address or this device is locked out
    served_download: int | None = None  # the download row the read already wrote (served with credentials)


_D, _T, _U, _K = Device.__table__, Tenant.__table__, User.__table__, DeviceKey.__table__
_S = PhoneSettings.__table__
_TARGET = User.__table__.alias("target")
_LOCK, _DOWNLOAD = ProvisioningLockout.__table__, ProvisioningDownload.__table__
_TS = DateTime(timezone=True)
# Parameter names match no column: an INSERT or UPDATE would take such a key as one more value to set.
_MAC, _IP, _NOW = bindparam("p_mac", type_=String), bindparam("p_ip", type_=String), bindparam("p_now", type_=_TS)

_PHONE = (
    select(_D.c.id, _D.c.tenant_id, _D.c.user_id, _D.c.prov_token_hash, _D.c.bootstrap_until, _D.c.last_ip,
           _D.c.last_user_agent, _D.c.last_seen_at, _D.c.last_provisioned_at,
           _D.c.mac, _D.c.vendor, _D.c.model, _D.c.transfer_mode, _D.c.firmware_url, _D.c.prov_token_enc,
           _D.c.admin_password_enc, _T.c.domain, _T.c.name, _T.c.timezone, _T.c.language, _T.c.country,
           _U.c.extension, _U.c.name, _U.c.language, _U.c.enabled, _U.c.sip_secret_enc,
           _S.c.register_expiry, _S.c.dtmf, _S.c.codecs, _S.c.srtp,
           _K.c.position, _K.c.kind, _K.c.label, _K.c.number, _TARGET.c.extension, _TARGET.c.name,
           # the later lock of this address and of this device (counted apart)
           select(func.max(_LOCK.c.locked_until))
           .where(_LOCK.c.source.in_([_IP, literal("mac:", String).concat(_MAC)])).scalar_subquery())
    .select_from(_D.join(_T, _T.c.id == _D.c.tenant_id)
                 .outerjoin(_S, _S.c.tenant_id == _D.c.tenant_id)
                 .outerjoin(_U, (_U.c.id == _D.c.user_id) & (_U.c.tenant_id == _D.c.tenant_id))
                 .outerjoin(_K, (_K.c.device_id == _D.c.id) & (_K.c.tenant_id == _D.c.tenant_id))
                 .outerjoin(_TARGET, (_TARGET.c.id == _K.c.target_user_id) & (_TARGET.c.tenant_id == _D.c.tenant_id)))
    .where(_D.c.mac == _MAC)
    .order_by(_K.c.position))
_FILE_COLUMNS = slice(9, 30)   # mac ... the company's phone settings: PhoneFile's fields before `keys`
_KEY_COLUMNS = slice(30, 36)   # position ... target name
_LOCKED_UNTIL, _SERVED_DOWNLOAD = 36, 37

# PostgreSQL: the same read, plus (data-modifying CTEs, one snapshot, one statement) the device's
# network-map update and the download row when the token's SHA-256 is the device's (a device proving
# itself is never locked out: a lockout stops guessing, not the phones that know their secret).
# The caller checks the token again in constant time: same hash, same verdict.
_VERIFIED = (select(_D.c.id, _D.c.tenant_id)
             .where(_D.c.mac == _MAC, _D.c.vendor == bindparam("p_vendor", type_=String),
                    _D.c.prov_token_hash == bindparam("p_token_hash", type_=String))
             .cte("verified"))
_UA, _FILE = bindparam("p_user_agent", type_=String), bindparam("p_file", type_=String)
_SEEN_SERVED = (update(_D).where(_D.c.id == _VERIFIED.c.id)
                .values(last_ip=_IP, last_user_agent=_UA, last_seen_at=_NOW, last_provisioned_at=_NOW)
                .cte("seen"))
_LOGGED_SERVED = (insert(_DOWNLOAD)
                  .from_select(["at", "tenant_id", "device_id", "mac", "ip", "user_agent", "file", "result", "status"],
                               select(_NOW, _VERIFIED.c.tenant_id, _VERIFIED.c.id, _MAC, _IP, _UA, _FILE,
                                      literal(SERVED, String), literal(200, Integer)))
                  .returning(_DOWNLOAD.c.id).cte("logged"))
_PHONE_RECORDING_SERVED = (_PHONE.add_columns(select(_LOGGED_SERVED.c.id).scalar_subquery())
                           .add_cte(_SEEN_SERVED))


def find_phone(mac: str, caller: Caller, now: datetime, *, file: str | None = None,
               vendor: str | None = None) -> Found:
    """The phone with this MAC (None: unknown) and whether this source is locked out, in one round trip
    when the MAC is known. With `file` and `vendor` (a file of that vendor's phones that carries the
    phone's credentials), on PostgreSQL, a request with this phone's own credentials is recorded as
    served in the same statement."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    params: dict[str, object] = {"p_mac": mac, "p_ip": caller.ip or ""}
    statement = _PHONE
    if file is not None and vendor is not None and postgresql \
            and caller.username is not None and caller.username.lower() == mac:
        statement = _PHONE_RECORDING_SERVED
        params.update(p_now=now, p_vendor=vendor, p_token_hash=token_hash(caller.password or ""),
                      p_user_agent=printable(caller.user_agent, 255), p_file=printable(file, 128))
    rows = driver_rows(statement, params) if postgresql else db.session.connection().execute(statement, params).all()
    if not rows:
        return Found(None, locked_until(caller.ip, now) is not None)
    first: Any = rows[0]  # a Row or a psycopg tuple
    keys = tuple(PhoneKey(*row[_KEY_COLUMNS]) for row in rows if row[_KEY_COLUMNS.start] is not None)
    phone = Phone(*first[:4], aware(first[4]), first[5], first[6], aware(first[7]),  # type: ignore[call-arg]
                  aware(first[8]), PhoneFile(*first[_FILE_COLUMNS], keys=keys))  # type: ignore[misc]
    until = aware(first[_LOCKED_UNTIL])
    served = first[_SERVED_DOWNLOAD] if statement is _PHONE_RECORDING_SERVED else None
    return Found(phone, until is not None and until > now, served)


_MARK_SEEN = update(_D).where(_D.c.id == bindparam("log_device_id")).values(
    last_ip=bindparam("log_ip"), last_user_agent=bindparam("log_user_agent"), last_seen_at=bindparam("log_at"),
    last_provisioned_at=case((bindparam("seen_served", type_=Boolean), bindparam("log_at")),
                             else_=_D.c.last_provisioned_at),
    bootstrap_until=case((bindparam("seen_close", type_=Boolean), None), else_=_D.c.bootstrap_until))
# PostgreSQL: the network-map update and the download row in one statement.
_MARK_SEEN_AND_LOG = INSERT_DOWNLOAD.add_cte(_MARK_SEEN.cte("seen"))


def record_fetch(phone: Phone, caller: Caller, file: str, result: str, now: datetime, *,
                 carries_credentials: bool) -> None:
    """A file served to this phone (when find_phone did not record it already): the download row, and
    where the phone is and when it got its file; a bootstrap that handed out the credentials closes the
    window. The device row is written only when something changed (or, for a file with credentials,
    always: last_provisioned_at)."""
    params = download_params(caller, file, result, 200, phone.mac, phone.tenant_id, phone.id, now)
    params.update(seen_served=carries_credentials, seen_close=carries_credentials and result == BOOTSTRAP)
    stale = phone.last_seen_at is None or now - phone.last_seen_at > timedelta(seconds=60)
    moved = carries_credentials or stale or phone.last_ip != caller.ip or \
        phone.last_user_agent != params["log_user_agent"]
    connection = db.session.connection()
    if moved and connection.dialect.name == "postgresql":
        connection.execute(_MARK_SEEN_AND_LOG, params)
        return
    if moved:
        connection.execute(_MARK_SEEN, params)
    connection.execute(INSERT_DOWNLOAD, params)


_UNSEE = (update(_D).where(_D.c.id == bindparam("w_device_id"))
          .values(last_provisioned_at=bindparam("w_provisioned_at", type_=_TS)))
_WITHDRAW = (update(_DOWNLOAD).where(_DOWNLOAD.c.id == bindparam("w_id"))
             .values(result=bindparam("w_result"), status=bindparam("w_status"))
             .add_cte(_UNSEE.cte("unsee")))


def withdraw_served(download_id: int, phone: Phone, result: str = REFUSED, status: int = 409) -> None:
    """find_phone recorded a file as served that could not be made after all: in one statement (it is
    autocommitted like the read), its download row says so now and the phone's last provisioning is what
    it was (the phone was still seen). PostgreSQL only, as the recording statement."""
    db.session.connection().execute(_WITHDRAW, {"w_id": download_id, "w_result": result, "w_status": status,
                                                "w_device_id": phone.id,
                                                "w_provisioned_at": phone.last_provisioned_at})
