"""Voicemail messages as the console lists them: one row per message mod_voicemail recorded (filled from
its vm::maintenance `leave-message` event), the recording read from FreeSWITCH's storage through
VOICEMAIL_STORAGE (its view) -> VOICEMAIL_STORAGE_LOCAL (ours), never outside it. Deleting a message
removes the row and, after the commit, tells mod_voicemail (`vm_delete <box>@<domain> <uuid>`)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select

from centrex.freeswitch import commands
from centrex.freeswitch.sync import command_after_commit
from centrex.models import Tenant, User, VoicemailBox, VoicemailMessage
from centrex.platform import audit, outbox, validate
from centrex.platform.db import db
from centrex.platform.errors import N_, Invalid, NotFound
from centrex.platform.tenancy import get_scoped, scoped

log = logging.getLogger("centrex.voicemail")
CONTENT_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg"}


def record_message(*, domain: str, box: str, message_uuid: str, caller_name: str = "",
                   caller_number: str = "", file_path: str = "", length_seconds: int = 0,
                   timestamp: int | None = None) -> VoicemailMessage | None:
    """The row for a message just left in box@domain (once per message); None for an unknown box.
    Flushes; the job commits."""
    tenant = db.session.execute(select(Tenant).where(Tenant.domain == domain.lower())).scalar_one_or_none()
    if tenant is None:
        return None
    already = db.session.execute(scoped(VoicemailMessage, tenant.id)
                                 .where(VoicemailMessage.message_uuid == message_uuid)).scalar_one_or_none()
    if already is not None:
        return already
    owner = {}
    user = db.session.execute(scoped(User, tenant.id).where(User.extension == box)).scalar_one_or_none()
    if user is not None:
        owner["user_id"] = user.id
    else:
        shared = db.session.execute(scoped(VoicemailBox, tenant.id).where(VoicemailBox.number == box)
                                    ).scalar_one_or_none()
        if shared is None:
            log.warning("voicemail message for unknown box %s@%s ignored", box, domain)
            return None
        owner["shared_box_id"] = shared.id
    received = datetime.fromtimestamp(timestamp, timezone.utc) if timestamp else datetime.now(timezone.utc)
    message = VoicemailMessage(tenant_id=tenant.id, box=box, message_uuid=message_uuid,
                               caller_name=caller_name[:120], caller_number=caller_number[:64],
                               length_seconds=max(0, length_seconds), file_path=file_path[:512],
                               received_at=received, **owner)
    db.session.add(message)
    db.session.flush()
    return message


def forget_message(domain: str, box: str, message_uuid: str) -> None:
    """Drop the row of a message mod_voicemail is told to delete by someone else (e-mail-only boxes)."""
    row = db.session.execute(
        select(VoicemailMessage).join(Tenant, Tenant.id == VoicemailMessage.tenant_id)
        .where(Tenant.domain == domain.lower(), VoicemailMessage.box == box,
               VoicemailMessage.message_uuid == message_uuid)).scalar_one_or_none()
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def messages_of_user(user: User) -> list[VoicemailMessage]:
    return list(db.session.execute(
        scoped(VoicemailMessage, user.tenant_id).where(VoicemailMessage.user_id == user.id)
        .order_by(VoicemailMessage.received_at.desc(), VoicemailMessage.id.desc())).scalars())


def messages_of_box(box: VoicemailBox) -> list[VoicemailMessage]:
    return list(db.session.execute(
        scoped(VoicemailMessage, box.tenant_id).where(VoicemailMessage.shared_box_id == box.id)
        .order_by(VoicemailMessage.received_at.desc(), VoicemailMessage.id.desc())).scalars())


def message_of_user(user: User, message_id: int) -> VoicemailMessage:
    """One message of the user's own box, or NotFound (a colleague's or another company's)."""
    message = get_scoped(VoicemailMessage, user.tenant_id, message_id)
    if message.user_id != user.id:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="VoicemailMessage", id=message_id)
    return message


def message_of_box(tenant: Tenant, box: VoicemailBox, message_id: int) -> VoicemailMessage:
    """One message of this shared box of this company, or NotFound."""
    message = get_scoped(VoicemailMessage, tenant.id, message_id)
    if box.tenant_id != tenant.id or message.shared_box_id != box.id:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="VoicemailMessage", id=message_id)
    return message


