"""FreeSWITCH events that tenants' webhooks hear about: a phone of theirs ringing (with the caller's
number), answered, a voicemail left, a fax received, and a call ended (once its record is imported:
centrex.webhooks.calls, whose worker task also catches records that came another way).
Each handler is a job boundary: it queues the deliveries and commits. Nothing is stored for a tenant
without a subscription to that event."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from centrex.freeswitch.cdr_legs import LegFormatError
from centrex.models import ApiCall, Fax, User
from centrex.platform.db import db
from centrex.platform.tenancy import tenant_by_domain
from centrex.platform.unit_of_work import unit_of_work
from centrex.webhooks import calls as webhook_calls, subscriptions as webhooks
from esl_handlers import (
    cdr_events,  # imported first, so its import runs before ours: the records exist
    fax as fax_events,  # its rxfaxresult handler runs first: the fax row exists
)
from esl_handlers.dispatch import Event, on, on_batch


def _time(event: Event, header: str = "Event-Date-Timestamp") -> str | None:
    value = event.get(header) or ""
    if not value.isdigit() or int(value) == 0:
        return None
    return datetime.fromtimestamp(int(value) / 1e6, timezone.utc).isoformat().replace("+00:00", "Z")


def _phone_leg(event: Event) -> tuple[int, str, User | None] | None:
    """(tenant id, extension, user) when this channel rings one of a tenant's phones: a leg FreeSWITCH
    places towards a user (outbound), whose presence names user@tenant-domain."""
    if event.get("Call-Direction") != "outbound":
        return None
    presence = event.get("Channel-Presence-ID") or event.get("variable_presence_id") or ""
    extension, _, domain = presence.partition("@")
    if not extension or not domain:
        extension, domain = event.get("variable_dialed_user") or "", event.get("variable_dialed_domain") or ""
    tenant = tenant_by_domain(domain) if extension and domain else None
    if tenant is None:
        return None
    user = db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one_or_none()
    return tenant.id, extension, user


def _call_data(event: Event, tenant_id: int, extension: str, user: User | None) -> dict:
    call_id = event.get("Channel-Call-UUID") or event.get("Unique-ID")
    click = db.session.execute(
        select(ApiCall.id).where(ApiCall.tenant_id == tenant_id, ApiCall.id == call_id)
    ).scalar_one_or_none()
    return {
        "call_id": call_id,
        "leg_id": event.get("Unique-ID"),
        "extension": extension,
        "user_id": user.id if user else None,
        "user_name": user.name if user else None,
        "caller_number": event.get("Caller-Caller-ID-Number"),
        "caller_name": event.get("Caller-Caller-ID-Name"),
        "click_to_call_id": click,
    }


def _emit(tenant_id: int, kind: str, ref: str, data: dict) -> None:
    with unit_of_work():
        webhooks.emit(tenant_id, kind, ref, data)


def _emit_phone_leg(event: Event, kind: str, moment: dict) -> None:
    """A call event about a leg to one of our phones (nothing for any other leg), stamped with `moment`."""
    leg = _phone_leg(event)
    if leg is None:
        return
    tenant_id, extension, user = leg
    _emit(tenant_id, kind, event.get("Unique-ID"), {**_call_data(event, tenant_id, extension, user), **moment})


@on("CHANNEL_CREATE")
def phone_ringing(event: Event) -> None:
    _emit_phone_leg(event, "call.ringing", {"ringing_at": _time(event)})


@on("CHANNEL_ANSWER")
def phone_answered(event: Event) -> None:
    _emit_phone_leg(event, "call.answered",
                    {"answered_at": _time(event, "Caller-Channel-Answered-Time") or _time(event)})


@on("CUSTOM::vm::maintenance")
def voicemail_left(event: Event) -> None:
    if event.get("VM-Action") != "leave-message":
        return
    tenant = tenant_by_domain(event.get("VM-Domain") or "")
    if tenant is None:
        return
    extension = event.get("VM-User") or ""
    user = db.session.execute(
        select(User).where(User.tenant_id == tenant.id, User.extension == extension)
    ).scalar_one_or_none()
    message = (event.get("VM-File-Path") or "").rsplit("/", 1)[-1].removesuffix(".wav") or event.get(
        "VM-UUID"
    )
    length = event.get("VM-Message-Len") or ""
    _emit(
        tenant.id,
        "voicemail.left",
        f"{tenant.id}:{extension}:{message}",
        {
            "box": extension,
            "user_id": user.id if user else None,
            "message_id": message,
            "call_id": event.get("VM-UUID"),
            "caller_number": event.get("VM-Caller-ID-Number"),
            "caller_name": event.get("VM-Caller-ID-Name"),
            "seconds": int(length) if length.isdigit() else None,
            "folder": event.get("VM-Folder"),
            "left_at": _time(event),
        },
    )


@on("CUSTOM::spandsp::rxfaxresult")
def fax_received(event: Event) -> None:
    reception = fax_events.reception_from_event(event)
    if reception is None or reception.tenant_id is None:
        return
    fax = db.session.execute(
        select(Fax).where(Fax.tenant_id == reception.tenant_id, Fax.call_uuid == reception.call_uuid)
    ).scalar_one_or_none()
    _emit(
        reception.tenant_id,
        "fax.received",
        reception.call_uuid,
        {
            "fax_id": fax.id if fax else None,
            "box_id": reception.box_id,
            "call_id": reception.call_uuid,
            "caller_number": reception.caller_number,
            "success": reception.success,
            "pages": reception.pages,
            "result": reception.result_text,
            "remote_station_id": reception.remote_station_id,
            "received_at": reception.at.isoformat().replace("+00:00", "Z"),
        },
    )


@on_batch("CHANNEL_HANGUP_COMPLETE", prepare=cdr_events.journal_entry)
def calls_ended(events: list[Event]) -> None:
    """After the CDR import of the same batch (registered before this): announce the imported calls."""
    call_uuids = set()
    for event in events:
        try:
            call_uuids.add(
                (event.prepared.get(cdr_events.journal_entry) or cdr_events.journal_entry(event)).call_uuid
            )
        except LegFormatError:
            continue
    with unit_of_work():
        webhook_calls.announce_calls(call_uuids)
