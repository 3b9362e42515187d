"""Voicemail boxes: every user's own box (its PIN lives on the user row, its settings in UserVoicemail)
and shared boxes with a number and a PIN of their own; language, an uploaded greeting, new-message e-mail
with or without the recording. mod_voicemail records and lights the phones' MWI; we only send the e-mail
(see esl_handlers/voicemail.py), so no vm-mailto ever reaches FreeSWITCH."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import select

from centrex.freeswitch import commands, names
from centrex.freeswitch.sync import command_after_commit
from centrex.models import AudioFile, Number, Tenant, User, UserVoicemail, VoicemailBox, VoicemailMessage
from centrex.models.voicemail import EMAIL_MODES
from centrex.platform import audit, validate
from centrex.platform.crypto import digest_a1, hash_password
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import (
    EXTENSION_RE,
    LANGUAGES,
    PIN_IS_THE_NUMBER,
    Text,
    pin_echoes_number,
    voicemail_pin,
)
from centrex.platform.tenancy import scoped
from centrex.routing.addresses import short_number_free


class BoxSettingsSchema(Schema):
    """What the owner of any box may set."""
    name = Text(120)
    language = fields.String(allow_none=True, validate=validate.OneOf(LANGUAGES))
    greeting_id = fields.Integer(allow_none=True)
    email_mode = fields.String(validate=validate.OneOf(EMAIL_MODES))
    email_to = fields.Email(allow_none=True)
    keep_after_email = fields.Boolean()
    enabled = fields.Boolean()


class SharedBoxSchema(BoxSettingsSchema):
    number = fields.String(required=True, validate=validate.Regexp(
        EXTENSION_RE, error=N_("A box number is 2 to 6 digits and does not start with 0.")))
    name = Text(120, required=True)
    pin = fields.String(load_only=True, validate=voicemail_pin)

    @validates_schema
    def pin_on_create(self, data, partial=False, **_):
        if not partial and not data.get("pin"):
            raise ValidationError({"pin": [N_("A shared box needs a PIN.")]})


_settings_schema = BoxSettingsSchema()
_shared_schema = SharedBoxSchema()


def user_box(user: User) -> UserVoicemail:
    """The user's box settings row, created with defaults the first time."""
    box = _user_settings(user)
    if box is None:
        box = UserVoicemail(tenant_id=user.tenant_id, user_id=user.id, email_mode="none",
                            keep_after_email=True, enabled=True)
        db.session.add(box)
        db.session.flush()
        audit.record("create", box, tenant_id=user.tenant_id, changes={"user_id": user.id})
    return box


def update_box(tenant: Tenant, box: UserVoicemail | VoicemailBox, data: dict) -> UserVoicemail | VoicemailBox:
    """Settings of a user's or a shared box; a shared box's name, number and PIN too."""
    _own(tenant, box)
    schema = _settings_schema if isinstance(box, UserVoicemail) else _shared_schema
    values = load(schema, data, partial=True)
    if isinstance(box, UserVoicemail):
        values.pop("name", None)  # a user's box is called after the user
    pin = values.pop("pin", None)
    if isinstance(box, VoicemailBox) and "number" in values and values["number"] != box.number:
        _check_number_free(tenant, values["number"], box)
        if not pin:
            raise Invalid(N_("A new PIN is needed when the box number changes."), fields={"pin": [N_("Required.")]})
    _check_settings(tenant, box, values)
    changed = apply(box, values)
    if pin and isinstance(box, VoicemailBox):  # number and PIN: shared boxes only (_shared_schema)
        _set_pin(box, tenant, pin, values.get("number", box.number))
        changed["pin"] = "changed"
    if changed:
        db.session.flush()
        audit.record("update", box, tenant_id=tenant.id, changes=changed)
    return box


def create_shared_box(tenant: Tenant, data: dict) -> VoicemailBox:
    values = load(_shared_schema, data)
    pin = values.pop("pin")
    _check_number_free(tenant, values["number"])
    box = VoicemailBox(tenant_id=tenant.id, **{"email_mode": "none", "keep_after_email": True, **values})
    _check_settings(tenant, box, values)
    _set_pin(box, tenant, pin, values["number"])
    db.session.add(box)
    db.session.flush()
    audit.record("create", box, tenant_id=tenant.id, changes={**values, "pin": "set"})
    return box


def delete_shared_box(tenant: Tenant, box: VoicemailBox) -> None:
    """Refused while a number still sends calls to the box."""
    _own(tenant, box)
    if db.session.execute(select(Number.id).where(
            Number.tenant_id == tenant.id, Number.dest_type == "voicemail", Number.dest_id == box.id)).first():
        raise Conflict(N_("A number still leads to this box."),
                       fields={"box": [N_("Still the destination of a number.")]})
    messages = db.session.execute(scoped(VoicemailMessage, tenant.id).where(
        VoicemailMessage.shared_box_id == box.id)).scalars().all()
    for message in messages:  # the recordings go too, once the deletion is committed
        command_after_commit(commands.voicemail_delete(message.box, tenant.domain, message.message_uuid))
    audit.delete_row(box, tenant_id=tenant.id, changes={"number": box.number, "messages": len(messages)})


