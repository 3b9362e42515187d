"""Voicemail boxes: every user's own box (its PIN lives on the user row) and shared boxes with a number
and a PIN of their own; language, an uploaded greeting, new-message e-mail with or without the
recording. mod_voicemail records and lights the phones' MWI; we only send the e-mail (see
esl_handlers/voicemail.py), so no vm-mailto ever reaches FreeSWITCH."""
from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from centrex import audit, fsnames
from centrex.crypto import digest_a1, hash_password
from centrex.db import db
from centrex.errors import Conflict, Invalid
from centrex.models import AudioFile, ConferenceRoom, Tenant, User, VoicemailBox
from centrex.models.voicemail import EMAIL_MODES
from centrex.schemas import EXTENSION_RE, LANGUAGES, Text
from centrex.service_steps import VoicemailStep
from centrex.services import apply, load, numbers
from centrex.services.audio import freeswitch_path
from centrex.tenancy import get_scoped, scoped

_PIN = validate.Regexp(r"^[0-9]{4,10}$", error="A PIN is 4 to 10 digits.")


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
        EXTENSION_RE, error="A box number is 2 to 6 digits and does not start with 0."))
    name = Text(120, required=True)
    pin = fields.String(load_only=True, validate=_PIN)

    @validates_schema
    def pin_on_create(self, data, partial=False, **_):
        if not partial and not data.get("pin"):
            raise ValidationError({"pin": ["A shared box needs a PIN."]})


_settings_schema = BoxSettingsSchema()
_shared_schema = SharedBoxSchema()


def user_box(user: User) -> VoicemailBox:
    """The user's box settings row, created with defaults the first time."""
    box = db.session.execute(scoped(VoicemailBox, user.tenant_id).where(VoicemailBox.user_id == user.id)
                             ).scalar_one_or_none()
    if box is None:
        box = VoicemailBox(tenant_id=user.tenant_id, user_id=user.id, name=user.name, email_mode="none",
                           keep_after_email=True, enabled=True)
        db.session.add(box)
        db.session.flush()
        audit.record("create", box, tenant_id=user.tenant_id, changes={"user_id": user.id})
    return box


def update_box(tenant: Tenant, box: VoicemailBox, data: dict) -> VoicemailBox:
    """Settings of a user's or a shared box; a shared box's number and PIN too."""
    _own(tenant, box)
    schema = _settings_schema if box.user_id else _shared_schema
    values = load(schema, data, partial=True)
    pin = values.pop("pin", None)
    if "number" in values and values["number"] != box.number:
        _check_number_free(tenant, values["number"])
        if not pin:
            raise Invalid("A new PIN is needed when the box number changes.", fields={"pin": ["Required."]})
    _check_settings(tenant, box, values)
    changed = apply(box, values)
    if pin:
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
    _own(tenant, box)
    if box.user_id is not None:
        raise Invalid("A user's own box goes with the user.")
    audit.record("delete", box, tenant_id=tenant.id, changes={"number": box.number})
    db.session.delete(box)
    db.session.flush()


def box_id(box: VoicemailBox) -> str:
    """The box's id inside FreeSWITCH: the user's extension, or the shared box's number."""
    return fsnames.voicemail_box(box.number if box.user_id is None else
                                 db.session.get(User, box.user_id).extension)


def voicemail_step(tenant: Tenant, box_pk: int) -> VoicemailStep:
    box = get_scoped(VoicemailBox, tenant.id, box_pk)
    return _step(tenant, box)


def voicemail_step_for_user(tenant: Tenant, user: User) -> VoicemailStep:
    """Where an unanswered call to a user ends (the routing engine's "then voicemail")."""
    box = db.session.execute(scoped(VoicemailBox, tenant.id).where(VoicemailBox.user_id == user.id)
                             ).scalar_one_or_none()
    if box is None:
        return VoicemailStep(tenant.domain, fsnames.voicemail_box(user.extension), None, user.language)
    return _step(tenant, box)


def voicemail_check_step(tenant: Tenant, box_pk: int) -> VoicemailStep:
    """The owner calling in: listen to messages, record greetings and the name by phone (PIN asked)."""
    step = voicemail_step(tenant, box_pk)
    return VoicemailStep(step.domain, step.box, None, step.language, check=True)


def _step(tenant: Tenant, box: VoicemailBox) -> VoicemailStep:
    greeting = db.session.get(AudioFile, box.greeting_id) if box.greeting_id else None
    language = box.language
    if language is None and box.user_id:
        language = db.session.get(User, box.user_id).language
    return VoicemailStep(tenant.domain, box_id(box), freeswitch_path(greeting, tenant) if greeting else None,
                         language or tenant.language)


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
               VoicemailBox.user_id.is_(None), VoicemailBox.enabled.is_(True))).first()
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
    row = db.session.execute(scoped(VoicemailBox, tenant.id).where(VoicemailBox.number == box,
                                                                   VoicemailBox.user_id.is_(None))
                             ).scalar_one_or_none()
    user = None
    if row is None:
        user = db.session.execute(scoped(User, tenant.id).where(User.extension == box)).scalar_one_or_none()
        if user is None:
            return None
        row = db.session.execute(scoped(VoicemailBox, tenant.id).where(VoicemailBox.user_id == user.id)
                                 ).scalar_one_or_none()
    if row is None or not row.enabled or row.email_mode == "none":
        return None
    email = row.email_to or (user.email if user else None)
    if not email:
        return None
    return NotifyTarget(tenant_id=tenant.id, box_name=row.name, email_to=email,
                        attach=row.email_mode == "attach",
                        delete_after=row.email_mode == "attach" and not row.keep_after_email,
                        language=row.language or (user.language if user else None) or tenant.language)


def _check_settings(tenant: Tenant, box: VoicemailBox, values: dict) -> None:
    greeting_id = values.get("greeting_id")
    if greeting_id is not None and db.session.execute(scoped(AudioFile, tenant.id).where(
            AudioFile.id == greeting_id, AudioFile.kind == "greeting")).first() is None:
        raise Invalid("Choose one of this company's greetings.", fields={"greeting_id": ["Unknown."]})
    mode = values.get("email_mode", box.email_mode)
    keep = values.get("keep_after_email", box.keep_after_email)
    if keep is False and mode != "attach":
        raise Invalid("Messages can only leave the box when the e-mail carries the recording.",
                      fields={"keep_after_email": ["Needs email_mode 'attach'."]})
    if mode != "none" and box.user_id is None and not values.get("email_to", box.email_to):
        raise Invalid("Give the address that receives the e-mails.", fields={"email_to": ["Required."]})


def _set_pin(box: VoicemailBox, tenant: Tenant, pin: str, number: str) -> None:
    box.pin_hash = hash_password(pin)
    box.vm_a1_hash = digest_a1(number, tenant.domain, pin)


def _check_number_free(tenant: Tenant, number: str) -> None:
    taken = any(db.session.execute(query).first() for query in (
        scoped(VoicemailBox, tenant.id).where(VoicemailBox.number == number),
        scoped(User, tenant.id).where(User.extension == number),
        scoped(ConferenceRoom, tenant.id).where(ConferenceRoom.number == number)))
    if taken:
        raise Conflict(f"{number} est déjà utilisé. / {number} is already in use.",
                       fields={"number": ["Already used in this company."]})


def _own(tenant: Tenant, box: VoicemailBox) -> None:
    if box.tenant_id != tenant.id:
        raise Invalid("This box does not belong to this company.")


numbers.register_target_model("voicemail", VoicemailBox)
