"""Voice menus: save them (every greeting and destination checked against the tenant's own objects) and
describe the whole tree reachable from one menu, which is what FreeSWITCH asks for in one ivr.conf request."""
from __future__ import annotations

import math
from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import or_, select

from centrex.features.audio import freeswitch_path
from centrex.freeswitch import names
from centrex.models import AudioFile, CallQueue, IvrEntry, IvrMenu, Number, Tenant
from centrex.models.ivr import FINAL_DESTINATION_TYPES, INVALID_ACTIONS, IVR_DESTINATION_TYPES
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import EXTENSION_RE, Text
from centrex.platform.tenancy import scoped
from centrex.routing.addresses import check_destination, short_number_free, transfer_target
from centrex.routing.engine.destinations import Dest
from centrex.tenants import licences

_EXTERNAL = validate.Regexp(r"^\+?[0-9]{2,20}$", error=N_("Digits only."))


class IvrMenuSchema(Schema):
    name = Text(60, required=True)
    extension = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(
        EXTENSION_RE, error=N_("A short number is 2 to 6 digits and does not start with 0.")))
    greeting_id = fields.Integer(allow_none=True, load_default=None)
    repeat_greeting_id = fields.Integer(allow_none=True, load_default=None)
    no_input_seconds = fields.Integer(load_default=60, validate=validate.Range(min=3, max=600))
    overall_timeout_seconds = fields.Integer(load_default=180, validate=validate.Range(min=3, max=3600))
    timeout_dest_type = fields.String(allow_none=True, load_default=None,
                                      validate=validate.OneOf(FINAL_DESTINATION_TYPES))
    timeout_dest_id = fields.Integer(allow_none=True, load_default=None)
    timeout_dest_value = fields.String(allow_none=True, load_default=None, validate=_EXTERNAL)
    invalid_action = fields.String(load_default="replay", validate=validate.OneOf(INVALID_ACTIONS))
    invalid_sound_id = fields.Integer(allow_none=True, load_default=None)
    invalid_dest_type = fields.String(allow_none=True, load_default=None,
                                      validate=validate.OneOf(FINAL_DESTINATION_TYPES))
    invalid_dest_id = fields.Integer(allow_none=True, load_default=None)
    invalid_dest_value = fields.String(allow_none=True, load_default=None, validate=_EXTERNAL)
    max_failures = fields.Integer(load_default=3, validate=validate.Range(min=1, max=10))


class IvrEntrySchema(Schema):
    digits = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9*#]{1,4}$", error=N_("1 to 4 keys among 0-9, * and #.")))
    label = Text(60, allow_none=True, load_default=None)
    dest_type = fields.String(required=True, validate=validate.OneOf(IVR_DESTINATION_TYPES))
    dest_id = fields.Integer(allow_none=True, load_default=None)
    dest_value = fields.String(allow_none=True, load_default=None, validate=_EXTERNAL)

    @validates_schema
    def destination_complete(self, data, **_):
        if data["dest_type"] == "external" and not data.get("dest_value"):
            raise ValidationError({"dest_value": [N_("An external destination needs a number.")]})


_menu_schema = IvrMenuSchema()
_entry_schema = IvrEntrySchema()


def create_menu(tenant: Tenant, data: dict) -> IvrMenu:
    licences.require(tenant, "ivr")
    values = load(_menu_schema, data)
    menu = IvrMenu(tenant_id=tenant.id)
    _save(tenant, menu, values, values)
    audit.record("create", menu, tenant_id=tenant.id, changes=values)
    return menu


def update_menu(tenant: Tenant, menu: IvrMenu, data: dict) -> IvrMenu:
    _own(tenant, menu)
    values = load(_menu_schema, data, partial=True)
    merged = {key: getattr(menu, key) for key in _menu_schema.fields} | values
    changed = _save(tenant, menu, merged, values)
    if changed:
        audit.record("update", menu, tenant_id=tenant.id, changes=changed)
    return menu


