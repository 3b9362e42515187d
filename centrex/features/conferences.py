"""Conference rooms (3 to 16 people, an access code, an optional moderator code) and the live controls
the console offers: list the members, mute, unmute, kick, dial someone in. The controls go through the
SwitchCommands port; the room's name inside FreeSWITCH carries the tenant's domain (centrex.freeswitch.names)."""
from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import select

from centrex.freeswitch import commands, names
from centrex.freeswitch.commands import ConferenceMember
from centrex.models import ConferenceRoom, Tenant, User
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.phone_numbers import to_e164
from centrex.platform.ports import SwitchError, switch
from centrex.platform.schemas import EXTENSION_RE, Text
from centrex.platform.tenancy import scoped
from centrex.routing.addresses import short_number_free
from centrex.tenants import licences

_CODE = validate.Regexp(r"^[0-9]{4,10}$", error=N_("A code is 4 to 10 digits."))


class ConferenceRoomSchema(Schema):
    number = fields.String(required=True, validate=validate.Regexp(
        EXTENSION_RE, error=N_("A room number is 2 to 6 digits and does not start with 0.")))
    name = Text(120, required=True)
    max_members = fields.Integer(load_default=10, validate=validate.Range(
        min=3, max=16, error=N_("A room holds 3 to 16 participants.")))
    access_code = fields.String(required=True, validate=_CODE)
    moderator_code = fields.String(allow_none=True, load_default=None, validate=_CODE)
    wait_for_moderator = fields.Boolean(load_default=False)
    enabled = fields.Boolean(load_default=True)
    open_from = fields.AwareDateTime(allow_none=True, load_default=None)
    open_until = fields.AwareDateTime(allow_none=True, load_default=None)

    @validates_schema
    def coherent(self, data, partial=False, **_):
        if data.get("moderator_code") and data.get("moderator_code") == data.get("access_code"):
            raise ValidationError({"moderator_code": [N_("Must differ from the access code.")]})
        if data.get("wait_for_moderator") and "moderator_code" in data and not data.get("moderator_code"):
            raise ValidationError({"moderator_code": [N_("Required when the room waits for the moderator.")]})
        if data.get("open_from") and data.get("open_until") and data["open_until"] <= data["open_from"]:
            raise ValidationError({"open_until": [N_("Must be after the start.")]})


_schema = ConferenceRoomSchema()


def create_room(tenant: Tenant, data: dict) -> ConferenceRoom:
    licences.require(tenant, "conferences")
    values = load(_schema, data)
    _check_number_free(tenant, values["number"])
    room = ConferenceRoom(tenant_id=tenant.id, **values)
    db.session.add(room)
    db.session.flush()
    audit.record("create", room, tenant_id=tenant.id, changes=_public(values))
    return room


def update_room(tenant: Tenant, room: ConferenceRoom, data: dict) -> ConferenceRoom:
    _own(tenant, room)
    values = load(_schema, data, partial=True)
    if "number" in values and values["number"] != room.number:
        _check_number_free(tenant, values["number"], room)
    merged = {key: getattr(room, key) for key in _schema.fields} | values
    errors = _schema.validate({k: (v.isoformat() if isinstance(v, datetime) else v)
                               for k, v in merged.items()})
    if errors:
        raise Invalid(N_("Some fields are not valid."), fields=errors)
    changed = apply(room, values)
    if changed:
        db.session.flush()
        audit.record("update", room, tenant_id=tenant.id, changes=_public(changed))
    return room


def delete_room(tenant: Tenant, room: ConferenceRoom) -> None:
    _own(tenant, room)
    audit.delete_row(room, tenant_id=tenant.id, changes={"number": room.number})


def room_is_open(room: ConferenceRoom, at: datetime | None = None) -> bool:
    at = at or datetime.now(timezone.utc)
    return room.enabled and (room.open_from is None or _aware(room.open_from) <= at) and (
        room.open_until is None or at < _aware(room.open_until))


