"""The `api` commands the product sends FreeSWITCH, and the parsing of its replies to them. Services build
commands here (never by hand), so each one is written once; centrex.freeswitch.switch sends them."""
from __future__ import annotations

import re
from dataclasses import dataclass

# --- mod_callcenter: it keeps queues, agents and tiers in its own tables, changed live -------------------

CALLCENTER_TABLES = ("queue", "agent", "tier")


def callcenter_list(table: str) -> str:
    """`callcenter_config queue|agent|tier list`: the table as mod_callcenter holds it now."""
    if table not in CALLCENTER_TABLES:
        raise ValueError(f"no callcenter table {table!r}")
    return f"callcenter_config {table} list"


def queue_load(queue: str) -> str:
    return f"callcenter_config queue load {queue}"


def queue_reload(queue: str) -> str:
    """mod_callcenter read the queue's settings once: read them again (fetches callcenter.conf)."""
    return f"callcenter_config queue reload {queue}"


def queue_unload(queue: str) -> str:
    return f"callcenter_config queue unload {queue}"


def agent_add(agent: str, contact: str) -> list[str]:
    """A new agent, ready to take calls: a callback agent (mod_callcenter rings `contact`), Available."""
    return [f"callcenter_config agent add {agent} callback",
            f"callcenter_config agent set contact {agent} {contact}",
            f"callcenter_config agent set status {agent} Available"]


def agent_del(agent: str) -> str:
    return f"callcenter_config agent del {agent}"


def tier_add(queue: str, agent: str, position: int) -> str:
    """The agent answers the queue's calls at `position` (level 1: every agent of the queue alike)."""
    return f"callcenter_config tier add {queue} {agent} 1 {position}"


def tier_set_position(queue: str, agent: str, position: int) -> str:
    return f"callcenter_config tier set position {queue} {agent} {position}"


def tier_del(queue: str, agent: str) -> str:
    return f"callcenter_config tier del {queue} {agent}"


def agent_contact(extension: str, domain: str, ring_seconds: int) -> str:
    """The dial string mod_callcenter rings an agent on: the user's phones, for `ring_seconds`."""
    return f"[leg_timeout={ring_seconds}]user/{extension}@{domain}"


def parse_callcenter_table(body: str) -> list[dict[str, str]]:
    """A `callcenter_config … list` reply: a `|` header line, rows, and a final `+OK` line."""
    lines = [line for line in body.splitlines() if line.strip()]
    if not lines or "|" not in lines[0]:
        return []
    header = lines[0].split("|")
    return [dict(zip(header, line.split("|"))) for line in lines[1:] if line != "+OK" and "|" in line]


# --- mod_local_stream: hold-music classes, read from local_stream.conf -------------------------------

def hold_music_start(stream: str) -> str:
    return f"start_local_stream {stream}"


def hold_music_reload(stream: str) -> str:
    """The class's settings (shuffle) changed: the stream re-reads local_stream.conf."""
    return f"reload_local_stream {stream}"


def hold_music_stop(stream: str) -> str:
    return f"stop_local_stream {stream}"


# --- mod_voicemail ---------------------------------------------------------------------------------

def voicemail_delete(box: str, domain: str, message_uuid: str) -> str:
    return f"vm_delete {box}@{domain} {message_uuid}"


def voicemail_read(box: str, domain: str, message_uuid: str, read: bool) -> str:
    """Mark a message read or new in mod_voicemail too (its count drives the phones' MWI lamp)."""
    return f"vm_read {box}@{domain} {'read' if read else 'unread'} {message_uuid}"


# --- phones (mod_sofia) ----------------------------------------------------------------------------

def check_sync(profile: str, extension: str, domain: str) -> str:
    """FreeSWITCH sends NOTIFY check-sync to the phones registered as that user: they re-fetch their
    configuration (most reboot)."""
    return f"sofia profile {profile} check_sync {extension}@{domain}"



# --- instant messaging (mod_sms / sofia's chat interface) ------------------------------------------------

CHAT_SEPARATOR = "|"


def chat_text(body: str) -> str:
    """A message as one `chat` argument: the API command is one line split on "|" (a newline would end it,
    a "|" would cut the text), so line breaks become spaces and "|" a broken bar."""
    return " ".join(body.replace(CHAT_SEPARATOR, "\u00a6").split())


def chat(sender: str, recipient: str, body: str, profile: str = "internal") -> str:
    """`chat sip|<from>|<profile>/<to>|<text>|text/plain`: sofia sends a SIP MESSAGE to every phone
    registered as `recipient` (user@domain) on the profile, from `sender` (user@domain). Without the
    profile, sofia looks for a profile named like the domain ("Invalid Profile dupont.example")."""
    for address in (sender, recipient):
        if CHAT_SEPARATOR in address or "/" in address or any(c.isspace() for c in address):
            raise ValueError(f"not a chat address: {address!r}")
    return f"chat sip|{sender}|{profile}/{recipient}|{chat_text(body)}|text/plain"