def delete_menu(tenant: Tenant, menu: IvrMenu) -> None:
    """Refused while a number, a queue or another menu still sends calls to this menu."""
    _own(tenant, menu)
    users = db.session.execute(scoped(IvrEntry, tenant.id).where(
        IvrEntry.dest_type == "ivr", IvrEntry.dest_id == menu.id, IvrEntry.menu_id != menu.id)).first()
    menus = db.session.execute(scoped(IvrMenu, tenant.id).where(IvrMenu.id != menu.id, or_(
        (IvrMenu.timeout_dest_type == "ivr") & (IvrMenu.timeout_dest_id == menu.id),
        (IvrMenu.invalid_dest_type == "ivr") & (IvrMenu.invalid_dest_id == menu.id)))).first()
    number = db.session.execute(select(Number.e164).where(
        Number.tenant_id == tenant.id, Number.dest_type == "ivr", Number.dest_id == menu.id)).first()
    queue = db.session.execute(scoped(CallQueue, tenant.id).where(
        CallQueue.after_dest_type == "ivr", CallQueue.after_dest_id == menu.id)).first()
    if users or menus or number or queue:
        raise Conflict(N_("This menu is still in use."),
                       fields={"menu": [N_("Still the destination of a number or another menu.")]})
    audit.delete_row(menu, tenant_id=tenant.id, changes={"name": menu.name})


def set_entry(tenant: Tenant, menu: IvrMenu, data: dict) -> IvrEntry:
    """Create or replace the choice for these digits."""
    _own(tenant, menu)
    values = load(_entry_schema, data)
    dest = Dest.from_columns(values)
    check_destination(tenant, dest)
    if dest.kind == "ivr" and dest.id == menu.id:
        raise Invalid(N_("A choice cannot lead to its own menu; use 'top' or leave the key unused."),
                      fields={"dest_id": [N_("Same menu.")]})
    entry = db.session.execute(scoped(IvrEntry, tenant.id).where(
        IvrEntry.menu_id == menu.id, IvrEntry.digits == values["digits"])).scalar_one_or_none()
    if entry is None:
        entry = IvrEntry(tenant_id=tenant.id, menu_id=menu.id, **values)
        db.session.add(entry)
        action, changed = "create", values
    else:
        action, changed = "update", apply(entry, values)
    db.session.flush()
    if changed:
        audit.record(action, entry, tenant_id=tenant.id, changes={"menu_id": menu.id, **changed})
    return entry


def delete_entry(tenant: Tenant, entry: IvrEntry) -> None:
    if entry.tenant_id != tenant.id:
        raise Invalid(N_("This choice does not belong to this company."))
    audit.delete_row(entry, tenant_id=tenant.id, changes={"digits": entry.digits})


def entries_of(menu: IvrMenu) -> list[IvrEntry]:
    return list(db.session.execute(scoped(IvrEntry, menu.tenant_id).where(IvrEntry.menu_id == menu.id)
                                   .order_by(IvrEntry.digits)).scalars())


# --- what FreeSWITCH gets -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Outcome:
    """What happens: 'sub' (go down to a menu of the tree), 'menu' (start another menu), 'transfer'
    (re-enter the dialplan at target), 'hangup', 'back', 'top'."""
    action: str
    target: str | None = None


@dataclass(frozen=True, slots=True)
class MenuView:
    name: str
    greeting: str | None
    repeat_greeting: str | None
    invalid_sound: str | None
    no_input_ms: int
    max_timeouts: int
    max_failures: int
    on_timeouts: Outcome
    on_failures: Outcome
    digit_len: int
    entries: tuple[tuple[str, Outcome], ...]


def menu_tree(domain: str, menu_id: int) -> list[MenuView] | None:
    """The menu and every menu reachable from it by a key, all of the same active tenant; None if unknown."""
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == domain, Tenant.status == "active")
                                ).scalar_one_or_none()
    if tenant is None:
        return None
    root = db.session.execute(scoped(IvrMenu, tenant.id).where(IvrMenu.id == menu_id)).scalar_one_or_none()
    if root is None:
        return None
    views, todo, seen = [], [root], {root.id}
    while todo:
        menu = todo.pop(0)
        entries = entries_of(menu)
        for entry in entries:
            if entry.dest_type == "ivr" and entry.dest_id not in seen:
                child = db.session.execute(scoped(IvrMenu, tenant.id).where(IvrMenu.id == entry.dest_id)
                                           ).scalar_one_or_none()
                if child is not None:
                    seen.add(child.id)
                    todo.append(child)
        views.append(_view(tenant, menu, entries))
    return views


