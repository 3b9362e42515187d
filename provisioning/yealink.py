"""Yealink T4x/T5x: the file names their firmware asks for and how our data reads in their key=value
format. Sources: wazo-provd-plugins (wazo-yealink v86: models.py, entry.py COMMON_FILES, common.py key
counts and funckey types, templates/base.tpl), FusionPBX templates (yealink/<model>/y0000000000XX.cfg,
{$mac}.cfg, directory.xml), Yealink admin guides (transfer.*, linekey.X.type)."""
from __future__ import annotations

import re

from centrex.phones import catalogue
from centrex.phones.catalogue import PhoneModel
from centrex.phones.profile import DeviceProfile
from provisioning.render import render_key_value, render_xml
from provisioning.timezones import zone_rule

MODELS = {model.name: model for model in catalogue.MODELS if model.vendor == "yealink"}
COMMON_CODES = catalogue.common_codes()

COMMON_RE = re.compile(r"^y000000000(\d{3})\.cfg$")
DEVICE_RE = re.compile(r"^([0-9A-Fa-f]{12})\.cfg$")
# Files the firmware also asks for and that we do not serve: answering 404 is normal, not an attack.
EXPECTED_MISSES = re.compile(r"^(y000000000000\.boot|[0-9A-Fa-f]{12}\.boot|[0-9A-Fa-f]{12}-local\.cfg"
                             r"|[0-9A-Fa-f]{12}-(contact|calllog|favorite_setting)\.xml)$")

# DSS key types (wazo-yealink; FusionPBX app/devices/resources/classes/yealink.php: 3 transfer, 10 call park).
KEY_TYPES = {"line": 15, "blf": 16, "speed_dial": 13, "voicemail": 13, "dnd": 5, "forward": 2, "park": 10,
             "transfer": 3}
TRANSPORTS = {"udp": 0, "tcp": 1, "tls": 2}
# account.X.dtmf.type (wazo _SIP_DTMF_MODE), account.X.srtp_encryption (0 off, 1 optional, 2 compulsory),
# account.X.codec.<name>.enable/.priority (FusionPBX t46u).
DTMF = {"inband": 0, "rfc2833": 1, "sip_info": 2}
SRTP = {"off": 0, "optional": 1, "mandatory": 2}
CODECS = ("g722", "pcma", "pcmu", "g729", "opus")
LANGUAGES = {"fr": "French", "en": "English", "de": "German", "it": "Italian"}
COUNTRIES = {"CH": "Switzerland", "FR": "France", "DE": "Germany", "IT": "Italy", "US": "United States"}
# transfer.dsskey_deal_type: 0 new call, 1 attended, 2 blind (admin guide, "Transfer Mode via DSS Key").
TRANSFER = {"blind": (2, 0, 1), "attended": (1, 0, 0), "new_call": (0, 0, 0), "semi_attended": (1, 1, 0)}


def model_for_code(code: str) -> str | None:
    """The models sharing this common file, for its header (e.g. "T53/T53W")."""
    return "/".join(model.name for model in MODELS.values() if model.common_code == code) or None


def common_file(code: str, *, base_url: str, settings: dict) -> str:
    """y000000000NNN.cfg: what every phone of the model gets, no secret and nothing of any tenant."""
    return render_key_value("yealink/common.cfg.j2", base_url=base_url, settings=settings, code=code,
                            model=model_for_code(code))


def _offset(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def _transition(t) -> str:
    return f"{t.month}/{t.week}/{t.weekday}/{t.hour}"


def key_name(position: int, model: PhoneModel | None) -> str | None:
    """The setting prefix of the key at `position` (1-based): the phone's own line keys, then its
    expansion modules' keys, module by module (wazo-yealink common.py's order); None past the last
    module (or for a model we do not know)."""
    if model is None:
        return None
    if position <= model.keys:
        return f"linekey.{position}"
    n = position - model.keys - 1
    if model.module is None or n >= model.module.keys * model.module.max_modules:
        return None
    per_module = model.module.keys
    return f"expansion_module.{n // per_module + 1}.key.{n % per_module + 1}"


def device_file(profile: DeviceProfile, *, base_url: str, phonebooks: list[tuple[str, str]]) -> str:
    """<mac>.cfg: the account, keys, phonebooks and settings of one phone (carries its secrets)."""
    model = MODELS.get(profile.model.upper())
    rule = zone_rule(profile.timezone)
    deal_type, semi_attended, blind_on_hook = TRANSFER[profile.transfer_mode]
    keys = []
    for key in profile.keys:
        name = key_name(key.position, model)
        if name is None:
            continue
        value = key.number or ""
        if key.kind == "voicemail":
            value = profile.settings["voicemail_number"]
        if key.kind == "park":  # the park code + slot: pressed in a call, parks it there (or takes it back)
            value = profile.settings["park_prefix"] + (key.number or "")
        if key.kind == "line":
            value = profile.account.extension if profile.account else ""
        keys.append({"name": name, "type": KEY_TYPES[key.kind], "value": value, "label": key.label,
                     "blf": key.kind == "blf"})
    return render_key_value(
        "yealink/device.cfg.j2", p=profile, s=profile.settings, base_url=base_url, keys=keys,
        language=LANGUAGES.get(profile.language, "French"), country=COUNTRIES.get(profile.country),
        transport=TRANSPORTS.get(profile.settings["sip_transport"], 0),
        tz_offset=_offset(rule.utc_offset_seconds), rule=rule,
        dst_start=_transition(rule.start) if rule.start else "", dst_end=_transition(rule.end) if rule.end else "",
        deal_type=deal_type, semi_attended=semi_attended, blind_on_hook=blind_on_hook, phonebooks=phonebooks,
        dtmf=DTMF[profile.settings["dtmf"]], srtp=SRTP[profile.settings["srtp"]],
        codecs=[(name, profile.settings["codecs"].index(name) + 1 if name in profile.settings["codecs"] else 0)
                for name in CODECS])


def phonebook(title: str, rows: list[tuple[str, str]]) -> str:
    """Remote XML phonebook (YealinkIPPhoneDirectory, as FusionPBX's yealink directory.xml)."""
    return render_xml("yealink/phonebook.xml.j2", title=title, rows=rows)
