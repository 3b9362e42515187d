"""The FreeSWITCH-side configuration we ship: well-formed, safe defaults, nothing a "not found" could land on."""
from pathlib import Path

import pytest
from lxml import etree

pytestmark = pytest.mark.smoke
FS = Path(__file__).resolve().parents[1] / "freeswitch"


def load(rel: str):
    # X-PRE-PROCESS and $${var} are FreeSWITCH's own preprocessor: the files are still plain XML.
    return etree.parse(str(FS / rel))


def test_every_shipped_file_is_well_formed_xml():
    files = sorted(FS.rglob("*.xml"))
    assert len(files) >= 8
    for path in files:
        etree.parse(str(path))


def test_every_xml_curl_binding_has_a_timeout_credentials_and_one_section():
    bindings = load("autoload_configs/xml_curl.conf.xml").xpath("//binding")
    sections = set()
    for binding in bindings:
        params = {p.get("name"): p for p in binding.xpath("param")}
        assert 0 < int(params["timeout"].get("value")) <= 10
        assert params["gateway-credentials"].get("value") == "$${centrex_xmlcurl_credentials}"
        assert params["gateway-url"].get("value").endswith("/xmlcurl")
        sections.add(params["gateway-url"].get("bindings"))
    assert sections == {"directory", "dialplan", "configuration"}


def test_top_level_document_has_no_static_user_and_a_dialplan_that_only_says_try_later():
    """When Centrex does not answer (in time), no static user can register or be called, and every call is
    refused with a 503 (mod_dialplan_xml's "global" context answers for any context it does not find)."""
    doc = load("freeswitch.xml")
    assert len(doc.xpath("/document/section[@name='directory']")[0]) == 0
    dialplan = doc.xpath("/document/section[@name='dialplan']")[0]
    assert [c.get("name") for c in dialplan.xpath("context")] == ["global"]
    actions = [(a.get("application"), a.get("data")) for a in dialplan.xpath("context/extension/condition/action")]
    assert [app for app, _ in actions] == ["log", "respond", "hangup"]
    assert ("respond", "503 Service Unavailable") in actions
    includes = [x.get("data") for x in doc.xpath("//X-PRE-PROCESS[@cmd='include']")]
    assert not any("directory" in i or "dialplan" in i for i in includes)


def test_mod_xml_curl_loads_before_the_modules_that_need_config():
    modules = [m.get("module") for m in load("autoload_configs/modules.conf.xml").xpath("//load")]
    first_consumer = min(modules.index(m) for m in ("mod_sofia", "mod_voicemail", "mod_callcenter",
                                                     "mod_conference", "mod_local_stream"))
    assert modules.index("mod_xml_curl") < first_consumer
    assert "mod_hash" in modules  # the `limit` backend for per-user and per-tenant call caps
    assert "mod_valet_parking" in modules  # call park: the park code's valet_park


def test_internal_profile_authenticates_everything_and_serves_all_domains():
    profile = load("sip_profiles/internal.xml")
    settings = {p.get("name"): p.get("value") for p in profile.xpath("//settings/param")}
    assert settings["auth-calls"] == "true"
    assert settings["challenge-realm"] == "auto_from"
    assert settings["accept-blind-reg"] == "false"
    assert settings["context"] == "public"
    assert settings["liberal-dtmf"] == "true"  # FACTS.md: SIP INFO DTMF ignored otherwise
    assert "force-register-domain" not in settings
    domain = profile.xpath("//domains/domain")[0]
    assert (domain.get("name"), domain.get("alias"), domain.get("parse")) == ("all", "true", "false")


def test_event_socket_listens_on_loopback_with_a_configured_password():
    settings = {p.get("name"): p.get("value")
                for p in load("autoload_configs/event_socket.conf.xml").xpath("//param")}
    assert settings["listen-ip"] == "127.0.0.1"
    assert settings["password"] == "$${centrex_esl_password}"
    assert settings["password"] != "ClueCon"
