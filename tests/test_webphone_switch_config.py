"""What the console's web phone needs from the FreeSWITCH side (freeswitch/, xmlcurl/directory.py): the
internal profile's secure WebSocket with its certificate folder, browsers' ICE candidates accepted, Opus
loaded and offered after the desk phones' codecs, and user legs offered more than the caller's codec."""
from pathlib import Path

from lxml import etree

from xmlcurl.directory import DIAL_STRING

FREESWITCH = Path(__file__).resolve().parents[1] / "freeswitch"


def internal_settings() -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for param in etree.parse(str(FREESWITCH / "sip_profiles" / "internal.xml")).find("settings").iter("param"):
        settings.setdefault(param.get("name"), []).append(param.get("value"))
    return settings


def phone_codecs() -> list[str]:
    text = (FREESWITCH / "sip_profiles" / "internal.xml").read_text()
    return text.split('data="centrex_phone_codecs=', 1)[1].split('"', 1)[0].split(",")


def test_the_internal_profile_listens_on_a_secure_websocket_with_the_operators_certificate():
    settings = internal_settings()
    assert settings["wss-binding"] == [":$${centrex_wss_port}"] and "ws-binding" not in settings  # never clear
    assert settings["tls-cert-dir"] == ["$${centrex_certs_dir}"]
    assert {"rfc1918.auto", "wan_v4.auto"} <= set(settings["apply-candidate-acl"])


def test_opus_is_loaded_and_offered_after_the_desk_phones_codecs():
    modules = etree.parse(str(FREESWITCH / "autoload_configs" / "modules.conf.xml")).xpath("//load/@module")
    assert "mod_opus" in modules
    assert phone_codecs()[-1] == "OPUS" and phone_codecs()[:3] == ["G722", "PCMA", "PCMU"]
    settings = internal_settings()
    assert settings["inbound-codec-prefs"] == settings["outbound-codec-prefs"] == ["$${centrex_phone_codecs}"]


def test_a_user_leg_is_offered_the_callers_codec_then_the_phones_list():
    assert "absolute_codec_string=${read_codec},${centrex_phone_codecs}}" in DIAL_STRING
    assert DIAL_STRING.startswith("{^^:")  # the list's commas stay inside the variable
