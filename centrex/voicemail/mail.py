"""The e-mail about a new voicemail message: queued in the shared outbox (retries, a notice to the admins
after the last try), with the recording attached when the box asks for it. "E-mail only" boxes have the
message removed from mod_voicemail once it travels with the e-mail (after the commit, over ESL)."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from centrex.freeswitch import commands
from centrex.freeswitch.sync import command_after_commit
from centrex.models import OutboxMessage, Tenant
from centrex.platform import outbox
from centrex.platform.db import db
from centrex.voicemail.boxes import notify_target
from centrex.voicemail.messages import forget_message

log = logging.getLogger("centrex.voicemail")
PURPOSE = "voicemail"
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class NewMessage:
    """What mod_voicemail's vm::maintenance leave-message event says about a deposited message."""
    domain: str
    box: str
    caller_name: str
    caller_number: str
    file_path: str
    length_seconds: int
    message_uuid: str
    timestamp: int | None = None


def notify_new_message(message: NewMessage) -> OutboxMessage | None:
    """Queue the e-mail (once per message), or None when the box wants none. Flushes; the job commits."""
    target = notify_target(message.domain, message.box)
    if target is None:
        return None
    ref = f"{message.domain}/{message.box}/{message.message_uuid}"
    already = db.session.execute(select(OutboxMessage).where(OutboxMessage.purpose == PURPOSE,
                                                             OutboxMessage.ref == ref)).scalar_one_or_none()
    if already is not None:  # the same event delivered twice (reconnect, replay): one e-mail
        return already
    tenant = db.session.get(Tenant, target.tenant_id)
    attachments, attached = [], False
    if target.attach:
        data = _recording(message.file_path)
        if data is not None:
            attachments.append(outbox.Attachment(filename=_filename(message, tenant), data=data,
                                                 content_type="audio/wav"))
            attached = True
    subject = (f"Nouveau message vocal de {_caller(message)} / New voicemail from {_caller(message)}")
    queued = outbox.enqueue(tenant.id, target.email_to, subject, _body(message, tenant, target.box_name,
                                                                        target.attach, attached),
                            attachments, purpose=PURPOSE, ref=ref)
    if attached and target.delete_after:
        command_after_commit(commands.voicemail_delete(message.box, message.domain, message.message_uuid))
        forget_message(message.domain, message.box, message.message_uuid)
    return queued


def _recording(path: str) -> bytes | None:
    """The message's wav, when this host sees FreeSWITCH's voicemail storage; None otherwise."""
    try:
        if os.path.getsize(path) > MAX_ATTACHMENT_BYTES:
            log.warning("voicemail %s too large to attach", path)
            return None
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        log.warning("voicemail recording %s not readable here: %s", path, exc)
        return None


def _caller(message: NewMessage) -> str:
    name, number = message.caller_name.strip(), message.caller_number.strip()
    if name and number and name != number:
        return f"{name} ({number})"
    return number or name or "numéro masqué / hidden number"


def _when(message: NewMessage, tenant: Tenant) -> str:
    moment = datetime.fromtimestamp(message.timestamp, timezone.utc) if message.timestamp else \
        datetime.now(timezone.utc)
    return moment.astimezone(ZoneInfo(tenant.timezone)).strftime("%d.%m.%Y %H:%M")


def _filename(message: NewMessage, tenant: Tenant) -> str:
    stamp = _when(message, tenant).replace(".", "-").replace(" ", "_").replace(":", "h")
    return f"message-{message.box}-{stamp}.wav"


def _body(message: NewMessage, tenant: Tenant, box_name: str, wanted: bool, attached: bool) -> str:
    minutes, seconds = divmod(max(0, message.length_seconds), 60)
    length = f"{minutes}:{seconds:02d}"
    caller, when = _caller(message), _when(message, tenant)
    french = [f"Nouveau message dans la boîte vocale « {box_name} » ({message.box}).",
              f"De : {caller}", f"Reçu le : {when}", f"Durée : {length}"]
    english = [f"New message in the voicemail box \"{box_name}\" ({message.box}).",
               f"From: {caller}", f"Received: {when}", f"Length: {length}"]
    if attached:
        french.append("L'enregistrement est joint à ce message.")
        english.append("The recording is attached.")
    elif wanted:
        french.append("L’enregistrement n’a pas pu être joint : écoutez-le depuis votre téléphone.")
        english.append("The recording could not be attached: listen to it from your phone.")
    else:
        french.append("Écoutez-le depuis votre téléphone.")
        english.append("Listen to it from your phone.")
    return "\n".join(french) + "\n\n---\n\n" + "\n".join(english) + "\n"
