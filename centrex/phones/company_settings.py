"""The operator's phone settings per company: registration expiry, DTMF mode, codec order and SRTP, each
overriding its operator-wide default (CENTREX_PROV_REGISTER_EXPIRY, _DTMF, _CODECS, _SRTP) in every file
of that company's phones. Empty: the default. The client's administrators do not set these."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates

from centrex.models import PhoneSettings, Tenant
from centrex.models.device import CODECS, DTMF_MODES, SRTP_MODES
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_
from centrex.platform.forms import apply, load

FIELDS = ("register_expiry", "dtmf", "codecs", "srtp")


class PhoneSettingsSchema(Schema):
    register_expiry = fields.Integer(allow_none=True, validate=validate.Range(min=60, max=86400))
    dtmf = fields.String(allow_none=True, validate=validate.OneOf(DTMF_MODES))
    codecs = fields.String(allow_none=True)
    srtp = fields.String(allow_none=True, validate=validate.OneOf(SRTP_MODES))

    @validates("codecs")
    def known_codecs(self, value, **_):
        if value is None:
            return
        names = value.split(",")
        if not all(name in CODECS for name in names) or len(set(names)) != len(names):
            raise ValidationError(N_("Codecs from g722, pcma, pcmu, g729, opus, each once, separated by commas."))


_schema = PhoneSettingsSchema()


def phone_settings_of(tenant_id: int) -> PhoneSettings | None:
    return db.session.get(PhoneSettings, tenant_id)


def save_phone_settings(tenant: Tenant, data: dict) -> PhoneSettings:
    """Set the company's phone settings (None or an empty value: back to the operator's default)."""
    data = {name: data.get(name) for name in FIELDS}
    if isinstance(data["codecs"], str):
        data["codecs"] = ",".join(part.strip().lower() for part in data["codecs"].split(",") if part.strip()) or None
    values = load(_schema, {name: (None if value in ("", None) else value) for name, value in data.items()})
    row = phone_settings_of(tenant.id)
    if row is None:
        row = PhoneSettings(tenant_id=tenant.id)
        db.session.add(row)
    changed = apply(row, values)
    db.session.flush()
    if changed:
        audit.record("update", row, tenant_id=tenant.id, changes=changed)
    return row
