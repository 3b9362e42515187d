"""White label per client: the console's logo and colours, the sender name of e-mails, where the
operator ships phones."""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import parseaddr

from marshmallow import Schema, fields
from sqlalchemy import select

from centrex.models import Tenant
from centrex.models.branding import Branding
from centrex.platform import audit, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import Text, no_control_chars

MAX_LOGO_BYTES = 256 * 1024
_COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error=N_("A colour is written #RRGGBB."))
_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class BrandingSchema(Schema):
    display_name = Text(60, allow_none=True, load_default=None)
    primary_colour = fields.String(load_default="#123a6b", validate=_COLOUR)
    accent_colour = fields.String(load_default="#3d8fd6", validate=_COLOUR)
    email_sender_name = Text(120, allow_none=True, load_default=None)
    delivery_address = fields.String(allow_none=True, load_default=None, validate=[validate.Length(max=500)])


_schema = BrandingSchema()


def branding_of(tenant_id: int) -> Branding | None:
    return db.session.execute(select(Branding).where(Branding.tenant_id == tenant_id)).scalar_one_or_none()


def save_branding(
    tenant: Tenant, data: dict, logo: bytes | None = None, remove_logo: bool = False
) -> Branding:
    values = load(_schema, data)
    if values.get("delivery_address"):
        for line in values["delivery_address"].splitlines():
            no_control_chars(line)
        values["delivery_address"] = values["delivery_address"].replace("\r\n", "\n")
    values["primary_colour"] = values["primary_colour"].lower()
    values["accent_colour"] = values["accent_colour"].lower()
    branding = branding_of(tenant.id)
    created = branding is None
    if created:
        branding = Branding(tenant_id=tenant.id)
        db.session.add(branding)
    changed = apply(branding, values)
    if logo:
        branding.logo, branding.logo_type = logo, logo_type(logo)
        changed["logo"] = f"{len(logo)} bytes"
    elif remove_logo and branding.logo:
        branding.logo = branding.logo_type = None
        changed["logo"] = "removed"
    db.session.flush()
    if changed or created:
        audit.record("create" if created else "update", branding, tenant_id=tenant.id, changes=changed)
    return branding


def logo_type(data: bytes) -> str:
    """The logo's MIME type from its first bytes: PNG or JPEG only, at most MAX_LOGO_BYTES."""
    if len(data) > MAX_LOGO_BYTES:
        raise Invalid(N_("The logo is too large."), fields={"logo": [N_("At most 256 KB.")]})
    for magic, mime in _MAGIC.items():
        if data.startswith(magic):
            return mime
    raise Invalid(N_("The logo must be a PNG or JPEG image."), fields={"logo": [N_("PNG or JPEG only.")]})


def email_from(tenant_id: int | None, sender: str) -> str:
    """The From header for e-mails sent on behalf of a client: its white-label sender name (if any) with
    the platform's address, e.g. 'Dupont SA – Téléphonie <noreply@centrex.example>'; else `sender`."""
    branding = branding_of(tenant_id) if tenant_id is not None else None
    name = branding.email_sender_name if branding else None
    if not name:
        return sender
    return str(Address(display_name=name, addr_spec=parseaddr(sender)[1]))
