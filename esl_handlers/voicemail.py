"""mod_voicemail's vm::maintenance events: on `leave-message`, keep a row for the console's message list
and queue the new-message e-mail. MWI needs nothing from us: mod_voicemail lights the phones itself
(MESSAGE_WAITING after `mwi-update`)."""
from __future__ import annotations

from centrex.voicemail.mail import NewMessage, notify_new_message
from centrex.voicemail.messages import record_message
from esl_handlers.dispatch import Event, on


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


@on("CUSTOM::vm::maintenance")
def voicemail_maintenance(event: Event) -> None:
    if event.get("VM-Action") != "leave-message":
        return
    domain, box, uuid = event.get("VM-Domain"), event.get("VM-User"), event.get("VM-UUID")
    if not domain or not box or not uuid:
        return
    message = NewMessage(
        domain=domain.lower(), box=box, caller_name=event.get("VM-Caller-ID-Name") or "",
        caller_number=event.get("VM-Caller-ID-Number") or "", file_path=event.get("VM-File-Path") or "",
        length_seconds=_int(event.get("VM-Message-Len")), message_uuid=uuid,
        timestamp=_int(event.get("VM-Timestamp")) or None)
    record_message(domain=message.domain, box=box, message_uuid=uuid, caller_name=message.caller_name,
                   caller_number=message.caller_number, file_path=message.file_path,
                   length_seconds=message.length_seconds, timestamp=message.timestamp)
    notify_new_message(message)  # an "e-mail only" box drops the row again (the message leaves the box)
