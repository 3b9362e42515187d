"""Marshmallow schemas: what a create/update request may carry, validated before any row is touched."""
from __future__ import annotations

import re
from zoneinfo import available_timezones

from marshmallow import Schema, ValidationError, fields, pre_load, validates

from centrex.models.device import VENDORS
from centrex.models.number import DESTINATION_TYPES
from centrex.models.tenant import TENANT_STATUSES
from centrex.models.user import CALL_CLASSES, CALLER_ID_MODES
from centrex.platform import validate
from centrex.platform.errors import N_, Message
from centrex.platform.phone_numbers import PhoneNumber

LANGUAGES = ("fr", "en", "de", "it")
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EXTENSION_RE = re.compile(r"^[1-9][0-9]{1,5}$")
MAC_RE = re.compile(r"^[0-9a-f]{12}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TIMEZONES = frozenset(available_timezones())


def no_control_chars(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise ValidationError(N_("Control characters and line breaks are not allowed."))


def no_switch_variables(value: str) -> None:
    """FreeSWITCH reads `${…}` in a name as a variable and refuses to set it on a call (the caller's number
    shows instead); such text is refused when saved, with the reason."""
    if "${" in (value or ""):
        raise ValidationError(N_("« ${ » is not allowed: FreeSWITCH would read it as a variable."))


def _pin_min_digits() -> int:
    from flask import current_app, has_app_context

    return current_app.config.get("VM_PIN_MIN_DIGITS", 6) if has_app_context() else 6


def voicemail_pin(value: str) -> None:
    """A voicemail PIN: FreeSWITCH gets md5(box:domain:PIN) (vm-a1-hash), which gives a 4-digit PIN back in
    under a second, so at least CENTREX_VM_PIN_MIN_DIGITS digits (6), and none of the PINs tried first."""
    minimum = _pin_min_digits()
    if not re.fullmatch(rf"[0-9]{{{minimum},10}}", value or ""):
        raise ValidationError(Message.of(N_("A PIN is %(n)s to 10 digits."), n=minimum))
    steps = {(int(b) - int(a)) % 10 for a, b in zip(value, value[1:])}
    if steps <= {0} or steps == {1} or steps == {9}:  # 000000, 123456, 987654
        raise ValidationError(N_("This PIN is too easy to guess (one digit repeated, or digits in a row)."))


PIN_IS_THE_NUMBER = N_("A PIN may not repeat the box's own number.")


def pin_echoes_number(pin: str, number: str) -> bool:
    """The box's own number as its PIN, or repeated (1001 -> 10011001)."""
    return bool(number) and (number * (len(pin) // len(number) + 1)).startswith(pin)


def normalise_mac(value: str) -> str:
    """'00:15:65:AB-cd.EF' -> '001565abcdef' (raises ValidationError when it is not a MAC)."""
    mac = re.sub(r"[:\-. ]", "", str(value)).lower()
    if not MAC_RE.match(mac):
        raise ValidationError(N_("A MAC address has 12 hexadecimal digits."))
    return mac


TEXT_RULES = "No control characters or line breaks, and no « ${ »."


def Text(max_len: int, **kw):  # noqa: N802 - reads like a field type
    kw.setdefault("metadata", {"description": TEXT_RULES})
    return fields.String(validate=[validate.Length(min=1, max=max_len), no_control_chars, no_switch_variables],
                         **kw)


class TenantSchema(Schema):
    domain = fields.String(required=True, validate=validate.Regexp(DOMAIN_RE, error=N_("Not a valid SIP domain.")))
    name = Text(120, required=True)
    timezone = fields.String(load_default="Europe/Zurich")
    language = fields.String(load_default="fr", validate=validate.OneOf(LANGUAGES))
    country = fields.String(load_default="CH", validate=validate.Regexp(r"^[A-Z]{2}$"))
    status = fields.String(load_default="active", validate=validate.OneOf(TENANT_STATUSES))
    max_calls = fields.Integer(load_default=10, validate=validate.Range(min=1, max=10000))
    max_users = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1))

    @pre_load
    def lower_domain(self, data, **_):
        if isinstance(data, dict) and isinstance(data.get("domain"), str):
            data = {**data, "domain": data["domain"].strip().lower()}
        return data

    @validates("timezone")
    def known_timezone(self, value, **_):
        if value not in _TIMEZONES:
            raise ValidationError(N_("Unknown time zone."))


class UserSchema(Schema):
    extension = fields.String(required=True, validate=validate.Regexp(
        EXTENSION_RE, error=N_("An extension is 2 to 6 digits and does not start with 0.")))
    name = Text(120, required=True)
    email = fields.Email(allow_none=True, load_default=None)
    language = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(LANGUAGES))
    enabled = fields.Boolean(load_default=True)
    sip_secret = fields.String(load_default=None, allow_none=True, load_only=True,
                               validate=[validate.Length(min=12, max=64), no_control_chars])
    vm_pin = fields.String(load_default=None, allow_none=True, load_only=True, validate=voicemail_pin)
    mobile = PhoneNumber(allow_none=True, load_default=None)
    twin_enabled = fields.Boolean(load_default=False, metadata={
        "description": "The mobile rings with the user's phones (a twin); the first to answer takes the call."})
    twin_delay = fields.Integer(load_default=0, validate=validate.Range(min=0, max=30), metadata={
        "description": "Seconds after the phones the mobile starts ringing."})
    max_calls = fields.Integer(load_default=2, validate=validate.Range(min=1, max=50))
    caller_id_mode = fields.String(load_default="direct", validate=validate.OneOf(CALLER_ID_MODES))
    call_class = fields.String(load_default="national", validate=validate.OneOf(CALL_CLASSES))
    allow_premium = fields.Boolean(load_default=False)


class NumberSchema(Schema):
    e164 = PhoneNumber(required=True, any_range=True)
    label = Text(120, allow_none=True, load_default=None)
    dest_type = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(DESTINATION_TYPES))
    dest_id = fields.Integer(allow_none=True, load_default=None)
    dest_value = fields.String(allow_none=True, load_default=None,
                               validate=validate.Regexp(r"^\+?[0-9]{2,20}$", error=N_("Digits only.")))
    is_main = fields.Boolean(load_default=False)


class DeviceSchema(Schema):
    mac = fields.String(required=True, metadata={
        "description": "12 hexadecimal digits; separators (: - . and spaces) and case are ignored."})
    vendor = fields.String(required=True, validate=validate.OneOf(VENDORS))
    model = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{2,32}$"))
    user_id = fields.Integer(allow_none=True, load_default=None)
    label = Text(120, allow_none=True, load_default=None)

    @pre_load
    def clean_mac(self, data, **_):
        if isinstance(data, dict) and "mac" in data:
            try:
                data = {**data, "mac": normalise_mac(data["mac"])}
            except ValidationError as exc:
                raise ValidationError({"mac": exc.messages}) from exc
        return data
