"""The names our tenant objects carry inside FreeSWITCH, built and parsed here. One place, so the dialplan
that sends a call to a menu, queue or room, the configuration FreeSWITCH fetches for it and the ESL command
that controls it always agree, and so two tenants' objects can never share a name (every name carries the
tenant's domain)."""
from __future__ import annotations

import re

# The dialplan extension a failed bridge transfers to, so the routing engine runs again from its fallback.
CONTINUE_EXTENSION = "centrex-continue"
# The extension a desk phone's *1 runs on the other party's leg: the call moves to the user's mobile.
MOVE_EXTENSION = "centrex-move"
# The extension an access number's call goes on to once the PIN and the number are typed.
ACCESS_EXTENSION = "centrex-access"
# The key after * that moves a call from the desk phone to the mobile (bind_meta_app: one digit).
MOVE_KEY = "1"

_DOMAIN = r"[a-z0-9.-]{3,253}"
_MENU_NAME = re.compile(rf"^(?P<domain>{_DOMAIN})_ivr(?P<id>[0-9]{{1,12}})$")
_QUEUE_NAME = re.compile(rf"^q(?P<id>[0-9]{{1,12}})@(?P<domain>{_DOMAIN})$")
_PROFILE_NAME = re.compile(rf"^(?P<domain>{_DOMAIN})_conf$")


def ivr_menu(domain: str, menu_id: int) -> str:
    """mod_ivr menu name, as passed to the `ivr` application and asked for as Menu-Name in ivr.conf."""
    return f"{domain}_ivr{menu_id}"


def parse_ivr_menu(name: str) -> tuple[str, int] | None:
    """(domain, menu id) of a name ivr_menu() made; None for any other name."""
    match = _MENU_NAME.match(name or "")
    return (match["domain"], int(match["id"])) if match else None


def queue(domain: str, queue_id: int) -> str:
    """mod_callcenter queue name (`callcenter <name>`, callcenter.conf <queue name=…>)."""
    return f"q{queue_id}@{domain}"


def parse_queue(name: str) -> tuple[str, int] | None:
    """(domain, queue id) of a name queue() made; None for any other name."""
    match = _QUEUE_NAME.match(name or "")
    return (match["domain"], int(match["id"])) if match else None


def agent(domain: str, extension: str) -> str:
    """mod_callcenter agent name for a user."""
    return f"{extension}@{domain}"


def domain_of(queue_or_agent: str) -> str:
    """The domain a mod_callcenter queue or agent name carries (after its last `@`)."""
    return queue_or_agent.rpartition("@")[2]


def conference_room(domain: str, room_number: str) -> str:
    """mod_conference conference name (`conference <name>@<profile>`; `conference <name> list`)."""
    return f"{room_number}-{domain}"


def parse_conference_room(name: str) -> tuple[str, str] | None:
    """(room number, domain) of a name conference_room() made; None without the separator."""
    number, sep, domain = (name or "").partition("-")
    return (number, domain) if sep else None


def conference_profile(domain: str) -> str:
    """mod_conference profile served from conference.conf for this tenant."""
    return f"{domain}_conf"


def parse_conference_profile(name: str) -> str | None:
    """The domain of a profile name conference_profile() made; None for FreeSWITCH's own profiles."""
    match = _PROFILE_NAME.match(name or "")
    return match["domain"] if match else None


def conference_with_profile(domain: str, room_number: str) -> str:
    """`<room>@<profile>`: what the `conference` application and `&conference(…)` are given."""
    return f"{conference_room(domain, room_number)}@{conference_profile(domain)}"


def limit_realm(scope: str) -> str:
    """mod_limit realm of a cap ("tenant" or "user"): `limit hash <realm> <resource> <max>`."""
    return f"centrex_{scope}"


def limit_resource(scope: str, owner: str, domain: str) -> str:
    """mod_limit resource of a cap: the tenant's domain, or "1001.dupont.example" for a user — not
    "1001@…": mod_limit names a channel variable after it, and mod_xml_cdr writes that name as an XML
    element, where "@" is not allowed (the post got 400)."""
    return owner if scope == "tenant" else f"{owner}.{domain}"


# The recorded prompts FreeSWITCH plays per console language (the packs freeswitch/lang/*/ point at; Italian
# has no FreeSWITCH pack and speaks English).
SOUND_PACKS = {"fr": "fr/ca/june", "de": "de/de/daedalus3", "en": "en/us/callie", "it": "en/us/callie"}


def parking_lot(domain: str) -> str:
    """The company's valet_park lot (its slots are the park keys' *61…*69)."""
    return f"{domain}-park"


def sound_prefix(language: str | None) -> str | None:
    """The channel's `sound_prefix` for a language (FreeSWITCH's global ${sounds_dir} expands at run time)."""
    pack = SOUND_PACKS.get(language or "")
    return f"${{sounds_dir}}/{pack}" if pack else None


def moh_class(domain: str, class_id: int | None = None) -> str:
    """local_stream name (local_stream.conf <directory name=…>), used as local_stream://<name>."""
    return f"{domain}_moh" if class_id is None else f"{domain}_moh{class_id}"


def moh_stream(domain: str, class_id: int) -> str:
    """The `local_stream://<name>` URL a channel's hold_music or a queue's moh-sound plays."""
    return f"local_stream://{moh_class(domain, class_id)}"


def voicemail_box(extension_or_box: str) -> str:
    """mod_voicemail box id inside the tenant's domain (`voicemail default <domain> <box>`)."""
    return extension_or_box