def room_for_profile(room_name: str, profile_name: str) -> tuple[Tenant, ConferenceRoom] | None:
    """The open room FreeSWITCH is creating, when its name and profile agree on one active tenant."""
    parsed = names.parse_conference_room(room_name)
    if parsed is None:
        return None
    number, domain = parsed
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == domain, Tenant.status == "active")
                                ).scalar_one_or_none()
    if tenant is None or profile_name != names.conference_profile(domain):
        return None
    room = db.session.execute(scoped(ConferenceRoom, tenant.id).where(ConferenceRoom.number == number)
                              ).scalar_one_or_none()
    if room is None or not room_is_open(room):
        return None
    return tenant, room


# --- live controls through the switch port --------------------------------------------------------

def list_members(tenant: Tenant, room: ConferenceRoom) -> list[ConferenceMember]:
    """The people in the room now ([] when nobody is in it: FreeSWITCH has no such conference then)."""
    _own(tenant, room)
    try:
        return switch().conference_members(_name(tenant, room))
    except SwitchError as exc:
        if "not found" in str(exc).lower():
            return []
        raise


def mute(tenant: Tenant, room: ConferenceRoom, member_id: int) -> str:
    return _member_command(tenant, room, "mute", member_id)


def unmute(tenant: Tenant, room: ConferenceRoom, member_id: int) -> str:
    return _member_command(tenant, room, "unmute", member_id)


def kick(tenant: Tenant, room: ConferenceRoom, member_id: int) -> str:
    return _member_command(tenant, room, "kick", member_id)


def dial_in(tenant: Tenant, room: ConferenceRoom, who: str) -> str:
    """Call an extension of this tenant (or an outside number, through the tenant's dialplan) and put
    them in the room without asking for the code. Returns FreeSWITCH's Job-UUID."""
    _own(tenant, room)
    if EXTENSION_RE.match(who or "") and db.session.execute(scoped(User, tenant.id).where(
            User.extension == who, User.enabled.is_(True))).first():
        leg = commands.user_leg(who, tenant.domain)
    elif (number := to_e164(who, tenant.country)) is not None:
        leg = commands.dialplan_leg(number, tenant.domain)
    else:
        raise Invalid(N_("Dial an extension of this company or a number like +41791234567."),
                      fields={"who": [N_("Unknown extension or not an international number.")]})
    destination = commands.conference_destination(names.conference_with_profile(tenant.domain, room.number),
                                                  room.access_code)
    # The room's number as caller ID (a name with spaces would split FreeSWITCH's originate arguments).
    job = switch().originate(leg, destination, variables=commands.origination_variables(
        caller_id_number=room.number, caller_id_name=room.number))
    audit.record("dial_in", room, tenant_id=tenant.id, changes={"who": who})
    return job


def _member_command(tenant: Tenant, room: ConferenceRoom, verb: str, member_id: int) -> str:
    _own(tenant, room)
    if not isinstance(member_id, int) or member_id <= 0:
        raise Invalid(N_("Unknown participant."), fields={"member_id": [N_("Unknown.")]})
    try:
        reply = switch().conference_member_action(_name(tenant, room), verb, member_id)
    except SwitchError as exc:
        if "non-existant" in str(exc).lower() or "not found" in str(exc).lower():
            raise Invalid(N_("This participant has left."),
                          fields={"member_id": [N_("Not in the room.")]}) from exc
        raise
    audit.record(verb, room, tenant_id=tenant.id, changes={"member_id": member_id})
    return reply.strip()


def _name(tenant: Tenant, room: ConferenceRoom) -> str:
    return names.conference_room(tenant.domain, room.number)


def _check_number_free(tenant: Tenant, number: str, room: ConferenceRoom | None = None) -> None:
    """A room number is dialled like an extension: nothing else of the company may have it."""
    short_number_free(tenant, number, mine=("conference", room.id if room else None), field="number")


def _own(tenant: Tenant, room: ConferenceRoom) -> None:
    if room.tenant_id != tenant.id:
        raise Invalid(N_("This room does not belong to this company."))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _public(values: dict) -> dict:
    return {k: ("***" if k in ("access_code", "moderator_code") and v else v) for k, v in values.items()}
