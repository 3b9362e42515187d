"""The directory section: who may register, what a bridged user looks like, voicemail's lookups."""
from __future__ import annotations

from functools import lru_cache

from flask import current_app
from lxml import etree

from centrex.directory.lookup import DirectoryDomain, DirectoryUser, find_domain, find_user
from centrex.freeswitch.user_cache import USER_CACHE_MS
from centrex.platform.answer_cache import cache
from centrex.platform.schemas import DOMAIN_RE, EXTENSION_RE
from xmlcurl.documents import (
    DECLARATION,
    attribute,
    document,
    named_values_text,
    params,
    serialised_text,
    variables,
    xml_body_response,
    xml_response,
)
from xmlcurl.voicemail_boxes import shared_box_answer

# sofia's default, spelt out so every tenant's user gets the same: all contacts of the user, any profile
# (a browser's WebSocket contact too). absolute_codec_string: the leg offers the caller's codec first
# (${read_codec}: no transcoding between two desk phones), then the phones' list (internal.xml). Left to
# itself FreeSWITCH 1.10 offered the caller's codec alone, even with codec_string set, so a browser
# calling in Opus reached no desk phone (seen live: INCOMPATIBLE_DESTINATION).
DIAL_STRING = ("{^^:sip_invite_domain=${dialed_domain}:presence_id=${dialed_user}@${dialed_domain}"
               ":absolute_codec_string=${read_codec},${centrex_phone_codecs}}"
               "${sofia_contact(*/${dialed_user}@${dialed_domain})}")
# Cluster deployment (CENTREX_SIP_EDGE = Kamailio's host:port): the nodes keep no registration, so a user
# is called through the edge, which looks the user's contacts up and rings them all (README "Scaling out").
EDGE_DIAL_TARGET = "[sip_route_uri=sip:%s]sofia/internal/${dialed_user}@${dialed_domain}"


def dial_string() -> str:
    return _dial_string(current_app.config.get("SIP_EDGE") or "")


@lru_cache(maxsize=4)
def _dial_string(edge: str) -> str:
    return DIAL_STRING if not edge else DIAL_STRING.replace(
        "${sofia_contact(*/${dialed_user}@${dialed_domain})}", EDGE_DIAL_TARGET % edge)

# Lookups answered with the user. Anything else is refused on purpose:
#   purpose=gateways (carrier gateways live in the operator's static sofia profile),
#   purpose=network-list (ACLs are static in acl.conf), action=reverse-auth-lookup (that would need
#   the plaintext secret), group_call (we define no directory groups), key=number-alias.
USER_ACTIONS = {None, "", "sip_auth", "user_call", "voicemail-lookup", "message-count"}


def answer(form) -> tuple[object | None, str]:
    """(response or None for "not found", reason for the log)."""
    if form.get("purpose"):
        return None, f"purpose={form.get('purpose')[:40]!r} is not served"
    if form.get("tag_name") != "domain" or form.get("key_name") != "name":
        return None, "not a domain lookup"
    domain = (form.get("key_value") or "").strip().lower()
    asked_domain = (form.get("domain") or domain).strip().lower()
    if not domain or asked_domain != domain:
        return None, f"domain mismatch {domain[:80]!r}/{asked_domain[:80]!r}"
    if not DOMAIN_RE.fullmatch(domain):  # no tenant could have it: no query
        return None, f"not a SIP domain {domain[:80]!r}"
    action = form.get("action")
    if action not in USER_ACTIONS:
        return None, f"action={action[:40]!r} is not served"
    user = form.get("user")
    if not user:
        if action:
            return None, f"action={action!r} without a user"
        found = find_domain(domain)
        return (_domain_document(found) if found else None), f"domain {domain}"
    if form.get("key", "id") != "id":
        return None, f"key={form.get('key')[:40]!r} is not served"
    if not EXTENSION_RE.fullmatch(user):
        return None, f"not an extension {user[:40]!r}@{domain}"
    _company, body = cache.get(("directory-user", domain, user), lambda: _user_answer(find_user(domain, user)),
                               company=lambda answer: answer[0])
    if not body:  # not a user: a shared voicemail box answers mod_voicemail's own lookups
        return shared_box_answer(domain, user, action)
    return xml_body_response(body), f"user {user}@{domain} action={action or '-'}"


def _domain_params() -> str:
    return _domain_params_for(dial_string())


@lru_cache(maxsize=4)
def _domain_params_for(dial: str) -> str:
    return named_values_text("params", "param", [("dial-string", dial)])


def _domain_element(section, domain: str, tenant_id: int):
    element = etree.SubElement(section, "domain", name=domain)
    params(element, [("dial-string", dial_string())])
    variables(element, [("tenant_id", tenant_id), ("user_context", domain)])
    return element


def _domain_document(found: DirectoryDomain):
    root, section = document("directory")
    _domain_element(section, found.domain, found.tenant_id)
    return xml_response(root)


def _user_answer(u: DirectoryUser | None) -> tuple[int | None, bytes | None]:
    """(the user's company, the serialised answer): what the answer cache keeps."""
    return (u.tenant_id if u else None), _user_document(u)


def _user_document(u: DirectoryUser | None) -> bytes | None:
    """The serialised answer for one user (what the answer cache keeps), or None. Its shape is fixed, so
    it is written as text (values escaped by `attribute`): an lxml tree cost a third of a REGISTER's
    miss. tests/test_xmlcurl_text_answers.py holds it equal to the tree it replaced. `cacheable`: FreeSWITCH
    keeps it (centrex.freeswitch.user_cache flushes it on every change), so it is the same for every
    purpose (sip_auth, user_call, voicemail): FreeSWITCH's cache key has no purpose."""
    if u is None:
        return None
    user_params = named_values_text("params", "param", [
        ("a1-hash", u.a1_hash),
        ("vm-a1-hash", u.vm_a1_hash),
        ("vm-enabled", "true" if u.vm_a1_hash else "false"),
        ("max-registrations-per-extension", current_app.config["MAX_REGISTRATIONS_PER_EXTENSION"]),
    ])
    user_variables = named_values_text("variables", "variable", [
        ("user_context", u.domain),
        ("domain_name", u.domain),
        ("tenant_id", u.tenant_id),
        ("accountcode", u.domain),
        ("effective_caller_id_name", u.name),
        ("effective_caller_id_number", u.extension),
        ("outbound_caller_id_name", u.tenant_name),
        ("outbound_caller_id_number", u.outbound_number),
        ("user_max_calls", u.max_calls),
        ("default_language", u.language),
    ])
    text = (f'{DECLARATION}<document type="freeswitch/xml"><section name="directory">'
            f'<domain name="{attribute(u.domain)}">{_domain_params()}'
            + named_values_text("variables", "variable", [("tenant_id", u.tenant_id), ("user_context", u.domain)])
            + f'<groups><group name="default"><users><user id="{attribute(u.extension)}" cacheable="{USER_CACHE_MS}">'
            f'{user_params}'
            f'{user_variables}</user></users></group></groups></domain></section></document>')
    return serialised_text(text.encode())