def delete_message(tenant: Tenant, message: VoicemailMessage) -> None:
    """Remove the message now and from mod_voicemail once the deletion is committed."""
    if message.tenant_id != tenant.id:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="VoicemailMessage", id=message.id)
    audit.record("delete", message, tenant_id=tenant.id,
                 changes={"box": message.box, "caller": message.caller_number,
                          "received_at": message.received_at.isoformat()})
    command = commands.voicemail_delete(message.box, tenant.domain, message.message_uuid)
    db.session.delete(message)
    db.session.flush()
    command_after_commit(command)


def _switch_root() -> PurePosixPath:
    return PurePosixPath(current_app.config["VOICEMAIL_STORAGE"])


def _local_root() -> Path:
    return Path(current_app.config.get("VOICEMAIL_STORAGE_LOCAL") or current_app.config["VOICEMAIL_STORAGE"])


def recording_of(message: VoicemailMessage, tenant: Tenant) -> tuple[Path, str] | None:
    """(our path, content type) of the message's recording, or None when FreeSWITCH's path is not a
    file of this box inside the storage root (`<root>/<profile>/<domain>/<box>/<file>`) or is missing."""
    try:
        relative = PurePosixPath(message.file_path).relative_to(_switch_root())
    except ValueError:
        return None
    parts = relative.parts
    if (len(parts) < 3 or ".." in parts or parts[-3] != tenant.domain or parts[-2] != message.box
            or relative.suffix.lower() not in CONTENT_TYPES):
        return None
    root = _local_root().resolve()
    local = (root / Path(*parts)).resolve()
    if not local.is_relative_to(root) or not local.is_file():
        return None
    return local, CONTENT_TYPES[relative.suffix.lower()]


def switch_path(tenant: Tenant, box: str, filename: str, profile: str = "default") -> str:
    """Where mod_voicemail keeps a file of box@domain (the demo writes its sample messages there)."""
    return str(_switch_root() / profile / tenant.domain / box / filename)


def local_path_for(switch_file: str) -> Path:
    """Our path for a file under FreeSWITCH's storage root (the demo writes through it)."""
    return _local_root() / PurePosixPath(switch_file).relative_to(_switch_root())


def mark_read(tenant: Tenant, message: VoicemailMessage, read: bool = True) -> None:
    """Listened to (or back to new): here now and in mod_voicemail once committed (`vm_read`), so the
    phone's message lamp and the box's spoken count agree with the console."""
    if message.tenant_id != tenant.id:
        raise NotFound(N_("%(kind)s %(id)s not found"), kind="VoicemailMessage", id=message.id)
    if (message.read_at is not None) == read:
        return
    message.read_at = datetime.now(timezone.utc) if read else None
    db.session.flush()
    command_after_commit(commands.voicemail_read(message.box, tenant.domain, message.message_uuid, read))


FORWARD_PURPOSE = "voicemail_forward"
MAX_FORWARD_BYTES = 20 * 1024 * 1024


def forward_message(tenant: Tenant, message: VoicemailMessage, to: str, *, sender: str, language: str = "fr"):
    """E-mail the message (recording attached) to `to` through the outbox; audited. The address
    must look like one (Invalid otherwise)."""
    to = (to or "").strip()
    try:
        validate.Email()(to)
    except ValidationError as exc:
        raise Invalid(N_("Not a valid email address."), fields={"email": [N_("Not a valid email address.")]}
                      ) from exc
    found = recording_of(message, tenant)
    if found is None or found[0].stat().st_size > MAX_FORWARD_BYTES:
        raise NotFound(N_("The recording is not available."))
    path, content_type = found
    caller = message.caller_name or message.caller_number or "?"
    when = message.received_at.astimezone(ZoneInfo(tenant.timezone or "Europe/Zurich")).strftime("%d.%m.%Y %H:%M")
    if language == "fr":
        subject = f"Message vocal de {caller} ({when}), transféré par {sender}"
        body = (f"{sender} vous transfère un message vocal laissé le {when} par {caller} "
                f"({message.length_seconds} s). L’enregistrement est joint.\n")
    else:
        subject = f"Voicemail from {caller} ({when}), forwarded by {sender}"
        body = (f"{sender} forwards you a voicemail left on {when} by {caller} ({message.length_seconds} s). "
                "The recording is attached.\n")
    queued = outbox.enqueue(tenant.id, to, subject, body, [outbox.Attachment(
        filename=f"message-{message.box}-{message.id}{path.suffix}", data=path.read_bytes(),
        content_type=content_type)], purpose=FORWARD_PURPOSE, ref=f"{tenant.domain}/{message.box}/{message.id}")
    audit.record("forward", message, tenant_id=tenant.id, changes={"box": message.box, "email": to})
    return queued
