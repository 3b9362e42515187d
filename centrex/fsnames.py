"""The names our tenant objects carry inside FreeSWITCH. One place, so the dialplan that sends a call to a
menu, queue or room and the configuration/ESL command that defines or controls it always agree, and so two
tenants' objects can never share a name (every name carries the tenant's domain)."""
from __future__ import annotations


def ivr_menu(domain: str, menu_id: int) -> str:
    """mod_ivr menu name, as passed to the `ivr` application and asked for as Menu-Name in ivr.conf."""
    return f"{domain}_ivr{menu_id}"


def queue(domain: str, queue_id: int) -> str:
    """mod_callcenter queue name (`callcenter <name>`, callcenter.conf <queue name=…>)."""
    return f"q{queue_id}@{domain}"


def agent(domain: str, extension: str) -> str:
    """mod_callcenter agent name for a user."""
    return f"{extension}@{domain}"


def conference_room(domain: str, room_number: str) -> str:
    """mod_conference conference name (`conference <name>@<profile>`; `conference <name> list`)."""
    return f"{room_number}-{domain}"


def conference_profile(domain: str) -> str:
    """mod_conference profile served from conference.conf for this tenant."""
    return f"{domain}_conf"


# The recorded prompts FreeSWITCH plays per console language (the packs freeswitch/lang/*/ point at; Italian
# has no FreeSWITCH pack and speaks English).
SOUND_PACKS = {"fr": "fr/ca/june", "de": "de/de/daedalus3", "en": "en/us/callie", "it": "en/us/callie"}


def sound_prefix(language: str | None) -> str | None:
    """The channel's `sound_prefix` for a language (FreeSWITCH's global ${sounds_dir} expands at run time)."""
    pack = SOUND_PACKS.get(language or "")
    return f"${{sounds_dir}}/{pack}" if pack else None


def moh_class(domain: str, class_id: int | None = None) -> str:
    """local_stream name (local_stream.conf <directory name=…>), used as local_stream://<name>."""
    return f"{domain}_moh" if class_id is None else f"{domain}_moh{class_id}"


def voicemail_box(extension_or_box: str) -> str:
    """mod_voicemail box id inside the tenant's domain (`voicemail default <domain> <box>`)."""
    return extension_or_box
