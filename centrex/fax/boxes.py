"""Fax boxes (create, update, point a number at one), the fax history of a tenant and the purge
of the archive. Reception is in receive.py, email to fax in send.py, sending again in resend.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from marshmallow import Schema, fields
from sqlalchemy import delete, select

from centrex.freeswitch import fax_contract
from centrex.models import Fax, FaxBox, Number, OutboxMessage, Tenant
from centrex.platform import audit, outbox, validate
from centrex.platform.crypto import hash_password, salt_of, shared_salt, verify_passwords
from centrex.platform.db import db
from centrex.platform.errors import N_, Conflict
from centrex.platform.forms import apply, load
from centrex.platform.schemas import Text
from centrex.platform.tenancy import get_scoped, scoped
from centrex.tenants import licences

FINAL_STATES = ("emailed", "sent", "failed")


@dataclass(frozen=True)
class TransferOutcome:
    """How one fax transfer ended, either way, as mod_spandsp reports it (rxfaxresult, txfaxresult)."""
    success: bool
    result_code: int | None
    result_text: str | None
    pages: int
    total_pages: int | None
    remote_station_id: str | None
    transfer_rate: int | None


class FaxBoxSchema(Schema):
    name = Text(80, required=True)
    emails = fields.List(fields.Email(validate=validate.Length(max=254)), load_default=list,
                         validate=validate.Length(max=10))
    sender_email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    secret = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=8, max=128))
    retention_days = fields.Integer(load_default=None, allow_none=True,
                                    validate=validate.Range(min=1, max=3650))


_schema = FaxBoxSchema()


def create_box(tenant: Tenant, data: dict, *, default_retention_days: int = 90) -> FaxBox:
    licences.require(tenant, "fax")
    values = load(_schema, data)
    secret = values.pop("secret")
    _check_name_free(tenant, values["name"])
    values["sender_email"] = _normal_email(values["sender_email"])
    _check_sender_free(tenant.id, values["sender_email"], None)
    values["emails"] = _unique(values["emails"])
    values["retention_days"] = values["retention_days"] or default_retention_days
    box = FaxBox(tenant_id=tenant.id, secret_hash=hash_fax_secret(values["sender_email"], secret) if secret else None,
                 **values)
    db.session.add(box)
    db.session.flush()
    audit.record("create", box, tenant_id=tenant.id, changes={**values, "secret": "set" if secret else None})
    return box


def update_box(box: FaxBox, data: dict) -> FaxBox:
    values = load(_schema, data, partial=True)
    secret = values.pop("secret", None)
    if "name" in values and values["name"] != box.name:
        _check_name_free(box.tenant_id, values["name"])
    if "sender_email" in values:
        values["sender_email"] = _normal_email(values["sender_email"])
        _check_sender_free(box.tenant_id, values["sender_email"], box.id)
    if "emails" in values:
        values["emails"] = _unique(values["emails"])
    if values.get("retention_days", 0) is None:
        values.pop("retention_days")
    changed = apply(box, values)
    if secret:
        box.secret_hash = hash_fax_secret(box.sender_email, secret)
        changed["secret"] = "changed"
    if changed:
        db.session.flush()
        audit.record("update", box, tenant_id=box.tenant_id, changes=changed)
    return box


def box_number(box: FaxBox) -> str | None:
    """The box's fax number: the tenant's DID whose destination is this box."""
    number = db.session.execute(scoped(Number, box.tenant_id).where(
        Number.dest_type == "fax", Number.dest_id == box.id).order_by(Number.id)).scalars().first()
    return number.e164 if number else None


@dataclass(frozen=True)
class ReceivePlan:
    """What the dialplan does for a call to a fax number: `set` each variable, `answer`, a short
    `playback silence_stream://2000` for the sender's tone, `rxfax <path>`, `hangup`."""
    variables: dict[str, str]
    rxfax_path: str


def receive_plan(tenant: Tenant, box_id: int) -> ReceivePlan | None:
    """For the routing engine: how to receive on this tenant's box (None when it is not the tenant's)."""
    box = db.session.execute(scoped(FaxBox, tenant.id).where(FaxBox.id == box_id)).scalar_one_or_none()
    if box is None:
        return None
    return ReceivePlan(fax_contract.receive_variables(box.id, tenant.id, box_number(box) or "", tenant.name),
                       fax_contract.rxfax_file(tenant.domain))


def _check_name_free(tenant, name: str) -> None:
    tenant_id = tenant if isinstance(tenant, int) else tenant.id
    if db.session.execute(scoped(FaxBox, tenant_id).where(FaxBox.name == name)).first():
        raise Conflict(N_("A fax box named %(name)s exists already."), name=name,
                       fields={"name": [N_("Already used.")]})


def hash_fax_secret(sender: str | None, secret: str) -> str:
    """A box's secret, hashed with its sender's shared salt: the mail intake checks a subject against every
    box of that sender (in any company) with one computation (crypto.verify_passwords)."""
    return hash_password(secret, shared_salt("fax sender", sender) if sender else None)


