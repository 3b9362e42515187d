"""Snom D3xx/D7xx: the file names their firmware asks for (snom<MODEL>.htm, snom<MODEL>-<MAC>.htm) and how
our data reads in their XML settings format. Sources: wazo-provd-plugins (wazo-snom common.py: user agent,
per-device file names, fkey formats; templates/base.tpl: setting names; common/snom-model.xml: the
firmware settings come from the file firmware_status names), FusionPBX templates (snom/D785/{$mac}.xml:
http_client_user/pass, quick_transfer, timezone; snom/7xx/directory.xml), Snom's "Configuring snom
phones for Mass Deployment" (setting_server may carry {mac}, which the phone replaces with its own)."""
from __future__ import annotations

import re

from centrex.phones import catalogue
from centrex.phones.profile import DeviceProfile
from provisioning.render import render_xml
from provisioning.timezones import zone_rule

MODELS = {model.name: model for model in catalogue.MODELS if model.vendor == "snom"}

MODEL_HTM_RE = re.compile(r"^snom([A-Za-z0-9]{2,8})\.htm$")
MODEL_XML_RE = re.compile(r"^snom([A-Za-z0-9]{2,8})\.xml$")
DEVICE_HTM_RE = re.compile(r"^snom([A-Za-z0-9]{2,8})-([0-9A-Fa-f]{12})\.htm$")
DEVICE_XML_RE = re.compile(r"^snom-([0-9A-Fa-f]{12})\.xml$")
DEVICE_FIRMWARE_RE = re.compile(r"^snom([A-Za-z0-9]{2,8})-([0-9A-Fa-f]{12})-firmware\.xml$")
EXPECTED_MISSES = re.compile(r"^snom([A-Za-z0-9]{2,8})-firmware\.xml$|^(gui|web)_lang\.xml$")

LANGUAGES = {"fr": ("Francais", "FRA"), "en": ("English", "USA"), "de": ("Deutsch", "GER"),
             "it": ("Italiano", "ITA")}
# quick_transfer: attended / blind / new_call (Snom's values; FusionPBX sets "blind"); semi-attended is
# attended with transfer_on_hangup.
TRANSFER = {"blind": ("blind", "off"), "attended": ("attended", "off"), "new_call": ("new_call", "off"),
            "semi_attended": ("attended", "on")}
# user_dtmf_info off (RFC 2833) / sip_info_only (wazo _SIP_DTMF_MODE); user_srtp on/off and user_savp
# off/optional/mandatory (wazo base.tpl); codec_priority_list, telephone-event last (wazo, FusionPBX).
DTMF = {"rfc2833": "off", "inband": "off", "sip_info": "sip_info_only"}
SRTP = {"off": ("off", "off"), "optional": ("on", "optional"), "mandatory": ("on", "mandatory")}
# <timezone>: Snom's own zone codes (country and standard offset, the phone knows the DST rule), e.g.
# CHE+1, FRA+1, GER+1, USA-5 (public Snom templates); a zone not listed gets utc_offset and dst only.
TIMEZONES = {"Europe/Zurich": "CHE+1", "Europe/Paris": "FRA+1", "Europe/Berlin": "GER+1",
             "Europe/Rome": "ITA+1", "Europe/Vienna": "AUT+1", "Europe/Brussels": "BEL+1",
             "Europe/Luxembourg": "LUX+1", "Europe/Amsterdam": "NLD+1", "Europe/Madrid": "ESP+1",
             "Europe/London": "GBR-0", "America/New_York": "USA-5", "America/Chicago": "USA-6",
             "America/Denver": "USA-7", "America/Los_Angeles": "USA-8"}


def model_htm(model: str, *, base_url: str) -> str:
    """snom<MODEL>.htm: points at the model's settings file (no secret)."""
    return render_xml("snom/setting-files.xml.j2", urls=[f"{base_url}/snom{model}.xml"])