def box_id(box: UserVoicemail | VoicemailBox) -> str:
    """The box's id inside FreeSWITCH: the user's extension, or the shared box's number."""
    if isinstance(box, UserVoicemail):
        return names.voicemail_box(db.session.get(User, box.user_id).extension)
    return names.voicemail_box(box.number)


# --- for the directory and the new-message e-mail -------------------------------------------------

@dataclass(frozen=True, slots=True)
class SharedBoxEntry:
    tenant_id: int
    domain: str
    number: str
    name: str
    vm_a1_hash: str


def find_shared_box(domain: str, number: str) -> SharedBoxEntry | None:
    """An enabled shared box of an active tenant, for mod_voicemail's directory lookups."""
    row = db.session.execute(
        select(Tenant.id, Tenant.domain, VoicemailBox.number, VoicemailBox.name, VoicemailBox.vm_a1_hash)
        .join(VoicemailBox, VoicemailBox.tenant_id == Tenant.id)
        .where(Tenant.domain == domain, Tenant.status == "active", VoicemailBox.number == number,
               VoicemailBox.enabled.is_(True))).first()
    return SharedBoxEntry(*row) if row else None


@dataclass(frozen=True, slots=True)
class NotifyTarget:
    tenant_id: int
    box_name: str
    email_to: str
    attach: bool
    delete_after: bool
    language: str


def notify_target(domain: str, box: str) -> NotifyTarget | None:
    """Whom to e-mail about a new message in box@domain, or None (no e-mail wanted, or nobody to send to)."""
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == domain, Tenant.status == "active")
                                ).scalar_one_or_none()
    if tenant is None:
        return None
    user = db.session.execute(scoped(User, tenant.id).where(User.extension == box)).scalar_one_or_none()
    if user is not None:
        row, name = _user_settings(user), user.name
    else:
        row = db.session.execute(scoped(VoicemailBox, tenant.id).where(VoicemailBox.number == box)
                                 ).scalar_one_or_none()
        name = row.name if row else ""
    if row is None or not row.enabled or row.email_mode == "none":
        return None
    email = row.email_to or (user.email if user else None)
    if not email:
        return None
    return NotifyTarget(tenant_id=tenant.id, box_name=name, email_to=email,
                        attach=row.email_mode == "attach",
                        delete_after=row.email_mode == "attach" and not row.keep_after_email,
                        language=row.language or (user.language if user else None) or tenant.language)


def _user_settings(user: User) -> UserVoicemail | None:
    return db.session.execute(scoped(UserVoicemail, user.tenant_id).where(UserVoicemail.user_id == user.id)
                              ).scalar_one_or_none()


def _check_settings(tenant: Tenant, box: UserVoicemail | VoicemailBox, values: dict) -> None:
    greeting_id = values.get("greeting_id")
    if greeting_id is not None and db.session.execute(scoped(AudioFile, tenant.id).where(
            AudioFile.id == greeting_id, AudioFile.kind == "greeting")).first() is None:
        raise Invalid(N_("Choose one of this company's greetings."), fields={"greeting_id": [N_("Unknown.")]})
    mode = values.get("email_mode", box.email_mode)
    keep = values.get("keep_after_email", box.keep_after_email)
    if keep is False and mode != "attach":
        raise Invalid(N_("Messages can only leave the box when the e-mail carries the recording."),
                      fields={"keep_after_email": [N_("Needs email_mode 'attach'.")]})
    if mode != "none" and isinstance(box, VoicemailBox) and not values.get("email_to", box.email_to):
        raise Invalid(N_("Give the address that receives the e-mails."), fields={"email_to": [N_("Required.")]})


def _set_pin(box: VoicemailBox, tenant: Tenant, pin: str, number: str) -> None:
    if pin_echoes_number(pin, number):
        raise Invalid(PIN_IS_THE_NUMBER, fields={"pin": [PIN_IS_THE_NUMBER]})
    box.pin_hash = hash_password(pin)
    box.vm_a1_hash = digest_a1(number, tenant.domain, pin)


def _check_number_free(tenant: Tenant, number: str, box: VoicemailBox | None = None) -> None:
    """A box number is dialled like an extension: nothing else of the company may have it."""
    short_number_free(tenant, number, mine=("voicemail", box.id if box else None), field="number")


def _own(tenant: Tenant, box: UserVoicemail | VoicemailBox) -> None:
    if box.tenant_id != tenant.id:
        raise Invalid(N_("This box does not belong to this company."))
