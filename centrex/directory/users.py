"""Create and update a tenant's users: extension, SIP credential, voicemail PIN."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from centrex.models import Tenant, User
from centrex.platform import audit
from centrex.platform.crypto import SecretBox, digest_a1, hash_password, new_sip_secret, verify_password
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict, Invalid
from centrex.platform.forms import apply, load
from centrex.platform.schemas import PIN_IS_THE_NUMBER, UserSchema, pin_echoes_number
from centrex.routing.addresses import short_number_free
from centrex.routing.checks import external_number

_schema = UserSchema()


def secret_box() -> SecretBox:
    return SecretBox(current_app.config["SIP_SECRET_KEY"])


def create_user(tenant: Tenant, data: dict) -> User:
    """A new user; without a call class, the company's default one."""
    if isinstance(data, dict) and "call_class" not in data:
        data = {**data, "call_class": tenant.default_call_class}
    values = load(_schema, data, country=tenant.country)
    _check_extension_free(tenant, values["extension"])
    _check_seats(tenant)
    secret = values.pop("sip_secret") or new_sip_secret()
    pin = values.pop("vm_pin")
    user = User(tenant_id=tenant.id, tenant=tenant, **values)
    _check_twin(user)
    _set_secret(user, tenant, secret)
    _set_pin(user, tenant, pin)
    db.session.add(user)
    db.session.flush()
    audit.record("create", user, tenant_id=tenant.id, changes={**values, "sip_secret": "set"})
    return user


def update_user(user: User, data: dict) -> User:
    tenant = user.tenant
    values = load(_schema, data, partial=True, country=tenant.country)
    if "extension" in values and values["extension"] != user.extension:
        _check_extension_free(tenant, values["extension"])
    secret = values.pop("sip_secret", None)
    pin = values.pop("vm_pin", None)
    changed = apply(user, values)
    if changed.keys() & {"twin_enabled", "mobile", "call_class", "allow_premium"}:
        _check_twin(user)
    if secret:
        _set_secret(user, tenant, secret)
        changed["sip_secret"] = "changed"
    elif "extension" in changed:  # the digest covers the user name
        _set_secret(user, tenant, reveal_secret(user))
    if pin or ("extension" in changed and user.vm_a1_hash):
        if not pin:
            raise Invalid(N_("A new voicemail PIN is needed when the extension changes."),
                          fields={"vm_pin": [N_("Required when the extension changes.")]})
        _set_pin(user, tenant, pin)
        changed["vm_pin"] = "changed"
    if changed:
        db.session.flush()
        audit.record("update", user, tenant_id=tenant.id, changes=changed)
    return user


def regenerate_secret(user: User) -> str:
    """A new SIP secret (e.g. after a factory reset); returns it for the phone's config only."""
    secret = new_sip_secret()
    _set_secret(user, user.tenant, secret)
    db.session.flush()
    audit.record("regenerate_secret", user, tenant_id=user.tenant_id, changes={"sip_secret": "changed"})
    return secret


def reveal_secret(user: User) -> str:
    """The plaintext SIP secret, for the phone's provisioning file and nowhere else."""
    return secret_box().decrypt(user.sip_secret_enc)


def _set_secret(user: User, tenant: Tenant, secret: str) -> None:
    user.sip_secret_enc = secret_box().encrypt(secret)
    user.sip_a1_hash = digest_a1(user.extension, tenant.domain, secret)


def _set_pin(user: User, tenant: Tenant, pin: str | None) -> None:
    if pin is None:
        return
    if pin_echoes_number(pin, user.extension):
        raise Invalid(PIN_IS_THE_NUMBER, fields={"vm_pin": [PIN_IS_THE_NUMBER]})
    user.vm_pin_hash = hash_password(pin)
    # mod_voicemail checks md5(id:domain:pin) against the directory's vm-a1-hash param.
    user.vm_a1_hash = digest_a1(user.extension, tenant.domain, pin)


def _check_twin(user: User) -> None:
    """A mobile twin needs a mobile the user may call: it is an outgoing call of theirs."""
    if not user.twin_enabled:
        return
    if not user.mobile:
        raise Invalid(N_("A mobile number is needed for the mobile to ring with the phones."),
                      fields={"mobile": [N_("Required for the twin.")]})
    user.mobile = external_number(user.tenant, user.mobile, "mobile", owner=user)


def _check_extension_free(tenant: Tenant, extension: str) -> None:
    """Not another user's extension, nor a group's, menu's, queue's, room's or shared box's number."""
    taken = db.session.execute(
        select(User.id).where(User.tenant_id == tenant.id, User.extension == extension)).first()
    if taken:
        raise Conflict(N_("Extension %(ext)s is already used in this company."), ext=extension,
                       fields={"extension": [N_("Already used.")]})
    short_number_free(tenant, extension, mine=("user", None))


def _check_seats(tenant: Tenant) -> None:
    if tenant.max_users is None:
        return
    count = db.session.execute(select(func.count(User.id)).where(User.tenant_id == tenant.id)).scalar_one()
    if count >= tenant.max_users:
        raise Conflict(N_("The licence allows %(n)s users; all seats are taken."), n=tenant.max_users)


def mobile_caller(domain: str, extension: str, caller: str | None, pin: str) -> bool:
    """An access number's caller is `extension` of the active company `domain`: calling from that user's
    mobile (E.164) and typing their voicemail PIN."""
    if not (extension and caller and pin):
        return False
    user = db.session.execute(select(User).join(Tenant, Tenant.id == User.tenant_id).where(
        Tenant.domain == domain, Tenant.status == "active", User.extension == extension,
        User.enabled.is_(True))).scalar_one_or_none()
    return user is not None and user.mobile == caller and verify_password(user.vm_pin_hash, pin)
