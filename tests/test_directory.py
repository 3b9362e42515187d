"""Directory answers for the captured mod_xml_curl requests (fixtures/xml_curl), on the demo data."""
from __future__ import annotations

import pytest
from lxml import etree

from centrex.directory.users import reveal_secret
from centrex.models import User
from centrex.platform.crypto import digest_a1
from centrex.platform.db import db
from xmlcurl_helpers import is_not_found, parse_document

pytestmark = pytest.mark.smoke


def user_of(demo, domain, extension):
    return db.session.execute(db.select(User).where(User.tenant_id == demo[domain].id,
                                                    User.extension == extension)).scalar_one()


def test_register_gets_a1_hash_never_password(demo, post_capture):
    doc = parse_document(post_capture("21-directory-sip_auth-register-1001-password.http"))
    user = doc.xpath("/document/section[@name='directory']/domain[@name='dupont.example']"
                     "/groups/group/users/user[@id='1001']")
    assert len(user) == 1
    alain = user_of(demo, "dupont.example", "1001")
    expected = digest_a1("1001", "dupont.example", reveal_secret(alain))
    assert user[0].xpath("string(params/param[@name='a1-hash']/@value)") == expected
    assert not doc.xpath("//param[@name='password' or @name='vm-password']")
    assert reveal_secret(alain).encode() not in etree.tostring(doc)
    assert user[0].xpath("string(variables/variable[@name='user_context']/@value)") == "dupont.example"
    assert user[0].xpath("string(variables/variable[@name='effective_caller_id_name']/@value)") == "Alain Dupont"


@pytest.mark.parametrize("capture", [
    "21-directory-sip_auth-register-1001-password.http",
    "23-directory-sip_auth-register-1002-a1hash.http",
    "24-directory-sip_auth-invite-1001-to-1002.http",
    "26-directory-user_call-bridge_user_1002.http",
    "29-directory-voicemail-lookup-1002.http",
    "22-directory-message-count-after_register-1001.http",
    "30-directory-message-count-after_vm_deposit.http",
    "37-directory-user_exists-api-1001.http",
    "55-directory-user_call-unregistered_1003.http",
])
def test_every_user_lookup_of_the_capture_is_answered(demo, post_capture, capture):
    doc = parse_document(post_capture(capture))
    users = doc.xpath("//domain[@name='dupont.example']//user")
    assert len(users) == 1
    assert users[0].xpath("params/param[@name='a1-hash']")
    assert doc.xpath("string(//domain/params/param[@name='dial-string']/@value)").endswith(
        "${sofia_contact(*/${dialed_user}@${dialed_domain})}")


@pytest.mark.parametrize("capture", [
    "05-directory-purpose_gateways-profile_start.http",
    "19-directory-purpose_network-list-acl_domain.http",
    "38-directory-user_exists-api-unknown_1099.http",
    "41-directory-sip_auth-register-unknown_user.http",
    "42-directory-sip_auth-register-other_domain.http",
])
def test_lookups_we_do_not_serve_get_not_found(demo, post_capture, capture):
    assert is_not_found(parse_document(post_capture(capture)))


def test_voicemail_lookup_carries_vm_a1_hash_not_the_pin(demo, post_capture):
    doc = parse_document(post_capture("29-directory-voicemail-lookup-1002.http"))
    sophie = user_of(demo, "dupont.example", "1002")
    assert doc.xpath("string(//user/params/param[@name='vm-a1-hash']/@value)") == sophie.vm_a1_hash
    assert sophie.vm_a1_hash == digest_a1("1002", "dupont.example", "400095")


def test_same_extension_in_two_tenants_never_crosses(demo, post_capture):
    dupont = parse_document(post_capture("21-directory-sip_auth-register-1001-password.http"))
    martin = parse_document(post_capture("21-directory-sip_auth-register-1001-password.http",
                                replace={"dupont.example": "martin.example"}))
    dupont_hash = dupont.xpath("string(//user/params/param[@name='a1-hash']/@value)")
    martin_hash = martin.xpath("string(//user/params/param[@name='a1-hash']/@value)")
    assert martin.xpath("string(//domain/@name)") == "martin.example"
    assert martin_hash == user_of(demo, "martin.example", "1001").sip_a1_hash
    assert dupont_hash == user_of(demo, "dupont.example", "1001").sip_a1_hash
    assert dupont_hash != martin_hash


def test_domain_param_disagreeing_with_key_value_is_refused(demo, post_capture):
    response = post_capture("21-directory-sip_auth-register-1001-password.http",
                            replace={"&domain=dupont.example": "&domain=martin.example"})
    assert is_not_found(parse_document(response))


def test_suspended_tenant_cannot_register(demo, post_capture):
    from centrex.tenants.companies import set_status

    set_status(demo["dupont.example"], "suspended")
    assert is_not_found(parse_document(post_capture("21-directory-sip_auth-register-1001-password.http")))


def test_disabled_user_cannot_register(demo, post_capture):
    from centrex.directory.users import update_user

    update_user(user_of(demo, "dupont.example", "1001"), {"enabled": False})
    assert is_not_found(parse_document(post_capture("21-directory-sip_auth-register-1001-password.http")))


def test_domain_level_fetch_lists_no_users(demo, post_capture):
    doc = parse_document(post_capture("37-directory-user_exists-api-1001.http", replace={"&user=1001": ""}))
    assert doc.xpath("//domain[@name='dupont.example']")
    assert not doc.xpath("//user")
