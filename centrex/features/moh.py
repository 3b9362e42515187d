"""Music on hold classes (one local_stream per class inside FreeSWITCH) and the announcements played
before a number rings. local_stream reads its configuration once: a new class is started, a deleted one
stopped, a changed one reloaded over ESL after the commit; new files are picked up on the next pass."""
from __future__ import annotations

import shutil

from marshmallow import Schema, fields
from sqlalchemy import select, update

from centrex.features.audio import audio_root, tenant_subdir
from centrex.freeswitch import commands, names
from centrex.freeswitch.sync import call_after_commit, command_after_commit
from centrex.models import AudioFile, MohClass, Number, NumberAnnouncement, Tenant
from centrex.platform import audit
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import Text
from centrex.platform.tenancy import get_scoped, scoped


class MohClassSchema(Schema):
    name = Text(60, required=True)
    is_default = fields.Boolean(load_default=False)
    shuffle = fields.Boolean(load_default=False)


_schema = MohClassSchema()


def stream_name(tenant: Tenant, moh_class: MohClass) -> str:
    return names.moh_class(tenant.domain, moh_class.id)


def create_moh_class(tenant: Tenant, data: dict) -> MohClass:
    values = load(_schema, data)
    _check_name_free(tenant, values["name"])
    moh_class = MohClass(tenant_id=tenant.id, **values)
    db.session.add(moh_class)
    db.session.flush()
    if values["is_default"]:
        _only_default(tenant, moh_class)
    (audio_root() / tenant_subdir(tenant, "moh", moh_class.id)).mkdir(parents=True, exist_ok=True)
    audit.record("create", moh_class, tenant_id=tenant.id, changes=values)
    command_after_commit(commands.hold_music_start(stream_name(tenant, moh_class)))
    return moh_class


def update_moh_class(tenant: Tenant, moh_class: MohClass, data: dict) -> MohClass:
    _own(tenant, moh_class)
    values = load(_schema, data, partial=True)
    if "name" in values and values["name"] != moh_class.name:
        _check_name_free(tenant, values["name"])
    changed = apply(moh_class, values)
    if changed:
        db.session.flush()
        if changed.get("is_default"):
            _only_default(tenant, moh_class)
        audit.record("update", moh_class, tenant_id=tenant.id, changes=changed)
        if "shuffle" in changed:
            command_after_commit(commands.hold_music_reload(stream_name(tenant, moh_class)))
    return moh_class


def delete_moh_class(tenant: Tenant, moh_class: MohClass) -> None:
    """Delete the class and its files (the files once the deletion is committed)."""
    _own(tenant, moh_class)
    directory = audio_root() / tenant_subdir(tenant, "moh", moh_class.id)
    name = stream_name(tenant, moh_class)
    audit.delete_row(moh_class, tenant_id=tenant.id, changes={"name": moh_class.name})
    command_after_commit(commands.hold_music_stop(name))
    call_after_commit(lambda: shutil.rmtree(directory, ignore_errors=True))


def moh_classes(tenant_id: int) -> list[MohClass]:
    return list(db.session.execute(scoped(MohClass, tenant_id).order_by(MohClass.id)).scalars())


def default_moh_stream(tenant: Tenant) -> str | None:
    """`local_stream://<class>` of the tenant's default hold music, or None (FreeSWITCH's own default)."""
    moh_class = db.session.execute(scoped(MohClass, tenant.id).where(MohClass.is_default.is_(True))
                                   ).scalars().first()
    return names.moh_stream(tenant.domain, moh_class.id) if moh_class else None


def moh_stream_of(tenant: Tenant, moh_class_id: int | None) -> str | None:
    if moh_class_id is None:
        return default_moh_stream(tenant)
    moh_class = get_scoped(MohClass, tenant.id, moh_class_id)
    return names.moh_stream(tenant.domain, moh_class.id)


def all_streams() -> list[tuple[Tenant, MohClass]]:
    """Every class of every active tenant: what local_stream.conf lists at FreeSWITCH's start."""
    rows = db.session.execute(
        select(Tenant, MohClass).join(MohClass, MohClass.tenant_id == Tenant.id)
        .where(Tenant.status == "active").order_by(Tenant.id, MohClass.id)).all()
    return [(tenant, moh_class) for tenant, moh_class in rows]


def set_number_announcement(tenant: Tenant, number: Number, audio: AudioFile | None) -> None:
    """Play `audio` to callers of `number` before its destination rings ("pré-décroché").
    None removes it."""
    if number.tenant_id != tenant.id:
        raise Invalid(N_("This number does not belong to this company."))
    current = db.session.execute(scoped(NumberAnnouncement, tenant.id)
                                 .where(NumberAnnouncement.number_id == number.id)).scalar_one_or_none()
    if audio is None:
        if current is not None:
            audit.delete_row(current, tenant_id=tenant.id, changes={"number": number.e164})
        return
    if audio.tenant_id != tenant.id or audio.kind != "prompt":
        raise Invalid(N_("Choose one of this company's announcements."), fields={"audio_id": [N_("Unknown.")]})
    if current is None:
        current = NumberAnnouncement(tenant_id=tenant.id, number_id=number.id, audio_id=audio.id)
        db.session.add(current)
    else:
        current.audio_id = audio.id
        current.enabled = True
    db.session.flush()
    audit.record("set", current, tenant_id=tenant.id, changes={"number": number.e164, "audio_id": audio.id})


def _only_default(tenant: Tenant, moh_class: MohClass) -> None:
    db.session.execute(update(MohClass).where(MohClass.tenant_id == tenant.id, MohClass.id != moh_class.id)
                       .values(is_default=False))


def _check_name_free(tenant: Tenant, name: str) -> None:
    if db.session.execute(scoped(MohClass, tenant.id).where(MohClass.name == name)).first():
        raise Conflict(N_("A music class named %(name)s exists already."), name=name,
                       fields={"name": [N_("Already used.")]})


def _own(tenant: Tenant, moh_class: MohClass) -> None:
    if moh_class.tenant_id != tenant.id:
        raise Invalid(N_("This music class does not belong to this company."))
