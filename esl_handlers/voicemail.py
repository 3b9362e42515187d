"""mod_voicemail's vm::maintenance events: on `leave-message`, queue the new-message e-mail. MWI needs
nothing from us: mod_voicemail lights the phones itself (MESSAGE_WAITING after `mwi-update`)."""
from __future__ import annotations

from centrex.services.voicemail_mail import NewMessage, notify_new_message
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
    notify_new_message(NewMessage(
        domain=domain.lower(), box=box, caller_name=event.get("VM-Caller-ID-Name") or "",
        caller_number=event.get("VM-Caller-ID-Number") or "", file_path=event.get("VM-File-Path") or "",
        length_seconds=_int(event.get("VM-Message-Len")), message_uuid=uuid,
        timestamp=_int(event.get("VM-Timestamp")) or None))
