"""What a device's settings, its keys and a phonebook entry may carry (validated before any row changes).
Every text that can end up in a phone's key=value file refuses control characters and line breaks."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validates

from centrex.models.device import KEY_KINDS, TRANSFER_MODES
from centrex.platform import validate
from centrex.platform.errors import N_
from centrex.platform.phone_numbers import PhoneNumber
from centrex.platform.schemas import Text, no_control_chars

DIALABLE_RE = re.compile(r"^\+?[0-9*#]{1,32}$")
MODEL_RE = re.compile(r"^[A-Za-z0-9-]{2,32}$")


class DeviceSettingsSchema(Schema):
    model = fields.String(validate=validate.Regexp(MODEL_RE))
    label = Text(120, allow_none=True)
    user_id = fields.Integer(allow_none=True)
    transfer_mode = fields.String(validate=validate.OneOf(TRANSFER_MODES))
    firmware_url = fields.String(allow_none=True, validate=[validate.Length(max=255), no_control_chars])

    @validates("firmware_url")
    def http_url(self, value, **_):
        if value is not None and not re.match(r"^https?://[^\s\"'<>]+$", value):
            raise ValidationError(N_("A firmware URL is an http:// or https:// address."))


class DeviceKeySchema(Schema):
    position = fields.Integer(required=True, validate=validate.Range(min=1, max=400))
    kind = fields.String(required=True, validate=validate.OneOf(KEY_KINDS))
    target_user_id = fields.Integer(allow_none=True, load_default=None)
    number = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(
        DIALABLE_RE, error=N_("Digits, * and # only (an optional leading +).")))
    label = Text(64, allow_none=True, load_default=None)


class PhonebookEntrySchema(Schema):
    name = Text(120, required=True)
    number = PhoneNumber(required=True, short=True)