def _view(tenant: Tenant, menu: IvrMenu, entries: list[IvrEntry]) -> MenuView:
    sounds = _sound_paths(tenant, [menu.greeting_id, menu.repeat_greeting_id, menu.invalid_sound_id])
    failures_dest = Dest.from_columns(_columns(menu), "invalid_")
    max_failures = 1 if menu.invalid_action == "destination" else menu.max_failures
    choices = []
    for entry in entries:
        outcome = _outcome(tenant, Dest(entry.dest_type, entry.dest_id, entry.dest_value),
                           ("ivr_entry", entry.id), sub=True)
        if outcome is not None:
            choices.append((entry.digits, outcome))
    return MenuView(
        name=names.ivr_menu(tenant.domain, menu.id),
        greeting=sounds.get(menu.greeting_id),
        repeat_greeting=sounds.get(menu.repeat_greeting_id),
        invalid_sound=sounds.get(menu.invalid_sound_id) if menu.invalid_action == "message" else None,
        no_input_ms=menu.no_input_seconds * 1000,
        max_timeouts=max(1, math.ceil(menu.overall_timeout_seconds / menu.no_input_seconds)),
        max_failures=max_failures,
        on_timeouts=_outcome(tenant, Dest.from_columns(_columns(menu), "timeout_"), ("ivr_timeout", menu.id))
        or Outcome("hangup"),
        on_failures=_outcome(tenant, failures_dest, ("ivr_invalid", menu.id)) or Outcome("hangup"),
        digit_len=max((len(d) for d, _ in choices), default=1),
        entries=tuple(choices),
    )


def _outcome(tenant: Tenant, dest: Dest | None, owner: tuple[str, int], sub: bool = False
             ) -> Outcome | None:
    if dest is None or dest.kind == "hangup":
        return Outcome("hangup") if dest else None
    if dest.kind in ("back", "top"):
        return Outcome(dest.kind) if sub else None
    if dest.kind == "ivr":
        exists = db.session.execute(scoped(IvrMenu, tenant.id).where(IvrMenu.id == dest.id)).first()
        if not exists:
            return None
        return Outcome("sub" if sub else "menu", names.ivr_menu(tenant.domain, dest.id))
    target = transfer_target(tenant, dest, owner)
    return Outcome("transfer", target) if target else None


def _sound_paths(tenant: Tenant, ids: list[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = db.session.execute(scoped(AudioFile, tenant.id).where(AudioFile.id.in_(wanted))).scalars()
    return {audio.id: freeswitch_path(audio, tenant) for audio in rows}


def _columns(menu: IvrMenu) -> dict:
    return {key: getattr(menu, key) for key in _menu_schema.fields}


def _save(tenant: Tenant, menu: IvrMenu, merged: dict, values: dict) -> dict:
    if merged["overall_timeout_seconds"] < merged["no_input_seconds"]:
        raise Invalid(N_("The overall timeout cannot be shorter than the delay before repeating."),
                      fields={"overall_timeout_seconds": [N_("Shorter than no_input_seconds.")]})
    if merged["invalid_action"] == "message" and not merged["invalid_sound_id"]:
        raise Invalid(N_("Choose the message played after a wrong key."),
                      fields={"invalid_sound_id": [N_("Required.")]})
    if merged["invalid_action"] == "destination" and not merged["invalid_dest_type"]:
        raise Invalid(N_("Choose where a wrong key sends the call."), fields={"invalid_dest_type": [N_("Required.")]})
    for key in ("greeting_id", "repeat_greeting_id", "invalid_sound_id"):
        if merged[key] is not None and db.session.execute(scoped(AudioFile, tenant.id).where(
                AudioFile.id == merged[key], AudioFile.kind == "prompt")).first() is None:
            raise Invalid(N_("Choose one of this company's announcements."), fields={key: [N_("Unknown.")]})
    for prefix in ("timeout_", "invalid_"):
        check_destination(tenant, Dest.from_columns(merged, prefix), field=f"{prefix}dest_id")
    short_number_free(tenant, merged.get("extension"), mine=("ivr", menu.id))
    if merged["name"] != menu.name and db.session.execute(
            scoped(IvrMenu, tenant.id).where(IvrMenu.name == merged["name"])).first():
        raise Conflict(N_("A menu named %(name)s exists already."), name=merged["name"],
                       fields={"name": [N_("Already used.")]})
    changed = apply(menu, values)
    if menu.id is None:
        db.session.add(menu)
    db.session.flush()
    return changed


def _own(tenant: Tenant, menu: IvrMenu) -> None:
    if menu.tenant_id != tenant.id:
        raise Invalid(N_("This menu does not belong to this company."))