def boxes_of_sender(sender: str) -> list[FaxBox]:
    """The boxes (of any company) this address may send faxes from, oldest first."""
    return [box for box in db.session.execute(select(FaxBox).where(FaxBox.sender_email == _normal_email(sender))
                                              .order_by(FaxBox.id)).scalars() if box.sends_faxes]


def opened_by(boxes: list[FaxBox], secret: str) -> list[FaxBox]:
    """The boxes whose secret this is — one hash computation for all of them (a company giving a box to an
    address cannot time the intake to learn whether another company's box has it). A secret hashed before
    senders shared a salt gets its sender's salt once it opens."""
    opened = [box for box, ok in zip(boxes, verify_passwords([b.secret_hash for b in boxes], secret)) if ok]
    for box in opened:
        if salt_of(box.secret_hash) != shared_salt("fax sender", box.sender_email):
            box.secret_hash = hash_fax_secret(box.sender_email, secret)
    if opened:
        db.session.flush()
    return opened


def _check_sender_free(tenant_id: int, sender: str | None, box_id: int | None) -> None:
    """One box per sender within a company; other companies' boxes are not looked at (none of its business)."""
    if not sender:
        return
    other = db.session.execute(scoped(FaxBox, tenant_id).with_only_columns(FaxBox.id).where(
        FaxBox.sender_email == sender)).scalar_one_or_none()
    if other is not None and other != box_id:
        raise Conflict(N_("This address already sends faxes for another box."),
                       fields={"sender_email": [N_("Already used by another fax box.")]})


def _normal_email(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def _unique(addresses: list[str]) -> list[str]:
    out: list[str] = []
    for address in addresses:
        if address.lower() not in (a.lower() for a in out):
            out.append(address)
    return out


# --- history -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmailStatus:
    """Where the email about a fax is: the outbox row's state, tries and the server's last answer."""
    purpose: str
    state: str
    attempts: int
    max_attempts: int
    last_answer: str | None
    next_attempt_at: datetime | None


def fax_history(tenant_id: int, *, box_id: int | None = None, direction: str | None = None,
                state: str | None = None, limit: int = 100, offset: int = 0) -> list[Fax]:
    """A tenant's faxes, newest first (for the console and the API)."""
    query = scoped(Fax, tenant_id)
    if box_id is not None:
        query = query.where(Fax.box_id == box_id)
    if direction is not None:
        query = query.where(Fax.direction == direction)
    if state is not None:
        query = query.where(Fax.state == state)
    return list(db.session.execute(query.order_by(Fax.created_at.desc(), Fax.id.desc())
                                   .limit(min(limit, 500)).offset(offset)).scalars().unique())


def get_fax(tenant_id: int, fax_id: int) -> Fax:
    return get_scoped(Fax, tenant_id, fax_id)


def email_status(fax: Fax) -> list[EmailStatus]:
    """The emails about this fax (to the box's addresses, or the report to the sender), oldest first."""
    rows = db.session.execute(scoped(OutboxMessage, fax.tenant_id).where(
        OutboxMessage.ref == fax_ref(fax.id)).order_by(OutboxMessage.id)).scalars()
    return [EmailStatus(m.purpose, m.state, m.attempts, m.max_attempts, m.last_answer, m.next_attempt_at)
            for m in rows]


def fax_ref(fax_id: int) -> str:
    return f"fax:{fax_id}"


def expiry(box: FaxBox | None, now: datetime, default_days: int) -> datetime:
    return now + timedelta(days=box.retention_days if box else default_days)


def purge_expired(now: datetime | None = None) -> int:
    """Delete archived faxes (files, rows, their emails) past their box's retention. Flushes; returns
    the count."""
    now = now or outbox.utcnow()
    expired = db.session.execute(select(Fax).where(Fax.expires_at <= now, Fax.state.in_(FINAL_STATES))
                                 .order_by(Fax.id).limit(1000)).scalars().unique().all()
    for fax in expired:
        for path in {fax.tiff_path, fax.pdf_path} - {None}:
            if not _shared_document(fax, path, now):
                Path(path).unlink(missing_ok=True)
        db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.ref == fax_ref(fax.id), OutboxMessage.state.in_(("sent", "failed"))))
        audit.record("purge", fax, tenant_id=fax.tenant_id, changes={"expires_at": fax.expires_at})
        db.session.delete(fax)
    db.session.flush()
    return len(expired)


def _shared_document(fax: Fax, path: str, now: datetime) -> bool:
    """An email to several fax numbers has one document for all of them: keep it while another uses it."""
    return db.session.execute(select(Fax.id).where(
        Fax.id != fax.id, Fax.tiff_path == path, (Fax.expires_at > now) |
        Fax.state.notin_(FINAL_STATES))).first() is not None
