"""What FreeSWITCH's directory needs to know about a tenant's SIP user, in one query."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, bindparam, select

from centrex.models import Number, Tenant, User
from centrex.platform.answer_cache import read_by
from centrex.platform.db import read_rows


@dataclass(frozen=True, slots=True)
class DirectoryUser:
    tenant_id: int
    domain: str
    tenant_name: str
    extension: str
    name: str
    a1_hash: str
    vm_a1_hash: str | None
    max_calls: int
    language: str
    outbound_number: str | None


@dataclass(frozen=True, slots=True)
class DirectoryDomain:
    tenant_id: int
    domain: str
    name: str


def _caller_id_number():
    """Direct line of the user, else (or if asked) the company's main number: one correlated subquery."""
    direct = (select(Number.e164).where(Number.tenant_id == User.tenant_id, Number.dest_type == "user",
                                        Number.dest_id == User.id)
              .order_by(Number.id).limit(1).scalar_subquery())
    main = (select(Number.e164).where(and_(Number.tenant_id == User.tenant_id, Number.is_main.is_(True)))
            .limit(1).scalar_subquery())
    return direct, main


# The statements are built once and run through Core with bound parameters: building a fresh ORM
# select per REGISTER cost more CPU than everything else in the directory answer (see bench/).
@cache
def _user_query():
    direct, main = _caller_id_number()
    return (select(Tenant.id, Tenant.domain, Tenant.name, Tenant.language, User.extension, User.name,
                   User.sip_a1_hash, User.vm_a1_hash, User.max_calls, User.language, User.caller_id_mode,
                   direct.label("direct"), main.label("main"))
            .join(User, User.tenant_id == Tenant.id)
            .where(Tenant.domain == bindparam("domain"), Tenant.status == "active",
                   User.extension == bindparam("extension"), User.enabled.is_(True)))


@cache
def _domain_query():
    return select(Tenant.id, Tenant.domain, Tenant.name).where(Tenant.domain == bindparam("domain"),
                                                               Tenant.status == "active")


read_by(lambda: (_user_query(), _domain_query()))


def _first(statement, params: dict):
    rows = read_rows(statement, params)
    return rows[0] if rows else None


def find_user(domain: str, extension: str) -> DirectoryUser | None:
    """An enabled user of an active tenant, or None: the only source of directory answers."""
    row = _first(_user_query(), {"domain": domain, "extension": extension})
    if row is None:
        return None
    (tenant_id, tdomain, tname, tlang, ext, name, a1, vm_a1, max_calls, ulang, cid_mode, direct_no,
     main_no) = row
    outbound = main_no if cid_mode == "main" else (direct_no or main_no)
    return DirectoryUser(tenant_id=tenant_id, domain=tdomain, tenant_name=tname, extension=ext, name=name,
                         a1_hash=a1, vm_a1_hash=vm_a1, max_calls=max_calls, language=ulang or tlang,
                         outbound_number=outbound)


def find_domain(domain: str) -> DirectoryDomain | None:
    row = _first(_domain_query(), {"domain": domain})
    return DirectoryDomain(*row) if row else None
