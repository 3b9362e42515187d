"""The company phonebook and each user's personal phonebook, as the desk phones show them."""
from __future__ import annotations

from centrex.models import PhonebookEntry, Tenant, User
from centrex.phones.schemas import PhonebookEntrySchema
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.tenancy import scoped

_schema = PhonebookEntrySchema()


def add_entry(tenant: Tenant, data: dict, *, owner: User | None = None) -> PhonebookEntry:
    """A contact in the company phonebook (owner None) or in `owner`'s personal phonebook."""
    if owner is not None and owner.tenant_id != tenant.id:
        raise Invalid(N_("This user does not exist in this company."), fields={"owner": [N_("Unknown.")]})
    values = load(_schema, data, country=tenant.country)
    entry = PhonebookEntry(tenant_id=tenant.id, owner_user_id=owner.id if owner else None, **values)
    db.session.add(entry)
    db.session.flush()
    audit.record("create", entry, tenant_id=tenant.id, changes={**values, "personal": owner is not None})
    return entry


def update_entry(entry: PhonebookEntry, data: dict) -> PhonebookEntry:
    country = db.session.get(Tenant, entry.tenant_id).country
    changed = apply(entry, load(_schema, data, partial=True, country=country))
    if changed:
        db.session.flush()
        audit.record("update", entry, tenant_id=entry.tenant_id, changes=changed)
    return entry


def delete_entry(entry: PhonebookEntry) -> None:
    audit.record("delete", entry, tenant_id=entry.tenant_id, changes={"name": entry.name})
    db.session.delete(entry)
    db.session.flush()


def company_phonebook(tenant_id: int, *, with_colleagues: bool = True) -> list[tuple[str, str]]:
    """(name, number) pairs: the tenant's users (by extension) then the shared contacts, by name."""
    rows: list[tuple[str, str]] = []
    if with_colleagues:
        users = db.session.execute(scoped(User, tenant_id).where(User.enabled.is_(True))
                                   .order_by(User.name)).scalars()
        rows.extend((user.name, user.extension) for user in users)
    entries = db.session.execute(scoped(PhonebookEntry, tenant_id)
                                 .where(PhonebookEntry.owner_user_id.is_(None))
                                 .order_by(PhonebookEntry.name)).scalars()
    rows.extend((entry.name, entry.number) for entry in entries)
    return rows


def personal_phonebook(tenant_id: int, user_id: int | None) -> list[tuple[str, str]]:
    if user_id is None:
        return []
    entries = db.session.execute(scoped(PhonebookEntry, tenant_id)
                                 .where(PhonebookEntry.owner_user_id == user_id)
                                 .order_by(PhonebookEntry.name)).scalars()
    return [(entry.name, entry.number) for entry in entries]
