"""Every request a real FreeSWITCH 1.10.12 posted (fixtures/xml_curl/*.http), replayed on the demo:
always HTTP 200 and a well-formed freeswitch/xml document of the right kind, never a secret."""
from __future__ import annotations

import pytest

from xmlcurl_helpers import (
    assert_no_secret_material,
    bridge_legs,
    capture_form,
    demo_secrets,
    field,
    is_not_found,
    leg_domain,
    parse_document,
    request_captures,
    section_name,
    transfer_contexts,
)

pytestmark = pytest.mark.smoke

# What each captured directory lookup must get on the demo data: ("user", extension) or "not found".
DIRECTORY_ANSWERS = {
    "05-directory-purpose_gateways-profile_start.http": "not found",  # gateways are static
    "19-directory-purpose_network-list-acl_domain.http": "not found",  # ACLs are static
    "21-directory-sip_auth-register-1001-password.http": ("user", "1001"),
    "22-directory-message-count-after_register-1001.http": ("user", "1001"),
    "23-directory-sip_auth-register-1002-a1hash.http": ("user", "1002"),
    "24-directory-sip_auth-invite-1001-to-1002.http": ("user", "1001"),
    "26-directory-user_call-bridge_user_1002.http": ("user", "1002"),
    "29-directory-voicemail-lookup-1002.http": ("user", "1002"),
    "30-directory-message-count-after_vm_deposit.http": ("user", "1002"),
    "37-directory-user_exists-api-1001.http": ("user", "1001"),
    "38-directory-user_exists-api-unknown_1099.http": "not found",
    "40-directory-sip_auth-register-wrong_password.http": ("user", "1001"),  # FreeSWITCH checks the digest
    "41-directory-sip_auth-register-unknown_user.http": "not found",
    "42-directory-sip_auth-register-other_domain.http": "not found",  # 2001 is nobody at martin.example
    "43-directory-sip_auth-server_answers_500.http": ("user", "1001"),
    "45-directory-sip_auth-server_answers_non_xml.http": ("user", "1001"),
    "46-directory-sip_auth-server_answers_empty_body.http": ("user", "1001"),
    "55-directory-user_call-unregistered_1003.http": ("user", "1003"),
}


@pytest.fixture
def secrets(demo):
    return demo_secrets()


def test_every_directory_capture_has_a_decided_answer():
    assert set(request_captures("directory")) == set(DIRECTORY_ANSWERS)


@pytest.mark.parametrize("section", ["directory", "dialplan", "configuration"])
def test_every_capture_gets_the_right_kind_of_document_without_secrets(demo, secrets, post_capture, subtests,
                                                                       section):
    """One demo load per section; each capture is its own subtest (reported by name when it fails)."""
    captures = request_captures(section)
    assert captures
    check = {"directory": check_directory, "dialplan": check_dialplan, "configuration": check_configuration}
    for capture in captures:
        with subtests.test(capture=capture):
            response = post_capture(capture)
            doc = parse_document(response)
            assert_no_secret_material(response.data, doc, secrets)
            form = capture_form(capture)
            assert field(form, "section") == section
            assert section_name(doc) in (section, "result")
            check[section](capture, form, doc)


def test_every_capture_is_of_a_known_section():
    assert len(request_captures()) == sum(len(request_captures(s))
                                          for s in ("directory", "dialplan", "configuration"))


def check_directory(capture, form, doc):
    """The user the table above names, inside the asked domain, or "not found"."""
    expected = DIRECTORY_ANSWERS[capture]
    if expected == "not found":
        assert is_not_found(doc)
        return
    domain = field(form, "key_value")
    users = doc.xpath("/document/section[@name='directory']/domain/groups/group/users/user")
    assert [u.get("id") for u in users] == [expected[1]]
    assert doc.xpath("/document/section/domain/@name") == [domain]
    assert users[0].xpath("string(params/param[@name='a1-hash']/@value)")
    assert users[0].xpath("string(variables/variable[@name='user_context']/@value)") == domain


def check_configuration(capture, form, doc):
    """"not found" for now, or (once served) the very file FreeSWITCH asked for."""
    if not is_not_found(doc):
        assert doc.xpath("/document/section[@name='configuration']/configuration/@name") == [
            field(form, "key_value")]


def check_dialplan(capture, form, doc):
    """The one <context> is the one FreeSWITCH hunts in; bridges and transfers stay in that tenant.
    A bridge leg must name its domain literally (not ${domain_name}, which the channel could carry)."""
    if is_not_found(doc):
        return
    context = (field(form, "Hunt-Context") or field(form, "Caller-Context")).lower()
    assert doc.xpath("/document/section[@name='dialplan']/context/@name") == [context]
    # In `public` the carrier's call is stamped with the DID's tenant and transferred into its context:
    # the captured DID +41215550100 is Dupont SA's main number.
    tenant = "dupont.example" if context == "public" else context
    for leg in bridge_legs(doc):
        assert leg_domain(leg) in (None, tenant), leg
    assert all(target == tenant for target in transfer_contexts(doc))


@pytest.mark.parametrize("capture", [
    "25-dialplan-call-1001-to-1002.http",
    "61-dialplan-ivr_menu_exec_app_transfer-1001.http",
    "63-dialplan-public_transfer_to_dupont.example-1002.http",
])
def test_dialplan_to_an_extension_of_the_tenant_bridges_that_user(demo, post_capture, capture):
    form = capture_form(capture)
    destination = field(form, "Hunt-Destination-Number") or field(form, "Caller-Destination-Number")
    doc = parse_document(post_capture(capture))
    assert f"user/{destination}@dupont.example" in bridge_legs(doc)
