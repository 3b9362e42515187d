"""Two tenants with the same extension numbers (demo: dupont.example and martin.example): a lookup in one
never returns the other's hash, a call in one's context never rings, bridges or transfers into the other."""
from __future__ import annotations

import pytest

from conftest import xmlcurl_headers
from xmlcurl_helpers import (
    a1_hashes,
    bridge_legs,
    capture_form,
    encode_form,
    is_not_found,
    leg_domain,
    parse_document,
    transfer_contexts,
)

pytestmark = pytest.mark.smoke

DOMAINS = ("dupont.example", "martin.example")
USER_LOOKUPS = [  # every kind of user lookup FreeSWITCH made in the captures
    "21-directory-sip_auth-register-1001-password.http",
    "24-directory-sip_auth-invite-1001-to-1002.http",
    "26-directory-user_call-bridge_user_1002.http",
    "29-directory-voicemail-lookup-1002.http",
    "22-directory-message-count-after_register-1001.http",
    "37-directory-user_exists-api-1001.http",
]
CALL = "25-dialplan-call-1001-to-1002.http"


def rewrite(capture, **values) -> list[tuple[str, str]]:
    """The captured form with the named fields set (dashes written as underscores in the keywords)."""
    wanted = {k.replace("_", "-") if k[0].isupper() else k: v for k, v in values.items()}
    return [(k, wanted.get(k, v)) for k, v in capture_form(capture)]


def post(client, pairs):
    return client.post("/xmlcurl", data=encode_form(pairs), headers=xmlcurl_headers(),
                       environ_base={"REMOTE_ADDR": "127.0.0.1"})


def lookup(capture, domain, extension):
    return rewrite(capture, key_value=domain, domain=domain, user=extension, sip_auth_username=extension,
                   sip_auth_realm=domain, sip_to_host=domain, sip_from_host=domain, sip_request_host=domain)


def test_each_tenant_gets_its_own_users_hash_never_the_others(client, demo, subtests):
    hashes = {d: a1_hashes(d) for d in DOMAINS}
    for capture, (domain, other) in ((c, d) for c in USER_LOOKUPS for d in (DOMAINS, DOMAINS[::-1])):
        for extension in sorted(hashes[domain]):
            with subtests.test(capture=capture, user=f"{extension}@{domain}"):
                response = post(client, lookup(capture, domain, extension))
                doc = parse_document(response)
                assert doc.xpath("/document/section/domain/@name") == [domain]
                assert doc.xpath("//user/@id") == [extension]
                assert doc.xpath("string(//user/params/param[@name='a1-hash']/@value)") == \
                    hashes[domain][extension]
                assert other.encode() not in response.data
                assert not any(h.encode() in response.data for h in hashes[other].values())


def test_an_extension_only_the_other_tenant_has_is_not_found(client, demo):
    dupont_only = sorted(set(a1_hashes("dupont.example")) - set(a1_hashes("martin.example")))
    assert dupont_only  # the demo has 1003..1005 at Dupont only
    for capture, extension in ((c, e) for c in USER_LOOKUPS for e in dupont_only):
        assert is_not_found(parse_document(post(client, lookup(capture, "martin.example", extension)))), \
            (capture, extension)


def test_realm_or_from_host_of_the_other_tenant_does_not_switch_tenant(client, demo):
    """Only key_value/domain choose the tenant; a SIP header naming the other one changes nothing."""
    pairs = lookup(USER_LOOKUPS[0], "dupont.example", "1001")
    pairs = [(k, "martin.example" if k in ("sip_auth_realm", "sip_from_host", "sip_to_host") else v)
             for k, v in pairs]
    doc = parse_document(post(client, pairs))
    assert doc.xpath("string(//user/params/param[@name='a1-hash']/@value)") == \
        a1_hashes("dupont.example")["1001"]


def call(context, destination, caller_domain=None):
    caller_domain = caller_domain or context
    return rewrite(CALL, Hunt_Context=context, Caller_Context=context, Hunt_Destination_Number=destination,
                   Caller_Destination_Number=destination, variable_domain_name=caller_domain,
                   variable_user_context=caller_domain, variable_requested_domain_name=caller_domain,
                   Channel_Presence_ID=f"1001@{caller_domain}")


DESTINATIONS = ["1000", "1001", "1002", "1003", "1005", "1099", "0000", "1001@martin.example",
                "1002@dupont.example", "martin.example", "+41225550201", "+41225550200", "*1001"]


def test_a_call_in_one_context_stays_in_that_tenant(client, demo, subtests):
    for destination, (context, other) in ((n, d) for n in DESTINATIONS for d in (DOMAINS, DOMAINS[::-1])):
        for caller_domain in (context, other):  # also a caller whose channel claims the other tenant
            with subtests.test(destination=destination, context=context, caller=caller_domain):
                response = post(client, call(context, destination, caller_domain))
                doc = parse_document(response)
                if is_not_found(doc):
                    continue
                assert doc.xpath("/document/section[@name='dialplan']/context/@name") == [context]
                legs = bridge_legs(doc)
                assert all(leg_domain(leg) in (None, context) for leg in legs), legs
                assert all(target == context for target in transfer_contexts(doc))
                if "@" not in destination:  # the other domain may only appear if the caller dialled it
                    assert other.encode() not in response.data


def test_same_extension_rings_the_user_of_the_hunted_context(client, demo):
    for context in DOMAINS:
        doc = parse_document(post(client, call(context, "1002")))
        assert f"user/1002@{context}" in bridge_legs(doc)