# --- originate legs and destinations ---------------------------------------------------------------

def user_leg(extension: str, domain: str) -> str:
    """The phones registered as a user of the tenant."""
    return f"user/{extension}@{domain}"


def dialplan_leg(number: str, domain: str) -> str:
    """A leg that dials `number` through the tenant's dialplan (as one of its phones would)."""
    return f"loopback/{number}/{domain}"


def gateway_leg(gateway: str, number: str) -> str:
    """An outside number through the carrier's gateway."""
    return f"sofia/gateway/{gateway}/{number}"


def dialplan_destination(number: str, domain: str) -> str:
    """Where an originated leg goes once answered: `number` in the tenant's dialplan."""
    return f"{number} XML {domain}"


def conference_destination(room_with_profile: str, access_code: str) -> str:
    """Put the answered leg in the room, the access code given (no prompt)."""
    return f"&conference({room_with_profile}+{access_code})"


def send_fax_destination(tiff_path: str) -> str:
    return f"&txfax({tiff_path})"


def origination_variables(*, uuid: str | None = None, caller_id_number: str | None = None,
                          caller_id_name: str | None = None) -> dict[str, str]:
    """The originated leg's UUID and the caller ID its phone shows (only the ones given)."""
    given = {"origination_uuid": uuid, "origination_caller_id_number": caller_id_number,
             "origination_caller_id_name": caller_id_name}
    return {name: value for name, value in given.items() if value is not None}


def as_user_variables(extension: str, domain: str) -> dict[str, str]:
    """Channel variables that make an originated call reach the dialplan as one of the user's phones'
    authenticated calls (what xmlcurl/dialplan.py reads to know the caller)."""
    return {"sip_authorized": "true", "user_name": extension, "domain_name": domain}


# --- mod_conference --------------------------------------------------------------------------------

CONFERENCE_MEMBER_ACTIONS = ("mute", "unmute", "kick", "deaf", "undeaf")


def conference_list(room: str) -> str:
    return f"conference {room} list"


def conference_member(room: str, action: str, member_id: int) -> str:
    """mute / unmute / kick / deaf / undeaf one member (anything else is refused: ValueError)."""
    if action not in CONFERENCE_MEMBER_ACTIONS:
        raise ValueError(f"unknown conference action {action!r}")
    return f"conference {room} {action} {int(member_id)}"


@dataclass(frozen=True, slots=True)
class ConferenceMember:
    member_id: int
    uuid: str
    caller_name: str
    caller_number: str
    can_speak: bool
    can_hear: bool
    talking: bool
    is_moderator: bool


def parse_conference_list(body: str) -> list[ConferenceMember]:
    """`id;channel;uuid;caller name;caller number;flags;volume in;volume out;energy` per line (a
    `+OK Conference …` header line, when there is one, is skipped)."""
    members = []
    for line in body.splitlines():
        parts = line.split(";")
        if len(parts) < 6 or not parts[0].isdigit():
            continue
        flags = set(parts[5].split("|"))
        members.append(ConferenceMember(
            member_id=int(parts[0]), uuid=parts[2], caller_name=parts[3], caller_number=parts[4],
            can_speak="speak" in flags, can_hear="hear" in flags, talking="talking" in flags,
            is_moderator="moderator" in flags))
    return members


# --- the node itself ------------------------------------------------------------------------------------

STATUS = "status"
_UPTIME = re.compile(r"^UP (\d+) years?, (\d+) days?, (\d+) hours?, (\d+) minutes?, (\d+) seconds?")
_NOW = re.compile(r"^(\d+) session\(s\) - peak (\d+)")
_PER_SECOND = re.compile(r"per Sec out of max (\d+)")
_MAX = re.compile(r"^(\d+) session\(s\) max")


@dataclass(frozen=True)
class SwitchStatus:
    """What a node's `status` says: how long it has run, whether it takes calls, its sessions now and caps."""
    uptime_seconds: int
    ready: bool
    sessions: int
    peak: int
    max_sessions: int | None
    max_per_second: int | None


def parse_status(body: str) -> SwitchStatus:
    """`status`'s text (FreeSWITCH 1.10: "UP 0 years, 0 days, …", "… is ready", "0 session(s) - peak 2, …")."""
    uptime = sessions = peak = 0
    ready, max_sessions, per_second = False, None, None
    for line in body.splitlines():
        line = line.strip()
        if found := _UPTIME.match(line):
            years, days, hours, minutes, seconds = (int(part) for part in found.groups())
            uptime = (((years * 365 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
        elif line.endswith("is ready"):
            ready = True
        elif found := _NOW.match(line):
            sessions, peak = int(found[1]), int(found[2])
        elif found := _PER_SECOND.search(line):
            per_second = int(found[1])
        elif found := _MAX.match(line):
            max_sessions = int(found[1])
    return SwitchStatus(uptime, ready, sessions, peak, max_sessions, per_second)
