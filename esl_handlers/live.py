"""Live state from FreeSWITCH: channel and registration events, and the snapshot taken after each
(re)connect (`show channels as json`, `sofia status profile <profile> reg`) that replaces what we knew."""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone

from centrex.calls import live
from centrex.calls.live import ChannelState, RegistrationState
from centrex.platform.unit_of_work import unit_of_work
from esl_handlers.dispatch import Event, on_batch

log = logging.getLogger("centrex.esl.live")

CHANNEL_EVENTS = ("CHANNEL_CREATE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA", "CHANNEL_ANSWER",
                  "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_HOLD", "CHANNEL_UNHOLD")
GONE = "CHANNEL_HANGUP"
REGISTER, UNREGISTER, EXPIRE = "CUSTOM::sofia::register", "CUSTOM::sofia::unregister", "CUSTOM::sofia::expire"


def _time(microseconds: str | None) -> datetime | None:
    if not microseconds or not microseconds.isdigit() or int(microseconds) == 0:
        return None
    return datetime.fromtimestamp(int(microseconds) / 1e6, tz=timezone.utc)


def _state(answer_state: str | None, call_state: str | None) -> str:
    if (answer_state or "").lower() == "answered":
        return "held" if (call_state or "").upper() == "HELD" else "active"
    return "early" if (answer_state or "").lower() == "early" else "ringing"


def channel_from_event(event: Event) -> ChannelState:
    get = event.headers.get
    state = _state(get("Answer-State"), get("Channel-Call-State"))
    if event.key == "CHANNEL_HOLD":
        state = "held"
    elif event.key == "CHANNEL_UNHOLD":
        state = "active"
    return ChannelState(
        uuid=get("Unique-ID"), call_uuid=get("Channel-Call-UUID"), direction=get("Call-Direction"),
        presence=get("Channel-Presence-ID") or get("variable_presence_id"),
        domains=[d for d in (get("variable_domain_name"), get("variable_dialed_domain"),
                             get("Caller-Context")) if d],
        caller_number=get("Caller-Caller-ID-Number"), destination=get("Caller-Destination-Number"),
        state=state, other_uuid=get("Other-Leg-Unique-ID"),
        created_at=_time(get("Caller-Channel-Created-Time")),
        answered_at=_time(get("Caller-Channel-Answered-Time")),
        new=event.key == "CHANNEL_CREATE")


def registration_from_event(event: Event) -> RegistrationState:
    get = event.headers.get
    expires = get("expires") or ""
    port = get("network-port") or ""
    expires_at = datetime.now(timezone.utc) + timedelta(seconds=int(expires)) if expires.isdigit() else None
    return RegistrationState(
        extension=get("from-user") or get("username") or "",
        domain=get("domain_name") or get("from-host") or get("realm") or "",
        call_id=get("call-id") or "", contact=get("contact"), user_agent=get("user-agent"),
        network_ip=get("network-ip"), network_port=int(port) if port.isdigit() else None,
        expires_at=expires_at)


@on_batch(*CHANNEL_EVENTS, GONE, REGISTER, UNREGISTER, EXPIRE)
def apply_events(events: list[Event]) -> None:
    """In arrival order (runs of channel updates or hangups applied together); one commit for the batch."""
    with unit_of_work():
        _apply_in_order(events)


def _apply_in_order(events: list[Event]) -> None:
    by_node: dict[str, list[ChannelState]] = {}
    gone: list[str] = []

    def flush_channels():
        for node, states in by_node.items():
            live.upsert_channels(node, states)
        by_node.clear()
        live.remove_channels(gone)
        gone.clear()

    for event in events:
        if event.key in CHANNEL_EVENTS:
            if gone:
                flush_channels()
            by_node.setdefault(event.node, []).append(channel_from_event(event))
            continue
        if event.key == GONE:
            if by_node:
                flush_channels()
            gone.append(event.get("Unique-ID"))
            continue
        flush_channels()
        if event.key == REGISTER:
            live.upsert_registrations(event.node, [registration_from_event(event)])
        else:  # unregister / expire
            get = event.headers.get
            live.remove_registration(get("from-user") or get("user") or get("username") or "",
                                     get("from-host") or get("host") or get("realm") or "", get("call-id"))
    flush_channels()


# -- snapshots ----------------------------------------------------------------------------------------
def channels_from_json(body: str) -> list[ChannelState]:
    """Rows of `show channels as json` (an empty switch answers {"row_count": 0})."""
    data = json.loads(body)
    out = []
    for row in data.get("rows") or []:
        created = row.get("created_epoch") or ""
        callstate = (row.get("callstate") or "").upper()
        state = {"ACTIVE": "active", "HELD": "held", "EARLY": "early"}.get(callstate, "ringing")
        out.append(ChannelState(
            uuid=row["uuid"], call_uuid=row.get("call_uuid") or None, direction=row.get("direction") or None,
            presence=row.get("presence_id") or None,
            domains=[d for d in (row.get("context"), row.get("initial_context"), row.get("accountcode"))
                     if d],
            caller_number=row.get("cid_num") or None, destination=row.get("dest") or None, state=state,
            created_at=datetime.fromtimestamp(int(created), tz=timezone.utc) if created.isdigit() else None))
    return out


_FIELD = re.compile(r"^([A-Za-z-]+):\s*\t?(.*)$")
_EXPSECS = re.compile(r"EXPSECS\((\d+)\)")


def registrations_from_status(body: str, *, now: datetime | None = None) -> list[RegistrationState]:
    """Entries of `sofia status profile <profile> reg` (blocks of `Name:\\tvalue` lines)."""
    now = now or datetime.now(timezone.utc)
    out, block = [], {}
    for line in body.splitlines() + [""]:
        match = _FIELD.match(line.strip("\r"))
        if match:
            block[match.group(1)] = match.group(2).strip()
            continue
        if "Call-ID" in block and "@" in block.get("User", ""):
            extension, _, domain = block["User"].partition("@")
            seconds = _EXPSECS.search(block.get("Status", ""))
            port = block.get("Port", "")
            out.append(RegistrationState(
                extension=extension, domain=domain, call_id=block["Call-ID"], contact=block.get("Contact"),
                user_agent=block.get("Agent"), network_ip=block.get("IP"),
                network_port=int(port) if port.isdigit() else None,
                expires_at=now + timedelta(seconds=int(seconds.group(1))) if seconds else None))
        block = {}
    return out


def take_snapshot(api, profiles: list[str]) -> tuple[list[RegistrationState], list[ChannelState]]:
    """Ask a node for its registrations and channels (api: a function sending one `api` command)."""
    registrations = []
    for profile in profiles:
        registrations += registrations_from_status(api(f"sofia status profile {profile} reg"))
    return registrations, channels_from_json(api("show channels as json"))


def apply_snapshot(node: str, snapshot: tuple[list[RegistrationState], list[ChannelState]]) -> None:
    registrations, channels = snapshot
    with unit_of_work():
        live.resync(node, registrations, channels)
    log.info("FreeSWITCH %s: live state resynchronised (%d registrations, %d channels)",
             node, len(registrations), len(channels))