def model_xml(model: str, *, base_url: str, settings: dict) -> str:
    """snom<MODEL>.xml: the model's settings; its setting_server sends the phone on to its own file
    (snom<MODEL>-{mac}.htm: the phone puts its MAC in place of {mac})."""
    return render_xml("snom/model.xml.j2", model=model, base_url=base_url, settings=settings)


def firmware_xml(firmware_url: str) -> str:
    """snom<MODEL>-<MAC>-firmware.xml, named by the phone's firmware_status: where its firmware is."""
    return render_xml("snom/firmware.xml.j2", firmware_url=firmware_url)


def device_htm(mac: str, *, base_url: str) -> str:
    """snom<MODEL>-<MAC>.htm: points at the phone's own settings file (no secret)."""
    return render_xml("snom/setting-files.xml.j2", urls=[f"{base_url}/snom-{mac.upper()}.xml"])


def _dst(rule) -> str:
    def fmt(t):
        return f"{t.month:02d}.{t.week:02d}.{t.weekday:02d} {t.hour:02d}:00:00"
    return f"{rule.dst_save_seconds} {fmt(rule.start)} {fmt(rule.end)}" if rule.start else ""


# wazo-snom common.py _add_fkeys: a park key is an `orbit` on these models, a speed dial elsewhere.
ORBIT_MODELS = {"D715", "D725", "D765"}


def _fkey(key, profile: DeviceProfile) -> str:
    s = profile.settings
    if key.kind == "blf":
        return f"blf <sip:{key.number}@{profile.tenant_domain}>|{s['pickup_prefix']}"
    if key.kind == "speed_dial":
        return f"speed {key.number}"
    if key.kind == "voicemail":
        return f"speed {s['voicemail_number']}"
    if key.kind == "dnd":
        return "keyevent F_DND"
    if key.kind == "forward":
        return "keyevent F_REDIRECT"
    if key.kind == "park":
        return f"{'orbit' if profile.model.upper() in ORBIT_MODELS else 'speed'} {s['park_prefix']}{key.number}"
    if key.kind == "transfer":  # FusionPBX snom.php: the transfer fkey type
        return f"transfer {key.number}"
    return "line"


def device_xml(profile: DeviceProfile, *, base_url: str, phonebook_url: str) -> str:
    """snom-<MAC>.xml: account, keys, phonebook and settings of one phone (carries its secrets)."""
    model = MODELS.get(profile.model.upper())
    last = model.total_keys if model else 0
    language, tones = LANGUAGES.get(profile.language, LANGUAGES["fr"])
    quick_transfer, transfer_on_hangup = TRANSFER[profile.transfer_mode]
    rule = zone_rule(profile.timezone)
    fkeys = [{"idx": key.position - 1, "label": key.label, "value": _fkey(key, profile)}
             for key in profile.keys if key.position <= last]
    return render_xml("snom/d7xx.xml.j2", p=profile, s=profile.settings, base_url=base_url,
                      language=language, tones=tones, quick_transfer=quick_transfer,
                      transfer_on_hangup=transfer_on_hangup, utc_offset=rule.utc_offset_seconds, dst=_dst(rule),
                      timezone=TIMEZONES.get(profile.timezone, ""), dtmf=DTMF[profile.settings["dtmf"]],
                      srtp=SRTP[profile.settings["srtp"]],
                      codec_list=",".join((*profile.settings["codecs"], "telephone-event")),
                      fkeys=fkeys, phonebook_url=phonebook_url)


def phonebook(title: str, rows: list[tuple[str, str]]) -> str:
    """Remote XML phonebook in Snom's minibrowser directory format."""
    return render_xml("snom/phonebook.xml.j2", title=title, rows=rows)


def phonebook_menu(items: list[tuple[str, str]]) -> str:
    """The directory key's entry point: a minibrowser menu of the company and personal phonebooks."""
    return render_xml("snom/phonebook-menu.xml.j2", items=items)
